//! `IntoTower`: a Kairos service called as a tower service.

use crate::Service;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The future of [`IntoTower`]: the Kairos call, boxed together with the service it
/// borrows.
pub type IntoTowerFuture<Res, E> = Pin<Box<dyn Future<Output = Result<Res, E>> + Send>>;

/// A Kairos [`Service`] as a `tower::Service`: the service is kept in an `Arc`, and each
/// call boxes a future holding a clone of it (see the [module docs](super) for why).
///
/// # Behaviour under failure
///
/// `poll_ready` is always ready; errors of the call pass through.
///
/// # Examples
///
/// ```
/// use kairos_service::service_fn;
/// use kairos_service::tower::IntoTower;
/// use tower::ServiceExt;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = IntoTower::new(service_fn(|n: u32| async move { Ok::<_, std::io::Error>(n * 3) }));
/// assert_eq!(service.oneshot(5).await.unwrap(), 15);
/// # });
/// ```
#[derive(Debug)]
pub struct IntoTower<S> {
    inner: Arc<S>,
}

impl<S> Clone for IntoTower<S> {
    fn clone(&self) -> IntoTower<S> {
        IntoTower {
            inner: self.inner.clone(),
        }
    }
}

impl<S> IntoTower<S> {
    /// `inner` as a tower service.
    pub fn new(inner: S) -> IntoTower<S> {
        IntoTower {
            inner: Arc::new(inner),
        }
    }

    /// A service already shared, as a tower service.
    pub fn from_arc(inner: Arc<S>) -> IntoTower<S> {
        IntoTower { inner }
    }

    /// The Kairos service.
    pub fn get_ref(&self) -> &Arc<S> {
        &self.inner
    }
}

impl<S, Req> tower_service::Service<Req> for IntoTower<S>
where
    S: Service<Req> + Send + Sync + 'static,
    for<'a> S::Future<'a>: Send,
    Req: Send + 'static,
    S::Response: 'static,
    S::Error: 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = IntoTowerFuture<S::Response, S::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Self::Future {
        let service = self.inner.clone();
        Box::pin(async move { service.call(req).await })
    }
}
