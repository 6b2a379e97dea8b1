//! Your server as a function.
//!
//! A [`Service`] is an asynchronous function from a request to a response: the same
//! abstraction serves as a server (an HTTP handler is a `Service<Request>`) and as a client
//! (an HTTP client is a `Service<Request>` too). Behaviour that does not depend on the
//! application (timeouts, retries, limits) lives in filters that wrap services and compose.
//!
//! - [`Service`], [`Status`], [`service_fn`]: the abstraction.
//! - [`Filter`], [`Compose::and_then`], [`ServiceBuilder`]: wrapping and composing.
//! - [`filters`]: the standard filters (timeout, retry, limits, load shedding, circuit
//!   breaking, logging), and [`deadline`], the deadline that travels with a call.
//! - `tower` (feature `tower`): adapters both ways with `tower::Service` and
//!   `tower::Layer`.

pub mod deadline;
pub mod filter;
pub mod filters;
mod service;
mod service_fn;
#[cfg(feature = "tower")]
pub mod tower;

pub use self::filter::{Compose, Filter, ServiceBuilder};
pub use self::service::{Service, Status};
pub use self::service_fn::{service_fn, ServiceFn};
