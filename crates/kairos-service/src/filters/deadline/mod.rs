//! Deadline: put a deadline carried in the request in force for the inner service.
//!
//! A deadline crosses process boundaries inside the request (an HTTP header such as
//! `grpc-timeout`, a field of an RPC envelope). [`DeadlineFilter`] reads it with a function
//! of the request and puts it in force ([`deadline::scope`](crate::deadline::scope)) for the
//! inner call and every poll of its future, so that the [timeouts](crate::filters::timeout)
//! and [retries](crate::filters::retry) inside respect it. The client side is the reverse:
//! read [`deadline::current`](crate::deadline::current) when writing the request.
//!
//! # Behaviour under failure
//!
//! This filter never fails a call and enforces nothing itself: put a
//! [timeout](crate::filters::timeout) inside it to fail calls whose deadline passes.
//! An earlier deadline already in force stays in force.
//!
//! # Status
//!
//! The inner service's; `close` closes it.
//!
//! # Shared state
//!
//! None.

mod filter;
mod service;

pub use self::filter::DeadlineFilter;
pub use self::service::Deadline;
