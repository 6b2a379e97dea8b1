//! The idle sweeper: one task per server that closes shrunk keep-alive connections at
//! their deadline, so that an idle connection keeps no timer of its own. Its deadline is
//! an entry in the shutdown tracker instead (8 bytes beside the waker the tracker holds
//! anyway), where a timer would cost a 48-byte `Sleep` in the connection's task and a
//! 40-byte node in the timer wheel (docs/RELIABILITY.md, idle load).
//!
//! A sweep is one pass over the tracker's entries under its lock; sweeps come at the
//! earliest deadline ahead, but at most once per [`granularity`], so thousands of
//! connections going idle at slightly different times cost a few passes, not thousands.

use super::shutdown::Tracker;
use crate::h1::conn::poll_deadline;
use kairos::time::{Instant, Sleep};
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};
use std::time::Duration;

/// How late after its deadline a shrunk connection may be closed: a 64th of the
/// keep-alive timeout, between 1 ms and 1 s (about 0.94 s for the default 60 s).
pub(crate) fn granularity(keep_alive: Duration) -> Duration {
    (keep_alive / 64).clamp(Duration::from_millis(1), Duration::from_secs(1))
}

/// Sweeps until the server drains (draining closes idle connections by itself).
pub(crate) async fn sweep_idle(tracker: Arc<Tracker>, granularity: Duration) {
    let mut timer: Option<Sleep> = None;
    poll_fn(|cx| poll_sweep(&tracker, granularity, &mut timer, cx)).await;
}

fn poll_sweep(
    tracker: &Tracker,
    granularity: Duration,
    timer: &mut Option<Sleep>,
    cx: &mut Context<'_>,
) -> Poll<()> {
    loop {
        if tracker.is_draining() {
            return Poll::Ready(());
        }
        let swept = tracker.sweep(Instant::now(), granularity, cx.waker());
        swept.expired.into_iter().for_each(Waker::wake);
        let Some(next) = swept.next else {
            // Nothing idle: the next connection to shrink wakes this task.
            *timer = None;
            return Poll::Pending;
        };
        ready!(poll_deadline(timer, cx, next));
    }
}
