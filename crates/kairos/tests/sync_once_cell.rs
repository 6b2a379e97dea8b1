//! `OnceCell` and `SetOnce`: the initialiser runs once, failed or cancelled initialisation
//! lets the next caller try, values are dropped exactly once, and waiting across tasks.

mod sync_support;

use kairos::sync::{OnceCell, SetError, SetOnce};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use sync_support::{poll_once, DropCounter};

#[test]
fn cancelled_initialisation_lets_the_next_caller_initialise() {
    let cell = OnceCell::new();
    let mut next = pin!(cell.get_or_init(|| async { 2 }));
    {
        let mut cancelled = pin!(cell.get_or_init(std::future::pending::<i32>));
        assert!(poll_once(cancelled.as_mut()).is_pending()); // holds the right to initialise
        assert!(poll_once(next.as_mut()).is_pending()); // queued behind it
        assert!(matches!(cell.set(9), Err(SetError::InitializingError(9))));
    }
    assert_eq!(poll_once(next.as_mut()), Poll::Ready(&2));
}

#[test]
fn failed_initialisation_leaves_the_cell_empty() {
    let cell = OnceCell::new();
    let result = poll_once(pin!(cell.get_or_try_init(|| async { Err::<u8, _>("boom") })));
    assert_eq!(result, Poll::Ready(Err("boom")));
    assert!(!cell.initialized());
    assert!(cell.set(1).is_ok());
    assert_eq!(cell.get(), Some(&1));
}

#[test]
fn once_cell_values_are_dropped_exactly_once() {
    let drops = DropCounter::new();
    let cell = OnceCell::new();
    cell.set(drops.value(0)).unwrap();
    let refused = cell.set(drops.value(1)).unwrap_err();
    assert!(refused.is_already_init_err());
    drop(refused);
    assert_eq!(drops.dropped(), 1);
    let mut cell = cell;
    let taken = cell.take().unwrap();
    assert!(cell.get_mut().is_none());
    drop(taken);
    assert_eq!(drops.dropped(), 2);
    cell.set(drops.value(2)).unwrap();
    drop(cell);
    assert_eq!(drops.dropped(), 3);
    let once = SetOnce::new();
    once.set(drops.value(3)).unwrap();
    drop(once.set(drops.value(4)).unwrap_err());
    drop(once);
    assert_eq!(drops.dropped(), 5);
}

#[test]
fn statics_can_be_built_in_constants() {
    static CELL: OnceCell<u32> = OnceCell::const_new();
    static READY: SetOnce<&str> = SetOnce::const_new();
    assert_eq!(
        poll_once(pin!(CELL.get_or_init(|| async { 7 }))),
        Poll::Ready(&7)
    );
    READY.set("yes").unwrap();
    assert_eq!(poll_once(pin!(READY.wait())), Poll::Ready(&"yes"));
}

#[test]
fn set_once_wakes_a_waiter_on_another_executor() {
    let cell = Arc::new(SetOnce::new());
    let setter = {
        let cell = cell.clone();
        std::thread::spawn(move || cell.set(String::from("done")).unwrap())
    };
    assert_eq!(futures::executor::block_on(cell.wait()), "done");
    setter.join().unwrap();
}

/// Many tasks race to initialise; the (yielding) initialiser runs once.
async fn initialiser_runs_once_across_tasks() {
    let cell = Arc::new(OnceCell::new());
    let runs = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (cell, runs) = (cell.clone(), runs.clone());
            kairos::spawn(async move {
                *cell
                    .get_or_init(|| async {
                        kairos::task::yield_now().await;
                        runs.fetch_add(1, Ordering::SeqCst) + 100
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 100);
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

/// Tasks wait on a `SetOnce` set by another task.
async fn set_once_releases_every_waiting_task() {
    let cell = Arc::new(SetOnce::new());
    let waiters: Vec<_> = (0..8)
        .map(|_| {
            let cell = cell.clone();
            kairos::spawn(async move { *cell.wait().await })
        })
        .collect();
    kairos::task::yield_now().await;
    cell.set(42).unwrap();
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap(), 42);
    }
}

on_both_schedulers!(
    initialiser_runs_once_across_tasks,
    set_once_releases_every_waiting_task
);
