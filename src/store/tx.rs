//! A transaction on either engine, for work that must happen all or nothing
//! across several store operations (a journey step and its effects).

use super::{Store, StoreError};

pub enum StoreTx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the engine's own connection.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::store::StoreTx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::store::StoreTx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

impl Store {
    pub async fn begin(&self) -> Result<StoreTx, StoreError> {
        Ok(match self {
            Store::Sqlite(pool) => StoreTx::Sqlite(pool.begin().await?),
            Store::Postgres(pool) => StoreTx::Postgres(pool.begin().await?),
        })
    }
}

impl StoreTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            StoreTx::Sqlite(t) => t.commit().await?,
            StoreTx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
