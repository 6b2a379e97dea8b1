//! `LoadShed<S>`: the service.

use super::{LoadShedError, LoadShedFuture};
use crate::{Service, Status};

/// `S`, refusing calls while it is not `Open`; made by
/// [`LoadShedFilter`](super::LoadShedFilter).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::load_shed::LoadShed;
/// use kairos_service::{service_fn, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = LoadShed::new(service_fn(|n: u32| async move { Ok::<_, ()>(n) }));
/// assert_eq!(service.call(5).await, Ok(5));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct LoadShed<S> {
    inner: S,
}

impl<S> LoadShed<S> {
    /// `inner`, shedding load.
    pub fn new(inner: S) -> LoadShed<S> {
        LoadShed { inner }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, Req> Service<Req> for LoadShed<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = LoadShedError<S::Error>;
    type Future<'a>
        = LoadShedFuture<S::Future<'a>, S::Error>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        match self.inner.status() {
            Status::Open => LoadShedFuture::called(self.inner.call(req)),
            Status::Busy => LoadShedFuture::shed(LoadShedError::Overloaded),
            Status::Closed => LoadShedFuture::shed(LoadShedError::Closed),
        }
    }

    fn status(&self) -> Status {
        self.inner.status()
    }

    fn close(&self) {
        self.inner.close()
    }
}
