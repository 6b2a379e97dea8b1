//! `timeout` and `timeout_at`: bound how long a future may take.

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
/// duration. Dropping the future returned here drops `future` and cancels the timer.
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
    let deadline = Instant::now()
        .checked_add(duration)
        .unwrap_or_else(Instant::far_future);
    timeout_at(deadline, future)
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
    Timeout {
        value: future.into_future(),
        delay: sleep_until(deadline),
    }
}

/// The future of [`timeout`] and [`timeout_at`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Timeout<F> {
    value: F,
    delay: Sleep,
}

impl<F> Timeout<F> {
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
        // or an unpinned value), and `Timeout` has no `Drop` impl. `delay` is `Unpin`.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above; `value` stays where it is for as long as `self` is pinned.
        let value = unsafe { Pin::new_unchecked(&mut this.value) };
        if let Poll::Ready(output) = value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // The inner future may have spent the whole budget; the deadline is checked
        // regardless, or a busy future could never time out.
        coop::with_unconstrained(|| Pin::new(&mut this.delay).poll(cx))
            .map(|()| Err(Elapsed::new()))
    }
}
