//! The injection queue: tasks scheduled from outside a scheduler's own threads (other OS
//! threads, `Handle::spawn`, overflow from a full local run queue).
//!
//! One mutex guards a `VecDeque` (whose capacity is kept, so pushing does not allocate in
//! the steady state), the owner references of tasks spawned from outside (`orphans`,
//! adopted into the owner list of whichever core pops next) and the closed flag. `len` is
//! mirrored in an atomic so that schedulers can skip the lock when the queue is empty.

use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::loom::sync::Mutex;
use crate::task::{Notified, OwnedTasks, Schedule, Task};
use std::collections::VecDeque;

pub(crate) struct Inject<S: 'static> {
    synced: Mutex<Synced<S>>,
    len: AtomicUsize,
    /// Mirrors `Synced::is_closed` for lock-free checks in the worker loop.
    closed: AtomicBool,
}

struct Synced<S: 'static> {
    queue: VecDeque<Notified<S>>,
    orphans: Vec<Task<S>>,
    is_closed: bool,
}

impl<S: Schedule> Inject<S> {
    pub(crate) fn new() -> Self {
        Inject {
            synced: Mutex::new(Synced {
                queue: VecDeque::new(),
                orphans: Vec::new(),
                is_closed: false,
            }),
            len: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
        }
    }

    /// Whether the queue looks empty. A push that races with this check is followed by an
    /// unpark of a worker, which re-checks.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Queues a woken task. Gives the task back if the scheduler is shut down.
    pub(crate) fn push(&self, task: Notified<S>) -> Result<(), Notified<S>> {
        let mut synced = self.synced.lock();
        if synced.is_closed {
            return Err(task);
        }
        synced.queue.push_back(task);
        self.len.store(synced.queue.len(), Ordering::Release);
        Ok(())
    }

    /// Queues a task spawned from outside the scheduler, with its owner reference. Gives
    /// both back if the scheduler is shut down.
    pub(crate) fn push_new(
        &self,
        task: Task<S>,
        notified: Notified<S>,
    ) -> Result<(), (Task<S>, Notified<S>)> {
        let mut synced = self.synced.lock();
        if synced.is_closed {
            return Err((task, notified));
        }
        synced.orphans.push(task);
        synced.queue.push_back(notified);
        self.len.store(synced.queue.len(), Ordering::Release);
        Ok(())
    }

    /// Queues a batch of tasks (a local queue's overflow). After shutdown they are dropped;
    /// their owner lists shut them down.
    pub(crate) fn push_batch(&self, tasks: impl Iterator<Item = Notified<S>>) {
        let mut synced = self.synced.lock();
        if synced.is_closed {
            drop(synced);
            tasks.for_each(drop);
            return;
        }
        synced.queue.extend(tasks);
        self.len.store(synced.queue.len(), Ordering::Release);
    }

    /// Takes the oldest task, adopting any orphans into `owned`.
    pub(crate) fn pop(&self, owned: &mut OwnedTasks<S>) -> Option<Notified<S>> {
        let mut task = None;
        self.pop_batch(1, owned, |popped| task = Some(popped));
        task
    }

    /// Takes up to `max` tasks, oldest first, handing each to `sink`; adopts orphans into
    /// `owned`. Returns how many were taken.
    pub(crate) fn pop_batch(
        &self,
        max: usize,
        owned: &mut OwnedTasks<S>,
        mut sink: impl FnMut(Notified<S>),
    ) -> usize {
        if self.is_empty() {
            return 0;
        }
        let mut synced = self.synced.lock();
        if !synced.orphans.is_empty() {
            owned.extend(synced.orphans.drain(..));
        }
        let n = max.min(synced.queue.len());
        for task in synced.queue.drain(..n) {
            sink(task);
        }
        self.len.store(synced.queue.len(), Ordering::Release);
        n
    }

    /// Refuses every later push. Returns false if it was already closed.
    pub(crate) fn close(&self) -> bool {
        let mut synced = self.synced.lock();
        self.closed.store(true, Ordering::Release);
        !std::mem::replace(&mut synced.is_closed, true)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// After `close`: drops every queued reference and shuts down the orphans.
    pub(crate) fn shutdown(&self) {
        let (queue, orphans) = {
            let mut synced = self.synced.lock();
            debug_assert!(synced.is_closed);
            self.len.store(0, Ordering::Release);
            (
                std::mem::take(&mut synced.queue),
                std::mem::take(&mut synced.orphans),
            )
        };
        // Outside the lock: shutting a task down runs its future's destructor, which may
        // wake (and so push to) this queue.
        for task in orphans {
            task.shutdown();
        }
        drop(queue);
    }
}
