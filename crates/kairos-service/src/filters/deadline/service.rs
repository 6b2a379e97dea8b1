//! `Deadline<S, F>`: the service.

use crate::deadline::{self, Scoped};
use crate::{Service, Status};
use kairos::time::Instant;

/// `S`, called with the deadline that `F` reads from the request in force; made by
/// [`DeadlineFilter`](super::DeadlineFilter).
///
/// # Examples
///
/// ```
/// use kairos::time::Instant;
/// use kairos_service::filters::deadline::Deadline;
/// use kairos_service::{deadline, service_fn, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let echo = service_fn(|_at: Instant| async { Ok::<_, ()>(deadline::current()) });
/// let service = Deadline::new(echo, |at: &Instant| Some(*at));
/// let at = Instant::now();
/// assert_eq!(service.call(at).await, Ok(Some(at)));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Deadline<S, F> {
    inner: S,
    read: F,
}

impl<S, F> Deadline<S, F> {
    /// `inner`, with the deadline `read` finds in each request in force.
    pub fn new(inner: S, read: F) -> Deadline<S, F> {
        Deadline { inner, read }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, F, Req> Service<Req> for Deadline<S, F>
where
    S: Service<Req>,
    F: Fn(&Req) -> Option<Instant>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future<'a>
        = Scoped<S::Future<'a>>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        let at = (self.read)(&req);
        let future = deadline::with_deadline(at, || self.inner.call(req));
        Scoped::new(at, future)
    }

    fn status(&self) -> Status {
        self.inner.status()
    }

    fn close(&self) {
        self.inner.close()
    }
}
