//! `JoinHandle`: the owned permission to await a task's output.

use crate::task::abort::AbortHandle;
use crate::task::error::JoinError;
use crate::task::id::Id;
use crate::task::raw::RawTask;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// An owned permission to join a task: awaiting it yields the task's output.
///
/// Dropping a `JoinHandle` detaches the task: it keeps running and its output is dropped
/// when it finishes. Awaiting yields `Err(JoinError)` when the task was cancelled
/// ([`abort`](Self::abort), runtime shutdown) or panicked.
///
/// # Cancel safety
///
/// Awaiting a `JoinHandle` is cancel safe: dropping the `.await` (in a `select!`, say)
/// loses nothing; the handle can be awaited again.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = kairos::spawn(async { 6 * 7 });
/// assert_eq!(handle.await.unwrap(), 42);
/// # });
/// ```
pub struct JoinHandle<T> {
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the handle only moves the output (a `T`) to the thread holding it.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` allows only `is_finished`, `id` and `abort`, which touch the
// atomic state word.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}
impl<T> UnwindSafe for JoinHandle<T> {}
impl<T> RefUnwindSafe for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// # Safety
    ///
    /// `raw` carries the `JoinHandle` reference and JOIN_INTEREST of a task whose output
    /// type is `T`.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Asks the task to stop. It is cancelled at its next scheduling point (immediately if
    /// it is idle), and awaiting this handle then yields a [`JoinError`] for which
    /// [`JoinError::is_cancelled`] is true. A task that already finished keeps its output.
    ///
    /// A task in [`spawn_blocking`](crate::task::spawn_blocking) cannot be stopped once it
    /// started running; aborting it before it starts prevents it from running.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let handle = kairos::spawn(std::future::pending::<()>());
    /// handle.abort();
    /// assert!(handle.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let handle = kairos::spawn(async {});
    /// while !handle.is_finished() {
    ///     kairos::task::yield_now().await;
    /// }
    /// # });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// A handle that can abort the task without owning its output.
    pub fn abort_handle(&self) -> AbortHandle {
        self.raw.ref_inc();
        // SAFETY: the reference was just counted for the new handle.
        unsafe { AbortHandle::from_raw(self.raw) }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.raw.header().id()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(crate::task::coop::poll_proceed(cx));
        let mut output = Poll::Pending;
        // SAFETY: `output` has the type the task's vtable writes, and this is the task's
        // JoinHandle.
        unsafe {
            self.raw.try_read_output(
                (&mut output as *mut Poll<Result<T, JoinError>>).cast(),
                cx.waker(),
            )
        };
        if output.is_ready() {
            coop.made_progress();
        }
        output
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: dropped once, by the JoinHandle.
        unsafe { self.raw.drop_join_handle() };
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}
