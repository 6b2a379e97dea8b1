//! `Policy`: which outcomes to retry, and how to copy a request for another attempt.

/// Decides which outcomes are worth another attempt, and copies requests for it.
///
/// The policy only classifies outcomes and copies requests; the [`Retry`](super::Retry)
/// service enforces the attempt limit, the backoff, the deadline and the budget. A request
/// that must not be sent twice (not idempotent) is one `clone_request` declines to copy.
///
/// # Examples
///
/// A policy that retries only errors the server says are temporary, and only requests
/// that are safe to send twice:
///
/// ```
/// use kairos_service::filters::retry::{GaveUp, Policy, RetryConfig, RetryFilter};
/// use kairos_service::{service_fn, Filter, Service};
///
/// #[derive(Clone)]
/// enum Request { Get(String), Post(String) }
///
/// #[derive(Debug, PartialEq)]
/// enum Failure { Unavailable, NotFound }
///
/// #[derive(Clone)]
/// struct Idempotent;
/// impl<Res> Policy<Request, Res, Failure> for Idempotent {
///     fn retry(&self, result: &Result<Res, Failure>) -> bool {
///         matches!(result, Err(Failure::Unavailable))
///     }
///     fn clone_request(&self, req: &Request) -> Option<Request> {
///         match req {
///             Request::Get(_) => Some(req.clone()),
///             Request::Post(_) => None, // never sent twice
///         }
///     }
/// }
///
/// #[kairos::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let down = service_fn(|_: Request| async { Err::<(), _>(Failure::Unavailable) });
///     let service = RetryFilter::new(Idempotent, RetryConfig::new()).wrap(down);
///     let get = service.call(Request::Get("/".into())).await.unwrap_err();
///     assert_eq!((get.attempts(), get.gave_up()), (3, GaveUp::Attempts));
///     let post = service.call(Request::Post("/".into())).await.unwrap_err();
///     assert_eq!((post.attempts(), post.gave_up()), (1, GaveUp::NotReplayable));
/// }
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
/// fn retries(result: Result<(), ()>) -> bool {
///     Policy::<u8, _, _>::retry(&RetryErrors, &result)
/// }
/// assert!(retries(Err(())));
/// assert!(!retries(Ok(())));
/// assert_eq!(Policy::<u8, (), ()>::clone_request(&RetryErrors, &7), Some(7));
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
