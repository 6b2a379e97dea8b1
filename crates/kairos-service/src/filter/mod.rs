//! Filters: functions from a service to a service, and how they compose.
//!
//! A [`Filter<S>`] wraps a service `S` into a new service that adds one
//! application-agnostic behaviour (a timeout, retries, a limit) and otherwise calls `S`.
//! Filters compose before they meet a service:
//!
//! - `a.and_then(b)` is the filter that applies `a` *outside* `b`: a request goes through
//!   `a`, then `b`, then the service; the response comes back the other way.
//! - `a.and_then(service)` ends the chain: it is `a.wrap(service)`, a service.
//! - [`ServiceBuilder`] reads top to bottom: the first filter listed is the outermost, the
//!   first to see a request. It is the same composition with a name per standard filter.
//!
//! # Ordering
//!
//! Ordering is Finagle's: `timeout.and_then(retry).and_then(service)` puts the timeout
//! around all the retries (one deadline for the whole exchange), while
//! `retry.and_then(timeout)` times each attempt separately. Pick by reading the chain as
//! the path a request takes, left to right.
//!
//! # Why two traits
//!
//! `Filter<S>` is generic over the service it wraps, so it cannot offer `and_then` itself:
//! `a.and_then(b)` would not say which `Filter<S>` is meant. Composition lives in the
//! non-generic [`Compose`] trait, a supertrait of `Filter`: a filter type implements it
//! with an empty `impl Compose for MyFilter {}` and gets `and_then` for free.

mod and_then;
mod builder;
mod identity;
mod next;

pub use self::and_then::AndThen;
pub use self::builder::ServiceBuilder;
pub use self::identity::Identity;
pub use self::next::{IsFilter, IsService, Next};

/// Wraps a service `S` into another service.
///
/// `wrap` takes `&self`, so one filter value can wrap many services (a client and a server
/// built from the same stack, say). Filters that keep state (a limit's counter, a circuit
/// breaker's failure count) create fresh state in each `wrap`: every wrapped service gets
/// its own; share a wrapped service (by reference or `Arc`) to share its state.
///
/// # Examples
///
/// A filter that adds one to every response:
///
/// ```
/// use kairos_service::{service_fn, Compose, Filter, Service};
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::task::{ready, Context, Poll};
///
/// struct AddOne;
/// impl Compose for AddOne {}
/// impl<S> Filter<S> for AddOne {
///     type Service = AddOneService<S>;
///     fn wrap(&self, inner: S) -> AddOneService<S> {
///         AddOneService(inner)
///     }
/// }
///
/// struct AddOneService<S>(S);
/// impl<S: Service<u32, Response = u32>> Service<u32> for AddOneService<S> {
///     type Response = u32;
///     type Error = S::Error;
///     type Future<'a> = AddOneFuture<S::Future<'a>> where S: 'a;
///     fn call(&self, req: u32) -> Self::Future<'_> {
///         AddOneFuture(Box::pin(self.0.call(req)))
///     }
/// }
///
/// // Boxed here only to keep the example short; the standard filters use
/// // `pin-project-lite` and never allocate.
/// struct AddOneFuture<F>(Pin<Box<F>>);
/// impl<F: Future<Output = Result<u32, E>>, E> Future for AddOneFuture<F> {
///     type Output = Result<u32, E>;
///     fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
///         Poll::Ready(ready!(self.0.as_mut().poll(cx)).map(|n| n + 1))
///     }
/// }
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = AddOne
///     .and_then(AddOne)
///     .and_then(service_fn(|n: u32| async move { Ok::<_, ()>(n) }));
/// assert_eq!(service.call(40).await, Ok(42));
/// # });
/// ```
pub trait Filter<S>: Compose {
    /// The service `wrap` returns.
    type Service;

    /// Wraps `inner`.
    fn wrap(&self, inner: S) -> Self::Service;
}

/// Composition of filters: `and_then`, for every [`Filter`].
///
/// See the [module docs](self) for why this is a separate trait; implementing it takes an
/// empty `impl Compose for MyFilter {}`.
pub trait Compose: Sized {
    /// Composes `self` with `next`, which runs inside it.
    ///
    /// - If `next` is a filter, the result is the filter [`AndThen<Self, N>`]: a request
    ///   passes `self`, then `next`.
    /// - If `next` is a service that `self` can wrap, the result is `self.wrap(next)`, the
    ///   wrapped service.
    ///
    /// `Marker` ([`IsFilter`] or [`IsService`]) is inferred and is never written. It can
    /// only be ambiguous for a service that implements `Service<Req>` for every `Req`; use
    /// [`Filter::wrap`] there.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_service::filters::{ConcurrencyLimitFilter, TimeoutFilter};
    /// use kairos_service::{service_fn, Compose, Service};
    /// use std::time::Duration;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let filter = TimeoutFilter::new(Duration::from_secs(1))
    ///     .and_then(ConcurrencyLimitFilter::new(8));
    /// let service = filter.and_then(service_fn(|n: u32| async move { Ok::<_, ()>(n * 2) }));
    /// assert_eq!(service.call(21).await.unwrap(), 42);
    /// # });
    /// ```
    fn and_then<N, Marker>(self, next: N) -> N::Output
    where
        N: Next<Self, Marker>,
    {
        next.attach(self)
    }
}
