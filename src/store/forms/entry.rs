//! One submission of a form, as its page or a JSON client sends it, checked against
//! the form's definition. Contact values go through the contacts' own parser
//! (`ContactInput`), so a form accepts exactly what the API accepts.

use super::definition::{FormDefinition, FormKind, QuestionKind};
use crate::model::contact::{ContactChanges, ContactInput, FieldProblem, InputMode};
use crate::model::fields::Catalogue;
use serde_json::{Map, Value};

/// What a visitor sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormEntry {
    /// Contact values keyed by catalogue key. Keys the form does not ask are
    /// ignored: a form only ever writes the fields it shows.
    pub values: Map<String, Value>,
    /// Survey answers keyed by question id.
    pub answers: Map<String, Value>,
    /// A signed contact token (the `?t=` of an update-profile link): the contact
    /// to update, whatever email is entered. An invalid token is ignored.
    pub token: Option<String>,
}

/// A submission that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedEntry {
    pub changes: ContactChanges,
    /// Question id → answer, in question order.
    pub answers: Map<String, Value>,
}

/// The longest answer to a text question, in characters.
pub const MAX_ANSWER_LEN: usize = 2000;

const REQUIRED: &str = "this field is required";

impl FormDefinition {
    /// The changes to the contact and the answers, or every problem at once, each
    /// naming its field (a catalogue key, or `answers.<question id>`).
    pub fn parse_entry(
        &self,
        kind: FormKind,
        catalogue: &Catalogue<'_>,
        entry: &FormEntry,
    ) -> Result<ParsedEntry, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut input = Map::new();
        for field in &self.fields {
            let raw = entry.values.get(&field.key);
            let blank = raw.is_none_or(is_blank);
            if blank && field.required {
                problems.push(FieldProblem::new(&field.key, REQUIRED));
                continue;
            }
            // Emptying a field clears it on the update-profile form only; on the
            // others an empty field means "not given" and keeps what is known.
            match raw {
                Some(value) if !blank || kind == FormKind::UpdateProfile => {
                    input.insert(field.key.clone(), value.clone());
                }
                _ => {}
            }
        }
        let changes = match ContactInput(input).parse(catalogue, InputMode::Create) {
            Ok(changes) => Some(changes),
            Err(found) => {
                let known: Vec<String> = problems.iter().map(|p| p.field.clone()).collect();
                problems.extend(found.into_iter().filter(|p| !known.contains(&p.field)));
                None
            }
        };
        let answers = self.parse_answers(&entry.answers, &mut problems);
        match changes {
            Some(changes) if problems.is_empty() => Ok(ParsedEntry { changes, answers }),
            _ => Err(problems),
        }
    }

    fn parse_answers(
        &self,
        raw: &Map<String, Value>,
        problems: &mut Vec<FieldProblem>,
    ) -> Map<String, Value> {
        let mut answers = Map::new();
        for q in &self.questions {
            let at = format!("answers.{}", q.id);
            let text = match raw.get(&q.id) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(_) => {
                    problems.push(FieldProblem::new(at, "an answer is text"));
                    continue;
                }
            };
            let problem = match (text, q.kind) {
                (None, _) if q.required => "this question needs an answer".to_string(),
                (None, _) => continue,
                (Some(t), QuestionKind::Text) if t.chars().count() > MAX_ANSWER_LEN => {
                    format!("an answer is at most {MAX_ANSWER_LEN} characters")
                }
                (Some(t), QuestionKind::Choice) if !q.options.contains(&t) => {
                    format!("choose one of: {}", q.options.join(", "))
                }
                (Some(t), _) => {
                    answers.insert(q.id.clone(), Value::String(t));
                    continue;
                }
            };
            problems.push(FieldProblem::new(at, problem));
        }
        answers
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::forms::definition::{FormField, Question};
    use serde_json::json;

    fn survey() -> FormDefinition {
        let definition = FormDefinition {
            fields: vec![FormField {
                key: "firstname".into(),
                required: true,
            }],
            questions: vec![Question {
                id: "colour".into(),
                label: "Favourite colour".into(),
                kind: QuestionKind::Choice,
                options: vec!["red".into(), "blue".into()],
                required: true,
            }],
        };
        definition
            .check(FormKind::Survey, &Catalogue::built_in())
            .unwrap()
    }

    fn entry(values: Value, answers: Value) -> FormEntry {
        let map = |v: Value| v.as_object().cloned().unwrap_or_default();
        FormEntry {
            values: map(values),
            answers: map(answers),
            token: None,
        }
    }

    #[test]
    fn a_complete_survey_entry_gives_changes_and_answers() {
        let e = entry(
            json!({"email": "Ann@Example.org", "firstname": " Ann ", "bounce_count": "9"}),
            json!({"colour": "blue", "other": "ignored"}),
        );
        let parsed = survey()
            .parse_entry(FormKind::Survey, &Catalogue::built_in(), &e)
            .unwrap();
        assert_eq!(parsed.changes.email.unwrap().as_str(), "ann@example.org");
        // Only what the form asks is written: bounce_count is not on the form.
        assert_eq!(
            parsed.changes.values,
            vec![("firstname".to_string(), json!("Ann"))]
        );
        assert_eq!(Value::Object(parsed.answers), json!({"colour": "blue"}));
    }

    #[test]
    fn every_problem_is_reported_beside_its_field() {
        let e = entry(
            json!({"email": "not an email", "firstname": ""}),
            json!({"colour": "green"}),
        );
        let problems = survey()
            .parse_entry(FormKind::Survey, &Catalogue::built_in(), &e)
            .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["firstname", "email", "answers.colour"]);
        assert!(
            problems[1].message.contains("name@example.org"),
            "{problems:?}"
        );
        assert_eq!(problems[2].message, "choose one of: red, blue");
    }
}
