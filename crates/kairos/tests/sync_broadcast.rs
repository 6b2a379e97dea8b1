//! `broadcast`: every receiver sees every value, lagging receivers are told what they
//! missed, values are dropped exactly once, and many producers and consumers agree on
//! per-producer order under both schedulers.

mod sync_support;

use kairos::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use std::pin::pin;
use std::task::Poll;
use sync_support::{poll_once, DropCounter};

#[test]
fn lagging_receiver_skips_to_the_oldest_held_value() {
    let (tx, mut slow) = broadcast::channel(4);
    let mut fast = tx.subscribe();
    for i in 0..10 {
        tx.send(i).unwrap();
        assert_eq!(fast.try_recv(), Ok(i));
    }
    assert_eq!(slow.len(), 10);
    assert_eq!(slow.try_recv(), Err(TryRecvError::Lagged(6)));
    for i in 6..10 {
        assert_eq!(slow.try_recv(), Ok(i));
    }
    assert_eq!(slow.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn capacity_rounds_up_to_a_power_of_two() {
    let (tx, mut rx) = broadcast::channel(3);
    for i in 0..4 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.try_recv(), Ok(0)); // four slots: nothing was overwritten
}

#[test]
fn closed_after_every_value_is_read() {
    let (tx, mut rx) = broadcast::channel(2);
    tx.send(1).unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(rx.is_closed());
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn values_are_dropped_exactly_once() {
    let drops = DropCounter::new();
    let (tx, mut a) = broadcast::channel(2);
    let b = tx.subscribe();
    tx.send(drops.value(0)).unwrap();
    tx.send(drops.value(1)).unwrap();
    drop(a.try_recv().unwrap()); // a's clone
    assert_eq!(drops.dropped(), 1);
    drop(b); // value 0 had only b left to read it: dropped now
    assert_eq!(drops.dropped(), 2);
    tx.send(drops.value(2)).unwrap(); // overwrites nothing live (slot of value 0 is empty)
    assert_eq!(drops.dropped(), 2);
    tx.send(drops.value(3)).unwrap(); // overwrites value 1, which `a` never read
    assert_eq!(drops.dropped(), 3);
    drop(a);
    assert_eq!(drops.dropped(), 5);
    drop(tx);
    assert_eq!(drops.dropped(), 5);
}

#[test]
fn send_without_receivers_gives_the_value_back() {
    let (tx, rx) = broadcast::channel(1);
    drop(rx);
    assert_eq!(tx.send(1).unwrap_err().0, 1);
    let mut rx = tx.subscribe();
    assert_eq!(tx.send(2), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn cancelled_recv_loses_no_value() {
    let (tx, mut rx) = broadcast::channel(2);
    {
        let mut recv = pin!(rx.recv());
        assert!(poll_once(recv.as_mut()).is_pending());
        tx.send("kept").unwrap();
    }
    assert_eq!(rx.try_recv(), Ok("kept"));
}

#[test]
fn dropping_the_last_sender_wakes_waiting_receivers() {
    let (tx, mut rx) = broadcast::channel::<u8>(1);
    let mut recv = pin!(rx.recv());
    assert!(poll_once(recv.as_mut()).is_pending());
    drop(tx);
    assert_eq!(
        poll_once(recv.as_mut()),
        Poll::Ready(Err(RecvError::Closed))
    );
}

#[test]
fn works_under_another_executor_with_a_sending_thread() {
    let (tx, mut rx) = broadcast::channel(64);
    let sender = std::thread::spawn(move || {
        for i in 0..50 {
            tx.send(i).unwrap();
        }
    });
    futures::executor::block_on(async {
        for i in 0..50 {
            assert_eq!(rx.recv().await, Ok(i));
        }
        assert_eq!(rx.recv().await, Err(RecvError::Closed));
    });
    sender.join().unwrap();
}

const PRODUCERS: usize = 4;
const CONSUMERS: usize = 4;
const MESSAGES: usize = 500;

/// With room for every message, every consumer receives every message exactly once, in
/// per-producer order.
async fn many_producers_many_consumers_exactly_once() {
    let (tx, rx) = broadcast::channel(PRODUCERS * MESSAGES);
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let mut rx = rx.resubscribe();
            kairos::spawn(async move {
                let mut next = [0usize; PRODUCERS];
                loop {
                    match rx.recv().await {
                        Ok((producer, seq)) => {
                            assert_eq!(seq, next[producer], "producer {producer} out of order");
                            next[producer] += 1;
                        }
                        Err(RecvError::Closed) => return next,
                        Err(RecvError::Lagged(n)) => panic!("lagged by {n} with room for all"),
                    }
                }
            })
        })
        .collect();
    drop(rx);
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|producer| {
            let tx = tx.clone();
            kairos::spawn(async move {
                for seq in 0..MESSAGES {
                    tx.send((producer, seq)).unwrap();
                    if seq % 32 == 0 {
                        kairos::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    drop(tx);
    for producer in producers {
        producer.await.unwrap();
    }
    for consumer in consumers {
        assert_eq!(consumer.await.unwrap(), [MESSAGES; PRODUCERS]);
    }
}

/// With a small ring, consumers lag; what they receive plus what they are told they
/// missed is every message, and per-producer order still holds.
async fn lagging_consumers_account_for_every_message() {
    let (tx, rx) = broadcast::channel::<(usize, usize)>(8);
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let mut rx = rx.resubscribe();
            kairos::spawn(async move {
                let mut last: [Option<usize>; PRODUCERS] = [None; PRODUCERS];
                let (mut received, mut missed) = (0u64, 0u64);
                loop {
                    match rx.recv().await {
                        Ok((producer, seq)) => {
                            assert!(last[producer].is_none_or(|l| seq > l), "out of order");
                            last[producer] = Some(seq);
                            received += 1;
                        }
                        Err(RecvError::Lagged(n)) => missed += n,
                        Err(RecvError::Closed) => return received + missed,
                    }
                }
            })
        })
        .collect();
    drop(rx);
    for producer in 0..PRODUCERS {
        let tx = tx.clone();
        kairos::spawn(async move {
            for seq in 0..MESSAGES {
                tx.send((producer, seq)).unwrap();
            }
        });
    }
    drop(tx);
    for consumer in consumers {
        assert_eq!(consumer.await.unwrap(), (PRODUCERS * MESSAGES) as u64);
    }
}

/// `Sender::closed` completes when every receiver is gone.
async fn sender_closed_waits_for_every_receiver() {
    let (tx, rx) = broadcast::channel::<u8>(1);
    kairos::spawn(async move {
        kairos::task::yield_now().await;
        drop(rx);
    });
    tx.closed().await;
    assert_eq!(tx.receiver_count(), 0);
}

on_both_schedulers!(
    many_producers_many_consumers_exactly_once,
    lagging_consumers_account_for_every_message,
    sender_closed_waits_for_every_receiver,
);
