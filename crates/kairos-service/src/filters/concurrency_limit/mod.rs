//! Concurrency limit: at most `max` calls in flight; the rest wait their turn.
//!
//! [`ConcurrencyLimitFilter::new(max)`](ConcurrencyLimitFilter::new) wraps a service in a
//! [`ConcurrencyLimit`]. A call takes a permit before it calls the inner service and gives
//! it back when the inner future completes or is dropped. Calls that find no permit wait in
//! arrival order (first come, first served: a freed permit is handed to the longest waiter,
//! and new calls do not overtake the queue).
//!
//! # Behaviour under failure
//!
//! - The limit never fails a call itself; it delays it. Errors of the inner service pass
//!   through unchanged (the service's `Error` is the inner one). To refuse instead of
//!   queueing, put a [load-shedding filter](crate::filters::load_shed) in front of it.
//! - A waiting call that is dropped (its caller gave up, a timeout outside fired) leaves
//!   the queue; a permit handed to it just before is passed on, never lost.
//! - A call that panics or is dropped mid-flight gives its permit back.
//!
//! # Status
//!
//! [`Busy`](crate::Status::Busy) while every permit is taken or calls are waiting (a call
//! now would wait); otherwise the inner service's status. `close` closes the inner service.
//!
//! # Shared state
//!
//! One limit per wrapped service: the counter lives inside the [`ConcurrencyLimit`] and
//! calls borrow it (no `Arc`, no reference counting per call). Share the wrapped service to
//! share the limit.

mod filter;
mod future;
mod limiter;
mod service;

pub use self::filter::ConcurrencyLimitFilter;
pub use self::future::ConcurrencyLimitFuture;
pub use self::service::ConcurrencyLimit;
