//! The time driver's shared side: the wheel behind its lock, and the conversions between
//! instants and the wheel's millisecond ticks.
//!
//! A timer's whole state lives in its wheel node: the node holds the waker to call, and a
//! timer whose key no longer names a node has fired (its owner never removes it without
//! forgetting the key). So a timer costs no allocation of its own, and every question about
//! it (still waiting? which waker?) is answered under the one wheel lock. Wakers are
//! called, and replaced ones dropped, after the lock is released: a waker may run code
//! that comes back to the time driver.

use super::wheel::{Key, Wheel};
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::Mutex;
use crate::sync::wake_list::WakeList;
use std::task::Waker;
use std::time::{Duration, Instant};

/// What timers and the parking thread share.
pub(crate) struct Handle {
    state: Mutex<State>,
    /// Set (under the lock) when the runtime shuts down; no timer is added after.
    is_shutdown: AtomicBool,
    /// The instant of tick 0.
    origin: Instant,
}

struct State {
    /// Each waiting timer's waker (`None` until a task polls it).
    wheel: Wheel<Option<Waker>>,
    /// The tick at which the thread parked on the driver will wake on its own
    /// (`u64::MAX`: only when unparked); 0 while nobody is parked. A timer registered
    /// for an earlier tick unparks it.
    parked_until: u64,
}

/// How a registration ended.
pub(crate) enum Registered {
    /// In the wheel under this key.
    Waiting(Key),
    /// Due already (or the runtime is shutting down): fired on the spot.
    Fired,
}

impl Handle {
    pub(crate) fn new(origin: Instant) -> Handle {
        Handle {
            state: Mutex::new(State {
                wheel: Wheel::new(),
                parked_until: 0,
            }),
            is_shutdown: AtomicBool::new(false),
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

    /// Puts a timer for `deadline` in the wheel, first taking out its previous
    /// registration `old`, if any. The new node holds `waker`, or else the old
    /// registration's waker, which is woken instead if the new deadline is due already.
    /// `unpark` is called if the parked driver must wake earlier than planned.
    ///
    /// A deadline whose tick the driver has already processed fires at once; any other
    /// waits for the driver's next turn that reaches its tick, even one that has passed by
    /// the clock meanwhile (the driver turns at least every `event_interval` tasks). So
    /// registering reads no clock.
    pub(crate) fn register(
        &self,
        old: Option<Key>,
        waker: Option<&Waker>,
        deadline: Instant,
        unpark: impl FnOnce(),
    ) -> Registered {
        let tick = self.deadline_tick(deadline);
        let mut state = self.state.lock();
        let old_waker = old.and_then(|old| state.wheel.remove(old)).flatten();
        let (value, replaced) = match waker {
            Some(waker) => (Some(waker.clone()), old_waker),
            None => (old_waker, None),
        };
        let refused = if self.is_shutdown.load(Relaxed) {
            Err(value)
        } else {
            state.wheel.insert(tick, value)
        };
        let registered = match refused {
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
            Err(value) => {
                drop(state);
                // The poller, if any, sees `Fired` itself; an old waker is told.
                if waker.is_none() {
                    if let Some(old_waker) = value {
                        old_waker.wake();
                    }
                }
                Registered::Fired
            }
        };
        drop(replaced);
        registered
    }

    /// Whether the timer `key` names is still waiting; if so, it now holds `waker`
    /// (unless its waker already wakes the same task).
    pub(crate) fn poll_waiting(&self, key: Key, waker: &Waker) -> bool {
        let mut state = self.state.lock();
        let Some(slot) = state.wheel.get_mut(key) else {
            return false;
        };
        if slot
            .as_ref()
            .is_some_and(|current| current.will_wake(waker))
        {
            return true;
        }
        let replaced = slot.replace(waker.clone());
        drop(state);
        drop(replaced);
        true
    }

    /// Whether the timer `key` names is still waiting.
    pub(crate) fn is_waiting(&self, key: Key) -> bool {
        self.state.lock().wheel.get_mut(key).is_some()
    }

    /// Cancels a timer: O(1). A stale key (the timer fired) removes nothing.
    pub(crate) fn deregister(&self, key: Key) {
        let removed = self.state.lock().wheel.remove(key);
        drop(removed);
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
        while let Some(waker) = state.wheel.pop_expired(now) {
            if let Some(waker) = waker {
                wakers.push(waker);
                if wakers.is_full() {
                    drop(state);
                    wakers.wake_all();
                    state = self.state.lock();
                }
            }
        }
        drop(state);
        wakers.wake_all();
    }

    /// Fires every timer and refuses new ones: their `Sleep`s report the shutdown.
    pub(crate) fn shutdown(&self) {
        let wakers = {
            let mut state = self.state.lock();
            self.is_shutdown.store(true, Release);
            state.wheel.drain()
        };
        for waker in wakers.into_iter().flatten() {
            waker.wake();
        }
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.is_shutdown.load(Acquire)
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

#[cfg(all(test, loom))]
mod loom_timer {
    use super::*;
    use crate::loom::sync::atomic::AtomicUsize;
    use crate::loom::sync::Arc;
    use loom::thread;
    use std::task::Wake;

    struct Wakes(AtomicUsize);
    impl Wake for Wakes {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    /// A timer fired by the driver while its task polls it: the poll either sees it fired
    /// or leaves a waker that the firing calls, exactly once; a wake is never lost.
    #[test]
    fn loom_fire_races_poll() {
        loom::model(|| {
            let origin = Instant::now();
            let time = Arc::new(Handle::new(origin));
            let deadline = origin + Duration::from_millis(5);
            let first = std::sync::Arc::new(Wakes(AtomicUsize::new(0)));
            let key = match time.register(None, Some(&Waker::from(first.clone())), deadline, || {})
            {
                Registered::Waiting(key) => key,
                Registered::Fired => panic!("a future deadline fired at once"),
            };
            let driver = {
                let time = time.clone();
                thread::spawn(move || time.process_at(origin + Duration::from_millis(10)))
            };
            let second = std::sync::Arc::new(Wakes(AtomicUsize::new(0)));
            let waiting = time.poll_waiting(key, &Waker::from(second.clone()));
            driver.join().unwrap();
            let (first, second) = (first.0.load(SeqCst), second.0.load(SeqCst));
            if waiting {
                // The poll stored its waker before the firing took it.
                assert_eq!((first, second), (0, 1));
            } else {
                // Fired first, waking the waker of the time: the poll reports it.
                assert_eq!((first, second), (1, 0));
            }
            assert!(!time.is_waiting(key), "fired timers stay fired");
        });
    }

    /// Shutdown racing a registration: the timer is either fired by the shutdown's drain
    /// (its waker woken) or refused as fired; never left waiting in a dead wheel.
    #[test]
    fn loom_shutdown_races_register() {
        loom::model(|| {
            let origin = Instant::now();
            let time = Arc::new(Handle::new(origin));
            let stopper = {
                let time = time.clone();
                thread::spawn(move || time.shutdown())
            };
            let wakes = std::sync::Arc::new(Wakes(AtomicUsize::new(0)));
            let registered = time.register(
                None,
                Some(&Waker::from(wakes.clone())),
                origin + Duration::from_secs(60),
                || {},
            );
            stopper.join().unwrap();
            assert!(time.is_shutdown());
            match registered {
                Registered::Waiting(key) => {
                    assert!(!time.is_waiting(key));
                    assert_eq!(wakes.0.load(SeqCst), 1, "drained and woken");
                }
                Registered::Fired => assert_eq!(wakes.0.load(SeqCst), 0),
            }
        });
    }
}
