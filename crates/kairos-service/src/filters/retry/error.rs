//! `RetryError` and `GaveUp`.

use std::error::Error;
use std::fmt;

/// Why a [`Retry`](super::Retry) stopped retrying a failed call.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::retry::GaveUp;
///
/// assert_eq!(GaveUp::Budget.to_string(), "the retry budget is spent");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GaveUp {
    /// The policy does not retry this outcome.
    NotRetryable,
    /// `max_attempts` attempts were made.
    Attempts,
    /// The policy could not copy the request for another attempt.
    NotReplayable,
    /// The backoff would end at or after the deadline in force.
    Deadline,
    /// The retry budget had no token left: retries are already at their share of the
    /// traffic (the downstream service is likely failing for everyone).
    Budget,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GaveUp::NotRetryable => "the error is not retryable",
            GaveUp::Attempts => "every attempt allowed was made",
            GaveUp::NotReplayable => "the request cannot be replayed",
            GaveUp::Deadline => "another attempt could not finish before the deadline",
            GaveUp::Budget => "the retry budget is spent",
        })
    }
}

/// A call through a [`Retry`](super::Retry) failed: the last attempt's error, how many
/// attempts were made, and why there was no other.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::retry::{GaveUp, RetryError};
///
/// let error = RetryError::new("refused", 3, GaveUp::Attempts);
/// assert_eq!(error.to_string(), "gave up after 3 attempts: every attempt allowed was made");
/// assert_eq!(error.inner(), &"refused");
/// assert_eq!(error.into_inner(), "refused");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryError<E> {
    error: E,
    attempts: u32,
    gave_up: GaveUp,
}

impl<E> RetryError<E> {
    /// The error of the last of `attempts` attempts, given up on because of `gave_up`.
    pub fn new(error: E, attempts: u32, gave_up: GaveUp) -> RetryError<E> {
        RetryError {
            error,
            attempts,
            gave_up,
        }
    }

    /// The last attempt's error.
    pub fn inner(&self) -> &E {
        &self.error
    }

    /// The last attempt's error, by value.
    pub fn into_inner(self) -> E {
        self.error
    }

    /// How many attempts were made, the first included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Why there was no further attempt.
    pub fn gave_up(&self) -> GaveUp {
        self.gave_up
    }
}

/// Says why the retries stopped; the last attempt's error is the [`source`](Error::source).
impl<E> fmt::Display for RetryError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.attempts == 1 { "" } else { "s" };
        write!(
            f,
            "gave up after {} attempt{plural}: {}",
            self.attempts, self.gave_up
        )
    }
}

/// The last attempt's error is the source.
impl<E: Error + 'static> Error for RetryError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}
