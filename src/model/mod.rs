//! Pure domain types shared by the server and the browser app.

pub mod email;
pub mod fields;
pub mod ids;

pub use email::Email;
pub use ids::{AccountId, ContactId, DeliveryId, ScenarioId, StepId, UserId};
