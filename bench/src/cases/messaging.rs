//! Message passing over each runtime's own channels: oneshot ping-pong between pairs of
//! tasks, producers feeding one consumer through mpsc channels, and a request/reply server.

use crate::Runtime;
use std::time::{Duration, Instant};

/// One ping: the receiver of the next ping and the sender of this ping's reply. Each round
/// uses fresh oneshot channels, as oneshot channels are used.
struct Ping<R: Runtime> {
    next: R::OneshotReceiver<Ping<R>>,
    reply: R::OneshotSender<()>,
}

/// `pairs` pairs of tasks, each pair exchanging `rounds` ping/reply round trips over
/// oneshot channels.
pub fn ping_pong<R: Runtime>(rt: &R, pairs: usize, rounds: usize) -> Duration {
    let handle = rt.handle();
    rt.block_on(async move {
        let started = Instant::now();
        let mut joins = Vec::with_capacity(2 * pairs);
        for _ in 0..pairs {
            let (first_tx, first_rx) = R::oneshot::<Ping<R>>();
            joins.push(R::spawn(&handle, async move {
                let mut pings = first_rx;
                for _ in 0..rounds {
                    let ping = R::recv_oneshot(pings).await;
                    R::send_oneshot(ping.reply, ());
                    pings = ping.next;
                }
            }));
            joins.push(R::spawn(&handle, async move {
                let mut ping_tx = first_tx;
                for _ in 0..rounds {
                    let (next_tx, next) = R::oneshot();
                    let (reply, reply_rx) = R::oneshot();
                    R::send_oneshot(ping_tx, Ping::<R> { next, reply });
                    R::recv_oneshot(reply_rx).await;
                    ping_tx = next_tx;
                }
            }));
        }
        for join in joins {
            join.await;
        }
        started.elapsed()
    })
}

/// How the mpsc channel of `mpsc_producers` is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// A bounded channel of this capacity.
    Bounded(usize),
    /// An unbounded channel.
    Unbounded,
}

/// `producers` tasks each send `messages` values into one channel; the benchmark's own task
/// receives them all. The clock starts after the channel is created.
pub fn mpsc_producers<R: Runtime>(
    rt: &R,
    capacity: Capacity,
    producers: usize,
    messages: usize,
) -> Duration {
    let handle = rt.handle();
    rt.block_on(async move {
        let received = match capacity {
            Capacity::Bounded(capacity) => {
                let (tx, mut rx) = R::channel::<usize>(capacity);
                let started = Instant::now();
                for _ in 0..producers {
                    let tx = tx.clone();
                    R::detach(R::spawn(&handle, async move {
                        for i in 0..messages {
                            R::send(&tx, i).await;
                        }
                    }));
                }
                drop(tx);
                let mut received = 0;
                while R::recv(&mut rx).await.is_some() {
                    received += 1;
                }
                (received, started.elapsed())
            }
            Capacity::Unbounded => {
                let (tx, mut rx) = R::unbounded::<usize>();
                let started = Instant::now();
                for _ in 0..producers {
                    let tx = tx.clone();
                    R::detach(R::spawn(&handle, async move {
                        for i in 0..messages {
                            R::send_unbounded(&tx, i);
                        }
                    }));
                }
                drop(tx);
                let mut received = 0;
                while R::recv_unbounded(&mut rx).await.is_some() {
                    received += 1;
                }
                (received, started.elapsed())
            }
        };
        assert_eq!(received.0, producers * messages, "every message arrives");
        received.1
    })
}

/// A server task answers requests that arrive over a bounded mpsc channel, each carrying a
/// oneshot sender for its reply; the benchmark's task makes `round_trips` requests, one at
/// a time.
pub fn request_reply<R: Runtime>(rt: &R, round_trips: usize) -> Duration {
    let handle = rt.handle();
    rt.block_on(async move {
        let (requests, mut incoming) = R::channel::<(usize, R::OneshotSender<usize>)>(100);
        let server = R::spawn(&handle, async move {
            while let Some((request, reply)) = R::recv(&mut incoming).await {
                R::send_oneshot(reply, request + 1);
            }
        });
        let started = Instant::now();
        for i in 0..round_trips {
            let (reply, reply_rx) = R::oneshot();
            R::send(&requests, (i, reply)).await;
            assert_eq!(R::recv_oneshot(reply_rx).await, i + 1);
        }
        let elapsed = started.elapsed();
        drop(requests);
        server.await;
        elapsed
    })
}
