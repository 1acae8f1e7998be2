use crate::model::scenario::{ConsentType, ContactFacts, Criteria, FieldOp};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    "2024-05-28T12:56:40Z".parse().unwrap()
}

fn field(key: &str, op: FieldOp, value: Value) -> Criteria {
    Criteria::Field {
        field: key.into(),
        op,
        value: Some(value),
    }
}

fn empty_check(key: &str, op: FieldOp) -> Criteria {
    Criteria::Field {
        field: key.into(),
        op,
        value: None,
    }
}

fn john() -> ContactFacts {
    ContactFacts::default()
        .with("email", "john.doe@example.org")
        .with("firstname", "John")
        .with("country", "France")
        .with("mailings_opened", 12)
        .with("shoe_size", "42")
        .with("birthdate", "1990-07-14")
        .with("last_open_date", "2024-05-20T08:00:00Z")
        .with("phone", "")
        .in_group(3)
}

fn holds(criteria: &Criteria, contact: &ContactFacts) -> bool {
    criteria.matches(contact, now())
}

#[test]
fn text_is_compared_without_regard_to_case() {
    assert!(holds(
        &field("country", FieldOp::Eq, json!("FRANCE")),
        &john()
    ));
    assert!(holds(
        &field("country", FieldOp::Eq, json!(" france ")),
        &john()
    ));
    assert!(!holds(&field("country", FieldOp::Eq, json!("Fr")), &john()));
    assert!(holds(
        &field("country", FieldOp::Neq, json!("Spain")),
        &john()
    ));
    assert!(!holds(
        &field("country", FieldOp::Neq, json!("france")),
        &john()
    ));
    assert!(holds(
        &field("email", FieldOp::Contains, json!("@EXAMPLE.org")),
        &john()
    ));
    assert!(!holds(
        &field("email", FieldOp::Contains, json!("gmail")),
        &john()
    ));
}

#[test]
fn numbers_are_compared_as_numbers_even_when_stored_as_text() {
    assert!(holds(
        &field("mailings_opened", FieldOp::Gt, json!(9)),
        &john()
    ));
    assert!(!holds(
        &field("mailings_opened", FieldOp::Lt, json!(9)),
        &john()
    ));
    assert!(holds(
        &field("mailings_opened", FieldOp::Eq, json!(12.0)),
        &john()
    ));
    assert!(holds(
        &field("mailings_opened", FieldOp::Eq, json!("12")),
        &john()
    ));
    // "42" > "100" as text, not as numbers.
    assert!(holds(&field("shoe_size", FieldOp::Lt, json!(100)), &john()));
    assert!(holds(&field("shoe_size", FieldOp::Eq, json!(42)), &john()));
    assert!(!holds(&field("country", FieldOp::Gt, json!(1)), &john()));
}

#[test]
fn dates_are_compared_as_dates() {
    assert!(holds(
        &field("birthdate", FieldOp::Before, json!("2000-01-01")),
        &john()
    ));
    assert!(!holds(
        &field("birthdate", FieldOp::After, json!("2000-01-01")),
        &john()
    ));
    assert!(holds(
        &field("birthdate", FieldOp::Eq, json!("1990-07-14")),
        &john()
    ));
    assert!(holds(
        &field("last_open_date", FieldOp::After, json!("2024-05-19")),
        &john()
    ));
    assert!(holds(
        &field(
            "last_open_date",
            FieldOp::Before,
            json!("2024-05-20T09:00:00+00:00")
        ),
        &john()
    ));
    // Same day: neither before nor after the date, and equal to it.
    assert!(!holds(
        &field("last_open_date", FieldOp::After, json!("2024-05-20")),
        &john()
    ));
    assert!(!holds(
        &field("last_open_date", FieldOp::Before, json!("2024-05-20")),
        &john()
    ));
    assert!(holds(
        &field("last_open_date", FieldOp::Eq, json!("2024-05-20")),
        &john()
    ));
    // A value that is not a date is neither before nor after anything.
    assert!(!holds(
        &field("country", FieldOp::Before, json!("2024-05-20")),
        &john()
    ));
}

#[test]
fn a_contact_without_a_value_is_empty_and_is_not_anything() {
    let nobody = ContactFacts::default().with("company", Value::Null);
    for key in ["company", "lastname", "phone"] {
        let contact = if key == "phone" {
            john()
        } else {
            nobody.clone()
        };
        assert!(
            holds(&empty_check(key, FieldOp::IsEmpty), &contact),
            "{key}"
        );
        assert!(
            !holds(&empty_check(key, FieldOp::IsNotEmpty), &contact),
            "{key}"
        );
    }
    assert!(holds(
        &empty_check("firstname", FieldOp::IsNotEmpty),
        &john()
    ));
    assert!(holds(
        &field("lastname", FieldOp::Neq, json!("Doe")),
        &nobody
    ));
    for op in [
        FieldOp::Eq,
        FieldOp::Contains,
        FieldOp::Gt,
        FieldOp::Lt,
        FieldOp::Before,
        FieldOp::After,
    ] {
        assert!(
            !holds(&field("lastname", op, json!("1")), &nobody),
            "{op:?}"
        );
    }
}

#[test]
fn an_unfinished_condition_without_a_value_holds_for_nobody() {
    for op in [FieldOp::Eq, FieldOp::Neq, FieldOp::Contains] {
        assert!(!holds(&empty_check("country", op), &john()), "{op:?}");
        assert!(
            !holds(&field("country", op, Value::Null), &john()),
            "{op:?}"
        );
    }
}

#[test]
fn a_list_field_is_and_contains_one_of_its_items() {
    let contact = ContactFacts::default().with("groups", json!(["VIP", "Newsletter"]));
    assert!(holds(
        &field("groups", FieldOp::Contains, json!("vip")),
        &contact
    ));
    assert!(holds(
        &field("groups", FieldOp::Eq, json!("newsletter")),
        &contact
    ));
    assert!(!holds(
        &field("groups", FieldOp::Contains, json!("news")),
        &contact
    ));
    assert!(holds(
        &empty_check("groups", FieldOp::IsEmpty),
        &ContactFacts::default()
    ));
}

#[test]
fn group_membership_is_checked_by_group_id() {
    assert!(holds(&Criteria::InGroup { group_id: 3 }, &john()));
    assert!(!holds(&Criteria::InGroup { group_id: 4 }, &john()));
    assert!(holds(&Criteria::NotInGroup { group_id: 4 }, &john()));
    assert!(!holds(&Criteria::NotInGroup { group_id: 3 }, &john()));
}

fn consent(consent_type: ConsentType, valid: bool) -> Criteria {
    Criteria::Consent {
        consent_type,
        valid,
    }
}

#[test]
fn consent_is_valid_until_its_expiry_date() {
    let express = ContactFacts::default().with("consent_type", "express");
    assert!(holds(&consent(ConsentType::Express, true), &express));
    assert!(holds(&consent(ConsentType::Any, true), &express));
    assert!(!holds(&consent(ConsentType::Implied, true), &express));
    assert!(holds(&consent(ConsentType::Implied, false), &express));

    let implied = |expiry: &str| {
        ContactFacts::default()
            .with("consent_type", "Implied")
            .with("consent_expiry", expiry)
    };
    assert!(holds(
        &consent(ConsentType::Implied, true),
        &implied("2024-05-29")
    ));
    // Consent expires at the start of its expiry day.
    assert!(!holds(
        &consent(ConsentType::Implied, true),
        &implied("2024-05-28")
    ));
    assert!(holds(
        &consent(ConsentType::Implied, false),
        &implied("2024-05-28")
    ));
    assert!(holds(
        &consent(ConsentType::Implied, true),
        &implied("2024-05-28T13:00:00Z")
    ));
    assert!(!holds(
        &consent(ConsentType::Any, true),
        &implied("2024-05-28T12:00:00Z")
    ));
    // An empty expiry means consent that does not expire.
    assert!(holds(&consent(ConsentType::Implied, true), &implied("")));
    // An expiry nobody can read is doubtful consent: not valid.
    assert!(!holds(
        &consent(ConsentType::Implied, true),
        &implied("someday")
    ));
}

#[test]
fn a_contact_without_consent_has_no_valid_consent() {
    let none = ContactFacts::default();
    assert!(!holds(&consent(ConsentType::Any, true), &none));
    assert!(holds(&consent(ConsentType::Any, false), &none));
    let odd = ContactFacts::default().with("consent_type", "maybe");
    assert!(!holds(&consent(ConsentType::Any, true), &odd));
}

#[test]
fn all_and_any_nest() {
    // French contacts in group 3 who opened more than 10 mailings, or anyone in group 7.
    let segment = Criteria::Any {
        of: vec![
            Criteria::All {
                of: vec![
                    field("country", FieldOp::Eq, json!("france")),
                    Criteria::InGroup { group_id: 3 },
                    Criteria::Any {
                        of: vec![
                            field("mailings_opened", FieldOp::Gt, json!(10)),
                            empty_check("firstname", FieldOp::IsEmpty),
                        ],
                    },
                ],
            },
            Criteria::InGroup { group_id: 7 },
        ],
    };
    assert!(holds(&segment, &john()));
    let fewer_opens = john().with("mailings_opened", 2);
    assert!(!holds(&segment, &fewer_opens));
    assert!(holds(&segment, &fewer_opens.in_group(7)));
    assert!(!holds(&segment, &ContactFacts::default()));
}

#[test]
fn an_empty_all_always_holds_and_an_empty_any_never_does() {
    assert!(holds(&Criteria::All { of: vec![] }, &john()));
    assert!(!holds(&Criteria::Any { of: vec![] }, &john()));
}
