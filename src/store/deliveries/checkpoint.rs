//! Checkpoints off the write turn. In WAL mode SQLite appends each commit to
//! the log and copies the log's pages back into the database file (a
//! checkpoint) once the log passes 1000 pages, inside the commit that crosses
//! that line: on the writer's turn, so every writer waits while it reads and
//! writes megabytes.
//!
//! So after each write turn a connection of its own copies what was just
//! committed, on its own thread: a passive checkpoint, which never blocks the
//! writer and never waits for it. The commit that crosses the line still
//! checkpoints, but finds nearly everything copied already; it is what lets
//! the log start again from its beginning, so the file stays small under a
//! steady stream of writes.
//!
//! In `bench dispatch` this cut the median time from enqueue to receipt to a
//! third; throughput stayed within the noise, since the copying still takes
//! its share of the two cores (BENCHMARKS.md, seventh round).

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

pub(super) struct Checkpointer {
    shared: Arc<Shared>,
    task: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    wake: Notify,
    stop: AtomicBool,
    /// After each pass: frames in the log, and frames copied to the file.
    passes: watch::Sender<Pass>,
}

/// What one checkpoint found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Pass {
    /// Passes made so far.
    pub number: u64,
    /// Pages in the log.
    pub log: i64,
    /// Pages of the log now copied into the database file.
    pub copied: i64,
}

impl Checkpointer {
    /// Starts the task; it connects with `options` the first time it is woken.
    pub fn start(options: SqliteConnectOptions) -> Checkpointer {
        let shared = Arc::new(Shared {
            wake: Notify::new(),
            stop: AtomicBool::new(false),
            passes: watch::Sender::new(Pass::default()),
        });
        let task = tokio::spawn(run(options, shared.clone()));
        Checkpointer {
            shared,
            task: Mutex::new(Some(task)),
        }
    }

    /// Something was committed: copy it soon. Wakes made while a pass runs
    /// make one more pass.
    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }

    /// The passes as they are made.
    #[cfg(test)]
    pub fn passes(&self) -> watch::Receiver<Pass> {
        self.shared.passes.subscribe()
    }

    /// Stops the task and closes its connection.
    pub async fn stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.wake.notify_one();
        let task = self.task.lock().expect("checkpointer lock").take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

async fn run(options: SqliteConnectOptions, shared: Arc<Shared>) {
    let mut conn = None;
    let mut number = 0;
    loop {
        shared.wake.notified().await;
        if shared.stop.load(Ordering::Acquire) {
            break;
        }
        if conn.is_none() {
            match options.connect().await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    // The writer's own checkpoints go on meanwhile.
                    tracing::warn!(error = %e, "checkpointer: cannot connect");
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        // Columns: busy (1 when another checkpoint was running), pages in the
        // log, pages copied.
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut *c)
            .await
            .and_then(|row| Ok((row.try_get::<i64, _>(1)?, row.try_get::<i64, _>(2)?)))
        {
            Ok((log, copied)) => {
                number += 1;
                shared.passes.send_replace(Pass {
                    number,
                    log,
                    copied,
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "checkpointer: checkpoint failed; reconnecting");
                if let Some(c) = conn.take() {
                    let _ = c.close().await;
                }
            }
        }
    }
    if let Some(c) = conn {
        let _ = c.close().await;
    }
}
