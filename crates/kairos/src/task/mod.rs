//! Tasks: spawning, joining, aborting, and the machinery under them.
//!
//! A task is a future the runtime drives to completion on its own, like a green thread. It
//! lives in one heap cell (see `core.rs`) that holds the future and, after it finishes, its
//! output, so spawning allocates exactly once.
//!
//! # The task protocol
//!
//! The cell is shared by the run queues, the wakers, the `JoinHandle`, the `AbortHandle` and
//! the owner list of the scheduler that spawned it. They coordinate through one atomic
//! state word (`state.rs`):
//!
//! ```text
//!  bit  RUNNING        a thread polls the future (or a shutdown has claimed it)
//!  bit  COMPLETE       the future is gone; the stage holds the output, or nothing
//!  bit  NOTIFIED       a `Notified` reference sits in a run queue, or the poller will
//!                      submit one when the current poll ends
//!  bit  CANCELLED      abort or shutdown asked for the future to be dropped
//!  bit  JOIN_INTEREST  the JoinHandle is alive and will take the output
//!  bit  JOIN_WAKER     the join waker is set and lent to the runtime side
//!  rest                reference count
//! ```
//!
//! Fields and who owns them:
//! - `header.state`: atomic, everyone.
//! - `core.stage` (future, then output): whoever set RUNNING; after COMPLETE, the
//!   `JoinHandle` if JOIN_INTEREST is set, else the thread that completed the task.
//! - `trailer.waker` (the join waker): the `JoinHandle` while JOIN_WAKER is clear; while it
//!   is set the runtime side may read (wake) it and nobody writes it.
//! - `core.scheduler`, `header.id`, `header.vtable`: immutable until the cell is freed.
//!
//! References: the owner list, each `Notified` in a queue, the `JoinHandle`, each
//! `AbortHandle` and each waker count one. A new task starts with three (owner list,
//! first `Notified`, `JoinHandle`), NOTIFIED and JOIN_INTEREST. The cell is freed by
//! whoever drops the count to zero.
//!
//! The rules, as implemented in `state.rs` and `harness.rs`:
//!
//! 1. Only a task in the NOTIFIED state has a `Notified` reference, and it has exactly one.
//! 2. To poll, a scheduler consumes a `Notified`: NOTIFIED -> RUNNING. If the task is
//!    already RUNNING or COMPLETE (a shutdown took it), the reference is just released.
//!    If CANCELLED is set, the poller drops the future instead of polling it.
//! 3. After a `Pending` poll, RUNNING is cleared. If NOTIFIED was set meanwhile, the
//!    poller's reference becomes the new `Notified` and is resubmitted (at the back of
//!    the queue, like a yield); otherwise it is released. If CANCELLED was set meanwhile,
//!    RUNNING is kept and the poller cancels the task.
//! 4. After a `Ready` poll (or a cancellation), the output is stored, then
//!    RUNNING -> COMPLETE. If JOIN_INTEREST is gone, the completer drops the output. If
//!    JOIN_WAKER is set, the completer wakes the join waker, then clears JOIN_WAKER; if
//!    JOIN_INTEREST vanished meanwhile, it drops the waker too.
//! 5. A wake on an idle task sets NOTIFIED and submits a `Notified` (counting a new
//!    reference, or reusing the waker's when woken by value). On a running task it only
//!    sets NOTIFIED (rule 3 resubmits). On a notified or complete task it does nothing.
//! 6. Abort sets CANCELLED. An idle task is also notified and submitted, so that its own
//!    scheduler drops the future on the thread the task belongs to.
//! 7. Runtime shutdown sets CANCELLED and, if the task is idle (even if notified), sets
//!    RUNNING and cancels it on the spot; the queued `Notified`, if any, then fails rule 2.
//! 8. Dropping the `JoinHandle` clears JOIN_INTEREST, and JOIN_WAKER too unless COMPLETE.
//!    If COMPLETE, the handle drops the output. If JOIN_WAKER ends up clear, the handle
//!    drops the join waker.
//! 9. To register a join waker, the `JoinHandle` writes it while JOIN_WAKER is clear, then
//!    sets JOIN_WAKER; to replace it, it first clears JOIN_WAKER. Both fail once COMPLETE
//!    is set, and the handle then reads the output.
//!
//! Local tasks (`spawn_local`, `!Send` futures) add one rule: their `Notified` references
//! are only run, and their owner references only shut down, on the thread that spawned
//! them. Wakers may still be used anywhere: waking only touches the state word and a
//! queue.

mod abort;
pub(crate) mod blocking;
pub mod coop;
mod core;
mod error;
mod harness;
mod id;
mod join;
mod join_set;
mod list;
pub(crate) mod local;
mod raw;
mod spawn;
mod state;
mod task_local;
mod waker;
mod yield_now;

pub use self::abort::AbortHandle;
pub use self::blocking::spawn_blocking;
pub use self::coop::{consume_budget, unconstrained, Unconstrained};
pub use self::error::JoinError;
pub use self::id::{id, try_id, Id};
pub use self::join::JoinHandle;
pub use self::join_set::JoinSet;
pub use self::local::{spawn_local, LocalSet};
pub use self::spawn::spawn;
pub use self::task_local::{AccessError, LocalKey, TaskLocalFuture};
pub use self::yield_now::yield_now;

pub(crate) use self::core::Header;
pub(crate) use self::list::OwnedTasks;
pub(crate) use self::raw::RawTask;

use std::future::Future;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// What a task needs from the scheduler that spawned it.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Queues a task that was woken.
    fn schedule(&self, task: Notified<Self>);

    /// Queues a task that was woken while it ran (a yield): it goes behind the others.
    fn yield_now(&self, task: Notified<Self>) {
        self.schedule(task);
    }

    /// One of this scheduler's tasks completed (its output stored, or cancelled): called
    /// once per task, before the completion is published, for
    /// `RuntimeMetrics::num_alive_tasks`.
    fn task_completed(&self) {}
}

/// An owned reference to a task: the one its owner list holds.
pub(crate) struct Task<S: 'static> {
    raw: RawTask,
    _scheduler: PhantomData<S>,
}

/// A reference that stands for "this task is scheduled" (rule 1): running it polls the
/// task.
#[repr(transparent)]
pub(crate) struct Notified<S: 'static>(Task<S>);

impl<S: 'static> Task<S> {
    /// # Safety
    ///
    /// `raw` carries a counted reference that the new `Task` takes over, and the task's
    /// scheduler type is `S`.
    unsafe fn from_raw(raw: RawTask) -> Task<S> {
        Task {
            raw,
            _scheduler: PhantomData,
        }
    }

    pub(crate) fn header(&self) -> &Header {
        self.raw.header()
    }

    #[cfg(all(test, not(loom)))]
    pub(crate) fn id(&self) -> Id {
        self.header().id()
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.header().state.load().is_complete()
    }

    /// Cancels the task for a runtime shutdown (rule 7), releasing this reference.
    pub(crate) fn shutdown(self) {
        let raw = self.raw;
        std::mem::forget(self);
        raw.shutdown();
    }
}

impl<S: 'static> Drop for Task<S> {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

impl<S: Schedule> Notified<S> {
    /// # Safety
    ///
    /// `ptr` came from [`Notified::into_raw`] for a task of scheduler type `S`.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> Notified<S> {
        // SAFETY: the pointer carries the reference `into_raw` gave up.
        Notified(unsafe { Task::from_raw(RawTask::from_raw(ptr)) })
    }

    /// Gives up the reference as a bare pointer (to store it in a lock-free queue).
    pub(crate) fn into_raw(self) -> NonNull<Header> {
        let ptr = self.0.raw.header_ptr();
        std::mem::forget(self);
        ptr
    }

    /// Polls the task once (rule 2), consuming this reference.
    pub(crate) fn run(self) {
        let raw = self.0.raw;
        std::mem::forget(self);
        raw.poll();
    }

    #[cfg(all(test, not(loom)))]
    pub(crate) fn id(&self) -> Id {
        self.0.id()
    }
}

impl<S: 'static> Notified<S> {
    /// Releases a task that will not be run because its scheduler is gone (it is shut
    /// down through its owner reference).
    pub(crate) fn into_task(self) -> Task<S> {
        // SAFETY: `repr(transparent)` wrapper; the reference moves with it.
        let raw = self.0.raw;
        std::mem::forget(self);
        // SAFETY: the reference moves from the `Notified` to the `Task`.
        unsafe { Task::from_raw(raw) }
    }
}

/// Creates a task that may be polled and dropped on any thread.
pub(crate) fn new_task<F, S>(
    future: F,
    scheduler: S,
    id: Id,
) -> (Task<S>, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: a `Send` future with a `Send` output may be polled and dropped anywhere.
    unsafe { new_local_task(future, scheduler, id) }
}

/// Creates a task whose future need not be `Send`.
///
/// # Safety
///
/// The caller runs the returned `Notified` (and every later one) and shuts the `Task` down
/// only on the current thread, and never drops the future elsewhere: the local-task rule in
/// the module docs.
pub(crate) unsafe fn new_local_task<F, S>(
    future: F,
    scheduler: S,
    id: Id,
) -> (Task<S>, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    let raw = RawTask::new::<F, S>(future, scheduler, id);
    // SAFETY: the state starts with three references, handed out here one each.
    unsafe {
        (
            Task::from_raw(raw),
            Notified(Task::from_raw(raw)),
            JoinHandle::from_raw(raw),
        )
    }
}

#[cfg(test)]
pub(crate) mod tests;
