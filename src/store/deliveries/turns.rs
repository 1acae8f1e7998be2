//! SQLite takes one writer at a time; a second one waits in SQLite's busy
//! handler, which sleeps (1, 2, 5, 10 ms and more) between tries. At thousands
//! of transactions a second those sleeps would be most of the time, so the
//! writers of the delivery tables (enqueue, claim, record) take turns here
//! first: in order, woken as soon as the previous one commits.

use sqlx::SqlitePool;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, Weak};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// One queue per database file; an entry lives while someone holds or waits
/// for its turn.
static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Weak<AsyncMutex<()>>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Waits for this database's write turn; the turn ends when the guard drops
/// (after the commit).
pub(super) async fn write_turn(pool: &SqlitePool) -> OwnedMutexGuard<()> {
    let queue = {
        let path = pool.connect_options().get_filename().to_path_buf();
        let mut queues = QUEUES.lock().expect("write turns lock");
        match queues.get(&path).and_then(Weak::upgrade) {
            Some(queue) => queue,
            None => {
                if queues.len() >= 64 {
                    queues.retain(|_, q| q.strong_count() > 0);
                }
                let queue = Arc::new(AsyncMutex::new(()));
                queues.insert(path, Arc::downgrade(&queue));
                queue
            }
        }
    };
    queue.lock_owned().await
}
