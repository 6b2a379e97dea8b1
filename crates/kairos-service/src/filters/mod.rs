//! The standard filters, one module each.
//!
//! | filter | what it does | fails with |
//! |---|---|---|
//! | [`TimeoutFilter`] | a time limit per call; respects the caller's [deadline](crate::deadline) | [`TimeoutError`](timeout::TimeoutError) |
//! | [`DeadlineFilter`] | puts a deadline carried in the request in force | nothing of its own |
//! | [`ConcurrencyLimitFilter`] | at most N calls in flight, the rest wait in order | nothing of its own |
//! | [`RateLimitFilter`] | a token bucket: calls past the rate wait (or are refused) | [`RateLimitError`](rate_limit::RateLimitError) |
//! | [`RetryFilter`] | retries with exponential backoff, jitter and a budget | [`RetryError`](retry::RetryError) |
//! | [`CircuitBreakerFilter`] | stops calling after N failures in a row, probes after a backoff | [`CircuitBreakerError`](circuit_breaker::CircuitBreakerError) |
//! | [`LoadShedFilter`] | refuses calls at once while the inner service is busy | [`LoadShedError`](load_shed::LoadShedError) |
//! | [`LogFilter`] | a `tracing` span per call, an event per completion | nothing of its own |
//!
//! Every filter documents its behaviour under failure, the [`Status`] it reports and how
//! its state is shared. None of them allocates per call.

mod backoff;
pub mod circuit_breaker;
pub mod concurrency_limit;
pub mod deadline;
pub mod load_shed;
pub mod log;
pub mod rate_limit;
pub mod retry;
pub mod timeout;

pub use self::backoff::Backoff;
pub use self::circuit_breaker::CircuitBreakerFilter;
pub use self::concurrency_limit::ConcurrencyLimitFilter;
pub use self::deadline::DeadlineFilter;
pub use self::load_shed::LoadShedFilter;
pub use self::log::LogFilter;
pub use self::rate_limit::RateLimitFilter;
pub use self::retry::RetryFilter;
pub use self::timeout::TimeoutFilter;

use crate::Status;

/// The less available of two statuses: `Closed` over `Busy` over `Open`.
pub(crate) fn worst(a: Status, b: Status) -> Status {
    match (a, b) {
        (Status::Closed, _) | (_, Status::Closed) => Status::Closed,
        (Status::Busy, _) | (_, Status::Busy) => Status::Busy,
        _ => Status::Open,
    }
}
