//! `TimeoutFuture`: the inner call, raced against the deadline.

use super::TimeoutError;
use crate::deadline::{self, Scoped};
use crate::Service;
use kairos::time::{timeout_at, Instant};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Whose deadline a call runs under, so that its expiry is reported as the right error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// The filter's own limit is the earlier.
    Own,
    /// The caller's deadline is the earlier.
    Caller,
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // Not polled yet: the deadline in force is read at the first poll.
        Start,
        Running {
            #[pin]
            timeout: kairos::time::Timeout<Scoped<F>>,
            cause: Cause,
        },
        Done,
    }
}

pin_project! {
    /// The future of [`Timeout`](super::Timeout).
    ///
    /// At its first poll it reads the deadline in force
    /// ([`deadline::current`](crate::deadline::current)), fails at once if that has passed,
    /// and otherwise calls the inner service with the earlier of that deadline and its own
    /// limit (counted from the call) in force. It drops the inner future, and cancels the
    /// timer, as soon as it completes either way, or when dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::time::Duration;
    /// use kairos_service::filters::timeout::{Timeout, TimeoutFuture};
    /// use kairos_service::{service_fn, Service};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let service = Timeout::new(service_fn(|()| async { Ok::<_, ()>(1) }), Duration::from_secs(1));
    /// let future: TimeoutFuture<'_, _, ()> = service.call(());
    /// assert_eq!(future.await.unwrap(), 1);
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct TimeoutFuture<'a, S, Req>
    where
        S: Service<Req>,
        S: 'a,
    {
        inner: &'a S,
        req: Option<Req>,
        own_deadline: Instant,
        #[pin]
        state: State<S::Future<'a>>,
    }
}

impl<'a, S, Req> TimeoutFuture<'a, S, Req>
where
    S: Service<Req>,
{
    pub(crate) fn new(inner: &'a S, req: Req, own_deadline: Instant) -> Self {
        TimeoutFuture {
            inner,
            req: Some(req),
            own_deadline,
            state: State::Start,
        }
    }
}

impl<'a, S, Req> Future for TimeoutFuture<'a, S, Req>
where
    S: Service<Req>,
{
    type Output = Result<S::Response, TimeoutError<S::Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let output = match this.state.as_mut().project() {
                StateProj::Start => {
                    let now = Instant::now();
                    let own = *this.own_deadline;
                    let (deadline, cause) = match deadline::current() {
                        Some(caller) if caller <= now => {
                            this.state.set(State::Done);
                            return Poll::Ready(Err(TimeoutError::DeadlineExceeded));
                        }
                        Some(caller) if caller < own => (caller, Cause::Caller),
                        _ => (own, Cause::Own),
                    };
                    let req = this
                        .req
                        .take()
                        .expect("the request is kept until the first poll");
                    let inner = *this.inner;
                    let future = deadline::with_deadline(Some(deadline), || inner.call(req));
                    let timeout = timeout_at(deadline, Scoped::new(Some(deadline), future));
                    this.state.set(State::Running { timeout, cause });
                    continue;
                }
                StateProj::Running { timeout, cause } => match ready!(timeout.poll(cx)) {
                    Ok(Ok(response)) => Ok(response),
                    Ok(Err(error)) => Err(TimeoutError::Inner(error)),
                    Err(_elapsed) if *cause == Cause::Own => Err(TimeoutError::Elapsed),
                    Err(_elapsed) => Err(TimeoutError::DeadlineExceeded),
                },
                StateProj::Done => panic!("`TimeoutFuture` polled after completion"),
            };
            this.state.set(State::Done);
            return Poll::Ready(output);
        }
    }
}
