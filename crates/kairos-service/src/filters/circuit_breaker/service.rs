//! `CircuitBreaker<S, C>`: the service.

use super::state::Accrual;
use super::{CircuitBreakerConfig, CircuitBreakerError, CircuitBreakerFuture, Classify};
use crate::filters::worst;
use crate::{Service, Status};
use kairos::time::Instant;

/// `S` behind a circuit breaker; made by
/// [`CircuitBreakerFilter`](super::CircuitBreakerFilter).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::circuit_breaker::{CircuitBreaker, CircuitBreakerConfig, Errors};
/// use kairos_service::{service_fn, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let up = service_fn(|n: u8| async move { Ok::<_, ()>(n) });
/// let service = CircuitBreaker::new(up, CircuitBreakerConfig::new(), Errors);
/// assert_eq!(service.call(1).await, Ok(1));
/// assert!(service.is_closed());
/// # });
/// ```
#[derive(Debug)]
pub struct CircuitBreaker<S, C> {
    inner: S,
    classify: C,
    accrual: Accrual,
}

impl<S, C> CircuitBreaker<S, C> {
    /// `inner` behind a breaker configured by `config`, counting as failures what
    /// `classify` picks.
    pub fn new(inner: S, config: CircuitBreakerConfig, classify: C) -> CircuitBreaker<S, C> {
        CircuitBreaker {
            inner,
            classify,
            accrual: Accrual::new(config),
        }
    }

    /// Whether the breaker is closed: calls go through.
    pub fn is_closed(&self) -> bool {
        self.accrual.is_closed()
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, C, Req> Service<Req> for CircuitBreaker<S, C>
where
    S: Service<Req>,
    C: Classify<S::Response, S::Error>,
{
    type Response = S::Response;
    type Error = CircuitBreakerError<S::Error>;
    type Future<'a>
        = CircuitBreakerFuture<'a, S::Future<'a>, C>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        match self.accrual.admit(Instant::now()) {
            Some(role) => CircuitBreakerFuture::admitted(
                &self.accrual,
                &self.classify,
                role,
                self.inner.call(req),
            ),
            None => CircuitBreakerFuture::refused(&self.accrual, &self.classify),
        }
    }

    fn status(&self) -> Status {
        worst(self.accrual.status(Instant::now()), self.inner.status())
    }

    fn close(&self) {
        self.inner.close()
    }
}
