//! Retry: call again after a failure, with exponential backoff, jitter and a retry budget.
//!
//! [`RetryFilter::new(policy, config)`](RetryFilter::new) wraps a service in a [`Retry`].
//! The [`Policy`] says which outcomes are worth another attempt and how to copy a request
//! for it; the [`RetryConfig`] bounds the attempts, spaces them ([`Backoff`]: exponential,
//! with jitter so that clients that failed together do not retry together) and caps them
//! with a [`RetryBudget`].
//!
//! # The budget
//!
//! Retries multiply load exactly when a service is least able to take it: if every layer
//! of a call graph retries three times, an outage deep inside turns one request into
//! dozens. The budget (Finagle's, also Linkerd's) keeps retries to a fraction of the
//! traffic: every call deposits `ratio` of a token, every retry withdraws a whole token,
//! deposits expire after `ttl`, and a reserve of `min_per_second` retries a second keeps
//! quiet clients able to retry at all. With the defaults (20 %, 10 a second, 10 s) a
//! service in a full outage sees at most 1.2 times its normal load from this client, plus
//! the reserve, instead of `max_attempts` times.
//!
//! # Behaviour under failure
//!
//! An attempt whose outcome the policy calls retryable is retried after a backoff, unless
//! one of these stops it; the call then returns that attempt's outcome (an `Ok` as is,
//! an `Err` as a [`RetryError`] saying why it stopped and after how many attempts):
//!
//! - [`GaveUp::NotRetryable`]: the policy does not retry this outcome.
//! - [`GaveUp::Attempts`]: `max_attempts` reached.
//! - [`GaveUp::NotReplayable`]: the policy could not copy the request.
//! - [`GaveUp::Deadline`]: the backoff would end at or after the
//!   [deadline in force](crate::deadline): the retry could not finish in time.
//! - [`GaveUp::Budget`]: the budget has no token left.
//!
//! Dropping the call drops the attempt in flight or the backoff timer. Each attempt runs
//! under the deadline in force, so a [timeout](crate::filters::timeout) outside the retry
//! bounds all attempts together and one inside bounds each.
//!
//! # Status
//!
//! The inner service's; `close` closes it.
//!
//! # Shared state
//!
//! Each wrapped service has its own budget unless the filter was given one to share
//! ([`RetryFilter::with_budget`]): a budget is per *downstream*, and several services
//! reaching the same backend should share one. The budget is an `Arc` cloned once per
//! `wrap`, never per call; it is a small mutex-guarded ring of deposit slots.
//!
//! # Panics
//!
//! Backoffs panic outside a Kairos runtime with timers enabled.

mod budget;
mod config;
mod error;
mod filter;
mod future;
mod policy;
mod service;

pub use self::budget::RetryBudget;
pub use self::config::RetryConfig;
pub use self::error::{GaveUp, RetryError};
pub use self::filter::RetryFilter;
pub use self::future::RetryFuture;
pub use self::policy::{retry_if, Policy, RetryErrors, RetryIf};
pub use self::service::Retry;
pub use crate::filters::backoff::Backoff;
