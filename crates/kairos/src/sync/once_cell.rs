//! [`OnceCell`]: a value initialised at most once, possibly by an async function.
//!
//! The right to initialise is the single permit of a [`BatchSemaphore`]: the task holding
//! it runs the initialiser; the others queue for the permit. On success the value is
//! published and the semaphore closed, which wakes every queued task to read it; if the
//! initialiser fails or is cancelled, the permit goes to the next task in line, which tries
//! in turn.

use crate::sync::batch_semaphore::{BatchSemaphore, TryAcquireError};
use crate::sync::once_slot::OnceSlot;
use std::error::Error;
use std::fmt;
use std::future::Future;

/// A cell that is written at most once, then read without locking.
///
/// Unlike `std::sync::OnceLock`, its initialiser may be an `async` function:
/// [`get_or_init`](OnceCell::get_or_init) lets exactly one task run it while the others
/// wait (without blocking their threads) for the result.
///
/// # Examples
///
/// ```
/// use kairos::sync::OnceCell;
///
/// static CONFIG: OnceCell<String> = OnceCell::const_new();
///
/// async fn load() -> String {
///     String::from("loaded once")
/// }
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let first = CONFIG.get_or_init(load).await;
/// let again = CONFIG.get_or_init(load).await; // does not call `load` again
/// assert!(std::ptr::eq(first, again));
/// # });
/// ```
pub struct OnceCell<T> {
    slot: OnceSlot<T>,
    /// One permit: the right to initialise. Closed once the value is set.
    semaphore: BatchSemaphore,
}

/// The error of [`OnceCell::set`]: the value is given back.
#[derive(Debug, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already holds a value.
    AlreadyInitializedError(T),
    /// Another task is initialising the cell right now.
    InitializingError(T),
}

impl<T> OnceCell<T> {
    /// An empty cell.
    pub fn new() -> OnceCell<T> {
        OnceCell {
            slot: OnceSlot::new(),
            semaphore: BatchSemaphore::new(1),
        }
    }

    /// A cell holding `value` if it is `Some`, empty otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::OnceCell;
    ///
    /// let cell = OnceCell::new_with(Some(1));
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn new_with(value: Option<T>) -> OnceCell<T> {
        match value {
            Some(value) => OnceCell {
                slot: OnceSlot::with_value(value),
                semaphore: BatchSemaphore::new_closed(),
            },
            None => OnceCell::new(),
        }
    }

    /// An empty cell, in a constant context (for a `static`).
    #[cfg(not(loom))]
    pub const fn const_new() -> OnceCell<T> {
        OnceCell {
            slot: OnceSlot::const_new(),
            semaphore: BatchSemaphore::const_new(1),
        }
    }

    /// A cell holding `value`, in a constant context.
    #[cfg(not(loom))]
    pub const fn const_new_with(value: T) -> OnceCell<T> {
        OnceCell {
            slot: OnceSlot::const_with_value(value),
            semaphore: BatchSemaphore::const_new_closed(),
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

    /// The value, mutably, if the cell holds one.
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.slot.get_mut()
    }

    /// Stores `value` if the cell is empty and nobody is initialising it.
    ///
    /// # Errors
    ///
    /// [`SetError`] with `value` inside, saying whether the cell was already set or is
    /// being initialised.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{OnceCell, SetError};
    ///
    /// let cell = OnceCell::new();
    /// cell.set(1).unwrap();
    /// assert_eq!(cell.set(2), Err(SetError::AlreadyInitializedError(2)));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        match self.semaphore.try_acquire(1) {
            Ok(()) => {
                // SAFETY: the permit is the exclusive right to write, and the slot is only
                // set by its holder, after which the semaphore is closed.
                unsafe { self.publish(value) };
                Ok(())
            }
            Err(TryAcquireError::NoPermits) if !self.initialized() => {
                Err(SetError::InitializingError(value))
            }
            Err(_) => Err(SetError::AlreadyInitializedError(value)),
        }
    }

    /// The value, initialising it with `init().await` first if the cell is empty.
    ///
    /// Exactly one task runs `init` at a time; others wait for its result. If that task's
    /// future is dropped before `init` completes, the next waiting task runs its own
    /// `init`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future while `init` runs leaves the cell empty for the
    /// next caller; dropping it while waiting gives up its place in line.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::OnceCell;
    ///
    /// # futures::executor::block_on(async {
    /// let cell = OnceCell::new();
    /// assert_eq!(*cell.get_or_init(|| async { 5 }).await, 5);
    /// assert_eq!(*cell.get_or_init(|| async { 6 }).await, 5);
    /// # });
    /// ```
    pub async fn get_or_init<F, Fut>(&self, init: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        match self
            .get_or_try_init(|| async { Ok::<T, std::convert::Infallible>(init().await) })
            .await
        {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// The value, initialising it with `init().await` first if the cell is empty; an
    /// error from `init` leaves the cell empty and is returned.
    ///
    /// # Errors
    ///
    /// The error of `init`, if it ran and failed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`get_or_init`](OnceCell::get_or_init).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::OnceCell;
    ///
    /// # futures::executor::block_on(async {
    /// let cell = OnceCell::<u8>::new();
    /// assert_eq!(cell.get_or_try_init(|| async { Err("no") }).await, Err("no"));
    /// assert!(!cell.initialized());
    /// assert_eq!(cell.get_or_try_init(|| async { Ok::<_, ()>(1) }).await, Ok(&1));
    /// # });
    /// ```
    pub async fn get_or_try_init<E, F, Fut>(&self, init: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.get() {
            return Ok(value);
        }
        if self.semaphore.acquire(1).await.is_err() {
            // Closed: someone else initialised the cell.
            return Ok(self
                .get()
                .expect("the semaphore closes once the value is set"));
        }
        // Holding the permit. Give it back if `init` fails or this future is dropped.
        let permit = InitPermit(&self.semaphore);
        let value = init().await?;
        std::mem::forget(permit);
        // SAFETY: the permit is the exclusive right to write, and the slot was not set
        // (setting it closes the semaphore, and we got a permit).
        Ok(unsafe { self.publish(value) })
    }

    /// Takes the value out of the cell, leaving it empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::OnceCell;
    ///
    /// let mut cell = OnceCell::new_with(Some(1));
    /// assert_eq!(cell.take(), Some(1));
    /// assert!(cell.set(2).is_ok());
    /// ```
    pub fn take(&mut self) -> Option<T> {
        let value = self.slot.take();
        if value.is_some() {
            // `&mut self`: nobody waits, so a fresh permit is all the state there is.
            self.semaphore = BatchSemaphore::new(1);
        }
        value
    }

    /// Consumes the cell, returning its value if it holds one.
    pub fn into_inner(mut self) -> Option<T> {
        self.take()
    }

    /// Writes the value, then closes the semaphore to wake every waiting task.
    ///
    /// # Safety
    ///
    /// The caller holds the (single) permit and the slot is not set.
    unsafe fn publish(&self, value: T) -> &T {
        // SAFETY: passed on from the caller.
        let value = unsafe { self.slot.write(value) };
        self.semaphore.close();
        value
    }
}

/// Gives the permit back (to the next task in line) if initialisation does not finish.
struct InitPermit<'a>(&'a BatchSemaphore);

impl Drop for InitPermit<'_> {
    fn drop(&mut self) {
        self.0.release(1);
    }
}

impl<T> Default for OnceCell<T> {
    fn default() -> OnceCell<T> {
        OnceCell::new()
    }
}

impl<T> From<T> for OnceCell<T> {
    fn from(value: T) -> OnceCell<T> {
        OnceCell::new_with(Some(value))
    }
}

impl<T: Clone> Clone for OnceCell<T> {
    fn clone(&self) -> OnceCell<T> {
        OnceCell::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for OnceCell<T> {
    fn eq(&self, other: &OnceCell<T>) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for OnceCell<T> {}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnceCell")
            .field("value", &self.get())
            .finish()
    }
}

impl<T> SetError<T> {
    /// Whether the cell was already set.
    pub fn is_already_init_err(&self) -> bool {
        matches!(self, SetError::AlreadyInitializedError(_))
    }

    /// Whether another task was initialising the cell.
    pub fn is_initializing_err(&self) -> bool {
        matches!(self, SetError::InitializingError(_))
    }
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("the cell is already set"),
            SetError::InitializingError(_) => {
                f.write_str("the cell is being initialised by another task")
            }
        }
    }
}

impl<T: fmt::Debug> Error for SetError<T> {}
