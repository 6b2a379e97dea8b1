//! `LoadShedFilter`.

use super::LoadShed;
use crate::{Compose, Filter};

/// Refuses calls while the inner service is busy; see the [module docs](super).
///
/// It has no settings: what counts as busy is the inner service's
/// [`status`](crate::Service::status).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::load_shed::LoadShedError;
/// use kairos_service::filters::{ConcurrencyLimitFilter, LoadShedFilter};
/// use kairos_service::{service_fn, Compose, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = LoadShedFilter::new()
///     .and_then(ConcurrencyLimitFilter::new(1))
///     .and_then(service_fn(|n: u32| async move { Ok::<_, ()>(n) }));
/// let first = service.call(1); // takes the only permit
/// assert_eq!(service.call(2).await, Err(LoadShedError::Overloaded));
/// assert_eq!(first.await, Ok(1));
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadShedFilter {
    _private: (),
}

impl LoadShedFilter {
    /// The filter.
    pub fn new() -> LoadShedFilter {
        LoadShedFilter { _private: () }
    }
}

impl Compose for LoadShedFilter {}

impl<S> Filter<S> for LoadShedFilter {
    type Service = LoadShed<S>;

    fn wrap(&self, inner: S) -> LoadShed<S> {
        LoadShed::new(inner)
    }
}
