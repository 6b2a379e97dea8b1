//! `TimeoutFuture`: the inner future, raced against the deadline.

use super::TimeoutError;
use crate::deadline::Scoped;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Whose deadline a call runs under, so that its expiry is reported as the right error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// The filter's own limit is the earlier.
    Own,
    /// The caller's deadline is the earlier.
    Caller,
}

pin_project! {
    #[project = StateProj]
    #[derive(Debug)]
    enum State<F> {
        Running {
            #[pin]
            timeout: kairos::time::Timeout<Scoped<F>>,
            cause: Cause,
        },
        Exceeded,
    }
}

pin_project! {
    /// The future of [`Timeout`](super::Timeout): the inner service's future `F`, with a
    /// deadline. Dropping it drops `F` and cancels the timer.
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
    /// let future: TimeoutFuture<_> = service.call(());
    /// assert_eq!(future.await.unwrap(), 1);
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct TimeoutFuture<F> {
        #[pin]
        state: State<F>,
    }
}

impl<F> TimeoutFuture<F> {
    pub(crate) fn running(timeout: kairos::time::Timeout<Scoped<F>>, cause: Cause) -> Self {
        TimeoutFuture {
            state: State::Running { timeout, cause },
        }
    }

    /// A call whose caller's deadline had passed: it fails at once.
    pub(crate) fn exceeded() -> Self {
        TimeoutFuture {
            state: State::Exceeded,
        }
    }
}

impl<F, T, E> Future for TimeoutFuture<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, TimeoutError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Exceeded => Poll::Ready(Err(TimeoutError::DeadlineExceeded)),
            StateProj::Running { timeout, cause } => Poll::Ready(match ready!(timeout.poll(cx)) {
                Ok(Ok(response)) => Ok(response),
                Ok(Err(error)) => Err(TimeoutError::Inner(error)),
                Err(_elapsed) if *cause == Cause::Own => Err(TimeoutError::Elapsed),
                Err(_elapsed) => Err(TimeoutError::DeadlineExceeded),
            }),
        }
    }
}
