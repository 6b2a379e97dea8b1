//! `watch`: change notification across tasks, closing from either side, versions per
//! receiver, `wait_for`, and cancel safety of `changed`.

mod sync_support;

use kairos::sync::watch;
use std::pin::pin;
use std::task::Poll;
use sync_support::poll_once;

#[test]
fn each_receiver_tracks_what_it_has_seen() {
    let (tx, mut a) = watch::channel(0);
    let mut b = a.clone();
    tx.send(1).unwrap();
    assert_eq!(*a.borrow_and_update(), 1);
    assert!(!a.has_changed().unwrap());
    assert!(b.has_changed().unwrap());
    let late = tx.subscribe();
    assert!(!late.has_changed().unwrap());
    b.mark_unchanged();
    assert!(!b.has_changed().unwrap());
    b.mark_changed();
    assert!(poll_once(pin!(b.changed())).is_ready());
}

#[test]
fn send_fails_without_receivers_but_send_replace_stores() {
    let (tx, rx) = watch::channel(String::from("a"));
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(String::from("b")).unwrap_err().0, "b");
    assert_eq!(*tx.borrow(), "a");
    assert_eq!(tx.send_replace(String::from("c")), "a");
    assert_eq!(*tx.subscribe().borrow(), "c");
}

#[test]
fn last_sender_drop_ends_changed_after_the_last_change() {
    let (tx, mut rx) = watch::channel(0);
    let tx2 = tx.clone();
    tx.send(1).unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    drop(tx2);
    assert!(rx.is_closed());
    assert!(rx.has_changed().is_err());
    // The change made before closing is still reported, then the close.
    assert!(matches!(poll_once(pin!(rx.changed())), Poll::Ready(Ok(()))));
    assert!(matches!(poll_once(pin!(rx.changed())), Poll::Ready(Err(_))));
}

#[test]
fn cancelled_changed_keeps_the_change_for_the_next_call() {
    let (tx, mut rx) = watch::channel(0);
    {
        let mut changed = pin!(rx.changed());
        assert!(poll_once(changed.as_mut()).is_pending());
        tx.send(1).unwrap();
    }
    assert!(rx.has_changed().unwrap());
    assert!(poll_once(pin!(rx.changed())).is_ready());
    assert_eq!(*rx.borrow(), 1);
}

#[test]
fn wait_for_checks_the_current_value_first() {
    let (tx, mut rx) = watch::channel(7);
    match poll_once(pin!(rx.wait_for(|n| *n == 7))) {
        Poll::Ready(Ok(value)) => assert_eq!(*value, 7),
        _ => panic!("the current value satisfied the condition"),
    }
    drop(tx);
    assert!(matches!(
        poll_once(pin!(rx.wait_for(|n| *n == 8))),
        Poll::Ready(Err(_))
    ));
}

#[test]
fn works_under_another_executor_with_a_sending_thread() {
    let (tx, mut rx) = watch::channel(0);
    let sender = std::thread::spawn(move || {
        for i in 1..=50 {
            tx.send(i).unwrap();
        }
    });
    futures::executor::block_on(async {
        let value = rx.wait_for(|n| *n == 50).await.unwrap();
        assert_eq!(*value, 50);
    });
    sender.join().unwrap();
}

/// A watcher in another task sees a non-decreasing sequence that ends with the last value.
async fn watcher_sees_the_latest_value() {
    let (tx, mut rx) = watch::channel(0u32);
    let watcher = kairos::spawn(async move {
        let mut last = 0;
        while rx.changed().await.is_ok() {
            let now = *rx.borrow_and_update();
            assert!(now >= last, "went back from {last} to {now}");
            last = now;
        }
        last
    });
    for i in 1..=200 {
        tx.send(i).unwrap();
        if i % 10 == 0 {
            kairos::task::yield_now().await;
        }
    }
    drop(tx);
    assert_eq!(watcher.await.unwrap(), 200);
}

/// `Sender::closed` completes when every receiver is gone.
async fn sender_closed_waits_for_every_receiver() {
    let (tx, rx) = watch::channel(());
    let rx2 = rx.clone();
    kairos::spawn(async move {
        kairos::task::yield_now().await;
        drop(rx);
        kairos::task::yield_now().await;
        drop(rx2);
    });
    tx.closed().await;
    assert_eq!(tx.receiver_count(), 0);
}

/// Many watchers wait for a condition set by one task.
async fn many_watchers_wait_for_a_condition() {
    let (tx, rx) = watch::channel(false);
    let watchers: Vec<_> = (0..16)
        .map(|_| {
            let mut rx = rx.clone();
            kairos::spawn(async move { *rx.wait_for(|ready| *ready).await.unwrap() })
        })
        .collect();
    kairos::task::yield_now().await;
    tx.send_modify(|ready| *ready = true);
    for watcher in watchers {
        assert!(watcher.await.unwrap());
    }
}

on_both_schedulers!(
    watcher_sees_the_latest_value,
    sender_closed_waits_for_every_receiver,
    many_watchers_wait_for_a_condition,
);
