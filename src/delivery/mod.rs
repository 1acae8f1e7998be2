//! Deliveries: the retry schedule (pure) and, on the server, the dispatcher.

pub mod schedule;
pub use schedule::{Next, RetrySchedule, ScheduleError};
