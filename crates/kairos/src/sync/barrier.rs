//! [`Barrier`]: make a fixed number of tasks wait for each other.

use crate::loom::sync::Mutex;
use crate::sync::Notify;
use std::fmt;

/// Lets `n` tasks wait until all of them have arrived, then releases them together. It
/// can be used again for the next round.
///
/// # Examples
///
/// ```
/// use kairos::sync::Barrier;
/// use std::sync::Arc;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let barrier = Arc::new(Barrier::new(3));
/// let tasks: Vec<_> = (0..3)
///     .map(|_| {
///         let barrier = barrier.clone();
///         kairos::spawn(async move { barrier.wait().await.is_leader() })
///     })
///     .collect();
/// let mut leaders = 0;
/// for task in tasks {
///     leaders += usize::from(task.await.unwrap());
/// }
/// assert_eq!(leaders, 1); // exactly one task per round is the leader
/// # });
/// ```
pub struct Barrier {
    n: usize,
    arrived: Mutex<usize>,
    /// Woken (all) when a round completes.
    released: Notify,
}

/// What [`Barrier::wait`] returns: whether this task completed the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl Barrier {
    /// A barrier for rounds of `n` tasks (`0` counts as `1`).
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n: n.max(1),
            arrived: Mutex::new(0),
            released: Notify::new(),
        }
    }

    /// Waits until `n` tasks (this one included) have called `wait` in this round.
    ///
    /// The last task to arrive is the round's leader
    /// ([`BarrierWaitResult::is_leader`]); it does not wait.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: a task counts as arrived from its first poll, and dropping the
    /// future does not take the arrival back, so the round may complete with fewer tasks
    /// actually waiting.
    pub async fn wait(&self) -> BarrierWaitResult {
        let released = {
            let mut arrived = self.arrived.lock();
            *arrived += 1;
            if *arrived == self.n {
                *arrived = 0;
                // Still under the lock: a task of the next round cannot create its
                // `Notified` before this call, so it is not released by it.
                self.released.notify_waiters();
                return BarrierWaitResult(true);
            }
            // Created under the lock, before the leader's `notify_waiters`, which it sees.
            self.released.notified()
        };
        released.await;
        BarrierWaitResult(false)
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").field("n", &self.n).finish()
    }
}

impl BarrierWaitResult {
    /// Whether this task was the last to arrive in its round (exactly one per round is).
    pub fn is_leader(&self) -> bool {
        self.0
    }
}
