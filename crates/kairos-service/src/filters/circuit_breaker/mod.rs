//! Circuit breaker: stop calling a service that keeps failing; probe it after a backoff.
//!
//! [`CircuitBreakerFilter`] wraps a service in a [`CircuitBreaker`] that accrues failures
//! (Finagle's failure accrual). Which outcomes are failures is a [`Classify`] (every `Err`
//! by default). The breaker has three states:
//!
//! ```text
//!            N failures in a row               backoff passed: the next call is the probe
//!  CLOSED ───────────────────────────▶ OPEN ─────────────────────────────────▶ HALF-OPEN
//!    ▲  (calls go through)             (calls fail at once)                (one probe in flight,
//!    │                                   ▲                                  other calls fail at once)
//!    │            probe succeeds         │        probe fails: open again,          │
//!    └───────────────────────────────────┼────────────── backoff doubled ◀──────────┘
//!                                        └─ (probe dropped unfinished: open, probe allowed now)
//! ```
//!
//! - **Closed**: calls go through; a failure adds to the count of consecutive failures,
//!   a success resets it. The `failures`-th failure in a row opens the breaker.
//! - **Open**: calls fail at once with [`CircuitBreakerError::Open`], without calling the
//!   inner service, until the backoff has passed ([`Backoff`](crate::filters::Backoff),
//!   doubling with each opening in a row, with jitter).
//! - **Half-open**: the first call after the backoff is the *probe*; it goes through while
//!   every other call fails at once. A successful probe closes the breaker (and resets the
//!   backoff), a failed one opens it again with the next, longer backoff. A probe dropped
//!   before it finished tells nothing: the breaker is open with its backoff already passed,
//!   so the next call probes.
//!
//! There is no timer: the move from open to half-open happens when a call arrives.
//!
//! # Behaviour under failure
//!
//! That is the whole point: see the states above. Inner errors are passed on as
//! [`CircuitBreakerError::Inner`]; outcomes of calls that started before the breaker
//! opened are ignored when they arrive while it is open (only the probe decides).
//!
//! # Status
//!
//! [`Busy`](crate::Status::Busy) while open with its backoff running, and while a probe is
//! in flight (a call now would be refused); once the backoff has passed, the inner
//! service's status (a call now would probe); when closed, the inner service's. It never
//! reports `Closed` of its own: an open breaker is temporary, and `Closed` means a service
//! is gone for good. `close` closes the inner service.
//!
//! # Shared state
//!
//! One breaker per wrapped service, inside the [`CircuitBreaker`] (a small state under a
//! mutex, taken once when a call starts and once when it ends). A breaker belongs to one
//! downstream: wrap each backend separately so that one bad backend opens only its own.

mod classify;
mod config;
mod error;
mod filter;
mod future;
mod service;
mod state;

pub use self::classify::{Classify, Errors};
pub use self::config::CircuitBreakerConfig;
pub use self::error::CircuitBreakerError;
pub use self::filter::CircuitBreakerFilter;
pub use self::future::CircuitBreakerFuture;
pub use self::service::CircuitBreaker;
