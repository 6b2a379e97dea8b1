//! `yield_now`: give the other tasks on this worker a turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields execution back to the scheduler: the current task goes to the back of its run
/// queue, so every other task ready on this worker runs before it is polled again.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let other = kairos::spawn(async { "other ran" });
/// kairos::task::yield_now().await;
/// assert_eq!(other.await.unwrap(), "other ran");
/// # });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // The task is RUNNING, so this only sets NOTIFIED; the scheduler requeues it at
        // the back when the poll returns (rule 3 of the task protocol).
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
