//! The I/O driver: readiness from the operating system to the tasks waiting on sockets.
//!
//! What this module owns:
//! - `driver.rs`: the `mio::Poll` of a runtime, the turn that dispatches its events, and
//!   the handle that registers sources;
//! - `registrations.rs`: the slab that maps tokens (index + generation) to readiness
//!   words, so a stale event never wakes the wrong socket;
//! - `scheduled_io.rs`: the readiness word with its tick, and the waiters of one
//!   resource (its loom model sits there too);
//! - `registration.rs`: the operations the socket types are written against.
//!
//! # One interface for readiness and completion backends
//!
//! `net` never sees `mio` readiness: a socket type holds a `PollEvented` and calls its
//! operations (`poll_read`, `poll_write`, `poll_io(direction, op)`, `async_io`,
//! `readiness`). With epoll the operation is a system call attempted when the readiness
//! word says it may succeed; its buffer is only borrowed for the duration of one poll,
//! so a future dropped between polls loses nothing the kernel handed over.
//!
//! A completion backend (io_uring) cannot borrow: the kernel owns the buffer from
//! submission to completion, and a dropped future must not free it. The same operations
//! then run on buffers owned by the I/O object (a per-socket staging buffer for the
//! borrowed-slice traits; the caller's own `Vec<u8>` for owned-buffer operations), and
//! an in-flight operation whose future was dropped keeps its buffer in the driver until
//! the completion arrives. `net` keeps calling the same operations; only `PollEvented`
//! and this module grow a second backend, chosen in one place.

mod driver;
mod registration;
mod registrations;
mod scheduled_io;

pub(crate) use self::driver::{Driver, Handle};
pub(crate) use self::registration::Registration;
pub(crate) use self::scheduled_io::Direction;

use crate::loom::sync::Arc;
use crate::runtime::context;
use std::io;

/// The message of the error returned when a runtime has no I/O driver.
pub(crate) const IO_DISABLED: &str = "this Kairos runtime was built without the I/O driver; \
     call `enable_io()` (or `enable_all()`) on the runtime `Builder` to use sockets";

/// The current runtime's I/O driver handle.
///
/// # Errors
///
/// Outside a runtime, or on a runtime built without `enable_io`.
pub(crate) fn current_handle() -> io::Result<Arc<Handle>> {
    let handle = context::try_current().map_err(|why| {
        io::Error::other(match why {
            context::NoContext::Missing => context::NO_RUNTIME,
            context::NoContext::ThreadLocalDestroyed => context::THREAD_LOCAL_DESTROYED,
        })
    })?;
    handle
        .driver()
        .io()
        .cloned()
        .ok_or_else(|| io::Error::other(IO_DISABLED))
}

/// The error of an operation on a resource whose runtime has shut down.
pub(crate) fn runtime_gone() -> io::Error {
    io::Error::other(
        "the Kairos runtime that drives this I/O resource has shut down; \
         I/O resources cannot outlive their runtime",
    )
}
