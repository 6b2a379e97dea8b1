//! `TimeoutFilter`: what the stack holds; it makes [`Timeout`] services.

use super::Timeout;
use crate::{Compose, Filter};
use std::time::Duration;

/// Gives every call a time limit; see the [module docs](super) for the behaviour.
///
/// # Examples
///
/// ```
/// use kairos::time::Duration;
/// use kairos_service::filters::{timeout::TimeoutError, TimeoutFilter};
/// use kairos_service::{service_fn, Filter, Service};
///
/// #[kairos::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let never = service_fn(|()| std::future::pending::<Result<(), ()>>());
///     let service = TimeoutFilter::new(Duration::from_millis(100)).wrap(never);
///     assert!(matches!(service.call(()).await, Err(TimeoutError::Elapsed)));
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeoutFilter {
    timeout: Duration,
}

impl TimeoutFilter {
    /// Calls may take `timeout` each (measured from the call).
    pub fn new(timeout: Duration) -> TimeoutFilter {
        TimeoutFilter { timeout }
    }

    /// The time limit of each call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

impl Compose for TimeoutFilter {}

impl<S> Filter<S> for TimeoutFilter {
    type Service = Timeout<S>;

    fn wrap(&self, inner: S) -> Timeout<S> {
        Timeout::new(inner, self.timeout)
    }
}
