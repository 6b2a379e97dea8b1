//! Settings the schedulers and the blocking pool read at run time, fixed by the `Builder`.

use std::sync::Arc;

/// A user hook run on runtime threads.
pub(crate) type Callback = Arc<dyn Fn() + Send + Sync>;

/// Produces the name of each new runtime thread.
pub(crate) type ThreadNameFn = Arc<dyn Fn() -> String + Send + Sync>;

/// How the runtime's OS threads (workers and blocking threads) are made.
#[derive(Clone)]
pub(crate) struct ThreadConfig {
    pub(crate) name: ThreadNameFn,
    pub(crate) stack_size: Option<usize>,
    pub(crate) after_start: Option<Callback>,
    pub(crate) before_stop: Option<Callback>,
}

impl ThreadConfig {
    /// A `std::thread::Builder` with the configured name and stack size.
    pub(crate) fn builder(&self) -> std::thread::Builder {
        let mut builder = std::thread::Builder::new().name((self.name)());
        if let Some(size) = self.stack_size {
            builder = builder.stack_size(size);
        }
        builder
    }

    pub(crate) fn run_after_start(&self) {
        if let Some(hook) = &self.after_start {
            hook();
        }
    }

    pub(crate) fn run_before_stop(&self) {
        if let Some(hook) = &self.before_stop {
            hook();
        }
    }
}

/// Scheduler settings.
#[derive(Clone)]
pub(crate) struct Config {
    /// Run by a worker before it parks (goes idle) and after it wakes.
    pub(crate) before_park: Option<Callback>,
    pub(crate) after_unpark: Option<Callback>,
    /// Tasks run between two non-blocking polls of the driver.
    pub(crate) event_interval: u32,
    /// Every this many ticks, a worker takes from the injection queue before its own.
    pub(crate) global_queue_interval: u32,
    /// Multi-thread only: the driver gets a thread of its own instead of being parked
    /// on by an idle worker (kept for the comparison in docs/DESIGN.md, "Driver").
    pub(crate) driver_thread: bool,
    pub(crate) thread: ThreadConfig,
}

impl Config {
    /// Parks through `park`, running the park and unpark hooks around it.
    pub(crate) fn parked<R>(&self, park: impl FnOnce() -> R) -> R {
        if let Some(hook) = &self.before_park {
            hook();
        }
        let result = park();
        if let Some(hook) = &self.after_unpark {
            hook();
        }
        result
    }
}
