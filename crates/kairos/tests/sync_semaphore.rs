//! `Semaphore`: FIFO service, batch requests, cancellation, close, and contention across
//! tasks on both schedulers.

mod sync_support;

use kairos::sync::{Semaphore, TryAcquireError};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use sync_support::{poll_once, poll_with, WakeCounter};

#[test]
fn waiters_are_served_in_arrival_order() {
    let semaphore = Semaphore::new(0);
    let mut first = pin!(semaphore.acquire());
    let mut second = pin!(semaphore.acquire());
    let mut third = pin!(semaphore.acquire());
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    assert!(poll_once(third.as_mut()).is_pending());

    semaphore.add_permits(1);
    assert!(poll_once(third.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    let permit = match poll_once(first.as_mut()) {
        Poll::Ready(permit) => permit.unwrap(),
        Poll::Pending => panic!("the oldest waiter was not served first"),
    };
    drop(permit);
    assert!(poll_once(third.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_ready());
}

#[test]
fn newcomers_do_not_overtake_queued_waiters() {
    let semaphore = Semaphore::new(0);
    let mut queued = pin!(semaphore.acquire());
    assert!(poll_once(queued.as_mut()).is_pending());
    semaphore.add_permits(1);
    // The permit is already assigned to the queued waiter.
    assert_eq!(semaphore.available_permits(), 0);
    assert_eq!(
        semaphore.try_acquire().err(),
        Some(TryAcquireError::NoPermits)
    );
    assert!(poll_once(queued.as_mut()).is_ready());
}

#[test]
fn large_request_is_not_starved_by_small_ones() {
    let semaphore = Semaphore::new(1);
    let mut big = pin!(semaphore.acquire_many(3));
    let mut small = pin!(semaphore.acquire());
    assert!(poll_once(big.as_mut()).is_pending()); // takes the 1 available, misses 2
    assert!(poll_once(small.as_mut()).is_pending());
    semaphore.add_permits(1);
    assert!(poll_once(big.as_mut()).is_pending());
    assert!(poll_once(small.as_mut()).is_pending());
    semaphore.add_permits(2);
    let permit = match poll_once(big.as_mut()) {
        Poll::Ready(permit) => permit.unwrap(),
        Poll::Pending => panic!("the large request was starved"),
    };
    assert_eq!(permit.num_permits(), 3);
    assert!(poll_once(small.as_mut()).is_ready()); // got the spare one
}

#[test]
fn release_wakes_the_served_waiter_only() {
    let semaphore = Semaphore::new(0);
    let (first_waker, second_waker) = (WakeCounter::new(), WakeCounter::new());
    let mut first = pin!(semaphore.acquire());
    let mut second = pin!(semaphore.acquire());
    assert!(poll_with(first.as_mut(), &first_waker.clone().into()).is_pending());
    assert!(poll_with(second.as_mut(), &second_waker.clone().into()).is_pending());
    semaphore.add_permits(1);
    assert_eq!((first_waker.wakes(), second_waker.wakes()), (1, 0));
}

#[test]
fn dropping_an_assigned_acquire_passes_the_permits_on() {
    let semaphore = Semaphore::new(0);
    let mut next = pin!(semaphore.acquire());
    {
        let mut cancelled = pin!(semaphore.acquire_many(2));
        assert!(poll_once(cancelled.as_mut()).is_pending());
        assert!(poll_once(next.as_mut()).is_pending());
        semaphore.add_permits(1); // a partial assignment to `cancelled`
        assert!(poll_once(next.as_mut()).is_pending());
    }
    // The dropped request's permit went to the next waiter.
    let Poll::Ready(Ok(permit)) = poll_once(next.as_mut()) else {
        panic!("the cancelled request's permit was lost");
    };
    assert_eq!(semaphore.available_permits(), 0);
    drop(permit);
    assert_eq!(semaphore.available_permits(), 1);
}

#[test]
fn dropping_a_fully_served_acquire_gives_the_permits_back() {
    let semaphore = Semaphore::new(0);
    {
        let mut cancelled = pin!(semaphore.acquire_many(2));
        assert!(poll_once(cancelled.as_mut()).is_pending());
        semaphore.add_permits(2);
        // Served but never polled again: dropping it must not lose the two permits.
    }
    assert_eq!(semaphore.available_permits(), 2);
}

#[test]
fn close_fails_queued_and_later_acquires_but_keeps_held_permits_valid() {
    let semaphore = Semaphore::new(1);
    let held = semaphore.try_acquire().unwrap();
    let mut waiting = pin!(semaphore.acquire());
    assert!(poll_once(waiting.as_mut()).is_pending());
    semaphore.close();
    assert!(matches!(poll_once(waiting.as_mut()), Poll::Ready(Err(_))));
    assert_eq!(semaphore.try_acquire().err(), Some(TryAcquireError::Closed));
    drop(held);
    assert_eq!(semaphore.available_permits(), 1);
}

#[test]
fn works_under_another_executor_with_a_releasing_thread() {
    let semaphore = Arc::new(Semaphore::new(0));
    let releaser = {
        let semaphore = semaphore.clone();
        std::thread::spawn(move || semaphore.add_permits(3))
    };
    let permit = futures::executor::block_on(semaphore.acquire_many(3)).unwrap();
    assert_eq!(permit.num_permits(), 3);
    releaser.join().unwrap();
}

#[test]
#[should_panic(expected = "a semaphore cannot hold more than")]
fn adding_past_max_permits_panics() {
    let semaphore = Semaphore::new(Semaphore::MAX_PERMITS);
    semaphore.add_permits(1);
}

/// Many tasks share three permits: never more than three inside, and every task finishes.
async fn bounds_concurrency_across_tasks() {
    const TASKS: usize = 32;
    let semaphore = Arc::new(Semaphore::new(3));
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (semaphore, inside, most) = (semaphore.clone(), inside.clone(), most.clone());
        tasks.push(kairos::spawn(async move {
            for _ in 0..10 {
                let _permit = semaphore.acquire().await.unwrap();
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                kairos::task::yield_now().await;
                inside.fetch_sub(1, Ordering::SeqCst);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert!(most.load(Ordering::SeqCst) <= 3);
    assert_eq!(semaphore.available_permits(), 3);
}

/// A waiter in another task is woken with an error by `close`.
async fn close_wakes_a_waiting_task() {
    let semaphore = Arc::new(Semaphore::new(0));
    let waiter = kairos::spawn({
        let semaphore = semaphore.clone();
        async move { semaphore.acquire().await.map(|_| ()) }
    });
    // Let the waiter queue; then close. Either order must end in an error.
    kairos::task::yield_now().await;
    semaphore.close();
    assert!(waiter.await.unwrap().is_err());
}

/// Owned permits travel into spawned tasks and come back when those end.
async fn owned_permits_move_into_tasks() {
    let semaphore = Arc::new(Semaphore::new(2));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let permit = semaphore.clone().acquire_owned().await.unwrap();
        tasks.push(kairos::spawn(async move {
            kairos::task::yield_now().await;
            drop(permit);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(semaphore.available_permits(), 2);
}

/// A task that always finds a permit still yields to its neighbours (cooperative budget).
///
/// Only on the current-thread scheduler: with two workers the neighbour may run in
/// parallel (or, on a loaded machine, only after the busy task is done), so the outcome
/// would not depend on the budget alone.
#[kairos::test]
async fn always_ready_acquire_yields_to_other_tasks() {
    let semaphore = Arc::new(Semaphore::new(1));
    let ran = Arc::new(AtomicUsize::new(0));
    let busy = kairos::spawn({
        let (semaphore, ran) = (semaphore.clone(), ran.clone());
        async move {
            // Without the budget this loop would not give the current-thread scheduler
            // back to `neighbour` before it gives up.
            for _ in 0..10_000 {
                if ran.load(Ordering::SeqCst) == 1 {
                    return true;
                }
                drop(semaphore.acquire().await.unwrap());
            }
            false
        }
    });
    let neighbour = kairos::spawn({
        let ran = ran.clone();
        async move {
            ran.store(1, Ordering::SeqCst);
        }
    });
    assert!(busy.await.unwrap(), "the neighbour never ran");
    neighbour.await.unwrap();
}

on_both_schedulers!(
    bounds_concurrency_across_tasks,
    close_wakes_a_waiting_task,
    owned_permits_move_into_tasks,
);
