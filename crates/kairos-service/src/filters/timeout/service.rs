//! `Timeout<S>`: the service.

use super::TimeoutFuture;
use crate::{Service, Status};
use kairos::time::Instant;
use std::time::Duration;

/// Longer limits are cut to this (about 30 years), so that deadline arithmetic cannot
/// overflow.
const FOREVER: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `S` with a time limit on every call; made by [`TimeoutFilter`](super::TimeoutFilter).
///
/// # Examples
///
/// ```
/// use kairos::time::Duration;
/// use kairos_service::filters::timeout::Timeout;
/// use kairos_service::{service_fn, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let quick = service_fn(|n: u8| async move { Ok::<_, ()>(n) });
/// let service = Timeout::new(quick, Duration::from_secs(1));
/// assert_eq!(service.call(3).await.unwrap(), 3);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Timeout<S> {
    inner: S,
    timeout: Duration,
}

impl<S> Timeout<S> {
    /// `inner`, each call limited to `timeout`.
    pub fn new(inner: S, timeout: Duration) -> Timeout<S> {
        Timeout {
            inner,
            timeout: timeout.min(FOREVER),
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, Req> Service<Req> for Timeout<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = super::TimeoutError<S::Error>;
    type Future<'a>
        = TimeoutFuture<'a, S, Req>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        TimeoutFuture::new(&self.inner, req, Instant::now() + self.timeout)
    }

    fn status(&self) -> Status {
        self.inner.status()
    }

    fn close(&self) {
        self.inner.close()
    }
}
