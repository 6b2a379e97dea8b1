//! Why a task produced no output.

use crate::task::id::Id;
use std::any::Any;
use std::fmt;
use std::io;

/// The reason a task failed, stored in the task cell (the id lives in the header).
pub(crate) enum Repr {
    Cancelled,
    Panic(SyncWrapper<Box<dyn Any + Send + 'static>>),
}

/// The error a [`JoinHandle`](crate::task::JoinHandle) returns when its task did not run
/// to completion: it was cancelled (aborted, or its runtime shut down), or it panicked.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let err = kairos::spawn(async { panic!("boom") }).await.unwrap_err();
/// assert!(err.is_panic());
/// let payload = err.into_panic();
/// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
/// # });
/// ```
pub struct JoinError {
    repr: Repr,
    id: Id,
}

impl JoinError {
    pub(crate) fn new(repr: Repr, id: Id) -> JoinError {
        JoinError { repr, id }
    }

    /// Whether the task was cancelled: aborted, or dropped by a runtime shutdown.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic payload.
    ///
    /// # Panics
    ///
    /// When the task was cancelled rather than panicking; see [`JoinError::try_into_panic`].
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` called on a cancelled task's error")
    }

    /// The panic payload, or the error itself if the task was cancelled.
    ///
    /// Resume the panic in the awaiting task with
    /// [`std::panic::resume_unwind`]`(err.into_panic())`.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload.into_inner()),
            Repr::Cancelled => Err(self),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> Id {
        self.id
    }

    fn panic_message(&self) -> Option<&str> {
        let Repr::Panic(payload) = &self.repr else {
            return None;
        };
        let payload = payload.get_shared()?;
        payload
            .downcast_ref::<&'static str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "task {} was cancelled", self.id),
            (Repr::Panic(_), Some(message)) => {
                write!(f, "task {} panicked with message {message:?}", self.id)
            }
            (Repr::Panic(_), None) => write!(f, "task {} panicked", self.id),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "JoinError::Cancelled({:?})", self.id),
            (Repr::Panic(_), Some(message)) => {
                write!(f, "JoinError::Panic({:?}, {message:?}, ...)", self.id)
            }
            (Repr::Panic(_), None) => write!(f, "JoinError::Panic({:?}, ...)", self.id),
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    fn from(err: JoinError) -> io::Error {
        let kind = if err.is_cancelled() {
            io::ErrorKind::Interrupted
        } else {
            io::ErrorKind::Other
        };
        io::Error::new(kind, err.to_string())
    }
}

/// Makes a `Send` value `Sync` by allowing access only through `&mut self` or by value,
/// except for types the panic message reader needs (`&str`, `String`), which are `Sync`.
pub(crate) struct SyncWrapper<T>(T);

// SAFETY: a shared `&SyncWrapper` gives no access to the inner value except through
// `get_shared`, which only hands out `&(dyn Any + Send)` to downcast to `Sync` types
// (`&'static str` and `String`) that are safe to read from several threads.
unsafe impl<T: Send> Sync for SyncWrapper<T> {}

impl<T> SyncWrapper<T> {
    pub(crate) fn new(value: T) -> Self {
        SyncWrapper(value)
    }

    pub(crate) fn into_inner(self) -> T {
        self.0
    }
}

impl SyncWrapper<Box<dyn Any + Send>> {
    /// The payload, if it is one of the message types that are safe to share.
    fn get_shared(&self) -> Option<&(dyn Any + Send)> {
        let payload: &(dyn Any + Send) = &*self.0;
        if payload.is::<&'static str>() || payload.is::<String>() {
            Some(payload)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_task_and_the_panic_message() {
        let id = Id::next();
        let err = JoinError::new(Repr::Panic(SyncWrapper::new(Box::new("boom"))), id);
        assert_eq!(
            err.to_string(),
            format!("task {id} panicked with message \"boom\"")
        );
        let err = JoinError::new(Repr::Cancelled, id);
        assert_eq!(err.to_string(), format!("task {id} was cancelled"));
        assert!(err.is_cancelled());
        assert!(err.try_into_panic().is_err());
    }
}
