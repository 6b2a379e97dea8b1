//! `JoinSet`: a collection of tasks, awaited in completion order.
//!
//! Each task's `JoinHandle` sits in a slot. Every slot has its own waker (allocated once
//! per slot and reused), which the task's completion wakes: it records the slot in the
//! shared `ready` list and wakes whoever awaits `join_next`. So `join_next` only polls
//! handles that were woken, never the whole set.

use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::runtime::Handle;
use crate::task::{coop, AbortHandle, Id, JoinError, JoinHandle, LocalSet};
use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll, Wake, Waker};

/// A collection of tasks spawned together, whose outputs are taken as they complete.
///
/// Dropping a `JoinSet` aborts every task in it.
///
/// # Examples
///
/// ```
/// use kairos::task::JoinSet;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let mut set = JoinSet::new();
/// for i in 0..10 {
///     set.spawn(async move { i });
/// }
/// let mut seen = [false; 10];
/// while let Some(result) = set.join_next().await {
///     seen[result.unwrap()] = true;
/// }
/// assert!(seen.iter().all(|&s| s));
/// # });
/// ```
pub struct JoinSet<T> {
    slots: Vec<Option<JoinHandle<T>>>,
    /// One per slot ever created, reused with the slot.
    slot_wakers: Vec<std::sync::Arc<SlotWaker>>,
    wakers: Vec<Waker>,
    free: Vec<usize>,
    len: usize,
    shared: Arc<Shared>,
}

struct Shared {
    /// Slots whose task may have finished, in wake-up order.
    ready: Mutex<VecDeque<usize>>,
    /// The task awaiting `join_next`.
    waiter: Mutex<Option<Waker>>,
}

struct SlotWaker {
    shared: Arc<Shared>,
    index: usize,
    queued: AtomicBool,
}

impl Wake for SlotWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.shared.ready.lock().push_back(self.index);
            let waiter = self.shared.waiter.lock().clone();
            if let Some(waiter) = waiter {
                waiter.wake();
            }
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            slots: Vec::new(),
            slot_wakers: Vec::new(),
            wakers: Vec::new(),
            free: Vec::new(),
            len: 0,
            shared: Arc::new(Shared {
                ready: Mutex::new(VecDeque::new()),
                waiter: Mutex::new(None),
            }),
        }
    }

    /// The number of tasks in the set (finished ones count until they are joined).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let index = self.slots.len();
                self.slots.push(None);
                let slot_waker = std::sync::Arc::new(SlotWaker {
                    shared: self.shared.clone(),
                    index,
                    queued: AtomicBool::new(false),
                });
                self.wakers.push(Waker::from(slot_waker.clone()));
                self.slot_wakers.push(slot_waker);
                index
            }
        };
        self.slots[index] = Some(handle);
        self.len += 1;
        // Polling once registers the slot's waker as the task's join waker.
        self.wakers[index].wake_by_ref();
        abort
    }

    /// Spawns `task` on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a Kairos runtime.
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.insert(crate::spawn(task))
    }

    /// Spawns `task` on the runtime of `handle` and adds it to the set.
    #[track_caller]
    pub fn spawn_on<F>(&mut self, task: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.insert(handle.spawn(task))
    }

    /// Spawns a `!Send` task with [`spawn_local`](crate::task::spawn_local) and adds it.
    #[track_caller]
    pub fn spawn_local<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        self.insert(crate::task::spawn_local(task))
    }

    /// Spawns a `!Send` task onto `local_set` and adds it.
    pub fn spawn_local_on<F>(&mut self, task: F, local_set: &LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        self.insert(local_set.spawn_local(task))
    }

    /// Runs `func` on the blocking pool and adds it to the set.
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, func: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.insert(crate::task::spawn_blocking(func))
    }

    /// Runs `func` on the blocking pool of `handle`'s runtime and adds it to the set.
    #[track_caller]
    pub fn spawn_blocking_on<F>(&mut self, func: F, handle: &Handle) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.insert(handle.spawn_blocking(func))
    }

    /// Waits for any task to finish and returns its result, or `None` if the set is
    /// empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, no task's result is
    /// lost; it stays in the set.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// As [`JoinSet::join_next`], with the id of the task that finished.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as `join_next`.
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// Returns the result of a task that already finished, without waiting; `None` if
    /// none has (or the set is empty).
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id().map(without_id)
    }

    /// As [`JoinSet::try_join_next`], with the id of the task that finished.
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        coop::with_unconstrained(|| self.take_ready())
    }

    /// Polls for the next finished task; the building block of [`JoinSet::join_next`].
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx)
            .map(|result| result.map(without_id))
    }

    /// Polls for the next finished task, with its id.
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        let coop = ready!(coop::poll_proceed(cx));
        {
            let mut waiter = self.shared.waiter.lock();
            if !waiter.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *waiter = Some(cx.waker().clone());
            }
        }
        match coop::with_unconstrained(|| self.take_ready()) {
            Some(result) => {
                coop.made_progress();
                Poll::Ready(Some(result))
            }
            None => Poll::Pending,
        }
    }

    /// Polls the woken slots until one yields its result.
    fn take_ready(&mut self) -> Option<Result<(Id, T), JoinError>> {
        loop {
            let index = self.shared.ready.lock().pop_front()?;
            // Re-arm before polling, so a completion racing with this poll queues the slot
            // again.
            self.slot_wakers[index]
                .queued
                .store(false, Ordering::Release);
            let waker = &self.wakers[index];
            let Some(handle) = self.slots[index].as_mut() else {
                // A stale wake-up for a slot already emptied.
                continue;
            };
            let id = handle.id();
            let mut cx = Context::from_waker(waker);
            if let Poll::Ready(result) = Pin::new(handle).poll(&mut cx) {
                self.slots[index] = None;
                self.free.push(index);
                self.len -= 1;
                return Some(result.map(|output| (id, output)));
            }
        }
    }

    /// Aborts every task in the set. They stay in the set until joined (each then yields a
    /// cancelled `JoinError`, unless it finished first).
    pub fn abort_all(&mut self) {
        for handle in self.slots.iter().flatten() {
            handle.abort();
        }
    }

    /// Removes every task from the set without aborting them: they run on, detached.
    pub fn detach_all(&mut self) {
        // Dropping the handles detaches the tasks (the emptied set's drop aborts nothing).
        self.slots.clear();
        // Fresh shared state: the detached tasks keep the old slot wakers, whose wake-ups
        // then land where nobody looks instead of in reused slots.
        *self = JoinSet::new();
    }

    /// Aborts every task and waits for all of them to stop.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    ///
    /// If a task panicked (the panic is resumed here) or was cancelled.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len);
        while let Some(result) = self.join_next().await {
            match result {
                Ok(output) => outputs.push(output),
                Err(err) => match err.try_into_panic() {
                    Ok(payload) => std::panic::resume_unwind(payload),
                    Err(err) => panic!("a task in the JoinSet failed: {err}"),
                },
            }
        }
        outputs
    }
}

fn without_id<T>(result: Result<(Id, T), JoinError>) -> Result<T, JoinError> {
    result.map(|(_, output)| output)
}

/// Spawns every future of the iterator on the current runtime into the set.
///
/// # Panics
///
/// Outside a Kairos runtime.
impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn extend<I: IntoIterator<Item = F>>(&mut self, futures: I) {
        for future in futures {
            self.spawn(future);
        }
    }
}

/// Collects futures into a set, spawning each on the current runtime.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let set: kairos::task::JoinSet<u32> = (1..=3).map(|i| async move { i * 10 }).collect();
/// let mut total = set.join_all().await;
/// total.sort();
/// assert_eq!(total, [10, 20, 30]);
/// # });
/// ```
impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fn from_iter<I: IntoIterator<Item = F>>(futures: I) -> Self {
        let mut set = JoinSet::new();
        set.extend(futures);
        set
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}
