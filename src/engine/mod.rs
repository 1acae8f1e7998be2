//! The scenario engine: events enrol contacts into active scenarios, journeys
//! advance step by step (waits are rows with a due time), and a Send a Webhook
//! step writes its delivery in the same transaction that moves the contact on.
//!
//! Like the dispatcher, each piece is one step (`process_events`,
//! `advance_due_journeys`, `sweep_dates`) that tests call after moving the clock,
//! plus a loop (`run`) that only decides when to take them again.

pub mod event;

#[cfg(feature = "server")]
mod enrol;
#[cfg(feature = "server")]
mod journey;
#[cfg(feature = "server")]
mod runner;
#[cfg(feature = "server")]
mod scenarios;
#[cfg(feature = "server")]
mod sweep;
#[cfg(feature = "server")]
mod webhook_step;

#[cfg(feature = "server")]
pub use runner::{Engine, EngineConfig};
