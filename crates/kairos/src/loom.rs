//! The one place the runtime imports atomics, cells, `Arc`, `Mutex`, `RwLock`, `Condvar` and
//! threads from. Under `--cfg loom` every item switches to the loom model checker's version,
//! so the concurrency protocols built on them can be explored exhaustively (see the `loom_*`
//! test modules that sit beside the code they model).
//!
//! `Arc` is `std`'s in both builds: reference counting needs no model checking, and only
//! `std::sync::Arc` converts into a `Waker` (`std::task::Wake`), which handles rely on.
//!
//! Two small differences from `std` keep call sites clean:
//! - [`sync::Mutex::lock`] ignores poisoning: a panic while holding one of the runtime's locks
//!   never leaves the protected data half-updated (every critical section is panic-free), so a
//!   poisoned lock is still consistent.
//! - [`cell::UnsafeCell`] exposes loom's closure API (`with`, `with_mut`) on both builds, so
//!   every access to shared mutable state is visible to the checker.

#[cfg(not(loom))]
mod imp {
    pub(crate) mod sync {
        pub(crate) use std::sync::{Arc, RwLockReadGuard};

        pub(crate) mod atomic {
            pub(crate) use std::sync::atomic::{
                AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering,
            };
        }

        /// A mutex whose `lock` cannot fail (see the module docs on poisoning).
        #[derive(Debug, Default)]
        pub(crate) struct Mutex<T: ?Sized>(std::sync::Mutex<T>);

        impl<T> Mutex<T> {
            pub(crate) const fn new(value: T) -> Self {
                Mutex(std::sync::Mutex::new(value))
            }
        }

        impl<T: ?Sized> Mutex<T> {
            pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, T> {
                self.0.lock().unwrap_or_else(|poison| poison.into_inner())
            }

            pub(crate) fn try_lock(&self) -> Option<std::sync::MutexGuard<'_, T>> {
                match self.0.try_lock() {
                    Ok(guard) => Some(guard),
                    Err(std::sync::TryLockError::Poisoned(poison)) => Some(poison.into_inner()),
                    Err(std::sync::TryLockError::WouldBlock) => None,
                }
            }
        }

        /// A condition variable paired with [`Mutex`]; waits ignore poisoning as `lock` does.
        #[derive(Debug, Default)]
        pub(crate) struct Condvar(std::sync::Condvar);

        impl Condvar {
            pub(crate) const fn new() -> Self {
                Condvar(std::sync::Condvar::new())
            }

            pub(crate) fn wait<'a, T>(
                &self,
                guard: std::sync::MutexGuard<'a, T>,
            ) -> std::sync::MutexGuard<'a, T> {
                self.0
                    .wait(guard)
                    .unwrap_or_else(|poison| poison.into_inner())
            }

            pub(crate) fn wait_timeout<'a, T>(
                &self,
                guard: std::sync::MutexGuard<'a, T>,
                timeout: std::time::Duration,
            ) -> (std::sync::MutexGuard<'a, T>, bool) {
                let (guard, result) = self
                    .0
                    .wait_timeout(guard, timeout)
                    .unwrap_or_else(|poison| poison.into_inner());
                (guard, result.timed_out())
            }

            pub(crate) fn notify_one(&self) {
                self.0.notify_one();
            }

            pub(crate) fn notify_all(&self) {
                self.0.notify_all();
            }
        }

        /// A reader-writer lock whose `read` and `write` cannot fail (see the module docs on
        /// poisoning).
        #[derive(Debug, Default)]
        pub(crate) struct RwLock<T>(std::sync::RwLock<T>);

        impl<T> RwLock<T> {
            pub(crate) const fn new(value: T) -> Self {
                RwLock(std::sync::RwLock::new(value))
            }

            pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, T> {
                self.0.read().unwrap_or_else(|poison| poison.into_inner())
            }

            pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, T> {
                self.0.write().unwrap_or_else(|poison| poison.into_inner())
            }
        }
    }

    pub(crate) mod cell {
        /// `std::cell::UnsafeCell` with loom's closure-based API.
        #[derive(Debug, Default)]
        pub(crate) struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

        impl<T> UnsafeCell<T> {
            pub(crate) const fn new(value: T) -> Self {
                UnsafeCell(std::cell::UnsafeCell::new(value))
            }

            pub(crate) fn into_inner(self) -> T {
                self.0.into_inner()
            }
        }

        impl<T: ?Sized> UnsafeCell<T> {
            #[inline(always)]
            pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
                f(self.0.get())
            }

            #[inline(always)]
            pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
                f(self.0.get())
            }
        }
    }

    /// A spin-loop hint; under loom a yield so the checker can schedule the other threads.
    #[inline(always)]
    pub(crate) fn spin_loop() {
        std::hint::spin_loop();
    }
}

#[cfg(loom)]
mod imp {
    pub(crate) mod sync {
        pub(crate) use loom::sync::RwLockReadGuard;
        pub(crate) use std::sync::Arc;

        pub(crate) mod atomic {
            pub(crate) use loom::sync::atomic::{
                AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering,
            };
        }

        /// Loom's mutex with `std`-like poisoning-free `lock`.
        #[derive(Debug, Default)]
        pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

        impl<T> Mutex<T> {
            pub(crate) fn new(value: T) -> Self {
                Mutex(loom::sync::Mutex::new(value))
            }

            pub(crate) fn lock(&self) -> loom::sync::MutexGuard<'_, T> {
                self.0.lock().unwrap_or_else(|poison| poison.into_inner())
            }

            pub(crate) fn try_lock(&self) -> Option<loom::sync::MutexGuard<'_, T>> {
                self.0.try_lock().ok()
            }
        }

        /// Loom's condition variable.
        #[derive(Debug, Default)]
        pub(crate) struct Condvar(loom::sync::Condvar);

        impl Condvar {
            pub(crate) fn new() -> Self {
                Condvar(loom::sync::Condvar::new())
            }

            pub(crate) fn wait<'a, T>(
                &self,
                guard: loom::sync::MutexGuard<'a, T>,
            ) -> loom::sync::MutexGuard<'a, T> {
                self.0
                    .wait(guard)
                    .unwrap_or_else(|poison| poison.into_inner())
            }

            pub(crate) fn wait_timeout<'a, T>(
                &self,
                guard: loom::sync::MutexGuard<'a, T>,
                timeout: std::time::Duration,
            ) -> (loom::sync::MutexGuard<'a, T>, bool) {
                let (guard, result) = self
                    .0
                    .wait_timeout(guard, timeout)
                    .unwrap_or_else(|poison| poison.into_inner());
                (guard, result.timed_out())
            }

            pub(crate) fn notify_one(&self) {
                self.0.notify_one();
            }

            pub(crate) fn notify_all(&self) {
                self.0.notify_all();
            }
        }

        /// Loom's reader-writer lock with `std`-like poisoning-free `read` and `write`.
        #[derive(Debug, Default)]
        pub(crate) struct RwLock<T>(loom::sync::RwLock<T>);

        impl<T> RwLock<T> {
            pub(crate) fn new(value: T) -> Self {
                RwLock(loom::sync::RwLock::new(value))
            }

            pub(crate) fn read(&self) -> loom::sync::RwLockReadGuard<'_, T> {
                self.0.read().unwrap_or_else(|poison| poison.into_inner())
            }

            pub(crate) fn write(&self) -> loom::sync::RwLockWriteGuard<'_, T> {
                self.0.write().unwrap_or_else(|poison| poison.into_inner())
            }
        }
    }

    pub(crate) mod cell {
        pub(crate) use loom::cell::UnsafeCell;
    }

    pub(crate) fn spin_loop() {
        loom::thread::yield_now();
    }
}

pub(crate) use imp::*;
