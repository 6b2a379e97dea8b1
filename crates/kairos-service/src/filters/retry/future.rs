//! `RetryFuture`: attempt, classify, back off, attempt again.

use super::{GaveUp, Policy, Retry, RetryError};
use crate::{deadline, Service};
use kairos::time::{sleep_until, Instant, Sleep};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Calling {
            #[pin]
            future: F,
        },
        Backoff {
            sleep: Sleep,
        },
        Done,
    }
}

pin_project! {
    /// The future of [`Retry`](super::Retry): one attempt at a time, with backoffs in
    /// between.
    ///
    /// # Cancel safety
    ///
    /// Dropping it drops the attempt in flight (or cancels the backoff timer); no further
    /// attempt is made.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_service::filters::retry::{Retry, RetryConfig, RetryErrors, RetryFuture};
    /// use kairos_service::{service_fn, Service};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let service = Retry::new(
    ///     service_fn(|n: u8| async move { Ok::<_, ()>(n) }),
    ///     RetryErrors,
    ///     RetryConfig::new(),
    ///     Default::default(),
    /// );
    /// let call: RetryFuture<'_, _, _, u8> = service.call(1);
    /// assert_eq!(call.await, Ok(1));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct RetryFuture<'a, S, P, Req>
    where
        S: Service<Req>,
        S: 'a,
        P: 'a,
    {
        retry: &'a Retry<S, P>,
        // The copy of the request for the next attempt, if there may be one.
        spare: Option<Req>,
        attempts: u32,
        #[pin]
        state: State<S::Future<'a>>,
    }
}

impl<'a, S, P, Req> RetryFuture<'a, S, P, Req>
where
    S: Service<Req>,
    P: Policy<Req, S::Response, S::Error>,
{
    pub(crate) fn new(retry: &'a Retry<S, P>, req: Req) -> Self {
        let spare = spare_for(retry, &req, 1);
        RetryFuture {
            retry,
            spare,
            attempts: 1,
            state: State::Calling {
                future: retry.get_ref().call(req),
            },
        }
    }
}

/// A copy of `req` if attempt `attempt` may be followed by another.
fn spare_for<S, P, Req>(retry: &Retry<S, P>, req: &Req, attempt: u32) -> Option<Req>
where
    S: Service<Req>,
    P: Policy<Req, S::Response, S::Error>,
{
    if attempt < retry.max_attempts() {
        retry.policy().clone_request(req)
    } else {
        None
    }
}

impl<'a, S, P, Req> Future for RetryFuture<'a, S, P, Req>
where
    S: Service<Req>,
    P: Policy<Req, S::Response, S::Error>,
{
    type Output = Result<S::Response, RetryError<S::Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let retry = *this.retry;
        loop {
            match this.state.as_mut().project() {
                StateProj::Calling { future } => {
                    let result = ready!(future.poll(cx));
                    let attempts = *this.attempts;
                    let verdict = if !retry.policy().retry(&result) {
                        Err(GaveUp::NotRetryable)
                    } else if attempts >= retry.max_attempts() {
                        Err(GaveUp::Attempts)
                    } else if this.spare.is_none() {
                        Err(GaveUp::NotReplayable)
                    } else {
                        next_attempt_at(retry, attempts)
                    };
                    match verdict {
                        Ok(at) => {
                            this.state.set(State::Backoff {
                                sleep: sleep_until(at),
                            });
                        }
                        Err(gave_up) => {
                            this.state.set(State::Done);
                            let error = |error| RetryError::new(error, attempts, gave_up);
                            return Poll::Ready(result.map_err(error));
                        }
                    }
                }
                StateProj::Backoff { sleep } => {
                    ready!(Pin::new(sleep).poll(cx));
                    let req = this
                        .spare
                        .take()
                        .expect("a retry has a copy of the request");
                    *this.attempts += 1;
                    *this.spare = spare_for(retry, &req, *this.attempts);
                    let future = retry.get_ref().call(req);
                    this.state.set(State::Calling { future });
                }
                StateProj::Done => panic!("`RetryFuture` polled after completion"),
            }
        }
    }
}

/// When the next attempt may start, or why there is none: the deadline, then the budget.
fn next_attempt_at<S, P>(retry: &Retry<S, P>, attempts: u32) -> Result<Instant, GaveUp> {
    let at = Instant::now() + retry.backoff(attempts);
    if deadline::current().is_some_and(|deadline| at >= deadline) {
        return Err(GaveUp::Deadline);
    }
    if !retry.budget().withdraw() {
        return Err(GaveUp::Budget);
    }
    Ok(at)
}
