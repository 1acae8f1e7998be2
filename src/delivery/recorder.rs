//! Group commit of attempts: sends finish one by one, but their records are
//! written many per transaction, which is what lets SQLite keep up.

use super::limits::RecordSlot;
use crate::store::{AttemptRecord, Store};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

const MAX_BATCH: usize = 1024;

enum Message {
    /// The record, and the global slot it keeps taken until it is committed, so
    /// work sent but not yet recorded stays within the global cap.
    Record(AttemptRecord, RecordSlot),
    Flush(oneshot::Sender<()>),
}

pub struct Recorder {
    tx: mpsc::UnboundedSender<Message>,
}

impl Recorder {
    /// Starts the writer task. `on_recorded(n)` runs after each batch of `n` is committed.
    pub fn start(store: Store, on_recorded: impl Fn(usize) + Send + Sync + 'static) -> Recorder {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(store, rx, on_recorded));
        Recorder { tx }
    }

    pub fn push(&self, record: AttemptRecord, slot: RecordSlot) {
        // The writer only stops when every sender is gone, so this cannot fail
        // while the dispatcher exists.
        let _ = self.tx.send(Message::Record(record, slot));
    }

    /// Resolves once everything pushed before it is committed.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}

async fn write_loop(
    store: Store,
    mut rx: mpsc::UnboundedReceiver<Message>,
    on_recorded: impl Fn(usize),
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut slots = Vec::with_capacity(MAX_BATCH);
    let mut flushes = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Record(r, slot) => {
                    batch.push(r);
                    slots.push(slot);
                }
                Message::Flush(done) => flushes.push(done),
            }
            if batch.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !batch.is_empty() {
            write_until_done(&store, &batch).await;
            slots.clear();
            on_recorded(batch.len());
            batch.clear();
        }
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

/// An attempt that happened must be recorded: on a database error, try again.
/// (Meanwhile the leases run out, so at worst a request is sent again with the
/// same id, never lost.)
async fn write_until_done(store: &Store, batch: &[AttemptRecord]) {
    let mut pause = Duration::from_millis(50);
    loop {
        match store.record_attempts(batch).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, records = batch.len(), "could not record attempts; trying again");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
    }
}
