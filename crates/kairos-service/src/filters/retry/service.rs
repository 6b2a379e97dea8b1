//! `Retry<S, P>`: the service.

use super::{Policy, RetryBudget, RetryConfig, RetryError, RetryFuture};
use crate::filters::backoff::Jitter;
use crate::{Service, Status};
use std::sync::Arc;
use std::time::Duration;

/// `S`, with failed calls retried as `P` says; made by [`RetryFilter`](super::RetryFilter).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::retry::{GaveUp, Retry, RetryBudget, RetryConfig, RetryErrors};
/// use kairos_service::{service_fn, Service};
/// use std::sync::Arc;
///
/// #[kairos::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let down = service_fn(|()| async { Err::<(), _>("down") });
///     let budget = Arc::new(RetryBudget::default());
///     let service = Retry::new(down, RetryErrors, RetryConfig::new(), budget);
///     let error = service.call(()).await.unwrap_err();
///     assert_eq!((error.attempts(), error.gave_up()), (3, GaveUp::Attempts));
/// }
/// ```
#[derive(Debug)]
pub struct Retry<S, P> {
    inner: S,
    policy: P,
    config: RetryConfig,
    budget: Arc<RetryBudget>,
    jitter: Jitter,
}

impl<S, P> Retry<S, P> {
    /// `inner`, retried as `policy` and `config` say, drawing on `budget` (the budget
    /// settings in `config` are not used).
    pub fn new(inner: S, policy: P, config: RetryConfig, budget: Arc<RetryBudget>) -> Retry<S, P> {
        Retry {
            inner,
            policy,
            jitter: Jitter::new(config.seed),
            config,
            budget,
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The budget this service draws on.
    pub fn budget(&self) -> &Arc<RetryBudget> {
        &self.budget
    }

    pub(crate) fn policy(&self) -> &P {
        &self.policy
    }

    pub(crate) fn max_attempts(&self) -> u32 {
        self.config.max_attempts
    }

    /// The jittered wait before retry `retry` (counting from 1).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        self.config.backoff.delay(retry, self.jitter.next_unit())
    }
}

impl<S, P, Req> Service<Req> for Retry<S, P>
where
    S: Service<Req>,
    P: Policy<Req, S::Response, S::Error>,
{
    type Response = S::Response;
    type Error = RetryError<S::Error>;
    type Future<'a>
        = RetryFuture<'a, S, P, Req>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        self.budget.deposit();
        RetryFuture::new(self, req)
    }

    fn status(&self) -> Status {
        self.inner.status()
    }

    fn close(&self) {
        self.inner.close()
    }
}
