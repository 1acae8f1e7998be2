//! The Send a Webhook step: its configuration, its payload, and (on the server)
//! how a request is signed and sent.

pub mod config;
pub mod headers;
pub mod payload;
pub mod placeholders;
pub mod test_result;
pub mod url;

#[cfg(feature = "server")]
pub mod policy;
#[cfg(feature = "server")]
pub mod sender;
#[cfg(feature = "server")]
pub mod signing;
#[cfg(feature = "server")]
pub mod test_send;

pub use config::{
    AdditionalInfo, AdditionalInput, FieldError, WebhookStepConfig, WebhookStepInput,
    WebhookStepView,
};
pub use headers::{Header, HeaderInput, HeaderName, HeaderValue, RedactedHeader};
pub use payload::{ContactRecord, EventId, build_payload, to_bytes};
pub use placeholders::{PlaceholderInfo, Template, list_placeholders};
pub use url::WebhookUrl;
