//! The task state word: lifecycle bits and the reference count in one `AtomicUsize`.
//!
//! Every transition is a single atomic read-modify-write, so the bits and the count always
//! change together. The protocol these transitions implement is written out in
//! [`crate::task`]'s module docs; each function here names the rule it implements.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use std::fmt;

/// A thread is polling the future, or has claimed the task to cancel it. Whoever sets it
/// owns the `stage` field until it clears it.
const RUNNING: usize = 0b00_0001;
/// The future has finished (or was cancelled); `stage` holds the output or nothing.
const COMPLETE: usize = 0b00_0010;
/// The task is scheduled: a `Notified` reference sits in a run queue, or the poller will
/// reschedule it when the current poll ends.
const NOTIFIED: usize = 0b00_0100;
/// The task was aborted or its runtime is shutting down: its next poll cancels it.
const CANCELLED: usize = 0b00_1000;
/// The `JoinHandle` is alive and will read the output.
const JOIN_INTEREST: usize = 0b01_0000;
/// The join waker in the trailer is set and belongs to the runtime side, which may read it.
/// While it is clear, the `JoinHandle` has exclusive access to the join waker.
const JOIN_WAKER: usize = 0b10_0000;

const LIFECYCLE_MASK: usize = RUNNING | COMPLETE;
const STATE_MASK: usize = RUNNING | COMPLETE | NOTIFIED | CANCELLED | JOIN_INTEREST | JOIN_WAKER;
const REF_ONE: usize = (STATE_MASK + 1).next_power_of_two();
const REF_SHIFT: u32 = REF_ONE.trailing_zeros();
/// Counts above this abort the process: a reference leak would otherwise wrap the count.
const REF_MAX: usize = usize::MAX >> (REF_SHIFT + 1);

/// A new task: three references (the owner list's, the first `Notified`'s and the
/// `JoinHandle`'s), scheduled, with a live `JoinHandle`.
const INITIAL: usize = (REF_ONE * 3) | NOTIFIED | JOIN_INTEREST;

/// The atomic state of one task.
pub(crate) struct State {
    val: AtomicUsize,
}

/// A copy of the state word taken at one instant.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

/// What the caller of [`State::transition_to_running`] must do next.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToRunning {
    /// Poll the future.
    Success,
    /// Cancel the task: drop the future and complete it with a cancellation.
    Cancelled,
    /// Someone else is running or has finished the task; the caller's reference was
    /// released.
    Failed,
    /// As `Failed`, and that was the last reference: free the task.
    Dealloc,
}

/// What the poller must do after a poll returned `Pending`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToIdle {
    /// The task is idle; the poller's reference was released.
    Ok,
    /// Woken during the poll: the poller's reference is now a `Notified` to reschedule.
    OkNotified,
    /// The task is idle and that was the last reference: free it.
    OkDealloc,
    /// Aborted during the poll: the poller still owns the stage and must cancel the task.
    Cancelled,
}

/// What a waker must do after recording a wake-up.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToNotified {
    /// Nothing: the task is running, already scheduled, or complete.
    DoNothing,
    /// Push a `Notified` onto a run queue (its reference is already counted).
    Submit,
    /// Nothing to schedule and the caller held the last reference: free the task.
    Dealloc,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            val: AtomicUsize::new(INITIAL),
        }
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.val.load(Acquire))
    }

    /// Applies `f` until the compare-and-swap succeeds. `f` returns the action and, if the
    /// word should change, its new value.
    fn fetch_update_action<T>(&self, mut f: impl FnMut(Snapshot) -> (T, Option<Snapshot>)) -> T {
        let mut current = self.load();
        loop {
            let (action, next) = f(current);
            let Some(next) = next else { return action };
            match self
                .val
                .compare_exchange_weak(current.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return action,
                Err(actual) => current = Snapshot(actual),
            }
        }
    }

    /// Rule 2: a scheduler takes a `Notified` out of a queue and wants to poll it. Consumes
    /// NOTIFIED and sets RUNNING; if the task is already running or complete (a shutdown
    /// claimed it), releases the caller's reference instead.
    pub(crate) fn transition_to_running(&self) -> TransitionToRunning {
        self.fetch_update_action(|mut next| {
            debug_assert!(next.is_notified(), "polling a task that was not notified");
            if !next.is_idle() {
                next.ref_dec();
                let action = if next.ref_count() == 0 {
                    TransitionToRunning::Dealloc
                } else {
                    TransitionToRunning::Failed
                };
                return (action, Some(next));
            }
            next.0 = (next.0 | RUNNING) & !NOTIFIED;
            let action = if next.is_cancelled() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Success
            };
            (action, Some(next))
        })
    }

    /// Rule 3: the poll returned `Pending`. Clears RUNNING, and either releases the
    /// poller's reference or, if a wake-up arrived during the poll, keeps it for the
    /// rescheduled `Notified`. An abort during the poll keeps RUNNING set instead.
    pub(crate) fn transition_to_idle(&self) -> TransitionToIdle {
        self.fetch_update_action(|mut next| {
            debug_assert!(next.is_running());
            if next.is_cancelled() {
                return (TransitionToIdle::Cancelled, None);
            }
            next.0 &= !RUNNING;
            let action = if next.is_notified() {
                TransitionToIdle::OkNotified
            } else {
                next.ref_dec();
                if next.ref_count() == 0 {
                    TransitionToIdle::OkDealloc
                } else {
                    TransitionToIdle::Ok
                }
            };
            (action, Some(next))
        })
    }

    /// Rule 4: the future finished (or was dropped on cancellation) and its result is in
    /// the stage. RUNNING -> COMPLETE; returns the state just after.
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        let prev = Snapshot(self.val.fetch_xor(RUNNING | COMPLETE, AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete());
        Snapshot(prev.0 ^ (RUNNING | COMPLETE))
    }

    /// Rule 5, by value: a waker is consumed. Its reference either becomes the `Notified`
    /// to submit or is released.
    pub(crate) fn transition_to_notified_by_val(&self) -> TransitionToNotified {
        self.fetch_update_action(|mut next| {
            if next.is_running() {
                // The poller reschedules it and keeps its own reference for that.
                next.0 |= NOTIFIED;
                next.ref_dec();
                debug_assert!(next.ref_count() > 0, "the poller holds a reference");
                (TransitionToNotified::DoNothing, Some(next))
            } else if next.is_complete() || next.is_notified() {
                next.ref_dec();
                let action = if next.ref_count() == 0 {
                    TransitionToNotified::Dealloc
                } else {
                    TransitionToNotified::DoNothing
                };
                (action, Some(next))
            } else {
                next.0 |= NOTIFIED;
                (TransitionToNotified::Submit, Some(next))
            }
        })
    }

    /// Rule 5, by reference: a waker is used but kept. Submitting needs a new reference.
    pub(crate) fn transition_to_notified_by_ref(&self) -> TransitionToNotified {
        self.fetch_update_action(|mut next| {
            if next.is_complete() || next.is_notified() {
                (TransitionToNotified::DoNothing, None)
            } else if next.is_running() {
                next.0 |= NOTIFIED;
                (TransitionToNotified::DoNothing, Some(next))
            } else {
                next.0 |= NOTIFIED;
                next.ref_inc();
                (TransitionToNotified::Submit, Some(next))
            }
        })
    }

    /// Rule 6: abort. Sets CANCELLED; an idle task is also notified (with a new reference)
    /// so that its scheduler, on the thread that owns it, drops the future. Returns whether
    /// the caller must submit that `Notified`.
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.fetch_update_action(|mut next| {
            if next.is_cancelled() || next.is_complete() {
                (false, None)
            } else if next.is_running() || next.is_notified() {
                // The poller or the queued poll sees CANCELLED and cancels it.
                next.0 |= CANCELLED;
                (false, Some(next))
            } else {
                next.0 |= CANCELLED | NOTIFIED;
                next.ref_inc();
                (true, Some(next))
            }
        })
    }

    /// Rule 7: the runtime shuts the task down. Sets CANCELLED, and if the task is neither
    /// running nor complete, also RUNNING: the caller then owns the stage and must cancel
    /// the task. Returns whether it claimed the task.
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        self.fetch_update_action(|mut next| {
            let claim = next.is_idle();
            if claim {
                next.0 |= RUNNING;
            }
            next.0 |= CANCELLED;
            (claim, Some(next))
        })
    }

    /// Rule 8: the `JoinHandle` is dropped. Clears JOIN_INTEREST and, if the task is not
    /// complete, JOIN_WAKER too (handing the join waker back to the handle). Returns the
    /// state just after: if it is complete, the handle owns the output and must drop it;
    /// if JOIN_WAKER is clear, the handle must drop the join waker.
    pub(crate) fn transition_to_join_handle_dropped(&self) -> Snapshot {
        self.fetch_update_action(|mut next| {
            debug_assert!(next.is_join_interested());
            next.0 &= !JOIN_INTEREST;
            if !next.is_complete() {
                next.0 &= !JOIN_WAKER;
            }
            (next, Some(next))
        })
    }

    /// Rule 9: the `JoinHandle` stored a waker and hands it to the runtime side. Fails,
    /// leaving the state as it was, once the task is complete.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update_action(|mut next| {
            debug_assert!(next.is_join_interested() && !next.is_join_waker_set());
            if next.is_complete() {
                return (Err(next), None);
            }
            next.0 |= JOIN_WAKER;
            (Ok(next), Some(next))
        })
    }

    /// Rule 9: the `JoinHandle` takes its waker back to replace it. Fails once the task is
    /// complete (the runtime side may be reading the waker).
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update_action(|mut next| {
            debug_assert!(next.is_join_interested() && next.is_join_waker_set());
            if next.is_complete() {
                return (Err(next), None);
            }
            next.0 &= !JOIN_WAKER;
            (Ok(next), Some(next))
        })
    }

    /// Rule 4, after the join waker was woken: the runtime side gives the waker back.
    /// Returns the state just after; if JOIN_INTEREST is gone, the runtime side drops the
    /// waker.
    pub(crate) fn unset_join_waker_after_complete(&self) -> Snapshot {
        let prev = Snapshot(self.val.fetch_and(!JOIN_WAKER, AcqRel));
        debug_assert!(prev.is_complete() && prev.is_join_waker_set());
        Snapshot(prev.0 & !JOIN_WAKER)
    }

    /// Takes one more reference (a cloned waker, a new handle).
    pub(crate) fn ref_inc(&self) {
        // Relaxed suffices: the caller already holds a reference, so the task cannot be
        // freed concurrently, and no data is published by this increment.
        let prev = self.val.fetch_add(REF_ONE, Relaxed);
        if prev >> REF_SHIFT > REF_MAX {
            std::process::abort();
        }
    }

    /// Releases one reference; returns whether it was the last one.
    pub(crate) fn ref_dec(&self) -> bool {
        let prev = Snapshot(self.val.fetch_sub(REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= 1);
        prev.ref_count() == 1
    }
}

impl Snapshot {
    /// Neither running nor complete.
    pub(crate) fn is_idle(self) -> bool {
        self.0 & LIFECYCLE_MASK == 0
    }

    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }

    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }

    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }

    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }

    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }

    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }

    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }

    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }

    fn ref_dec(&mut self) {
        debug_assert!(self.ref_count() > 0);
        self.0 -= REF_ONE;
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interest", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("refs", &self.ref_count())
            .finish()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn new_task_is_notified_with_three_references() {
        let state = State::new();
        let s = state.load();
        assert!(s.is_notified() && s.is_join_interested() && s.is_idle());
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn wake_during_poll_keeps_the_pollers_reference_for_rescheduling() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        // A waker clone wakes by value while the task runs.
        state.ref_inc();
        assert_eq!(
            state.transition_to_notified_by_val(),
            TransitionToNotified::DoNothing
        );
        assert_eq!(state.transition_to_idle(), TransitionToIdle::OkNotified);
        let s = state.load();
        assert!(s.is_notified() && !s.is_running());
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn idle_task_woken_by_ref_takes_a_new_reference() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(state.transition_to_idle(), TransitionToIdle::Ok);
        assert_eq!(state.load().ref_count(), 2);
        assert_eq!(
            state.transition_to_notified_by_ref(),
            TransitionToNotified::Submit
        );
        assert_eq!(state.load().ref_count(), 3);
        // A second wake while queued does nothing.
        assert_eq!(
            state.transition_to_notified_by_ref(),
            TransitionToNotified::DoNothing
        );
    }

    #[test]
    fn abort_of_idle_task_schedules_it_and_poll_sees_cancel() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(state.transition_to_idle(), TransitionToIdle::Ok);
        assert!(state.transition_to_notified_and_cancel());
        assert!(!state.transition_to_notified_and_cancel());
        assert_eq!(
            state.transition_to_running(),
            TransitionToRunning::Cancelled
        );
    }

    #[test]
    fn shutdown_claims_idle_task_but_not_running_one() {
        let state = State::new();
        assert!(state.transition_to_shutdown());
        let state = State::new();
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        assert!(!state.transition_to_shutdown());
        assert_eq!(state.transition_to_idle(), TransitionToIdle::Cancelled);
    }

    #[test]
    fn join_waker_cannot_be_set_after_complete() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), TransitionToRunning::Success);
        let after = state.transition_to_complete();
        assert!(after.is_complete() && !after.is_running());
        assert!(state.set_join_waker().is_err());
        let dropped = state.transition_to_join_handle_dropped();
        assert!(dropped.is_complete() && !dropped.is_join_interested());
    }
}
