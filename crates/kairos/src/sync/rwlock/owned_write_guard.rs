//! The owned write guards of a [`RwLock`]: [`OwnedRwLockWriteGuard`] and
//! [`OwnedRwLockMappedWriteGuard`]. They hold an `Arc` of the lock and all its permits.

use super::{OwnedRwLockReadGuard, RwLock};
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::Arc;

/// Exclusive write access to the value of an `Arc<RwLock<T>>`; released when dropped.
///
/// Returned by [`RwLock::write_owned`] and [`RwLock::try_write_owned`].
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    access: OwnedWriteAccess<T, T>,
}

/// Exclusive write access to a part `U` of the value of an `Arc<RwLock<T>>`, made by
/// [`OwnedRwLockWriteGuard::map`]; released when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockMappedWriteGuard<T: ?Sized, U: ?Sized = T> {
    access: OwnedWriteAccess<T, U>,
}

/// What both owned write guards hold.
struct OwnedWriteAccess<T: ?Sized, U: ?Sized> {
    lock: Arc<RwLock<T>>,
    data: NonNull<U>,
    permits: u32,
}

// SAFETY: the guards hand out `&mut U` (sending needs `U: Send`) and `&U` (sharing needs
// `U: Sync`), and hold an `Arc<RwLock<T>>`, which is `Send + Sync` for `T: Send + Sync`.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send> Send for OwnedWriteAccess<T, U> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Sync for OwnedWriteAccess<T, U> {}

impl<T: ?Sized, U: ?Sized> OwnedWriteAccess<T, U> {
    /// Takes the lock and permits out without releasing them.
    fn into_parts(self) -> (Arc<RwLock<T>>, u32) {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is moved, not
        // duplicated.
        (unsafe { std::ptr::read(&this.lock) }, this.permits)
    }

    /// Moves the permits to `data` without releasing them.
    fn retarget<V: ?Sized>(self, data: NonNull<V>) -> OwnedWriteAccess<T, V> {
        let (lock, permits) = self.into_parts();
        OwnedWriteAccess {
            lock,
            data,
            permits,
        }
    }

    /// Narrows the access to a part of the value, keeping the permits.
    fn map<V: ?Sized>(mut self, f: impl FnOnce(&mut U) -> &mut V) -> OwnedWriteAccess<T, V> {
        let data = NonNull::from(f(self.get_mut()));
        self.retarget(data)
    }

    /// Like `map`, giving the access back unchanged if `f` declines.
    fn try_map<V: ?Sized>(
        mut self,
        f: impl FnOnce(&mut U) -> Option<&mut V>,
    ) -> Result<OwnedWriteAccess<T, V>, Self> {
        match f(self.get_mut()).map(NonNull::from) {
            Some(data) => Ok(self.retarget(data)),
            None => Err(self),
        }
    }

    /// Gives back all permits but one, keeping read access to `data`.
    fn downgrade<V: ?Sized>(self, data: NonNull<V>) -> OwnedRwLockReadGuard<T, V> {
        let (lock, permits) = self.into_parts();
        lock.semaphore.release(permits as usize - 1);
        // SAFETY: one permit is kept for the read guard, and `data` points into the value.
        unsafe { OwnedRwLockReadGuard::with_data(lock, data) }
    }

    fn get(&self) -> &U {
        // SAFETY: all permits are held, so nobody else accesses the value.
        unsafe { self.data.as_ref() }
    }

    fn get_mut(&mut self) -> &mut U {
        // SAFETY: as in `get`, and `&mut self` makes this the only borrow.
        unsafe { self.data.as_mut() }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedWriteAccess<T, U> {
    fn drop(&mut self) {
        self.lock.semaphore.release(self.permits as usize);
    }
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    /// # Safety
    ///
    /// The caller has acquired all permits of `lock` and hands them to the guard.
    pub(super) unsafe fn new(lock: Arc<RwLock<T>>) -> OwnedRwLockWriteGuard<T> {
        OwnedRwLockWriteGuard {
            access: OwnedWriteAccess {
                data: lock.data_ptr(),
                permits: lock.max_readers,
                lock,
            },
        }
    }

    /// The lock this guard writes.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.access.lock
    }

    /// Narrows the guard to a part of the value, keeping write access.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(RwLock::new((1, 2)));
    /// let guard = lock.clone().try_write_owned().unwrap();
    /// *OwnedRwLockWriteGuard::map(guard, |p| &mut p.1) = 9;
    /// assert_eq!(*lock.try_read().unwrap(), (1, 9));
    /// ```
    pub fn map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> OwnedRwLockMappedWriteGuard<T, U> {
        OwnedRwLockMappedWriteGuard {
            access: this.access.map(f),
        }
    }

    /// Like [`map`](OwnedRwLockWriteGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, U>, Self> {
        match this.access.try_map(f) {
            Ok(access) => Ok(OwnedRwLockMappedWriteGuard { access }),
            Err(access) => Err(Self { access }),
        }
    }

    /// Turns the guard into a mapped guard of the whole value.
    pub fn into_mapped(this: Self) -> OwnedRwLockMappedWriteGuard<T> {
        OwnedRwLockMappedWriteGuard {
            access: this.access,
        }
    }

    /// Turns write access into read access without letting another writer in between.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let reader = OwnedRwLockWriteGuard::downgrade(lock.clone().try_write_owned().unwrap());
    /// assert_eq!(*reader, 1);
    /// assert!(lock.try_read().is_ok());
    /// ```
    pub fn downgrade(this: Self) -> OwnedRwLockReadGuard<T> {
        let data = this.access.data;
        this.access.downgrade(data)
    }

    /// Downgrades to read access to a part of the value.
    pub fn downgrade_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&T) -> &U,
    ) -> OwnedRwLockReadGuard<T, U> {
        let data = NonNull::from(f(this.access.get()));
        this.access.downgrade(data)
    }
}

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.access.get()
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.access.get_mut()
    }
}

guard_fmt!([T: ?Sized] OwnedRwLockWriteGuard<T>);

impl<T: ?Sized, U: ?Sized> OwnedRwLockMappedWriteGuard<T, U> {
    /// The lock this guard writes.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.access.lock
    }

    /// Narrows the guard further.
    pub fn map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut U) -> &mut V,
    ) -> OwnedRwLockMappedWriteGuard<T, V> {
        OwnedRwLockMappedWriteGuard {
            access: this.access.map(f),
        }
    }

    /// Like [`map`](OwnedRwLockMappedWriteGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    pub fn try_map<V: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut U) -> Option<&mut V>,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, V>, Self> {
        match this.access.try_map(f) {
            Ok(access) => Ok(OwnedRwLockMappedWriteGuard { access }),
            Err(access) => Err(Self { access }),
        }
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockMappedWriteGuard<T, U> {
    type Target = U;

    fn deref(&self) -> &U {
        self.access.get()
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedRwLockMappedWriteGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        self.access.get_mut()
    }
}

guard_fmt!([T: ?Sized, U: ?Sized] OwnedRwLockMappedWriteGuard<T, U>);
