//! `ConcurrencyLimit<S>`: the service.

use super::limiter::Limiter;
use super::ConcurrencyLimitFuture;
use crate::filters::worst;
use crate::{Service, Status};

/// `S` with at most `max` calls in flight; made by
/// [`ConcurrencyLimitFilter`](super::ConcurrencyLimitFilter).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::concurrency_limit::ConcurrencyLimit;
/// use kairos_service::{service_fn, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = ConcurrencyLimit::new(service_fn(|n: u32| async move { Ok::<_, ()>(n) }), 2);
/// let (a, b, c) = futures::join!(service.call(1), service.call(2), service.call(3));
/// assert_eq!((a, b, c), (Ok(1), Ok(2), Ok(3))); // the third waited for a permit
/// assert_eq!(service.in_flight(), 0);
/// # });
/// ```
#[derive(Debug)]
pub struct ConcurrencyLimit<S> {
    inner: S,
    limiter: Limiter,
}

impl<S> ConcurrencyLimit<S> {
    /// `inner`, with at most `max` calls in flight.
    ///
    /// # Panics
    ///
    /// If `max` is zero.
    #[track_caller]
    pub fn new(inner: S, max: usize) -> ConcurrencyLimit<S> {
        assert!(
            max > 0,
            "a concurrency limit of 0 would never let a call through"
        );
        ConcurrencyLimit {
            inner,
            limiter: Limiter::new(max),
        }
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.limiter.max()
    }

    /// How many calls hold a permit now.
    pub fn in_flight(&self) -> usize {
        self.limiter.in_flight()
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, Req> Service<Req> for ConcurrencyLimit<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future<'a>
        = ConcurrencyLimitFuture<'a, S, Req>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        match self.limiter.try_acquire() {
            Some(permit) => ConcurrencyLimitFuture::calling(
                &self.inner,
                &self.limiter,
                self.inner.call(req),
                permit,
            ),
            None => ConcurrencyLimitFuture::queued(&self.inner, &self.limiter, req),
        }
    }

    fn status(&self) -> Status {
        if self.limiter.is_saturated() {
            worst(Status::Busy, self.inner.status())
        } else {
            self.inner.status()
        }
    }

    fn close(&self) {
        self.inner.close()
    }
}
