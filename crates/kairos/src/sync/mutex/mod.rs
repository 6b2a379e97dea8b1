//! [`Mutex`]: an asynchronous, fair mutual-exclusion lock.
//!
//! The lock is a [`BatchSemaphore`] with one permit: locking acquires it, dropping the
//! guard releases it. The semaphore's FIFO queue makes the lock fair (tasks get it in the
//! order they asked), and its cancellation rules make `lock` cancel safe. The protected
//! value sits in an `UnsafeCell`; holding the permit is what grants access to it.

mod guard;
mod owned_guard;

pub use self::guard::{MappedMutexGuard, MutexGuard};
pub use self::owned_guard::{OwnedMappedMutexGuard, OwnedMutexGuard};

use crate::loom::cell::UnsafeCell;
use crate::sync::batch_semaphore::BatchSemaphore;
use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// An asynchronous mutual-exclusion lock for data shared between tasks.
///
/// Unlike `std::sync::Mutex`, waiting for it does not block the thread: [`lock`] is a
/// future, and the guard may be held across an `.await` (the guard is `Send` when `T`
/// is). Tasks get the lock in the order they asked for it (first in, first out).
///
/// Prefer `std::sync::Mutex` for data that is only locked briefly and never across an
/// `.await`: it is cheaper. Use this one when the critical section awaits something (an I/O
/// resource behind the lock, for instance).
///
/// A panic while the lock is held does not poison it: the lock is released as the guard is
/// dropped during unwinding.
///
/// [`lock`]: Mutex::lock
///
/// # Examples
///
/// ```
/// use kairos::sync::Mutex;
/// use std::sync::Arc;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let count = Arc::new(Mutex::new(0));
/// let mut tasks = Vec::new();
/// for _ in 0..10 {
///     let count = count.clone();
///     tasks.push(kairos::spawn(async move {
///         let mut guard = count.lock().await;
///         *guard += 1;
///         kairos::task::yield_now().await; // still holding the lock
///     }));
/// }
/// for task in tasks {
///     task.await.unwrap();
/// }
/// assert_eq!(*count.lock().await, 10);
/// # });
/// ```
pub struct Mutex<T: ?Sized> {
    semaphore: BatchSemaphore,
    data: UnsafeCell<T>,
}

/// The error of [`Mutex::try_lock`] and of the `try_read`/`try_write` methods of
/// [`RwLock`](super::RwLock): the lock is held (or queued for) elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLockError(pub(super) ());

// SAFETY: the mutex hands `&mut T` to one guard at a time, so it may be shared between
// threads whenever `T` may be sent between them.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: owning the mutex is owning a `T`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::Mutex::new(5);
    /// ```
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            semaphore: BatchSemaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// Creates an unlocked mutex in a constant context, for a `static`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Mutex;
    ///
    /// static REGISTRY: Mutex<Vec<String>> = Mutex::const_new(Vec::new());
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> Mutex<T> {
        Mutex {
            semaphore: BatchSemaphore::const_new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns the value (no locking needed: nobody else has it).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::Mutex::new(1);
    /// assert_eq!(lock.into_inner(), 1);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock and returns a guard that releases it when dropped.
    ///
    /// Tasks get the lock in the order they called `lock` (first in, first out).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped while waiting, the lock is not taken, and if
    /// the lock had just been handed to it, it goes to the next waiter. The dropped call
    /// loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Mutex;
    ///
    /// # futures::executor::block_on(async {
    /// let lock = Mutex::new(1);
    /// let mut guard = lock.lock().await;
    /// *guard += 1;
    /// drop(guard);
    /// assert_eq!(*lock.lock().await, 2);
    /// # });
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.acquire().await;
        // SAFETY: the permit acquired above is the lock; the guard releases it.
        unsafe { MutexGuard::new(self) }
    }

    /// Waits for the lock from synchronous code, blocking the thread.
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime): it
    /// would stall them. Use [`lock`](Mutex::lock) there, or move the call into
    /// [`spawn_blocking`](crate::task::spawn_blocking).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Mutex;
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(Mutex::new(0));
    /// let thread = std::thread::spawn({
    ///     let lock = lock.clone();
    ///     move || *lock.blocking_lock() += 1
    /// });
    /// thread.join().unwrap();
    /// assert_eq!(*lock.blocking_lock(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        crate::runtime::park::block_on("Mutex::blocking_lock", self.lock())
    }

    /// Takes the lock if it is free and nobody is queued for it.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or other tasks wait for it.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::Mutex::new(1);
    /// let guard = lock.try_lock().unwrap();
    /// assert!(lock.try_lock().is_err());
    /// drop(guard);
    /// assert!(lock.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        self.semaphore
            .try_acquire(1)
            .map_err(|_| TryLockError(()))?;
        // SAFETY: the permit acquired above is the lock; the guard releases it.
        Ok(unsafe { MutexGuard::new(self) })
    }

    /// A mutable reference to the value, without locking: `&mut self` proves nobody else
    /// holds the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut lock = kairos::sync::Mutex::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every guard (they borrow the mutex).
        self.data.with_mut(|data| unsafe { &mut *data })
    }

    /// Waits for the lock and returns a guard that owns a reference to the mutex, so it
    /// can outlive the borrow (move into a spawned task, for instance).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`lock`](Mutex::lock).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Mutex;
    /// use std::sync::Arc;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let lock = Arc::new(Mutex::new(0));
    /// let mut guard = lock.clone().lock_owned().await;
    /// let task = kairos::spawn(async move { *guard += 1 });
    /// task.await.unwrap();
    /// assert_eq!(*lock.lock().await, 1);
    /// # });
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.acquire().await;
        // SAFETY: the permit acquired above is the lock; the guard releases it.
        unsafe { OwnedMutexGuard::new(self) }
    }

    /// As [`blocking_lock`](Mutex::blocking_lock), returning an owned guard.
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Mutex;
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(Mutex::new(1));
    /// let guard = lock.clone().blocking_lock_owned();
    /// assert_eq!(*guard, 1);
    /// ```
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        crate::runtime::park::block_on("Mutex::blocking_lock_owned", self.lock_owned())
    }

    /// As [`try_lock`](Mutex::try_lock), returning an owned guard.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or other tasks wait for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Mutex;
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(Mutex::new(1));
    /// let guard = lock.clone().try_lock_owned().unwrap();
    /// assert!(lock.try_lock().is_err());
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        self.semaphore
            .try_acquire(1)
            .map_err(|_| TryLockError(()))?;
        // SAFETY: the permit acquired above is the lock; the guard releases it.
        Ok(unsafe { OwnedMutexGuard::new(self) })
    }

    async fn acquire(&self) {
        // The semaphore of a mutex is never closed.
        if self.semaphore.acquire(1).await.is_err() {
            unreachable!("a mutex's semaphore is never closed");
        }
    }

    /// Gives the lock back. Called by the guards.
    fn unlock(&self) {
        self.semaphore.release(1);
    }

    /// A pointer to the value; dereferencing it requires holding the lock.
    fn data_ptr(&self) -> *mut T {
        self.data.with_mut(|data| data)
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Mutex<T> {
        Mutex::new(value)
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block: the lock is held or queued for")
    }
}

impl Error for TryLockError {}

#[cfg(all(test, loom))]
mod loom_mutex;
