//! `RateLimitFuture`: wait for the reserved token, then call.

use super::bucket::{Bucket, Reservation};
use super::RateLimitError;
use crate::Service;
use kairos::time::{sleep_until, Sleep};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

pin_project! {
    #[project = StateProj]
    enum State<F, Req> {
        // `reservation` is given back if the call is dropped while waiting.
        Waiting {
            sleep: Sleep,
            req: Option<Req>,
            reservation: Option<Reservation>,
        },
        Calling {
            #[pin]
            future: F,
        },
        Limited {
            retry_after: Duration,
        },
        Done,
    }
}

pin_project! {
    /// The future of [`RateLimit`](super::RateLimit): sleeps until the call's token is due
    /// (if it was not in the bucket), then runs the inner call; or fails at once when the
    /// token was further away than `max_wait`.
    ///
    /// # Cancel safety
    ///
    /// Dropping it while it waits gives its token back, unless a later call has reserved
    /// one since.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_service::filters::rate_limit::{RateLimit, RateLimitConfig, RateLimitFuture};
    /// use kairos_service::{service_fn, Service};
    /// use std::time::Duration;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let config = RateLimitConfig::new(1000, Duration::from_secs(1));
    /// let service = RateLimit::new(service_fn(|()| async { Ok::<_, ()>(()) }), config);
    /// let call: RateLimitFuture<'_, _, ()> = service.call(());
    /// assert_eq!(call.await, Ok(()));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct RateLimitFuture<'a, S, Req>
    where
        S: Service<Req>,
        S: 'a,
    {
        inner: &'a S,
        bucket: &'a Bucket,
        #[pin]
        state: State<S::Future<'a>, Req>,
    }

    impl<'a, S, Req> PinnedDrop for RateLimitFuture<'a, S, Req>
    where
        S: Service<Req>,
        S: 'a,
    {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let StateProj::Waiting { reservation: Some(reservation), .. } = this.state.project() {
                this.bucket.give_back(reservation);
            }
        }
    }
}

impl<'a, S, Req> RateLimitFuture<'a, S, Req>
where
    S: Service<Req>,
{
    pub(crate) fn calling(inner: &'a S, bucket: &'a Bucket, future: S::Future<'a>) -> Self {
        RateLimitFuture {
            inner,
            bucket,
            state: State::Calling { future },
        }
    }

    pub(crate) fn waiting(
        inner: &'a S,
        bucket: &'a Bucket,
        req: Req,
        reservation: Reservation,
    ) -> Self {
        RateLimitFuture {
            inner,
            bucket,
            state: State::Waiting {
                sleep: sleep_until(reservation.at),
                req: Some(req),
                reservation: Some(reservation),
            },
        }
    }

    pub(crate) fn limited(inner: &'a S, bucket: &'a Bucket, retry_after: Duration) -> Self {
        RateLimitFuture {
            inner,
            bucket,
            state: State::Limited { retry_after },
        }
    }
}

impl<'a, S, Req> Future for RateLimitFuture<'a, S, Req>
where
    S: Service<Req>,
{
    type Output = Result<S::Response, RateLimitError<S::Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut state = this.state;
        loop {
            let output = match state.as_mut().project() {
                StateProj::Waiting {
                    sleep,
                    req,
                    reservation,
                } => {
                    ready!(Pin::new(sleep).poll(cx));
                    // The token is due: it is this call's now, whatever happens next.
                    *reservation = None;
                    let req = req.take().expect("a waiting call keeps its request");
                    let future = this.inner.call(req);
                    state.set(State::Calling { future });
                    continue;
                }
                StateProj::Calling { future } => {
                    ready!(future.poll(cx)).map_err(RateLimitError::Inner)
                }
                StateProj::Limited { retry_after } => Err(RateLimitError::Limited {
                    retry_after: *retry_after,
                }),
                StateProj::Done => panic!("`RateLimitFuture` polled after completion"),
            };
            state.set(State::Done);
            return Poll::Ready(output);
        }
    }
}
