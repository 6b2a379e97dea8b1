//! The driver: what a worker with nothing to run parks on.
//!
//! Every scheduler parks through this one interface: `Driver::park` /
//! `Driver::park_timeout` on the thread that owns the driver, `Handle::unpark` from any
//! other thread. Inside, the drivers are stacked:
//!
//! ```text
//!  Driver
//!   └─ the time driver (timing wheel; parks with the next timer as its timeout)
//!      │  or, without `enable_time`, nothing
//!      └─ IoStack: the I/O driver (mio's Poll; unpark = mio's Waker)
//!                  or, without `enable_io`, a thread parker
//! ```
//!
//! The I/O driver is the thing actually parked on: a turn of it blocks in the operating
//! system's poll until an event, an unpark, or the timeout the time driver computed.
//! The handle also carries the runtime's clock, which exists with or without the time
//! driver (so `Instant::now` and the paused clock work everywhere).

use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::Arc;
use crate::runtime::park::{ParkThread, UnparkThread};
use crate::runtime::{io, time};
use std::time::Duration;

/// Which drivers the runtime was built with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cfg {
    pub(crate) enable_io: bool,
    pub(crate) enable_time: bool,
    /// The clock starts paused (`Builder::start_paused`).
    pub(crate) start_paused: bool,
}

/// The parking side, owned by whichever thread parks on it.
pub(crate) struct Driver {
    inner: TimeDriver,
}

enum TimeDriver {
    Enabled(time::Driver),
    Disabled(IoStack),
}

/// The bottom of the stack: the I/O driver, or a plain thread parker.
pub(crate) enum IoStack {
    Enabled(io::Driver),
    Disabled(ParkThread),
}

/// The shared side: wakes the thread parked on the driver, and gives resources access to
/// the drivers they register with.
pub(crate) struct Handle {
    io: Option<Arc<io::Handle>>,
    time: Option<time::Handle>,
    clock: time::Clock,
    unpark: Unpark,
    /// Set by every unpark; the time driver reads it to tell an idle runtime from one
    /// that was just given work.
    unparked: AtomicBool,
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
        let clock = time::Clock::new(cfg.start_paused);
        let (inner, time) = if cfg.enable_time {
            (
                TimeDriver::Enabled(time::Driver::new(io)),
                Some(time::Handle::new(clock.now())),
            )
        } else {
            (TimeDriver::Disabled(io), None)
        };
        let handle = Handle {
            io: io_handle,
            time,
            clock,
            unpark,
            unparked: AtomicBool::new(false),
        };
        Ok((Driver { inner }, handle))
    }

    /// Blocks until `Handle::unpark` is called, an I/O event arrives or a timer is due
    /// (or returns at once if an unpark is already pending).
    pub(crate) fn park(&mut self, handle: &Handle) {
        self.park_internal(handle, None);
    }

    /// As `park`, but for at most `duration`; `Duration::ZERO` only processes what is
    /// ready (I/O events, expired timers) without blocking.
    pub(crate) fn park_timeout(&mut self, handle: &Handle, duration: Duration) {
        self.park_internal(handle, Some(duration));
    }

    fn park_internal(&mut self, handle: &Handle, limit: Option<Duration>) {
        match &mut self.inner {
            TimeDriver::Enabled(driver) => driver.park(handle, limit),
            TimeDriver::Disabled(io) => {
                io.park(handle, limit);
            }
        }
    }

    /// Releases the driver's resources and wakes everything waiting on it.
    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        match &mut self.inner {
            TimeDriver::Enabled(driver) => driver.shutdown(handle),
            TimeDriver::Disabled(io) => io.shutdown(handle),
        }
    }
}

impl IoStack {
    /// Parks for at most `timeout`; returns how many I/O resources became ready.
    pub(crate) fn park(&mut self, handle: &Handle, timeout: Option<Duration>) -> usize {
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

    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        if let (IoStack::Enabled(driver), Some(io)) = (self, handle.io.as_ref()) {
            driver.shutdown(io);
        }
    }
}

impl Handle {
    /// Wakes the thread parked on the driver, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        self.unparked.store(true, Release);
        match &self.unpark {
            Unpark::Io(io) => io.unpark(),
            Unpark::Thread(thread) => thread.unpark(),
        }
    }

    /// Whether `unpark` was called since the last call of this (and resets it).
    pub(crate) fn take_unparked(&self) -> bool {
        self.unparked.swap(false, AcqRel)
    }

    /// The I/O driver's handle, if the runtime has one.
    pub(crate) fn io(&self) -> Option<&Arc<io::Handle>> {
        self.io.as_ref()
    }

    /// The time driver's handle, if the runtime has one.
    pub(crate) fn time(&self) -> Option<&time::Handle> {
        self.time.as_ref()
    }

    /// The runtime's clock.
    pub(crate) fn clock(&self) -> &time::Clock {
        &self.clock
    }
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("driver::Handle")
            .field("io", &self.io.is_some())
            .field("time", &self.time.is_some())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}
