//! `AbortHandle`: the permission to cancel a task, without its output.

use crate::task::id::Id;
use crate::task::raw::RawTask;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};

/// A handle that can [`abort`](Self::abort) a task without being able to await it.
///
/// Dropping it does nothing to the task.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let handle = kairos::spawn(std::future::pending::<()>());
/// let abort = handle.abort_handle();
/// abort.abort();
/// assert!(handle.await.unwrap_err().is_cancelled());
/// assert!(abort.is_finished());
/// # });
/// ```
pub struct AbortHandle {
    raw: RawTask,
}

impl UnwindSafe for AbortHandle {}
impl RefUnwindSafe for AbortHandle {}

impl AbortHandle {
    /// # Safety
    ///
    /// `raw` carries a counted reference that the handle takes over.
    pub(crate) unsafe fn from_raw(raw: RawTask) -> AbortHandle {
        AbortHandle { raw }
    }

    /// Asks the task to stop; see [`JoinHandle::abort`](crate::task::JoinHandle::abort).
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        self.raw.header().id()
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> AbortHandle {
        self.raw.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        self.raw.drop_reference();
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}
