//! A slot written at most once and then read without locking: the storage of
//! [`OnceCell`](super::OnceCell) and [`SetOnce`](super::SetOnce), which differ only in how
//! they decide who writes it and how others wait for that.

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use std::mem::MaybeUninit;

/// `set` is false until the value is written, true after (until `take`); readers that see
/// true (acquire) see the value the writer stored before setting it (release).
pub(crate) struct OnceSlot<T> {
    set: AtomicBool,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: the value is written once by one thread and then only read through `&T` (which
// needs `T: Sync` to share and `T: Send` to have been moved in from another thread).
unsafe impl<T: Send + Sync> Sync for OnceSlot<T> {}
// SAFETY: sending the slot sends the value.
unsafe impl<T: Send> Send for OnceSlot<T> {}

impl<T> OnceSlot<T> {
    pub(crate) fn new() -> OnceSlot<T> {
        OnceSlot {
            set: AtomicBool::new(false),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    pub(crate) fn with_value(value: T) -> OnceSlot<T> {
        OnceSlot {
            set: AtomicBool::new(true),
            value: UnsafeCell::new(MaybeUninit::new(value)),
        }
    }

    #[cfg(not(loom))]
    pub(crate) const fn const_new() -> OnceSlot<T> {
        OnceSlot {
            set: AtomicBool::new(false),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    #[cfg(not(loom))]
    pub(crate) const fn const_with_value(value: T) -> OnceSlot<T> {
        OnceSlot {
            set: AtomicBool::new(true),
            value: UnsafeCell::new(MaybeUninit::new(value)),
        }
    }

    pub(crate) fn is_set(&self) -> bool {
        self.set.load(Ordering::Acquire)
    }

    pub(crate) fn get(&self) -> Option<&T> {
        if self.is_set() {
            // SAFETY: the value was written before `set` became true (release/acquire),
            // and is never written again while shared.
            Some(
                self.value
                    .with(|value| unsafe { (*value).assume_init_ref() }),
            )
        } else {
            None
        }
    }

    /// Stores `value` and publishes it; returns a reference to it.
    ///
    /// # Safety
    ///
    /// The slot is not set, and the caller holds the exclusive right to write it (the
    /// primitive's permit or lock), so nobody reads or writes the value concurrently.
    pub(crate) unsafe fn write(&self, value: T) -> &T {
        // SAFETY: guaranteed by the caller.
        self.value.with_mut(|slot| unsafe { (*slot).write(value) });
        self.set.store(true, Ordering::Release);
        self.get().expect("just set")
    }

    pub(crate) fn get_mut(&mut self) -> Option<&mut T> {
        if self.is_set() {
            // SAFETY: set, and `&mut self` excludes every other access.
            Some(
                self.value
                    .with_mut(|value| unsafe { (*value).assume_init_mut() }),
            )
        } else {
            None
        }
    }

    /// Takes the value out, leaving the slot unset.
    pub(crate) fn take(&mut self) -> Option<T> {
        if !self.is_set() {
            return None;
        }
        self.set.store(false, Ordering::Relaxed);
        // SAFETY: it was set, `&mut self` excludes other accesses, and clearing `set`
        // first makes sure it is not read or dropped again.
        Some(
            self.value
                .with(|value| unsafe { (*value).assume_init_read() }),
        )
    }
}

impl<T> Drop for OnceSlot<T> {
    fn drop(&mut self) {
        drop(self.take());
    }
}
