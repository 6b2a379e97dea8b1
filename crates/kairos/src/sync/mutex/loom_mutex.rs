//! Loom models of `Mutex`: exclusive access under contention, and a cancelled `lock` that
//! had been handed the lock passing it on.

use crate::loom::sync::Arc;
use crate::sync::Mutex;
use loom::future::block_on;
use loom::thread;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

/// Two threads increment under the lock; both increments land.
#[test]
fn lock_unlock_is_exclusive() {
    loom::model(|| {
        let lock = Arc::new(Mutex::new(0usize));
        let other = {
            let lock = lock.clone();
            thread::spawn(move || *block_on(lock.lock()) += 1)
        };
        *block_on(lock.lock()) += 1;
        other.join().unwrap();
        assert_eq!(*lock.try_lock().unwrap(), 2);
    });
}

/// A `lock` future queued behind the holder is dropped while the holder unlocks: a third
/// locker still gets the lock, and it ends up free.
#[test]
fn cancelled_lock_passes_the_lock_on() {
    loom::model(|| {
        let lock = Arc::new(Mutex::new(()));
        let held = lock.clone().try_lock_owned().unwrap();
        let canceller = {
            let lock = lock.clone();
            thread::spawn(move || {
                let mut future = pin!(lock.lock());
                let mut cx = Context::from_waker(Waker::noop());
                // Either it gets the lock (and the guard is dropped at once) or it is
                // dropped queued, possibly just after being handed the lock.
                let _ = future.as_mut().poll(&mut cx);
            })
        };
        let unlocker = thread::spawn(move || drop(held));
        drop(block_on(lock.lock()));
        canceller.join().unwrap();
        unlocker.join().unwrap();
        assert!(lock.try_lock().is_ok());
    });
}
