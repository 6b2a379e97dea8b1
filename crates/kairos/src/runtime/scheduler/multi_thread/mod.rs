//! The multi-thread, work-stealing scheduler.
//!
//! One OS thread per worker. Each worker owns a fixed ring run queue (`queue.rs`) and a
//! LIFO slot; tasks woken on a worker go to its LIFO slot (so a message's receiver runs
//! next, while the data is hot in cache) or the back of its ring; tasks from outside go to
//! the injection queue. A worker that runs dry steals half of a random victim's ring, then
//! looks at the injection queue, then parks (`idle.rs`, `park.rs`). See `worker.rs` for the
//! loop and its fairness rules.

mod idle;
mod park;
pub(crate) mod queue;
mod worker;

pub(crate) use self::worker::{Context, Handle};

use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Condvar, Mutex};
use crate::runtime::blocking;
use crate::runtime::config::Config;
use crate::runtime::context;
use crate::runtime::driver::{self, Driver};
use crate::runtime::scheduler;
use std::fmt;
use std::future::Future;
use std::io;
use std::time::Instant;

/// The scheduler, owned by the `Runtime`: the worker threads.
pub(crate) struct MultiThread {
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// The driver's own thread, with `Builder::dedicated_driver_thread` only.
    driver_thread: Mutex<Option<DriverThread>>,
}

/// A thread that does nothing but park in the driver (the alternative measured in
/// docs/DESIGN.md, "Driver"): wakers it runs go through the injection queue.
struct DriverThread {
    thread: std::thread::JoinHandle<()>,
    stop: std::sync::Arc<AtomicBool>,
}

/// Counts workers that have finished, so shutdown can wait with a deadline.
pub(super) struct ExitLatch {
    exited: Mutex<usize>,
    condvar: Condvar,
}

impl MultiThread {
    pub(crate) fn new(
        num_workers: usize,
        driver: Driver,
        driver_handle: driver::Handle,
        blocking_spawner: blocking::Spawner,
        config: Config,
    ) -> io::Result<(MultiThread, std::sync::Arc<Handle>)> {
        let (worker_driver, own_driver) = if config.driver_thread {
            (None, Some(driver))
        } else {
            (Some(driver), None)
        };
        let (handle, cores) = worker::create(
            num_workers,
            worker_driver,
            driver_handle,
            blocking_spawner,
            config,
        );
        let driver_thread = match own_driver {
            Some(driver) => Some(DriverThread::start(driver, handle.clone())?),
            None => None,
        };
        let mut threads = Vec::with_capacity(num_workers);
        for core in cores {
            let worker_handle = handle.clone();
            let spawned = handle
                .config()
                .thread
                .builder()
                .spawn(move || worker::run(worker_handle, core));
            match spawned {
                Ok(thread) => threads.push(thread),
                Err(err) => {
                    // Stop the workers already started before reporting the error.
                    handle.close();
                    for thread in threads {
                        let _ = thread.join();
                    }
                    return Err(io::Error::new(
                        err.kind(),
                        format!("failed to spawn a Kairos worker thread: {err}"),
                    ));
                }
            }
        }
        let scheduler = MultiThread {
            threads: Mutex::new(threads),
            driver_thread: Mutex::new(driver_thread),
        };
        Ok((scheduler, handle))
    }

    /// Runs `future` on the calling thread (which is not a worker), blocking it meanwhile.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(&self, handle: &scheduler::Handle, future: F) -> F::Output {
        let _enter = context::enter_runtime(handle);
        crate::runtime::park::block_on_unchecked(future)
    }

    /// Tells the workers to stop, then waits for them until `deadline` (`None`: forever).
    /// Each worker drops the futures of the tasks it owns before exiting; a worker stuck in
    /// a task's poll past the deadline is left behind (detached).
    pub(crate) fn shutdown(&self, handle: &Handle, deadline: Option<Instant>) {
        handle.close();
        let all_exited = handle.exit_latch().wait(handle.num_workers(), deadline);
        let threads = std::mem::take(&mut *self.threads.lock());
        if !all_exited {
            // The last worker out empties the injection queue and stops the driver; a
            // worker stuck in a poll may never get out, so do both here. (Safe alongside
            // running workers: the queue is locked, the task state word arbitrates, and
            // the driver is only stopped if nobody is parked in it.)
            handle.shutdown_without_stuck_workers();
        }
        if all_exited {
            for thread in threads {
                // A worker thread never panics out (task panics are caught), and if the
                // scheduler itself did, the panic was already reported on that thread.
                let _ = thread.join();
            }
        }
        if let Some(driver_thread) = self.driver_thread.lock().take() {
            driver_thread.stop(handle);
        }
    }
}

impl DriverThread {
    fn start(mut driver: Driver, handle: std::sync::Arc<Handle>) -> io::Result<DriverThread> {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("kairos-driver".into())
            .spawn(move || {
                while !stopping.load(Ordering::Acquire) {
                    driver.park(&handle.driver);
                }
                driver.shutdown(&handle.driver);
            })?;
        Ok(DriverThread { thread, stop })
    }

    fn stop(self, handle: &Handle) {
        self.stop.store(true, Ordering::Release);
        handle.driver.unpark();
        let _ = self.thread.join();
    }
}

impl ExitLatch {
    pub(super) fn new() -> ExitLatch {
        ExitLatch {
            exited: Mutex::new(0),
            condvar: Condvar::new(),
        }
    }

    pub(super) fn count_down(&self) {
        *self.exited.lock() += 1;
        self.condvar.notify_all();
    }

    /// Waits until `n` workers exited or `deadline` passed; returns whether they all did.
    fn wait(&self, n: usize, deadline: Option<Instant>) -> bool {
        let mut exited = self.exited.lock();
        while *exited < n {
            match deadline {
                None => exited = self.condvar.wait(exited),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    exited = self.condvar.wait_timeout(exited, deadline - now).0;
                }
            }
        }
        true
    }
}

impl fmt::Debug for MultiThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiThread").finish_non_exhaustive()
    }
}
