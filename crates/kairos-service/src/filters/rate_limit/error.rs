//! `RateLimitError`.

use std::error::Error;
use std::fmt;
use std::time::Duration;

/// Why a call through a [`RateLimit`](super::RateLimit) failed.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::rate_limit::RateLimitError;
/// use std::time::Duration;
///
/// let error: RateLimitError<std::io::Error> =
///     RateLimitError::Limited { retry_after: Duration::from_millis(20) };
/// assert_eq!(error.to_string(), "over the rate limit; a token is free in 20ms");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimitError<E> {
    /// The next token was further away than `max_wait` allows; the inner service was not
    /// called and no token was taken.
    Limited {
        /// When a call would find a token (if nobody else takes it first).
        retry_after: Duration,
    },
    /// The inner service failed.
    Inner(E),
}

impl<E> RateLimitError<E> {
    /// The inner service's error, if that is what this is.
    pub fn into_inner(self) -> Option<E> {
        match self {
            RateLimitError::Inner(error) => Some(error),
            RateLimitError::Limited { .. } => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for RateLimitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RateLimitError::Limited { retry_after } => {
                write!(f, "over the rate limit; a token is free in {retry_after:?}")
            }
            RateLimitError::Inner(error) => error.fmt(f),
        }
    }
}

/// `Inner` is transparent: it displays as the inner error and has the inner error's
/// source.
impl<E: Error + 'static> Error for RateLimitError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            RateLimitError::Inner(error) => error.source(),
            RateLimitError::Limited { .. } => None,
        }
    }
}
