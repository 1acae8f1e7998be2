use super::{Seen, on_step, problems};
use crate::model::scenario::fixtures::{id, scenario};
use crate::model::scenario::{ConsentType, Criteria, FieldOp, Step, StepKind};
use serde_json::{Value, json};

fn checked(criteria: Criteria) -> Vec<Seen> {
    problems(&scenario(vec![Step {
        id: id("check"),
        kind: StepKind::Condition {
            criteria,
            yes: None,
            no: None,
        },
    }]))
}

fn field(key: &str, op: FieldOp, value: Option<Value>) -> Criteria {
    Criteria::Field {
        field: key.into(),
        op,
        value,
    }
}

fn at(path: &str, code: &'static str, message: &str) -> Seen {
    on_step("check", &format!("steps[0].criteria{path}"), code, message)
}

#[test]
fn each_kind_of_field_takes_its_own_comparisons() {
    let fine = [
        field("country", FieldOp::Eq, Some(json!("France"))),
        field("email", FieldOp::Contains, Some(json!("@example.org"))),
        field("favourite_colour", FieldOp::Neq, Some(json!("red"))),
        field("shoe_size", FieldOp::Gt, Some(json!(40))),
        field("mailings_opened", FieldOp::Lt, Some(json!("3"))),
        field("birthdate", FieldOp::Before, Some(json!("2000-01-01"))),
        field(
            "last_open_date",
            FieldOp::After,
            Some(json!("2024-05-01T00:00:00Z")),
        ),
        field("vip_since", FieldOp::Eq, Some(json!("2024-06-01"))),
        field("consent_type", FieldOp::Eq, Some(json!("implied"))),
        field("phone", FieldOp::IsEmpty, None),
        field("bounce_count", FieldOp::IsNotEmpty, None),
        Criteria::Consent {
            consent_type: ConsentType::Implied,
            valid: false,
        },
    ];
    for criteria in fine {
        assert_eq!(checked(criteria.clone()), [], "{criteria:?}");
    }
}

#[test]
fn a_comparison_that_does_not_fit_the_field_is_refused() {
    let cases = [
        (
            field("shoe_size", FieldOp::Before, Some(json!(3))),
            "\"is before\" does not apply to Shoe size, a number field",
        ),
        (
            field("country", FieldOp::Gt, Some(json!("F"))),
            "\"is greater than\" does not apply to Country, a text field",
        ),
        (
            field("bounce_count", FieldOp::Contains, Some(json!(1))),
            "\"contains\" does not apply to Bounce count, a number field",
        ),
        (
            field("consent_type", FieldOp::After, Some(json!("x"))),
            "\"is after\" does not apply to Consent type, a choice field",
        ),
        (
            field("birthdate", FieldOp::Lt, Some(json!("2000-01-01"))),
            "\"is less than\" does not apply to Birth date, a date field",
        ),
    ];
    for (criteria, message) in cases {
        assert_eq!(checked(criteria), [at(".op", "invalid_operator", message)]);
    }
}

#[test]
fn a_comparison_needs_a_value_of_the_fields_kind() {
    for missing in [None, Some(Value::Null), Some(json!("  "))] {
        assert_eq!(
            checked(field("country", FieldOp::Eq, missing)),
            [at(
                ".value",
                "value_required",
                "enter a value to compare with"
            )]
        );
    }
    let wrong = [
        (
            field("shoe_size", FieldOp::Gt, Some(json!("big"))),
            "enter a number",
        ),
        (
            field("birthdate", FieldOp::After, Some(json!("tomorrow"))),
            "enter a date as YYYY-MM-DD (for example 2024-05-28)",
        ),
        (
            field("consent_type", FieldOp::Eq, Some(json!("maybe"))),
            "choose one of: express, implied",
        ),
        (
            field("country", FieldOp::Eq, Some(json!(["FR"]))),
            "enter text",
        ),
    ];
    for (criteria, message) in wrong {
        assert_eq!(checked(criteria), [at(".value", "invalid_value", message)]);
    }
}

#[test]
fn unknown_fields_and_groups_are_reported_where_they_are_used() {
    let criteria = Criteria::All {
        of: vec![
            field("hat_size", FieldOp::Gt, None),
            Criteria::InGroup { group_id: 3 },
            Criteria::Any {
                of: vec![Criteria::NotInGroup { group_id: 99 }],
            },
        ],
    };
    assert_eq!(
        checked(criteria),
        [
            at(
                ".of[0].value",
                "value_required",
                "enter a value to compare with"
            ),
            at(
                ".of[0].field",
                "unknown_field",
                "\"hat_size\" is not one of your contact fields"
            ),
            at(
                ".of[2].of[0].group_id",
                "unknown_group",
                "this group does not exist any more; choose another group"
            ),
        ]
    );
}

#[test]
fn groups_are_checked_with_group_conditions_not_the_groups_field() {
    assert_eq!(
        checked(field("groups", FieldOp::IsEmpty, None)),
        [at(
            ".field",
            "wrong_field_kind",
            "use \"is in group\" or \"is not in group\" conditions to check groups"
        )]
    );
}

#[test]
fn an_and_or_group_needs_at_least_one_condition() {
    let criteria = Criteria::Any {
        of: vec![Criteria::All { of: vec![] }],
    };
    assert_eq!(
        checked(criteria),
        [at(
            ".of[0]",
            "empty_condition",
            "add at least one condition to this group"
        )]
    );
}

/// A condition inside `levels - 1` AND/OR groups.
fn nested(levels: usize) -> Criteria {
    (1..levels).fold(Criteria::InGroup { group_id: 3 }, |inner, _| {
        Criteria::All { of: vec![inner] }
    })
}

#[test]
fn conditions_nest_at_most_five_levels_deep() {
    assert_eq!(nested(5).depth(), 5);
    assert_eq!(checked(nested(5)), []);
    assert_eq!(
        checked(nested(6)),
        [at(
            ".of[0].of[0].of[0].of[0]",
            "criteria_too_deep",
            "conditions can be nested at most 5 levels deep: move these conditions up a level"
        )]
    );
}
