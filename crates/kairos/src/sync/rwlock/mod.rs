//! [`RwLock`]: an asynchronous, fair reader-writer lock.
//!
//! The lock is a [`BatchSemaphore`] holding `max_readers` permits: a reader acquires one,
//! a writer acquires all of them at once. Because the semaphore serves requests strictly
//! in arrival order, a writer that queues holds back every reader that comes after it, so
//! writers are never starved by a stream of readers (and readers queued behind a writer
//! are let in together once it is done).

mod owned_write_guard;
mod read_guard;
mod write_guard;

pub use self::owned_write_guard::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard};
pub use self::read_guard::{OwnedRwLockReadGuard, RwLockReadGuard};
pub use self::write_guard::{RwLockMappedWriteGuard, RwLockWriteGuard};

use crate::loom::cell::UnsafeCell;
use crate::sync::batch_semaphore::BatchSemaphore;
use crate::sync::TryLockError;
use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;

/// The most concurrent readers a [`RwLock`] admits by default (`u32::MAX >> 3`).
const MAX_READS: u32 = u32::MAX >> 3;

/// An asynchronous reader-writer lock: many readers or one writer at a time.
///
/// Requests are served in arrival order, so a waiting writer is never starved: readers
/// that arrive after it wait until it has had its turn.
///
/// Like [`Mutex`](super::Mutex), its guards may be held across an `.await`, and a panic
/// while holding a guard does not poison the lock.
///
/// # Examples
///
/// ```
/// use kairos::sync::RwLock;
///
/// # futures::executor::block_on(async {
/// let lock = RwLock::new(5);
/// {
///     let a = lock.read().await;
///     let b = lock.read().await; // readers share the lock
///     assert_eq!(*a + *b, 10);
/// }
/// {
///     let mut w = lock.write().await;
///     *w += 1;
/// }
/// assert_eq!(*lock.read().await, 6);
/// # });
/// ```
pub struct RwLock<T: ?Sized> {
    max_readers: u32,
    semaphore: BatchSemaphore,
    data: UnsafeCell<T>,
}

// SAFETY: readers on several threads share `&T` (needs `T: Sync`), and a writer may be on
// any thread (needs `T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}
// SAFETY: owning the lock is owning a `T`.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}

impl<T> RwLock<T> {
    /// Creates an unlocked `RwLock` holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::RwLock::new(5);
    /// ```
    pub fn new(value: T) -> RwLock<T> {
        RwLock::with_max_readers(value, MAX_READS)
    }

    /// Creates an unlocked `RwLock` that admits at most `max_readers` readers at once.
    ///
    /// # Panics
    ///
    /// If `max_readers` is 0 or above `u32::MAX >> 3`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::RwLock;
    ///
    /// let lock = RwLock::with_max_readers(0, 2);
    /// let _a = lock.try_read().unwrap();
    /// let _b = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_err());
    /// ```
    #[track_caller]
    pub fn with_max_readers(value: T, max_readers: u32) -> RwLock<T> {
        assert!(
            (1..=MAX_READS).contains(&max_readers),
            "a RwLock admits between 1 and {MAX_READS} readers, {max_readers} were asked for"
        );
        RwLock {
            max_readers,
            semaphore: BatchSemaphore::new(max_readers as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// Creates an unlocked `RwLock` in a constant context, for a `static`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::RwLock;
    ///
    /// static CONFIG: RwLock<Vec<u8>> = RwLock::const_new(Vec::new());
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> RwLock<T> {
        RwLock {
            max_readers: MAX_READS,
            semaphore: BatchSemaphore::const_new(MAX_READS as usize),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns the value.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::RwLock::new(1);
    /// assert_eq!(lock.into_inner(), 1);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared read access.
    ///
    /// Readers share the lock with each other; a reader that arrives while a writer is
    /// queued waits until that writer is done.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a dropped `read` takes nothing, and access handed to it just before it
    /// was dropped goes to the next waiter. It loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::RwLock;
    ///
    /// # futures::executor::block_on(async {
    /// let lock = RwLock::new(1);
    /// assert_eq!(*lock.read().await, 1);
    /// # });
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        self.acquire(1).await;
        // SAFETY: one permit, acquired above, is read access; the guard releases it.
        unsafe { RwLockReadGuard::new(&self.semaphore, self.data_ptr()) }
    }

    /// Waits for read access from synchronous code, blocking the thread.
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::RwLock::new(1);
    /// assert_eq!(*lock.blocking_read(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        crate::runtime::park::block_on("RwLock::blocking_read", self.read())
    }

    /// Takes read access if no writer holds or waits for the lock.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if a writer holds the lock or requests are queued.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::RwLock::new(1);
    /// let writer = lock.try_write().unwrap();
    /// assert!(lock.try_read().is_err());
    /// drop(writer);
    /// assert!(lock.try_read().is_ok());
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.try_acquire(1)?;
        // SAFETY: one permit, acquired above, is read access; the guard releases it.
        Ok(unsafe { RwLockReadGuard::new(&self.semaphore, self.data_ptr()) })
    }

    /// Waits for read access with a guard that owns a reference to the lock.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`read`](RwLock::read).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::RwLock;
    /// use std::sync::Arc;
    ///
    /// # futures::executor::block_on(async {
    /// let lock = Arc::new(RwLock::new(1));
    /// let guard = lock.clone().read_owned().await;
    /// assert_eq!(*guard, 1);
    /// # });
    /// ```
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        self.acquire(1).await;
        // SAFETY: one permit, acquired above, is read access; the guard releases it.
        unsafe { OwnedRwLockReadGuard::new(self) }
    }

    /// As [`try_read`](RwLock::try_read), with a guard that owns a reference to the lock.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if a writer holds the lock or requests are queued.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::RwLock;
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// assert_eq!(*lock.try_read_owned().unwrap(), 1);
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        self.try_acquire(1)?;
        // SAFETY: one permit, acquired above, is read access; the guard releases it.
        Ok(unsafe { OwnedRwLockReadGuard::new(self) })
    }

    /// Waits for exclusive write access.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a dropped `write` takes nothing, and reader permits it had collected
    /// go to the next waiters. It loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::RwLock;
    ///
    /// # futures::executor::block_on(async {
    /// let lock = RwLock::new(1);
    /// *lock.write().await += 1;
    /// assert_eq!(*lock.read().await, 2);
    /// # });
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.acquire(self.max_readers).await;
        // SAFETY: all permits, acquired above, are write access; the guard releases them.
        unsafe { RwLockWriteGuard::new(&self.semaphore, self.data_ptr(), self.max_readers) }
    }

    /// Waits for write access from synchronous code, blocking the thread.
    ///
    /// # Panics
    ///
    /// When called on a thread that is running asynchronous tasks (inside a runtime).
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::RwLock::new(1);
    /// *lock.blocking_write() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        crate::runtime::park::block_on("RwLock::blocking_write", self.write())
    }

    /// Takes write access if nobody holds or waits for the lock.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or requests are queued.
    ///
    /// # Examples
    ///
    /// ```
    /// let lock = kairos::sync::RwLock::new(1);
    /// let reader = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// drop(reader);
    /// assert!(lock.try_write().is_ok());
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.try_acquire(self.max_readers)?;
        // SAFETY: all permits, acquired above, are write access; the guard releases them.
        Ok(unsafe { RwLockWriteGuard::new(&self.semaphore, self.data_ptr(), self.max_readers) })
    }

    /// Waits for write access with a guard that owns a reference to the lock.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`write`](RwLock::write).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::RwLock;
    /// use std::sync::Arc;
    ///
    /// # futures::executor::block_on(async {
    /// let lock = Arc::new(RwLock::new(1));
    /// *lock.clone().write_owned().await = 3;
    /// assert_eq!(*lock.read().await, 3);
    /// # });
    /// ```
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        self.acquire(self.max_readers).await;
        // SAFETY: all permits, acquired above, are write access; the guard releases them.
        unsafe { OwnedRwLockWriteGuard::new(self) }
    }

    /// As [`try_write`](RwLock::try_write), with a guard that owns a reference to the
    /// lock.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] if the lock is held or requests are queued.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::RwLock;
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// *lock.clone().try_write_owned().unwrap() = 2;
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        self.try_acquire(self.max_readers)?;
        // SAFETY: all permits, acquired above, are write access; the guard releases them.
        Ok(unsafe { OwnedRwLockWriteGuard::new(self) })
    }

    /// A mutable reference to the value, without locking: `&mut self` proves nobody else
    /// holds the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut lock = kairos::sync::RwLock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every guard (they borrow the lock or share it
        // through an `Arc`, which `&mut` excludes too).
        self.data.with_mut(|data| unsafe { &mut *data })
    }

    async fn acquire(&self, permits: u32) {
        if self.semaphore.acquire(permits as usize).await.is_err() {
            unreachable!("a RwLock's semaphore is never closed");
        }
    }

    fn try_acquire(&self, permits: u32) -> Result<(), TryLockError> {
        self.semaphore
            .try_acquire(permits as usize)
            .map_err(|_| TryLockError(()))
    }

    /// A pointer to the value; dereferencing it requires holding permits.
    fn data_ptr(&self) -> NonNull<T> {
        // SAFETY: a pointer into a live cell is never null.
        self.data
            .with_mut(|data| unsafe { NonNull::new_unchecked(data) })
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> RwLock<T> {
        RwLock::new(value)
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> RwLock<T> {
        RwLock::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

#[cfg(all(test, loom))]
mod loom_rwlock;
