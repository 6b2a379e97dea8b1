//! `timeout` and `timeout_at`: bound how long a future may take.

use crate::runtime::context;
use crate::task::coop;
use crate::time::error::Elapsed;
use crate::time::{sleep_until, Instant, Sleep};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Runs `future`, giving up with [`Elapsed`] if it does not complete within `duration`.
///
/// The future is polled first, so one that is ready at once wins even with a zero
/// duration. The timer itself is only created the first time `future` is found pending
/// (on the runtime current then), so a future that completes at once costs a clock read
/// and nothing else. Dropping the future returned here drops `future` and cancels the
/// timer.
///
/// # Panics
///
/// Outside a runtime, or on a runtime built without `enable_time`.
///
/// # Cancel safety
///
/// As cancel safe as `future` is.
///
/// # Errors
///
/// [`Elapsed`] if the deadline passes first; `future` is then dropped.
///
/// # Examples
///
/// ```
/// use kairos::time::{timeout, Duration};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let quick = timeout(Duration::from_secs(1), async { 5 }).await;
/// assert_eq!(quick, Ok(5));
/// let never = timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
/// assert!(never.is_err());
/// # });
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    // One look-up of the current runtime: checks it has timers (so misuse panics here, as
    // documented) and reads its clock.
    let now = context::with_current(|handle| {
        let driver = handle.driver();
        check_time_enabled(driver);
        driver.clock().now()
    });
    let deadline = now
        .checked_add(duration)
        .map(Instant::from_std)
        .unwrap_or_else(Instant::far_future);
    Timeout::new(future.into_future(), deadline)
}

/// Runs `future`, giving up with [`Elapsed`] if it does not complete by `deadline`.
///
/// # Panics
///
/// As [`timeout`].
///
/// # Cancel safety
///
/// As cancel safe as `future` is.
///
/// # Errors
///
/// [`Elapsed`] if the deadline passes first.
///
/// # Examples
///
/// ```
/// use kairos::time::{timeout_at, Duration, Instant};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let deadline = Instant::now() + Duration::from_millis(1);
/// assert!(timeout_at(deadline, std::future::pending::<()>()).await.is_err());
/// # });
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    context::with_current(|handle| check_time_enabled(handle.driver()));
    Timeout::new(future.into_future(), deadline)
}

#[track_caller]
fn check_time_enabled(driver: &crate::runtime::driver::Handle) {
    if driver.time().is_none() {
        panic!("{}", crate::runtime::time::TIME_DISABLED);
    }
}

/// The future of [`timeout`] and [`timeout_at`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Timeout<F> {
    value: F,
    deadline: Instant,
    /// The timer, created the first time `value` is pending.
    delay: Option<Sleep>,
}

impl<F> Timeout<F> {
    fn new(value: F, deadline: Instant) -> Timeout<F> {
        Timeout {
            value,
            deadline,
            delay: None,
        }
    }

    /// The wrapped future.
    pub fn get_ref(&self) -> &F {
        &self.value
    }

    /// The wrapped future, mutably.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.value
    }

    /// The wrapped future, without the deadline.
    pub fn into_inner(self) -> F {
        self.value
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `value` is structurally pinned: it is never moved out of a pinned
        // `Timeout` (`into_inner` takes `self` by value, which needs `Timeout: Unpin`
        // or an unpinned value), and `Timeout` has no `Drop` impl. `deadline` and `delay`
        // are `Unpin`.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above; `value` stays where it is for as long as `self` is pinned.
        let value = unsafe { Pin::new_unchecked(&mut this.value) };
        if let Poll::Ready(output) = value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let deadline = this.deadline;
        let delay = this.delay.get_or_insert_with(|| sleep_until(deadline));
        // The inner future may have spent the whole budget; the deadline is checked
        // regardless, or a busy future could never time out.
        coop::with_unconstrained(|| Pin::new(delay).poll(cx)).map(|()| Err(Elapsed::new()))
    }
}
