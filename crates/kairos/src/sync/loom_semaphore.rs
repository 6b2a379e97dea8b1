//! Loom models of the batch semaphore: acquire/release hand-offs, a cancelled waiter
//! passing its permits on, partial assignment to a large request, and close.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Arc;
use crate::sync::batch_semaphore::BatchSemaphore;
use loom::future::block_on;
use loom::thread;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

/// Two threads contend for one permit: never both inside, and the permit comes back.
#[test]
fn acquire_release_is_exclusive() {
    loom::model(|| {
        let semaphore = Arc::new(BatchSemaphore::new(1));
        let inside = Arc::new(AtomicUsize::new(0));
        let other = {
            let (semaphore, inside) = (semaphore.clone(), inside.clone());
            thread::spawn(move || {
                block_on(semaphore.acquire(1)).unwrap();
                assert_eq!(inside.fetch_add(1, SeqCst), 0);
                inside.fetch_sub(1, SeqCst);
                semaphore.release(1);
            })
        };
        block_on(semaphore.acquire(1)).unwrap();
        assert_eq!(inside.fetch_add(1, SeqCst), 0);
        inside.fetch_sub(1, SeqCst);
        semaphore.release(1);
        other.join().unwrap();
        assert_eq!(semaphore.available_permits(), 1);
    });
}

/// A queued waiter is dropped while the holder releases: the permit is never lost, and a
/// third acquirer still gets it.
#[test]
fn cancelled_waiter_passes_its_permit_on() {
    loom::model(|| {
        let semaphore = Arc::new(BatchSemaphore::new(0));
        let releaser = {
            let semaphore = semaphore.clone();
            thread::spawn(move || semaphore.release(1))
        };
        let canceller = {
            let semaphore = semaphore.clone();
            thread::spawn(move || {
                let mut acquire = pin!(semaphore.acquire(1));
                let mut cx = Context::from_waker(Waker::noop());
                if acquire.as_mut().poll(&mut cx).is_ready() {
                    // Got it first: hand it back as a holder would.
                    semaphore.release(1);
                }
                // Dropped here, possibly queued and possibly already assigned.
            })
        };
        block_on(semaphore.acquire(1)).unwrap();
        releaser.join().unwrap();
        canceller.join().unwrap();
        assert_eq!(semaphore.available_permits(), 0);
        semaphore.release(1);
        assert_eq!(semaphore.available_permits(), 1);
    });
}

/// A request for two permits collects them from two separate releases while a try_acquire
/// for one races in: the newcomer never overtakes the queued request.
#[test]
fn large_request_collects_partial_releases_in_order() {
    loom::model(|| {
        let semaphore = Arc::new(BatchSemaphore::new(1));
        let releaser = {
            let semaphore = semaphore.clone();
            thread::spawn(move || semaphore.release(1))
        };
        block_on(semaphore.acquire(2)).unwrap();
        releaser.join().unwrap();
        assert_eq!(semaphore.available_permits(), 0);
        assert!(semaphore.try_acquire(1).is_err());
        semaphore.release(2);
        assert_eq!(semaphore.available_permits(), 2);
    });
}

/// Close races with a waiter that holds a partial assignment: the waiter fails (or, had
/// it been served first, succeeds), and no permit is lost either way.
#[test]
fn close_wakes_waiters_and_returns_partial_permits() {
    loom::model(|| {
        let semaphore = Arc::new(BatchSemaphore::new(1));
        let closer = {
            let semaphore = semaphore.clone();
            thread::spawn(move || semaphore.close())
        };
        let result = block_on(semaphore.acquire(2));
        closer.join().unwrap();
        assert!(result.is_err());
        assert!(semaphore.is_closed());
        assert_eq!(semaphore.available_permits(), 1);
    });
}
