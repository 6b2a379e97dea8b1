//! `LocalSet` and `spawn_local`: tasks whose futures are not `Send`.
//!
//! A `LocalSet` is itself `!Send`: its tasks run only when it is polled (inside
//! [`LocalSet::run_until`], or by awaiting the set), on the thread that created it. Wakers
//! of its tasks may be used from any thread: a wake-up on the owner thread while the set is
//! running goes straight onto its local queue; any other goes onto a mutex-protected remote
//! queue and wakes whoever polls the set.

use crate::loom::sync::{Arc, Mutex};
use crate::runtime::{context, scheduler, Runtime};
use crate::task::{self, coop, Id, JoinHandle, Notified, OwnedTasks, Schedule};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context as TaskContext, Poll, Waker};

/// Tasks run per poll of the set before it yields to its own caller.
const MAX_TASKS_PER_TICK: usize = 61;

/// Every this many ticks, the remote queue is checked before the local one.
const REMOTE_FIRST_INTERVAL: u8 = 31;

/// A set of `!Send` tasks that all run on the current thread.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// let rt = kairos::runtime::Runtime::new().unwrap();
/// let local = kairos::task::LocalSet::new();
/// let shared = Rc::new(5);
/// let out = local.block_on(&rt, async move {
///     let shared2 = shared.clone();
///     let handle = kairos::task::spawn_local(async move { *shared2 * 2 });
///     handle.await.unwrap() + *shared
/// });
/// assert_eq!(out, 15);
/// ```
pub struct LocalSet {
    tick: Cell<u8>,
    context: Rc<Context>,
    _not_send: PhantomData<*const ()>,
}

struct Context {
    owned: RefCell<OwnedTasks<Arc<Shared>>>,
    queue: RefCell<VecDeque<Notified<Arc<Shared>>>>,
    shared: Arc<Shared>,
}

/// The part wakers reach from any thread.
struct Shared {
    /// `None` once the set is dropped.
    remote_queue: Mutex<Option<VecDeque<Notified<Arc<Shared>>>>>,
    /// Whoever polls the set.
    waker: Mutex<Option<Waker>>,
}

thread_local! {
    /// The set running (or entered) on this thread. Holding an `Rc` keeps the context
    /// alive even if guards are dropped out of order or the set is dropped first.
    static CURRENT: RefCell<Option<Rc<Context>>> = const { RefCell::new(None) };
}

/// Keeps a `LocalSet` current (for [`spawn_local`]) until dropped; see [`LocalSet::enter`].
#[must_use = "the set is only current while the guard lives"]
pub struct LocalEnterGuard {
    previous: Option<Rc<Context>>,
}

impl LocalSet {
    /// An empty set.
    pub fn new() -> LocalSet {
        LocalSet {
            tick: Cell::new(0),
            context: Rc::new(Context {
                owned: RefCell::new(OwnedTasks::new()),
                queue: RefCell::new(VecDeque::new()),
                shared: Arc::new(Shared {
                    remote_queue: Mutex::new(Some(VecDeque::new())),
                    waker: Mutex::new(None),
                }),
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` task onto this set. It runs when the set runs.
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.context.spawn(future)
    }

    /// Runs `future` on `rt` with this set running alongside it, until the future
    /// completes; see [`Runtime::block_on`].
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// Runs this set's tasks while awaiting `future`, and returns its output. Tasks still
    /// unfinished stay in the set.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let local = kairos::task::LocalSet::new();
    /// let value = local
    ///     .run_until(async {
    ///         kairos::task::spawn_local(async { std::rc::Rc::new(1) }).await.unwrap()
    ///     })
    ///     .await;
    /// assert_eq!(*value, 1);
    /// # });
    /// ```
    pub fn run_until<F: Future>(&self, future: F) -> RunUntil<'_, F> {
        RunUntil {
            local_set: self,
            future,
        }
    }

    /// Makes this set current, so [`spawn_local`] outside `run_until` adds to it.
    pub fn enter(&self) -> LocalEnterGuard {
        let previous = CURRENT.with(|cx| cx.replace(Some(self.context.clone())));
        LocalEnterGuard { previous }
    }

    fn with<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = self.enter();
        f()
    }

    /// Runs up to `MAX_TASKS_PER_TICK` tasks; returns true if some may remain.
    fn tick(&self) -> bool {
        for _ in 0..MAX_TASKS_PER_TICK {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            let task = if tick % REMOTE_FIRST_INTERVAL == 0 {
                self.context
                    .pop_remote()
                    .or_else(|| self.context.pop_local())
            } else {
                self.context
                    .pop_local()
                    .or_else(|| self.context.pop_remote())
            };
            let Some(task) = task else {
                return false;
            };
            // Local tasks run on this thread, the one that created the set (it is !Send).
            coop::budget(|| task.run());
        }
        true
    }
}

impl Default for LocalSet {
    fn default() -> LocalSet {
        LocalSet::new()
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet").finish_non_exhaustive()
    }
}

/// Awaiting a `LocalSet` runs its tasks until all of them have finished.
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        self.context.shared.register(cx.waker());
        if self.with(|| self.tick()) {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let mut owned = self.context.owned.borrow_mut();
        owned.sweep();
        if owned.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        self.with(|| {
            let remote = self.context.shared.remote_queue.lock().take();
            // Futures' destructors may spawn more local tasks; they land in the fresh list.
            loop {
                let mut owned =
                    std::mem::replace(&mut *self.context.owned.borrow_mut(), OwnedTasks::new());
                if owned.is_empty() {
                    break;
                }
                owned.shutdown_all();
            }
            let queue = std::mem::take(&mut *self.context.queue.borrow_mut());
            drop(queue);
            drop(remote);
        });
    }
}

impl fmt::Debug for LocalEnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEnterGuard").finish_non_exhaustive()
    }
}

impl Drop for LocalEnterGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|cx| {
            // Dropped outside the borrow: it may be the last reference to a context.
            let replaced = cx.replace(previous);
            drop(replaced);
        });
    }
}

/// The future returned by [`LocalSet::run_until`].
#[must_use = "futures do nothing unless polled"]
pub struct RunUntil<'a, F> {
    local_set: &'a LocalSet,
    future: F,
}

impl<F: Future> Future for RunUntil<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: never moved out of `self`.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let local_set = this.local_set;
        local_set.with(|| {
            local_set.context.shared.register(cx.waker());
            if let Poll::Ready(output) = coop::budget(|| future.poll(cx)) {
                return Poll::Ready(output);
            }
            if local_set.tick() {
                // More tasks are ready: come back after others had a turn.
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
    }
}

impl<F> fmt::Debug for RunUntil<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunUntil").finish_non_exhaustive()
    }
}

impl Context {
    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // SAFETY: the set is `!Send`; its tasks are run only by `tick` and shut down only
        // by `Drop`, both on the thread that owns the set.
        let (task, notified, join) =
            unsafe { task::new_local_task(future, self.shared.clone(), Id::next()) };
        self.owned.borrow_mut().push(task);
        self.queue.borrow_mut().push_back(notified);
        self.shared.wake_runner();
        join
    }

    fn pop_local(&self) -> Option<Notified<Arc<Shared>>> {
        self.queue.borrow_mut().pop_front()
    }

    fn pop_remote(&self) -> Option<Notified<Arc<Shared>>> {
        self.shared.remote_queue.lock().as_mut()?.pop_front()
    }
}

impl Shared {
    fn register(&self, waker: &Waker) {
        let mut slot = self.waker.lock();
        match slot.as_ref() {
            Some(current) if current.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    fn wake_runner(&self) {
        let waker = self.waker.lock().clone();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl Schedule for Arc<Shared> {
    fn schedule(&self, task: Notified<Self>) {
        let current = CURRENT
            .try_with(|cx| cx.try_borrow().ok().and_then(|cx| cx.clone()))
            .ok()
            .flatten();
        let remote = match current {
            Some(cx) if std::ptr::eq(Arc::as_ptr(&cx.shared), Arc::as_ptr(self)) => {
                match cx.queue.try_borrow_mut() {
                    Ok(mut queue) => {
                        queue.push_back(task);
                        None
                    }
                    Err(_) => Some(task),
                }
            }
            _ => Some(task),
        };
        if let Some(task) = remote {
            let mut queue = self.remote_queue.lock();
            if let Some(queue) = queue.as_mut() {
                queue.push_back(task);
            }
            // After the set is dropped the reference is just released.
            drop(queue);
            self.wake_runner();
        }
    }
}

/// Spawns a `!Send` task on the current thread.
///
/// The task goes to the [`LocalSet`] that is running (or entered) on this thread, or else,
/// inside a current-thread runtime's `block_on`, onto that runtime (which is then pinned
/// to this thread: `block_on` from another thread panics, and dropping the runtime on
/// another thread leaks these tasks instead of dropping them on the wrong thread).
///
/// # Panics
///
/// Outside a `LocalSet` and outside a current-thread runtime driven by this thread.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// #[kairos::main(flavor = "current_thread")]
/// async fn main() {
///     let counter = Rc::new(std::cell::Cell::new(0));
///     let c = counter.clone();
///     kairos::task::spawn_local(async move { c.set(c.get() + 1) }).await.unwrap();
///     assert_eq!(counter.get(), 1);
/// }
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let current = CURRENT.with(|cx| cx.borrow().clone());
    if let Some(cx) = current {
        return cx.spawn(future);
    }
    match context::try_current() {
        Ok(scheduler::Handle::CurrentThread(handle)) => {
            scheduler::current_thread::Handle::spawn_local(&handle, future, Id::next())
        }
        _ => panic!(
            "`spawn_local` called from outside of a `task::LocalSet` or a current-thread \
             runtime"
        ),
    }
}
