//! Request logging: a `tracing` span around each call, and an event when it completes.
//!
//! [`LogFilter`] wraps a service in a [`Log`]. Each call gets a span (by default
//! `request`, at `INFO`; [`LogFilter::span`] makes it from the request instead) that is
//! entered while the inner service is called and each time its future is polled, so every
//! event the inner service emits is inside it. When the call completes, one event records
//! its outcome and latency (`latency_us`, on the runtime's clock):
//!
//! - success: `"request succeeded"`, at [`LogConfig::success`] (`DEBUG` by default);
//! - failure: `"request failed"` with `error` (its `Debug` form), at
//!   [`LogConfig::failure`] (`WARN` by default);
//! - dropped before completing: `"request cancelled"`, at the success level (a caller
//!   that gave up, or a timeout further out that fired, is not this service's failure).
//!
//! With no subscriber interested, the span is disabled and nothing is formatted or
//! allocated.
//!
//! # Behaviour under failure
//!
//! Logging never changes an outcome: errors pass through unchanged (the service's `Error`
//! is the inner one), and so does the status.
//!
//! # Status
//!
//! The inner service's; `close` closes it.
//!
//! # Shared state
//!
//! None beyond the span factory, which each wrapped service gets a clone of.

mod config;
mod filter;
mod future;
mod make_span;
mod service;

pub use self::config::LogConfig;
pub use self::filter::LogFilter;
pub use self::future::LogFuture;
pub use self::make_span::{MakeSpan, RequestSpan};
pub use self::service::Log;
