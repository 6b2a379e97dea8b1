//! `ServiceBuilder`: a stack of filters that reads top to bottom.

use super::{AndThen, Compose, Filter, Identity};

/// A stack of filters, listed outermost first.
///
/// Each [`filter`](ServiceBuilder::filter) call adds a filter *inside* the ones already
/// listed, so the stack reads in the order a request travels: the first filter listed sees
/// the request first and the response last. [`service`](ServiceBuilder::service) ends the
/// stack with a service. A builder is itself a [`Filter`], so one stack can wrap many
/// services (a client and a server, say): each `wrap` makes fresh filter state.
///
/// Building costs nothing at run time: the stack is one nested type, `AndThen<...>`, and
/// wrapping a service makes one nested service type.
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
