//! `AndThen`: two filters, one inside the other.

use super::{Compose, Filter};

/// The filter `outer.and_then(inner)`: wraps a service in `inner`, then the result in
/// `outer`, so a request passes `outer` first.
///
/// # Examples
///
/// ```
/// use kairos_service::filter::{AndThen, Identity};
/// use kairos_service::{service_fn, Filter, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let both = AndThen::new(Identity, Identity);
/// let service = both.wrap(service_fn(|s: &'static str| async move { Ok::<_, ()>(s.len()) }));
/// assert_eq!(service.call("four").await, Ok(4));
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AndThen<Outer, Inner> {
    outer: Outer,
    inner: Inner,
}

impl<Outer, Inner> AndThen<Outer, Inner> {
    /// `outer` around `inner`.
    pub fn new(outer: Outer, inner: Inner) -> AndThen<Outer, Inner> {
        AndThen { outer, inner }
    }

    /// The outer filter, the first to see a request.
    pub fn outer(&self) -> &Outer {
        &self.outer
    }

    /// The inner filter, the last before the service.
    pub fn inner(&self) -> &Inner {
        &self.inner
    }
}

impl<Outer, Inner> Compose for AndThen<Outer, Inner> {}

impl<S, Outer, Inner> Filter<S> for AndThen<Outer, Inner>
where
    Inner: Filter<S>,
    Outer: Filter<Inner::Service>,
{
    type Service = Outer::Service;

    fn wrap(&self, service: S) -> Outer::Service {
        self.outer.wrap(self.inner.wrap(service))
    }
}
