//! Criteria of a "meets criteria" trigger or a Condition step.

use super::Context;
use super::limits::MAX_CRITERIA_DEPTH;
use super::values::{comparable, kind_name};
use crate::model::fields::FieldKind;
use crate::model::ids::StepId;
use crate::model::scenario::criteria::values::is_blank;
use crate::model::scenario::criteria::{Criteria, FieldOp};
use crate::model::scenario::problem::{ProblemCode, Problems};
use serde_json::Value;

/// Checks criteria found at `path` (e.g. `trigger.criteria`, `steps[2].criteria`).
pub(crate) fn check(
    criteria: &Criteria,
    path: &str,
    step: Option<&StepId>,
    cx: &Context<'_>,
    problems: &mut Problems,
) {
    Walk { step, cx, problems }.visit(criteria, path, 1);
}

struct Walk<'w, 'a> {
    step: Option<&'w StepId>,
    cx: &'w Context<'a>,
    problems: &'w mut Problems,
}

impl Walk<'_, '_> {
    fn add(&mut self, path: String, code: ProblemCode, message: impl Into<String>) {
        self.problems.add(self.step, path, code, message);
    }

    fn visit(&mut self, criteria: &Criteria, path: &str, level: usize) {
        match criteria {
            Criteria::All { of } | Criteria::Any { of } => {
                if of.is_empty() {
                    let message = "add at least one condition to this group";
                    self.add(path.into(), ProblemCode::EmptyCondition, message);
                } else if level >= MAX_CRITERIA_DEPTH {
                    let message = format!(
                        "conditions can be nested at most {MAX_CRITERIA_DEPTH} levels deep: move these conditions up a level"
                    );
                    self.add(path.into(), ProblemCode::CriteriaTooDeep, message);
                } else {
                    for (j, child) in of.iter().enumerate() {
                        self.visit(child, &format!("{path}.of[{j}]"), level + 1);
                    }
                }
            }
            Criteria::Field { field, op, value } => {
                self.field(field, *op, value.as_ref(), path);
            }
            Criteria::InGroup { group_id } | Criteria::NotInGroup { group_id } => {
                if !self.cx.refs.group_ids.contains(group_id) {
                    let message = "this group does not exist any more; choose another group";
                    self.add(
                        format!("{path}.group_id"),
                        ProblemCode::UnknownGroup,
                        message,
                    );
                }
            }
            Criteria::Consent { .. } => {}
        }
    }

    fn field(&mut self, key: &str, op: FieldOp, value: Option<&Value>, path: &str) {
        let missing_value = op.needs_value() && is_blank(value);
        if missing_value {
            let message = "enter a value to compare with";
            self.add(format!("{path}.value"), ProblemCode::ValueRequired, message);
        }
        let Some(field) = self.cx.catalogue.get(key) else {
            let message = format!("\"{key}\" is not one of your contact fields");
            self.add(format!("{path}.field"), ProblemCode::UnknownField, message);
            return;
        };
        if field.kind == FieldKind::List {
            let message = "use \"is in group\" or \"is not in group\" conditions to check groups";
            self.add(
                format!("{path}.field"),
                ProblemCode::WrongFieldKind,
                message,
            );
            return;
        }
        if !applies(op, field.kind) {
            let message = format!(
                "\"{}\" does not apply to {}, a {} field",
                op.label(),
                field.label,
                kind_name(field.kind)
            );
            self.add(format!("{path}.op"), ProblemCode::InvalidOperator, message);
            return;
        }
        if let Some(value) = value.filter(|_| op.needs_value() && !missing_value)
            && let Err(message) = comparable(&field, value)
        {
            self.add(format!("{path}.value"), ProblemCode::InvalidValue, message);
        }
    }
}

/// Which comparisons make sense for which kind of field.
fn applies(op: FieldOp, kind: FieldKind) -> bool {
    use FieldKind::*;
    match op {
        FieldOp::IsEmpty | FieldOp::IsNotEmpty => true,
        FieldOp::Eq | FieldOp::Neq => kind != List,
        FieldOp::Contains => matches!(kind, Text | Email),
        FieldOp::Gt | FieldOp::Lt => kind == Number,
        FieldOp::Before | FieldOp::After => matches!(kind, Date | DateTime),
    }
}
