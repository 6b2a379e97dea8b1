//! The driver: what a worker with nothing to run parks on.
//!
//! Every scheduler parks through this one interface: `Driver::park` /
//! `Driver::park_timeout` on the thread that owns the driver, `Handle::unpark` from any
//! other thread. Today the driver is a plain thread parker; the I/O reactor and the timer
//! wheel plug in here (the I/O driver becomes the thing parked on, with the next timer's
//! deadline as its timeout) without the schedulers changing. `enable_io` / `enable_time`
//! are recorded in [`Cfg`] for that.

use crate::runtime::park::{ParkThread, UnparkThread};
use std::time::Duration;

/// Which drivers the runtime was built with.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cfg {
    pub(crate) enable_io: bool,
    pub(crate) enable_time: bool,
}

/// The parking side, owned by whichever thread parks on it.
#[derive(Debug)]
pub(crate) struct Driver {
    park: ParkThread,
}

/// The shared side: wakes the thread parked on the driver.
#[derive(Debug)]
pub(crate) struct Handle {
    unpark: UnparkThread,
    cfg: Cfg,
}

impl Driver {
    pub(crate) fn new(cfg: Cfg) -> (Driver, Handle) {
        let park = ParkThread::new();
        let unpark = park.unpark_handle();
        (Driver { park }, Handle { unpark, cfg })
    }

    /// Blocks until `Handle::unpark` is called (or returns at once if it already was).
    pub(crate) fn park(&mut self, _handle: &Handle) {
        self.park.park();
    }

    /// As `park`, but for at most `duration`; `Duration::ZERO` only processes what is
    /// ready (I/O events, expired timers) without blocking.
    pub(crate) fn park_timeout(&mut self, _handle: &Handle, duration: Duration) {
        self.park.park_timeout(duration);
    }

    /// Releases the driver's resources and wakes everything waiting on it.
    pub(crate) fn shutdown(&mut self, _handle: &Handle) {}
}

impl Handle {
    /// Wakes the thread parked on the driver, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        self.unpark.unpark();
    }

    #[allow(dead_code)] // read by the I/O and time drivers
    pub(crate) fn cfg(&self) -> Cfg {
        self.cfg
    }
}
