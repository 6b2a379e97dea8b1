//! Parking an OS thread until it is woken: the building block under `block_on` outside a
//! runtime, the blocking channel operations, and idle workers when no driver is enabled.
//!
//! Protocol: `state` is EMPTY, PARKED or NOTIFIED. `unpark` swaps in NOTIFIED; if it saw
//! PARKED it takes the mutex (so the sleeper is either before its wait, and will see
//! NOTIFIED, or inside it) and signals the condvar. `park` consumes a NOTIFIED without
//! sleeping; otherwise it moves EMPTY -> PARKED under the mutex and waits until the state
//! is NOTIFIED (spurious condvar wake-ups loop), then resets it to EMPTY. A notification
//! is never lost and at most one is remembered.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Condvar, Mutex};
use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// Parks the thread that owns it.
#[derive(Debug)]
pub(crate) struct ParkThread {
    inner: Arc<Inner>,
}

/// Wakes the [`ParkThread`] it came from; cheap to clone, usable from any thread.
#[derive(Debug, Clone)]
pub(crate) struct UnparkThread {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

impl ParkThread {
    pub(crate) fn new() -> ParkThread {
        ParkThread {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
            }),
        }
    }

    pub(crate) fn unpark_handle(&self) -> UnparkThread {
        UnparkThread {
            inner: self.inner.clone(),
        }
    }

    /// Blocks until notified (returns at once if a notification is pending).
    pub(crate) fn park(&self) {
        self.inner.park(None);
    }

    /// Blocks until notified or until `timeout` passes.
    pub(crate) fn park_timeout(&self, timeout: Duration) {
        self.inner.park(Some(timeout));
    }
}

impl UnparkThread {
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }

    /// A waker that unparks this thread. The inner `Arc` makes cloning it allocation-free.
    pub(crate) fn into_waker(self) -> Waker {
        Waker::from(self.inner)
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) {
        // Fast path: a notification is already waiting.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }
        let mut guard = self.mutex.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Notified between the fast path and taking the lock.
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => unreachable!("park state {actual} while parking"),
        }
        match timeout {
            None => loop {
                guard = self.condvar.wait(guard);
                if self
                    .state
                    .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                    .is_ok()
                {
                    return;
                }
            },
            Some(timeout) => {
                let (_guard, _timed_out) = self.condvar.wait_timeout(guard, timeout);
                // Whether notified or timed out, leave the state EMPTY: a notification that
                // raced with the timeout is consumed here, which is fine because the caller
                // re-checks its condition after every return.
                self.state.swap(EMPTY, SeqCst);
            }
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                // Taking the lock orders this notify after the sleeper entered its wait.
                drop(self.mutex.lock());
                self.condvar.notify_one();
            }
            actual => unreachable!("park state {actual} while unparking"),
        }
    }
}

impl std::task::Wake for Inner {
    fn wake(self: std::sync::Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.unpark();
    }
}

thread_local! {
    static CURRENT_PARKER: (ParkThread, Waker) = {
        let park = ParkThread::new();
        let waker = park.unpark_handle().into_waker();
        (park, waker)
    };
}

/// Runs `future` to completion on the current thread, parking it while the future waits.
///
/// `operation` names the API for the panic message: blocking inside a runtime would stall
/// every task on that worker, so it is refused (use `.await` there instead).
///
/// # Panics
///
/// When called from a thread that is running Kairos tasks.
#[track_caller]
pub(crate) fn block_on<F: Future>(operation: &str, future: F) -> F::Output {
    crate::runtime::context::assert_may_block(operation);
    block_on_unchecked(future)
}

/// As [`block_on`], without the check (the caller has entered the runtime on purpose).
pub(crate) fn block_on_unchecked<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    CURRENT_PARKER.with(|(park, waker)| {
        let mut cx = Context::from_waker(waker);
        loop {
            if let Poll::Ready(output) = crate::task::coop::budget(|| future.as_mut().poll(&mut cx))
            {
                return output;
            }
            park.park();
        }
    })
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn notification_before_park_is_not_lost() {
        let park = ParkThread::new();
        park.unpark_handle().unpark();
        park.park(); // returns at once
    }

    #[test]
    fn unpark_from_other_thread_wakes_parked_thread() {
        let park = ParkThread::new();
        let unpark = park.unpark_handle();
        let thread = std::thread::spawn(move || unpark.unpark());
        park.park();
        thread.join().unwrap();
    }

    #[test]
    fn block_on_drives_a_future_woken_from_another_thread() {
        let (tx, rx) = std::sync::mpsc::channel::<Waker>();
        let mut done = false;
        let thread = std::thread::spawn(move || rx.recv().unwrap().wake());
        let value = block_on(
            "test",
            std::future::poll_fn(|cx| {
                if done {
                    Poll::Ready(7)
                } else {
                    done = true;
                    tx.send(cx.waker().clone()).unwrap();
                    Poll::Pending
                }
            }),
        );
        assert_eq!(value, 7);
        thread.join().unwrap();
    }
}

#[cfg(all(test, loom))]
mod loom_park {
    use super::*;

    #[test]
    fn unpark_is_never_lost() {
        loom::model(|| {
            let park = ParkThread::new();
            let unpark = park.unpark_handle();
            let thread = loom::thread::spawn(move || unpark.unpark());
            park.park();
            thread.join().unwrap();
        });
    }
}
