//! Helpers shared by the `sync_*` integration tests: running a scenario on both schedulers,
//! polling futures by hand, and values that count their drops.
//!
//! Each test file uses only some of these.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Declares, for each listed `async fn` scenario in the file, one test on the
/// current-thread runtime and one on the multi-thread runtime with two workers.
#[macro_export]
macro_rules! on_both_schedulers {
    ($($scenario:ident),* $(,)?) => {
        mod current_thread {
            $(#[kairos::test] async fn $scenario() { super::$scenario().await })*
        }
        mod multi_thread {
            $(
                #[kairos::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() { super::$scenario().await }
            )*
        }
    };
}

/// A waker that counts how often it was woken.
#[derive(Default)]
pub struct WakeCounter(AtomicUsize);

impl WakeCounter {
    pub fn new() -> Arc<WakeCounter> {
        Arc::new(WakeCounter::default())
    }

    pub fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for WakeCounter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `future` once with `waker`.
pub fn poll_with<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// Polls `future` once with a waker that does nothing.
pub fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    poll_with(future, Waker::noop())
}

/// Counts live and dropped [`Counted`] values.
#[derive(Clone, Default)]
pub struct DropCounter(Arc<AtomicUsize>);

impl DropCounter {
    pub fn new() -> DropCounter {
        DropCounter::default()
    }

    /// A value whose drop this counter records.
    pub fn value(&self, id: usize) -> Counted {
        Counted {
            id,
            drops: self.0.clone(),
        }
    }

    pub fn dropped(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A message that records its drop in its [`DropCounter`].
#[derive(Debug)]
pub struct Counted {
    pub id: usize,
    drops: Arc<AtomicUsize>,
}

impl Clone for Counted {
    fn clone(&self) -> Counted {
        Counted {
            id: self.id,
            drops: self.drops.clone(),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}
