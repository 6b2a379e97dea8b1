//! `CircuitBreakerFilter`.

use super::{CircuitBreaker, CircuitBreakerConfig, Errors};
use crate::{Compose, Filter};

/// Opens after repeated failures and probes after a backoff; see the
/// [module docs](super) for the behaviour.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::circuit_breaker::{
///     CircuitBreakerConfig, CircuitBreakerError, CircuitBreakerFilter,
/// };
/// use kairos_service::{service_fn, Filter, Service, Status};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let down = service_fn(|()| async { Err::<(), _>("down") });
/// let service = CircuitBreakerFilter::new(CircuitBreakerConfig::new().failures(2)).wrap(down);
/// assert_eq!(service.call(()).await, Err(CircuitBreakerError::Inner("down")));
/// assert_eq!(service.call(()).await, Err(CircuitBreakerError::Inner("down")));
/// // Two failures in a row: open. Calls now fail without reaching the service.
/// assert_eq!(service.status(), Status::Busy);
/// assert_eq!(service.call(()).await, Err(CircuitBreakerError::Open));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct CircuitBreakerFilter<C = Errors> {
    config: CircuitBreakerConfig,
    classify: C,
}

impl CircuitBreakerFilter<Errors> {
    /// A breaker as `config` says, counting every `Err` as a failure.
    pub fn new(config: CircuitBreakerConfig) -> CircuitBreakerFilter<Errors> {
        CircuitBreakerFilter {
            config,
            classify: Errors,
        }
    }
}

impl<C> CircuitBreakerFilter<C> {
    /// Counts as failures the outcomes `classify` picks (a [`Classify`](super::Classify):
    /// a closure `Fn(&Result<Res, E>) -> bool` will do).
    pub fn classify<D>(self, classify: D) -> CircuitBreakerFilter<D> {
        CircuitBreakerFilter {
            config: self.config,
            classify,
        }
    }
}

impl<C> Compose for CircuitBreakerFilter<C> {}

impl<S, C: Clone> Filter<S> for CircuitBreakerFilter<C> {
    type Service = CircuitBreaker<S, C>;

    fn wrap(&self, inner: S) -> CircuitBreaker<S, C> {
        CircuitBreaker::new(inner, self.config, self.classify.clone())
    }
}
