//! The owner list: every task a scheduler spawned, so that shutdown can drop them all.
//!
//! The list belongs to one scheduler core and is only touched by the thread driving that
//! core, so it needs no lock: spawning pushes a reference, and nothing unlinks a task when
//! it completes. Instead the list is swept of completed tasks when it has doubled since
//! the last sweep, which keeps the cost amortized O(1) per spawn and the list at most
//! about twice the number of live tasks (plus [`SWEEP_SLACK`]). A completed task's memory
//! is therefore released at the next sweep rather than at completion; its future and
//! output are dropped at completion as usual.

use crate::task::Task;

/// The list may grow this far past twice its live size before a sweep.
const SWEEP_SLACK: usize = 64;

pub(crate) struct OwnedTasks<S: 'static> {
    tasks: Vec<Task<S>>,
    sweep_at: usize,
}

impl<S: 'static> OwnedTasks<S> {
    pub(crate) fn new() -> Self {
        OwnedTasks {
            tasks: Vec::new(),
            sweep_at: SWEEP_SLACK,
        }
    }

    pub(crate) fn push(&mut self, task: Task<S>) {
        if self.tasks.len() >= self.sweep_at {
            self.sweep();
        }
        self.tasks.push(task);
    }

    /// Releases the list's references to completed tasks.
    ///
    /// Freeing a completed task runs no user code: its future and output are gone and its
    /// join waker was dropped by whoever released interest (rules 4 and 8).
    pub(crate) fn sweep(&mut self) {
        self.tasks.retain(|task| !task.is_complete());
        self.sweep_at = self.tasks.len() * 2 + SWEEP_SLACK;
    }

    /// Cancels every task in the list (runtime shutdown). The caller has closed its
    /// scheduler, so destructors that spawn cannot add to this list; the loop is a guard
    /// that keeps the "every task is dropped" promise even if one did.
    pub(crate) fn shutdown_all(&mut self) {
        loop {
            let tasks = std::mem::take(&mut self.tasks);
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                task.shutdown();
            }
        }
        self.sweep_at = SWEEP_SLACK;
    }

    /// Leaks every task in the list: their futures are never dropped. Used only for `!Send`
    /// tasks whose runtime is dropped on a thread other than theirs, where dropping the
    /// futures would be unsound.
    pub(crate) fn leak_all(&mut self) {
        for task in self.tasks.drain(..) {
            std::mem::forget(task);
        }
    }

    pub(crate) fn extend(&mut self, tasks: impl IntoIterator<Item = Task<S>>) {
        for task in tasks {
            self.push(task);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}
