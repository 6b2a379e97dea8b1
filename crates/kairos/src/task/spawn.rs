//! `spawn`: start a task on the current runtime.

use crate::runtime::context;
use crate::task::{Id, JoinHandle};
use std::future::Future;

/// Spawns a new asynchronous task on the current runtime, returning a [`JoinHandle`] for
/// its output.
///
/// The task starts running at once, in the background: awaiting the handle is not needed
/// for it to make progress. On a multi-thread runtime it may run on any worker, so the
/// future must be `Send`; for `!Send` futures see [`spawn_local`](crate::task::spawn_local).
/// Spawning allocates once: the task cell holding the future.
///
/// # Panics
///
/// When called outside a Kairos runtime (no task, `block_on` or `Runtime::enter` on this
/// thread).
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let handles: Vec<_> = (0..10).map(|i| kairos::spawn(async move { i * 2 })).collect();
/// let mut sum = 0;
/// for handle in handles {
///     sum += handle.await.unwrap();
/// }
/// assert_eq!(sum, 90);
/// # });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    context::with_current(|handle| handle.spawn(future, Id::next()))
}
