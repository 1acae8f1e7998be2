//! `hookflow contacts import`, run as an operator runs it, against the database
//! of a running server.

use super::common::TestApp;
use reqwest::Method;
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};

fn import(app: &TestApp, file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hookflow"))
        .args(["--database-url", &app.database_url, "contacts", "import"])
        .arg(file)
        .args(["--account", &app.account.to_string()])
        .env_remove("HOOKFLOW_DATABASE_URL")
        .output()
        .expect("run hookflow")
}

/// A failure with exactly one line on stderr that contains `needle`.
fn assert_one_line_error(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line: {stderr}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(needle),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_csv_import_creates_and_updates_contacts_and_reports_bad_rows_by_line() {
    let app = TestApp::spawn().await;
    let points = json!({"key": "points", "label": "Points", "kind": "number"});
    app.send(Method::POST, "/api/v1/custom-fields", Some(points))
        .await;
    let ann = json!({"email": "ann@csv.example", "firstname": "Ann", "lastname": "Lee"});
    app.send(Method::POST, "/api/v1/contacts", Some(ann)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("contacts.csv");
    std::fs::write(
        &file,
        "Email,firstname,birthdate,points\n\
         ann@csv.example,Annie,,\n\
         bob@csv.example,Bob,1990-01-02,5\n\
         not-an-email,Carl,,\n\
         dan@csv.example,Dan,31/12/1990,\n\
         \"eve@csv.example\",\"Eve, Jr.\",,7\n\
         ann@csv.example,Annie,,\n\
         fay@csv.example,Fay\n",
    )
    .unwrap();
    let out = import(&app, &file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("2 created, 1 updated, 1 unchanged, 3 invalid"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 4: email: email must look like name@example.org"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 5: birthdate: must be a date written YYYY-MM-DD"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 8: has 2 values but the header row has 4"),
        "{stdout}"
    );

    let find = |email: &str| format!("/api/v1/contacts?email={email}");
    let (_, found) = app.send(Method::GET, &find("bob@csv.example"), None).await;
    assert_eq!(
        found["data"][0]["fields"],
        json!({"firstname": "Bob", "birthdate": "1990-01-02", "points": 5})
    );
    let (_, found) = app.send(Method::GET, &find("eve@csv.example"), None).await;
    assert_eq!(found["data"][0]["fields"]["firstname"], "Eve, Jr.");
    // An empty cell leaves the value as it was.
    let (_, found) = app.send(Method::GET, &find("ann@csv.example"), None).await;
    assert_eq!(
        found["data"][0]["fields"],
        json!({"firstname": "Annie", "lastname": "Lee"})
    );
    let kinds: Vec<String> = app
        .events(app.account)
        .await
        .into_iter()
        .map(|(_, k, _)| k)
        .collect();
    assert_eq!(
        kinds,
        [
            "contact_created",
            "contact_updated",
            "contact_created",
            "contact_created"
        ]
    );
}

#[tokio::test]
async fn a_missing_file_or_a_bad_header_stops_the_import_with_one_line() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    assert_one_line_error(
        &import(&app, &dir.path().join("nope.csv")),
        "cannot read the file",
    );
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "email,favourite_colour\nann@csv.example,blue\n").unwrap();
    assert_one_line_error(
        &import(&app, &file),
        "`favourite_colour`, which is not a field",
    );
    std::fs::write(&file, "firstname\nAnn\n").unwrap();
    assert_one_line_error(&import(&app, &file), "no `email` column");
    assert_eq!(
        app.send(Method::GET, "/api/v1/contacts", None).await.1["data"],
        json!([])
    );
}
