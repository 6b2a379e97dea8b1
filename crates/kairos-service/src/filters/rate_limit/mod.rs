//! Rate limit: a token bucket; calls past the rate wait for their token, or are refused.
//!
//! [`RateLimitFilter`] wraps a service in a [`RateLimit`] configured by a
//! [`RateLimitConfig`]: `rate` tokens every `per`, a bucket of `burst` tokens (full at the
//! start). Each call takes one token; a call that finds the bucket empty reserves the next
//! token to be added and sleeps until then, so waiting calls go through in arrival order,
//! exactly `per / rate` apart.
//!
//! The bucket is kept as one instant, the *theoretical arrival time* of the generic cell
//! rate algorithm (GCRA): the time at which the bucket would be full again. Taking a token
//! moves it `per / rate` later; the bucket is empty while it lies more than `burst - 1`
//! intervals in the future. No refill timer runs: time refills the bucket by passing.
//!
//! # Behaviour under failure
//!
//! - By default a call never fails because of the rate: it waits for its token. With
//!   [`max_wait`](RateLimitConfig::max_wait), a call whose token is further away than that
//!   fails at once with [`RateLimitError::Limited`] (saying when to retry) and takes no
//!   token. `max_wait(Duration::ZERO)` refuses every call past the rate.
//! - A waiting call that is dropped gives its token back if no later call has reserved one
//!   since; otherwise its slot is spent (the calls behind it keep their times).
//! - Inner errors are passed on as [`RateLimitError::Inner`]; a failed call still spent its
//!   token.
//!
//! # Status
//!
//! [`Busy`](crate::Status::Busy) while the bucket is empty (a call now would wait or be
//! refused), otherwise the inner service's. A [load-shedding
//! filter](crate::filters::load_shed) in front therefore refuses calls past the rate
//! instead of queueing them. `close` closes the inner service.
//!
//! # Shared state
//!
//! One bucket per wrapped service, inside the [`RateLimit`] (an instant under a mutex,
//! held for a few comparisons per call). Share the wrapped service to share the bucket.
//!
//! # Panics
//!
//! Calls that must wait panic outside a Kairos runtime with timers enabled.

mod bucket;
mod config;
mod error;
mod filter;
mod future;
mod service;

pub use self::config::RateLimitConfig;
pub use self::error::RateLimitError;
pub use self::filter::RateLimitFilter;
pub use self::future::RateLimitFuture;
pub use self::service::RateLimit;
