//! `RateLimit<S>`: the service.

use super::bucket::Bucket;
use super::{RateLimitConfig, RateLimitFuture};
use crate::filters::worst;
use crate::{Service, Status};
use kairos::time::Instant;

/// `S` behind a token bucket; made by [`RateLimitFilter`](super::RateLimitFilter).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::rate_limit::{RateLimit, RateLimitConfig, RateLimitError};
/// use kairos_service::{service_fn, Service, Status};
/// use std::time::Duration;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let config = RateLimitConfig::new(1, Duration::from_secs(60)).max_wait(Duration::ZERO);
/// let service = RateLimit::new(service_fn(|n: u8| async move { Ok::<_, ()>(n) }), config);
/// assert_eq!(service.call(1).await, Ok(1));
/// assert_eq!(service.status(), Status::Busy);
/// assert!(matches!(service.call(2).await, Err(RateLimitError::Limited { .. })));
/// # });
/// ```
#[derive(Debug)]
pub struct RateLimit<S> {
    inner: S,
    bucket: Bucket,
}

impl<S> RateLimit<S> {
    /// `inner`, limited as `config` says.
    pub fn new(inner: S, config: RateLimitConfig) -> RateLimit<S> {
        RateLimit {
            inner,
            bucket: Bucket::new(config),
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, Req> Service<Req> for RateLimit<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = super::RateLimitError<S::Error>;
    type Future<'a>
        = RateLimitFuture<'a, S, Req>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        match self.bucket.take(Instant::now()) {
            Ok(None) => RateLimitFuture::calling(&self.inner, &self.bucket, self.inner.call(req)),
            Ok(Some(reservation)) => {
                RateLimitFuture::waiting(&self.inner, &self.bucket, req, reservation)
            }
            Err(retry_after) => RateLimitFuture::limited(&self.inner, &self.bucket, retry_after),
        }
    }

    fn status(&self) -> Status {
        if self.bucket.is_empty(Instant::now()) {
            worst(Status::Busy, self.inner.status())
        } else {
            self.inner.status()
        }
    }

    fn close(&self) {
        self.inner.close()
    }
}
