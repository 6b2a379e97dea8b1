//! A blocking closure packaged as a task, so that `spawn_blocking` returns the same
//! `JoinHandle` as `spawn` and costs one allocation.

use crate::task::{coop, Notified, Schedule};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future that runs its closure on first poll.
pub(super) struct BlockingTask<F> {
    func: Option<F>,
}

impl<F> BlockingTask<F> {
    pub(super) fn new(func: F) -> Self {
        BlockingTask { func: Some(func) }
    }
}

// The closure is never pinned: it is moved out before it runs.
impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self
            .func
            .take()
            .expect("a blocking task was polled after it completed");
        // Blocking code is not cooperative: it never yields, so it has no budget.
        Poll::Ready(coop::with_unconstrained(func))
    }
}

/// Blocking tasks are never woken (they never return `Pending`), so scheduling one is a
/// bug.
pub(super) struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, _task: Notified<Self>) {
        unreachable!("a blocking task was woken; blocking tasks never wait");
    }
}
