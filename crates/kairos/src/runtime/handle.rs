//! `Handle`: a cloneable reference to a runtime.

use crate::runtime::context::{self, NoContext, SetCurrentGuard};
use crate::runtime::{scheduler, RuntimeFlavor, RuntimeMetrics};
use crate::task::{Id, JoinHandle};
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

/// A handle to a runtime: spawn onto it from any thread, or make it the current runtime.
///
/// # Examples
///
/// ```
/// let rt = kairos::runtime::Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let task = std::thread::spawn(move || handle.spawn(async { 3 }))
///     .join()
///     .unwrap();
/// assert_eq!(rt.block_on(task).unwrap(), 3);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// Keeps a runtime current on this thread; see [`Handle::enter`].
#[must_use = "the runtime is only current while the guard lives"]
pub struct EnterGuard<'a> {
    _guard: SetCurrentGuard,
    _handle: PhantomData<&'a Handle>,
}

/// Why [`Handle::try_current`] found no runtime.
#[derive(Debug)]
pub struct TryCurrentError {
    kind: NoContext,
}

impl Handle {
    /// The runtime this thread is in (a task, `block_on`, or an `enter` guard).
    ///
    /// # Panics
    ///
    /// Outside any runtime; see [`Handle::try_current`].
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let handle = kairos::runtime::Handle::current();
    /// std::thread::spawn(move || {
    ///     handle.spawn(async { println!("spawned from another thread") });
    /// })
    /// .join()
    /// .unwrap();
    /// # });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(err) => panic!("{err}"),
        }
    }

    /// The runtime this thread is in, or an error saying why there is none.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::try_current()
            .map(|inner| Handle { inner })
            .map_err(|kind| TryCurrentError { kind })
    }

    /// Makes this runtime current on this thread until the guard is dropped. Guards must
    /// be dropped in the reverse order of their creation.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::set_current(&self.inner),
            _handle: PhantomData,
        }
    }

    /// Spawns a task onto this runtime; see [`crate::spawn`].
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, Id::next())
    }

    /// Runs a blocking closure on this runtime's blocking pool; see
    /// [`crate::task::spawn_blocking`].
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner
            .blocking_spawner()
            .spawn_blocking(&self.inner, func)
    }

    /// Blocks the current thread on `future`, with this runtime current.
    ///
    /// Unlike [`Runtime::block_on`](crate::runtime::Runtime::block_on), this never drives
    /// a current-thread scheduler: on such a runtime, spawned tasks only make progress
    /// while some thread is inside `Runtime::block_on`.
    ///
    /// # Panics
    ///
    /// When called from inside a runtime.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = context::enter_runtime(&self.inner);
        crate::runtime::park::block_on_unchecked(future)
    }

    /// Which scheduler the runtime uses.
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match self.inner {
            scheduler::Handle::CurrentThread(_) => RuntimeFlavor::CurrentThread,
            scheduler::Handle::MultiThread(_) => RuntimeFlavor::MultiThread,
        }
    }

    /// The runtime's metrics.
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::new(self.clone())
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.runtime_flavor())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for EnterGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}

impl TryCurrentError {
    /// True when the thread is simply not inside a runtime.
    pub fn is_missing_context(&self) -> bool {
        self.kind == NoContext::Missing
    }

    /// True when the thread's runtime context was already destroyed (thread exit).
    pub fn is_thread_local_destroyed(&self) -> bool {
        self.kind == NoContext::ThreadLocalDestroyed
    }
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            NoContext::Missing => f.write_str(context::NO_RUNTIME),
            NoContext::ThreadLocalDestroyed => f.write_str(context::THREAD_LOCAL_DESTROYED),
        }
    }
}

impl Error for TryCurrentError {}
