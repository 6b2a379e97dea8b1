//! `Runtime`: owns a scheduler, its blocking pool and driver, and shuts them down.

use crate::runtime::blocking::BlockingPool;
use crate::runtime::scheduler::current_thread::CurrentThread;
use crate::runtime::scheduler::multi_thread::MultiThread;
use crate::runtime::{scheduler, Builder, EnterGuard, Handle, RuntimeMetrics};
use crate::task::JoinHandle;
use std::fmt;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

/// The Kairos runtime: a scheduler, a blocking thread pool, and the driver its workers
/// park on.
///
/// Dropping a runtime cancels every task that has not finished (their futures are
/// dropped, so destructors run), stops the worker threads, and waits for tasks already
/// running on the blocking pool. Use [`shutdown_timeout`](Runtime::shutdown_timeout) to
/// bound that wait. A runtime dropped from inside an asynchronous context (a task, or
/// another runtime's `block_on`) does not wait at all, like
/// [`shutdown_background`](Runtime::shutdown_background).
///
/// # Examples
///
/// ```
/// let rt = kairos::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let handle = kairos::spawn(async { "hello" });
///     assert_eq!(handle.await.unwrap(), "hello");
/// });
/// ```
pub struct Runtime {
    scheduler: Scheduler,
    handle: Handle,
    blocking_pool: BlockingPool,
    /// Set by the first shutdown; `Drop` after `shutdown_timeout` must not wait again.
    is_shut_down: bool,
}

pub(crate) enum Scheduler {
    CurrentThread(CurrentThread),
    MultiThread(MultiThread),
}

/// The kind of scheduler a runtime uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// All tasks run on the thread that calls `block_on`.
    CurrentThread,
    /// Tasks run on a pool of worker threads that steal work from each other.
    MultiThread,
}

impl Runtime {
    /// A multi-thread runtime with one worker per CPU core and all drivers enabled.
    ///
    /// # Errors
    ///
    /// If the worker threads cannot be started.
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().enable_all().build()
    }

    pub(crate) fn from_parts(
        scheduler: Scheduler,
        handle: Handle,
        blocking_pool: BlockingPool,
    ) -> Runtime {
        Runtime {
            scheduler,
            handle,
            blocking_pool,
            is_shut_down: false,
        }
    }

    /// A handle to this runtime, to spawn onto it from anywhere.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Spawns a task onto this runtime; see [`crate::spawn`].
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = kairos::runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn(async { 5 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 5);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs a blocking closure on this runtime's blocking pool; see
    /// [`crate::task::spawn_blocking`].
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(func)
    }

    /// Runs `future` to completion on the current thread, which blocks meanwhile.
    ///
    /// On a current-thread runtime this thread also runs the spawned tasks; on a
    /// multi-thread runtime they run on the workers. The future need not be `Send`. A
    /// panic in `future` propagates to the caller.
    ///
    /// # Panics
    ///
    /// When called from inside a runtime (a task, or another `block_on`): blocking there
    /// would stall the tasks that thread is responsible for.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = kairos::runtime::Runtime::new().unwrap();
    /// let value = rt.block_on(async { 7 });
    /// assert_eq!(value, 7);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.scheduler {
            Scheduler::CurrentThread(scheduler) => scheduler.block_on(&self.handle.inner, future),
            Scheduler::MultiThread(scheduler) => scheduler.block_on(&self.handle.inner, future),
        }
    }

    /// Makes this runtime the current one (for [`crate::spawn`], [`Handle::current`]) until
    /// the guard is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = kairos::runtime::Runtime::new().unwrap();
    /// let _guard = rt.enter();
    /// let handle = kairos::spawn(async { 1 });
    /// # drop(_guard);
    /// assert_eq!(rt.block_on(handle).unwrap(), 1);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Shuts the runtime down, waiting at most `duration` for worker threads and running
    /// blocking tasks to finish; threads still busy after that are detached.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = kairos::runtime::Runtime::new().unwrap();
    /// rt.spawn_blocking(|| std::thread::sleep(Duration::from_secs(3600)));
    /// // Returns after about 10 ms, not an hour.
    /// rt.shutdown_timeout(Duration::from_millis(10));
    /// ```
    pub fn shutdown_timeout(mut self, duration: Duration) {
        self.shutdown(Some(Instant::now() + duration));
    }

    /// Shuts the runtime down without waiting for anything; equivalent to
    /// `shutdown_timeout(Duration::ZERO)`.
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }

    /// The runtime's metrics.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    fn shutdown(&mut self, deadline: Option<Instant>) {
        if std::mem::replace(&mut self.is_shut_down, true) {
            return;
        }
        match &self.scheduler {
            Scheduler::CurrentThread(scheduler) => scheduler.shutdown(&self.handle.inner),
            Scheduler::MultiThread(scheduler) => {
                let scheduler::Handle::MultiThread(handle) = &self.handle.inner else {
                    unreachable!("multi-thread scheduler with another handle")
                };
                scheduler.shutdown(handle, deadline);
            }
        }
        self.blocking_pool.shutdown(deadline);
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Dropped from a thread that drives tasks (inside a task or another runtime's
        // `block_on`), waiting could deadlock (a worker waiting for itself) or stall the
        // other tasks: shut down without waiting, as `shutdown_background` does.
        let deadline = crate::runtime::context::is_in_runtime().then(Instant::now);
        // A no-op after `shutdown_timeout` / `shutdown_background`.
        self.shutdown(deadline);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("flavor", &self.handle.runtime_flavor())
            .finish_non_exhaustive()
    }
}
