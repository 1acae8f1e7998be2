//! SQLite takes one writer at a time; a second one waits in SQLite's busy
//! handler, which sleeps (1, 2, 5, 10 ms and more) between tries. At thousands
//! of transactions a second those sleeps would be most of the time, so the
//! writers of the delivery tables take turns here first, woken as soon as the
//! previous one commits.
//!
//! The dispatcher's writes (attempt records, give-backs; its claims are reads,
//! see `leases`) go before waiting enqueues: they are short, and every one
//! frees send slots, whereas an enqueue of a thousand contacts holds the
//! writer for tens of milliseconds. So that enqueues are never starved, one
//! waiting enqueue goes next after at most [`MAX_STREAK`] dispatcher turns in
//! a row. Within a kind, turns are taken in order of arrival.
//!
//! A turn writes on the file's one writer connection, kept open between turns.
//! In WAL mode a connection drops its page cache whenever another connection
//! wrote since its last transaction; writes spread over the pool's connections
//! therefore read every index page they touch again (a `read()` each). The
//! connection that made the last write keeps its cache, and keeps its prepared
//! statements too.

use super::checkpoint::Checkpointer;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, SqlitePool};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::oneshot;

/// Dispatcher turns that may go before a waiting enqueue, one after the other.
const MAX_STREAK: usize = 8;

/// Who wants to write, which decides who goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Writer {
    /// Attempt records, give-backs, expiries: short, and the sends wait for them.
    Dispatcher,
    /// New deliveries: possibly many in one transaction.
    Enqueue,
}

/// One queue per database file, with its writer connection; an entry lives
/// until its store is closed ([`close`]).
static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Arc<Queue>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

struct Queue {
    state: Mutex<State>,
    /// The writer connection between turns; opened by the first turn.
    parked: Mutex<Option<SqliteConnection>>,
    /// Copies what each turn committed into the database file, off the turn.
    checkpointer: Option<Checkpointer>,
}

impl Queue {
    fn new(checkpointer: Option<Checkpointer>) -> Queue {
        Queue {
            state: Mutex::default(),
            parked: Mutex::default(),
            checkpointer,
        }
    }
}

#[derive(Default)]
struct State {
    held: bool,
    dispatcher: VecDeque<oneshot::Sender<()>>,
    enqueue: VecDeque<oneshot::Sender<()>>,
    /// Dispatcher turns given in a row while an enqueue waited.
    streak: usize,
}

impl State {
    /// Who goes next, if anyone waits.
    fn next(&mut self) -> Option<oneshot::Sender<()>> {
        let dispatcher_first =
            !self.dispatcher.is_empty() && (self.enqueue.is_empty() || self.streak < MAX_STREAK);
        if dispatcher_first {
            if !self.enqueue.is_empty() {
                self.streak += 1;
            }
            self.dispatcher.pop_front()
        } else {
            self.streak = 0;
            self.enqueue.pop_front()
        }
    }
}

impl Queue {
    /// Ends the current turn: hands it to the next waiter still waiting, or
    /// leaves the queue free.
    fn pass_on(&self) {
        let mut state = self.state.lock().expect("write turns lock");
        while let Some(waiter) = state.next() {
            if waiter.send(()).is_ok() {
                return;
            }
            // That waiter gave up (its future was dropped): try the next.
        }
        state.held = false;
    }
}

/// This database's write turn; it ends when the guard drops (after the commit).
pub(super) struct Turn {
    queue: Arc<Queue>,
    conn: Option<SqliteConnection>,
}

impl Turn {
    /// The writer connection, for this turn's statements.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("a turn holds the connection")
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        // A transaction left open (its future dropped) was rolled back or is
        // queued to be, by sqlx, before the connection's next statement.
        if let Some(conn) = self.conn.take() {
            *self.queue.parked.lock().expect("writer lock") = Some(conn);
        }
        self.queue.pass_on();
        if let Some(checkpointer) = &self.queue.checkpointer {
            checkpointer.wake();
        }
    }
}

/// A place in the queue. Dropped before its turn came, it leaves the queue;
/// dropped just after the turn was handed to it, it passes the turn on.
struct Waiting {
    queue: Arc<Queue>,
    turn: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(mut turn) = self.turn.take() {
            // After close(), a hand-over either happened before (and is seen
            // here) or fails and goes to the next waiter.
            turn.close();
            if turn.try_recv().is_ok() {
                self.queue.pass_on();
            }
        }
    }
}

/// Waits for this database's write turn, with its writer connection (opened
/// with the pool's options the first time).
pub(super) async fn write_turn(pool: &SqlitePool, writer: Writer) -> Result<Turn, sqlx::Error> {
    if pool.is_closed() {
        return Err(sqlx::Error::PoolClosed);
    }
    let mut turn = queue_of(pool).take(writer).await;
    let parked = turn.queue.parked.lock().expect("writer lock").take();
    turn.conn = Some(match parked {
        Some(conn) => conn,
        None => pool.connect_options().connect().await?,
    });
    Ok(turn)
}

/// Closes this database's writer connection, when its store closes.
pub(super) async fn close(pool: &SqlitePool) {
    let path = pool.connect_options().get_filename().to_path_buf();
    let Some(queue) = QUEUES.lock().expect("write turns lock").remove(&path) else {
        return;
    };
    if let Some(checkpointer) = &queue.checkpointer {
        checkpointer.stop().await;
    }
    let parked = queue.parked.lock().expect("writer lock").take();
    if let Some(conn) = parked {
        let _ = conn.close().await;
    }
}

impl Queue {
    async fn take(self: Arc<Self>, writer: Writer) -> Turn {
        let handed = {
            let mut state = self.state.lock().expect("write turns lock");
            if !state.held {
                state.held = true;
                drop(state);
                return Turn {
                    queue: self,
                    conn: None,
                };
            }
            let (tx, rx) = oneshot::channel();
            match writer {
                Writer::Dispatcher => state.dispatcher.push_back(tx),
                Writer::Enqueue => state.enqueue.push_back(tx),
            }
            rx
        };
        let mut waiting = Waiting {
            queue: self.clone(),
            turn: Some(handed),
        };
        let handed = waiting.turn.as_mut().expect("set above");
        // `pass_on` never drops a waiter's sender without trying to hand it
        // the turn, so this resolves exactly when the turn is ours.
        let _ = handed.await;
        waiting.turn = None;
        Turn {
            queue: self,
            conn: None,
        }
    }
}

fn queue_of(pool: &SqlitePool) -> Arc<Queue> {
    let options = pool.connect_options();
    let path = options.get_filename().to_path_buf();
    QUEUES
        .lock()
        .expect("write turns lock")
        .entry(path)
        .or_insert_with(|| {
            let options = SqliteConnectOptions::clone(&options);
            Arc::new(Queue::new(Some(Checkpointer::start(options))))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use std::future::Future;
    use std::pin::pin;

    fn queue() -> Arc<Queue> {
        Arc::new(Queue::new(None))
    }

    fn turn(queue: &Arc<Queue>, writer: Writer) -> impl Future<Output = Turn> {
        queue.clone().take(writer)
    }

    #[test]
    fn the_dispatcher_goes_before_waiting_enqueues_but_never_starves_them() {
        let q = queue();
        let first = turn(&q, Writer::Enqueue).now_or_never().unwrap();
        let mut enqueue = pin!(turn(&q, Writer::Enqueue));
        assert!(enqueue.as_mut().now_or_never().is_none());
        let mut claims: Vec<_> = (0..MAX_STREAK + 1)
            .map(|_| Box::pin(turn(&q, Writer::Dispatcher)))
            .collect();
        for c in &mut claims {
            assert!(c.as_mut().now_or_never().is_none());
        }
        drop(first);
        // MAX_STREAK dispatcher turns, one after the other, before the enqueue.
        let mut claims = claims.into_iter();
        for _ in 0..MAX_STREAK {
            let mut claim = claims.next().unwrap();
            let held = claim.as_mut().now_or_never().expect("a dispatcher turn");
            drop(held);
        }
        let mut last = claims.next().unwrap();
        assert!(last.as_mut().now_or_never().is_none());
        let held = enqueue.as_mut().now_or_never().expect("the enqueue's turn");
        drop(held);
        assert!(last.as_mut().now_or_never().is_some());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn what_a_turn_commits_is_copied_into_the_file_off_the_turn() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("turns.db"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        let queue = queue_of(&pool);
        let mut passes = queue.checkpointer.as_ref().expect("started").passes();
        assert_eq!(passes.borrow().number, 0, "no pass before a turn");
        {
            let mut turn = write_turn(&pool, Writer::Enqueue).await.unwrap();
            sqlx::query("CREATE TABLE t (x TEXT)")
                .execute(turn.conn())
                .await
                .unwrap();
            sqlx::query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
                 INSERT INTO t SELECT hex(randomblob(500)) FROM n",
            )
            .execute(turn.conn())
            .await
            .unwrap();
        }
        // The turn's end woke the checkpointer: its pass found the turn's
        // pages in the log and copied every one.
        // The bound only turns a missing wake into a failure instead of a hung
        // test; it says nothing of speed (a pass takes well under a second).
        let woken = passes.wait_for(|p| p.number >= 1);
        let pass = *tokio::time::timeout(std::time::Duration::from_secs(30), woken)
            .await
            .expect("the turn's end wakes the checkpointer")
            .unwrap();
        assert!(pass.log > 10, "{pass:?}");
        assert_eq!(pass.copied, pass.log, "{pass:?}");
        close(&pool).await;
        pool.close().await;
    }

    #[test]
    fn a_waiter_that_gives_up_passes_the_turn_on() {
        let q = queue();
        let held = turn(&q, Writer::Dispatcher).now_or_never().unwrap();
        let mut gives_up = Box::pin(turn(&q, Writer::Dispatcher));
        assert!(gives_up.as_mut().now_or_never().is_none());
        let mut next = Box::pin(turn(&q, Writer::Enqueue));
        assert!(next.as_mut().now_or_never().is_none());
        // Handed the turn, then dropped before it ever ran.
        drop(held);
        drop(gives_up);
        let held = next.as_mut().now_or_never().expect("passed on");
        drop(held);
        // And the queue is free again.
        assert!(turn(&q, Writer::Enqueue).now_or_never().is_some());
    }
}
