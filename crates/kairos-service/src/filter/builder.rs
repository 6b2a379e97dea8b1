//! `ServiceBuilder`: a stack of filters that reads top to bottom.

use super::{AndThen, Compose, Filter, Identity};
use crate::filters::circuit_breaker::{CircuitBreakerConfig, CircuitBreakerFilter};
use crate::filters::concurrency_limit::ConcurrencyLimitFilter;
use crate::filters::deadline::DeadlineFilter;
use crate::filters::load_shed::LoadShedFilter;
use crate::filters::log::LogFilter;
use crate::filters::rate_limit::{RateLimitConfig, RateLimitFilter};
use crate::filters::retry::{RetryConfig, RetryFilter};
use crate::filters::timeout::TimeoutFilter;
use std::time::Duration;

/// A stack of filters, listed outermost first.
///
/// Each [`filter`](ServiceBuilder::filter) call adds a filter *inside* the ones already
/// listed, so the stack reads in the order a request travels: the first filter listed sees
/// the request first and the response last. [`service`](ServiceBuilder::service) ends the
/// stack with a service. A builder is itself a [`Filter`], so one stack can wrap many
/// services (a client and a server, say): each `wrap` makes fresh filter state.
///
/// Building costs nothing at run time: the stack is one nested type, `AndThen<...>`, and
/// wrapping a service makes one nested service type. Each standard filter has a method of
/// its own name ([`timeout`](ServiceBuilder::timeout), [`retry`](ServiceBuilder::retry),
/// ...); [`filter`](ServiceBuilder::filter) adds any other.
///
/// # Which order
///
/// A common server stack, outermost first: `log` (sees everything, including refusals),
/// `deadline` (from the request), `load_shed` (refuse what would queue), `concurrency_limit`
/// or `rate_limit` (what `load_shed` consults), `timeout`. A common client stack: `log`,
/// `timeout` (the whole exchange), `retry`, `circuit_breaker` (per backend, so a retry
/// meets an open breaker at once), `timeout` (per attempt).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::{ConcurrencyLimitFilter, TimeoutFilter};
/// use kairos_service::{service_fn, Service, ServiceBuilder};
/// use std::time::Duration;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = ServiceBuilder::new()
///     .filter(TimeoutFilter::new(Duration::from_secs(1))) // outermost: sees requests first
///     .filter(ConcurrencyLimitFilter::new(64))           // then this
///     .service(service_fn(|n: u64| async move { Ok::<_, ()>(n + 1) }));
/// assert_eq!(service.call(1).await.unwrap(), 2);
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ServiceBuilder<F = Identity> {
    filter: F,
}

impl ServiceBuilder<Identity> {
    /// An empty stack: [`service`](ServiceBuilder::service) returns the service as is.
    pub fn new() -> ServiceBuilder<Identity> {
        ServiceBuilder { filter: Identity }
    }
}

impl<F> ServiceBuilder<F> {
    /// Adds `next` inside every filter listed so far.
    pub fn filter<N>(self, next: N) -> ServiceBuilder<AndThen<F, N>> {
        ServiceBuilder {
            filter: AndThen::new(self.filter, next),
        }
    }

    /// Adds a [`TimeoutFilter`]: each call may take `timeout`.
    pub fn timeout(self, timeout: Duration) -> ServiceBuilder<AndThen<F, TimeoutFilter>> {
        self.filter(TimeoutFilter::new(timeout))
    }

    /// Adds a [`DeadlineFilter`]: the deadline `read` finds in a request is put in force.
    pub fn deadline<R>(self, read: R) -> ServiceBuilder<AndThen<F, DeadlineFilter<R>>> {
        self.filter(DeadlineFilter::new(read))
    }

    /// Adds a [`RetryFilter`] retrying what `policy` picks, as `config` says.
    pub fn retry<P>(
        self,
        policy: P,
        config: RetryConfig,
    ) -> ServiceBuilder<AndThen<F, RetryFilter<P>>> {
        self.filter(RetryFilter::new(policy, config))
    }

    /// Adds a [`ConcurrencyLimitFilter`]: at most `max` calls in flight.
    ///
    /// # Panics
    ///
    /// If `max` is zero.
    #[track_caller]
    pub fn concurrency_limit(
        self,
        max: usize,
    ) -> ServiceBuilder<AndThen<F, ConcurrencyLimitFilter>> {
        self.filter(ConcurrencyLimitFilter::new(max))
    }

    /// Adds a [`RateLimitFilter`] configured by `config`.
    pub fn rate_limit(
        self,
        config: RateLimitConfig,
    ) -> ServiceBuilder<AndThen<F, RateLimitFilter>> {
        self.filter(RateLimitFilter::new(config))
    }

    /// Adds a [`LoadShedFilter`]: calls fail at once while the rest of the stack is busy.
    pub fn load_shed(self) -> ServiceBuilder<AndThen<F, LoadShedFilter>> {
        self.filter(LoadShedFilter::new())
    }

    /// Adds a [`CircuitBreakerFilter`] configured by `config`, counting every error.
    pub fn circuit_breaker(
        self,
        config: CircuitBreakerConfig,
    ) -> ServiceBuilder<AndThen<F, CircuitBreakerFilter>> {
        self.filter(CircuitBreakerFilter::new(config))
    }

    /// Adds a [`LogFilter`] with its defaults (a `request` span, completion events).
    pub fn log(self) -> ServiceBuilder<AndThen<F, LogFilter>> {
        self.filter(LogFilter::new())
    }

    /// Ends the stack: `service` wrapped in every filter, the first listed outermost.
    pub fn service<S>(&self, service: S) -> F::Service
    where
        F: Filter<S>,
    {
        self.filter.wrap(service)
    }

    /// The composed filter.
    pub fn into_filter(self) -> F {
        self.filter
    }
}

impl<F> Compose for ServiceBuilder<F> {}

impl<S, F: Filter<S>> Filter<S> for ServiceBuilder<F> {
    type Service = F::Service;

    fn wrap(&self, inner: S) -> F::Service {
        self.filter.wrap(inner)
    }
}
