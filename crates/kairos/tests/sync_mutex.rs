//! `Mutex`: FIFO hand-off, cancel safety, owned and mapped guards, blocking use, and
//! contention across tasks on both schedulers.

mod sync_support;

use kairos::sync::{Mutex, MutexGuard, OwnedMutexGuard};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use sync_support::poll_once;

#[test]
fn waiters_get_the_lock_in_arrival_order() {
    let lock = Mutex::new(Vec::new());
    let held = lock.try_lock().unwrap();
    let mut first = pin!(async {
        lock.lock().await.push(1);
    });
    let mut second = pin!(async {
        lock.lock().await.push(2);
    });
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    // A newcomer cannot barge in while others wait.
    drop(held);
    assert!(lock.try_lock().is_err());
    assert!(poll_once(second.as_mut()).is_pending());
    assert!(poll_once(first.as_mut()).is_ready());
    assert!(poll_once(second.as_mut()).is_ready());
    assert_eq!(*lock.try_lock().unwrap(), [1, 2]);
}

#[test]
fn dropping_a_lock_future_that_was_handed_the_lock_passes_it_on() {
    let lock = Mutex::new(0);
    let held = lock.try_lock().unwrap();
    let mut next = pin!(lock.lock());
    {
        let mut cancelled = pin!(lock.lock());
        assert!(poll_once(cancelled.as_mut()).is_pending());
        assert!(poll_once(next.as_mut()).is_pending());
        drop(held); // hands the lock to `cancelled`, which is dropped unpolled
    }
    let Poll::Ready(mut guard) = poll_once(next.as_mut()) else {
        panic!("the lock was lost with the cancelled future");
    };
    *guard += 1;
}

#[test]
fn mapped_guards_keep_the_lock_until_dropped() {
    let lock = Mutex::new((1, String::from("a")));
    let mut name = MutexGuard::map(lock.try_lock().unwrap(), |pair| &mut pair.1);
    name.push('b');
    assert!(lock.try_lock().is_err());
    drop(name);
    assert_eq!(lock.try_lock().unwrap().1, "ab");

    let lock = Arc::new(lock);
    let number = OwnedMutexGuard::map(lock.clone().try_lock_owned().unwrap(), |p| &mut p.0);
    assert!(lock.try_lock().is_err());
    drop(number);
    assert!(lock.try_lock().is_ok());
}

#[test]
fn unsized_values_can_be_locked() {
    let lock: Arc<Mutex<[u32]>> = Arc::new(Mutex::new([1, 2, 3]));
    lock.try_lock().unwrap()[1] = 5;
    assert_eq!(&*lock.try_lock().unwrap(), &[1, 5, 3]);
    let lock: Box<Mutex<dyn std::fmt::Debug + Send>> = Box::new(Mutex::new(7));
    assert_eq!(format!("{:?}", lock.try_lock().unwrap()), "7");
}

#[test]
fn blocking_lock_waits_for_an_async_holder() {
    let lock = Arc::new(Mutex::new(0));
    let rt = kairos::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let release = Arc::new(kairos::sync::Notify::new());
    let holder = {
        let (lock, release) = (lock.clone(), release.clone());
        std::thread::spawn(move || {
            rt.block_on(async move {
                let mut guard = lock.lock().await;
                locked_tx.send(()).unwrap();
                release.notified().await;
                *guard += 1;
            })
        })
    };
    locked_rx.recv().unwrap();
    release.notify_one();
    *lock.blocking_lock() += 1;
    holder.join().unwrap();
    assert_eq!(*lock.blocking_lock(), 2);
}

#[kairos::test]
#[should_panic(expected = "blocks the current thread")]
async fn blocking_lock_inside_a_runtime_panics() {
    let lock = Mutex::new(0);
    let _ = lock.blocking_lock();
}

/// Tasks increment under the lock while yielding inside the critical section: no update
/// is lost and nobody is ever inside together.
async fn increments_under_contention_are_not_lost() {
    const TASKS: usize = 16;
    const ROUNDS: usize = 50;
    let lock = Arc::new(Mutex::new((0usize, false)));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let lock = lock.clone();
        tasks.push(kairos::spawn(async move {
            for _ in 0..ROUNDS {
                let mut guard = lock.lock().await;
                assert!(!guard.1, "two tasks inside the lock");
                guard.1 = true;
                kairos::task::yield_now().await;
                guard.0 += 1;
                guard.1 = false;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(lock.lock().await.0, TASKS * ROUNDS);
}

/// Owned guards travel into spawned tasks.
async fn owned_guard_moves_into_a_task() {
    let lock = Arc::new(Mutex::new(0));
    let mut guard = lock.clone().lock_owned().await;
    let task = kairos::spawn(async move {
        kairos::task::yield_now().await;
        *guard += 1;
    });
    task.await.unwrap();
    assert_eq!(*lock.lock().await, 1);
}

on_both_schedulers!(
    increments_under_contention_are_not_lost,
    owned_guard_moves_into_a_task
);
