//! The fair semaphore under every permit-based primitive: [`Semaphore`](super::Semaphore),
//! [`Mutex`](super::Mutex), [`RwLock`](super::RwLock), the bounded `mpsc` channel's
//! capacity and [`OnceCell`](super::OnceCell)'s initialisation.
//!
//! A waiter may ask for several permits at once (a `RwLock` writer asks for all of them).
//! Waiters are served strictly in arrival order: permits released while someone waits go
//! to the oldest waiter, even partially, so a large request is never starved by a stream
//! of small ones.
//!
//! # The protocol
//!
//! `state` packs the available permits with two flags:
//!
//! ```text
//!  bit 0    CLOSED   no new acquisition succeeds; queued waiters are woken with an error
//!  bit 1    WAITERS  the wait list is not empty
//!  rest              available permits (at most MAX_PERMITS)
//! ```
//!
//! 1. WAITERS is set and cleared only with the wait-list lock held, in the same step that
//!    makes the list non-empty or empty, so (under the lock) WAITERS == "list not empty".
//! 2. While WAITERS is set the permit count is zero: a waiter that queues takes whatever
//!    was left as a partial assignment, in the same compare-and-swap that sets WAITERS,
//!    and a release hands permits to the queued waiters before any go back to the count.
//! 3. So the lock-free paths are only taken when nobody waits: `try_acquire` and the first
//!    poll of `acquire` take permits by compare-and-swap only while WAITERS is clear (which
//!    keeps newcomers behind queued waiters), and a release adds to the count directly only
//!    while WAITERS is clear. Otherwise they take the lock. A compare-and-swap that races
//!    with a waiter queueing fails and retries, so no release can slip past a waiter
//!    unseen: no lost wake-up.
//! 4. A queued waiter's payload counts the permits it still misses. Releasers lower it
//!    under the lock; the one that brings it to zero unlinks the waiter first and stores
//!    the zero last (the wait list's hand-off rule), so the waiter may see it without the
//!    lock and complete.
//! 5. A waiter dropped before it completes unlinks itself and releases the permits it had
//!    been given (all of them, if the hand-off was complete), passing them to the next
//!    waiters: cancelling never loses a permit.
//! 6. `close` sets CLOSED, then pops every waiter; a popped waiter that still misses
//!    permits fails with [`AcquireError`] and gives back its partial assignment.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;
use crate::sync::wait_list::{WaitList, Waiter};
use crate::sync::wake_list::WakeList;
use crate::task::coop;
use std::fmt;
use std::future::Future;
use std::ops::DerefMut;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

const CLOSED: usize = 0b01;
const WAITERS: usize = 0b10;
const PERMIT_SHIFT: u32 = 2;

/// The most permits a semaphore can hold (the state word keeps two flag bits, and one bit
/// of headroom makes overflow checks simple).
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

/// A fair, batch-acquiring semaphore (see the module docs for its protocol).
pub(crate) struct BatchSemaphore {
    state: AtomicUsize,
    /// Each waiter's payload is the number of permits it still misses.
    waiters: Mutex<WaitList<AtomicUsize>>,
}

/// The error of an acquisition on a closed semaphore.
///
/// Returned by [`Semaphore::acquire`](super::Semaphore::acquire) and its variants after
/// [`Semaphore::close`](super::Semaphore::close).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcquireError(());

/// The error of a `try_acquire*` call on a [`Semaphore`](super::Semaphore).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// Not enough permits were available, or other tasks were queued ahead.
    NoPermits,
}

impl BatchSemaphore {
    /// A semaphore holding `permits` permits.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`].
    pub(crate) fn new(permits: usize) -> BatchSemaphore {
        assert_permits(permits);
        BatchSemaphore {
            state: AtomicUsize::new(permits << PERMIT_SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// As [`new`](Self::new), usable in constants and statics.
    #[cfg(not(loom))]
    pub(crate) const fn const_new(permits: usize) -> BatchSemaphore {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore holds at most MAX_PERMITS permits"
        );
        BatchSemaphore {
            state: AtomicUsize::new(permits << PERMIT_SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// A semaphore that is already closed and holds no permits (an initialised `OnceCell`).
    pub(crate) fn new_closed() -> BatchSemaphore {
        BatchSemaphore {
            state: AtomicUsize::new(CLOSED),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// As [`new_closed`](Self::new_closed), usable in constants and statics.
    #[cfg(not(loom))]
    pub(crate) const fn const_new_closed() -> BatchSemaphore {
        BatchSemaphore {
            state: AtomicUsize::new(CLOSED),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    pub(crate) fn available_permits(&self) -> usize {
        self.state.load(Ordering::Acquire) >> PERMIT_SHIFT
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Waits for `permits` permits. Awaiting it charges the task's cooperative budget.
    pub(crate) fn acquire(&self, permits: usize) -> Acquire<'_> {
        assert_permits(permits);
        Acquire {
            semaphore: self,
            waiter: Waiter::new(AtomicUsize::new(0)),
            permits,
            stage: Stage::Idle,
        }
    }

    /// Takes `permits` permits if they are available and nobody is queued for them.
    pub(crate) fn try_acquire(&self, permits: usize) -> Result<(), TryAcquireError> {
        assert_permits(permits);
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            // Rule 3: never jump the queue.
            if state & WAITERS != 0 || state >> PERMIT_SHIFT < permits {
                return Err(TryAcquireError::NoPermits);
            }
            match self.state.compare_exchange_weak(
                state,
                state - (permits << PERMIT_SHIFT),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => state = actual,
            }
        }
    }

    /// Gives `permits` permits back (or adds new ones), serving queued waiters first.
    ///
    /// # Panics
    ///
    /// If the semaphore would hold more than [`MAX_PERMITS`].
    pub(crate) fn release(&self, permits: usize) {
        if permits == 0 {
            return;
        }
        assert_permits(permits);
        let mut state = self.state.load(Ordering::Acquire);
        while state & WAITERS == 0 {
            let available = state >> PERMIT_SHIFT;
            assert!(
                permits <= MAX_PERMITS - available,
                "a semaphore cannot hold more than {MAX_PERMITS} permits"
            );
            match self.state.compare_exchange_weak(
                state,
                state + (permits << PERMIT_SHIFT),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => state = actual,
            }
        }
        self.release_locked(permits, self.waiters.lock());
    }

    /// Removes up to `permits` available permits for good; returns how many it removed.
    pub(crate) fn forget_permits(&self, permits: usize) -> usize {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let taken = permits.min(state >> PERMIT_SHIFT);
            if taken == 0 {
                return 0;
            }
            match self.state.compare_exchange_weak(
                state,
                state - (taken << PERMIT_SHIFT),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return taken,
                Err(actual) => state = actual,
            }
        }
    }

    /// Closes the semaphore and wakes every waiter with an error (rule 6).
    pub(crate) fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        let mut waiters = self.waiters.lock();
        let mut wakers = WakeList::new();
        while let Some(((), waker)) = waiters.pop_front_with(|_| ()) {
            if let Some(waker) = waker {
                wakers.push(waker);
            }
        }
        // Rule 1: the list is empty now.
        self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        drop(waiters);
        wakers.wake_all();
    }

    /// Hands `permits` to queued waiters, oldest first, and returns the rest to the count
    /// (rules 2 and 4). Consumes the lock guard so that waking happens after unlocking.
    fn release_locked(
        &self,
        mut permits: usize,
        mut waiters: impl DerefMut<Target = WaitList<AtomicUsize>>,
    ) {
        let mut wakers = WakeList::new();
        while permits > 0 {
            let Some(missing) = waiters.front_with(|missing| missing.load(Ordering::Relaxed))
            else {
                break;
            };
            if missing <= permits {
                permits -= missing;
                let popped = waiters.pop_front_with(|missing| missing.store(0, Ordering::Release));
                if let Some(((), Some(waker))) = popped {
                    wakers.push(waker);
                }
            } else {
                waiters.front_with(|left| left.store(missing - permits, Ordering::Relaxed));
                permits = 0;
            }
        }
        if waiters.is_empty() {
            // Return the rest and clear WAITERS in one step (rules 1 and 2). Only CLOSED
            // can change under us when WAITERS was set, but it may have been clear (the
            // list emptied before we locked), so this is a compare-and-swap loop.
            let mut state = self.state.load(Ordering::Acquire);
            loop {
                let available = state >> PERMIT_SHIFT;
                assert!(
                    permits <= MAX_PERMITS - available,
                    "a semaphore cannot hold more than {MAX_PERMITS} permits"
                );
                let next = ((available + permits) << PERMIT_SHIFT) | (state & CLOSED);
                match self.state.compare_exchange_weak(
                    state,
                    next,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => break,
                    Err(actual) => state = actual,
                }
            }
        }
        drop(waiters);
        wakers.wake_all();
    }
}

#[track_caller]
fn assert_permits(permits: usize) {
    assert!(
        permits <= MAX_PERMITS,
        "a semaphore holds at most {MAX_PERMITS} permits, {permits} were asked for"
    );
}

impl fmt::Debug for BatchSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.load(Ordering::Relaxed);
        f.debug_struct("BatchSemaphore")
            .field("permits", &(state >> PERMIT_SHIFT))
            .field("closed", &(state & CLOSED != 0))
            .field("waiters", &(state & WAITERS != 0))
            .finish()
    }
}

/// Where an [`Acquire`] is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Not polled yet, or polled without getting to the queue (budget spent).
    Idle,
    /// Queued (or popped with its permits, or popped by `close`).
    Queued,
    /// Returned `Ready`: the permits, if any, belong to the caller now.
    Done,
}

/// The future of [`BatchSemaphore::acquire`]: resolves once all the permits are assigned.
pub(crate) struct Acquire<'a> {
    semaphore: &'a BatchSemaphore,
    /// Structurally pinned: linked into the semaphore's wait list while `Queued`.
    waiter: Waiter<AtomicUsize>,
    permits: usize,
    stage: Stage,
}

impl BatchSemaphore {
    /// The first attempt of an [`Acquire`]: lock-free if nobody waits, else queue behind
    /// the others. Returns `Pending` only once `waiter` is queued.
    fn poll_first(
        &self,
        permits: usize,
        waiter: Pin<&Waiter<AtomicUsize>>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        let semaphore = self;
        let mut state = semaphore.state.load(Ordering::Acquire);
        while state & CLOSED == 0 && state & WAITERS == 0 && state >> PERMIT_SHIFT >= permits {
            match semaphore.state.compare_exchange_weak(
                state,
                state - (permits << PERMIT_SHIFT),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Poll::Ready(Ok(())),
                Err(actual) => state = actual,
            }
        }
        let mut waiters = semaphore.waiters.lock();
        let mut state = semaphore.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return Poll::Ready(Err(AcquireError(())));
            }
            let available = state >> PERMIT_SHIFT;
            // Under the lock, WAITERS implies no permits (rule 2), so this only succeeds
            // when nobody is queued.
            let (next, taken) = if available >= permits {
                (state - (permits << PERMIT_SHIFT), permits)
            } else {
                (WAITERS, available)
            };
            match semaphore.state.compare_exchange_weak(
                state,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) if taken == permits => return Poll::Ready(Ok(())),
                Ok(_) => {
                    waiter.value().store(permits - taken, Ordering::Relaxed);
                    // SAFETY: the waiter is pinned inside this future, not linked yet, and
                    // `Drop` unlinks it under this lock before it goes away (Stage::Queued).
                    unsafe { waiters.push_back(waiter, Some(cx.waker())) };
                    return Poll::Pending;
                }
                Err(actual) => state = actual,
            }
        }
    }
}

impl Acquire<'_> {
    /// Later attempts: done once the missing count reached zero.
    fn poll_queued(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), AcquireError>> {
        // Rule 4: a zero is published last, so seeing it means nobody touches the node.
        if self.waiter.value().load(Ordering::Acquire) == 0 {
            return Poll::Ready(Ok(()));
        }
        let mut waiters = self.semaphore.waiters.lock();
        let missing = self.waiter.value().load(Ordering::Acquire);
        if missing == 0 {
            return Poll::Ready(Ok(()));
        }
        // SAFETY: this waiter only ever joins this semaphore's list.
        if unsafe { waiters.update_waker(&self.waiter, cx.waker()) } {
            return Poll::Pending;
        }
        // Popped while still missing permits: only `close` does that (rule 6). Give back
        // the partial assignment.
        self.semaphore
            .release_locked(self.permits - missing, waiters);
        Poll::Ready(Err(AcquireError(())))
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `waiter` is structurally pinned and never moved out; the other fields
        // are plain data that is never pinned.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(
            this.stage != Stage::Done,
            "`Acquire` polled after completion"
        );
        let coop = ready!(coop::poll_proceed(cx));
        let result = match this.stage {
            Stage::Idle => {
                // SAFETY: `this` lives in pinned memory, so its field does too.
                let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
                let result = this.semaphore.poll_first(this.permits, waiter, cx);
                if result.is_pending() {
                    this.stage = Stage::Queued;
                }
                result
            }
            Stage::Queued => this.poll_queued(cx),
            Stage::Done => unreachable!(),
        };
        let result = ready!(result);
        this.stage = Stage::Done;
        coop.made_progress();
        Poll::Ready(result)
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if self.stage != Stage::Queued {
            return;
        }
        // Rule 5: unlink, and pass on whatever permits were already ours.
        let mut waiters = self.semaphore.waiters.lock();
        // SAFETY: this waiter only ever joins this semaphore's list.
        unsafe { waiters.remove(&self.waiter) };
        let missing = self.waiter.value().load(Ordering::Acquire);
        self.semaphore
            .release_locked(self.permits - missing, waiters);
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("permits", &self.permits)
            .field("stage", &self.stage)
            .finish()
    }
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}
