//! What a form asks: which contact fields (catalogue keys, each required or not)
//! and, for a survey, its questions. Checked once when saved, so the public page
//! and the submission never meet a field that does not exist.

use crate::engine::event::ContactEvent;
use crate::model::contact::FieldProblem;
use crate::model::fields::{Catalogue, FieldGroup, FieldKind};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FormId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    Subscription,
    UpdateProfile,
    Survey,
}

impl FormKind {
    /// As stored in `forms.kind` and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Subscription => "subscription",
            FormKind::UpdateProfile => "update_profile",
            FormKind::Survey => "survey",
        }
    }

    pub fn parse(raw: &str) -> Option<FormKind> {
        [
            FormKind::Subscription,
            FormKind::UpdateProfile,
            FormKind::Survey,
        ]
        .into_iter()
        .find(|k| k.as_str() == raw)
    }

    /// The event a submission of this form fires (its scenario trigger).
    pub fn event(self, form: FormId) -> ContactEvent {
        match self {
            FormKind::Subscription => ContactEvent::FormSubmitted { form_id: form.0 },
            FormKind::UpdateProfile => ContactEvent::ProfileUpdated { form_id: form.0 },
            FormKind::Survey => ContactEvent::SurveyAnswered { form_id: form.0 },
        }
    }
}

/// One contact field the form asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// A catalogue key: `email`, `firstname`, … or a custom field's key.
    pub key: String,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Free text.
    Text,
    /// One of `options`.
    Choice,
}

/// One survey question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable: answers are stored under it. `a-z`, `0-9`, `_` and `-`.
    pub id: String,
    pub label: String,
    pub kind: QuestionKind,
    /// The choices of a `choice` question, in the order shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

/// The fields and questions of a form, in the order the page shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    #[serde(default)]
    pub fields: Vec<FormField>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Question>,
}

/// The most fields, questions or options one form has.
pub const MAX_ITEMS: usize = 50;
/// The longest question label or option, in characters.
pub const MAX_LABEL_LEN: usize = 200;
const MAX_ID_LEN: usize = 64;

impl FormDefinition {
    /// Checks the definition against the account's catalogue and returns it
    /// normalised: the email is always asked, first, and always required (it is
    /// what identifies the contact). Every problem is reported at once.
    pub fn check(
        mut self,
        kind: FormKind,
        catalogue: &Catalogue<'_>,
    ) -> Result<FormDefinition, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        check_fields(&self.fields, catalogue, &mut problems);
        match kind {
            FormKind::Survey if self.questions.is_empty() => problems.push(FieldProblem::new(
                "definition.questions",
                "a survey needs at least one question",
            )),
            FormKind::Survey => check_questions(&self.questions, &mut problems),
            _ if !self.questions.is_empty() => problems.push(FieldProblem::new(
                "definition.questions",
                "only a survey has questions; use kind \"survey\"",
            )),
            _ => {}
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        self.fields.retain(|f| f.key != "email");
        let email = FormField {
            key: "email".into(),
            required: true,
        };
        self.fields.insert(0, email);
        Ok(self)
    }
}

fn check_fields(fields: &[FormField], catalogue: &Catalogue<'_>, problems: &mut Vec<FieldProblem>) {
    if fields.len() > MAX_ITEMS {
        let message = format!("a form asks at most {MAX_ITEMS} fields");
        problems.push(FieldProblem::new("definition.fields", message));
    }
    let mut seen = HashSet::new();
    for (i, field) in fields.iter().enumerate() {
        let at = format!("definition.fields[{i}].key");
        let message = match catalogue.get(&field.key) {
            None => format!(
                "unknown field `{}`: create it as a custom field first",
                field.key
            ),
            Some(f) if f.group == FieldGroup::PersonalStatistics => {
                format!(
                    "{} is counted by Hookflow, so a form cannot ask it",
                    f.label
                )
            }
            Some(f) if f.kind == FieldKind::List => {
                "groups are not asked in a form; use a scenario step to add the contact to a group"
                    .into()
            }
            Some(_) if !seen.insert(field.key.as_str()) => {
                format!("`{}` is asked twice", field.key)
            }
            Some(_) => continue,
        };
        problems.push(FieldProblem::new(at, message));
    }
}

fn check_questions(questions: &[Question], problems: &mut Vec<FieldProblem>) {
    if questions.len() > MAX_ITEMS {
        let message = format!("a survey has at most {MAX_ITEMS} questions");
        problems.push(FieldProblem::new("definition.questions", message));
    }
    let mut seen = HashSet::new();
    for (i, q) in questions.iter().enumerate() {
        let at = |what: &str| format!("definition.questions[{i}].{what}");
        let id_ok = !q.id.is_empty()
            && q.id.len() <= MAX_ID_LEN
            && q.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !id_ok {
            let message = format!("an id is 1 to {MAX_ID_LEN} characters: a-z, 0-9, _ and -");
            problems.push(FieldProblem::new(at("id"), message));
        } else if !seen.insert(q.id.as_str()) {
            problems.push(FieldProblem::new(
                at("id"),
                format!("two questions have the id `{}`", q.id),
            ));
        }
        if let Err(message) = label(&q.label) {
            problems.push(FieldProblem::new(at("label"), message));
        }
        check_options(q, &at("options"), problems);
    }
}

fn check_options(q: &Question, at: &str, problems: &mut Vec<FieldProblem>) {
    let message = match q.kind {
        QuestionKind::Text if !q.options.is_empty() => "a text question has no options".to_string(),
        QuestionKind::Choice if q.options.is_empty() => {
            "a choice question needs at least one option".into()
        }
        QuestionKind::Choice if q.options.len() > MAX_ITEMS => {
            format!("at most {MAX_ITEMS} options")
        }
        _ => {
            let mut seen = HashSet::new();
            for option in &q.options {
                if let Err(message) = label(option) {
                    problems.push(FieldProblem::new(at, format!("option: {message}")));
                } else if !seen.insert(option.as_str()) {
                    problems.push(FieldProblem::new(at, format!("`{option}` is listed twice")));
                }
            }
            return;
        }
    };
    problems.push(FieldProblem::new(at, message));
}

/// Labels and options are shown as typed: no surrounding spaces, no control characters.
fn label(raw: &str) -> Result<(), String> {
    if raw.trim().is_empty() {
        return Err("cannot be empty".into());
    }
    if raw.trim() != raw {
        return Err("cannot start or end with spaces".into());
    }
    if raw.chars().count() > MAX_LABEL_LEN {
        return Err(format!("at most {MAX_LABEL_LEN} characters"));
    }
    if raw.chars().any(char::is_control) {
        return Err("cannot contain line breaks or control characters".into());
    }
    Ok(())
}

/// The most characters in a form's or mailing's name.
pub const MAX_NAME_LEN: usize = 100;

/// A form's or mailing's name, trimmed: 1 to 100 characters, no control characters.
pub fn check_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("enter a name".into());
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(format!("a name is at most {MAX_NAME_LEN} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("a name cannot contain line breaks or control characters".into());
    }
    Ok(name.to_string())
}
