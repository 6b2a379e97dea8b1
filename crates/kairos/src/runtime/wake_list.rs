//! `WakeList`: wakers collected under a lock and woken after it is released.
//!
//! Waking runs foreign code (any executor's waker), which may take the same lock again
//! (dropping a socket, re-arming a timer). Drivers therefore take wakers out under their
//! lock into this fixed-size list, release the lock, then wake; when the list fills up they
//! release, wake, and take the lock again.

use std::task::Waker;

const CAPACITY: usize = 32;

/// Up to 32 wakers, woken together without a heap allocation.
pub(crate) struct WakeList {
    wakers: [Option<Waker>; CAPACITY],
    len: usize,
}

impl WakeList {
    pub(crate) fn new() -> WakeList {
        WakeList {
            wakers: [const { None }; CAPACITY],
            len: 0,
        }
    }

    /// Whether another waker fits.
    pub(crate) fn can_push(&self) -> bool {
        self.len < CAPACITY
    }

    /// Adds a waker. The caller checks [`can_push`](Self::can_push) first.
    pub(crate) fn push(&mut self, waker: Waker) {
        debug_assert!(self.can_push(), "wake list overflow");
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Wakes and removes every waker.
    pub(crate) fn wake_all(&mut self) {
        for slot in &mut self.wakers[..self.len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
        self.len = 0;
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        // Wakers left behind (a panic between collecting and waking) are woken rather than
        // lost, so their tasks still run.
        self.wake_all();
    }
}
