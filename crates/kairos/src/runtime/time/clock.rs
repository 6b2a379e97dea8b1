//! The runtime's clock: real time, or a paused clock that tests move by hand.
//!
//! A clock that was never paused reads `std::time::Instant::now()` with one relaxed load
//! in front. Once paused (`Builder::start_paused`, `kairos::time::pause`), it keeps
//! `base`, the time it shows, and `unfrozen`, the real instant it last resumed (`None`
//! while paused): it shows `base` while paused and `base + unfrozen.elapsed()` while
//! running. `advance` adds to `base`; the time driver advances it on its own to the next
//! timer when the runtime has nothing else to do, unless blocking work is in flight
//! (`inhibit_auto_advance`), whose result could make a task runnable before the timer.

use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use crate::loom::sync::Mutex;
use std::time::{Duration, Instant};

/// A runtime's clock.
pub(crate) struct Clock {
    /// Set once the clock has been paused: from then on `now` takes the lock.
    is_virtual: AtomicBool,
    state: Mutex<State>,
    /// Blocking tasks in flight while paused: auto-advance waits for them.
    inhibit_auto_advance: AtomicUsize,
}

struct State {
    base: Instant,
    /// The real instant the clock last resumed; `None` while paused.
    unfrozen: Option<Instant>,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Clock {
        let now = Instant::now();
        Clock {
            is_virtual: AtomicBool::new(start_paused),
            state: Mutex::new(State {
                base: now,
                unfrozen: (!start_paused).then_some(now),
            }),
            inhibit_auto_advance: AtomicUsize::new(0),
        }
    }

    /// The time the clock shows.
    pub(crate) fn now(&self) -> Instant {
        if !self.is_virtual.load(Relaxed) {
            return Instant::now();
        }
        let state = self.state.lock();
        match state.unfrozen {
            Some(unfrozen) => state.base + unfrozen.elapsed(),
            None => state.base,
        }
    }

    /// Whether the clock is paused.
    pub(crate) fn is_paused(&self) -> bool {
        self.is_virtual.load(Relaxed) && self.state.lock().unfrozen.is_none()
    }

    /// Stops the clock.
    ///
    /// # Errors
    ///
    /// If it is already paused.
    pub(crate) fn pause(&self) -> Result<(), &'static str> {
        let mut state = self.state.lock();
        let Some(unfrozen) = state.unfrozen else {
            return Err("time is already paused");
        };
        state.base += unfrozen.elapsed();
        state.unfrozen = None;
        self.is_virtual.store(true, Relaxed);
        Ok(())
    }

    /// Lets the clock follow real time again, from where it stands.
    ///
    /// # Errors
    ///
    /// If it is not paused.
    pub(crate) fn resume(&self) -> Result<(), &'static str> {
        let mut state = self.state.lock();
        if state.unfrozen.is_some() {
            return Err("time is not paused");
        }
        state.unfrozen = Some(Instant::now());
        Ok(())
    }

    /// Moves a paused clock forward by `duration`.
    ///
    /// # Errors
    ///
    /// If it is not paused.
    pub(crate) fn advance(&self, duration: Duration) -> Result<(), &'static str> {
        let mut state = self.state.lock();
        if state.unfrozen.is_some() {
            return Err("time is not paused");
        }
        state.base += duration;
        Ok(())
    }

    /// Whether the time driver may jump a paused clock to the next timer.
    pub(crate) fn can_auto_advance(&self) -> bool {
        self.inhibit_auto_advance.load(Acquire) == 0
    }

    /// Counts a blocking task in flight, if the clock is paused; the returned flag says
    /// whether to call [`allow_auto_advance`](Self::allow_auto_advance) when it ends.
    pub(crate) fn inhibit_auto_advance(&self) -> bool {
        if !self.is_virtual.load(Relaxed) {
            return false;
        }
        self.inhibit_auto_advance.fetch_add(1, AcqRel);
        true
    }

    /// A blocking task counted by `inhibit_auto_advance` ended.
    pub(crate) fn allow_auto_advance(&self) {
        self.inhibit_auto_advance.fetch_sub(1, AcqRel);
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("paused", &self.is_paused())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_paused_clock_moves_only_when_advanced() {
        let clock = Clock::new(true);
        let start = clock.now();
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_secs(5)).unwrap();
        assert_eq!(clock.now(), start + Duration::from_secs(5));
        assert!(clock.pause().is_err());
        clock.resume().unwrap();
        assert!(clock.now() >= start + Duration::from_secs(5));
        assert!(clock.advance(Duration::from_secs(1)).is_err());
        clock.pause().unwrap();
        let paused_at = clock.now();
        assert_eq!(clock.now(), paused_at);
    }

    #[test]
    fn blocking_work_inhibits_auto_advance_only_while_paused() {
        let real = Clock::new(false);
        assert!(!real.inhibit_auto_advance());
        let paused = Clock::new(true);
        assert!(paused.inhibit_auto_advance());
        assert!(!paused.can_auto_advance());
        paused.allow_auto_advance();
        assert!(paused.can_auto_advance());
    }
}
