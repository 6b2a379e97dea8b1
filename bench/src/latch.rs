//! A runtime-neutral "done" signal: set once, awaited by any number of futures on any
//! executor. Workloads use it to wait for a chain or a stream of tasks without polling in
//! a loop (which would keep a worker busy and distort what is measured).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// A flag that is set once and wakes everyone waiting for it. Clones share the flag.
#[derive(Clone, Default)]
pub struct Latch(Arc<Shared>);

#[derive(Default)]
struct Shared {
    set: AtomicBool,
    waiters: Mutex<Vec<Waker>>,
}

impl Latch {
    /// A latch not yet set.
    pub fn new() -> Latch {
        Latch::default()
    }

    /// Sets the latch and wakes its waiters.
    pub fn set(&self) {
        self.0.set.store(true, Ordering::Release);
        let waiters = std::mem::take(&mut *self.0.waiters.lock().unwrap());
        for waker in waiters {
            waker.wake();
        }
    }

    /// Whether the latch is set.
    pub fn is_set(&self) -> bool {
        self.0.set.load(Ordering::Acquire)
    }

    /// Completes once the latch is set.
    pub fn wait(&self) -> Wait {
        Wait(self.clone())
    }
}

/// The future returned by [`Latch::wait`].
pub struct Wait(Latch);

impl Future for Wait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.is_set() {
            return Poll::Ready(());
        }
        let mut waiters = self.0 .0.waiters.lock().unwrap();
        // Checked again under the lock: `set` stores the flag before it takes the lock.
        if self.0.is_set() {
            return Poll::Ready(());
        }
        if !waiters.iter().any(|waker| waker.will_wake(cx.waker())) {
            waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_registered_before_set_is_woken() {
        let latch = Latch::new();
        let waiter = {
            let latch = latch.clone();
            std::thread::spawn(move || futures_lite::future::block_on(latch.wait()))
        };
        latch.set();
        waiter.join().unwrap();
        assert!(latch.is_set());
        futures_lite::future::block_on(latch.wait());
    }
}
