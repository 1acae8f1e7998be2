//! Hookflow core: the domain of the Send a Webhook step.
//!
//! Pure types (`model`, most of `webhook`, the retry schedule) compile everywhere,
//! including wasm for the browser app. Everything that touches a database, the
//! network or the clock of the machine lives behind the `server` feature.

pub mod delivery;
pub mod engine;
pub mod model;
pub mod webhook;

#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod clock;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "server")]
pub mod testkit;
