//! `TimeoutError`.

use std::error::Error;
use std::fmt;

/// Why a call through a [`Timeout`](super::Timeout) failed.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::timeout::TimeoutError;
///
/// let error: TimeoutError<std::io::Error> = TimeoutError::Elapsed;
/// assert!(error.is_timeout());
/// assert_eq!(error.to_string(), "the call took longer than its timeout allows");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeoutError<E> {
    /// The filter's own time limit passed first; the inner call was dropped.
    Elapsed,
    /// The caller's deadline passed first (or had passed when the call was made, and the
    /// inner service was not called).
    DeadlineExceeded,
    /// The inner service failed.
    Inner(E),
}

impl<E> TimeoutError<E> {
    /// Whether a deadline (this filter's or the caller's) made the call fail.
    pub fn is_timeout(&self) -> bool {
        !matches!(self, TimeoutError::Inner(_))
    }

    /// The inner service's error, if that is what this is.
    pub fn into_inner(self) -> Option<E> {
        match self {
            TimeoutError::Inner(error) => Some(error),
            _ => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for TimeoutError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeoutError::Elapsed => f.write_str("the call took longer than its timeout allows"),
            TimeoutError::DeadlineExceeded => {
                f.write_str("the caller's deadline passed before the call completed")
            }
            TimeoutError::Inner(error) => error.fmt(f),
        }
    }
}

/// `Inner` is transparent: it displays as the inner error and has the inner error's
/// source.
impl<E: Error + 'static> Error for TimeoutError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            TimeoutError::Inner(error) => error.source(),
            _ => None,
        }
    }
}
