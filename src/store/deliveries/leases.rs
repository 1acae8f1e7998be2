//! Leases on SQLite, held in the memory of the file's one dispatching process.
//!
//! On PostgreSQL several processes dispatch from the same tables, so a lease
//! is written into its delivery's row. A SQLite file is dispatched from by one
//! process at a time (an OS lock on `<file>-dispatch.lock` sees to it), so its
//! leases live here instead, and a claim is a read: it runs on one of the
//! pool's connections, beside the writer, instead of taking a write turn and
//! rewriting each claimed row and its place in the due index (BENCHMARKS.md,
//! eighth round).
//!
//! A lease held here means what a lease in the row means: the delivery is not
//! claimed again, nor counted as waiting, until it is recorded, given back, or
//! its lease runs out. When the process dies its leases die with it, and what
//! was in flight is due again at once: sent again with the same id, as a lease
//! running out would have it, only sooner.
//!
//! Order matters in two places. A claim reads the leases before it reads the
//! rows, and attempts end their leases only after their transaction
//! committed: so a claim that no longer sees a lease reads the row as that
//! transaction left it. And claims of one file run one at a time, from the
//! read to the grant.

use crate::store::StoreError;
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

/// The leases of each database file dispatched from in this process; an entry
/// lives until its store is closed ([`close`]).
static FILES: LazyLock<Mutex<HashMap<PathBuf, Arc<Leases>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

pub(super) struct Leases {
    /// Held from a claim's read of the leases until it has granted its own.
    claiming: tokio::sync::Mutex<()>,
    held: Mutex<HashMap<i64, Lease>>,
    /// Locked while this entry lives: no other process dispatches from the file.
    _lock: File,
}

struct Lease {
    owner: Arc<str>,
    /// Unix milliseconds.
    until: i64,
}

/// The leases of `pool`'s file, taking the file's dispatch lock the first time.
pub(super) fn of(pool: &SqlitePool) -> Result<Arc<Leases>, StoreError> {
    // A closed store has let its lock go: it must not take it again.
    if pool.is_closed() {
        return Err(sqlx::Error::PoolClosed.into());
    }
    let path = pool.connect_options().get_filename().to_path_buf();
    let mut files = FILES.lock().expect("leases lock");
    if let Some(leases) = files.get(&path) {
        return Ok(leases.clone());
    }
    let leases = Arc::new(Leases {
        claiming: tokio::sync::Mutex::new(()),
        held: Mutex::default(),
        _lock: dispatch_lock(&path)?,
    });
    files.insert(path, leases.clone());
    Ok(leases)
}

/// The leases of `pool`'s file, if this process has claimed from it.
pub(super) fn existing(pool: &SqlitePool) -> Option<Arc<Leases>> {
    let options = pool.connect_options();
    FILES
        .lock()
        .expect("leases lock")
        .get(options.get_filename())
        .cloned()
}

/// Forgets the file's leases and lets its dispatch lock go, when its store closes.
pub(super) fn close(pool: &SqlitePool) {
    let options = pool.connect_options();
    FILES
        .lock()
        .expect("leases lock")
        .remove(options.get_filename());
}

fn dispatch_lock(database: &Path) -> Result<File, StoreError> {
    let mut name = database.as_os_str().to_owned();
    name.push("-dispatch.lock");
    let path = PathBuf::from(name);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| {
            StoreError::Config(format!(
                "cannot open the dispatch lock {}: {e}",
                path.display()
            ))
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Config(format!(
            "another process is already sending the deliveries of {}: stop it first \
             (several processes can share a PostgreSQL database, not a SQLite file)",
            database.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Config(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

impl Leases {
    /// Waits for the other claims of this file to finish; a claim holds the
    /// guard from reading the leases to granting its own.
    pub async fn claiming(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.claiming.lock().await
    }

    /// The deliveries leased at `now`, as a JSON array for SQLite's `json_each`.
    /// Leases that ran out are forgotten (none with `i64::MIN`).
    pub fn leased_json(&self, now: i64) -> String {
        let mut held = self.held.lock().expect("leases lock");
        held.retain(|_, lease| lease.until > now);
        // On every claim: written straight into one string, no text per id.
        use std::fmt::Write;
        let mut json = String::with_capacity(held.len() * 8 + 2);
        json.push('[');
        for (i, id) in held.keys().enumerate() {
            let comma = if i > 0 { "," } else { "" };
            let _ = write!(json, "{comma}{id}");
        }
        json.push(']');
        json
    }

    /// When the first lease still held at `now` runs out (of all held with
    /// `i64::MIN`).
    pub fn first_end(&self, now: i64) -> Option<i64> {
        let held = self.held.lock().expect("leases lock");
        held.values().map(|l| l.until).filter(|&u| u > now).min()
    }

    pub fn grant(&self, ids: impl IntoIterator<Item = i64>, owner: &str, until: i64) {
        let owner: Arc<str> = owner.into();
        let mut held = self.held.lock().expect("leases lock");
        for id in ids {
            held.insert(
                id,
                Lease {
                    owner: owner.clone(),
                    until,
                },
            );
        }
    }

    /// Ends these leases: call once what ended them is committed.
    pub fn end(&self, ids: impl IntoIterator<Item = i64>) {
        let mut held = self.held.lock().expect("leases lock");
        for id in ids {
            held.remove(&id);
        }
    }

    /// Of `ids`, those `owner` holds a lease on, run out or not (if another
    /// took it over, the lease is the other's); all of its leases when `ids`
    /// is `None`.
    pub fn held_by(&self, owner: &str, ids: Option<&[i64]>) -> Vec<i64> {
        let held = self.held.lock().expect("leases lock");
        let holds = |id: &i64| held.get(id).is_some_and(|l| &*l.owner == owner);
        match ids {
            Some(ids) => ids.iter().copied().filter(holds).collect(),
            None => held.keys().copied().filter(holds).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;

    async fn pool(path: &Path) -> SqlitePool {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        SqlitePool::connect_with(options).await.unwrap()
    }

    #[tokio::test]
    async fn leases_run_out_end_and_belong_to_their_owner() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool(&dir.path().join("leases.db")).await;
        let leases = of(&pool).unwrap();
        assert!(Arc::ptr_eq(&leases, &existing(&pool).unwrap()));
        leases.grant([1, 2], "a", 100);
        leases.grant([3], "b", 200);
        let mut at_50: Vec<i64> = serde_json::from_str(&leases.leased_json(50)).unwrap();
        at_50.sort();
        assert_eq!(at_50, [1, 2, 3]);
        assert_eq!(leases.first_end(50), Some(100));
        assert_eq!(leases.held_by("a", Some(&[1, 3, 4])), [1]);
        let mut all_a = leases.held_by("a", None);
        all_a.sort();
        assert_eq!(all_a, [1, 2]);
        leases.end([1]);
        assert_eq!(leases.held_by("a", None), [2]);
        assert_eq!(leases.first_end(i64::MIN), Some(100));
        // At 100 the leases of "a" have run out: forgotten.
        assert_eq!(leases.leased_json(100), "[3]");
        assert_eq!(leases.first_end(100), Some(200));
        assert!(leases.held_by("a", None).is_empty());
        // Taken over, a lease is its new owner's.
        leases.grant([3], "c", 300);
        assert!(leases.held_by("b", None).is_empty());
        assert_eq!(leases.held_by("c", Some(&[3])), [3]);
        close(&pool);
        assert!(existing(&pool).is_none());
        pool.close().await;
    }

    #[tokio::test]
    async fn one_process_dispatches_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("locked.db");
        let pool = pool(&db).await;
        let leases = of(&pool).unwrap();
        // Another process holds the lock: here, another open file description
        // of the lock file, which flock treats the same way.
        let lock = dir.path().join("locked.db-dispatch.lock");
        let other = File::options().write(true).open(&lock).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        // So would this process, were its entry gone while the lock is held.
        close(&pool);
        drop(leases);
        let held = File::options().write(true).open(&lock).unwrap();
        held.try_lock().unwrap();
        let err = of(&pool)
            .err()
            .expect("refused while another holds the lock");
        assert!(
            err.to_string()
                .contains("another process is already sending"),
            "{err}"
        );
        drop(held);
        assert!(of(&pool).is_ok(), "taken once the other lets go");
        close(&pool);
        pool.close().await;
        // Closed, the store does not take the lock again.
        assert!(of(&pool).is_err());
        assert!(existing(&pool).is_none());
        File::options()
            .write(true)
            .open(&lock)
            .unwrap()
            .try_lock()
            .unwrap();
    }
}
