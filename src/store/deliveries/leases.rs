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
//! The new deliveries offered to the dispatcher (`offers`) are kept here too:
//! taking an offer grants a lease.
//!
//! Order matters in three places. A claim reads the leases before it reads
//! the rows, and attempts end their leases only after their transaction
//! committed: so a claim that no longer sees a lease reads the row as that
//! transaction left it. Grants (a claim's, from its read of the leases to its
//! grant, or the taking of offers) run one at a time. And a delivery is
//! offered before its transaction commits, so a claim that reads its row
//! finds it offered, and withdraws the offer as it grants the lease.

use super::offers::Offers;
use super::{ClaimedDelivery, TargetId};
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
    /// Held from a claim's read of the leases until it has granted its own,
    /// and while offers are taken.
    claiming: tokio::sync::Mutex<()>,
    held: Mutex<Held>,
    /// Locked while this entry lives: no other process dispatches from the file.
    _lock: File,
}

#[derive(Default)]
struct Held {
    leases: HashMap<i64, Lease>,
    offers: Offers,
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
        held.leases.retain(|_, lease| lease.until > now);
        json_array(held.leases.keys().copied())
    }

    /// What a claim leaves out at `now`: the deliveries leased, and those
    /// offered (taken from the offers instead), as a JSON array.
    pub fn unavailable_json(&self, now: i64) -> String {
        let mut held = self.held.lock().expect("leases lock");
        held.leases.retain(|_, lease| lease.until > now);
        json_array(held.leases.keys().copied().chain(held.offers.ids()))
    }

    /// When the first lease still held at `now` runs out (of all held with
    /// `i64::MIN`).
    pub fn first_end(&self, now: i64) -> Option<i64> {
        let held = self.held.lock().expect("leases lock");
        held.leases
            .values()
            .map(|l| l.until)
            .filter(|&u| u > now)
            .min()
    }

    /// Grants what a claim read, withdrawing any offer of those deliveries.
    /// Call holding [`Leases::claiming`].
    pub fn grant(&self, ids: &[(i64, TargetId)], owner: &str, until: i64) {
        let owner: Arc<str> = owner.into();
        let mut held = self.held.lock().expect("leases lock");
        held.offers
            .withdraw(ids.iter().map(|&(id, target)| (target, id)));
        for &(id, _) in ids {
            held.leases.insert(
                id,
                Lease {
                    owner: owner.clone(),
                    until,
                },
            );
        }
    }

    /// Takes committed offers due at `now` (at most `limit`, and of each
    /// target at most `cap(target)`), leasing them to `owner` until `until`. Call holding
    /// [`Leases::claiming`].
    pub fn take_offered(
        &self,
        owner: &str,
        (now, until): (i64, i64),
        limit: usize,
        cap: impl Fn(TargetId) -> i64,
    ) -> Vec<ClaimedDelivery> {
        let mut held = self.held.lock().expect("leases lock");
        let taken = held.offers.take(now, limit, cap);
        if !taken.is_empty() {
            let owner: Arc<str> = owner.into();
            for d in &taken {
                held.leases.insert(
                    d.id.0,
                    Lease {
                        owner: owner.clone(),
                        until,
                    },
                );
            }
        }
        taken
    }

    /// Runs `f` on the offers.
    pub fn offers<R>(&self, f: impl FnOnce(&mut Offers) -> R) -> R {
        f(&mut self.held.lock().expect("leases lock").offers)
    }

    /// Ends these leases: call once what ended them is committed.
    pub fn end(&self, ids: impl IntoIterator<Item = i64>) {
        let mut held = self.held.lock().expect("leases lock");
        for id in ids {
            held.leases.remove(&id);
        }
    }

    /// Of `ids`, those `owner` holds a lease on, run out or not (if another
    /// took it over, the lease is the other's); all of its leases when `ids`
    /// is `None`.
    pub fn held_by(&self, owner: &str, ids: Option<&[i64]>) -> Vec<i64> {
        let held = self.held.lock().expect("leases lock");
        let holds = |id: &i64| held.leases.get(id).is_some_and(|l| &*l.owner == owner);
        match ids {
            Some(ids) => ids.iter().copied().filter(holds).collect(),
            None => held.leases.keys().copied().filter(holds).collect(),
        }
    }
}

/// `[1,2,3]`, written straight into one string (on every claim): no text per id.
fn json_array(ids: impl Iterator<Item = i64>) -> String {
    use std::fmt::Write;
    let mut json = String::with_capacity(ids.size_hint().0 * 8 + 2);
    json.push('[');
    for (i, id) in ids.enumerate() {
        let comma = if i > 0 { "," } else { "" };
        let _ = write!(json, "{comma}{id}");
    }
    json.push(']');
    json
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
        let t = TargetId(1);
        leases.grant(&[(1, t), (2, t)], "a", 100);
        leases.grant(&[(3, t)], "b", 200);
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
        leases.grant(&[(3, t)], "c", 300);
        assert!(leases.held_by("b", None).is_empty());
        assert_eq!(leases.held_by("c", Some(&[3])), [3]);
        close(&pool);
        assert!(existing(&pool).is_none());
        pool.close().await;
    }

    #[tokio::test]
    async fn an_offer_becomes_a_lease_once_whoever_takes_it() {
        let dir = tempfile::tempdir().unwrap();
        let pool = pool(&dir.path().join("offers.db")).await;
        let leases = of(&pool).unwrap();
        let offer = |id: i64| ClaimedDelivery {
            id: crate::model::DeliveryId(id),
            target: TargetId(7),
            event_id: format!("evt_{id}"),
            body: "{}".into(),
            attempts: 0,
            created_at: chrono::Utc::now(),
            deadline_at: chrono::Utc::now(),
        };
        leases.offers(|o| {
            assert!(o.open("a", 1 << 20));
            for id in [1, 2, 3] {
                assert!(o.offer(offer(id), 0));
            }
            o.commit(&[(TargetId(7), 1), (TargetId(7), 2), (TargetId(7), 3)]);
        });
        leases.grant(&[(9, TargetId(8))], "b", 100);
        // Offered or leased, a claim leaves them out; only leases are in flight.
        let mut out: Vec<i64> = serde_json::from_str(&leases.unavailable_json(0)).unwrap();
        out.sort();
        assert_eq!(out, [1, 2, 3, 9]);
        assert_eq!(leases.leased_json(0), "[9]");
        // A claim that read one of them (its offer was made after the claim
        // read the leases) withdraws the offer as it grants the lease.
        leases.grant(&[(2, TargetId(7))], "b", 100);
        let taken = leases.take_offered("a", (0, 50), 10, |_| 10);
        assert_eq!(taken.iter().map(|d| d.id.0).collect::<Vec<_>>(), [1, 3]);
        assert!(leases.take_offered("a", (0, 50), 10, |_| 10).is_empty());
        assert_eq!(leases.held_by("a", None).len(), 2);
        assert_eq!(leases.held_by("b", Some(&[2, 9])), [2, 9]);
        assert_eq!(leases.first_end(0), Some(50));
        close(&pool);
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
