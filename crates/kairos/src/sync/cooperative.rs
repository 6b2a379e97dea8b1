//! Running a composite wait (built from other primitives) as one budgeted resource
//! operation, like the primitives that call `poll_proceed` themselves.

use crate::task::coop;
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::{ready, Poll};

/// Awaits `future`, charging the task's cooperative budget once when it completes (and
/// yielding first if the budget is spent).
pub(crate) async fn cooperative<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    poll_fn(|cx| {
        let coop = ready!(coop::poll_proceed(cx));
        let output = ready!(future.as_mut().poll(cx));
        coop.made_progress();
        Poll::Ready(output)
    })
    .await
}
