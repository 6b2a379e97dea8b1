//! `ConcurrencyLimitFuture`: wait for a permit, then call.

use super::limiter::{Enqueued, Limiter, Permit};
use crate::Service;
use kairos::sync::Notified;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    #[project = StateProj]
    enum State<'a, F, Req> {
        // No permit yet; `enabled` once counted in the limiter's queue (rule 2).
        Queued {
            #[pin]
            notified: Notified<'a>,
            req: Option<Req>,
            enabled: bool,
        },
        // Fields drop in order: the inner future, then the permit.
        Calling {
            #[pin]
            future: F,
            permit: Permit<'a>,
        },
        Done,
    }
}

pin_project! {
    /// The future of [`ConcurrencyLimit`](super::ConcurrencyLimit): waits for a permit if
    /// none is free, then runs the inner call holding it.
    ///
    /// # Cancel safety
    ///
    /// Dropping it while it waits leaves the queue (a permit handed to it is passed on);
    /// dropping it mid-call drops the inner future and frees the permit.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_service::filters::concurrency_limit::{ConcurrencyLimit, ConcurrencyLimitFuture};
    /// use kairos_service::{service_fn, Service};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let service = ConcurrencyLimit::new(service_fn(|()| async { Ok::<_, ()>(()) }), 1);
    /// let call: ConcurrencyLimitFuture<'_, _, ()> = service.call(());
    /// assert_eq!(call.await, Ok(()));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct ConcurrencyLimitFuture<'a, S, Req>
    where
        S: Service<Req>,
        S: 'a,
    {
        inner: &'a S,
        limiter: &'a Limiter,
        #[pin]
        state: State<'a, S::Future<'a>, Req>,
    }

    impl<'a, S, Req> PinnedDrop for ConcurrencyLimitFuture<'a, S, Req>
    where
        S: Service<Req>,
        S: 'a,
    {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            let mut state = this.state;
            // Rule 4: leave the queue under the limiter's lock, `Notified` included.
            let leaving = match state.as_mut().project() {
                StateProj::Queued { notified, enabled: true, .. } => {
                    Some(this.limiter.leave(notified))
                }
                _ => None,
            };
            state.set(State::Done);
            drop(leaving);
        }
    }
}

impl<'a, S, Req> ConcurrencyLimitFuture<'a, S, Req>
where
    S: Service<Req>,
{
    pub(crate) fn calling(
        inner: &'a S,
        limiter: &'a Limiter,
        future: S::Future<'a>,
        permit: Permit<'a>,
    ) -> Self {
        ConcurrencyLimitFuture {
            inner,
            limiter,
            state: State::Calling { future, permit },
        }
    }

    pub(crate) fn queued(inner: &'a S, limiter: &'a Limiter, req: Req) -> Self {
        ConcurrencyLimitFuture {
            inner,
            limiter,
            state: State::Queued {
                notified: limiter.notified(),
                req: Some(req),
                enabled: false,
            },
        }
    }
}

impl<'a, S, Req> Future for ConcurrencyLimitFuture<'a, S, Req>
where
    S: Service<Req>,
{
    type Output = Result<S::Response, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut state = this.state;
        loop {
            let permit = match state.as_mut().project() {
                StateProj::Calling { future, .. } => {
                    let output = ready!(future.poll(cx));
                    state.set(State::Done);
                    return Poll::Ready(output);
                }
                StateProj::Queued {
                    mut notified,
                    req,
                    enabled,
                } => {
                    let permit = if *enabled {
                        None
                    } else {
                        match this.limiter.enqueue(notified.as_mut()) {
                            Enqueued::Acquired(permit) => Some(permit),
                            Enqueued::Queued => {
                                *enabled = true;
                                None
                            }
                        }
                    };
                    let permit = match permit {
                        Some(permit) => permit,
                        None => {
                            // Rule 3: being woken is being handed a permit.
                            ready!(notified.poll(cx));
                            *enabled = false;
                            this.limiter.handed_over()
                        }
                    };
                    let req = req.take().expect("a queued call keeps its request");
                    (permit, req)
                }
                StateProj::Done => panic!("`ConcurrencyLimitFuture` polled after completion"),
            };
            let (permit, req) = permit;
            let future = this.inner.call(req);
            state.set(State::Calling { future, permit });
        }
    }
}
