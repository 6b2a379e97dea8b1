//! The owned guards of a [`Mutex`]: [`OwnedMutexGuard`] and [`OwnedMappedMutexGuard`].
//! They hold an `Arc` of the mutex instead of borrowing it, so they are `'static` when `T`
//! is.

use super::Mutex;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::Arc;

/// Exclusive access to the value of an `Arc<Mutex<T>>`; the lock is released when this is
/// dropped.
///
/// Returned by [`Mutex::lock_owned`] and [`Mutex::try_lock_owned`].
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    /// The same thing, mapped to the whole value.
    whole: OwnedMappedMutexGuard<T, T>,
}

/// Exclusive access to a part `U` of the value of an `Arc<Mutex<T>>`, made by
/// [`OwnedMutexGuard::map`]; the lock is released when this is dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMappedMutexGuard<T: ?Sized, U: ?Sized = T> {
    data: NonNull<U>,
    lock: Arc<Mutex<T>>,
}

// SAFETY: sharing the guard shares `&U`; the `Arc<Mutex<T>>` inside is `Sync` for
// `T: Send`.
unsafe impl<T: ?Sized + Send, U: ?Sized + Sync> Sync for OwnedMappedMutexGuard<T, U> {}
// SAFETY: sending the guard sends `&mut U` and an `Arc<Mutex<T>>`.
unsafe impl<T: ?Sized + Send, U: ?Sized + Send> Send for OwnedMappedMutexGuard<T, U> {}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// # Safety
    ///
    /// The caller has acquired `lock`'s permit and hands it to the guard.
    pub(super) unsafe fn new(lock: Arc<Mutex<T>>) -> OwnedMutexGuard<T> {
        let data = NonNull::new(lock.data_ptr()).expect("a cell is never at null");
        OwnedMutexGuard {
            whole: OwnedMappedMutexGuard { data, lock },
        }
    }

    /// The mutex this guard locks.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(Mutex::new(1));
    /// let guard = lock.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&guard), &lock));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.whole.lock
    }

    /// Narrows the guard to a part of the value, keeping the lock held.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(Mutex::new((1, 2)));
    /// let mut second = OwnedMutexGuard::map(lock.clone().try_lock_owned().unwrap(), |p| &mut p.1);
    /// *second = 5;
    /// drop(second);
    /// assert_eq!(*lock.try_lock().unwrap(), (1, 5));
    /// ```
    pub fn map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> OwnedMappedMutexGuard<T, U> {
        OwnedMappedMutexGuard::map(this.whole, f)
    }

    /// Like [`map`](OwnedMutexGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(Mutex::new(vec![1]));
    /// let guard = lock.try_lock_owned().unwrap();
    /// assert!(OwnedMutexGuard::try_map(guard, |v| v.get_mut(1)).is_err());
    /// ```
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<OwnedMappedMutexGuard<T, U>, Self> {
        OwnedMappedMutexGuard::try_map(this.whole, f).map_err(|whole| OwnedMutexGuard { whole })
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.whole
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.whole
    }
}

guard_fmt!([T: ?Sized] OwnedMutexGuard<T>);

impl<T: ?Sized, U: ?Sized> OwnedMappedMutexGuard<T, U> {
    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }

    /// Narrows the guard further.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(Mutex::new(((1, 2), 3)));
    /// let inner = OwnedMutexGuard::map(lock.try_lock_owned().unwrap(), |v| &mut v.0);
    /// let first = OwnedMappedMutexGuard::map(inner, |v| &mut v.0);
    /// assert_eq!(*first, 1);
    /// ```
    pub fn map<V: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut U) -> &mut V,
    ) -> OwnedMappedMutexGuard<T, V> {
        let data = NonNull::from(f(&mut *this));
        OwnedMappedMutexGuard {
            data,
            lock: this.into_lock(),
        }
    }

    /// Like [`map`](OwnedMappedMutexGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    pub fn try_map<V: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut U) -> Option<&mut V>,
    ) -> Result<OwnedMappedMutexGuard<T, V>, Self> {
        match f(&mut *this).map(NonNull::from) {
            Some(data) => Ok(OwnedMappedMutexGuard {
                data,
                lock: this.into_lock(),
            }),
            None => Err(this),
        }
    }

    /// Takes the `Arc` out without releasing the lock: the permit moves with it.
    fn into_lock(self) -> Arc<Mutex<T>> {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is moved, not
        // duplicated.
        unsafe { std::ptr::read(&this.lock) }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedMappedMutexGuard<T, U> {
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedMappedMutexGuard<T, U> {
    type Target = U;

    fn deref(&self) -> &U {
        // SAFETY: the guard holds the lock, and `data` points into the locked value, which
        // the `Arc` keeps alive.
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedMappedMutexGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`, and `&mut self` makes this the only borrow.
        unsafe { self.data.as_mut() }
    }
}

guard_fmt!([T: ?Sized, U: ?Sized] OwnedMappedMutexGuard<T, U>);
