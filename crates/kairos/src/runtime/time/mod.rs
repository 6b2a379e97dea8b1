//! The time driver: a timing wheel owned by the runtime, and its clock.
//!
//! What this module owns:
//! - `wheel.rs`: the hierarchical timing wheel (6 levels x 64 slots, 1 ms), O(1) insert
//!   and cancel;
//! - `handle.rs`: the wheel behind its lock, shared by timers and the parking thread;
//! - `entry.rs`: one timer, its shared fired flag and waker, and the owner side that
//!   `Sleep` wraps;
//! - `clock.rs`: real or paused time.
//!
//! # Parking
//!
//! The time driver wraps the I/O driver (see `runtime::driver`). To park, it asks the
//! wheel for the earliest slot that comes due and parks the I/O driver for at most that
//! long (so only a timer that is due wakes it: far timers cost one wake-up per level
//! they cascade through, never a spin), then fires what is due. A timer registered for
//! earlier than the parked thread's wake-up unparks it. With a paused clock and nothing
//! else to do (the I/O driver had no event, nobody unparked it, no blocking task is in
//! flight) it moves the clock to the next timer instead of waiting.

mod clock;
mod entry;
mod handle;
mod wheel;

pub(crate) use self::clock::Clock;
pub(crate) use self::entry::TimerEntry;
pub(crate) use self::handle::Handle;

use crate::runtime::driver;
use crate::runtime::driver::IoStack;
use crate::runtime::scheduler;
use std::time::Duration;

/// The message of the panic when a runtime has no time driver.
pub(crate) const TIME_DISABLED: &str = "this Kairos runtime was built without the time driver; \
     call `enable_time()` (or `enable_all()`) on the runtime `Builder` to use timers";

/// The parking side: owns the I/O stack it parks on.
pub(crate) struct Driver {
    io: IoStack,
}

impl Driver {
    pub(crate) fn new(io: IoStack) -> Driver {
        Driver { io }
    }

    /// Parks until the next timer, an I/O event or an unpark, for at most `limit`, then
    /// fires the timers that are due.
    pub(crate) fn park(&mut self, rt: &driver::Handle, limit: Option<Duration>) {
        let time = rt.time().expect("time driver without its handle");
        let clock = rt.clock();
        match time.park_begin(clock.now()) {
            None => {
                self.io.park(rt, limit);
            }
            Some(until_timer) => {
                let wait = limit.map_or(until_timer, |limit| limit.min(until_timer));
                if clock.is_paused() && clock.can_auto_advance() {
                    // Idle with a paused clock: jump to the timer, unless the I/O driver
                    // or an unpark says something is runnable after all.
                    let events = self.io.park(rt, Some(Duration::ZERO));
                    if events == 0 && !rt.take_unparked() {
                        // Only fails if another thread resumed the clock meanwhile.
                        let _ = clock.advance(wait);
                    }
                } else {
                    self.io.park(rt, Some(wait));
                }
            }
        }
        time.process_at(clock.now());
    }

    pub(crate) fn shutdown(&mut self, rt: &driver::Handle) {
        if let Some(time) = rt.time() {
            time.shutdown();
        }
        self.io.shutdown(rt);
    }
}

/// Keeps a paused clock from jumping while a blocking task runs (its result may make a
/// task runnable before the next timer); wakes the driver when the task ends, so it can
/// decide again.
pub(crate) struct InhibitAutoAdvance(scheduler::Handle);

impl InhibitAutoAdvance {
    /// `None` unless `rt`'s clock is paused.
    pub(crate) fn new(rt: &scheduler::Handle) -> Option<InhibitAutoAdvance> {
        rt.driver()
            .clock()
            .inhibit_auto_advance()
            .then(|| InhibitAutoAdvance(rt.clone()))
    }
}

impl Drop for InhibitAutoAdvance {
    fn drop(&mut self) {
        self.0.driver().clock().allow_auto_advance();
        self.0.driver().unpark();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use crate::runtime::Builder;
    use std::time::Duration;

    #[test]
    fn a_far_timer_parks_the_driver_for_about_as_long() {
        let rt = Builder::new_current_thread().enable_time().build().unwrap();
        rt.block_on(async {
            let sleep = crate::time::sleep(Duration::from_secs(3600));
            let mut sleep = std::pin::pin!(sleep);
            // Register it.
            assert!(futures::poll!(sleep.as_mut()).is_pending());
            crate::runtime::context::with_current(|handle| {
                let driver = handle.driver();
                let time = driver.time().unwrap();
                assert_eq!(time.len(), 1);
                let wait = time.park_begin(driver.clock().now()).unwrap();
                // The first wake-up is a cascade from the 4.7-hour level: ~57 minutes.
                assert!(wait > Duration::from_secs(50 * 60), "{wait:?}");
                assert!(wait <= Duration::from_secs(3600));
            });
        });
    }

    #[test]
    fn dropping_a_sleep_cancels_its_timer() {
        let rt = Builder::new_current_thread().enable_time().build().unwrap();
        rt.block_on(async {
            let time_len =
                || crate::runtime::context::with_current(|h| h.driver().time().unwrap().len());
            {
                let mut sleep = std::pin::pin!(crate::time::sleep(Duration::from_secs(60)));
                assert!(futures::poll!(sleep.as_mut()).is_pending());
                assert_eq!(time_len(), 1);
            }
            assert_eq!(time_len(), 0);
        });
    }
}
