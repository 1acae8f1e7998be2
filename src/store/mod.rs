//! Storage: one contract, two engines.
//!
//! `Store` is an enum over a SQLite pool (the embedded default, WAL) and a
//! PostgreSQL pool (the scale-out engine). Every operation is written once: the
//! `on_pool!` macro expands the same body for each engine, so each is compiled
//! and type-checked against its native sqlx driver. SQL uses `$1` placeholders,
//! which both engines accept; where the dialects differ the body says so. The same
//! test suite (`tests/store.rs`) runs against both engines.

mod accounts;
mod connect;
mod deliveries;
mod error;

pub use accounts::{ApiToken, NewAccount, User, UserRole};
pub use connect::DatabaseUrl;
pub use deliveries::{
    AttemptRecord, AttemptRow, ClaimedDelivery, DeliveryState, NewDelivery, Resolution, StepStats,
    TargetId, TargetRow,
};
pub use error::StoreError;

use sqlx::{PgPool, SqlitePool};

#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the engine's own pool type.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite($pool) => $body,
            $crate::store::Store::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Store {
    pub fn engine(&self) -> Engine {
        match self {
            Store::Sqlite(_) => Engine::Sqlite,
            Store::Postgres(_) => Engine::Postgres,
        }
    }

    /// Answers when the database answers (the `/healthz` check).
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes every connection; in-flight queries finish first.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}
