//! The driver: what a worker with nothing to run parks on.
//!
//! Every scheduler parks through this one interface: `Driver::park` /
//! `Driver::park_timeout` on the thread that owns the driver, `Handle::unpark` from any
//! other thread. Inside, the drivers are stacked:
//!
//! ```text
//!  Driver
//!   └─ IoStack: the I/O driver (mio's Poll; unpark = mio's Waker)
//!               or, without `enable_io`, a thread parker
//! ```
//!
//! The I/O driver is the thing actually parked on: a turn of it blocks in the operating
//! system's poll until an event, an unpark, or the timeout.

use crate::loom::sync::Arc;
use crate::runtime::io;
use crate::runtime::park::{ParkThread, UnparkThread};
use std::time::Duration;

/// Which drivers the runtime was built with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cfg {
    pub(crate) enable_io: bool,
    pub(crate) enable_time: bool,
}

/// The parking side, owned by whichever thread parks on it.
pub(crate) struct Driver {
    io: IoStack,
}

/// The bottom of the stack: the I/O driver, or a plain thread parker.
enum IoStack {
    Enabled(io::Driver),
    Disabled(ParkThread),
}

/// The shared side: wakes the thread parked on the driver, and gives resources access to
/// the drivers they register with.
pub(crate) struct Handle {
    io: Option<Arc<io::Handle>>,
    unpark: Unpark,
    cfg: Cfg,
}

enum Unpark {
    Io(Arc<io::Handle>),
    Thread(UnparkThread),
}

impl Driver {
    /// Creates the drivers `cfg` asks for.
    ///
    /// # Errors
    ///
    /// If the operating system refuses the I/O driver's poll instance or its waker.
    pub(crate) fn new(cfg: Cfg) -> std::io::Result<(Driver, Handle)> {
        let (io, io_handle, unpark) = if cfg.enable_io {
            let (driver, handle) = io::Driver::new()?;
            let handle = Arc::new(handle);
            (
                IoStack::Enabled(driver),
                Some(handle.clone()),
                Unpark::Io(handle),
            )
        } else {
            let park = ParkThread::new();
            let unpark = park.unpark_handle();
            (IoStack::Disabled(park), None, Unpark::Thread(unpark))
        };
        let handle = Handle {
            io: io_handle,
            unpark,
            cfg,
        };
        Ok((Driver { io }, handle))
    }

    /// Blocks until `Handle::unpark` is called or an event arrives (or returns at once if
    /// an unpark is already pending).
    pub(crate) fn park(&mut self, handle: &Handle) {
        self.io.park(handle, None);
    }

    /// As `park`, but for at most `duration`; `Duration::ZERO` only processes what is
    /// ready (I/O events, expired timers) without blocking.
    pub(crate) fn park_timeout(&mut self, handle: &Handle, duration: Duration) {
        self.io.park(handle, Some(duration));
    }

    /// Releases the driver's resources and wakes everything waiting on it.
    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        self.io.shutdown(handle);
    }
}

impl IoStack {
    /// Parks for at most `timeout`; returns how many I/O resources became ready.
    fn park(&mut self, handle: &Handle, timeout: Option<Duration>) -> usize {
        match self {
            IoStack::Enabled(driver) => {
                let io = handle.io.as_ref().expect("I/O driver without its handle");
                driver.turn(io, timeout)
            }
            IoStack::Disabled(park) => {
                match timeout {
                    Some(timeout) => park.park_timeout(timeout),
                    None => park.park(),
                }
                0
            }
        }
    }

    fn shutdown(&mut self, handle: &Handle) {
        if let (IoStack::Enabled(driver), Some(io)) = (self, handle.io.as_ref()) {
            driver.shutdown(io);
        }
    }
}

impl Handle {
    /// Wakes the thread parked on the driver, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        match &self.unpark {
            Unpark::Io(io) => io.unpark(),
            Unpark::Thread(thread) => thread.unpark(),
        }
    }

    /// The I/O driver's handle, if the runtime has one.
    pub(crate) fn io(&self) -> Option<&Arc<io::Handle>> {
        self.io.as_ref()
    }

    #[allow(dead_code)] // read by the time driver
    pub(crate) fn cfg(&self) -> Cfg {
        self.cfg
    }
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let io = matches!(self.io, IoStack::Enabled(_));
        f.debug_struct("Driver").field("io", &io).finish()
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("driver::Handle")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}
