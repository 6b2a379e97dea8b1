//! `Classify`: which outcomes count as failures.

/// Decides which outcomes a [circuit breaker](super) counts as failures.
///
/// Implemented by [`Errors`] (every `Err`, the default) and by closures
/// `Fn(&Result<Res, E>) -> bool`.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::circuit_breaker::Classify;
///
/// // A client error is the caller's fault, not a sign that the service is unhealthy.
/// let server_errors = |result: &Result<u16, u16>| matches!(result, Err(code) if *code >= 500);
/// assert!(server_errors.is_failure(&Err(503)));
/// assert!(!server_errors.is_failure(&Err(404)));
/// ```
pub trait Classify<Res, E> {
    /// Whether `result` counts as a failure.
    fn is_failure(&self, result: &Result<Res, E>) -> bool;
}

/// Counts every `Err` as a failure, every `Ok` as a success.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::circuit_breaker::{Classify, Errors};
///
/// assert!(Errors.is_failure(&Err::<(), ()>(())));
/// assert!(!Errors.is_failure(&Ok::<(), ()>(())));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Errors;

impl<Res, E> Classify<Res, E> for Errors {
    fn is_failure(&self, result: &Result<Res, E>) -> bool {
        result.is_err()
    }
}

impl<F, Res, E> Classify<Res, E> for F
where
    F: Fn(&Result<Res, E>) -> bool,
{
    fn is_failure(&self, result: &Result<Res, E>) -> bool {
        self(result)
    }
}
