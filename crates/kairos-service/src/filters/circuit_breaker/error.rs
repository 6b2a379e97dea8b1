//! `CircuitBreakerError`.

use std::error::Error;
use std::fmt;

/// Why a call through a [`CircuitBreaker`](super::CircuitBreaker) failed.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::circuit_breaker::CircuitBreakerError;
///
/// let error: CircuitBreakerError<std::io::Error> = CircuitBreakerError::Open;
/// assert!(error.is_open());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CircuitBreakerError<E> {
    /// The breaker is open (or its probe is in flight): the inner service has been
    /// failing and was not called. Try another backend, or later.
    Open,
    /// The inner service failed.
    Inner(E),
}

impl<E> CircuitBreakerError<E> {
    /// Whether the call was refused by the open breaker.
    pub fn is_open(&self) -> bool {
        matches!(self, CircuitBreakerError::Open)
    }

    /// The inner service's error, if that is what this is.
    pub fn into_inner(self) -> Option<E> {
        match self {
            CircuitBreakerError::Inner(error) => Some(error),
            CircuitBreakerError::Open => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for CircuitBreakerError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CircuitBreakerError::Open => f.write_str(
                "the circuit breaker is open: the service kept failing and was not called",
            ),
            CircuitBreakerError::Inner(error) => error.fmt(f),
        }
    }
}

/// `Inner` is transparent: it displays as the inner error and has the inner error's
/// source.
impl<E: Error + 'static> Error for CircuitBreakerError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            CircuitBreakerError::Inner(error) => error.source(),
            CircuitBreakerError::Open => None,
        }
    }
}
