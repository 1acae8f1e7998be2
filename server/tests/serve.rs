//! The real server, started as an operator starts it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Running {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(env: &[(&str, &str)]) -> Running {
    start_in(tempfile::tempdir().unwrap(), env).await
}

/// A server on `dir/h.db`.
async fn start_in(dir: tempfile::TempDir, env: &[(&str, &str)]) -> Running {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hookflow"));
    cmd.arg("serve")
        .env(
            "HOOKFLOW_DATABASE_URL",
            format!("sqlite://{}/h.db", dir.path().display()),
        )
        .env("HOOKFLOW_BIND", format!("127.0.0.1:{port}"))
        .env("HOOKFLOW_LOG_FORMAT", "json")
        .env_remove("HOOKFLOW_ADMIN_EMAIL")
        .env_remove("HOOKFLOW_ADMIN_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    // Readiness, not timing: poll until it answers (bounded so a broken build fails).
    for _ in 0..300 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return Running {
                child,
                base,
                _dir: dir,
            };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Not left running behind the failure.
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

fn terminate(running: &mut Running) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    running.child.wait().unwrap()
}

#[tokio::test]
async fn healthz_answers_when_the_database_answers_and_sigterm_exits_cleanly() {
    let mut server = start(&[]).await;
    let res = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert_eq!(body, r#"{"status":"ok","database":"ok"}"#);
    let status = terminate(&mut server);
    assert!(status.success(), "exit status {status:?}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(server.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    // Structured logs: every line is a JSON object.
    for line in stderr.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v.get("level").is_some(), "{line}");
    }
    assert!(stderr.contains("shutting down"), "{stderr}");
}

/// A SQLite file's leases live in the memory of the process dispatching from
/// it, so a second server on the same file would send the same deliveries:
/// it refuses to start, and says why.
#[tokio::test]
async fn a_second_server_on_the_same_sqlite_file_refuses_to_start() {
    let mut first = start(&[]).await;
    let port = free_port();
    let mut second = Command::new(env!("CARGO_BIN_EXE_hookflow"))
        .arg("serve")
        .env(
            "HOOKFLOW_DATABASE_URL",
            format!("sqlite://{}/h.db", first._dir.path().display()),
        )
        .env("HOOKFLOW_BIND", format!("127.0.0.1:{port}"))
        .env_remove("HOOKFLOW_ADMIN_EMAIL")
        .env_remove("HOOKFLOW_ADMIN_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It exits, or it answers (and the test fails); bounded so neither hangs.
    let mut exited = None;
    for _ in 0..300 {
        if let Some(status) = second.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        if reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_ok()
        {
            second.kill().unwrap();
            panic!("a second server started on the same SQLite file");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = exited.expect("the second server neither exited nor answered");
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(second.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("another process is already sending the deliveries of"),
        "{stderr}"
    );
    // The first one serves on, and once it is gone the file is free again.
    let res = reqwest::get(format!("{}/healthz", first.base))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(terminate(&mut first).success());
    let mut third = start_in(first._dir, &[]).await;
    assert!(terminate(&mut third).success());
}

#[tokio::test]
async fn the_first_start_creates_the_admin_from_the_environment() {
    let mut server = start(&[
        ("HOOKFLOW_ADMIN_EMAIL", "first@example.org"),
        ("HOOKFLOW_ADMIN_PASSWORD", "violet staple rocket"),
    ])
    .await;
    assert!(terminate(&mut server).success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(server.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("created the first account and its admin"),
        "{stderr}"
    );
}

#[tokio::test]
async fn pages_are_rendered_on_the_server() {
    let mut server = start(&[]).await;
    // Without a session every page leads to the login page (signed-in pages
    // and the 404 page are in tests/auth.rs).
    let res = reqwest::get(format!("{}/", server.base)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.url().path(), "/login");
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Log in") && html.contains("/pkg/hookflow.js"),
        "{html}"
    );
    let res = reqwest::get(format!("{}/no/such/page", server.base))
        .await
        .unwrap();
    assert_eq!(res.url().path(), "/login");
    assert!(terminate(&mut server).success());
}

#[tokio::test]
async fn metrics_are_served_in_prometheus_format() {
    let mut server = start(&[]).await;
    let res = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    for line in [
        "hookflow_deliveries{state=\"pending\"} 0",
        "hookflow_deliveries{state=\"accepted\"} 0",
        "hookflow_deliveries{state=\"failed\"} 0",
        "hookflow_oldest_due_delivery_age_seconds 0",
        "# TYPE hookflow_attempt_duration_seconds histogram",
        "hookflow_attempt_duration_seconds_count 0",
        "hookflow_dispatch_pickups_total{source=\"claim\"} 0",
        "hookflow_dispatch_pickups_total{source=\"offer\"} 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
    assert!(terminate(&mut server).success());
}
