//! The Hookflow server: configuration, HTTP routes (UI, health), background work,
//! and the command-line tools around them.

pub mod api;
pub mod bench;
pub mod cli;
pub mod commands;
pub mod config;
pub mod delivery;
pub mod error;
pub mod routes;
pub mod session;
pub mod startup;
pub mod telemetry;
