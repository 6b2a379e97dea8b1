//! `service_fn`: a service from a closure.

use crate::Service;
use std::fmt;
use std::future::Future;

/// Makes a [`Service`] of a closure `Fn(Req) -> impl Future<Output = Result<..>>`.
///
/// The service's future is the closure's future, so it is `Send` exactly when that is.
///
/// # Examples
///
/// ```
/// use kairos_service::{service_fn, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let greet = service_fn(|name: String| async move {
///     Ok::<_, std::io::Error>(format!("hello, {name}"))
/// });
/// assert_eq!(greet.call("kairos".into()).await.unwrap(), "hello, kairos");
/// # });
/// ```
pub fn service_fn<F>(f: F) -> ServiceFn<F> {
    ServiceFn { f }
}

/// The service returned by [`service_fn`].
#[derive(Clone, Copy)]
pub struct ServiceFn<F> {
    f: F,
}

impl<F, Req, Fut, Response, Error> Service<Req> for ServiceFn<F>
where
    F: Fn(Req) -> Fut,
    Fut: Future<Output = Result<Response, Error>>,
{
    type Response = Response;
    type Error = Error;
    type Future<'a>
        = Fut
    where
        Self: 'a;

    fn call(&self, req: Req) -> Fut {
        (self.f)(req)
    }
}

impl<F> fmt::Debug for ServiceFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceFn").finish_non_exhaustive()
    }
}
