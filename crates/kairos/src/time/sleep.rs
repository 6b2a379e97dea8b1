//! `sleep` and `sleep_until`: futures that complete at a deadline.

use crate::runtime::time::TimerEntry;
use crate::task::coop;
use crate::time::Instant;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

/// Waits until `duration` has passed.
///
/// The timer has millisecond resolution and never fires early: the sleep ends at the
/// first millisecond tick at or after the deadline, once the runtime gets to it.
/// `Duration::MAX` sleeps practically forever (30 years).
///
/// # Panics
///
/// Outside a runtime, or on a runtime built without `enable_time` (the message says
/// so).
///
/// # Cancel safety
///
/// Cancel safe: dropping the future cancels the timer (O(1)).
///
/// # Examples
///
/// ```
/// use kairos::time::{sleep, Duration};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// sleep(Duration::from_millis(10)).await;
/// println!("10 ms have passed");
/// # });
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = Instant::now()
        .checked_add(duration)
        .unwrap_or_else(Instant::far_future);
    Sleep::new(deadline)
}

/// Waits until `deadline`; completes at once if it has passed.
///
/// # Panics
///
/// As [`sleep`].
///
/// # Cancel safety
///
/// Cancel safe: dropping the future cancels the timer (O(1)).
///
/// # Examples
///
/// ```
/// use kairos::time::{sleep_until, Duration, Instant};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let deadline = Instant::now() + Duration::from_millis(10);
/// sleep_until(deadline).await;
/// assert!(Instant::now() >= deadline);
/// # });
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// The future of [`sleep`] and [`sleep_until`].
///
/// It registers its timer the first time it is polled, and cancels it when dropped. It
/// can be moved to a new deadline with [`reset`](Sleep::reset), which reuses the timer.
///
/// # Examples
///
/// ```
/// use kairos::time::{sleep, Duration, Instant};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let mut sleep = std::pin::pin!(sleep(Duration::from_secs(3600)));
/// // Changed our mind: one millisecond will do.
/// sleep.as_mut().reset(Instant::now() + Duration::from_millis(1));
/// sleep.as_mut().await;
/// assert!(sleep.is_elapsed());
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    entry: TimerEntry,
}

impl Sleep {
    #[track_caller]
    pub(crate) fn new(deadline: Instant) -> Sleep {
        Sleep {
            entry: TimerEntry::new(deadline.into_std()),
        }
    }

    /// The instant the sleep ends.
    pub fn deadline(&self) -> Instant {
        Instant::from_std(self.entry.deadline())
    }

    /// Whether the deadline has passed and the timer fired.
    pub fn is_elapsed(&self) -> bool {
        self.entry.is_elapsed()
    }

    /// Moves the deadline to `deadline`, whether or not the sleep completed already. The
    /// task that polls it next is woken at the new deadline.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        self.get_mut().entry.reset(deadline.into_std());
    }

    /// [`reset`](Self::reset) for an unpinned `Sleep` (it is `Unpin`).
    pub(crate) fn reset_unpinned(&mut self, deadline: Instant) {
        self.entry.reset(deadline.into_std());
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(coop::poll_proceed(cx));
        ready!(self.entry.poll_elapsed(cx));
        coop.made_progress();
        Poll::Ready(())
    }
}
