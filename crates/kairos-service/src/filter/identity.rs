//! `Identity`: the filter that changes nothing.

use super::{Compose, Filter};

/// The filter that returns the service it wraps, unchanged: the unit of `and_then`, and
/// where a [`ServiceBuilder`](super::ServiceBuilder) starts.
///
/// # Examples
///
/// ```
/// use kairos_service::filter::Identity;
/// use kairos_service::{service_fn, Compose, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = Identity.and_then(service_fn(|n: i32| async move { Ok::<_, ()>(-n) }));
/// assert_eq!(service.call(7).await, Ok(-7));
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Identity;

impl Compose for Identity {}

impl<S> Filter<S> for Identity {
    type Service = S;

    fn wrap(&self, inner: S) -> S {
        inner
    }
}
