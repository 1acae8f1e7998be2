//! `{{field}}` templates: the values of "Additional information".
//!
//! A template is parsed once against the catalogue, so an unknown placeholder is
//! refused when the step is saved rather than silently sent as text. Rendering is a
//! single pass over the parsed pieces: a contact's value is inserted as plain text
//! and is never parsed again, so a first name of `{{email}}` stays `{{email}}`.

use crate::model::fields::{Catalogue, CustomField, FieldGroup};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// A text with `{{field}}` placeholders, checked against the field catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    #[error("{{{{{0}}}}} is not a placeholder of your contact fields (see Get placeholders)")]
    Unknown(String),
    #[error("the placeholder {{{{{0} is not closed: end it with }}}}")]
    Unclosed(String),
    #[error("{{{{}}}} is empty: put a field name between the braces, like {{{{firstname}}}}")]
    Empty,
}

/// Where a template's values come from: a contact, or a plain map in tests.
pub trait FieldValues {
    /// The value of a catalogue field, or `None` when the contact has none.
    fn field_value(&self, key: &str) -> Option<Cow<'_, Value>>;
}

impl FieldValues for BTreeMap<String, Value> {
    fn field_value(&self, key: &str) -> Option<Cow<'_, Value>> {
        self.get(key).map(Cow::Borrowed)
    }
}

impl Template {
    /// Parses `text`, refusing placeholders that are not in `catalogue`.
    pub fn parse(text: &str, catalogue: &Catalogue<'_>) -> Result<Self, PlaceholderError> {
        Self::parse_with(text, |name| catalogue.contains(name))
    }

    /// Parses a template read back from storage. It was checked against the
    /// catalogue when saved; a custom field deleted since then must not make the
    /// whole step unreadable, so only the shape of each name is checked here (a
    /// missing field renders as empty text).
    fn parse_stored(text: &str) -> Result<Self, PlaceholderError> {
        Self::parse_with(text, |name| {
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
    }

    fn parse_with(text: &str, known: impl Fn(&str) -> bool) -> Result<Self, PlaceholderError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Text(rest[..start].to_string()));
            }
            let (name, after_close) = closed_name(&rest[start + 2..])?;
            if name.is_empty() {
                return Err(PlaceholderError::Empty);
            }
            if !known(name) {
                return Err(PlaceholderError::Unknown(name.to_string()));
            }
            parts.push(Part::Field(name.to_string()));
            rest = after_close;
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template {
            source: text.to_string(),
            parts,
        })
    }

    /// The text as the marketer typed it.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The field keys this template uses, in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Field(key) => Some(key.as_str()),
            Part::Text(_) => None,
        })
    }

    /// Substitutes each placeholder with the text of the contact's value; a
    /// missing value becomes the empty string.
    pub fn render(&self, values: &impl FieldValues) -> String {
        let mut out = String::with_capacity(self.source.len());
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Field(key) => {
                    if let Some(value) = values.field_value(key) {
                        push_value_text(&value, &mut out);
                    }
                }
            }
        }
        out
    }
}

/// The trimmed name between `{{` and the next `}}`, and the text after the `}}`.
/// A `{{` met before the `}}` means the first placeholder was never closed.
fn closed_name(after_open: &str) -> Result<(&str, &str), PlaceholderError> {
    let close = after_open.find("}}");
    let reopen = after_open.find("{{");
    match (close, reopen) {
        (Some(close), Some(reopen)) if reopen < close => Err(unclosed(&after_open[..reopen])),
        (Some(close), _) => Ok((after_open[..close].trim(), &after_open[close + 2..])),
        (None, _) => Err(unclosed(after_open)),
    }
}

/// Names an unclosed placeholder by its first word, so the message points at it.
fn unclosed(text: &str) -> PlaceholderError {
    let word: String = text
        .trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '{' && *c != '}')
        .take(40)
        .collect();
    PlaceholderError::Unclosed(word)
}

/// How a field value reads inside text: strings without quotes, numbers and
/// booleans as written, lists (groups) joined by ", ", nothing for null.
pub fn push_value_text(value: &Value, out: &mut String) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_value_text(item, out);
            }
        }
        Value::Object(_) => out.push_str(&value.to_string()),
    }
}

impl TryFrom<String> for Template {
    type Error = PlaceholderError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Template::parse_stored(&value)
    }
}

impl From<Template> for String {
    fn from(t: Template) -> String {
        t.source
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// One line of the "Get placeholders" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceholderInfo {
    /// What to type, e.g. `{{firstname}}`.
    pub placeholder: String,
    pub key: String,
    pub label: String,
    pub group: FieldGroup,
}

/// Every placeholder available to an account, in catalogue order.
pub fn list_placeholders(custom: &[CustomField]) -> Vec<PlaceholderInfo> {
    Catalogue::new(custom)
        .fields()
        .map(|f| PlaceholderInfo {
            placeholder: format!("{{{{{}}}}}", f.key),
            key: f.key.to_string(),
            label: f.label.to_string(),
            group: f.group,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fields::CustomFieldKind;
    use serde_json::json;

    fn parse(text: &str) -> Result<Template, PlaceholderError> {
        Template::parse(text, &Catalogue::built_in())
    }

    fn values(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn a_placeholder_is_replaced_by_the_contacts_value() {
        let t = parse("Hello {{firstname}} {{lastname}}!").unwrap();
        assert_eq!(
            t.placeholders().collect::<Vec<_>>(),
            ["firstname", "lastname"]
        );
        let john = values(&[("firstname", json!("John")), ("lastname", json!("Doe"))]);
        assert_eq!(t.render(&john), "Hello John Doe!");
        assert_eq!(t.as_str(), "Hello {{firstname}} {{lastname}}!");
    }

    #[test]
    fn whitespace_inside_the_braces_is_allowed() {
        let t = parse("{{ firstname }}/{{\tlastname\n}}").unwrap();
        assert_eq!(
            t.placeholders().collect::<Vec<_>>(),
            ["firstname", "lastname"]
        );
        assert_eq!(
            t.render(&values(&[
                ("firstname", json!("Ann")),
                ("lastname", json!("Lee"))
            ])),
            "Ann/Lee"
        );
    }

    #[test]
    fn fixed_text_and_lone_braces_stay_as_typed() {
        for text in ["", "Newsletter", "{\"a\": 1} }} { x }", "a } b {"] {
            let t = parse(text).unwrap();
            assert_eq!(t.placeholders().count(), 0, "{text}");
            assert_eq!(t.render(&BTreeMap::new()), text);
        }
    }

    #[test]
    fn an_unknown_placeholder_is_refused_and_named() {
        assert_eq!(
            parse("Hi {{ first_name }}"),
            Err(PlaceholderError::Unknown("first_name".into()))
        );
        assert_eq!(
            parse("{{FirstName}}"),
            Err(PlaceholderError::Unknown("FirstName".into()))
        );
        assert_eq!(
            PlaceholderError::Unknown("first_name".into()).to_string(),
            "{{first_name}} is not a placeholder of your contact fields (see Get placeholders)"
        );
    }

    #[test]
    fn an_unclosed_placeholder_is_refused_and_named() {
        assert_eq!(
            parse("Hi {{firstname"),
            Err(PlaceholderError::Unclosed("firstname".into()))
        );
        assert_eq!(
            parse("Hi {{ firstname and more"),
            Err(PlaceholderError::Unclosed("firstname".into()))
        );
        assert_eq!(
            parse("{{first {{email}}"),
            Err(PlaceholderError::Unclosed("first".into()))
        );
        assert_eq!(
            parse("{{email}} and {{"),
            Err(PlaceholderError::Unclosed(String::new()))
        );
        assert_eq!(
            PlaceholderError::Unclosed("firstname".into()).to_string(),
            "the placeholder {{firstname is not closed: end it with }}"
        );
    }

    #[test]
    fn an_empty_placeholder_is_refused() {
        assert_eq!(parse("{{}}"), Err(PlaceholderError::Empty));
        assert_eq!(parse("a {{  }} b"), Err(PlaceholderError::Empty));
        assert_eq!(
            PlaceholderError::Empty.to_string(),
            "{{}} is empty: put a field name between the braces, like {{firstname}}"
        );
    }

    #[test]
    fn custom_fields_are_placeholders_of_their_account_only() {
        let custom = [CustomField::new("shoe_size", "Shoe size", CustomFieldKind::Number).unwrap()];
        assert!(Template::parse("{{shoe_size}}", &Catalogue::new(&custom)).is_ok());
        assert_eq!(
            parse("{{shoe_size}}"),
            Err(PlaceholderError::Unknown("shoe_size".into()))
        );
    }

    #[test]
    fn a_missing_value_renders_as_empty_text() {
        let t = parse("[{{company}}|{{note}}]").unwrap();
        assert_eq!(t.render(&values(&[("note", Value::Null)])), "[|]");
    }

    #[test]
    fn values_render_as_their_text() {
        let t =
            parse("{{mailings_opened}};{{groups}};{{consent_type}};{{note}};{{country}}").unwrap();
        let v = values(&[
            ("mailings_opened", json!(12)),
            ("groups", json!(["VIP", "Newsletter"])),
            ("consent_type", json!("express")),
            ("note", json!(true)),
            ("country", json!({"code": "FR"})),
        ]);
        assert_eq!(
            t.render(&v),
            "12;VIP, Newsletter;express;true;{\"code\":\"FR\"}"
        );
    }

    #[test]
    fn a_value_that_looks_like_a_placeholder_is_not_substituted_again() {
        let t = parse("{{firstname}}").unwrap();
        let v = values(&[
            ("firstname", json!("{{email}}")),
            ("email", json!("x@example.org")),
        ]);
        assert_eq!(t.render(&v), "{{email}}");
    }

    #[test]
    fn get_placeholders_lists_every_field_with_its_label() {
        let custom = [CustomField::new("shoe_size", "Shoe size", CustomFieldKind::Number).unwrap()];
        let list = list_placeholders(&custom);
        assert_eq!(list.len(), crate::model::fields::BUILT_IN_FIELDS.len() + 1);
        assert_eq!(
            list[0],
            PlaceholderInfo {
                placeholder: "{{email}}".into(),
                key: "email".into(),
                label: "Email".into(),
                group: FieldGroup::ContactDetails
            }
        );
        let last = list.last().unwrap();
        assert_eq!(
            (last.placeholder.as_str(), last.label.as_str()),
            ("{{shoe_size}}", "Shoe size")
        );
        assert_eq!(last.group, FieldGroup::CustomFields);
    }

    #[test]
    fn a_stored_template_is_kept_as_typed_and_survives_a_deleted_custom_field() {
        let t = parse("Hi {{ firstname }}").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#""Hi {{ firstname }}""#
        );
        let back: Template = serde_json::from_str(r#""Hi {{ firstname }}""#).unwrap();
        assert_eq!(back, t);
        let deleted: Template = serde_json::from_str(r#""{{shoe_size}}""#).unwrap();
        assert_eq!(deleted.render(&BTreeMap::new()), "");
        assert!(serde_json::from_str::<Template>(r#""{{shoe size}}""#).is_err());
        assert!(serde_json::from_str::<Template>(r#""{{firstname""#).is_err());
    }
}
