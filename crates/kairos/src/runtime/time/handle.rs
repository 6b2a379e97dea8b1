//! The time driver's shared side: the wheel behind its lock, and the conversions between
//! instants and the wheel's millisecond ticks.

use super::entry::TimerShared;
use super::wheel::{Key, Wheel};
use crate::loom::sync::{Arc, Mutex};
use crate::sync::wake_list::WakeList;
use std::time::{Duration, Instant};

/// What timers and the parking thread share.
pub(crate) struct Handle {
    state: Mutex<State>,
    /// The instant of tick 0.
    origin: Instant,
}

struct State {
    wheel: Wheel<Arc<TimerShared>>,
    /// The tick at which the thread parked on the driver will wake on its own
    /// (`u64::MAX`: only when unparked); 0 while nobody is parked. A timer registered
    /// for an earlier tick unparks it.
    parked_until: u64,
    is_shutdown: bool,
}

/// How a registration ended.
pub(crate) enum Registered {
    /// In the wheel under this key.
    Waiting(Key),
    /// Due already: fired on the spot.
    Fired,
}

impl Handle {
    pub(crate) fn new(origin: Instant) -> Handle {
        Handle {
            state: Mutex::new(State {
                wheel: Wheel::new(),
                parked_until: 0,
                is_shutdown: false,
            }),
            origin,
        }
    }

    /// The first tick at or after `deadline`: a timer fires once the clock's tick reaches
    /// it, so never before `deadline`.
    fn deadline_tick(&self, deadline: Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.origin);
        let millis = since.as_millis() + u128::from(since.subsec_nanos() % 1_000_000 != 0);
        u64::try_from(millis).unwrap_or(u64::MAX)
    }

    /// The tick `now` falls in.
    fn now_tick(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.origin).as_millis()).unwrap_or(u64::MAX)
    }

    /// Puts `timer` in the wheel for `deadline`, first taking out its previous
    /// registration `old`, if any; `unpark` is called if the parked driver must wake
    /// earlier than planned. A deadline that is not after `now` fires at once.
    pub(crate) fn register(
        &self,
        timer: &Arc<TimerShared>,
        old: Option<Key>,
        deadline: Instant,
        now: Instant,
        unpark: impl FnOnce(),
    ) -> Registered {
        let tick = self.deadline_tick(deadline);
        let mut state = self.state.lock();
        if let Some(old) = old {
            state.wheel.remove(old);
        }
        timer.rearm();
        if deadline <= now {
            drop(state);
            timer.fire();
            return Registered::Fired;
        }
        if state.is_shutdown {
            drop(state);
            timer.fire();
            return Registered::Fired;
        }
        match state.wheel.insert(tick, timer.clone()) {
            Ok(key) => {
                let wake_driver = tick < state.parked_until;
                if wake_driver {
                    state.parked_until = tick;
                }
                drop(state);
                if wake_driver {
                    unpark();
                }
                Registered::Waiting(key)
            }
            Err(timer) => {
                drop(state);
                // Fired by its own poller, whose waker is not stored yet: nothing to wake.
                timer.fire();
                Registered::Fired
            }
        }
    }

    /// Cancels a timer: O(1). A stale key (the timer fired) removes nothing.
    pub(crate) fn deregister(&self, key: Key) {
        self.state.lock().wheel.remove(key);
    }

    /// The parking thread is about to wait: the earliest tick a timer needs it at, as a
    /// wait from `now`. `None`: no timers.
    pub(crate) fn park_begin(&self, now: Instant) -> Option<Duration> {
        let mut state = self.state.lock();
        let next = state.wheel.next_expiration();
        state.parked_until = next.unwrap_or(u64::MAX);
        let next = next?;
        let elapsed = now.saturating_duration_since(self.origin);
        Some(Duration::from_millis(next).saturating_sub(elapsed))
    }

    /// Fires every timer due at `now`; wakers run outside the lock, 32 at a time.
    pub(crate) fn process_at(&self, now: Instant) {
        let now = self.now_tick(now);
        let mut wakers = WakeList::new();
        let mut state = self.state.lock();
        state.parked_until = 0;
        while let Some(timer) = state.wheel.pop_expired(now) {
            if let Some(waker) = timer.fire() {
                wakers.push(waker);
                if wakers.is_full() {
                    drop(state);
                    std::mem::replace(&mut wakers, WakeList::new()).wake_all();
                    state = self.state.lock();
                }
            }
        }
        drop(state);
        wakers.wake_all();
    }

    /// Fires every timer and refuses new ones: their `Sleep`s report the shutdown.
    pub(crate) fn shutdown(&self) {
        let timers = {
            let mut state = self.state.lock();
            state.is_shutdown = true;
            state.wheel.drain()
        };
        for timer in timers {
            if let Some(waker) = timer.fire() {
                waker.wake();
            }
        }
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.state.lock().is_shutdown
    }

    /// Timers in the wheel.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.state.lock().wheel.len()
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("time::Handle").finish_non_exhaustive()
    }
}
