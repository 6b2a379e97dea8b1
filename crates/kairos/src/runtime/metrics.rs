//! Runtime metrics: counters read from the scheduler and the blocking pool.

use crate::runtime::{scheduler, Handle};
use std::fmt;

/// A view of a runtime's counters. Each call reads the current value.
///
/// # Examples
///
/// ```
/// let rt = kairos::runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .build()
///     .unwrap();
/// assert_eq!(rt.metrics().num_workers(), 2);
/// ```
#[derive(Clone)]
pub struct RuntimeMetrics {
    handle: Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    /// Worker threads (1 for a current-thread runtime).
    pub fn num_workers(&self) -> usize {
        match &self.handle.inner {
            scheduler::Handle::CurrentThread(_) => 1,
            scheduler::Handle::MultiThread(handle) => handle.num_workers(),
        }
    }

    /// Tasks spawned on this runtime that have not completed yet (whether running, waiting
    /// or queued; not blocking tasks, nor tasks of a `LocalSet`). A task counts until its
    /// output is stored or it is cancelled, not until its `JoinHandle` is read.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = kairos::runtime::Runtime::new().unwrap();
    /// let metrics = rt.metrics();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(metrics.num_alive_tasks(), 1);
    /// task.abort();
    /// let _ = rt.block_on(task);
    /// assert_eq!(metrics.num_alive_tasks(), 0);
    /// ```
    pub fn num_alive_tasks(&self) -> usize {
        match &self.handle.inner {
            scheduler::Handle::CurrentThread(handle) => handle.num_alive_tasks(),
            scheduler::Handle::MultiThread(handle) => handle.num_alive_tasks(),
        }
    }

    /// Tasks waiting in the shared injection queue (scheduled from outside the workers).
    pub fn global_queue_depth(&self) -> usize {
        match &self.handle.inner {
            scheduler::Handle::CurrentThread(handle) => handle.injection_queue_depth(),
            scheduler::Handle::MultiThread(handle) => handle.injection_queue_depth(),
        }
    }

    /// How many times worker `worker` has parked (gone idle). Always 0 on a current-thread
    /// runtime.
    ///
    /// # Panics
    ///
    /// If `worker >= num_workers()`.
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        match &self.handle.inner {
            scheduler::Handle::CurrentThread(_) => {
                assert!(worker == 0, "worker index {worker} out of range (1 worker)");
                0
            }
            scheduler::Handle::MultiThread(handle) => {
                assert!(
                    worker < handle.num_workers(),
                    "worker index {worker} out of range ({} workers)",
                    handle.num_workers()
                );
                handle.worker_park_count(worker)
            }
        }
    }

    /// Threads in the blocking pool, busy or idle.
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.inner.blocking_spawner().num_threads()
    }

    /// Blocking-pool threads waiting for work.
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.handle.inner.blocking_spawner().num_idle_threads()
    }

    /// Blocking tasks waiting for a thread.
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.inner.blocking_spawner().queue_depth()
    }
}

impl fmt::Debug for RuntimeMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeMetrics")
            .field("num_workers", &self.num_workers())
            .field("global_queue_depth", &self.global_queue_depth())
            .finish_non_exhaustive()
    }
}
