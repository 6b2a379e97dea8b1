//! `RwLock`: writers are not starved, readers share, downgrade, cancel safety, and
//! contention on both schedulers.

mod sync_support;

use kairos::sync::{RwLock, RwLockWriteGuard};
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use sync_support::poll_once;

#[test]
fn queued_writer_holds_back_later_readers() {
    let lock = RwLock::new(0);
    let reader = lock.try_read().unwrap();
    let mut writer = pin!(lock.write());
    assert!(poll_once(writer.as_mut()).is_pending());
    // A later reader waits behind the writer instead of joining the current reader.
    assert!(lock.try_read().is_err());
    let mut late_reader = pin!(lock.read());
    assert!(poll_once(late_reader.as_mut()).is_pending());
    drop(reader);
    assert!(poll_once(late_reader.as_mut()).is_pending());
    let Poll::Ready(mut guard) = poll_once(writer.as_mut()) else {
        panic!("the writer was starved");
    };
    *guard = 1;
    drop(guard);
    let Poll::Ready(value) = poll_once(late_reader.as_mut()) else {
        panic!("the reader was not let in after the writer");
    };
    assert_eq!(*value, 1);
}

#[test]
fn readers_queued_behind_a_writer_are_let_in_together() {
    let lock = RwLock::new(());
    let writer = lock.try_write().unwrap();
    let mut a = pin!(lock.read());
    let mut b = pin!(lock.read());
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    drop(writer);
    let (Poll::Ready(_a), Poll::Ready(_b)) = (poll_once(a.as_mut()), poll_once(b.as_mut())) else {
        panic!("readers were not let in together");
    };
}

#[test]
fn max_readers_bounds_concurrent_readers() {
    let lock = RwLock::with_max_readers((), 2);
    let a = lock.try_read().unwrap();
    let _b = lock.try_read().unwrap();
    assert!(lock.try_read().is_err());
    drop(a);
    assert!(lock.try_read().is_ok());
}

#[test]
fn downgrade_admits_readers_but_not_writers() {
    let lock = RwLock::new(1);
    let writer = lock.try_write().unwrap();
    let mut reader = pin!(lock.read());
    assert!(poll_once(reader.as_mut()).is_pending());
    let downgraded = RwLockWriteGuard::downgrade(writer);
    assert!(poll_once(reader.as_mut()).is_ready());
    assert!(lock.try_write().is_err());
    drop(downgraded);
    assert!(lock.try_write().is_ok());
}

#[test]
fn dropped_writer_passes_its_collected_permits_on() {
    let lock = RwLock::with_max_readers((), 2);
    let first_reader = lock.try_read().unwrap();
    let mut reader = pin!(lock.read());
    {
        let mut writer = pin!(lock.write());
        assert!(poll_once(writer.as_mut()).is_pending()); // collected the spare permit
        assert!(poll_once(reader.as_mut()).is_pending()); // queued behind the writer
    }
    // The writer's spare permit went to the reader behind it.
    assert!(poll_once(reader.as_mut()).is_ready());
    drop(first_reader);
    assert!(lock.try_write().is_ok());
}

#[test]
fn blocking_read_and_write_work_outside_a_runtime() {
    let lock = Arc::new(RwLock::new(0));
    let writer = {
        let lock = lock.clone();
        std::thread::spawn(move || *lock.blocking_write() += 1)
    };
    writer.join().unwrap();
    assert_eq!(*lock.blocking_read(), 1);
}

/// Writers keep two fields equal; readers never see them differ; no write is lost.
async fn readers_never_see_a_half_write() {
    const WRITERS: usize = 4;
    const READERS: usize = 8;
    const ROUNDS: usize = 25;
    let lock = Arc::new(RwLock::new((0usize, 0usize)));
    let mut tasks = Vec::new();
    for _ in 0..WRITERS {
        let lock = lock.clone();
        tasks.push(kairos::spawn(async move {
            for _ in 0..ROUNDS {
                let mut guard = lock.write().await;
                guard.0 += 1;
                kairos::task::yield_now().await;
                guard.1 += 1;
            }
        }));
    }
    for _ in 0..READERS {
        let lock = lock.clone();
        tasks.push(kairos::spawn(async move {
            for _ in 0..ROUNDS {
                let guard = lock.read().await;
                assert_eq!(guard.0, guard.1);
                kairos::task::yield_now().await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*lock.read().await, (WRITERS * ROUNDS, WRITERS * ROUNDS));
}

on_both_schedulers!(readers_never_see_a_half_write);
