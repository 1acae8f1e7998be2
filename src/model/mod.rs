//! Pure domain types shared by the server and the browser app.

pub mod contact;
pub mod email;
pub mod fields;
pub mod group;
pub mod ids;
pub mod scenario;

pub use email::Email;
pub use ids::{AccountId, ContactId, DeliveryId, ScenarioId, StepId, UserId};
pub use scenario::{ScenarioDefinition, ScenarioGraph, ScenarioStatus};
