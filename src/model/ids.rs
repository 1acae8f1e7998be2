//! Numeric identifiers. Each is its own type so an account id can never be passed
//! where a contact id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A tenant; the `idClient` of every webhook payload.
    AccountId
);
id_type!(
    /// A person who logs in; belongs to one account.
    UserId
);
id_type!(
    /// A contact (a `member` in webhook payloads).
    ContactId
);
id_type!(
    /// A scenario.
    ScenarioId
);
id_type!(
    /// A delivery: one webhook request for one contact at one step.
    DeliveryId
);

/// A step inside a scenario graph. Step ids are strings chosen by the editor
/// (stable across edits, so statistics stay attached to them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct StepId(pub String);

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
