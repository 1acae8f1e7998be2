//! A real HTTP receiver on loopback, standing in for the third-party application:
//! it answers with a status the test chooses (or hangs until released) and keeps
//! what it received.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_id: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// Every request with headers and body (tests).
    Full,
    /// Only `webhook-id` and arrival time (benchmarks: memory stays small).
    IdsOnly,
}

struct State {
    status: AtomicU16,
    retry_after: Mutex<Option<String>>,
    hang: AtomicBool,
    release: Notify,
    recording: Recording,
    received: Mutex<Vec<Received>>,
    count: AtomicU64,
}

#[derive(Clone)]
pub struct Receiver {
    state: Arc<State>,
    addr: SocketAddr,
}

impl Receiver {
    /// Listens on 127.0.0.1 on a free port; answers 200 until told otherwise.
    pub async fn start(recording: Recording) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("receiver address");
        let state = Arc::new(State {
            status: AtomicU16::new(200),
            retry_after: Mutex::new(None),
            hang: AtomicBool::new(false),
            release: Notify::new(),
            recording,
            received: Mutex::new(Vec::new()),
            count: AtomicU64::new(0),
        });
        let accept_state = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = accept_state.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Receiver { state, addr }
    }

    /// `http://127.0.0.1:PORT/PATH`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    pub fn set_status(&self, status: u16) {
        self.state.status.store(status, Ordering::SeqCst);
    }

    pub fn set_retry_after(&self, value: Option<&str>) {
        *self.state.retry_after.lock().expect("lock") = value.map(str::to_string);
    }

    /// From now on, requests wait (the connection stays open) until `release`.
    pub fn hang(&self) {
        self.state.hang.store(true, Ordering::SeqCst);
    }

    /// Answers every waiting request and stops hanging.
    pub fn release(&self) {
        self.state.hang.store(false, Ordering::SeqCst);
        self.state.release.notify_waiters();
    }

    /// Requests received so far (arrived, whether answered yet or not).
    pub fn count(&self) -> u64 {
        self.state.count.load(Ordering::SeqCst)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("lock").clone()
    }

    /// How many times each `webhook-id` arrived.
    pub fn id_counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for r in self.state.received.lock().expect("lock").iter() {
            *counts.entry(r.event_id.clone()).or_default() += 1;
        }
        counts
    }
}

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let at = Instant::now();
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let event_id = parts
        .headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let headers = match state.recording {
        Recording::Full => parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        Recording::IdsOnly => Vec::new(),
    };
    let body = if state.recording == Recording::Full {
        body
    } else {
        Bytes::new()
    };
    state.received.lock().expect("lock").push(Received {
        event_id,
        headers,
        body,
        at,
    });
    state.count.fetch_add(1, Ordering::SeqCst);
    while state.hang.load(Ordering::SeqCst) {
        let released = state.release.notified();
        if !state.hang.load(Ordering::SeqCst) {
            break;
        }
        released.await;
    }
    let status = state.status.load(Ordering::SeqCst);
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "text/plain");
    if let Some(v) = state.retry_after.lock().expect("lock").as_deref() {
        response = response.header("retry-after", v);
    }
    if (300..400).contains(&status) {
        response = response.header("location", "http://127.0.0.1:1/elsewhere");
    }
    Ok(response
        .body(Full::new(Bytes::from(format!(
            "receiver answered {status}"
        ))))
        .expect("valid response"))
}
