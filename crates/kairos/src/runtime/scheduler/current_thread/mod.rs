//! The current-thread scheduler: every task runs on the thread that calls `block_on`.
//!
//! The scheduler's state (`Core`: run queue, owner lists, driver) is taken by the thread
//! that enters `block_on` and put back when it leaves; another thread calling `block_on`
//! meanwhile polls only its own future until the core is free. While a thread drives the
//! core, wake-ups on that thread push straight onto the local queue with no lock; wake-ups
//! from other threads go through the injection queue and unpark the driver.
//!
//! `!Send` tasks (`spawn_local` outside a `LocalSet`) pin the core to the thread that
//! spawned them: `block_on` from another thread then panics, and if the runtime is dropped
//! on another thread those tasks are leaked rather than dropped on the wrong thread.

use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::runtime::blocking;
use crate::runtime::config::Config;
use crate::runtime::context;
use crate::runtime::driver::{self, Driver};
use crate::runtime::park::ParkThread;
use crate::runtime::scheduler::{self, Inject};
use crate::task::{self, coop, Id, JoinHandle, Notified, OwnedTasks, Schedule, Task};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::thread::ThreadId;

/// The most tasks moved from the injection queue to the local queue at once.
const INJECT_BATCH: usize = 128;

/// The scheduler, owned by the `Runtime`.
pub(crate) struct CurrentThread {
    /// The core, when no thread is driving it.
    core: Mutex<Option<Box<Core>>>,
    /// Threads in `block_on` waiting for the core.
    waiting: Mutex<Vec<Waker>>,
}

/// The shared part, referenced by every task and handle.
pub(crate) struct Handle {
    inject: Inject<Arc<Handle>>,
    /// Set when `block_on`'s own future was woken.
    woken: AtomicBool,
    /// Tasks spawned and not yet completed (a metric).
    alive: AtomicUsize,
    pub(crate) driver: driver::Handle,
    pub(crate) blocking_spawner: blocking::Spawner,
    config: Config,
}

/// What the driving thread owns.
struct Core {
    tasks: VecDeque<Notified<Arc<Handle>>>,
    owned: OwnedTasks<Arc<Handle>>,
    /// `!Send` tasks and the only thread they may run on.
    local_owned: OwnedTasks<Arc<Handle>>,
    local_thread: Option<ThreadId>,
    tick: u32,
    driver: Option<Driver>,
}

/// This thread's view of the scheduler while it drives it.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

impl CurrentThread {
    pub(crate) fn new(
        driver: Driver,
        driver_handle: driver::Handle,
        blocking_spawner: blocking::Spawner,
        config: Config,
    ) -> (CurrentThread, Arc<Handle>) {
        let handle = Arc::new(Handle {
            inject: Inject::new(),
            woken: AtomicBool::new(false),
            alive: AtomicUsize::new(0),
            driver: driver_handle,
            blocking_spawner,
            config,
        });
        let core = Box::new(Core {
            tasks: VecDeque::with_capacity(64),
            owned: OwnedTasks::new(),
            local_owned: OwnedTasks::new(),
            local_thread: None,
            tick: 0,
            driver: Some(driver),
        });
        let scheduler = CurrentThread {
            core: Mutex::new(Some(core)),
            waiting: Mutex::new(Vec::new()),
        };
        (scheduler, handle)
    }

    /// Runs `future` to completion, driving the scheduler's tasks meanwhile.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(&self, handle: &scheduler::Handle, future: F) -> F::Output {
        let _enter = context::enter_runtime(handle);
        let scheduler::Handle::CurrentThread(this) = handle else {
            unreachable!("current-thread scheduler with another handle")
        };
        let mut future = pin!(future);
        let park = ParkThread::new();
        let park_waker = park.unpark_handle().into_waker();
        loop {
            if let Some(core) = self.take_core() {
                let guard = CoreGuard {
                    scheduler: self,
                    context: scheduler::Context::CurrentThread(Context {
                        handle: this.clone(),
                        core: RefCell::new(Some(core)),
                    }),
                };
                return guard.block_on(future.as_mut());
            }
            // Another thread drives the scheduler: wait for our future or for the core.
            {
                let mut waiting = self.waiting.lock();
                if !waiting.iter().any(|w| w.will_wake(&park_waker)) {
                    waiting.push(park_waker.clone());
                }
            }
            if self.core.lock().is_some() {
                continue;
            }
            let mut cx = TaskContext::from_waker(&park_waker);
            if let Poll::Ready(output) = coop::budget(|| future.as_mut().poll(&mut cx)) {
                return output;
            }
            park.park();
        }
    }

    fn take_core(&self) -> Option<Box<Core>> {
        self.core.lock().take()
    }

    fn put_core(&self, core: Box<Core>) {
        *self.core.lock() = Some(core);
        for waiter in std::mem::take(&mut *self.waiting.lock()) {
            waiter.wake();
        }
    }

    /// Drops every task (their futures' destructors run on this thread) and stops the
    /// driver. Called once, by the runtime's `Drop`.
    pub(crate) fn shutdown(&self, handle: &scheduler::Handle) {
        let scheduler::Handle::CurrentThread(this) = handle else {
            unreachable!("current-thread scheduler with another handle")
        };
        this.inject.close();
        let Some(mut core) = self.take_core() else {
            // The core was lost to a panic in a previous `block_on` that could not return
            // it; nothing left to drop.
            return;
        };
        // Destructors may call `Handle::current()`; they see this runtime, closed, so
        // whatever they spawn is cancelled at once. The scheduler context is not set, so
        // wake-ups go to the closed injection queue and are dropped.
        let _current = context::set_current(handle);
        core.owned.shutdown_all();
        if core
            .local_thread
            .is_none_or(|owner| owner == std::thread::current().id())
        {
            core.local_owned.shutdown_all();
        } else {
            core.local_owned.leak_all();
        }
        core.tasks.clear();
        this.inject.shutdown();
        if let Some(driver) = core.driver.as_mut() {
            driver.shutdown(&this.driver);
        }
        self.put_core(core);
    }
}

impl fmt::Debug for CurrentThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CurrentThread").finish_non_exhaustive()
    }
}

/// Puts the core back when `block_on` returns or unwinds.
struct CoreGuard<'a> {
    scheduler: &'a CurrentThread,
    context: scheduler::Context,
}

impl Drop for CoreGuard<'_> {
    fn drop(&mut self) {
        let scheduler::Context::CurrentThread(context) = &self.context else {
            unreachable!()
        };
        if let Some(core) = context.core.borrow_mut().take() {
            self.scheduler.put_core(core);
        }
    }
}

impl CoreGuard<'_> {
    fn block_on<F: Future>(self, mut future: Pin<&mut F>) -> F::Output {
        let scheduler::Context::CurrentThread(context) = &self.context else {
            unreachable!()
        };
        context.with_core(|core| {
            let Some(owner) = core.local_thread else {
                return;
            };
            if owner == std::thread::current().id() {
                return;
            }
            // Pinned only while `!Send` tasks are alive.
            core.local_owned.sweep();
            assert!(
                core.local_owned.is_empty(),
                "this current-thread runtime holds `!Send` tasks from `spawn_local` and can \
                 only be driven by the thread that spawned them"
            );
            core.local_thread = None;
        });
        let handle = &context.handle;
        context::set_scheduler(&self.context, || {
            let waker = Waker::from(handle.clone());
            let mut task_cx = TaskContext::from_waker(&waker);
            // Poll the future first.
            handle.woken.store(true, Ordering::Release);
            'outer: loop {
                if handle.woken.swap(false, Ordering::AcqRel) {
                    if let Poll::Ready(output) = coop::budget(|| future.as_mut().poll(&mut task_cx))
                    {
                        return output;
                    }
                }
                // Up to `event_interval` tasks between two polls of the future, so that a
                // future that keeps waking itself cannot starve the tasks.
                for _ in 0..handle.config.event_interval {
                    match context.next_task() {
                        Some(task) => coop::budget(|| task.run()),
                        None => {
                            context.park(false);
                            continue 'outer;
                        }
                    }
                }
                // A full batch ran without parking: let the driver process ready events.
                context.park(true);
            }
        })
    }
}

impl Context {
    fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        let mut core = self.core.borrow_mut();
        f(core.as_mut().expect("the scheduler core is missing"))
    }

    /// The next task: every `global_queue_interval` ticks a batch from the injection queue
    /// first, otherwise the local queue, then a batch from the injection queue.
    fn next_task(&self) -> Option<Notified<Arc<Handle>>> {
        let interval = self.handle.config.global_queue_interval;
        self.with_core(|core| {
            core.tick = core.tick.wrapping_add(1);
            if core.tick % interval == 0 {
                self.take_injected(core).or_else(|| core.tasks.pop_front())
            } else {
                core.tasks.pop_front().or_else(|| self.take_injected(core))
            }
        })
    }

    /// Takes up to [`INJECT_BATCH`] tasks from the injection queue: returns the oldest and
    /// queues the others at the back of the local queue. Taking one task per check would
    /// let a local queue that never empties (tasks waking each other) hold injected tasks
    /// back for `global_queue_interval` ticks each; taking a batch puts them in line
    /// behind the local tasks already queued, and no further.
    fn take_injected(&self, core: &mut Core) -> Option<Notified<Arc<Handle>>> {
        let Core { tasks, owned, .. } = core;
        let mut first = None;
        self.handle.inject.pop_batch(INJECT_BATCH, owned, |task| {
            if first.is_none() {
                first = Some(task);
            } else {
                tasks.push_back(task);
            }
        });
        first
    }

    /// Parks on the driver: without blocking if `yield_only` or if work is already
    /// waiting, else until woken.
    fn park(&self, yield_only: bool) {
        let handle = &self.handle;
        let mut driver = self
            .with_core(|core| core.driver.take())
            .expect("driver missing");
        let has_work = self.with_core(|core| !core.tasks.is_empty())
            || !handle.inject.is_empty()
            || handle.woken.load(Ordering::Acquire);
        if yield_only || has_work {
            driver.park_timeout(&handle.driver, std::time::Duration::ZERO);
        } else {
            handle.config.parked(|| driver.park(&handle.driver));
        }
        self.with_core(|core| core.driver = Some(driver));
    }
}

impl Handle {
    /// Spawns a `Send` task.
    pub(crate) fn spawn<F>(me: &Arc<Handle>, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_task(future, me.clone(), id);
        me.bind_new(task, notified, false);
        join
    }

    /// Spawns a `!Send` task on the thread that drives this scheduler.
    ///
    /// # Panics
    ///
    /// If the calling thread is not driving this scheduler (inside its `block_on`).
    #[track_caller]
    pub(crate) fn spawn_local<F>(me: &Arc<Handle>, future: F, id: Id) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        assert!(
            me.is_driven_by_current_thread(),
            "`spawn_local` on a current-thread runtime must be called from the thread \
             driving it (inside its `block_on`)"
        );
        // SAFETY: the task goes into `local_owned` of a core that is pinned to this thread
        // (`local_thread`): it is run and shut down only here, or leaked.
        let (task, notified, join) = unsafe { task::new_local_task(future, me.clone(), id) };
        me.bind_new(task, notified, true);
        join
    }

    /// Puts a new task into the core (when on the driving thread) or the injection queue.
    fn bind_new(&self, task: Task<Arc<Handle>>, notified: Notified<Arc<Handle>>, local: bool) {
        // Counted even if rejected below: the rejected task completes as cancelled.
        self.alive.fetch_add(1, Ordering::Relaxed);
        let rejected = context::with_scheduler(|cx| {
            if let Some(cx) = self.own_context(cx) {
                if let Ok(mut core) = cx.core.try_borrow_mut() {
                    if let Some(core) = core.as_mut() {
                        if local {
                            core.local_thread = Some(std::thread::current().id());
                            core.local_owned.push(task);
                        } else {
                            core.owned.push(task);
                        }
                        core.tasks.push_back(notified);
                        return None;
                    }
                }
            }
            debug_assert!(!local, "local spawns only happen on the driving thread");
            match self.inject.push_new(task, notified) {
                Ok(()) => {
                    self.driver.unpark();
                    None
                }
                Err(rejected) => Some(rejected),
            }
        });
        if let Some((task, notified)) = rejected {
            // Shut down: the task is cancelled without running.
            drop(notified);
            task.shutdown();
        }
    }

    fn own_context<'a>(&self, cx: Option<&'a scheduler::Context>) -> Option<&'a Context> {
        match cx {
            Some(scheduler::Context::CurrentThread(cx)) if std::ptr::eq(&*cx.handle, self) => {
                Some(cx)
            }
            _ => None,
        }
    }

    fn is_driven_by_current_thread(&self) -> bool {
        context::with_scheduler(|cx| self.own_context(cx).is_some())
    }

    /// Tasks in the injection queue (woken or spawned from other threads).
    pub(crate) fn injection_queue_depth(&self) -> usize {
        self.inject.len()
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        self.alive.load(Ordering::Relaxed)
    }
}

impl Schedule for Arc<Handle> {
    fn task_completed(&self) {
        self.alive.fetch_sub(1, Ordering::Relaxed);
    }

    fn schedule(&self, task: Notified<Self>) {
        let remote = context::with_scheduler(|cx| {
            if let Some(cx) = self.own_context(cx) {
                if let Ok(mut core) = cx.core.try_borrow_mut() {
                    if let Some(core) = core.as_mut() {
                        core.tasks.push_back(task);
                        return None;
                    }
                }
            }
            Some(task)
        });
        if let Some(task) = remote {
            // After shutdown the push fails and the reference is dropped: the owner list
            // has cancelled (or will cancel) the task.
            if self.inject.push(task).is_ok() {
                self.driver.unpark();
            }
        }
    }
}

/// Waking `block_on`'s own future.
impl Wake for Handle {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.driver.unpark();
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("current_thread::Handle")
            .finish_non_exhaustive()
    }
}
