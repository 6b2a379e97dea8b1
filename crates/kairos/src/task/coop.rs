//! Cooperative scheduling: the per-poll budget.
//!
//! A task that always finds its resources ready (a channel that is never empty, a socket
//! that always has bytes) would otherwise never return `Pending`, and the worker running it
//! would never get back to its other tasks. So each task poll starts with a budget of
//! 128 resource operations (`INITIAL_BUDGET`). Every Kairos resource charges one unit when
//! it completes an operation (through `poll_proceed`); once the budget is spent, resources
//! report `Pending` after waking the task, which then goes to the back of the run queue.
//!
//! Outside a runtime (a future polled by hand or by another executor) the budget is
//! unconstrained, so the primitives work under any executor.
//!
//! Public as `kairos::task::coop`, as in tokio: [`consume_budget`], [`unconstrained`] and
//! [`has_budget_remaining`].

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Resource operations one task poll may complete before it is made to yield.
pub(crate) const INITIAL_BUDGET: u8 = 128;

/// The operations left in the current poll; `None` means unconstrained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget(Option<u8>);

impl Budget {
    pub(crate) const fn initial() -> Budget {
        Budget(Some(INITIAL_BUDGET))
    }

    pub(crate) const fn unconstrained() -> Budget {
        Budget(None)
    }
}

thread_local! {
    static BUDGET: Cell<Budget> = const { Cell::new(Budget::unconstrained()) };
}

/// Runs `f` (one task poll) with a fresh budget, restoring the previous one afterwards.
#[inline]
pub(crate) fn budget<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Budget::initial(), f)
}

/// Runs `f` with no budget at all.
#[inline]
pub(crate) fn with_unconstrained<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Budget::unconstrained(), f)
}

#[inline]
fn with_budget<R>(budget: Budget, f: impl FnOnce() -> R) -> R {
    struct Restore(Budget);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = BUDGET.try_with(|cell| cell.set(self.0));
        }
    }
    let previous = BUDGET.with(|cell| cell.replace(budget));
    let _restore = Restore(previous);
    f()
}

/// Whether the current task poll may still complete a resource operation (always `true`
/// outside a runtime or in [`unconstrained`]). A future that polls a Kairos resource and
/// needs to know whether that poll did its work, rather than returning `Pending` because
/// the budget ran out, can ask first.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// assert!(kairos::task::coop::has_budget_remaining());
/// # });
/// ```
pub fn has_budget_remaining() -> bool {
    BUDGET
        .try_with(|cell| cell.get().0 != Some(0))
        .unwrap_or(true)
}

/// Charges one unit of budget for a resource operation about to complete.
///
/// Returns `Pending` (after waking the task so it is polled again later) when the budget is
/// spent. On `Ready`, the returned guard gives the unit back when dropped unless
/// [`RestoreOnPending::made_progress`] was called, so an operation that ends up `Pending`
/// costs nothing.
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    BUDGET
        .try_with(|cell| {
            let before = cell.get();
            match before.0 {
                None => Poll::Ready(RestoreOnPending(Cell::new(before))),
                Some(0) => {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                Some(left) => {
                    cell.set(Budget(Some(left - 1)));
                    Poll::Ready(RestoreOnPending(Cell::new(before)))
                }
            }
        })
        .unwrap_or(Poll::Ready(RestoreOnPending(Cell::new(
            Budget::unconstrained(),
        ))))
}

/// Gives a unit of budget back on drop, unless the operation made progress.
#[derive(Debug)]
#[must_use = "drop it where the operation turns out Pending, or call made_progress"]
pub(crate) struct RestoreOnPending(Cell<Budget>);

impl RestoreOnPending {
    /// The operation completed: keep the unit spent.
    pub(crate) fn made_progress(&self) {
        self.0.set(Budget::unconstrained());
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        let before = self.0.get();
        if before.0.is_some() {
            let _ = BUDGET.try_with(|cell| cell.set(before));
        }
    }
}

/// Consumes one unit of the current task's budget, yielding first if it is spent.
///
/// Use it in loops that do a lot of work without touching a Kairos resource, so they still
/// give other tasks on the same worker a turn.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let mut sum = 0u64;
/// for i in 0..10_000u64 {
///     kairos::task::consume_budget().await;
///     sum += i;
/// }
/// assert_eq!(sum, 49_995_000);
/// # });
/// ```
pub async fn consume_budget() {
    let mut charged = false;
    std::future::poll_fn(move |cx| {
        if charged {
            return Poll::Ready(());
        }
        let restore = ready!(poll_proceed(cx));
        restore.made_progress();
        charged = true;
        Poll::Ready(())
    })
    .await
}

/// Runs a future without a cooperative budget: Kairos resources inside it never force a
/// yield.
///
/// # Examples
///
/// ```
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let value = kairos::task::unconstrained(async { 5 }).await;
/// assert_eq!(value, 5);
/// # });
/// ```
pub fn unconstrained<F: Future>(inner: F) -> Unconstrained<F> {
    Unconstrained { inner }
}

/// The future returned by [`unconstrained`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Unconstrained<F> {
    inner: F,
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of `self`.
        let inner = unsafe { self.map_unchecked_mut(|this| &mut this.inner) };
        with_unconstrained(|| inner.poll(cx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn budget_runs_out_after_initial_units_and_restores_on_pending() {
        let mut cx = Context::from_waker(Waker::noop());
        budget(|| {
            for _ in 0..INITIAL_BUDGET {
                let guard = poll_proceed(&mut cx);
                match guard {
                    Poll::Ready(guard) => guard.made_progress(),
                    Poll::Pending => panic!("budget ran out early"),
                }
            }
            assert!(!has_budget_remaining());
            assert!(poll_proceed(&mut cx).is_pending());
        });
        // Outside `budget`, unconstrained again.
        assert!(has_budget_remaining());
        budget(|| {
            // A guard dropped without progress gives its unit back.
            for _ in 0..1000 {
                let Poll::Ready(_guard) = poll_proceed(&mut cx) else {
                    panic!("unit was not given back");
                };
            }
        });
    }

    #[test]
    fn unconstrained_ignores_budget() {
        let mut cx = Context::from_waker(Waker::noop());
        budget(|| {
            with_unconstrained(|| {
                for _ in 0..1000 {
                    let Poll::Ready(guard) = poll_proceed(&mut cx) else {
                        panic!("unconstrained ran out");
                    };
                    guard.made_progress();
                }
            });
            assert!(has_budget_remaining());
        });
    }
}
