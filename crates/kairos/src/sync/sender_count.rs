//! Counting a channel's senders: strong ones keep it open, weak ones only keep its memory.
//! Shared by `mpsc`, `broadcast` and `watch`, whose last strong sender closes the channel.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// Strong and weak sender counts of one channel.
#[derive(Debug)]
pub(crate) struct SenderCount {
    strong: AtomicUsize,
    weak: AtomicUsize,
}

impl SenderCount {
    /// Counts for a channel created with one strong sender.
    pub(crate) fn one() -> SenderCount {
        SenderCount {
            strong: AtomicUsize::new(1),
            weak: AtomicUsize::new(0),
        }
    }

    /// Counts a clone of a live strong sender.
    pub(crate) fn add_strong(&self) {
        self.strong.fetch_add(1, Ordering::Relaxed);
    }

    /// Uncounts a strong sender; returns whether it was the last (the channel closes).
    #[must_use = "the last sender must close the channel"]
    pub(crate) fn remove_strong(&self) -> bool {
        self.strong.fetch_sub(1, Ordering::AcqRel) == 1
    }

    /// Counts a new strong sender made from a weak one, unless none is left (the channel
    /// is closed for good then). Returns whether it was counted.
    pub(crate) fn upgrade(&self) -> bool {
        let mut count = self.strong.load(Ordering::Acquire);
        loop {
            if count == 0 {
                return false;
            }
            match self.strong.compare_exchange_weak(
                count,
                count + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(actual) => count = actual,
            }
        }
    }

    pub(crate) fn add_weak(&self) {
        self.weak.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn remove_weak(&self) {
        self.weak.fetch_sub(1, Ordering::AcqRel);
    }

    pub(crate) fn strong(&self) -> usize {
        self.strong.load(Ordering::Acquire)
    }

    pub(crate) fn weak(&self) -> usize {
        self.weak.load(Ordering::Acquire)
    }
}
