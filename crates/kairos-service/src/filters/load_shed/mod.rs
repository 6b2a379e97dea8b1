//! Load shedding: refuse a call at once when the inner service is busy, instead of queueing.
//!
//! [`LoadShedFilter`] wraps a service in a [`LoadShed`], which asks the inner service's
//! [`status`](crate::Service::status) before each call: `Open` calls through, anything else
//! fails the call on the spot. Put it *outside* a filter that queues (a
//! [concurrency limit](crate::filters::concurrency_limit), a
//! [rate limit](crate::filters::rate_limit)) and excess load is turned away in nanoseconds
//! instead of waiting in a queue whose latency nobody wants.
//!
//! # Behaviour under failure
//!
//! - Inner status `Busy`: the call fails with [`LoadShedError::Overloaded`] without calling
//!   the inner service, on its first poll, with no timer and no waiting.
//! - Inner status `Closed`: the call fails with [`LoadShedError::Closed`], likewise.
//! - Otherwise the inner service's result is passed on (its errors as
//!   [`LoadShedError::Inner`]).
//! - The status is read when the call is made. On a multi-thread runtime another call can
//!   take the last permit between that read and the inner call; that call then waits in
//!   the inner queue as it would have without this filter. Shedding is a best effort
//!   that is exact on one thread.
//! - It sheds only what the inner service reports: with nothing busy-reporting inside
//!   (a bare service), it never sheds. Status travels up a stack, so *anything* inside
//!   that reports `Busy` counts: an open [circuit breaker](crate::filters::circuit_breaker)
//!   further in makes calls fail here, as `Overloaded`, before they reach it.
//!
//! # Status
//!
//! The inner service's (`Busy` means "calls are being shed now"). `close` closes the
//! inner service.
//!
//! # Shared state
//!
//! None: the decision is the inner service's status at the time of the call.

mod error;
mod filter;
mod future;
mod service;

pub use self::error::LoadShedError;
pub use self::filter::LoadShedFilter;
pub use self::future::LoadShedFuture;
pub use self::service::LoadShed;
