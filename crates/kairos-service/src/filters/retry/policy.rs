//! `Policy`: which outcomes to retry, and how to copy a request for another attempt.

/// Decides which outcomes are worth another attempt, and copies requests for it.
///
/// The policy only classifies outcomes and copies requests; the [`Retry`](super::Retry)
/// service enforces the attempt limit, the backoff, the deadline and the budget. A request
/// that must not be sent twice (not idempotent) is one `clone_request` declines to copy.
///
/// # Examples
///
/// A policy for idempotent requests that retries only errors the server says are
/// temporary:
///
/// ```
/// use kairos_service::filters::retry::Policy;
///
/// #[derive(Clone)]
/// struct Get(String);
///
/// #[derive(Debug)]
/// enum Failure { Unavailable, NotFound }
///
/// struct RetryUnavailable;
/// impl<Res> Policy<Get, Res, Failure> for RetryUnavailable {
///     fn retry(&self, result: &Result<Res, Failure>) -> bool {
///         matches!(result, Err(Failure::Unavailable))
///     }
///     fn clone_request(&self, req: &Get) -> Option<Get> {
///         Some(req.clone())
///     }
/// }
///
/// let policy = RetryUnavailable;
/// let get = Get("/".into());
/// assert!(<RetryUnavailable as Policy<Get, (), _>>::retry(&policy, &Err(Failure::Unavailable)));
/// assert!(!<RetryUnavailable as Policy<Get, (), _>>::retry(&policy, &Err(Failure::NotFound)));
/// assert!(policy.clone_request(&get).is_some());
/// ```
pub trait Policy<Req, Res, E> {
    /// Whether `result`, the outcome of an attempt, is worth another attempt.
    fn retry(&self, result: &Result<Res, E>) -> bool;

    /// A copy of `req` for another attempt, made before each attempt that may be
    /// followed by one. `None` means the request cannot be replayed (a body that was
    /// streamed, say): the call is then not retried.
    fn clone_request(&self, req: &Req) -> Option<Req>;
}

/// Retries every error, never a success; copies requests with `Clone`.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::retry::{Policy, RetryErrors};
///
/// let retries = |result: Result<(), ()>| <RetryErrors as Policy<u8, _, _>>::retry(&RetryErrors, &result);
/// assert!(retries(Err(())));
/// assert!(!retries(Ok(())));
/// assert_eq!(RetryErrors.clone_request(&1u8), Some(1));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetryErrors;

impl<Req: Clone, Res, E> Policy<Req, Res, E> for RetryErrors {
    fn retry(&self, result: &Result<Res, E>) -> bool {
        result.is_err()
    }

    fn clone_request(&self, req: &Req) -> Option<Req> {
        Some(req.clone())
    }
}

/// A policy that retries the outcomes `predicate` picks; copies requests with `Clone`.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::retry::{retry_if, Policy};
///
/// // Retry errors, and successes that report a transient condition.
/// let policy = retry_if(|result: &Result<u16, String>| match result {
///     Ok(status) => *status == 503,
///     Err(_) => true,
/// });
/// let retries = |result: Result<u16, String>| Policy::<(), _, _>::retry(&policy, &result);
/// assert!(retries(Ok(503)));
/// assert!(!retries(Ok(200)));
/// ```
pub fn retry_if<F>(predicate: F) -> RetryIf<F> {
    RetryIf { predicate }
}

/// The policy returned by [`retry_if`].
#[derive(Debug, Clone, Copy)]
pub struct RetryIf<F> {
    predicate: F,
}

impl<F, Req, Res, E> Policy<Req, Res, E> for RetryIf<F>
where
    F: Fn(&Result<Res, E>) -> bool,
    Req: Clone,
{
    fn retry(&self, result: &Result<Res, E>) -> bool {
        (self.predicate)(result)
    }

    fn clone_request(&self, req: &Req) -> Option<Req> {
        Some(req.clone())
    }
}
