//! Many producers and consumers over `mpsc` channels: every message arrives exactly once
//! and in the order its producer sent it, under both schedulers.

mod sync_support;

use kairos::sync::mpsc;

const PRODUCERS: usize = 8;
const MESSAGES: usize = 1_000;

/// Checks that `received` holds every `(producer, seq)` exactly once, in per-producer order.
struct OrderCheck {
    next: Vec<usize>,
}

impl OrderCheck {
    fn new(producers: usize) -> OrderCheck {
        OrderCheck {
            next: vec![0; producers],
        }
    }

    fn saw(&mut self, (producer, seq): (usize, usize)) {
        assert_eq!(
            seq, self.next[producer],
            "producer {producer}: message out of order or duplicated"
        );
        self.next[producer] += 1;
    }

    fn assert_all(&self, messages: usize) {
        assert!(
            self.next.iter().all(|&n| n == messages),
            "lost messages: {:?}",
            self.next
        );
    }
}

/// Spawns the producers, each sending `(producer, seq)` for every `seq`, then drops `tx`.
fn spawn_producers(tx: mpsc::Sender<(usize, usize)>) {
    for producer in 0..PRODUCERS {
        let tx = tx.clone();
        kairos::spawn(async move {
            for seq in 0..MESSAGES {
                tx.send((producer, seq)).await.unwrap();
            }
        });
    }
}

/// Producers share a small bounded channel, so most sends wait for room.
async fn bounded_many_producers() {
    let (tx, mut rx) = mpsc::channel(4);
    spawn_producers(tx);
    let mut check = OrderCheck::new(PRODUCERS);
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, 16).await > 0 {
        batch.drain(..).for_each(|message| check.saw(message));
    }
    check.assert_all(MESSAGES);
}

/// Producers on an unbounded channel, some through blocking threads.
async fn unbounded_many_producers_with_threads() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut threads = Vec::new();
    for producer in 0..PRODUCERS {
        let tx = tx.clone();
        if producer % 2 == 0 {
            kairos::spawn(async move {
                for seq in 0..MESSAGES {
                    tx.send((producer, seq)).unwrap();
                    if seq % 64 == 0 {
                        kairos::task::yield_now().await;
                    }
                }
            });
        } else {
            threads.push(std::thread::spawn(move || {
                for seq in 0..MESSAGES {
                    tx.send((producer, seq)).unwrap();
                }
            }));
        }
    }
    drop(tx);
    let mut check = OrderCheck::new(PRODUCERS);
    while let Some(message) = rx.recv().await {
        check.saw(message);
    }
    check.assert_all(MESSAGES);
    for thread in threads {
        thread.join().unwrap();
    }
}

/// Consumers fan out: a router task forwards each producer's messages to one of several
/// consumer tasks over bounded channels; each consumer checks its share.
async fn many_producers_many_consumers() {
    const CONSUMERS: usize = 4;
    let (tx, mut rx) = mpsc::channel(8);
    spawn_producers(tx);
    let mut outputs = Vec::new();
    let mut consumers = Vec::new();
    for _ in 0..CONSUMERS {
        let (out_tx, mut out_rx) = mpsc::channel::<(usize, usize)>(2);
        outputs.push(out_tx);
        consumers.push(kairos::spawn(async move {
            let mut check = OrderCheck::new(PRODUCERS);
            let mut count = 0;
            while let Some((producer, seq)) = out_rx.recv().await {
                check.saw((producer, seq));
                count += 1;
            }
            (check, count)
        }));
    }
    kairos::spawn(async move {
        while let Some((producer, seq)) = rx.recv().await {
            // A producer always goes to the same consumer, keeping its order visible.
            outputs[producer % CONSUMERS]
                .send((producer, seq))
                .await
                .unwrap();
        }
    });
    let mut total = 0;
    for (index, consumer) in consumers.into_iter().enumerate() {
        let (check, count) = consumer.await.unwrap();
        for (producer, &seen) in check.next.iter().enumerate() {
            let expected = if producer % CONSUMERS == index {
                MESSAGES
            } else {
                0
            };
            assert_eq!(seen, expected, "consumer {index}, producer {producer}");
        }
        total += count;
    }
    assert_eq!(total, PRODUCERS * MESSAGES);
}

on_both_schedulers!(
    bounded_many_producers,
    unbounded_many_producers_with_threads,
    many_producers_many_consumers,
);
