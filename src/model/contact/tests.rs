use super::*;
use crate::model::fields::{CustomField, CustomFieldKind};
use serde_json::json;

fn input(v: Value) -> ContactInput {
    serde_json::from_value(v).unwrap()
}

fn create(v: Value) -> Result<ContactChanges, Vec<FieldProblem>> {
    input(v).parse(&Catalogue::built_in(), InputMode::Create)
}

fn problems(v: Value) -> Vec<(String, String)> {
    create(v)
        .unwrap_err()
        .into_iter()
        .map(|p| (p.field, p.message))
        .collect()
}

#[test]
fn a_new_contact_is_normalised_in_catalogue_order() {
    let changes = create(json!({
        "lastname": "  Doe ",
        "email": " John.Doe@Example.ORG",
        "firstname": "John",
        "consent_type": "Express",
        "birthdate": "1990-04-23",
        "last_open_date": "2024-05-28T14:56:40+02:00",
        "subscription_date": "2024-05-01",
        "mailings_opened": "12",
        "bounce_count": 0,
    }))
    .unwrap();
    assert_eq!(changes.email.unwrap().as_str(), "john.doe@example.org");
    assert_eq!(
        changes.values,
        vec![
            ("firstname".into(), json!("John")),
            ("lastname".into(), json!("Doe")),
            ("birthdate".into(), json!("1990-04-23")),
            ("consent_type".into(), json!("express")),
            ("subscription_date".into(), json!("2024-05-01")),
            ("mailings_opened".into(), json!(12)),
            ("last_open_date".into(), json!("2024-05-28T12:56:40Z")),
            ("bounce_count".into(), json!(0)),
        ]
    );
}

#[test]
fn every_problem_is_reported_with_its_field() {
    let found = problems(json!({
        "birthdate": "23/04/1990",
        "consent_type": "maybe",
        "mailings_received": -1,
        "links_clicked": 2.5,
        "firstname": 7,
        "note": "x".repeat(MAX_NOTE_LEN + 1),
        "company": "x".repeat(MAX_TEXT_LEN + 1),
        "foo": "bar",
        "id": 3,
        "groups": ["VIP"],
        "last_click_date": "yesterday",
    }));
    let fields: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    for field in [
        "birthdate",
        "consent_type",
        "mailings_received",
        "links_clicked",
        "firstname",
        "note",
        "company",
        "foo",
        "id",
        "groups",
        "last_click_date",
        "email",
    ] {
        assert!(fields.contains(&field), "{field} missing from {found:?}");
    }
    let message = |field: &str| found.iter().find(|(f, _)| f == field).unwrap().1.clone();
    assert_eq!(
        message("foo"),
        "unknown field `foo`: create it as a custom field first"
    );
    assert_eq!(message("email"), "email is required");
    assert_eq!(
        message("birthdate"),
        "must be a date written YYYY-MM-DD, like 2024-05-28"
    );
    assert_eq!(message("consent_type"), "must be one of: express, implied");
    assert_eq!(message("company"), "must be at most 500 characters");
    assert_eq!(message("note"), "must be at most 5000 characters");
}

#[test]
fn a_malformed_email_or_impossible_date_is_refused() {
    assert_eq!(
        problems(json!({"email": "nobody"})),
        [(
            "email".to_string(),
            "email must look like name@example.org".to_string()
        )]
    );
    let found = problems(json!({"email": "a@b.org", "consent_expiry": "2024-02-30"}));
    assert_eq!(found[0].0, "consent_expiry");
    assert!(create(json!({"email": "a@b.org", "birthdate": "2024-2-3"})).is_err());
}

#[test]
fn null_or_blank_clears_and_an_update_needs_no_email() {
    let changes = input(json!({"firstname": null, "phone": "  ", "bounce_count": null}))
        .parse(&Catalogue::built_in(), InputMode::Update)
        .unwrap();
    assert_eq!(changes.email, None);
    assert!(changes.values.iter().all(|(_, v)| v.is_null()));
    let err = input(json!({"email": null}))
        .parse(&Catalogue::built_in(), InputMode::Update)
        .unwrap_err();
    assert_eq!(err[0].field, "email");
}

#[test]
fn custom_fields_are_parsed_by_their_kind() {
    let custom = [
        CustomField::new("points", "Points", CustomFieldKind::Number).unwrap(),
        CustomField::new("vip_since", "VIP since", CustomFieldKind::Date).unwrap(),
        CustomField::new("shoe", "Shoe", CustomFieldKind::Text).unwrap(),
    ];
    let catalogue = Catalogue::new(&custom);
    let ok = input(
        json!({"email": "a@b.org", "points": "-2.50", "vip_since": "2020-01-31", "shoe": " 42 "}),
    )
    .parse(&catalogue, InputMode::Create)
    .unwrap();
    assert_eq!(
        ok.values,
        vec![
            ("points".into(), json!(-2.5)),
            ("vip_since".into(), json!("2020-01-31")),
            ("shoe".into(), json!("42")),
        ]
    );
    let whole = input(json!({"points": "5.0"}))
        .parse(&catalogue, InputMode::Update)
        .unwrap();
    assert_eq!(whole.values, vec![("points".into(), json!(5))]);
    let err = input(json!({"email": "a@b.org", "points": "many", "vip_since": true}))
        .parse(&catalogue, InputMode::Create)
        .unwrap_err();
    assert_eq!(err.len(), 2);
}

#[test]
fn applying_changes_reports_only_what_really_changed() {
    let mut email = Email::parse("a@b.org").unwrap();
    let mut fields: BTreeMap<String, Value> = [
        ("firstname".to_string(), json!("Ann")),
        ("phone".to_string(), json!("1")),
    ]
    .into();
    let same = input(json!({"email": "A@B.org", "firstname": "Ann", "company": null}))
        .parse(&Catalogue::built_in(), InputMode::Update)
        .unwrap();
    assert!(same.apply(&mut email, &mut fields).is_empty());
    let changes = input(json!({"email": "c@d.org", "lastname": "Lee", "phone": null}))
        .parse(&Catalogue::built_in(), InputMode::Update)
        .unwrap();
    assert_eq!(
        changes.apply(&mut email, &mut fields),
        ["email", "lastname", "phone"]
    );
    assert_eq!(email.as_str(), "c@d.org");
    assert_eq!(fields.len(), 2);
    let created = create(json!({"email": "x@y.org", "firstname": "X", "phone": null})).unwrap();
    assert_eq!(created.initial_fields().len(), 1);
}
