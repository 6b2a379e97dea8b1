//! Your server as a function.
//!
//! A [`Service`] is an asynchronous function from a request to a response: the same
//! abstraction serves as a server (an HTTP handler is a `Service<Request>`) and as a client
//! (an HTTP client is a `Service<Request>` too). Behaviour that does not depend on the
//! application (timeouts, retries, limits) lives in filters that wrap services and compose.

mod service;
mod service_fn;

pub use self::service::{Service, Status};
pub use self::service_fn::{service_fn, ServiceFn};
