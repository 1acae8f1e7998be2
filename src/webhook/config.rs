//! The configuration of a Send a Webhook step, parsed once from the editor's form.
//!
//! The browser sends a [`WebhookStepInput`] (plain strings); [`WebhookStepConfig::parse`]
//! turns it into a config whose URL, fields, templates and headers are all valid,
//! or returns every problem at once so the editor can mark each input.

use crate::model::fields::{Catalogue, CustomField, DEFAULT_SELECTION, RESERVED_KEYS};
use crate::webhook::headers::{Header, HeaderInput, RedactedHeader, parse_headers};
use crate::webhook::placeholders::Template;
use crate::webhook::url::WebhookUrl;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem with the form: which input (`url`, `fields[3]`, `additional[1].key`,
/// `headers[0].value`, …) and what to do about it, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        FieldError {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

/// The editor's form, as the browser sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct WebhookStepInput {
    pub url: String,
    /// Keys of the ticked fields.
    pub fields: Vec<String>,
    pub additional: Vec<AdditionalInput>,
    pub headers: Vec<HeaderInput>,
}

impl WebhookStepInput {
    /// The form of a step just added to a scenario: the article's sample fields
    /// (email, first name, last name) are ticked.
    pub fn for_new_step() -> Self {
        WebhookStepInput {
            fields: DEFAULT_SELECTION.iter().map(|k| k.to_string()).collect(),
            ..Self::default()
        }
    }
}

/// One "Additional information" row, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AdditionalInput {
    pub key: String,
    pub value: String,
}

/// A key/value pair added to the payload's `data`; the value may use placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionalInfo {
    key: String,
    value: Template,
}

impl AdditionalInfo {
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn value(&self) -> &Template {
        &self.value
    }
}

/// A valid Send a Webhook step. Built only by [`WebhookStepConfig::parse`] (or read
/// back from storage). Its `Debug` output never shows header values.
///
/// Serialising it includes secret header values, for storage only: the editor
/// must get [`WebhookStepConfig::redacted`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookStepConfig {
    url: WebhookUrl,
    fields: Vec<String>,
    additional: Vec<AdditionalInfo>,
    headers: Vec<Header>,
}

/// At most this many "Additional information" rows per step.
pub const MAX_ADDITIONAL: usize = 50;
pub const MAX_ADDITIONAL_KEY_LEN: usize = 100;
pub const MAX_ADDITIONAL_VALUE_LEN: usize = 2000;

impl WebhookStepConfig {
    /// Parses an edit. `custom` are the account's custom fields; `saved` is the step
    /// as saved before this edit, whose secret header values the edit may keep.
    pub fn parse(
        input: &WebhookStepInput,
        custom: &[CustomField],
        saved: Option<&WebhookStepConfig>,
    ) -> Result<Self, Vec<FieldError>> {
        let catalogue = Catalogue::new(custom);
        let mut errors = Vec::new();
        let url = WebhookUrl::parse(&input.url).map_err(|e| errors.push(FieldError::new("url", e)));
        let fields = parse_fields(&input.fields, &catalogue, &mut errors);
        let additional = parse_additional(&input.additional, &fields, &catalogue, &mut errors);
        let saved_headers = saved.map_or(&[][..], |s| &s.headers);
        let headers = parse_headers(&input.headers, saved_headers).map_err(|e| errors.extend(e));
        match (url, headers) {
            (Ok(url), Ok(headers)) if errors.is_empty() => Ok(WebhookStepConfig {
                url,
                fields,
                additional,
                headers,
            }),
            _ => Err(errors),
        }
    }

    pub fn url(&self) -> &WebhookUrl {
        &self.url
    }

    /// The ticked fields, in catalogue (and payload) order.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn additional(&self) -> &[AdditionalInfo] {
        &self.additional
    }

    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// What the editor may see: secret header values are masked.
    pub fn redacted(&self) -> WebhookStepView {
        WebhookStepView {
            url: self.url.to_string(),
            fields: self.fields.clone(),
            additional: self
                .additional
                .iter()
                .map(|a| AdditionalInput {
                    key: a.key.clone(),
                    value: a.value.as_str().to_string(),
                })
                .collect(),
            headers: self.headers.iter().map(Header::redacted).collect(),
        }
    }
}

/// A saved step as the editor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookStepView {
    pub url: String,
    pub fields: Vec<String>,
    pub additional: Vec<AdditionalInput>,
    pub headers: Vec<RedactedHeader>,
}

impl WebhookStepView {
    /// The form that saves the step unchanged (saved secrets are kept).
    pub fn to_input(&self) -> WebhookStepInput {
        WebhookStepInput {
            url: self.url.clone(),
            fields: self.fields.clone(),
            additional: self.additional.clone(),
            headers: self.headers.iter().map(RedactedHeader::to_input).collect(),
        }
    }
}

/// Known keys, deduplicated and put in catalogue order so the payload's order does
/// not depend on the order the boxes were ticked.
fn parse_fields(
    raw: &[String],
    catalogue: &Catalogue<'_>,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    for (i, key) in raw.iter().enumerate() {
        if !catalogue.contains(key.trim()) {
            errors.push(FieldError::new(
                format!("fields[{i}]"),
                format!("\"{}\" is not one of your contact fields", key.trim()),
            ));
        }
    }
    catalogue
        .fields()
        .filter(|f| raw.iter().any(|k| k.trim() == f.key))
        .map(|f| f.key.to_string())
        .collect()
}

fn parse_additional(
    rows: &[AdditionalInput],
    selected: &[String],
    catalogue: &Catalogue<'_>,
    errors: &mut Vec<FieldError>,
) -> Vec<AdditionalInfo> {
    if rows.len() > MAX_ADDITIONAL {
        errors.push(FieldError::new(
            "additional",
            format!("a step can have at most {MAX_ADDITIONAL} pieces of additional information (there are {})", rows.len()),
        ));
    }
    let mut parsed = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let key = row.key.trim();
        let earlier = rows[..i].iter().any(|r| r.key.trim() == key);
        let key = additional_key(key, earlier, selected, catalogue).map_err(|message| {
            errors.push(FieldError::new(format!("additional[{i}].key"), message))
        });
        let value = additional_value(&row.value, catalogue).map_err(|message| {
            errors.push(FieldError::new(format!("additional[{i}].value"), message))
        });
        if let (Ok(key), Ok(value)) = (key, value) {
            parsed.push(AdditionalInfo {
                key: key.to_string(),
                value,
            });
        }
    }
    parsed
}

fn additional_key<'k>(
    key: &'k str,
    used_earlier: bool,
    selected: &[String],
    catalogue: &Catalogue<'_>,
) -> Result<&'k str, String> {
    if key.is_empty() {
        return Err("enter a key".into());
    }
    if key.chars().count() > MAX_ADDITIONAL_KEY_LEN {
        return Err(format!(
            "a key is at most {MAX_ADDITIONAL_KEY_LEN} characters"
        ));
    }
    if key.chars().any(char::is_control) {
        return Err("a key cannot contain line breaks or other control characters".into());
    }
    // `type`, `id` and `email` are in every payload's `data`; a second one would
    // make the JSON ambiguous.
    if RESERVED_KEYS.contains(&key) || key == "email" {
        return Err(format!(
            "\"{key}\" is already in every payload; choose another key"
        ));
    }
    if let Some(field) = selected
        .iter()
        .find(|f| *f == key)
        .and_then(|f| catalogue.get(f))
    {
        return Err(format!(
            "\"{key}\" is already sent by the ticked field {}; choose another key or untick the field",
            field.label
        ));
    }
    if used_earlier {
        return Err(format!("the key \"{key}\" is already used above"));
    }
    Ok(key)
}

fn additional_value(value: &str, catalogue: &Catalogue<'_>) -> Result<Template, String> {
    if value.chars().count() > MAX_ADDITIONAL_VALUE_LEN {
        return Err(format!(
            "a value is at most {MAX_ADDITIONAL_VALUE_LEN} characters"
        ));
    }
    Template::parse(value, catalogue).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fields::CustomFieldKind;

    fn form() -> WebhookStepInput {
        WebhookStepInput {
            url: "https://crm.example.org/hooks/in".into(),
            ..WebhookStepInput::for_new_step()
        }
    }

    fn pair(key: &str, value: &str) -> AdditionalInput {
        AdditionalInput {
            key: key.into(),
            value: value.into(),
        }
    }

    fn header(name: &str, value: Option<&str>, secret: bool) -> HeaderInput {
        HeaderInput {
            name: name.into(),
            value: value.map(Into::into),
            secret,
        }
    }

    fn errors_of(input: &WebhookStepInput) -> Vec<(String, String)> {
        let errors = WebhookStepConfig::parse(input, &[], None).unwrap_err();
        errors.into_iter().map(|e| (e.field, e.message)).collect()
    }

    fn one(field: &str, message: &str) -> Vec<(String, String)> {
        vec![(field.to_string(), message.to_string())]
    }

    #[test]
    fn a_new_step_ticks_email_first_name_and_last_name() {
        let input = WebhookStepInput::for_new_step();
        assert_eq!(input.fields, ["email", "firstname", "lastname"]);
        assert!(input.url.is_empty() && input.additional.is_empty() && input.headers.is_empty());
    }

    #[test]
    fn a_complete_form_becomes_a_step_configuration() {
        let input = WebhookStepInput {
            fields: vec![
                "consent_type".into(),
                "lastname".into(),
                "email".into(),
                "lastname".into(),
            ],
            additional: vec![
                pair(" source ", "hookflow"),
                pair("greeting", "Hi {{ firstname }}"),
            ],
            headers: vec![header("X-Api-Key", Some("k"), true)],
            ..form()
        };
        let config = WebhookStepConfig::parse(&input, &[], None).unwrap();
        assert_eq!(config.url().as_str(), "https://crm.example.org/hooks/in");
        // Catalogue order, each once, whatever order the boxes were ticked in.
        assert_eq!(config.fields(), ["email", "lastname", "consent_type"]);
        assert_eq!(config.additional()[0].key(), "source");
        assert_eq!(
            config.additional()[1]
                .value()
                .placeholders()
                .collect::<Vec<_>>(),
            ["firstname"]
        );
        assert_eq!(config.headers()[0].name().as_str(), "X-Api-Key");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input = WebhookStepInput {
            url: "crm.example.org".into(),
            fields: vec![
                "email".into(),
                "firstname".into(),
                "lastname".into(),
                "shoe_size".into(),
            ],
            additional: vec![pair("source", "x"), pair("", "{{nope}}")],
            headers: vec![header("X-Api-Key", Some("a\nb"), false)],
        };
        assert_eq!(
            errors_of(&input),
            [
                (
                    "url".to_string(),
                    "this is not a complete URL: relative URL without a base (it must start with http:// or https://)"
                        .to_string()
                ),
                ("fields[3]".into(), "\"shoe_size\" is not one of your contact fields".into()),
                ("additional[1].key".into(), "enter a key".into()),
                (
                    "additional[1].value".into(),
                    "{{nope}} is not a placeholder of your contact fields (see Get placeholders)".into()
                ),
                (
                    "headers[0].value".into(),
                    "a header value cannot contain line breaks or other control characters".into()
                ),
            ]
        );
    }

    #[test]
    fn a_step_without_a_url_is_refused() {
        assert_eq!(
            errors_of(&WebhookStepInput::for_new_step()),
            one("url", "enter the destination URL")
        );
        let ftp = WebhookStepInput {
            url: "ftp://example.org/".into(),
            ..form()
        };
        assert_eq!(
            errors_of(&ftp),
            one(
                "url",
                "the URL must start with http:// or https://, not ftp://"
            )
        );
    }

    #[test]
    fn an_accounts_custom_fields_can_be_ticked() {
        let custom = [CustomField::new("shoe_size", "Shoe size", CustomFieldKind::Number).unwrap()];
        let input = WebhookStepInput {
            fields: vec!["shoe_size".into(), "email".into()],
            ..form()
        };
        let config = WebhookStepConfig::parse(&input, &custom, None).unwrap();
        assert_eq!(config.fields(), ["email", "shoe_size"]);
    }

    #[test]
    fn additional_information_needs_a_key_used_once() {
        let input = WebhookStepInput {
            additional: vec![pair("  ", "x"), pair("source", "a"), pair("source", "b")],
            ..form()
        };
        assert_eq!(
            errors_of(&input),
            [
                ("additional[0].key".to_string(), "enter a key".to_string()),
                (
                    "additional[2].key".into(),
                    "the key \"source\" is already used above".into()
                ),
            ]
        );
    }

    #[test]
    fn the_keys_type_id_and_email_are_refused() {
        for key in ["type", "id", "email"] {
            let input = WebhookStepInput {
                fields: vec![],
                additional: vec![pair(key, "x")],
                ..form()
            };
            let message = format!("\"{key}\" is already in every payload; choose another key");
            assert_eq!(errors_of(&input), one("additional[0].key", &message));
        }
    }

    #[test]
    fn a_key_clashing_with_a_ticked_field_is_refused() {
        let input = WebhookStepInput {
            additional: vec![pair("lastname", "x")],
            ..form()
        };
        assert_eq!(
            errors_of(&input),
            one(
                "additional[0].key",
                "\"lastname\" is already sent by the ticked field Last name; choose another key or untick the field"
            )
        );
        let unticked = WebhookStepInput {
            fields: vec!["email".into()],
            ..input
        };
        assert!(WebhookStepConfig::parse(&unticked, &[], None).is_ok());
    }

    #[test]
    fn an_unknown_or_unclosed_placeholder_is_refused() {
        let input = WebhookStepInput {
            additional: vec![pair("a", "{{first_name}}"), pair("b", "Hi {{firstname")],
            ..form()
        };
        assert_eq!(
            errors_of(&input),
            [
                (
                    "additional[0].value".to_string(),
                    "{{first_name}} is not a placeholder of your contact fields (see Get placeholders)".to_string()
                ),
                ("additional[1].value".into(), "the placeholder {{firstname is not closed: end it with }}".into()),
            ]
        );
    }

    #[test]
    fn additional_information_is_bounded_in_number_and_length() {
        let many = WebhookStepInput {
            additional: (0..51).map(|i| pair(&format!("k{i}"), "v")).collect(),
            ..form()
        };
        assert_eq!(
            errors_of(&many),
            one(
                "additional",
                "a step can have at most 50 pieces of additional information (there are 51)"
            )
        );
        let fifty = WebhookStepInput {
            additional: (0..50).map(|i| pair(&format!("k{i}"), "v")).collect(),
            ..form()
        };
        assert!(WebhookStepConfig::parse(&fifty, &[], None).is_ok());
        let long_key = WebhookStepInput {
            additional: vec![pair(&"k".repeat(101), "v")],
            ..form()
        };
        assert_eq!(
            errors_of(&long_key),
            one("additional[0].key", "a key is at most 100 characters")
        );
        let long_value = WebhookStepInput {
            additional: vec![pair("k", &"v".repeat(2001))],
            ..form()
        };
        assert_eq!(
            errors_of(&long_value),
            one("additional[0].value", "a value is at most 2000 characters")
        );
        let line_break = WebhookStepInput {
            additional: vec![pair("a\nb", "v")],
            ..form()
        };
        assert_eq!(
            errors_of(&line_break),
            one(
                "additional[0].key",
                "a key cannot contain line breaks or other control characters"
            )
        );
    }

    #[test]
    fn the_editor_sees_secrets_masked_and_saving_it_unchanged_keeps_them() {
        let input = WebhookStepInput {
            additional: vec![pair("greeting", "Hi {{firstname}}")],
            headers: vec![
                header("Authorization", Some("Bearer s3cret"), true),
                header("X-Source", Some("hf"), false),
            ],
            ..form()
        };
        let saved = WebhookStepConfig::parse(&input, &[], None).unwrap();
        let view = saved.redacted();
        let shown = serde_json::to_string(&view).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains(r#"{"name":"Authorization","value":"••••••••","secret_set":true}"#),
            "{shown}"
        );
        assert!(!format!("{saved:?}").contains("s3cret"));
        let resaved = WebhookStepConfig::parse(&view.to_input(), &[], Some(&saved)).unwrap();
        assert_eq!(resaved, saved);
    }

    #[test]
    fn a_saved_step_reads_back_from_storage() {
        let input = WebhookStepInput {
            additional: vec![pair("greeting", "Hi {{firstname}}")],
            ..form()
        };
        let saved = WebhookStepConfig::parse(&input, &[], None).unwrap();
        let json = serde_json::to_string(&saved).unwrap();
        assert_eq!(
            json,
            r#"{"url":"https://crm.example.org/hooks/in","fields":["email","firstname","lastname"],"additional":[{"key":"greeting","value":"Hi {{firstname}}"}],"headers":[]}"#
        );
        assert_eq!(
            serde_json::from_str::<WebhookStepConfig>(&json).unwrap(),
            saved
        );
    }

    #[test]
    fn the_browsers_form_deserialises_with_missing_parts() {
        let input: WebhookStepInput = serde_json::from_str(
            r#"{"url":"https://x.org/","headers":[{"name":"Authorization","secret":true}]}"#,
        )
        .unwrap();
        assert_eq!(input.headers[0], header("Authorization", None, true));
        assert!(input.fields.is_empty());
    }

    #[test]
    fn a_field_error_reads_as_input_and_message() {
        assert_eq!(
            FieldError::new("url", "enter the destination URL").to_string(),
            "url: enter the destination URL"
        );
    }
}
