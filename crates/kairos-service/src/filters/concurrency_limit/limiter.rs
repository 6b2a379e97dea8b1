//! The counter and the fair wait queue behind [`ConcurrencyLimit`](super::ConcurrencyLimit).
//!
//! # Protocol
//!
//! `counts` (under a mutex) holds `in_flight` (permits taken) and `waiting` (calls queued
//! on `notify`). The rules, all applied with the mutex held:
//!
//! 1. *Take*: a call takes a permit (`in_flight += 1`) only if one is free **and nobody
//!    waits**, so new calls never overtake the queue.
//! 2. *Queue*: otherwise it counts itself in `waiting` and enables its `Notified` in the same
//!    critical section. So `waiting` always equals the number of enabled, not yet notified
//!    `Notified`s in `notify`'s list, and `notify_one` always finds one (it never stores a
//!    permit of its own).
//! 3. *Release*: a finished call hands its permit to the oldest waiter (`waiting -= 1`,
//!    `notify_one`, `in_flight` unchanged) if there is one, else frees it (`in_flight -= 1`).
//!    The waiter's wake-up *is* the permit.
//! 4. *Leave*: a queued call that is dropped checks, with the mutex held, whether it was
//!    handed a permit (`enable` returns true): if so it releases that permit (rule 3); if
//!    not it uncounts itself (`waiting -= 1`) and unlinks its `Notified`, still under the
//!    mutex, so no release can pick it in between.

use kairos::sync::{Notified, Notify};
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A concurrency limiter with a first-come, first-served queue.
#[derive(Debug)]
pub(crate) struct Limiter {
    max: usize,
    counts: Mutex<Counts>,
    notify: Notify,
}

#[derive(Debug, Default)]
struct Counts {
    in_flight: usize,
    waiting: usize,
}

/// What [`Limiter::enqueue`] did.
pub(crate) enum Enqueued<'a> {
    /// A permit was free after all.
    Acquired(Permit<'a>),
    /// The call is queued: its `Notified` completes when it is handed a permit.
    Queued,
}

impl Limiter {
    pub(crate) fn new(max: usize) -> Limiter {
        Limiter {
            max,
            counts: Mutex::new(Counts::default()),
            notify: Notify::new(),
        }
    }

    fn counts(&self) -> MutexGuard<'_, Counts> {
        // The critical sections only do arithmetic and `Notify` calls, which do not
        // panic; a poisoned lock still holds consistent counts.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Rule 1.
    pub(crate) fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut counts = self.counts();
        self.take(&mut counts)
    }

    fn take(&self, counts: &mut Counts) -> Option<Permit<'_>> {
        if counts.waiting == 0 && counts.in_flight < self.max {
            counts.in_flight += 1;
            Some(Permit { limiter: self })
        } else {
            None
        }
    }

    /// A `Notified` to queue with; pass it, pinned, to [`enqueue`](Self::enqueue).
    pub(crate) fn notified(&self) -> Notified<'_> {
        self.notify.notified()
    }

    /// Rules 1 and 2.
    pub(crate) fn enqueue<'a>(&'a self, notified: Pin<&mut Notified<'a>>) -> Enqueued<'a> {
        let mut counts = self.counts();
        if let Some(permit) = self.take(&mut counts) {
            return Enqueued::Acquired(permit);
        }
        counts.waiting += 1;
        let notified_already = notified.enable();
        debug_assert!(!notified_already, "rule 2: `notify` never stores a permit");
        Enqueued::Queued
    }

    /// Rule 3, for the permit of a call that was woken by `notify` (it holds one now).
    pub(crate) fn handed_over(&self) -> Permit<'_> {
        Permit { limiter: self }
    }

    /// Rule 4: a queued call leaves. The caller drops its `Notified` before the returned
    /// guard (the lock).
    #[must_use = "the `Notified` must be dropped while the lock is held"]
    pub(crate) fn leave<'a>(&'a self, notified: Pin<&mut Notified<'a>>) -> impl Drop + 'a {
        let mut counts = self.counts();
        if notified.enable() {
            self.release_locked(&mut counts);
        } else {
            counts.waiting -= 1;
        }
        counts
    }

    fn release_locked(&self, counts: &mut Counts) {
        if counts.waiting > 0 {
            counts.waiting -= 1;
            self.notify.notify_one();
        } else {
            counts.in_flight -= 1;
        }
    }

    /// Whether a call now would wait.
    pub(crate) fn is_saturated(&self) -> bool {
        let counts = self.counts();
        counts.waiting > 0 || counts.in_flight >= self.max
    }

    pub(crate) fn max(&self) -> usize {
        self.max
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.counts().in_flight
    }
}

/// One call's permit; dropping it applies rule 3.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    limiter: &'a Limiter,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut counts = self.limiter.counts();
        self.limiter.release_locked(&mut counts);
    }
}
