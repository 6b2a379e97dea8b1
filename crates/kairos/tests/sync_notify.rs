//! `Notify`: stored permits, FIFO and LIFO picks, `notify_waiters`, forwarding from a
//! dropped waiter, owned `Notified` futures, and ping-pong between tasks on both
//! schedulers.

mod sync_support;

use kairos::sync::Notify;
use std::pin::pin;
use std::sync::Arc;
use sync_support::{poll_once, poll_with, WakeCounter};

#[test]
fn notify_one_without_waiters_stores_exactly_one_permit() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_one();
    assert!(poll_once(pin!(notify.notified())).is_ready());
    assert!(poll_once(pin!(notify.notified())).is_pending());
}

#[test]
fn notify_one_picks_the_oldest_waiter_and_notify_last_the_newest() {
    let notify = Notify::new();
    let mut a = pin!(notify.notified());
    let mut b = pin!(notify.notified());
    let mut c = pin!(notify.notified());
    assert!(poll_once(a.as_mut()).is_pending());
    assert!(poll_once(b.as_mut()).is_pending());
    assert!(poll_once(c.as_mut()).is_pending());
    notify.notify_one();
    assert!(poll_once(b.as_mut()).is_pending());
    assert!(poll_once(c.as_mut()).is_pending());
    assert!(poll_once(a.as_mut()).is_ready());
    notify.notify_last();
    assert!(poll_once(b.as_mut()).is_pending());
    assert!(poll_once(c.as_mut()).is_ready());
    notify.notify_one();
    assert!(poll_once(b.as_mut()).is_ready());
}

#[test]
fn notify_one_wakes_the_picked_waiter() {
    let notify = Notify::new();
    let wakes = WakeCounter::new();
    let mut notified = pin!(notify.notified());
    assert!(poll_with(notified.as_mut(), &wakes.clone().into()).is_pending());
    notify.notify_one();
    assert_eq!(wakes.wakes(), 1);
    assert!(poll_once(notified.as_mut()).is_ready());
}

#[test]
fn notify_waiters_wakes_everyone_waiting_and_stores_nothing() {
    let notify = Notify::new();
    let mut a = pin!(notify.notified());
    let mut b = pin!(notify.notified());
    assert!(poll_once(a.as_mut()).is_pending());
    let not_yet_polled = notify.notified();
    notify.notify_waiters();
    let later = notify.notified();
    assert!(poll_once(a.as_mut()).is_ready());
    // `b` was created before the call, so it sees it even though it was never queued.
    assert!(poll_once(b.as_mut()).is_ready());
    assert!(poll_once(pin!(not_yet_polled)).is_ready());
    assert!(poll_once(pin!(later)).is_pending());
}

#[test]
fn notify_waiters_leaves_a_stored_permit_alone() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_waiters();
    assert!(poll_once(pin!(notify.notified())).is_ready());
}

#[test]
fn enable_queues_before_the_first_poll() {
    let notify = Notify::new();
    let mut notified = pin!(notify.notified());
    assert!(!notified.as_mut().enable());
    notify.notify_one();
    // The notification went to the enabled future, not into a stored permit.
    assert!(poll_once(pin!(notify.notified())).is_pending());
    assert!(notified.as_mut().enable());
    assert!(poll_once(notified.as_mut()).is_ready());
}

#[test]
fn dropped_waiter_passes_its_notification_on() {
    let notify = Notify::new();
    let mut next = pin!(notify.notified());
    {
        let mut picked = pin!(notify.notified());
        assert!(poll_once(picked.as_mut()).is_pending());
        assert!(poll_once(next.as_mut()).is_pending());
        notify.notify_one(); // picks `picked`, which is dropped without completing
    }
    assert!(poll_once(next.as_mut()).is_ready());
}

#[test]
fn dropped_waiter_stores_its_notification_when_nobody_else_waits() {
    let notify = Notify::new();
    {
        let mut picked = pin!(notify.notified());
        assert!(poll_once(picked.as_mut()).is_pending());
        notify.notify_one();
    }
    assert!(poll_once(pin!(notify.notified())).is_ready());
}

#[test]
fn dropped_waiter_does_not_pass_on_a_notify_waiters() {
    let notify = Notify::new();
    {
        let mut woken = pin!(notify.notified());
        assert!(poll_once(woken.as_mut()).is_pending());
        notify.notify_waiters();
    }
    assert!(poll_once(pin!(notify.notified())).is_pending());
}

#[test]
fn works_under_another_executor_with_a_notifying_thread() {
    let notify = Arc::new(Notify::new());
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let notifier = {
        let notify = notify.clone();
        std::thread::spawn(move || {
            ready_rx.recv().unwrap();
            notify.notify_one();
        })
    };
    futures::executor::block_on(async {
        let mut notified = pin!(notify.notified());
        notified.as_mut().enable();
        ready_tx.send(()).unwrap();
        notified.await;
    });
    notifier.join().unwrap();
}

#[test]
fn owned_notified_follows_the_same_rules() {
    let notify = Arc::new(Notify::new());
    // A stored permit, taken by the first poll.
    notify.notify_one();
    assert!(poll_once(pin!(notify.clone().notified_owned())).is_ready());
    // Oldest first, and a dropped owned waiter passes its notification on.
    let mut next = pin!(notify.clone().notified_owned());
    {
        let mut picked = pin!(notify.clone().notified_owned());
        assert!(poll_once(picked.as_mut()).is_pending());
        assert!(poll_once(next.as_mut()).is_pending());
        notify.notify_one();
    }
    assert!(poll_once(next.as_mut()).is_ready());
    // `enable` queues it; `notify_waiters` reaches it.
    let mut enabled = pin!(notify.clone().notified_owned());
    assert!(!enabled.as_mut().enable());
    notify.notify_waiters();
    assert!(enabled.as_mut().enable());
    // No reference is left behind.
    assert_eq!(Arc::strong_count(&notify), 1 + 2);
}

/// An owned `Notified` moves into a spawned task, created before the notification.
async fn owned_notified_in_spawned_tasks() {
    const TASKS: usize = 16;
    let notify = Arc::new(Notify::new());
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| kairos::spawn(notify.clone().notified_owned()))
        .collect();
    // Created before the call: every one of them completes, polled yet or not.
    notify.notify_waiters();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(Arc::strong_count(&notify), 1);
}

/// Two tasks hand a turn back and forth through two `Notify`s.
async fn ping_pong_between_tasks() {
    const ROUNDS: usize = 500;
    let ping = Arc::new(Notify::new());
    let pong = Arc::new(Notify::new());
    let other = kairos::spawn({
        let (ping, pong) = (ping.clone(), pong.clone());
        async move {
            for _ in 0..ROUNDS {
                ping.notified().await;
                pong.notify_one();
            }
        }
    });
    for _ in 0..ROUNDS {
        ping.notify_one();
        pong.notified().await;
    }
    other.await.unwrap();
}

/// `notify_waiters` reaches every task that registered before the call.
async fn notify_waiters_reaches_every_registered_task() {
    const TASKS: usize = 16;
    let notify = Arc::new(Notify::new());
    let registered = Arc::new(kairos::sync::Semaphore::new(0));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (notify, registered) = (notify.clone(), registered.clone());
        tasks.push(kairos::spawn(async move {
            let mut notified = pin!(notify.notified());
            notified.as_mut().enable();
            registered.add_permits(1);
            notified.await;
        }));
    }
    registered
        .acquire_many(TASKS as u32)
        .await
        .unwrap()
        .forget();
    notify.notify_waiters();
    for task in tasks {
        task.await.unwrap();
    }
}

on_both_schedulers!(
    ping_pong_between_tasks,
    notify_waiters_reaches_every_registered_task,
    owned_notified_in_spawned_tasks
);
