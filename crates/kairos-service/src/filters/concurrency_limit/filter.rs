//! `ConcurrencyLimitFilter`.

use super::ConcurrencyLimit;
use crate::{Compose, Filter};

/// Limits calls in flight; see the [module docs](super) for the behaviour.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::ConcurrencyLimitFilter;
/// use kairos_service::{service_fn, Filter, Service, Status};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = ConcurrencyLimitFilter::new(1).wrap(service_fn(|n: u32| async move { Ok::<_, ()>(n) }));
/// assert_eq!(service.status(), Status::Open);
/// let first = service.call(1); // holds the only permit until it completes
/// assert_eq!(service.status(), Status::Busy);
/// assert_eq!(first.await, Ok(1));
/// assert_eq!(service.status(), Status::Open);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcurrencyLimitFilter {
    max: usize,
}

impl ConcurrencyLimitFilter {
    /// At most `max` calls in flight per wrapped service.
    ///
    /// # Panics
    ///
    /// If `max` is zero: no call could ever run.
    #[track_caller]
    pub fn new(max: usize) -> ConcurrencyLimitFilter {
        assert!(
            max > 0,
            "a concurrency limit of 0 would never let a call through"
        );
        ConcurrencyLimitFilter { max }
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.max
    }
}

impl Compose for ConcurrencyLimitFilter {}

impl<S> Filter<S> for ConcurrencyLimitFilter {
    type Service = ConcurrencyLimit<S>;

    fn wrap(&self, inner: S) -> ConcurrencyLimit<S> {
        ConcurrencyLimit::new(inner, self.max)
    }
}
