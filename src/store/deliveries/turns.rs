//! SQLite takes one writer at a time; a second one waits in SQLite's busy
//! handler, which sleeps (1, 2, 5, 10 ms and more) between tries. At thousands
//! of transactions a second those sleeps would be most of the time, so the
//! writers of the delivery tables take turns here first, woken as soon as the
//! previous one commits.
//!
//! The dispatcher's writes (claims, records, give-backs) go before waiting
//! enqueues: they are short, and every one lets sends run while SQLite works,
//! whereas an enqueue of a thousand contacts holds the writer for tens of
//! milliseconds. So that enqueues are never starved, one waiting enqueue goes
//! next after at most [`MAX_STREAK`] dispatcher turns in a row. Within a kind,
//! turns are taken in order of arrival.

use sqlx::SqlitePool;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use tokio::sync::oneshot;

/// Dispatcher turns that may go before a waiting enqueue, one after the other.
const MAX_STREAK: usize = 8;

/// Who wants to write, which decides who goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Writer {
    /// Claims, attempt records, give-backs: short, and the sends wait for them.
    Dispatcher,
    /// New deliveries: possibly many in one transaction.
    Enqueue,
}

/// One queue per database file; an entry lives while someone holds or waits
/// for its turn.
static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Weak<Queue>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

#[derive(Default)]
struct Queue {
    state: Mutex<State>,
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
pub(super) struct Turn(Arc<Queue>);

impl Drop for Turn {
    fn drop(&mut self) {
        self.0.pass_on();
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

/// Waits for this database's write turn.
pub(super) async fn write_turn(pool: &SqlitePool, writer: Writer) -> Turn {
    queue_of(pool).take(writer).await
}

impl Queue {
    async fn take(self: Arc<Self>, writer: Writer) -> Turn {
        let handed = {
            let mut state = self.state.lock().expect("write turns lock");
            if !state.held {
                state.held = true;
                drop(state);
                return Turn(self);
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
        Turn(self)
    }
}

fn queue_of(pool: &SqlitePool) -> Arc<Queue> {
    let path = pool.connect_options().get_filename().to_path_buf();
    let mut queues = QUEUES.lock().expect("write turns lock");
    if let Some(queue) = queues.get(&path).and_then(Weak::upgrade) {
        return queue;
    }
    if queues.len() >= 64 {
        queues.retain(|_, q| q.strong_count() > 0);
    }
    let queue = Arc::new(Queue::default());
    queues.insert(path, Arc::downgrade(&queue));
    queue
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use std::future::Future;
    use std::pin::pin;

    fn queue() -> Arc<Queue> {
        Arc::new(Queue::default())
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
