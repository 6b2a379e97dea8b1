//! Wakers collected under a primitive's lock, to be woken after it is released.
//!
//! Waking runs the executor's code, which may be slow or may even try to take the same
//! lock again, so no primitive wakes while holding its mutex. The first
//! [`INLINE`](WakeList::INLINE) wakers are kept on the stack; only a release that frees more
//! waiters than that at once (a `notify_waiters` on a crowd) spills into a `Vec`.

use std::mem::MaybeUninit;
use std::task::Waker;

/// A batch of wakers to wake once the lock is released.
///
/// Creating one writes nothing (the inline slots are uninitialized) and dropping one
/// touches only the slots in use, so the common batch of one or two wakers, built on every
/// I/O event, costs a few instructions rather than clearing and scanning every slot.
pub(crate) struct WakeList {
    /// Slots `..len` hold wakers; the rest are uninitialized.
    inline: [MaybeUninit<Waker>; WakeList::INLINE],
    len: usize,
    spilled: Vec<Waker>,
}

impl WakeList {
    /// How many wakers fit without allocating.
    pub(crate) const INLINE: usize = 32;

    pub(crate) fn new() -> WakeList {
        WakeList {
            inline: [const { MaybeUninit::uninit() }; WakeList::INLINE],
            len: 0,
            spilled: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, waker: Waker) {
        if self.len < Self::INLINE {
            self.inline[self.len].write(waker);
            self.len += 1;
        } else {
            self.spilled.push(waker);
        }
    }

    /// Whether the inline part is full: a caller that must not allocate (the drivers)
    /// wakes the batch and starts a new one.
    pub(crate) fn is_full(&self) -> bool {
        self.len == Self::INLINE
    }

    /// Wakes every collected waker, oldest first, and leaves the list empty for reuse.
    /// It takes `&mut self` so that a batch is never moved (the list is over 500 bytes).
    pub(crate) fn wake_all(&mut self) {
        // Take the wakers out first, so that a panicking waker leaves no slot that `drop`
        // would drop a second time.
        let len = std::mem::take(&mut self.len);
        for slot in &mut self.inline[..len] {
            // SAFETY: slots `..len` were initialized by `push` and, with `len` reset, are
            // read exactly once here.
            let waker = unsafe { slot.assume_init_read() };
            waker.wake();
        }
        for waker in self.spilled.drain(..) {
            waker.wake();
        }
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        for slot in &mut self.inline[..self.len] {
            // SAFETY: slots `..len` hold wakers that were not taken by `wake_all`.
            unsafe { slot.assume_init_drop() };
        }
    }
}

impl std::fmt::Debug for WakeList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WakeList")
            .field("len", &(self.len + self.spilled.len()))
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct CountWakes(AtomicUsize);

    impl Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn wakes_every_waker_including_spilled_ones() {
        let count = Arc::new(CountWakes(AtomicUsize::new(0)));
        let mut list = WakeList::new();
        for _ in 0..WakeList::INLINE + 5 {
            list.push(Waker::from(count.clone()));
        }
        list.wake_all();
        assert_eq!(count.0.load(Ordering::SeqCst), WakeList::INLINE + 5);
        // Emptied, and usable again.
        list.push(Waker::from(count.clone()));
        list.wake_all();
        list.wake_all();
        assert_eq!(count.0.load(Ordering::SeqCst), WakeList::INLINE + 6);
        assert_eq!(Arc::strong_count(&count), 1, "every waker was consumed");
    }
}
