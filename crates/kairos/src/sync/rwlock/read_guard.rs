//! The read guards of a [`RwLock`]: [`RwLockReadGuard`] (borrowed) and
//! [`OwnedRwLockReadGuard`] (holding an `Arc`). Each holds one of the lock's permits.

use super::RwLock;
use crate::sync::batch_semaphore::BatchSemaphore;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::Arc;

/// Shared read access to (a part of) the value of a [`RwLock`]; released when dropped.
///
/// Returned by [`RwLock::read`] and [`RwLock::try_read`], and by
/// [`RwLockWriteGuard::downgrade`](super::RwLockWriteGuard::downgrade).
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    semaphore: &'a BatchSemaphore,
    data: NonNull<T>,
    _data: PhantomData<&'a T>,
}

/// Shared read access to (a part `U` of) the value of an `Arc<RwLock<T>>`; released when
/// dropped.
///
/// Returned by [`RwLock::read_owned`] and [`RwLock::try_read_owned`].
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockReadGuard<T: ?Sized, U: ?Sized = T> {
    data: NonNull<U>,
    lock: Arc<RwLock<T>>,
}

// SAFETY: the guard only hands out `&T`, which may cross threads when `T: Sync`; releasing
// its permit may happen on any thread.
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: the guard hands out `&U` and holds an `Arc<RwLock<T>>`, which is `Send + Sync`
// for `T: Send + Sync`.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Send for OwnedRwLockReadGuard<T, U> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Sync for OwnedRwLockReadGuard<T, U> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// # Safety
    ///
    /// The caller has acquired one permit of `semaphore` and hands it to the guard, and
    /// `data` points into the value that permit protects.
    pub(super) unsafe fn new(semaphore: &'a BatchSemaphore, data: NonNull<T>) -> Self {
        RwLockReadGuard {
            semaphore,
            data,
            _data: PhantomData,
        }
    }

    /// Narrows the guard to a part of the value, keeping read access.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new((1, "one"));
    /// let name = RwLockReadGuard::map(lock.try_read().unwrap(), |pair| &pair.1);
    /// assert_eq!(*name, "one");
    /// ```
    pub fn map<U: ?Sized>(this: Self, f: impl FnOnce(&T) -> &U) -> RwLockReadGuard<'a, U> {
        let data = NonNull::from(f(&*this));
        let this = ManuallyDrop::new(this);
        RwLockReadGuard {
            semaphore: this.semaphore,
            data,
            _data: PhantomData,
        }
    }

    /// Like [`map`](RwLockReadGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new(vec![1]);
    /// let guard = lock.try_read().unwrap();
    /// assert!(RwLockReadGuard::try_map(guard, |v| v.get(4)).is_err());
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&T) -> Option<&U>,
    ) -> Result<RwLockReadGuard<'a, U>, Self> {
        let Some(data) = f(&*this).map(NonNull::from) else {
            return Err(this);
        };
        let this = ManuallyDrop::new(this);
        Ok(RwLockReadGuard {
            semaphore: this.semaphore,
            data,
            _data: PhantomData,
        })
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.semaphore.release(1);
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read permit, so no writer exists.
        unsafe { self.data.as_ref() }
    }
}

guard_fmt!(['a, T: ?Sized] RwLockReadGuard<'a, T>);

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    /// # Safety
    ///
    /// The caller has acquired one permit of `lock` and hands it to the guard.
    pub(super) unsafe fn new(lock: Arc<RwLock<T>>) -> OwnedRwLockReadGuard<T> {
        let data = lock.data_ptr();
        // SAFETY: passed on from the caller; `data` is the whole value.
        unsafe { OwnedRwLockReadGuard::with_data(lock, data) }
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockReadGuard<T, U> {
    /// # Safety
    ///
    /// The caller has acquired one permit of `lock` and hands it to the guard, and `data`
    /// points into the value that permit protects.
    pub(super) unsafe fn with_data(lock: Arc<RwLock<T>>, data: NonNull<U>) -> Self {
        OwnedRwLockReadGuard { data, lock }
    }

    /// The lock this guard reads.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{OwnedRwLockReadGuard, RwLock};
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let guard = lock.clone().try_read_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedRwLockReadGuard::rwlock(&guard), &lock));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }

    /// Narrows the guard to a part of the value, keeping read access.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{OwnedRwLockReadGuard, RwLock};
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(RwLock::new((1, 2)));
    /// let second = OwnedRwLockReadGuard::map(lock.try_read_owned().unwrap(), |p| &p.1);
    /// assert_eq!(*second, 2);
    /// ```
    pub fn map<V: ?Sized>(this: Self, f: impl FnOnce(&U) -> &V) -> OwnedRwLockReadGuard<T, V> {
        let data = NonNull::from(f(&*this));
        OwnedRwLockReadGuard {
            data,
            lock: this.into_lock(),
        }
    }

    /// Like [`map`](OwnedRwLockReadGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    pub fn try_map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&U) -> Option<&V>,
    ) -> Result<OwnedRwLockReadGuard<T, V>, Self> {
        let Some(data) = f(&*this).map(NonNull::from) else {
            return Err(this);
        };
        Ok(OwnedRwLockReadGuard {
            data,
            lock: this.into_lock(),
        })
    }

    /// Takes the `Arc` out without releasing the permit: it moves with the `Arc`.
    fn into_lock(self) -> Arc<RwLock<T>> {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is moved, not
        // duplicated.
        unsafe { std::ptr::read(&this.lock) }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedRwLockReadGuard<T, U> {
    fn drop(&mut self) {
        self.lock.semaphore.release(1);
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockReadGuard<T, U> {
    type Target = U;

    fn deref(&self) -> &U {
        // SAFETY: the guard holds a read permit, and the `Arc` keeps the value alive.
        unsafe { self.data.as_ref() }
    }
}

guard_fmt!([T: ?Sized, U: ?Sized] OwnedRwLockReadGuard<T, U>);
