//! Contended locks: many tasks taking each runtime's own asynchronous `Mutex` or
//! `Semaphore`, each holding it across one yield, so waiters queue up on every flavor (on
//! one thread a lock released before the next await is never contended).

use crate::Runtime;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `tasks` tasks each lock one mutex `iterations` times, add one under the lock and yield
/// once before unlocking.
pub fn mutex<R: Runtime>(rt: &R, tasks: usize, iterations: usize) -> Duration {
    let handle = rt.handle();
    rt.block_on(async move {
        let counter = Arc::new(R::mutex(0u64));
        let started = Instant::now();
        let joins: Vec<_> = (0..tasks)
            .map(|_| {
                let counter = counter.clone();
                R::spawn(&handle, async move {
                    for _ in 0..iterations {
                        let mut value = R::lock(&counter).await;
                        *value += 1;
                        R::yield_now().await;
                        drop(value);
                    }
                })
            })
            .collect();
        for join in joins {
            join.await;
        }
        let elapsed = started.elapsed();
        assert_eq!(*R::lock(&counter).await, (tasks * iterations) as u64);
        elapsed
    })
}

/// `tasks` tasks each acquire one of `permits` permits `iterations` times and yield once
/// before releasing it.
pub fn semaphore<R: Runtime>(rt: &R, tasks: usize, iterations: usize, permits: usize) -> Duration {
    let handle = rt.handle();
    rt.block_on(async move {
        let semaphore = Arc::new(R::semaphore(permits));
        let started = Instant::now();
        let joins: Vec<_> = (0..tasks)
            .map(|_| {
                let semaphore = semaphore.clone();
                R::spawn(&handle, async move {
                    for _ in 0..iterations {
                        let permit = R::acquire(&semaphore).await;
                        R::yield_now().await;
                        drop(permit);
                    }
                })
            })
            .collect();
        for join in joins {
            join.await;
        }
        started.elapsed()
    })
}
