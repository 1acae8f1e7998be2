//! Deliveries: the retry schedule (pure) and, on the server, the dispatcher that
//! claims due deliveries, sends them and records every attempt.

pub mod schedule;
pub use schedule::{Next, RetrySchedule, ScheduleError};

#[cfg(feature = "server")]
mod attempt;
#[cfg(feature = "server")]
pub mod dispatcher;
#[cfg(feature = "server")]
mod limits;
#[cfg(feature = "server")]
pub mod metrics;
#[cfg(feature = "server")]
mod plan;
#[cfg(feature = "server")]
mod recorder;
#[cfg(feature = "server")]
mod targets;

#[cfg(feature = "server")]
pub use dispatcher::{Dispatcher, DispatcherConfig, QUEUE_PER_SEND_SLOT};
