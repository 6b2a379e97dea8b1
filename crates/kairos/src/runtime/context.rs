//! The runtime's per-thread state: which runtime `Handle::current()` returns, which
//! scheduler this thread is driving (for lock-free local scheduling), whether the thread is
//! inside a runtime (to refuse nested `block_on`), and the id of the task being polled.
//!
//! Everything lives in one `thread_local!` so a lookup is one TLS access.

use crate::runtime::scheduler;
use crate::task::Id;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

struct Context {
    /// The handle `Handle::current()` returns, and how many `EnterGuard`s are nested.
    current: RefCell<Option<scheduler::Handle>>,
    depth: Cell<usize>,
    /// The scheduler this thread drives right now, if any.
    scheduler: Cell<*const scheduler::Context>,
    /// Whether the thread drives tasks (a worker, or inside `block_on`).
    in_runtime: Cell<bool>,
    /// The task being polled.
    task_id: Cell<Option<Id>>,
}

thread_local! {
    static CONTEXT: Context = const {
        Context {
            current: RefCell::new(None),
            depth: Cell::new(0),
            scheduler: Cell::new(std::ptr::null()),
            in_runtime: Cell::new(false),
            task_id: Cell::new(None),
        }
    };
}

/// Why there is no current runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoContext {
    /// The thread is not inside a runtime.
    Missing,
    /// The thread's runtime context was already destroyed (thread exit).
    ThreadLocalDestroyed,
}

/// The current runtime handle, or why there is none.
pub(crate) fn try_current() -> Result<scheduler::Handle, NoContext> {
    CONTEXT
        .try_with(|cx| cx.current.borrow().clone())
        .map_err(|_| NoContext::ThreadLocalDestroyed)?
        .ok_or(NoContext::Missing)
}

/// Runs `f` with the current runtime handle.
///
/// # Panics
///
/// Outside a runtime, with the message users of `spawn` expect.
#[track_caller]
pub(crate) fn with_current<R>(f: impl FnOnce(&scheduler::Handle) -> R) -> R {
    let outcome = CONTEXT.try_with(|cx| cx.current.borrow().as_ref().map(f));
    match outcome {
        Ok(Some(value)) => value,
        Ok(None) => panic!("{}", NO_RUNTIME),
        Err(_) => panic!("{}", THREAD_LOCAL_DESTROYED),
    }
}

/// Runs `f` with the current runtime handle, if there is one (no clone, no panic).
pub(crate) fn try_with_current<R>(f: impl FnOnce(&scheduler::Handle) -> R) -> Option<R> {
    CONTEXT
        .try_with(|cx| cx.current.borrow().as_ref().map(f))
        .ok()
        .flatten()
}

pub(crate) const NO_RUNTIME: &str = "there is no reactor running, must be called from the \
     context of a Kairos runtime (inside `block_on`, a spawned task, or after `Runtime::enter`)";
pub(crate) const THREAD_LOCAL_DESTROYED: &str = "the Kairos runtime context of this thread was \
     destroyed (the thread is exiting)";

/// Makes `handle` the current runtime until the guard is dropped.
pub(crate) fn set_current(handle: &scheduler::Handle) -> SetCurrentGuard {
    CONTEXT.with(|cx| {
        let previous = cx.current.replace(Some(handle.clone()));
        let depth = cx.depth.get() + 1;
        cx.depth.set(depth);
        SetCurrentGuard {
            previous,
            depth,
            _not_send: PhantomData,
        }
    })
}

/// Restores the previous current runtime.
pub(crate) struct SetCurrentGuard {
    previous: Option<scheduler::Handle>,
    depth: usize,
    _not_send: PhantomData<*const ()>,
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CONTEXT.try_with(|cx| {
            if cx.depth.get() != self.depth {
                if !std::thread::panicking() {
                    panic!(
                        "`EnterGuard` values dropped out of order. Guards returned by \
                         `Runtime::enter` or `Handle::enter` must be dropped in the reverse \
                         order they were acquired."
                    );
                }
                return;
            }
            cx.depth.set(self.depth - 1);
            // Drop the replaced handle outside the borrow: it may be the last reference to
            // a runtime, whose teardown reads this context again.
            let replaced = cx.current.replace(previous);
            drop(replaced);
        });
    }
}

impl fmt::Debug for SetCurrentGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetCurrentGuard")
            .field("depth", &self.depth)
            .finish()
    }
}

/// Marks the thread as driving tasks for the guard's lifetime.
///
/// # Panics
///
/// If the thread already drives tasks: blocking it (nested `block_on`) would stall every
/// task it is responsible for.
#[track_caller]
pub(crate) fn enter_runtime(handle: &scheduler::Handle) -> EnterRuntimeGuard {
    CONTEXT.with(|cx| {
        if cx.in_runtime.get() {
            panic!(
                "Cannot start a runtime from within a runtime. This happens because a \
                 function (like `block_on`) attempted to block the current thread while the \
                 thread is being used to drive asynchronous tasks."
            );
        }
        cx.in_runtime.set(true);
    });
    EnterRuntimeGuard {
        _current: set_current(handle),
    }
}

/// Leaves the runtime when dropped.
pub(crate) struct EnterRuntimeGuard {
    _current: SetCurrentGuard,
}

impl Drop for EnterRuntimeGuard {
    fn drop(&mut self) {
        let _ = CONTEXT.try_with(|cx| cx.in_runtime.set(false));
    }
}

/// Whether this thread is driving tasks.
pub(crate) fn is_in_runtime() -> bool {
    CONTEXT.try_with(|cx| cx.in_runtime.get()).unwrap_or(false)
}

/// Panics if this thread drives tasks, naming the blocking `operation`.
#[track_caller]
pub(crate) fn assert_may_block(operation: &str) {
    if is_in_runtime() {
        panic!(
            "`{operation}` blocks the current thread, which is driving asynchronous tasks \
             and would stall them all. Use the async version (`.await`), or move the \
             blocking call into `kairos::task::spawn_blocking`."
        );
    }
}

/// Runs `f` with `scheduler` as this thread's scheduler context.
pub(crate) fn set_scheduler<R>(scheduler: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    struct Reset(*const scheduler::Context);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|cx| cx.scheduler.set(self.0));
        }
    }
    let previous = CONTEXT.with(|cx| cx.scheduler.replace(scheduler));
    let _reset = Reset(previous);
    f()
}

/// Runs `f` with the scheduler context this thread is driving, if any.
#[inline]
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    let ptr = CONTEXT
        .try_with(|cx| cx.scheduler.get())
        .unwrap_or(std::ptr::null());
    // SAFETY: the pointer is set only by `set_scheduler`, which restores the previous value
    // before the referenced context goes away, so a non-null pointer is live for the
    // duration of this call on this thread.
    f(unsafe { ptr.as_ref() })
}

/// Runs `f` with `id` as the current task id (while polling that task).
#[inline]
pub(crate) fn with_task_id<R>(id: Id, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Id>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|cx| cx.task_id.set(self.0));
        }
    }
    let previous = CONTEXT
        .try_with(|cx| cx.task_id.replace(Some(id)))
        .unwrap_or(None);
    let _reset = Reset(previous);
    f()
}

pub(crate) fn current_task_id() -> Option<Id> {
    CONTEXT.try_with(|cx| cx.task_id.get()).unwrap_or(None)
}

/// A cheap per-thread random number generator (xorshift), for picking steal victims.
pub(crate) struct FastRand {
    state: Cell<u64>,
}

impl FastRand {
    pub(crate) fn new(seed: u64) -> FastRand {
        FastRand {
            state: Cell::new(seed | 1),
        }
    }

    /// A value in `0..n` (`n > 0`).
    pub(crate) fn next_below(&self, n: u32) -> u32 {
        let mut x = self.state.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state.set(x);
        // Lemire's multiply-shift reduction.
        (((x >> 32) * u64::from(n)) >> 32) as u32
    }
}

/// A seed that differs between threads and runs.
pub(crate) fn random_seed() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_usize(&hasher as *const _ as usize);
    hasher.finish()
}
