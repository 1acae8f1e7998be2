//! Storage: one contract, two engines.
//!
//! `Store` is an enum over a SQLite pool (the embedded default, WAL) and a
//! PostgreSQL pool (the scale-out engine). Every operation is written once: the
//! `on_pool!` macro expands the same body for each engine, so each is compiled
//! and type-checked against its native sqlx driver. SQL uses `$1` placeholders,
//! which both engines accept; where the dialects differ the body says so. The same
//! test suite (`tests/store.rs`) runs against both engines.

mod account_secrets;
mod accounts;
mod connect;
mod contact_effects;
mod contact_rows;
mod contacts;
mod contacts_bulk;
mod custom_fields;
mod deliveries;
mod delivery_actions;
mod delivery_log;
mod delivery_report;
mod error;
mod events;
mod forms;
mod groups;
mod journeys;
mod mailings;
mod scenarios;
mod sessions;
mod tracking;
mod tx;

pub use account_secrets::{TokenListing, UserListing};
pub use accounts::{ApiToken, NewAccount, User, UserRole};
pub use connect::DatabaseUrl;
pub use contact_effects::ContactSnapshot;
pub use contact_rows::Contact;
pub use contacts::{ContactPage, MAX_PAGE};
pub use contacts_bulk::UpsertOutcome;
pub use deliveries::{
    AttemptRecord, AttemptRow, ClaimAsk, ClaimedDelivery, DeliveryState, Missed, NewDelivery,
    Resolution, StepStats, TargetId, TargetRow,
};
pub use delivery_actions::{ActionRefused, DeliveryAction};
pub use delivery_log::{DeliveryDetail, DeliveryRow, LogQuery};
pub use delivery_report::{FailingDestination, FailureOutcome, StepCounts, TimelinePoint};
pub use error::Conflict;
pub use error::StoreError;
pub use events::StoredEvent;
pub use forms::{
    Form, FormContent, FormDefinition, FormEntry, FormField, FormId, FormKind, FormReceipt,
    FormReply, FormSubmission, PUBLIC_ID_LEN, Question, QuestionKind,
};
pub use groups::Group;
pub use journeys::{JourneyRow, JourneyState};
pub use mailings::{Mailing, MailingId, MailingName};
pub use scenarios::ScenarioRow;
pub use sessions::{
    ActiveSession, LOGIN_LIMIT_PER_ADDRESS, LOGIN_LIMIT_PER_EMAIL, LOGIN_WINDOW, LoginLimited,
    NewSession, SESSION_IDLE, SESSION_LIFETIME,
};
pub use tracking::{MailingRecipient, TrackingKey};
pub use tx::StoreTx;
pub(crate) use tx::on_tx;

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
        self.close_writer().await;
        on_pool!(self, pool => pool.close().await)
    }
}
