//! The borrowed write guards of a [`RwLock`]: [`RwLockWriteGuard`] and
//! [`RwLockMappedWriteGuard`]. Each holds all of the lock's permits.

use super::RwLockReadGuard;
use crate::sync::batch_semaphore::BatchSemaphore;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Exclusive write access to the value of a [`RwLock`](super::RwLock); released when
/// dropped.
///
/// Returned by [`RwLock::write`](super::RwLock::write) and
/// [`RwLock::try_write`](super::RwLock::try_write).
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    access: WriteAccess<'a, T>,
}

/// Exclusive write access to a part of a [`RwLock`](super::RwLock)'s value, made by
/// [`RwLockWriteGuard::map`]; released when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockMappedWriteGuard<'a, T: ?Sized> {
    access: WriteAccess<'a, T>,
}

/// What both write guards hold: the permits and where the (part of the) value is.
struct WriteAccess<'a, T: ?Sized> {
    semaphore: &'a BatchSemaphore,
    data: NonNull<T>,
    permits: u32,
    _data: PhantomData<&'a mut T>,
}

// SAFETY: the guards hand out `&mut T` (so sending one needs `T: Send`) and `&T` through
// `&self` (so sharing one needs `T: Sync`); releasing permits may happen on any thread.
unsafe impl<T: ?Sized + Send> Send for WriteAccess<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for WriteAccess<'_, T> {}

impl<'a, T: ?Sized> WriteAccess<'a, T> {
    /// Moves the permits to `data` without releasing them.
    fn retarget<U: ?Sized>(self, data: NonNull<U>) -> WriteAccess<'a, U> {
        let this = ManuallyDrop::new(self);
        WriteAccess {
            semaphore: this.semaphore,
            data,
            permits: this.permits,
            _data: PhantomData,
        }
    }

    /// Narrows the access to a part of the value, keeping the permits.
    fn map<U: ?Sized>(mut self, f: impl FnOnce(&mut T) -> &mut U) -> WriteAccess<'a, U> {
        let data = NonNull::from(f(self.get_mut()));
        self.retarget(data)
    }

    /// Like `map`, giving the access back unchanged if `f` declines.
    fn try_map<U: ?Sized>(
        mut self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<WriteAccess<'a, U>, Self> {
        match f(self.get_mut()).map(NonNull::from) {
            Some(data) => Ok(self.retarget(data)),
            None => Err(self),
        }
    }

    /// Gives back all permits but one, keeping read access to `data`.
    fn downgrade<U: ?Sized>(self, data: NonNull<U>) -> RwLockReadGuard<'a, U> {
        let this = ManuallyDrop::new(self);
        this.semaphore.release(this.permits as usize - 1);
        // SAFETY: one permit is kept for the read guard, and `data` points into the value.
        unsafe { RwLockReadGuard::new(this.semaphore, data) }
    }

    fn get(&self) -> &T {
        // SAFETY: all permits are held, so nobody else accesses the value.
        unsafe { self.data.as_ref() }
    }

    fn get_mut(&mut self) -> &mut T {
        // SAFETY: as in `get`, and `&mut self` makes this the only borrow.
        unsafe { self.data.as_mut() }
    }
}

impl<T: ?Sized> Drop for WriteAccess<'_, T> {
    fn drop(&mut self) {
        self.semaphore.release(self.permits as usize);
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// # Safety
    ///
    /// The caller has acquired `permits` (all) permits of `semaphore` and hands them to
    /// the guard, and `data` points to the value they protect.
    pub(super) unsafe fn new(
        semaphore: &'a BatchSemaphore,
        data: NonNull<T>,
        permits: u32,
    ) -> Self {
        RwLockWriteGuard {
            access: WriteAccess {
                semaphore,
                data,
                permits,
                _data: PhantomData,
            },
        }
    }

    /// Narrows the guard to a part of the value, keeping write access.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new((1, 2));
    /// *RwLockWriteGuard::map(lock.try_write().unwrap(), |p| &mut p.0) = 5;
    /// assert_eq!(*lock.try_read().unwrap(), (5, 2));
    /// ```
    pub fn map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> RwLockMappedWriteGuard<'a, U> {
        RwLockMappedWriteGuard {
            access: this.access.map(f),
        }
    }

    /// Like [`map`](RwLockWriteGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self> {
        match this.access.try_map(f) {
            Ok(access) => Ok(RwLockMappedWriteGuard { access }),
            Err(access) => Err(Self { access }),
        }
    }

    /// Turns the guard into a mapped guard of the whole value.
    pub fn into_mapped(this: Self) -> RwLockMappedWriteGuard<'a, T> {
        RwLockMappedWriteGuard {
            access: this.access,
        }
    }

    /// Turns write access into read access without letting another writer in between.
    /// Readers queued behind this writer are let in at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(1);
    /// let mut writer = lock.try_write().unwrap();
    /// *writer = 2;
    /// let reader = RwLockWriteGuard::downgrade(writer);
    /// assert_eq!(*reader, 2);
    /// assert!(lock.try_read().is_ok());
    /// assert!(lock.try_write().is_err());
    /// ```
    pub fn downgrade(this: Self) -> RwLockReadGuard<'a, T> {
        let data = this.access.data;
        this.access.downgrade(data)
    }

    /// Downgrades to read access to a part of the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new((1, 2));
    /// let second = RwLockWriteGuard::downgrade_map(lock.try_write().unwrap(), |p| &p.1);
    /// assert_eq!(*second, 2);
    /// ```
    pub fn downgrade_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&T) -> &U,
    ) -> RwLockReadGuard<'a, U> {
        let data = NonNull::from(f(this.access.get()));
        this.access.downgrade(data)
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.access.get()
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.access.get_mut()
    }
}

guard_fmt!(['a, T: ?Sized] RwLockWriteGuard<'a, T>);

impl<'a, T: ?Sized> RwLockMappedWriteGuard<'a, T> {
    /// Narrows the guard further.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new(((1, 2), 3));
    /// let inner = RwLockWriteGuard::map(lock.try_write().unwrap(), |v| &mut v.0);
    /// *RwLockMappedWriteGuard::map(inner, |v| &mut v.1) = 7;
    /// assert_eq!(*lock.try_read().unwrap(), ((1, 7), 3));
    /// ```
    pub fn map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> RwLockMappedWriteGuard<'a, U> {
        RwLockMappedWriteGuard {
            access: this.access.map(f),
        }
    }

    /// Like [`map`](RwLockMappedWriteGuard::map), but `f` may decline.
    ///
    /// # Errors
    ///
    /// The unchanged guard, if `f` returns `None`.
    pub fn try_map<U: ?Sized>(
        this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<RwLockMappedWriteGuard<'a, U>, Self> {
        match this.access.try_map(f) {
            Ok(access) => Ok(RwLockMappedWriteGuard { access }),
            Err(access) => Err(Self { access }),
        }
    }
}

impl<T: ?Sized> Deref for RwLockMappedWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.access.get()
    }
}

impl<T: ?Sized> DerefMut for RwLockMappedWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.access.get_mut()
    }
}

guard_fmt!(['a, T: ?Sized] RwLockMappedWriteGuard<'a, T>);
