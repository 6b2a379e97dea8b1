//! One timer, as its owner (`Sleep`) sees it: registered lazily, on the first poll, and
//! deregistered (O(1)) when dropped. The timer's waker lives in its wheel node (see
//! `handle.rs`), so a timer allocates nothing of its own.

use super::handle::Registered;
use super::wheel::Key;
use crate::runtime::{context, scheduler};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

/// One timer, as its owner sees it.
pub(crate) struct TimerEntry {
    handle: scheduler::Handle,
    deadline: Instant,
    state: State,
}

/// Where a timer stands, as far as its owner knows.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Not in the wheel: never polled, or reset after it fired.
    Unregistered,
    /// In the wheel under this key, until the driver fires it (the key then goes stale).
    Waiting(Key),
    /// Seen fired.
    Fired,
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
            state: State::Unregistered,
        }
    }

    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the timer has fired (a timer never polled has not).
    pub(crate) fn is_elapsed(&self) -> bool {
        match self.state {
            State::Unregistered => false,
            State::Waiting(key) => !self.time().is_waiting(key),
            State::Fired => true,
        }
    }

    /// Moves the deadline; a registered timer is moved in the wheel at once, keeping its
    /// waker. One that fired registers again when next polled.
    pub(crate) fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        self.state = match self.state {
            State::Waiting(key) => self.register(Some(key), None),
            State::Unregistered | State::Fired => State::Unregistered,
        };
    }

    /// Ready once the deadline has passed.
    ///
    /// # Panics
    ///
    /// If the timer's runtime has shut down.
    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.state = match self.state {
            State::Unregistered => self.register(None, Some(cx.waker())),
            State::Waiting(key) if self.time().poll_waiting(key, cx.waker()) => {
                return Poll::Pending;
            }
            State::Waiting(_) | State::Fired => State::Fired,
        };
        match self.state {
            State::Fired if self.time().is_shutdown() => panic!(
                "the Kairos runtime that owns this timer has shut down; timers cannot \
                 outlive their runtime"
            ),
            State::Fired => Poll::Ready(()),
            State::Unregistered | State::Waiting(_) => Poll::Pending,
        }
    }

    /// Registers the timer for its deadline in place of `old`, holding `waker` (or the
    /// old registration's waker).
    fn register(&self, old: Option<Key>, waker: Option<&Waker>) -> State {
        let driver = self.handle.driver();
        let time = driver.time().expect("checked in `new`");
        match time.register(old, waker, self.deadline, || driver.unpark()) {
            Registered::Waiting(key) => State::Waiting(key),
            Registered::Fired => State::Fired,
        }
    }

    fn time(&self) -> &super::Handle {
        self.handle.driver().time().expect("checked in `new`")
    }
}

impl Drop for TimerEntry {
    fn drop(&mut self) {
        if let State::Waiting(key) = self.state {
            self.time().deregister(key);
        }
    }
}

impl std::fmt::Debug for TimerEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerEntry")
            .field("deadline", &self.deadline)
            .field("state", &self.state)
            .finish()
    }
}
