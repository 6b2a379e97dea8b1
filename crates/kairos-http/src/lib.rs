//! HTTP/1.1 for Kairos: a server that serves any [`Service`](kairos_service::Service)
//! of `http::Request<Body>`, and a client that is itself such a service.
//!
//! - [`server`]: [`Server`](server::Server), its [`Builder`](server::Builder) of limits,
//!   graceful shutdown through a [`Handle`](server::Handle).
//! - [`client`]: [`Client`](client::Client), pooled keep-alive connections per host.
//! - [`Body`]: the body type of requests served and responses received.
//!
//! Types come from the `http` crate (re-exported as [`http`]) and bodies follow
//! `http-body`.
//!
//! # Examples
//!
//! A server and a client talking over loopback:
//!
//! ```
//! use kairos_http::{client::Client, server::Server, Body};
//! use kairos_service::{service_fn, Service};
//! use http::{Request, Response};
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let server = Server::bind("127.0.0.1:0").await?;
//! let url = format!("http://{}/hello", server.local_addr());
//! let handle = server.handle();
//! kairos::spawn(server.serve(service_fn(|req: Request<Body>| async move {
//!     let text = format!("you asked for {}", req.uri().path());
//!     Ok::<_, std::convert::Infallible>(Response::new(Body::from(text)))
//! })));
//!
//! let client = Client::new();
//! let response = client.call(Request::get(url).body(Body::empty()).unwrap()).await.unwrap();
//! assert_eq!(response.into_body().collect(1024).await.unwrap(), "you asked for /hello");
//! handle.shutdown(std::time::Duration::from_secs(1));
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

#![warn(missing_docs)]

mod body;
pub mod client;
mod error;
// Also built for the unit tests, which replay the committed fuzz corpus through it.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod h1;
pub mod server;

pub use self::body::Body;
pub use self::error::{BoxError, Error, ErrorKind};
pub use http;
