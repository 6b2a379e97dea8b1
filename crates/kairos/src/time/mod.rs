//! Time: sleeping, timeouts, intervals, and a clock tests can pause.
//!
//! Timers run on a hierarchical timing wheel owned by the runtime (1 ms resolution,
//! cancelling is O(1)); the runtime needs the time driver: build it with
//! `enable_time()` or `enable_all()` (`Runtime::new` and the macros do).
//!
//! - [`sleep`], [`sleep_until`] → [`Sleep`]
//! - [`timeout`], [`timeout_at`] → [`Timeout`], failing with [`error::Elapsed`]
//! - [`interval`], [`interval_at`] → [`Interval`], with [`MissedTickBehavior`]
//! - [`Instant`]: the runtime's clock
//! - [`pause`], [`advance`], [`resume`]: the test clock. A paused clock only moves when
//!   advanced, or on its own when every task is idle: it then jumps to the next timer,
//!   so timer-heavy tests run instantly and deterministically. Start a test paused with
//!   `#[kairos::test(start_paused = true)]` or `Builder::start_paused(true)`.
//!
//! # Examples
//!
//! ```
//! use kairos::time::{sleep, timeout, Duration, Instant};
//!
//! #[kairos::main(flavor = "current_thread", start_paused = true)]
//! async fn main() {
//!     let start = Instant::now();
//!     // An hour passes instantly: the paused clock jumps to the timer.
//!     sleep(Duration::from_secs(3600)).await;
//!     assert!(start.elapsed() >= Duration::from_secs(3600));
//!     assert!(timeout(Duration::from_secs(1), std::future::pending::<()>()).await.is_err());
//! }
//! ```

pub mod error;
mod instant;
mod interval;
mod sleep;
mod timeout;

pub use self::instant::Instant;
pub use self::interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use self::sleep::{sleep, sleep_until, Sleep};
pub use self::timeout::{timeout, timeout_at, Timeout};
pub use std::time::Duration;

use crate::runtime::{context, scheduler};

/// Pauses the current runtime's clock: from now on it moves only when advanced
/// ([`advance`]), or when every task is idle, then straight to the next timer.
///
/// # Panics
///
/// If time is already paused, or outside a current-thread runtime (a multi-thread
/// runtime's workers would see time jump under them).
///
/// # Examples
///
/// ```
/// use kairos::time::{Duration, Instant};
///
/// # kairos::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// kairos::time::pause();
/// let start = Instant::now();
/// kairos::time::advance(Duration::from_secs(10)).await;
/// assert_eq!(start.elapsed(), Duration::from_secs(10));
/// kairos::time::resume();
/// # });
/// ```
#[track_caller]
pub fn pause() {
    context::with_current(|handle| {
        if !matches!(handle, scheduler::Handle::CurrentThread(_)) {
            panic!("`kairos::time::pause` needs the current-thread runtime");
        }
        if let Err(why) = handle.driver().clock().pause() {
            panic!("`kairos::time::pause`: {why}");
        }
    });
}

/// Lets the current runtime's paused clock follow real time again, from the time it
/// shows.
///
/// # Panics
///
/// If time is not paused, or outside a runtime.
#[track_caller]
pub fn resume() {
    context::with_current(|handle| {
        if let Err(why) = handle.driver().clock().resume() {
            panic!("`kairos::time::resume`: {why}");
        }
    });
}

/// Moves the paused clock forward by `duration`, fires the timers that came due, and
/// yields so that the tasks they woke get to run.
///
/// # Panics
///
/// If time is not paused (call [`pause`] first), or outside a runtime.
///
/// # Examples
///
/// ```
/// use kairos::time::{sleep, Duration};
///
/// #[kairos::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let mut nap = std::pin::pin!(sleep(Duration::from_secs(5)));
///     assert!(futures::poll!(nap.as_mut()).is_pending());
///     kairos::time::advance(Duration::from_secs(5)).await;
///     assert!(nap.is_elapsed());
/// }
/// ```
pub async fn advance(duration: Duration) {
    context::with_current(|handle| {
        let driver = handle.driver();
        if let Err(why) = driver.clock().advance(duration) {
            panic!("`kairos::time::advance`: {why}; call `kairos::time::pause()` first");
        }
        if let Some(time) = driver.time() {
            time.process_at(driver.clock().now());
        }
    });
    crate::task::yield_now().await;
}
