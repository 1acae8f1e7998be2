//! A transaction on either engine, for work that must happen all or nothing
//! across several store operations (a journey step and its effects).

use super::deliveries::Offering;
use super::{Store, StoreError};

pub enum StoreTx {
    Sqlite {
        tx: sqlx::Transaction<'static, sqlx::Sqlite>,
        /// The new deliveries it offers to this process's dispatcher.
        offering: Offering,
    },
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the engine's own connection.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::store::StoreTx::Sqlite { tx: t, .. } => {
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
            Store::Sqlite(pool) => StoreTx::Sqlite {
                tx: pool.begin().await?,
                offering: Offering::of(pool),
            },
            Store::Postgres(pool) => StoreTx::Postgres(pool.begin().await?),
        })
    }
}

impl StoreTx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            StoreTx::Sqlite { tx, offering } => {
                tx.commit().await?;
                offering.committed();
            }
            StoreTx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
