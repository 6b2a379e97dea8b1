//! Parking a worker: in the driver, or on a condition variable.
//!
//! The runtime has one driver. A worker with nothing to do parks in it (which waits for
//! I/O events and the next timer) when it may and the driver is free; other idle workers
//! park on their own condition variables. Which workers may is the scheduler's choice
//! (`worker.rs`: the last one to go idle, while the others are busy polling the driver
//! between tasks). To wake a worker, [`Unparker::unpark`] looks at how it parked: a
//! condvar sleeper is signalled, a driver sleeper is woken through the driver's handle.
//!
//! Per-worker `state`: EMPTY, PARKED_CONDVAR, PARKED_DRIVER or NOTIFIED. An unpark swaps
//! in NOTIFIED and acts on what it replaced; a park consumes NOTIFIED without sleeping, so
//! no wake-up is lost in either order.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::runtime::driver::{self, Driver};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// The parking side, owned by one worker's core.
pub(super) struct Parker {
    inner: Arc<Inner>,
}

/// The waking side of one worker.
#[derive(Clone)]
pub(super) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
    shared: Arc<Shared>,
}

/// The driver all workers share; `None` when it runs on a thread of its own (workers
/// then always park on their condition variables).
pub(super) struct Shared {
    driver: Option<Mutex<Driver>>,
    /// Bumped at every turn of the driver (wrapping): a watcher that sees it unchanged for
    /// a whole round knows nobody has looked at I/O and timers since.
    turns: AtomicUsize,
}

impl Shared {
    pub(super) fn new(driver: Option<Driver>) -> Arc<Shared> {
        Arc::new(Shared {
            driver: driver.map(Mutex::new),
            turns: AtomicUsize::new(0),
        })
    }

    /// How many times a worker has turned the driver (wrapping).
    pub(super) fn driver_turns(&self) -> usize {
        self.turns.load(Relaxed)
    }

    /// Stops the driver if no worker is parked in it (a shutdown that gave up waiting for
    /// a worker stuck in a poll: the resources must still learn the runtime is gone).
    /// Stopping twice is harmless.
    pub(super) fn shutdown_driver_if_free(&self, handle: &driver::Handle) {
        if let Some(mut driver) = self.driver.as_ref().and_then(Mutex::try_lock) {
            driver.shutdown(handle);
        }
    }
}

impl Parker {
    pub(super) fn new(shared: Arc<Shared>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
                shared,
            }),
        }
    }

    pub(super) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Sleeps until unparked: in the driver if it is free, else on the condvar.
    pub(super) fn park(&mut self, handle: &driver::Handle) {
        if self.inner.consume_notification() {
            return;
        }
        if let Some(mut driver) = self.inner.shared.driver.as_ref().and_then(Mutex::try_lock) {
            self.inner.park_driver(&mut driver, handle);
        } else {
            self.inner.park_condvar(None);
        }
    }

    /// Sleeps on the condvar, leaving the driver to others, until unparked or until
    /// `timeout` (if any) passes.
    pub(super) fn park_off_driver(&mut self, timeout: Option<Duration>) {
        if !self.inner.consume_notification() {
            self.inner.park_condvar(timeout);
        }
    }

    /// Lets the driver process what is ready without sleeping, if no other worker is
    /// parked in it.
    pub(super) fn park_timeout_zero(&mut self, handle: &driver::Handle) {
        let shared = &self.inner.shared;
        if let Some(mut driver) = shared.driver.as_ref().and_then(Mutex::try_lock) {
            shared.turns.fetch_add(1, Relaxed);
            driver.park_timeout(handle, Duration::ZERO);
        }
    }

    /// Stops the driver (runtime shutdown); the caller is the last worker out.
    pub(super) fn shutdown(&mut self, handle: &driver::Handle) {
        if let Some(driver) = &self.inner.shared.driver {
            driver.lock().shutdown(handle);
        }
        self.inner.condvar.notify_all();
    }
}

impl Unparker {
    pub(super) fn unpark(&self, handle: &driver::Handle) {
        self.inner.unpark(handle);
    }
}

impl Inner {
    /// Takes a pending notification, if one comes within a short spin: that catches the
    /// common case of a wake-up right behind the decision to park, without a system call.
    fn consume_notification(&self) -> bool {
        for _ in 0..3 {
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return true;
            }
            crate::loom::spin_loop();
        }
        false
    }

    fn park_condvar(&self, timeout: Option<Duration>) {
        let mut guard = self.mutex.lock();
        match self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => unreachable!("worker park state {actual}"),
        }
        if let Some(timeout) = timeout {
            let _ = self.condvar.wait_timeout(guard, timeout);
            // Notified or timed out, the state goes back to EMPTY; the caller re-checks.
            match self.state.swap(EMPTY, SeqCst) {
                NOTIFIED | PARKED_CONDVAR => return,
                actual => unreachable!("worker park state {actual} after a timed wait"),
            }
        }
        loop {
            guard = self.condvar.wait(guard);
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }

    fn park_driver(&self, driver: &mut Driver, handle: &driver::Handle) {
        match self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
        {
            Ok(_) => {}
            Err(NOTIFIED) => {
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => unreachable!("worker park state {actual}"),
        }
        self.shared.turns.fetch_add(1, Relaxed);
        driver.park(handle);
        match self.state.swap(EMPTY, SeqCst) {
            // Either state is fine: the driver may return without an unpark (an I/O event).
            NOTIFIED | PARKED_DRIVER => {}
            actual => unreachable!("worker park state {actual} after the driver"),
        }
    }

    fn unpark(&self, handle: &driver::Handle) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                // Taking the lock orders the signal after the sleeper's wait began.
                drop(self.mutex.lock());
                self.condvar.notify_one();
            }
            PARKED_DRIVER => handle.unpark(),
            actual => unreachable!("worker park state {actual}"),
        }
    }
}

#[cfg(all(test, loom))]
mod loom_park {
    use super::*;
    use loom::thread;

    /// Two workers park while a third thread unparks both: neither sleeps forever,
    /// whichever of them holds the driver.
    #[test]
    fn unpark_reaches_condvar_and_driver_sleepers() {
        loom::model(|| {
            let (driver, handle) = Driver::new(Default::default()).unwrap();
            let handle = Arc::new(handle);
            let shared = Shared::new(Some(driver));
            let mut first = Parker::new(shared.clone());
            let mut second = Parker::new(shared);
            let (u1, u2) = (first.unparker(), second.unparker());
            let h = handle.clone();
            let waker = thread::spawn(move || {
                u1.unpark(&h);
                u2.unpark(&h);
            });
            let h = handle.clone();
            let other = thread::spawn(move || second.park(&h));
            first.park(&handle);
            other.join().unwrap();
            waker.join().unwrap();
        });
    }
}
