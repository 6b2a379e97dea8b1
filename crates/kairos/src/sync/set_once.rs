//! [`SetOnce`]: a value set at most once, that tasks can wait for.

use crate::loom::sync::Mutex;
use crate::sync::once_slot::OnceSlot;
use crate::sync::Notify;
use std::error::Error;
use std::fmt;

/// A cell that is set at most once, by anyone, and that tasks can
/// [`wait`](SetOnce::wait) on until it is.
///
/// Where [`OnceCell`](super::OnceCell) lets one waiting task compute the value, `SetOnce`
/// separates the two roles: some code [`set`](SetOnce::set)s the value when it has it,
/// and any number of tasks wait for it.
///
/// # Examples
///
/// ```
/// use kairos::sync::SetOnce;
/// use std::sync::Arc;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let address = Arc::new(SetOnce::<String>::new());
/// let client = kairos::spawn({
///     let address = address.clone();
///     async move { address.wait().await.clone() }
/// });
/// address.set(String::from("127.0.0.1:8080")).unwrap();
/// assert_eq!(client.await.unwrap(), "127.0.0.1:8080");
/// # });
/// ```
pub struct SetOnce<T> {
    slot: OnceSlot<T>,
    /// Held while setting, so only one `set` writes.
    setting: Mutex<()>,
    /// Woken (all) once the value is set.
    set: Notify,
}

/// The error of [`SetOnce::set`]: the cell was already set; the value is given back.
#[derive(Debug, PartialEq, Eq)]
pub struct SetOnceError<T>(pub T);

impl<T> SetOnce<T> {
    /// An empty cell.
    pub fn new() -> SetOnce<T> {
        SetOnce {
            slot: OnceSlot::new(),
            setting: Mutex::new(()),
            set: Notify::new(),
        }
    }

    /// A cell holding `value` if it is `Some`, empty otherwise.
    pub fn new_with(value: Option<T>) -> SetOnce<T> {
        SetOnce {
            slot: value.map_or_else(OnceSlot::new, OnceSlot::with_value),
            setting: Mutex::new(()),
            set: Notify::new(),
        }
    }

    /// An empty cell, in a constant context (for a `static`).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::SetOnce;
    ///
    /// static READY: SetOnce<()> = SetOnce::const_new();
    /// READY.set(()).unwrap();
    /// assert!(READY.initialized());
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> SetOnce<T> {
        SetOnce {
            slot: OnceSlot::const_new(),
            setting: Mutex::new(()),
            set: Notify::const_new(),
        }
    }

    /// A cell holding `value`, in a constant context.
    #[cfg(not(loom))]
    pub const fn const_new_with(value: T) -> SetOnce<T> {
        SetOnce {
            slot: OnceSlot::const_with_value(value),
            setting: Mutex::new(()),
            set: Notify::const_new(),
        }
    }

    /// Whether the cell holds a value.
    pub fn initialized(&self) -> bool {
        self.slot.is_set()
    }

    /// The value, if the cell holds one.
    pub fn get(&self) -> Option<&T> {
        self.slot.get()
    }

    /// Sets the value and wakes every waiting task.
    ///
    /// # Errors
    ///
    /// [`SetOnceError`] with `value` inside if the cell was already set.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::SetOnce;
    ///
    /// let cell = SetOnce::new();
    /// assert!(cell.set(1).is_ok());
    /// assert_eq!(cell.set(2).unwrap_err().0, 2);
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetOnceError<T>> {
        {
            let _setting = self.setting.lock();
            if self.slot.is_set() {
                return Err(SetOnceError(value));
            }
            // SAFETY: the lock is the exclusive right to write, and the slot is not set.
            unsafe { self.slot.write(value) };
        }
        self.set.notify_waiters();
        Ok(())
    }

    /// Waits until the cell is set, and returns the value.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::SetOnce;
    ///
    /// # futures::executor::block_on(async {
    /// let cell = SetOnce::new_with(Some(3));
    /// assert_eq!(*cell.wait().await, 3);
    /// # });
    /// ```
    pub async fn wait(&self) -> &T {
        loop {
            // Created before the check, so a `set` after it wakes us.
            let set = self.set.notified();
            if let Some(value) = self.get() {
                return value;
            }
            set.await;
        }
    }

    /// Consumes the cell, returning its value if it holds one.
    pub fn into_inner(mut self) -> Option<T> {
        self.slot.take()
    }
}

impl<T> Default for SetOnce<T> {
    fn default() -> SetOnce<T> {
        SetOnce::new()
    }
}

impl<T> From<T> for SetOnce<T> {
    fn from(value: T) -> SetOnce<T> {
        SetOnce::new_with(Some(value))
    }
}

impl<T: Clone> Clone for SetOnce<T> {
    fn clone(&self) -> SetOnce<T> {
        SetOnce::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for SetOnce<T> {
    fn eq(&self, other: &SetOnce<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for SetOnce<T> {}

impl<T: fmt::Debug> fmt::Debug for SetOnce<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetOnce")
            .field("value", &self.get())
            .finish()
    }
}

impl<T> fmt::Display for SetOnceError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the cell is already set")
    }
}

impl<T: fmt::Debug> Error for SetOnceError<T> {}
