//! `oneshot`: delivery across tasks and threads, closed channels in both directions,
//! values dropped exactly once, and cancel safety of the receiver.

mod sync_support;

use kairos::sync::oneshot::{self, error::TryRecvError};
use std::pin::Pin;
use sync_support::{poll_once, DropCounter};

#[test]
fn value_in_flight_is_dropped_once_with_the_channel() {
    let drops = DropCounter::new();
    let (tx, rx) = oneshot::channel();
    tx.send(drops.value(1)).unwrap();
    assert_eq!(drops.dropped(), 0);
    drop(rx);
    assert_eq!(drops.dropped(), 1);
}

#[test]
fn send_to_a_dropped_receiver_gives_the_value_back() {
    let drops = DropCounter::new();
    let (tx, rx) = oneshot::channel();
    drop(rx);
    let returned = tx.send(drops.value(1)).unwrap_err();
    assert_eq!((returned.id, drops.dropped()), (1, 0));
    drop(returned);
    assert_eq!(drops.dropped(), 1);
}

#[test]
fn cancelled_receive_leaves_the_value_in_the_channel() {
    let (tx, mut rx) = oneshot::channel();
    // A receive that is polled and then abandoned (as a losing `select!` branch would be).
    assert!(poll_once(Pin::new(&mut &mut rx)).is_pending());
    tx.send("kept").unwrap();
    assert_eq!(rx.try_recv(), Ok("kept"));
}

/// Both halves of many channels finish at once on two threads (sends, drops unsent,
/// receives, closes, drops after a poll): every value is dropped exactly once, whichever
/// half frees the shared allocation (CI runs this under AddressSanitizer, which also
/// catches an allocation freed twice or never).
#[test]
fn halves_finishing_on_two_threads_drop_every_value_once() {
    const CHANNELS: usize = 20_000;
    let drops = DropCounter::new();
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..CHANNELS).map(|_| oneshot::channel()).unzip();
    let start = std::sync::Arc::new(std::sync::Barrier::new(2));
    let sending = {
        let (drops, start) = (drops.clone(), start.clone());
        std::thread::spawn(move || {
            start.wait();
            let mut sent = 0;
            for (i, tx) in senders.into_iter().enumerate() {
                if i % 3 == 2 {
                    drop(tx);
                } else {
                    // A value the receiver is gone for comes back and is dropped here.
                    let _ = tx.send(drops.value(i));
                    sent += 1;
                }
            }
            sent
        })
    };
    start.wait();
    for (i, mut rx) in receivers.into_iter().enumerate() {
        match i % 4 {
            0 => drop(rx),
            1 => drop(rx.try_recv()),
            2 => {
                rx.close();
                drop(rx.try_recv());
            }
            _ => {
                let _ = poll_once(Pin::new(&mut rx));
                drop(rx);
            }
        }
    }
    let sent = sending.join().unwrap();
    assert_eq!(drops.dropped(), sent);
}

#[test]
fn value_sent_before_close_can_still_be_received() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(1).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn close_fails_later_sends_and_resolves_the_receiver() {
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
#[should_panic(expected = "polled after it resolved")]
fn polling_a_resolved_receiver_panics() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(()).unwrap();
    let _ = poll_once(Pin::new(&mut rx));
    let _ = poll_once(Pin::new(&mut rx));
}

#[test]
fn blocking_recv_gets_a_value_from_an_async_task() {
    let rt = kairos::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (tx, rx) = oneshot::channel();
    rt.spawn(async move { tx.send(9).unwrap() });
    assert_eq!(rx.blocking_recv(), Ok(9));
}

#[kairos::test]
#[should_panic(expected = "blocks the current thread")]
async fn blocking_recv_inside_a_runtime_panics() {
    let (_tx, rx) = oneshot::channel::<()>();
    let _ = rx.blocking_recv();
}

#[test]
fn works_under_another_executor_with_a_sending_thread() {
    let (tx, rx) = oneshot::channel();
    let sender = std::thread::spawn(move || tx.send(String::from("hi")).unwrap());
    assert_eq!(futures::executor::block_on(rx).unwrap(), "hi");
    sender.join().unwrap();
}

/// A value sent by another task wakes the awaiting receiver.
async fn value_crosses_tasks() {
    let (tx, rx) = oneshot::channel();
    kairos::spawn(async move {
        kairos::task::yield_now().await;
        tx.send(5u32).unwrap();
    });
    assert_eq!(rx.await, Ok(5));
}

/// A sender dropped by another task wakes the awaiting receiver with an error.
async fn sender_dropped_in_another_task_closes_the_receiver() {
    let (tx, rx) = oneshot::channel::<u32>();
    kairos::spawn(async move {
        kairos::task::yield_now().await;
        drop(tx);
    });
    assert!(rx.await.is_err());
}

/// `Sender::closed` completes when another task drops the receiver.
async fn closed_completes_when_the_receiver_goes_away() {
    let (mut tx, rx) = oneshot::channel::<u32>();
    kairos::spawn(async move {
        kairos::task::yield_now().await;
        drop(rx);
    });
    tx.closed().await;
    assert_eq!(tx.send(1), Err(1));
}

/// Many channels at once, each answered by its own task.
async fn many_requests_get_their_own_answers() {
    let mut receivers = Vec::new();
    for i in 0..200u32 {
        let (tx, rx) = oneshot::channel();
        kairos::spawn(async move { tx.send(i * 2).unwrap() });
        receivers.push((i, rx));
    }
    for (i, rx) in receivers {
        assert_eq!(rx.await, Ok(i * 2));
    }
}

on_both_schedulers!(
    value_crosses_tasks,
    sender_dropped_in_another_task_closes_the_receiver,
    closed_completes_when_the_receiver_goes_away,
    many_requests_get_their_own_answers,
);
