//! `interval` and `interval_at`: ticks at a fixed period.

use crate::time::{sleep_until, Instant, Sleep};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

/// How late a tick may be before it counts as missed (the timer's resolution is 1 ms;
/// a little scheduling delay is not a miss).
const MISSED_AFTER: Duration = Duration::from_millis(5);

/// Ticks every `period`; the first tick completes at once.
///
/// # Panics
///
/// If `period` is zero; outside a runtime, or on one built without `enable_time`.
///
/// # Examples
///
/// ```
/// use kairos::time::{interval, Duration, Instant};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let start = Instant::now();
/// let mut ticks = interval(Duration::from_millis(2));
/// ticks.tick().await; // at once
/// ticks.tick().await; // 2 ms
/// ticks.tick().await; // 4 ms
/// assert!(start.elapsed() >= Duration::from_millis(4));
/// # });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// As [`interval`].
///
/// # Examples
///
/// ```
/// use kairos::time::{interval_at, Duration, Instant};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let start = Instant::now() + Duration::from_millis(3);
/// let mut ticks = interval_at(start, Duration::from_millis(2));
/// assert_eq!(ticks.tick().await, start);
/// # });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "`interval` period must be non-zero"
    );
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does when ticks were missed (the task did not call
/// [`tick`](Interval::tick) in time).
///
/// # Examples
///
/// ```
/// use kairos::time::{interval, Duration, MissedTickBehavior};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let mut ticks = interval(Duration::from_millis(50));
/// ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks one after the other, as fast as they are asked for, until
    /// the schedule is caught up (the default).
    #[default]
    Burst,
    /// Fire once now, then a full period after now: the schedule shifts.
    Delay,
    /// Fire once now, then at the next tick of the original schedule; the missed ones
    /// are skipped.
    Skip,
}

impl MissedTickBehavior {
    /// The deadline after a tick that was due at `due` and is taken at `now`.
    fn next(self, due: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => due + period,
            MissedTickBehavior::Delay => now + period,
            MissedTickBehavior::Skip => {
                let late = now.duration_since(due).as_nanos();
                let into_period = late % period.as_nanos();
                now + period - Duration::from_nanos(into_period as u64)
            }
        }
    }
}

/// Ticks at a fixed period; from [`interval`] and [`interval_at`].
///
/// Each [`tick`](Interval::tick) completes at the next scheduled instant and returns it.
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a tick is consumed only by the poll that returns it.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; see [`tick`](Self::tick).
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(Pin::new(&mut self.delay).poll(cx));
        let due = self.delay.deadline();
        let now = Instant::now();
        let next = if now.duration_since(due) > MISSED_AFTER {
            self.missed_tick_behavior.next(due, now, self.period)
        } else {
            due + self.period
        };
        self.delay.reset_unpinned(next);
        Poll::Ready(due)
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        self.delay.reset_unpinned(Instant::now() + self.period);
    }

    /// Restarts the schedule with a tick now.
    pub fn reset_immediately(&mut self) {
        self.delay.reset_unpinned(Instant::now());
    }

    /// Restarts the schedule with the next tick `after` from now.
    pub fn reset_after(&mut self, after: Duration) {
        self.delay.reset_unpinned(Instant::now() + after);
    }

    /// Restarts the schedule with the next tick at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        self.delay.reset_unpinned(deadline);
    }

    /// What happens to missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what happens to missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }
}
