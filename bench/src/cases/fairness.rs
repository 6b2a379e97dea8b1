//! Fairness under load: tasks injected from outside while every worker is kept busy by
//! pairs of tasks that compute for 10 µs and wake each other, forever. A scheduler that
//! favours its local queue, or keeps running the task just woken (a LIFO slot), starves
//! the injected tasks.

use crate::latch::Latch;
use crate::{Flavor, Runtime};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// What one run measured.
pub struct InjectUnderLoad {
    /// From the first injection until the last injected task was polled.
    pub total: Duration,
    /// 99th percentile of spawn-to-first-poll latency.
    pub p99: Duration,
}

/// Injects `n` tasks from an outside thread while `2 x workers` busy tasks (`workers`
/// pairs) pass a turn back and forth, computing 10 µs on each turn.
pub fn inject_under_load<R: Runtime>(rt: &R, flavor: Flavor, n: usize) -> InjectUnderLoad {
    let workers = match flavor {
        Flavor::CurrentThread => 1,
        Flavor::MultiThread => 2,
    };
    let handle = rt.handle();
    let stop = Arc::new(AtomicBool::new(false));
    let busy: Vec<_> = (0..workers)
        .flat_map(|_| {
            let pair = Arc::new(Pair::default());
            [0, 1].map(|me| {
                let (pair, stop) = (pair.clone(), stop.clone());
                R::spawn(&handle, async move {
                    loop {
                        pair.my_turn(me).await;
                        if stop.load(Ordering::Relaxed) {
                            pair.pass(me);
                            return;
                        }
                        spin(Duration::from_micros(10));
                        pair.pass(me);
                    }
                })
            })
        })
        .collect();
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let ran = Arc::new(AtomicUsize::new(0));
    let last_ran = Arc::new(Mutex::new(None::<Instant>));
    let all_ran = Latch::new();
    let started = Instant::now();
    let injector = {
        let (handle, latencies, ran, last_ran, all_ran) = (
            handle.clone(),
            latencies.clone(),
            ran.clone(),
            last_ran.clone(),
            all_ran.clone(),
        );
        std::thread::spawn(move || {
            for _ in 0..n {
                let spawned_at = Instant::now();
                let (latencies, ran, last_ran, all_ran) = (
                    latencies.clone(),
                    ran.clone(),
                    last_ran.clone(),
                    all_ran.clone(),
                );
                R::detach(R::spawn(&handle, async move {
                    let now = Instant::now();
                    latencies.lock().unwrap().push(now - spawned_at);
                    if ran.fetch_add(1, Ordering::AcqRel) + 1 == n {
                        *last_ran.lock().unwrap() = Some(now);
                        all_ran.set();
                    }
                }));
            }
        })
    };
    // On the current-thread flavor this drives the runtime (busy and injected tasks alike)
    // until the last injected task has run; on the multi-thread flavor it only waits.
    rt.block_on(all_ran.wait());
    injector.join().expect("injector thread");
    stop.store(true, Ordering::Relaxed);
    rt.block_on(async move {
        for join in busy {
            join.await;
        }
    });
    let last = last_ran.lock().unwrap().expect("every injected task ran");
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort_unstable();
    InjectUnderLoad {
        total: last - started,
        p99: latencies[latencies.len() * 99 / 100],
    }
}

/// Burns CPU for `duration` (the work a busy task does between yields).
fn spin(duration: Duration) {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// Two busy tasks taking turns: the one whose turn it is computes, then passes the turn and
/// wakes the other through its waker (so the runtime schedules it as a woken task, the way
/// a message would).
#[derive(Default)]
struct Pair(Mutex<Turn>);

#[derive(Default)]
struct Turn {
    /// Whose turn it is (0 or 1).
    holder: usize,
    /// The waker of the task waiting for its turn.
    waiting: Option<Waker>,
}

impl Pair {
    /// Completes when it is `me`'s turn.
    fn my_turn(&self, me: usize) -> MyTurn<'_> {
        MyTurn { pair: self, me }
    }

    /// Gives the turn to the other task and wakes it.
    fn pass(&self, me: usize) {
        let waker = {
            let mut turn = self.0.lock().unwrap();
            turn.holder = 1 - me;
            turn.waiting.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

struct MyTurn<'a> {
    pair: &'a Pair,
    me: usize,
}

impl Future for MyTurn<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut turn = self.pair.0.lock().unwrap();
        if turn.holder == self.me {
            Poll::Ready(())
        } else {
            turn.waiting = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}
