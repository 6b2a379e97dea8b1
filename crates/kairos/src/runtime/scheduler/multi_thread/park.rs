//! Parking a worker: on the driver if it is free, on a condition variable otherwise.
//!
//! The runtime has one driver. A worker with nothing to do tries to take it: if it gets
//! it, it parks in the driver (which, once the reactor exists, waits for I/O events and
//! the next timer); the other idle workers park on their own condition variables. To wake
//! a worker, [`Unparker::unpark`] looks at how it parked: a condvar sleeper is signalled,
//! a driver sleeper is woken through the driver's handle.
//!
//! Per-worker `state`: EMPTY, PARKED_CONDVAR, PARKED_DRIVER or NOTIFIED. An unpark swaps
//! in NOTIFIED and acts on what it replaced; a park consumes NOTIFIED without sleeping, so
//! no wake-up is lost in either order.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
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
}

impl Shared {
    pub(super) fn new(driver: Option<Driver>) -> Arc<Shared> {
        Arc::new(Shared {
            driver: driver.map(Mutex::new),
        })
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

    /// Sleeps until unparked.
    pub(super) fn park(&mut self, handle: &driver::Handle) {
        self.inner.park(handle, None);
    }

    /// Sleeps until unparked or until `timeout` passes.
    pub(super) fn park_timeout(&mut self, handle: &driver::Handle, timeout: Duration) {
        self.inner.park(handle, Some(timeout));
    }

    /// Lets the driver process what is ready without sleeping, if no other worker is
    /// parked in it.
    pub(super) fn park_timeout_zero(&mut self, handle: &driver::Handle) {
        if let Some(mut driver) = self.inner.shared.driver.as_ref().and_then(Mutex::try_lock) {
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
    fn park(&self, handle: &driver::Handle, timeout: Option<Duration>) {
        // A short spin catches the common case of a wake-up right behind the decision to
        // park, without a system call.
        for _ in 0..3 {
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
            crate::loom::spin_loop();
        }
        if let Some(mut driver) = self.shared.driver.as_ref().and_then(Mutex::try_lock) {
            self.park_driver(&mut driver, handle, timeout);
        } else {
            self.park_condvar(timeout);
        }
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

    fn park_driver(&self, driver: &mut Driver, handle: &driver::Handle, timeout: Option<Duration>) {
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
        match timeout {
            Some(timeout) => driver.park_timeout(handle, timeout),
            None => driver.park(handle),
        }
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
