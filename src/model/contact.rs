//! A contact's field values as the API, the CSV import and forms send them,
//! parsed once against the field catalogue (built-in and the account's custom
//! fields) into normalised JSON values, or every problem at once, each naming
//! its field.

mod value;

use crate::model::Email;
use crate::model::fields::{Catalogue, RESERVED_KEYS};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

pub use value::{MAX_NOTE_LEN, MAX_TEXT_LEN};

/// A JSON object of catalogue keys → values, as received. `null` (or blank text)
/// clears a value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactInput(pub Map<String, Value>);

/// Whether the input makes a new contact (email required) or changes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    Create,
    Update,
}

/// One problem with one field, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        FieldProblem {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

/// Parsed, normalised values to write. `Value::Null` means "clear this field".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactChanges {
    pub email: Option<Email>,
    /// In catalogue order; never contains `email`.
    pub values: Vec<(String, Value)>,
}

impl ContactInput {
    pub fn parse(
        &self,
        catalogue: &Catalogue<'_>,
        mode: InputMode,
    ) -> Result<ContactChanges, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut changes = ContactChanges::default();
        for (key, raw) in &self.0 {
            if key == "email" {
                match value::email(raw) {
                    Ok(email) => changes.email = Some(email),
                    Err(message) => problems.push(FieldProblem::new(key, message)),
                }
                continue;
            }
            let Some(field) = catalogue.get(key) else {
                problems.push(unknown(key));
                continue;
            };
            match value::parse(&field, raw) {
                Ok(value) => changes.values.push((key.clone(), value)),
                Err(message) => problems.push(FieldProblem::new(key, message)),
            }
        }
        if mode == InputMode::Create && changes.email.is_none() && !self.0.contains_key("email") {
            problems.push(FieldProblem::new("email", "email is required"));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        changes
            .values
            .sort_by_key(|(key, _)| catalogue.position(key));
        Ok(changes)
    }
}

fn unknown(key: &str) -> FieldProblem {
    let message = if RESERVED_KEYS.contains(&key) {
        format!("`{key}` is set by Hookflow and cannot be changed")
    } else {
        format!("unknown field `{key}`: create it as a custom field first")
    };
    FieldProblem::new(key, message)
}

impl ContactChanges {
    /// The values a new contact starts with (cleared values are simply absent).
    pub fn initial_fields(&self) -> BTreeMap<String, Value> {
        self.values
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Applies the changes to a stored contact and returns the keys whose value
    /// really changed (`email` first, then catalogue order).
    pub fn apply(&self, email: &mut Email, fields: &mut BTreeMap<String, Value>) -> Vec<String> {
        let mut changed = Vec::new();
        if let Some(new) = &self.email
            && new != email
        {
            *email = new.clone();
            changed.push("email".to_string());
        }
        for (key, value) in &self.values {
            let differs = if value.is_null() {
                fields.remove(key).is_some()
            } else if fields.get(key) != Some(value) {
                fields.insert(key.clone(), value.clone());
                true
            } else {
                false
            };
            if differs {
                changed.push(key.clone());
            }
        }
        changed
    }
}

/// Contacts to create or update by email in one call, at most [`ContactBatch::MAX`]
/// (so one transaction stays short).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactBatch(Vec<ContactInput>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("send at most {max} contacts at a time (got {0})", max = ContactBatch::MAX)]
pub struct BatchTooLarge(pub usize);

impl ContactBatch {
    pub const MAX: usize = 1000;

    pub fn new(items: Vec<ContactInput>) -> Result<Self, BatchTooLarge> {
        if items.len() > Self::MAX {
            return Err(BatchTooLarge(items.len()));
        }
        Ok(ContactBatch(items))
    }

    pub fn items(&self) -> &[ContactInput] {
        &self.0
    }
}

#[cfg(test)]
mod tests;
