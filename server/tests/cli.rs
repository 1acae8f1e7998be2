//! The `hookflow` binary as an operator meets it: bad input gets one clear line
//! and a non-zero exit, never a panic trace.

use std::process::{Command, Output};

fn hookflow(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookflow"));
    cmd.args(args)
        .env_remove("HOOKFLOW_DATABASE_URL")
        .env_remove("HOOKFLOW_ADMIN_EMAIL")
        .env_remove("HOOKFLOW_ADMIN_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run hookflow")
}

/// Asserts a failure with exactly one line on stderr containing `needle`.
fn assert_one_line_error(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure, got success; stderr: {stderr}"
    );
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(
        lines[0].contains(needle),
        "expected `{needle}` in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}/data/hookflow.db", dir.path().display())
}

#[test]
fn help_lists_every_setting_with_its_environment_variable() {
    let out = hookflow(&["serve", "--help"], &[]);
    let help = String::from_utf8_lossy(&out.stdout);
    for var in [
        "HOOKFLOW_DATABASE_URL",
        "HOOKFLOW_BIND",
        "HOOKFLOW_LOG_FORMAT",
        "HOOKFLOW_LOG",
        "HOOKFLOW_SITE_ROOT",
        "HOOKFLOW_ADMIN_EMAIL",
        "HOOKFLOW_ADMIN_PASSWORD",
        "HOOKFLOW_SHUTDOWN_GRACE_SECS",
        "HOOKFLOW_DATABASE_CONNECTIONS",
        "HOOKFLOW_RETRY_SCHEDULE",
        "HOOKFLOW_RETRY_WINDOW",
        "HOOKFLOW_ALLOW_NETWORKS",
        "HOOKFLOW_CONNECT_TIMEOUT_SECS",
        "HOOKFLOW_REQUEST_TIMEOUT_SECS",
        "HOOKFLOW_DISPATCH_CONCURRENCY",
        "HOOKFLOW_DESTINATION_CONCURRENCY",
        "HOOKFLOW_LEASE_SECS",
        "HOOKFLOW_POLL_INTERVAL_MS",
    ] {
        assert!(help.contains(var), "{var} missing from:\n{help}");
    }
}

#[test]
fn a_malformed_database_url_is_refused() {
    let out = hookflow(
        &[
            "--database-url",
            "mysql://root:secret@db/x",
            "admin",
            "create",
            "--email",
            "a@b.org",
            "--password",
            "x",
        ],
        &[],
    );
    assert_one_line_error(&out, "is not supported");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("secret"));
    let out = hookflow(
        &["--database-url", "postgres://u@h:notaport/db", "serve"],
        &[],
    );
    assert_one_line_error(&out, "not a valid PostgreSQL URL");
}

#[test]
fn an_unreachable_postgresql_is_one_line() {
    let out = hookflow(
        &[
            "--database-url",
            "postgres://postgres@127.0.0.1:1/none",
            "serve",
        ],
        &[],
    );
    assert_one_line_error(&out, "cannot connect to the database");
}

#[test]
fn an_unwritable_data_folder_is_one_line() {
    // A folder below a regular file can never be created, even by root.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let url = format!("sqlite://{}/data/h.db", file.display());
    let out = hookflow(&["--database-url", &url, "serve"], &[]);
    assert_one_line_error(&out, "cannot create the data folder");
}

#[test]
fn a_port_already_in_use_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = hookflow(
        &[
            "--database-url",
            &sqlite_url(&dir),
            "serve",
            "--bind",
            &addr,
        ],
        &[],
    );
    assert_one_line_error(&out, &format!("cannot listen on {addr}"));
}

#[test]
fn an_admin_is_created_once_and_a_duplicate_email_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let create = |email: &str| {
        hookflow(
            &["--database-url", &url, "admin", "create", "--email", email],
            &[("HOOKFLOW_ADMIN_PASSWORD", "violet staple rocket")],
        )
    };
    let out = create("Owner@Example.org");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("owner@example.org"));
    assert!(
        dir.path().join("data/hookflow.db").exists(),
        "the data folder and file are created"
    );
    assert_one_line_error(
        &create("owner@example.org"),
        "a user with this email already exists",
    );
}

#[test]
fn weak_empty_or_malformed_admin_credentials_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let run = |email: &str, password: &str| {
        hookflow(
            &[
                "--database-url",
                &url,
                "admin",
                "create",
                "--email",
                email,
                "--password",
                password,
            ],
            &[],
        )
    };
    assert_one_line_error(
        &run("a@example.org", ""),
        "admin password: the password is empty",
    );
    assert_one_line_error(&run("a@example.org", "short"), "too short");
    assert_one_line_error(&run("a@example.org", "password1234"), "too easy to guess");
    assert_one_line_error(&run("not-an-email", "violet staple rocket"), "admin email");
}

#[test]
fn a_token_is_printed_once_and_only_its_hash_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let out = hookflow(
        &[
            "--database-url",
            &url,
            "admin",
            "create",
            "--email",
            "ops@example.org",
            "--password",
            "violet staple rocket",
        ],
        &[],
    );
    assert!(out.status.success());
    let out = hookflow(
        &[
            "--database-url",
            &url,
            "token",
            "create",
            "--email",
            "ops@example.org",
            "--name",
            "CRM",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("hf_") && token.len() == 46, "{token}");
    let db = std::fs::read(dir.path().join("data/hookflow.db")).unwrap();
    let wal = std::fs::read(dir.path().join("data/hookflow.db-wal")).unwrap_or_default();
    let needle = token.as_bytes();
    for bytes in [&db, &wal] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the token itself is stored"
        );
    }
    let out = hookflow(
        &[
            "--database-url",
            &url,
            "token",
            "create",
            "--email",
            "nobody@example.org",
        ],
        &[],
    );
    assert_one_line_error(&out, "no user with the email nobody@example.org");
}

#[test]
fn bad_delivery_settings_are_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let serve = |k: &str, v: &str| {
        hookflow(
            &["--database-url", &url, "serve", "--bind", "127.0.0.1:0"],
            &[(k, v)],
        )
    };
    assert_one_line_error(
        &serve("HOOKFLOW_RETRY_SCHEDULE", "5s,soon"),
        "`soon` is not a duration",
    );
    assert_one_line_error(
        &serve("HOOKFLOW_RETRY_WINDOW", "0s"),
        "HOOKFLOW_RETRY_WINDOW",
    );
    assert_one_line_error(
        &serve("HOOKFLOW_ALLOW_NETWORKS", "10.0.0.0/99"),
        "HOOKFLOW_ALLOW_NETWORKS",
    );
    assert_one_line_error(
        &serve("HOOKFLOW_DISPATCH_CONCURRENCY", "0"),
        "HOOKFLOW_DISPATCH_CONCURRENCY must be greater than 0",
    );
    assert_one_line_error(
        &serve("HOOKFLOW_LEASE_SECS", "10"),
        "HOOKFLOW_LEASE_SECS (10) must be longer",
    );
    assert!(
        !dir.path().join("data").exists(),
        "settings are checked before anything is created"
    );
}
