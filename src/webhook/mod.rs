//! The Send a Webhook step: its configuration, its payload, and (on the server)
//! how a request is signed and sent.

pub mod config;
pub mod headers;
pub mod payload;
pub mod placeholders;
pub mod url;

#[cfg(feature = "server")]
pub mod policy;
#[cfg(feature = "server")]
pub mod sender;
#[cfg(feature = "server")]
pub mod signing;

