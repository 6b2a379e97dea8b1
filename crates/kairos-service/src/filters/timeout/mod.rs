//! Timeout: fail a call that takes too long, and respect the caller's deadline.
//!
//! [`TimeoutFilter::new(d)`](TimeoutFilter::new) wraps a service in a [`Timeout`]: each
//! call gets a deadline `d` from when it was made, tightened by any deadline already in
//! force ([`deadline::current`](crate::deadline::current)), and the effective deadline is
//! put in force for the inner service so that timeouts further in respect it too.
//!
//! # Behaviour under failure
//!
//! - The call fails with [`TimeoutError::Elapsed`] when its own limit passes first, or
//!   [`TimeoutError::DeadlineExceeded`] when the caller's deadline does; the inner
//!   service's future is dropped at that moment (cancelling whatever it was doing). The
//!   timer fires at the deadline exactly (the runtime's timers have 1 ms resolution and
//!   never fire early).
//! - A call made when the caller's deadline has already passed fails with
//!   `DeadlineExceeded` at once, without calling the inner service.
//! - The inner future is polled before the timer, so an answer that is ready wins.
//! - Inner errors are passed on as [`TimeoutError::Inner`].
//!
//! [`status`](crate::Service::status) and `close` are the inner service's.
//!
//! # Panics
//!
//! Calls panic outside a Kairos runtime with timers enabled, as
//! [`kairos::time::timeout`] does.

mod error;
mod filter;
mod future;
mod service;

pub use self::error::TimeoutError;
pub use self::filter::TimeoutFilter;
pub use self::future::TimeoutFuture;
pub use self::service::Timeout;
