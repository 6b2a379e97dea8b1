//! A timer's shared state: whether it fired, and the waker to call when it does.
//!
//! Protocol: the driver fires a timer by setting `fired`, then taking the waker under
//! its lock. A poller checks `fired`, stores its waker under the lock, and checks
//! `fired` again before returning `Pending`; so one of the two always sees the other.
//! Everything else about a timer (whether it is in the wheel, its key) is guarded by the
//! wheel's lock.
//!
//! [`TimerEntry`] is the owner's side, what `Sleep` wraps: it registers lazily, on the
//! first poll, and deregisters (O(1)) when dropped.

use super::handle::Registered;
use super::wheel::Key;
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::{Arc, Mutex};
use crate::runtime::{context, scheduler};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// The part of a timer the wheel and the `Sleep` share.
#[derive(Debug)]
pub(crate) struct TimerShared {
    fired: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl TimerShared {
    pub(crate) fn new() -> TimerShared {
        TimerShared {
            fired: AtomicBool::new(false),
            waker: Mutex::new(None),
        }
    }

    /// Marks the timer fired and returns its waker, to be woken outside any lock.
    pub(crate) fn fire(&self) -> Option<Waker> {
        self.fired.store(true, Release);
        self.waker.lock().take()
    }

    /// Re-arms a fired timer (the wheel lock is held: nobody fires it meanwhile).
    pub(crate) fn rearm(&self) {
        self.fired.store(false, Release);
    }

    pub(crate) fn is_fired(&self) -> bool {
        self.fired.load(Acquire)
    }

    /// Ready once fired; otherwise `cx`'s waker is stored.
    pub(crate) fn poll_fired(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_fired() {
            return Poll::Ready(());
        }
        let mut waker = self.waker.lock();
        match &*waker {
            Some(current) if current.will_wake(cx.waker()) => {}
            _ => *waker = Some(cx.waker().clone()),
        }
        if self.is_fired() {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

/// One timer, as its owner sees it.
pub(crate) struct TimerEntry {
    handle: scheduler::Handle,
    deadline: Instant,
    /// Created at the first poll.
    shared: Option<Arc<TimerShared>>,
    /// Where the timer sits in the wheel, while it does.
    key: Option<Key>,
}

impl TimerEntry {
    /// A timer for `deadline` on the current runtime; nothing is registered yet.
    ///
    /// # Panics
    ///
    /// Outside a runtime, or on one built without `enable_time`.
    #[track_caller]
    pub(crate) fn new(deadline: Instant) -> TimerEntry {
        let handle = context::with_current(|handle| handle.clone());
        if handle.driver().time().is_none() {
            panic!("{}", super::TIME_DISABLED);
        }
        TimerEntry {
            handle,
            deadline,
            shared: None,
            key: None,
        }
    }

    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the timer has fired (a timer never polled has not).
    pub(crate) fn is_elapsed(&self) -> bool {
        self.shared.as_ref().is_some_and(|shared| shared.is_fired())
    }

    /// Moves the deadline; a registered timer is moved in the wheel at once.
    pub(crate) fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        if let Some(shared) = self.shared.clone() {
            self.register(&shared);
        }
    }

    /// Ready once the deadline has passed.
    ///
    /// # Panics
    ///
    /// If the timer's runtime has shut down.
    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let shared = match &self.shared {
            Some(shared) => shared.clone(),
            None => {
                let shared = Arc::new(TimerShared::new());
                self.shared = Some(shared.clone());
                self.register(&shared);
                shared
            }
        };
        let poll = shared.poll_fired(cx);
        if poll.is_ready() && self.time().is_shutdown() {
            panic!(
                "the Kairos runtime that owns this timer has shut down; timers cannot \
                 outlive their runtime"
            );
        }
        poll
    }

    fn register(&mut self, shared: &Arc<TimerShared>) {
        let driver = self.handle.driver();
        let time = driver.time().expect("checked in `new`");
        let now = driver.clock().now();
        let registered = time.register(shared, self.key.take(), self.deadline, now, || {
            driver.unpark()
        });
        self.key = match registered {
            Registered::Waiting(key) => Some(key),
            Registered::Fired => None,
        };
    }

    fn time(&self) -> &super::Handle {
        self.handle.driver().time().expect("checked in `new`")
    }
}

impl Drop for TimerEntry {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.time().deregister(key);
        }
    }
}

impl std::fmt::Debug for TimerEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerEntry")
            .field("deadline", &self.deadline)
            .field("registered", &self.key.is_some())
            .finish()
    }
}
