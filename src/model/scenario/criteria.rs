//! Segment criteria: field, group and consent conditions combined with AND/OR.
//! Used by the "meets criteria" trigger and by Condition steps.

mod evaluate;
pub(crate) mod values;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A condition on one contact, as the editor builds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Criteria {
    /// Every condition holds (an empty list always holds).
    All {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        of: Vec<Criteria>,
    },
    /// At least one condition holds (an empty list never holds).
    Any {
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        of: Vec<Criteria>,
    },
    /// A contact field compared with a value.
    Field {
        field: String,
        op: FieldOp,
        /// Absent for `is_empty` and `is_not_empty`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<Value>,
    },
    InGroup {
        group_id: i64,
    },
    NotInGroup {
        group_id: i64,
    },
    /// `valid: true` holds for contacts whose consent of this type is given and not
    /// expired; `valid: false` for everyone else.
    Consent {
        consent_type: ConsentType,
        valid: bool,
    },
}

/// How a field is compared. Numbers compare numerically, dates as dates, and text
/// without regard to case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldOp {
    Eq,
    Neq,
    Contains,
    Gt,
    Lt,
    Before,
    After,
    IsEmpty,
    IsNotEmpty,
}

impl FieldOp {
    pub fn needs_value(self) -> bool {
        !matches!(self, FieldOp::IsEmpty | FieldOp::IsNotEmpty)
    }

    /// The words the editor shows.
    pub fn label(self) -> &'static str {
        match self {
            FieldOp::Eq => "is",
            FieldOp::Neq => "is not",
            FieldOp::Contains => "contains",
            FieldOp::Gt => "is greater than",
            FieldOp::Lt => "is less than",
            FieldOp::Before => "is before",
            FieldOp::After => "is after",
            FieldOp::IsEmpty => "is empty",
            FieldOp::IsNotEmpty => "is not empty",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentType {
    Express,
    Implied,
    /// Express or implied.
    Any,
}

/// What the engine knows about a contact when it evaluates criteria.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactFacts {
    /// Field values by catalogue key; dates as `YYYY-MM-DD` or RFC 3339 strings.
    pub values: BTreeMap<String, Value>,
    /// The ids of the groups the contact belongs to.
    pub groups: BTreeSet<i64>,
}

impl ContactFacts {
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.values.insert(key.to_string(), value.into());
        self
    }

    pub fn in_group(mut self, group_id: i64) -> Self {
        self.groups.insert(group_id);
        self
    }

    /// A field's value; `null` counts as no value.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.values.get(key).filter(|v| !v.is_null())
    }
}

/// Consent conditions read these two fields.
const CONSENT_FIELDS: [&str; 2] = ["consent_type", "consent_expiry"];

impl Criteria {
    /// The field keys whose change can change the outcome. Consent conditions also
    /// change with time, when an expiry date passes.
    pub fn fields_used(&self) -> BTreeSet<&str> {
        let mut used = BTreeSet::new();
        self.walk(&mut |c| match c {
            Criteria::Field { field, .. } => {
                used.insert(field.as_str());
            }
            Criteria::Consent { .. } => used.extend(CONSENT_FIELDS),
            _ => {}
        });
        used
    }

    /// The groups whose membership changes can change the outcome.
    pub fn groups_used(&self) -> BTreeSet<i64> {
        let mut used = BTreeSet::new();
        self.walk(&mut |c| {
            if let Criteria::InGroup { group_id } | Criteria::NotInGroup { group_id } = c {
                used.insert(*group_id);
            }
        });
        used
    }

    /// Levels of nesting: 1 for a single condition, 2 for a group of conditions, …
    pub fn depth(&self) -> usize {
        match self {
            Criteria::All { of } | Criteria::Any { of } => {
                1 + of.iter().map(Criteria::depth).max().unwrap_or(0)
            }
            _ => 1,
        }
    }

    fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Criteria)) {
        visit(self);
        if let Criteria::All { of } | Criteria::Any { of } = self {
            for c in of {
                c.walk(visit);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(key: &str, op: FieldOp, value: Value) -> Criteria {
        Criteria::Field {
            field: key.into(),
            op,
            value: Some(value),
        }
    }

    #[test]
    fn a_segment_knows_which_fields_and_groups_it_depends_on() {
        let segment = Criteria::All {
            of: vec![
                field("country", FieldOp::Eq, json!("FR")),
                Criteria::Any {
                    of: vec![
                        Criteria::InGroup { group_id: 3 },
                        Criteria::NotInGroup { group_id: 9 },
                        Criteria::Consent {
                            consent_type: ConsentType::Express,
                            valid: true,
                        },
                    ],
                },
            ],
        };
        assert_eq!(
            segment.fields_used().into_iter().collect::<Vec<_>>(),
            ["consent_expiry", "consent_type", "country"]
        );
        assert_eq!(
            segment.groups_used().into_iter().collect::<Vec<_>>(),
            [3, 9]
        );
        assert_eq!(segment.depth(), 3);
    }

    #[test]
    fn criteria_read_and_write_the_editors_json() {
        let json = json!({"type": "any", "of": [
            {"type": "field", "field": "phone", "op": "is_empty"},
            {"type": "field", "field": "mailings_opened", "op": "gt", "value": 3},
            {"type": "in_group", "group_id": 4},
            {"type": "consent", "consent_type": "implied", "valid": false}
        ]});
        let criteria: Criteria = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(serde_json::to_value(&criteria).unwrap(), json);
        let typo = json!({"type": "in_group", "group": 4});
        let err = serde_json::from_value::<Criteria>(typo).unwrap_err();
        assert!(err.to_string().contains("unknown field `group`"), "{err}");
    }

    #[test]
    fn a_null_value_is_no_value() {
        let facts = ContactFacts::default().with("phone", Value::Null);
        assert_eq!(facts.value("phone"), None);
    }
}
