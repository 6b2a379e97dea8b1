//! The borrowed guards of a [`Mutex`]: [`MutexGuard`] and [`MappedMutexGuard`].

use super::Mutex;
use crate::sync::batch_semaphore::BatchSemaphore;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Exclusive access to the value of a [`Mutex`]; the lock is released when this is
/// dropped.
///
/// Returned by [`Mutex::lock`] and [`Mutex::try_lock`].
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    /// Makes the guard `Sync` only for `T: Sync` (it hands out `&T`).
    _data: PhantomData<&'a mut T>,
}

/// Exclusive access to a part of a [`Mutex`]'s value, made by [`MutexGuard::map`]; the
/// lock is released when this is dropped.
///
/// It can no longer reach the whole value or the mutex, which is what makes mapping to a
/// part sound.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    semaphore: &'a BatchSemaphore,
    data: NonNull<T>,
    _data: PhantomData<&'a mut T>,
}

// SAFETY: sharing the mapped guard shares `&T` only.
unsafe impl<T: ?Sized + Sync> Sync for MappedMutexGuard<'_, T> {}
// SAFETY: sending the mapped guard sends `&mut T` and the duty to release a permit, which
// any thread may do.
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// # Safety
    ///
    /// The caller has acquired `lock`'s permit and hands it to the guard.
    pub(super) unsafe fn new(lock: &'a Mutex<T>) -> MutexGuard<'a, T> {
        MutexGuard {
            lock,
            _data: PhantomData,
        }
    }

    /// The mutex this guard locks.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Mutex, MutexGuard};
    ///
    /// let lock = Mutex::new(1);
    /// let guard = lock.try_lock().unwrap();
    /// assert!(std::ptr::eq(MutexGuard::mutex(&guard), &lock));
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }

    /// Narrows the guard to a part of the value, keeping the lock held.
    ///
    /// An associated function (`MutexGuard::map(guard, ..)`) so it does not shadow a
    /// method of `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Mutex, MutexGuard};
    ///
    /// # futures::executor::block_on(async {
    /// let lock = Mutex::new((1, "one"));
    /// let mut first = MutexGuard::map(lock.lock().await, |pair| &mut pair.0);
    /// *first = 2;
    /// drop(first);
    /// assert_eq!(*lock.lock().await, (2, "one"));
    /// # });
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> MappedMutexGuard<'a, U> {
        let data = NonNull::from(f(&mut *this));
        this.mapped_at(data)
    }

    /// Like [`map`](MutexGuard::map), but `f` may decline; the original guard comes back
    /// then.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Mutex, MutexGuard};
    ///
    /// let lock = Mutex::new(vec![1, 2]);
    /// let guard = lock.try_lock().unwrap();
    /// let guard = MutexGuard::try_map(guard, |v| v.get_mut(5)).unwrap_err();
    /// let second = MutexGuard::try_map(guard, |v| v.get_mut(1)).unwrap();
    /// assert_eq!(*second, 2);
    /// ```
    pub fn try_map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        match f(&mut *this).map(NonNull::from) {
            Some(data) => Ok(this.mapped_at(data)),
            None => Err(this),
        }
    }

    /// Moves the lock into a mapped guard of `data` without releasing it.
    fn mapped_at<U: ?Sized>(self, data: NonNull<U>) -> MappedMutexGuard<'a, U> {
        let lock = ManuallyDrop::new(self).lock;
        MappedMutexGuard {
            semaphore: &lock.semaphore,
            data,
            _data: PhantomData,
        }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no `&mut T` exists elsewhere.
        unsafe { &*self.lock.data_ptr() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` makes this the only borrow.
        unsafe { &mut *self.lock.data_ptr() }
    }
}

guard_fmt!(['a, T: ?Sized] MutexGuard<'a, T>);

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Narrows the guard further.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let lock = Mutex::new(((1, 2), 3));
    /// let inner = MutexGuard::map(lock.try_lock().unwrap(), |v| &mut v.0);
    /// let second = MappedMutexGuard::map(inner, |v| &mut v.1);
    /// assert_eq!(*second, 2);
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> MappedMutexGuard<'a, U> {
        let data = NonNull::from(f(&mut *this));
        this.retarget(data)
    }

    /// Like [`map`](MappedMutexGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let lock = Mutex::new((vec![1], 0));
    /// let list = MutexGuard::map(lock.try_lock().unwrap(), |v| &mut v.0);
    /// assert!(MappedMutexGuard::try_map(list, |l| l.get_mut(3)).is_err());
    /// ```
    pub fn try_map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        match f(&mut *this).map(NonNull::from) {
            Some(data) => Ok(this.retarget(data)),
            None => Err(this),
        }
    }

    /// Moves the lock to `data` without releasing it.
    fn retarget<U: ?Sized>(self, data: NonNull<U>) -> MappedMutexGuard<'a, U> {
        let semaphore = ManuallyDrop::new(self).semaphore;
        MappedMutexGuard {
            semaphore,
            data,
            _data: PhantomData,
        }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.semaphore.release(1);
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, and `data` points into the locked value.
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this the only borrow.
        unsafe { self.data.as_mut() }
    }
}

guard_fmt!(['a, T: ?Sized] MappedMutexGuard<'a, T>);
