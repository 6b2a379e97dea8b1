//! [`Notify`]: wake one task or all of them, without sending data.
//!
//! # The protocol
//!
//! `state` packs a two-bit mode with a counter of `notify_waiters` calls:
//!
//! ```text
//!  bits 0-1  EMPTY     no waiter, no stored permit
//!            WAITING   the wait list is not empty
//!            NOTIFIED  no waiter, one stored permit (a `notify_one` nobody took yet)
//!  rest      how many times `notify_waiters` was called (wrapping)
//! ```
//!
//! 1. EMPTY <-> NOTIFIED may change without the lock (`notify_one` stores a permit, a new
//!    `Notified` takes it), by compare-and-swap. Entering or leaving WAITING happens only
//!    under the lock, in the same critical section that makes the list non-empty or empty,
//!    and nothing changes the mode while it is WAITING without the lock. So under the lock,
//!    WAITING == "the list is not empty".
//! 2. `notify_one` / `notify_last` on EMPTY or NOTIFIED store the permit (at most one is
//!    kept). On WAITING they take the lock and pop the oldest (newest) waiter, marking it
//!    notified in its payload as the very last access (the wait list's hand-off rule).
//! 3. `notify_waiters` takes the lock, bumps the counter, and pops every waiter, marking
//!    them notified; it leaves a stored permit alone.
//! 4. A `Notified` remembers the counter when it is created. Its first poll completes if
//!    the counter moved since (a `notify_waiters` it must see), or if it can take a stored
//!    permit; otherwise it queues under the lock, re-checking both first.
//! 5. A queued `Notified` completes once its payload says notified (no lock needed). One
//!    dropped after it received a `notify_one`/`notify_last` but before completing passes
//!    the notification on, as if that call were made again: nothing is lost.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Mutex;
use crate::sync::wait_list::{WaitList, Waiter};
use crate::sync::wake_list::WakeList;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

const EMPTY: usize = 0;
const WAITING: usize = 1;
const NOTIFIED: usize = 2;
const MODE_MASK: usize = 0b11;
const CALL_ONE: usize = 0b100;

/// A waiter's payload: how it was notified.
const NOT_NOTIFIED: usize = 0;
const BY_ONE_OLDEST: usize = 1;
const BY_ONE_NEWEST: usize = 2;
const BY_ALL: usize = 3;

/// Which waiter a single notification goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pick {
    Oldest,
    Newest,
}

/// Wakes tasks waiting for an event, without carrying data.
///
/// A task waits with [`notified().await`](Notify::notified). [`notify_one`](Notify::notify_one)
/// wakes the task that has waited longest, or, if none waits, stores a single permit that
/// the next `notified()` consumes at once (so a notification sent just before the wait is
/// not lost). [`notify_waiters`](Notify::notify_waiters) wakes every task waiting at that
/// moment and stores nothing.
///
/// `Notify` works under any executor: it only uses the wakers it is polled with.
///
/// # Examples
///
/// ```
/// use kairos::sync::Notify;
/// use std::sync::Arc;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let notify = Arc::new(Notify::new());
/// let notify2 = notify.clone();
/// let waiter = kairos::spawn(async move {
///     notify2.notified().await;
///     "woken"
/// });
/// notify.notify_one();
/// assert_eq!(waiter.await.unwrap(), "woken");
/// # });
/// ```
pub struct Notify {
    state: AtomicUsize,
    /// Each waiter's payload is how it was notified.
    waiters: Mutex<WaitList<AtomicUsize>>,
}

impl Notify {
    /// Creates a `Notify` with no stored permit.
    pub fn new() -> Notify {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// Creates a `Notify` in a constant context, for a `static`.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Notify;
    ///
    /// static SHUTDOWN: Notify = Notify::const_new();
    /// SHUTDOWN.notify_one();
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Notify {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// A future that completes when this `Notify` is notified.
    ///
    /// It completes after a [`notify_one`](Notify::notify_one) or
    /// [`notify_last`](Notify::notify_last) picks it (or if a permit is stored when it is
    /// first polled), or after any [`notify_waiters`](Notify::notify_waiters) call made
    /// *after this method returned*, even if the future was not polled yet. To be picked
    /// by `notify_one` before the first poll, call [`Notified::enable`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a `Notified` dropped after a `notify_one` picked it passes the
    /// notification on to the next waiter (or stores it as the permit).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Notify;
    ///
    /// # futures::executor::block_on(async {
    /// let notify = Notify::new();
    /// notify.notify_one(); // stored as a permit
    /// notify.notified().await; // consumes it without waiting
    /// # });
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            wait: Wait::new(self),
        }
    }

    /// As [`notified`](Self::notified), but the future holds an `Arc` of the `Notify`
    /// instead of borrowing it, so it can be moved into a spawned task or stored.
    ///
    /// # Cancel safety
    ///
    /// As for [`notified`](Self::notified).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Notify;
    /// use std::sync::Arc;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = Arc::new(Notify::new());
    /// let notified = notify.clone().notified_owned();
    /// let waiter = kairos::spawn(notified);
    /// notify.notify_one();
    /// waiter.await.unwrap();
    /// # });
    /// ```
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        OwnedNotified {
            wait: Wait::new(self),
        }
    }

    /// Wakes the task that has waited longest, or stores a permit if none waits.
    ///
    /// At most one permit is stored: several calls with nobody waiting wake one future.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Notify;
    /// use std::sync::Arc;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let notify = Arc::new(Notify::new());
    /// let task = kairos::spawn({
    ///     let notify = notify.clone();
    ///     async move { notify.notified().await }
    /// });
    /// notify.notify_one();
    /// task.await.unwrap();
    /// # });
    /// ```
    pub fn notify_one(&self) {
        self.notify(Pick::Oldest);
    }

    /// Wakes the task that started waiting most recently, or stores a permit if none
    /// waits.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Notify;
    /// use std::pin::pin;
    ///
    /// let notify = Notify::new();
    /// let mut first = pin!(notify.notified());
    /// let mut second = pin!(notify.notified());
    /// first.as_mut().enable();
    /// second.as_mut().enable();
    /// notify.notify_last();
    /// assert!(second.as_mut().enable()); // the newest waiter was picked
    /// assert!(!first.as_mut().enable());
    /// ```
    pub fn notify_last(&self) {
        self.notify(Pick::Newest);
    }

    /// Wakes every task waiting right now, and every `Notified` created before this call.
    /// Stores no permit: later waiters are not affected.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Notify;
    ///
    /// # futures::executor::block_on(async {
    /// let notify = Notify::new();
    /// let a = notify.notified();
    /// let b = notify.notified();
    /// notify.notify_waiters();
    /// a.await; // both see the call made after they were created
    /// b.await;
    /// # });
    /// ```
    pub fn notify_waiters(&self) {
        let mut waiters = self.waiters.lock();
        let state = self.state.load(SeqCst);
        if state & MODE_MASK != WAITING {
            // Rule 3: only bump the counter; a concurrent lock-free EMPTY <-> NOTIFIED
            // change keeps its effect because `fetch_add` leaves the mode bits alone.
            self.state.fetch_add(CALL_ONE, SeqCst);
            return;
        }
        let mut wakers = WakeList::new();
        while let Some(((), waker)) = waiters.pop_front_with(|how| how.store(BY_ALL, SeqCst)) {
            if let Some(waker) = waker {
                wakers.push(waker);
            }
        }
        // Nothing changes a WAITING state without the lock (rule 1).
        self.state
            .store((state & !MODE_MASK).wrapping_add(CALL_ONE) | EMPTY, SeqCst);
        drop(waiters);
        wakers.wake_all();
    }

    fn notify(&self, pick: Pick) {
        let mut state = self.state.load(SeqCst);
        while state & MODE_MASK != WAITING {
            let stored = (state & !MODE_MASK) | NOTIFIED;
            match self.state.compare_exchange(state, stored, SeqCst, SeqCst) {
                Ok(_) => return,
                Err(actual) => state = actual,
            }
        }
        let mut waiters = self.waiters.lock();
        let waker = self.notify_locked(&mut waiters, pick);
        drop(waiters);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Delivers one notification with the lock held (rule 2): to a waiter if any, else as
    /// the stored permit. Returns the waker to wake after unlocking.
    fn notify_locked(&self, waiters: &mut WaitList<AtomicUsize>, pick: Pick) -> Option<Waker> {
        let mut state = self.state.load(SeqCst);
        loop {
            if state & MODE_MASK == WAITING {
                let how = match pick {
                    Pick::Oldest => BY_ONE_OLDEST,
                    Pick::Newest => BY_ONE_NEWEST,
                };
                let publish = |notified: &AtomicUsize| notified.store(how, SeqCst);
                let popped = match pick {
                    Pick::Oldest => waiters.pop_front_with(publish),
                    Pick::Newest => waiters.pop_back_with(publish),
                };
                let ((), waker) = popped.expect("WAITING with an empty wait list");
                if waiters.is_empty() {
                    self.state.store(state & !MODE_MASK | EMPTY, SeqCst);
                }
                return waker;
            }
            let stored = (state & !MODE_MASK) | NOTIFIED;
            match self.state.compare_exchange(state, stored, SeqCst, SeqCst) {
                Ok(_) => return None,
                Err(actual) => state = actual,
            }
        }
    }
}

impl Default for Notify {
    fn default() -> Notify {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.state.load(SeqCst) & MODE_MASK {
            EMPTY => "empty",
            WAITING => "waiting",
            _ => "notified",
        };
        f.debug_struct("Notify").field("state", &mode).finish()
    }
}

/// Where a [`Notified`] is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Not queued yet.
    Init,
    /// Linked into the wait list, or popped by a notifier.
    Waiting,
    /// Completed: the notification was consumed.
    Done,
}

/// The future returned by [`Notify::notified`].
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    /// Structurally pinned.
    wait: Wait<&'a Notify>,
}

/// The future returned by [`Notify::notified_owned`]: a [`Notified`] that holds an `Arc`
/// of its `Notify`.
#[must_use = "futures do nothing unless polled"]
pub struct OwnedNotified {
    /// Structurally pinned.
    wait: Wait<Arc<Notify>>,
}

impl<'a> Notified<'a> {
    /// Queues this future for notifications without polling it, so a
    /// [`notify_one`](Notify::notify_one) can pick it before its first poll. Returns
    /// whether it is already notified (its next poll then completes at once).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Notify;
    /// use std::pin::pin;
    ///
    /// let notify = Notify::new();
    /// let mut notified = pin!(notify.notified());
    /// assert!(!notified.as_mut().enable());
    /// notify.notify_one(); // picks the enabled future, stores no permit
    /// assert!(notified.as_mut().enable());
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.wait().poll_notified(None).is_ready()
    }

    fn wait(self: Pin<&mut Self>) -> Pin<&mut Wait<&'a Notify>> {
        // SAFETY: `wait` is structurally pinned: never moved out, and `Notified` has no
        // `Drop` or `Unpin` of its own.
        unsafe { self.map_unchecked_mut(|this| &mut this.wait) }
    }
}

impl OwnedNotified {
    /// As [`Notified::enable`].
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::sync::Notify;
    /// use std::pin::pin;
    /// use std::sync::Arc;
    ///
    /// let notify = Arc::new(Notify::new());
    /// let mut notified = pin!(notify.clone().notified_owned());
    /// assert!(!notified.as_mut().enable());
    /// notify.notify_one();
    /// assert!(notified.as_mut().enable());
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.wait().poll_notified(None).is_ready()
    }

    fn wait(self: Pin<&mut Self>) -> Pin<&mut Wait<Arc<Notify>>> {
        // SAFETY: as for `Notified::wait`.
        unsafe { self.map_unchecked_mut(|this| &mut this.wait) }
    }
}

/// A wait on a `Notify` reached through `N` (a borrow or an `Arc`): the state of a
/// [`Notified`] or an [`OwnedNotified`].
struct Wait<N: Deref<Target = Notify>> {
    notify: N,
    /// Structurally pinned: linked into the wait list while `Waiting`.
    waiter: Waiter<AtomicUsize>,
    /// The `notify_waiters` counter (mode bits clear) when this was created.
    calls: usize,
    stage: Stage,
}

impl<N: Deref<Target = Notify>> Wait<N> {
    fn new(notify: N) -> Wait<N> {
        let calls = notify.state.load(SeqCst) & !MODE_MASK;
        Wait {
            notify,
            waiter: Waiter::new(AtomicUsize::new(NOT_NOTIFIED)),
            calls,
            stage: Stage::Init,
        }
    }

    fn poll_notified(self: Pin<&mut Self>, waker: Option<&Waker>) -> Poll<()> {
        // SAFETY: `waiter` is structurally pinned and never moved out; the other fields
        // are plain data that is never pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let ready = match this.stage {
            Stage::Init => {
                // SAFETY: `this` lives in pinned memory, so its field does too.
                let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
                let ready = poll_init(&this.notify, waiter, this.calls, waker);
                if !ready {
                    this.stage = Stage::Waiting;
                }
                ready
            }
            Stage::Waiting => this.poll_waiting(waker),
            Stage::Done => true,
        };
        if ready {
            this.stage = Stage::Done;
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Rule 5: done once the payload says notified.
    fn poll_waiting(&mut self, waker: Option<&Waker>) -> bool {
        if self.waiter.value().load(SeqCst) != NOT_NOTIFIED {
            return true;
        }
        let mut waiters = self.notify.waiters.lock();
        if self.waiter.value().load(SeqCst) != NOT_NOTIFIED {
            return true;
        }
        if let Some(waker) = waker {
            // SAFETY: this waiter only ever joins this `Notify`'s list.
            let linked = unsafe { waiters.update_waker(&self.waiter, waker) };
            debug_assert!(linked, "a waiter is only unlinked when notified");
        }
        false
    }
}

/// Rule 4: the first poll. Returns whether the future is notified; if not, it was queued.
fn poll_init(
    notify: &Notify,
    waiter: Pin<&Waiter<AtomicUsize>>,
    calls: usize,
    waker: Option<&Waker>,
) -> bool {
    let mut state = notify.state.load(SeqCst);
    loop {
        if state & !MODE_MASK != calls {
            return true;
        }
        if state & MODE_MASK != NOTIFIED {
            break;
        }
        match notify
            .state
            .compare_exchange(state, state & !MODE_MASK | EMPTY, SeqCst, SeqCst)
        {
            Ok(_) => return true,
            Err(actual) => state = actual,
        }
    }
    let mut waiters = notify.waiters.lock();
    let mut state = notify.state.load(SeqCst);
    loop {
        if state & !MODE_MASK != calls {
            return true;
        }
        let (next, ready) = match state & MODE_MASK {
            NOTIFIED => (state & !MODE_MASK | EMPTY, true),
            EMPTY => (state & !MODE_MASK | WAITING, false),
            _ => break,
        };
        match notify.state.compare_exchange(state, next, SeqCst, SeqCst) {
            Ok(_) if ready => return true,
            Ok(_) => break,
            Err(actual) => state = actual,
        }
    }
    // SAFETY: the waiter is pinned in its `Wait`, not linked yet, and the `Wait` unlinks
    // it under this lock in `Drop` (stage `Waiting`) before it goes away.
    unsafe { waiters.push_back(waiter, waker) };
    false
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.wait().poll_notified(Some(cx.waker()))
    }
}

impl Future for OwnedNotified {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.wait().poll_notified(Some(cx.waker()))
    }
}

impl<N: Deref<Target = Notify>> Drop for Wait<N> {
    fn drop(&mut self) {
        if self.stage != Stage::Waiting {
            return;
        }
        let notify = &*self.notify;
        let mut waiters = notify.waiters.lock();
        // SAFETY: this waiter only ever joins this `Notify`'s list.
        let was_linked = unsafe { waiters.remove(&self.waiter) };
        if was_linked && waiters.is_empty() {
            // Rule 1: the mode is WAITING and only changes under the lock.
            let state = notify.state.load(SeqCst);
            notify.state.store(state & !MODE_MASK | EMPTY, SeqCst);
        }
        // Rule 5: pass on a single notification this future received but never used.
        let waker = match self.waiter.value().load(SeqCst) {
            BY_ONE_OLDEST => notify.notify_locked(&mut waiters, Pick::Oldest),
            BY_ONE_NEWEST => notify.notify_locked(&mut waiters, Pick::Newest),
            _ => None,
        };
        drop(waiters);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("stage", &self.wait.stage)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OwnedNotified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedNotified")
            .field("stage", &self.wait.stage)
            .finish_non_exhaustive()
    }
}
