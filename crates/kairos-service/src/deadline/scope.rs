//! `scope`: a future run with a deadline in force.

use super::with_deadline;
use kairos::time::Instant;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `future` with `deadline` in force (see the [module docs](super)) during each of its
/// polls; an earlier deadline already in force when it is polled still applies.
///
/// The deadline is not enforced here: nothing fails when it passes. Timeouts inside
/// respect it, and so can any code that reads [`current`](super::current).
///
/// # Examples
///
/// ```
/// use kairos::time::{Duration, Instant};
/// use kairos_service::filters::{timeout::TimeoutError, TimeoutFilter};
/// use kairos_service::{deadline, service_fn, Filter, Service};
///
/// #[kairos::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let slow = service_fn(|()| async {
///         kairos::time::sleep(Duration::from_secs(10)).await;
///         Ok::<_, ()>(())
///     });
///     // The service allows itself 5 s, but the caller's deadline is in 1 s.
///     let service = TimeoutFilter::new(Duration::from_secs(5)).wrap(slow);
///     let start = Instant::now();
///     let result = deadline::scope(start + Duration::from_secs(1), service.call(())).await;
///     assert!(matches!(result, Err(TimeoutError::DeadlineExceeded)));
///     assert_eq!(start.elapsed(), Duration::from_secs(1));
/// }
/// ```
pub fn scope<F: Future>(deadline: Instant, future: F) -> Scoped<F> {
    Scoped {
        deadline: Some(deadline),
        future,
    }
}

impl<F> Scoped<F> {
    /// `future` with `deadline` in force, if there is one: `None` adds nothing.
    pub(crate) fn new(deadline: Option<Instant>, future: F) -> Scoped<F> {
        Scoped { deadline, future }
    }
}

pin_project! {
    /// The future of [`scope`]: `F` with a deadline in force while it is polled.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::time::Instant;
    /// use kairos_service::deadline::{self, Scoped};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let now = Instant::now();
    /// let scoped: Scoped<_> = deadline::scope(now, async { deadline::current() });
    /// assert_eq!(scoped.await, Some(now));
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Scoped<F> {
        deadline: Option<Instant>,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let future = this.future;
        with_deadline(*this.deadline, || future.poll(cx))
    }
}
