//! `spawn_blocking`: run blocking code off the workers.

use crate::runtime::context;
use crate::task::JoinHandle;

/// Runs a blocking closure on the runtime's blocking thread pool and returns a
/// [`JoinHandle`] for its result.
///
/// Use it for code that would stall a worker: blocking system calls, synchronous file or
/// database APIs, long computations. The pool grows to `max_blocking_threads` threads
/// (default 512); past that, closures wait in a queue. A closure cannot be stopped once it
/// runs: `abort` only prevents a queued one from starting, and runtime shutdown waits for
/// running ones (up to `shutdown_timeout`).
///
/// # Panics
///
/// When called outside a Kairos runtime.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let digest = kairos::task::spawn_blocking(|| {
///     // Something slow and synchronous.
///     (0..1_000_000u64).fold(0u64, |acc, x| acc.wrapping_mul(31).wrapping_add(x))
/// })
/// .await
/// .unwrap();
/// # let _ = digest;
/// # });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(func: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    context::with_current(|handle| handle.blocking_spawner().spawn_blocking(handle, func))
}
