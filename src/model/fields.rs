//! The contact field catalogue: every field a Send a Webhook step can transmit or
//! use as a placeholder. One static list, shared by the payload builder and the
//! editor's checkboxes, so the two can never disagree on keys, labels or order.

use serde::{Deserialize, Serialize};

/// The sections of "Data to be transmitted", in the order the editor shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldGroup {
    ContactDetails,
    ConsentInformation,
    PersonalStatistics,
    CustomFields,
}

impl FieldGroup {
    pub const ALL: [FieldGroup; 4] = [
        FieldGroup::ContactDetails,
        FieldGroup::ConsentInformation,
        FieldGroup::PersonalStatistics,
        FieldGroup::CustomFields,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FieldGroup::ContactDetails => "Contact details",
            FieldGroup::ConsentInformation => "Consent information",
            FieldGroup::PersonalStatistics => "Personal statistics",
            FieldGroup::CustomFields => "Custom fields",
        }
    }
}

/// What a field's value looks like in the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A JSON string.
    Text,
    /// A JSON string holding an email address.
    Email,
    /// A JSON number.
    Number,
    /// A JSON string `YYYY-MM-DD`.
    Date,
    /// A JSON string in RFC 3339, UTC (`2024-05-28T12:56:40Z`).
    DateTime,
    /// A JSON string, one of `Field::choices`.
    Choice,
    /// A JSON array of strings (group names).
    List,
}

/// One field of the catalogue, built-in or custom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field<'a> {
    /// The key in the payload's `data` object and inside `{{…}}` placeholders.
    pub key: &'a str,
    pub label: &'a str,
    pub group: FieldGroup,
    pub kind: FieldKind,
    /// The allowed values of a `Choice` field; empty otherwise.
    pub choices: &'static [&'static str],
}

const fn field(
    key: &'static str,
    label: &'static str,
    group: FieldGroup,
    kind: FieldKind,
) -> Field<'static> {
    Field {
        key,
        label,
        group,
        kind,
        choices: &[],
    }
}

/// Every built-in field, in the order of the editor and of the payload.
pub static BUILT_IN_FIELDS: &[Field<'static>] = &table::FIELDS;

// A module of its own so the short names below do not leak into the rest of the file.
mod table {
    use super::FieldGroup::{
        ConsentInformation as Consent, ContactDetails as Details, PersonalStatistics as Stats,
    };
    use super::FieldKind::*;
    use super::{Field, field};

    pub(super) static FIELDS: [Field<'static>; 24] = [
        field("email", "Email", Details, Email),
        field("firstname", "First name", Details, Text),
        field("lastname", "Last name", Details, Text),
        field("company", "Company", Details, Text),
        field("phone", "Phone", Details, Text),
        field("language", "Language", Details, Text),
        field("gender", "Gender", Details, Text),
        field("birthdate", "Birth date", Details, Date),
        field("postalcode", "Postal code", Details, Text),
        field("country", "Country", Details, Text),
        field("note", "Note", Details, Text),
        field("groups", "Groups", Details, List),
        Field {
            choices: &["express", "implied"],
            ..field("consent_type", "Consent type", Consent, Choice)
        },
        field(
            "consent_relation",
            "Relation type (implied consent)",
            Consent,
            Text,
        ),
        field("consent_date", "Consent date", Consent, Date),
        field("consent_source", "Consent proof (source)", Consent, Text),
        field("consent_expiry", "Consent expiry date", Consent, Date),
        field("subscription_date", "Subscription date", Stats, DateTime),
        field("mailings_received", "Mailings received", Stats, Number),
        field("mailings_opened", "Mailings opened", Stats, Number),
        field("links_clicked", "Links clicked", Stats, Number),
        field("last_open_date", "Last open date", Stats, DateTime),
        field("last_click_date", "Last click date", Stats, DateTime),
        field("bounce_count", "Bounce count", Stats, Number),
    ];
}

/// What a new step has ticked: the fields of the article's sample payload.
pub const DEFAULT_SELECTION: [&str; 3] = ["email", "firstname", "lastname"];

/// Payload keys that belong to `data` itself and so can never name a field.
pub const RESERVED_KEYS: [&str; 2] = ["type", "id"];

/// The kinds an account's own fields can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldKind {
    Text,
    Number,
    Date,
}

impl From<CustomFieldKind> for FieldKind {
    fn from(kind: CustomFieldKind) -> Self {
        match kind {
            CustomFieldKind::Text => FieldKind::Text,
            CustomFieldKind::Number => FieldKind::Number,
            CustomFieldKind::Date => FieldKind::Date,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomFieldError {
    #[error("enter a key for the custom field")]
    EmptyKey,
    #[error("the key of a custom field is at most {max} characters", max = CustomField::MAX_KEY_LEN)]
    KeyTooLong,
    #[error(
        "the key \"{0}\" may only use lowercase letters, digits and _, and must start with a letter"
    )]
    KeyCharacters(String),
    #[error("\"{0}\" is already a built-in field; choose another key")]
    KeyTaken(String),
    #[error("enter a label for the custom field")]
    EmptyLabel,
    #[error("the label of a custom field is at most {max} characters", max = CustomField::MAX_LABEL_LEN)]
    LabelTooLong,
    #[error("two custom fields use the key \"{0}\"")]
    Duplicate(String),
}

/// A field an account added to its contacts. Parsed, so its key is always safe to
/// use as a payload key and a placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCustomField")]
pub struct CustomField {
    key: String,
    label: String,
    kind: CustomFieldKind,
}

#[derive(Deserialize)]
struct RawCustomField {
    key: String,
    label: String,
    kind: CustomFieldKind,
}

impl TryFrom<RawCustomField> for CustomField {
    type Error = CustomFieldError;
    fn try_from(raw: RawCustomField) -> Result<Self, Self::Error> {
        CustomField::new(&raw.key, &raw.label, raw.kind)
    }
}

impl CustomField {
    pub const MAX_KEY_LEN: usize = 64;
    pub const MAX_LABEL_LEN: usize = 100;

    pub fn new(key: &str, label: &str, kind: CustomFieldKind) -> Result<Self, CustomFieldError> {
        let key = key.trim();
        let label = label.trim();
        if key.is_empty() {
            return Err(CustomFieldError::EmptyKey);
        }
        if key.chars().count() > Self::MAX_KEY_LEN {
            return Err(CustomFieldError::KeyTooLong);
        }
        // A leading letter keeps keys readable in placeholders and rules out keys
        // like `123` that receivers might mistake for indexes.
        let well_formed = key.starts_with(|c: char| c.is_ascii_lowercase())
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            return Err(CustomFieldError::KeyCharacters(key.to_string()));
        }
        if built_in(key).is_some() || RESERVED_KEYS.contains(&key) {
            return Err(CustomFieldError::KeyTaken(key.to_string()));
        }
        if label.is_empty() {
            return Err(CustomFieldError::EmptyLabel);
        }
        if label.chars().count() > Self::MAX_LABEL_LEN {
            return Err(CustomFieldError::LabelTooLong);
        }
        Ok(CustomField {
            key: key.to_string(),
            label: label.to_string(),
            kind,
        })
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn kind(&self) -> CustomFieldKind {
        self.kind
    }

    pub fn as_field(&self) -> Field<'_> {
        Field {
            key: &self.key,
            label: &self.label,
            group: FieldGroup::CustomFields,
            kind: self.kind.into(),
            choices: &[],
        }
    }
}

/// Checks that an account's custom fields have distinct keys (each one is already
/// checked against the built-in keys when it is created).
pub fn check_custom_fields(custom: &[CustomField]) -> Result<(), CustomFieldError> {
    for (i, field) in custom.iter().enumerate() {
        if custom[..i].iter().any(|earlier| earlier.key == field.key) {
            return Err(CustomFieldError::Duplicate(field.key.clone()));
        }
    }
    Ok(())
}

fn built_in(key: &str) -> Option<Field<'static>> {
    BUILT_IN_FIELDS.iter().find(|f| f.key == key).copied()
}

/// The built-in fields followed by one account's custom fields.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue<'a> {
    custom: &'a [CustomField],
}

impl Catalogue<'static> {
    pub fn built_in() -> Self {
        Catalogue { custom: &[] }
    }
}

impl<'a> Catalogue<'a> {
    pub fn new(custom: &'a [CustomField]) -> Self {
        Catalogue { custom }
    }

    /// Every field in payload order: built-in fields, then custom fields as given.
    pub fn fields(&self) -> impl Iterator<Item = Field<'a>> + 'a {
        BUILT_IN_FIELDS
            .iter()
            .copied()
            .chain(self.custom.iter().map(CustomField::as_field))
    }

    /// The fields of one section of the editor.
    pub fn group(&self, group: FieldGroup) -> impl Iterator<Item = Field<'a>> + 'a {
        self.fields().filter(move |f| f.group == group)
    }

    pub fn get(&self, key: &str) -> Option<Field<'a>> {
        self.fields().find(|f| f.key == key)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The position of a field in payload order.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.fields().position(|f| f.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(group: FieldGroup) -> Vec<&'static str> {
        Catalogue::built_in().group(group).map(|f| f.key).collect()
    }

    #[test]
    fn the_catalogue_lists_contact_details_consent_and_statistics_in_order() {
        assert_eq!(
            keys_of(FieldGroup::ContactDetails),
            [
                "email",
                "firstname",
                "lastname",
                "company",
                "phone",
                "language",
                "gender",
                "birthdate",
                "postalcode",
                "country",
                "note",
                "groups"
            ]
        );
        assert_eq!(
            keys_of(FieldGroup::ConsentInformation),
            [
                "consent_type",
                "consent_relation",
                "consent_date",
                "consent_source",
                "consent_expiry"
            ]
        );
        assert_eq!(
            keys_of(FieldGroup::PersonalStatistics),
            [
                "subscription_date",
                "mailings_received",
                "mailings_opened",
                "links_clicked",
                "last_open_date",
                "last_click_date",
                "bounce_count"
            ]
        );
        assert!(keys_of(FieldGroup::CustomFields).is_empty());
    }

    #[test]
    fn built_in_keys_are_unique_and_never_reserved() {
        for (i, f) in BUILT_IN_FIELDS.iter().enumerate() {
            assert!(
                BUILT_IN_FIELDS[..i].iter().all(|e| e.key != f.key),
                "{}",
                f.key
            );
            assert!(!RESERVED_KEYS.contains(&f.key));
            assert!(!f.label.is_empty());
        }
    }

    #[test]
    fn consent_type_is_express_or_implied() {
        let f = Catalogue::built_in().get("consent_type").unwrap();
        assert_eq!(f.kind, FieldKind::Choice);
        assert_eq!(f.choices, ["express", "implied"]);
    }

    #[test]
    fn the_default_selection_is_the_articles_sample_fields() {
        assert_eq!(DEFAULT_SELECTION, ["email", "firstname", "lastname"]);
        assert!(
            DEFAULT_SELECTION
                .iter()
                .all(|k| Catalogue::built_in().contains(k))
        );
    }

    #[test]
    fn custom_fields_come_after_the_built_in_fields() {
        let custom = [
            CustomField::new("loyalty_points", "Loyalty points", CustomFieldKind::Number).unwrap(),
            CustomField::new(" vip_since ", " VIP since ", CustomFieldKind::Date).unwrap(),
        ];
        let catalogue = Catalogue::new(&custom);
        let last: Vec<_> = catalogue.fields().skip(BUILT_IN_FIELDS.len()).collect();
        assert_eq!(last.len(), 2);
        assert_eq!((last[1].key, last[1].label), ("vip_since", "VIP since"));
        assert_eq!(last[0].group, FieldGroup::CustomFields);
        assert_eq!(last[1].kind, FieldKind::Date);
        assert_eq!(
            catalogue.position("loyalty_points"),
            Some(BUILT_IN_FIELDS.len())
        );
        assert_eq!(catalogue.position("nope"), None);
    }

    #[test]
    fn a_custom_field_key_is_lowercase_letters_digits_and_underscores() {
        let new = |key: &str| CustomField::new(key, "Label", CustomFieldKind::Text);
        assert!(new("shoe_size_2").is_ok());
        assert_eq!(new("  "), Err(CustomFieldError::EmptyKey));
        assert_eq!(
            new("ShoeSize"),
            Err(CustomFieldError::KeyCharacters("ShoeSize".into()))
        );
        assert_eq!(
            new("shoe size"),
            Err(CustomFieldError::KeyCharacters("shoe size".into()))
        );
        assert_eq!(
            new("2nd"),
            Err(CustomFieldError::KeyCharacters("2nd".into()))
        );
        assert_eq!(new(&"a".repeat(65)), Err(CustomFieldError::KeyTooLong));
        assert_eq!(
            new("Shoe-Size").unwrap_err().to_string(),
            "the key \"Shoe-Size\" may only use lowercase letters, digits and _, and must start with a letter"
        );
    }

    #[test]
    fn a_custom_field_cannot_take_a_built_in_or_reserved_key() {
        for key in ["firstname", "email", "type", "id"] {
            let err = CustomField::new(key, "Label", CustomFieldKind::Text).unwrap_err();
            assert_eq!(err, CustomFieldError::KeyTaken(key.into()));
        }
        assert_eq!(
            CustomFieldError::KeyTaken("email".into()).to_string(),
            "\"email\" is already a built-in field; choose another key"
        );
    }

    #[test]
    fn a_custom_field_needs_a_short_label() {
        let new = |label: &str| CustomField::new("size", label, CustomFieldKind::Text);
        assert_eq!(new(" "), Err(CustomFieldError::EmptyLabel));
        assert_eq!(new(&"x".repeat(101)), Err(CustomFieldError::LabelTooLong));
        assert_eq!(
            CustomFieldError::EmptyLabel.to_string(),
            "enter a label for the custom field"
        );
        assert_eq!(
            CustomFieldError::LabelTooLong.to_string(),
            "the label of a custom field is at most 100 characters"
        );
        assert_eq!(
            CustomFieldError::KeyTooLong.to_string(),
            "the key of a custom field is at most 64 characters"
        );
        assert_eq!(
            CustomFieldError::EmptyKey.to_string(),
            "enter a key for the custom field"
        );
    }

    #[test]
    fn two_custom_fields_with_the_same_key_are_refused() {
        let a = CustomField::new("size", "Size", CustomFieldKind::Text).unwrap();
        let b = CustomField::new("size", "Size again", CustomFieldKind::Number).unwrap();
        assert_eq!(check_custom_fields(std::slice::from_ref(&a)), Ok(()));
        assert_eq!(
            check_custom_fields(&[a, b]),
            Err(CustomFieldError::Duplicate("size".into()))
        );
        assert_eq!(
            CustomFieldError::Duplicate("size".into()).to_string(),
            "two custom fields use the key \"size\""
        );
    }

    #[test]
    fn a_stored_custom_field_is_checked_when_read_back() {
        let ok: CustomField =
            serde_json::from_str(r#"{"key":"size","label":"Size","kind":"number"}"#).unwrap();
        assert_eq!(ok.kind(), CustomFieldKind::Number);
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"key":"size","label":"Size","kind":"number"}"#
        );
        assert!(
            serde_json::from_str::<CustomField>(r#"{"key":"email","label":"E","kind":"text"}"#)
                .is_err()
        );
    }

    #[test]
    fn group_labels_read_like_the_editor() {
        let labels: Vec<_> = FieldGroup::ALL.iter().map(|g| g.label()).collect();
        assert_eq!(
            labels,
            [
                "Contact details",
                "Consent information",
                "Personal statistics",
                "Custom fields"
            ]
        );
    }
}
