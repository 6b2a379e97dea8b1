//! Task identifiers.

use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// An opaque identifier of a task, unique among all tasks of the process: ids come from a
/// 64-bit counter and are never reused.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = kairos::spawn(async { kairos::task::id() });
/// let id = handle.id();
/// assert_eq!(handle.await.unwrap(), id);
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(NonZeroU64);

/// How many ids a thread reserves from the global counter at a time, so spawning on many
/// threads does not contend on one cache line.
const BLOCK: u64 = 256;

static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The next id this thread hands out and the end of its reserved block.
    static RESERVED: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

impl Id {
    pub(crate) fn next() -> Id {
        let raw = RESERVED
            .try_with(|reserved| {
                let (mut next, mut end) = reserved.get();
                if next == end {
                    next = NEXT_BLOCK.fetch_add(BLOCK, Relaxed);
                    end = next + BLOCK;
                }
                reserved.set((next + 1, end));
                next
            })
            // During thread teardown, fall back to a block of one.
            .unwrap_or_else(|_| NEXT_BLOCK.fetch_add(1, Relaxed));
        Id(NonZeroU64::new(raw).expect("task id counter overflowed"))
    }

    /// The id as a number, for logs and metrics.
    pub fn as_u64(&self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

/// The id of the task currently running on this thread.
///
/// # Panics
///
/// When called outside a task; see [`try_id`].
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let id = kairos::spawn(async { kairos::task::id() }).await.unwrap();
/// println!("the task was {id}");
/// # });
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect("kairos::task::id() called outside of a task")
}

/// The id of the task currently running on this thread, or `None` outside a task (in
/// `block_on`'s own future, for instance).
pub fn try_id() -> Option<Id> {
    crate::runtime::context::current_task_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_across_threads() {
        let mut ids: Vec<u64> = (0..4)
            .map(|_| {
                std::thread::spawn(|| (0..1000).map(|_| Id::next().as_u64()).collect::<Vec<_>>())
            })
            .flat_map(|t| t.join().unwrap())
            .collect::<Vec<_>>();
        ids.extend((0..1000).map(|_| Id::next().as_u64()));
        let before = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), before);
    }
}
