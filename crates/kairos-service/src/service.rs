//! The `Service` trait.
//!
//! # `Send`, and why the future is a named associated type
//!
//! `call` returns `Self::Future<'_>`, a generic associated type, rather than an anonymous
//! `impl Future`. The choice is about `Send`:
//!
//! - A server on the multi-thread runtime spawns one task per connection, and that task
//!   awaits `service.call(request)`, so the call's future must be `Send`. With a named
//!   future type the server states exactly that bound,
//!   `for<'a> S::Future<'a>: Send`, and every service whose future happens to be `Send`
//!   satisfies it, with no boxing. With an anonymous `impl Future` return type, callers
//!   cannot name the future to require `Send` (that needs return-type notation, not in
//!   stable Rust), so the trait would have to either demand `Send` of every service (and
//!   shut out `!Send` services) or make servers box every future.
//! - A `!Send` service (holding an `Rc`, say) is the same trait; it just fails the server's
//!   `Send` bound and runs on a current-thread runtime or a `LocalSet` instead.
//! - Filters wrap the inner service's future in their own named future types
//!   (`Timeout<S>` returns `TimeoutFuture<S::Future<'a>>`), so a stack of filters is one
//!   nested, statically known type: no allocation per request.
//!
//! The price is that implementing `Service` by hand needs a nameable future: use
//! [`service_fn`](crate::service_fn) for closures, write a future type, or box
//! (`Pin<Box<dyn Future<...> + Send + 'a>>`) where a handler's cost dwarfs an allocation.
//!
//! # Status, separately from calling
//!
//! [`Service::status`] reports whether the service is [`Open`](Status::Open) (accepting),
//! [`Busy`](Status::Busy) (would queue or refuse) or [`Closed`](Status::Closed); load
//! balancers and load-shedding filters consult it before calling, and calling a busy or
//! closed service is allowed (it may queue or fail, as that service documents).

use std::future::Future;

/// An asynchronous function from `Req` to `Result<Response, Error>`.
///
/// # Examples
///
/// ```
/// use kairos_service::{service_fn, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let double = service_fn(|n: u32| async move { Ok::<_, std::convert::Infallible>(n * 2) });
/// assert_eq!(double.call(21).await.unwrap(), 42);
/// # });
/// ```
pub trait Service<Req> {
    /// What a successful call returns.
    type Response;

    /// What a failed call returns.
    type Error;

    /// The future `call` returns; may borrow the service.
    type Future<'a>: Future<Output = Result<Self::Response, Self::Error>>
    where
        Self: 'a;

    /// Processes one request.
    fn call(&self, req: Req) -> Self::Future<'_>;

    /// Whether the service is accepting requests; see the module docs. Defaults to
    /// [`Status::Open`].
    fn status(&self) -> Status {
        Status::Open
    }

    /// Stops accepting requests: afterwards `status` reports [`Status::Closed`] and calls
    /// fail as the service documents. Calls already in flight complete. The default does
    /// nothing (a stateless function cannot be closed).
    fn close(&self) {}
}

/// Whether a service is accepting requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Accepting requests.
    Open,
    /// Accepting, but a call now would wait or be refused (at a limit).
    Busy,
    /// Not accepting requests any more.
    Closed,
}

impl<S: Service<Req> + ?Sized, Req> Service<Req> for &S {
    type Response = S::Response;
    type Error = S::Error;
    type Future<'a>
        = S::Future<'a>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        (**self).call(req)
    }

    fn status(&self) -> Status {
        (**self).status()
    }

    fn close(&self) {
        (**self).close()
    }
}

impl<S: Service<Req> + ?Sized, Req> Service<Req> for std::sync::Arc<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future<'a>
        = S::Future<'a>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        (**self).call(req)
    }

    fn status(&self) -> Status {
        (**self).status()
    }

    fn close(&self) {
        (**self).close()
    }
}
