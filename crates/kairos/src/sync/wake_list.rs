//! Wakers collected under a primitive's lock, to be woken after it is released.
//!
//! Waking runs the executor's code, which may be slow or may even try to take the same
//! lock again, so no primitive wakes while holding its mutex. The first
//! [`INLINE`](WakeList::INLINE) wakers are kept on the stack; only a release that frees more
//! waiters than that at once (a `notify_waiters` on a crowd) spills into a `Vec`.

use std::task::Waker;

/// A batch of wakers to wake once the lock is released.
#[derive(Debug)]
pub(crate) struct WakeList {
    inline: [Option<Waker>; WakeList::INLINE],
    len: usize,
    spilled: Vec<Waker>,
}

impl WakeList {
    /// How many wakers fit without allocating.
    pub(crate) const INLINE: usize = 32;

    pub(crate) fn new() -> WakeList {
        WakeList {
            inline: [const { None }; WakeList::INLINE],
            len: 0,
            spilled: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, waker: Waker) {
        if self.len < Self::INLINE {
            self.inline[self.len] = Some(waker);
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

    /// Wakes every collected waker, oldest first.
    pub(crate) fn wake_all(mut self) {
        for slot in &mut self.inline[..self.len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
        for waker in self.spilled.drain(..) {
            waker.wake();
        }
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
    }
}
