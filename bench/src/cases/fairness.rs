//! Fairness under load: tasks injected from outside while every worker is kept busy by
//! tasks that compute for 10 µs and yield, forever. A scheduler that favours its local
//! queue starves the injected tasks.

use crate::{Flavor, Runtime};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one run measured.
pub struct InjectUnderLoad {
    /// From the first injection until the last injected task was polled.
    pub total: Duration,
    /// 99th percentile of spawn-to-first-poll latency.
    pub p99: Duration,
}

/// Injects `n` tasks from an outside thread while `2 x workers` busy tasks loop.
pub fn inject_under_load<R: Runtime>(rt: &R, flavor: Flavor, n: usize) -> InjectUnderLoad {
    let workers = match flavor {
        Flavor::CurrentThread => 1,
        Flavor::MultiThread => 2,
    };
    let handle = rt.handle();
    let stop = Arc::new(AtomicBool::new(false));
    let busy: Vec<_> = (0..2 * workers)
        .map(|_| {
            let stop = stop.clone();
            R::spawn(&handle, async move {
                while !stop.load(Ordering::Relaxed) {
                    spin(Duration::from_micros(10));
                    R::yield_now().await;
                }
            })
        })
        .collect();
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let ran = Arc::new(AtomicUsize::new(0));
    let last_ran = Arc::new(Mutex::new(None::<Instant>));
    let started = Instant::now();
    let injector = {
        let (handle, latencies, ran, last_ran) = (
            handle.clone(),
            latencies.clone(),
            ran.clone(),
            last_ran.clone(),
        );
        std::thread::spawn(move || {
            for _ in 0..n {
                let spawned_at = Instant::now();
                let (latencies, ran, last_ran) = (latencies.clone(), ran.clone(), last_ran.clone());
                drop(R::spawn(&handle, async move {
                    let now = Instant::now();
                    latencies.lock().unwrap().push(now - spawned_at);
                    if ran.fetch_add(1, Ordering::AcqRel) + 1 == n {
                        *last_ran.lock().unwrap() = Some(now);
                    }
                }));
            }
        })
    };
    let ran_for_wait = ran.clone();
    rt.block_on(async move {
        // On the current-thread runtime this future shares the thread with the busy tasks:
        // it only checks, and yields.
        while ran_for_wait.load(Ordering::Acquire) < n {
            R::yield_now().await;
        }
    });
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
