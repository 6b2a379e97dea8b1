//! `mpsc`: back-pressure, FIFO room for waiting senders, closing from either side,
//! messages dropped exactly once, cancel safety, permits and weak senders.

mod sync_support;

use kairos::sync::mpsc::{self, error::TryRecvError, error::TrySendError};
use std::pin::pin;
use std::task::Poll;
use sync_support::{poll_once, poll_with, DropCounter, WakeCounter};

#[test]
fn full_channel_makes_senders_wait_in_order() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
    let mut first = pin!(tx.send(1));
    let mut second = pin!(tx.send(2));
    assert!(poll_once(first.as_mut()).is_pending());
    assert!(poll_once(second.as_mut()).is_pending());
    assert_eq!(rx.try_recv(), Ok(0));
    // The room went to the first waiting sender.
    assert!(poll_once(second.as_mut()).is_pending());
    assert!(poll_once(first.as_mut()).is_ready());
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(poll_once(second.as_mut()).is_ready());
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn receiver_ends_after_the_last_sender_once_drained() {
    let (tx, mut rx) = mpsc::channel(4);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    drop(tx);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty)); // tx2 still alive
    tx2.try_send(2).unwrap();
    drop(tx2);
    assert!(rx.is_closed());
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn dropped_receiver_makes_sends_fail_with_the_value() {
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    assert!(tx.is_closed());
    assert!(matches!(tx.try_send(1), Err(TrySendError::Closed(1))));
    let error = futures::executor::block_on(tx.send(2)).unwrap_err();
    assert_eq!(error.0, 2);
    let (tx, rx) = mpsc::unbounded_channel();
    drop(rx);
    assert_eq!(tx.send(3).unwrap_err().0, 3);
}

#[test]
fn waiting_sender_fails_when_the_receiver_goes_away() {
    let (tx, rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut waiting = pin!(tx.send(1));
    assert!(poll_once(waiting.as_mut()).is_pending());
    drop(rx);
    assert!(matches!(poll_once(waiting.as_mut()), Poll::Ready(Err(e)) if e.0 == 1));
}

#[test]
fn messages_in_flight_are_dropped_exactly_once() {
    let drops = DropCounter::new();
    let (tx, rx) = mpsc::channel(8);
    for id in 0..5 {
        tx.try_send(drops.value(id)).unwrap();
    }
    let permit = tx.try_reserve().unwrap();
    drop(rx); // drops the five queued messages
    assert_eq!(drops.dropped(), 5);
    permit.send(drops.value(5)); // nobody will read it: dropped at once
    assert_eq!(drops.dropped(), 6);
    drop(tx);
    assert_eq!(drops.dropped(), 6);

    let (tx, rx) = mpsc::unbounded_channel();
    for id in 0..3 {
        tx.send(drops.value(id)).unwrap();
    }
    drop(tx);
    drop(rx);
    assert_eq!(drops.dropped(), 9);
}

#[test]
fn cancelled_recv_loses_no_message() {
    let (tx, mut rx) = mpsc::channel(2);
    {
        let mut recv = pin!(rx.recv());
        assert!(poll_once(recv.as_mut()).is_pending());
        tx.try_send("kept").unwrap(); // arrives while the recv is pending, then it is dropped
    }
    assert_eq!(rx.try_recv(), Ok("kept"));
}

#[test]
fn cancelled_reserve_passes_its_room_to_the_next_sender() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut next = pin!(tx.send(2));
    {
        let mut cancelled = pin!(tx.reserve());
        assert!(poll_once(cancelled.as_mut()).is_pending());
        assert!(poll_once(next.as_mut()).is_pending());
        assert_eq!(rx.try_recv(), Ok(0)); // room handed to `cancelled`, dropped unpolled
    }
    assert!(poll_once(next.as_mut()).is_ready());
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn close_keeps_queued_messages_and_reserved_room_usable() {
    let (tx, mut rx) = mpsc::channel(4);
    tx.try_send(1).unwrap();
    let permit = tx.try_reserve().unwrap();
    rx.close();
    assert!(tx.is_closed());
    assert!(matches!(tx.try_send(9), Err(TrySendError::Closed(9))));
    permit.send(2);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn receiver_waiting_after_close_is_woken_when_a_cancelled_reserve_gives_room_back() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let permit = tx.try_reserve().unwrap();
    let wakes = WakeCounter::new();
    {
        let mut reserve = pin!(tx.reserve());
        assert!(poll_once(reserve.as_mut()).is_pending());
        drop(permit); // the room goes to the queued `reserve`, which is never polled again
        rx.close();
        let mut recv = pin!(rx.recv());
        // The room is still held, so the receiver cannot end yet.
        assert!(poll_with(recv.as_mut(), &wakes.clone().into()).is_pending());
    }
    // Dropping the reserve gave the room back: the receiver was woken, and it ends.
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn recv_many_takes_up_to_the_limit() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    let mut buffer = vec![99];
    assert_eq!(
        poll_once(pin!(rx.recv_many(&mut buffer, 0))),
        Poll::Ready(0)
    );
    assert_eq!(
        poll_once(pin!(rx.recv_many(&mut buffer, 3))),
        Poll::Ready(3)
    );
    assert_eq!(
        poll_once(pin!(rx.recv_many(&mut buffer, 10))),
        Poll::Ready(2)
    );
    assert_eq!(buffer, [99, 0, 1, 2, 3, 4]);
    drop(tx);
    assert_eq!(
        poll_once(pin!(rx.recv_many(&mut buffer, 10))),
        Poll::Ready(0)
    );
}

#[test]
fn weak_senders_do_not_keep_the_channel_open() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let weak = tx.downgrade();
    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (1, 1));
    let upgraded = weak.upgrade().unwrap();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    drop(upgraded);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert!(weak.upgrade().is_none());
}

#[test]
fn permits_account_for_capacity() {
    let (tx, mut rx) = mpsc::channel(3);
    let many = tx.try_reserve_many(2).unwrap();
    assert_eq!(tx.capacity(), 1);
    let mut many = many;
    many.next().unwrap().send('a');
    drop(many); // the second reserved slot comes back
    assert_eq!(tx.capacity(), 2);
    let owned = tx.clone().try_reserve_owned().unwrap();
    assert_eq!(tx.strong_count(), 2);
    let tx2 = owned.send('b');
    assert!(tx2.same_channel(&tx));
    assert_eq!(rx.try_recv(), Ok('a'));
    assert_eq!(rx.try_recv(), Ok('b'));
    assert_eq!(tx.capacity(), tx.max_capacity());
}

#[test]
fn blocking_send_and_recv_bridge_threads_and_tasks() {
    let rt = kairos::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (to_task, mut task_rx) = mpsc::channel(1);
    let (to_thread, mut thread_rx) = mpsc::channel(1);
    rt.spawn(async move {
        while let Some(n) = task_rx.recv().await {
            to_thread.send(n * 10).await.unwrap();
        }
    });
    for n in 0..20 {
        to_task.blocking_send(n).unwrap();
        assert_eq!(thread_rx.blocking_recv(), Some(n * 10));
    }
    drop(to_task);
    assert_eq!(thread_rx.blocking_recv(), None);
}

#[kairos::test]
#[should_panic(expected = "blocks the current thread")]
async fn blocking_recv_inside_a_runtime_panics() {
    let (_tx, mut rx) = mpsc::channel::<()>(1);
    let _ = rx.blocking_recv();
}

/// Senders in other tasks are woken when room frees up; the receiver when messages come.
async fn back_pressure_across_tasks() {
    let (tx, mut rx) = mpsc::channel(2);
    let producer = kairos::spawn(async move {
        for i in 0..200 {
            tx.send(i).await.unwrap();
        }
    });
    for expected in 0..200 {
        assert_eq!(rx.recv().await, Some(expected));
    }
    assert_eq!(rx.recv().await, None);
    producer.await.unwrap();
}

/// `Sender::closed` completes when the receiver is dropped in another task.
async fn closed_completes_when_the_receiver_goes_away() {
    let (tx, rx) = mpsc::channel::<u8>(1);
    let (utx, urx) = mpsc::unbounded_channel::<u8>();
    kairos::spawn(async move {
        kairos::task::yield_now().await;
        drop(rx);
        drop(urx);
    });
    tx.closed().await;
    utx.closed().await;
    assert!(tx.is_closed() && utx.is_closed());
}

/// A consumer that always finds messages still yields to its neighbours (cooperative
/// budget). Only on the current-thread scheduler, for the reason given in
/// `sync_semaphore.rs`.
#[kairos::test]
async fn always_ready_recv_yields_to_other_tasks() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..10_000u32 {
        tx.send(i).unwrap();
    }
    drop(tx);
    let (flag_tx, mut flag_rx) = mpsc::unbounded_channel::<()>();
    let consumer = kairos::spawn(async move {
        while rx.recv().await.is_some() {
            if flag_rx.try_recv().is_ok() {
                return true;
            }
        }
        false
    });
    kairos::spawn(async move { flag_tx.send(()).unwrap() });
    assert!(consumer.await.unwrap(), "the neighbour never ran");
}

on_both_schedulers!(
    back_pressure_across_tasks,
    closed_completes_when_the_receiver_goes_away,
);

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_recv_is_allowed_inside_spawn_blocking() {
    let (tx, mut rx) = mpsc::channel(1);
    let reader = kairos::task::spawn_blocking(move || rx.blocking_recv());
    tx.send(3).await.unwrap();
    assert_eq!(reader.await.unwrap(), Some(3));
}

#[kairos::test(start_paused = true)]
async fn send_timeout_gives_the_value_back_after_the_timeout_and_sends_when_room_comes() {
    use kairos::sync::mpsc::error::SendTimeoutError;
    use std::time::Duration;
    let (tx, mut rx) = mpsc::channel(1);
    tx.send_timeout(1, Duration::from_secs(1)).await.unwrap();

    // Full and nobody receives: the value comes back once the timeout passes, not before.
    let started = kairos::time::Instant::now();
    let err = tx
        .send_timeout(2, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(matches!(err, SendTimeoutError::Timeout(2)), "{err:?}");
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert_eq!(err.into_inner(), 2);

    // Room comes within the timeout: sent, in order.
    let receiver = kairos::spawn(async move {
        kairos::time::sleep(Duration::from_secs(1)).await;
        let mut got = Vec::new();
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        got
    });
    tx.send_timeout(3, Duration::from_secs(5)).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5 + 5));
    drop(tx);
    assert_eq!(receiver.await.unwrap(), [1, 3]);
}

#[kairos::test]
async fn send_timeout_to_a_closed_channel_gives_the_value_back_at_once() {
    use kairos::sync::mpsc::error::SendTimeoutError;
    let (tx, rx) = mpsc::channel::<&str>(1);
    drop(rx);
    let err = tx
        .send_timeout("lost?", std::time::Duration::from_secs(3600))
        .await
        .unwrap_err();
    assert!(matches!(err, SendTimeoutError::Closed("lost?")), "{err:?}");
    assert_eq!(
        err.to_string(),
        "channel closed: the receiver is gone or closed"
    );
}
