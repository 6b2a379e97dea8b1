//! Spawning: from inside, from outside threads, and chains of tasks spawning tasks.

use crate::latch::Latch;
use crate::Runtime;
use std::time::{Duration, Instant};

/// Spawns `n` no-op tasks from inside a task and awaits them all.
pub fn spawn_local<R: Runtime>(rt: &R, n: usize) -> Duration {
    let handle = rt.handle();
    rt.block_on(async move {
        let started = Instant::now();
        let joins: Vec<_> = (0..n).map(|_| R::spawn(&handle, async {})).collect();
        for join in joins {
            join.await;
        }
        started.elapsed()
    })
}

/// Spawns `total` no-op tasks from `threads` OS threads outside the runtime; awaits them.
pub fn spawn_remote<R: Runtime>(rt: &R, threads: usize, total: usize) -> Duration {
    let handle = rt.handle();
    let started = Instant::now();
    let joins: Vec<_> = std::thread::scope(|scope| {
        let spawners: Vec<_> = (0..threads)
            .map(|_| {
                let handle = handle.clone();
                scope.spawn(move || {
                    (0..total / threads)
                        .map(|_| R::spawn(&handle, async {}))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        spawners
            .into_iter()
            .flat_map(|spawner| spawner.join().expect("spawner thread"))
            .collect()
    });
    rt.block_on(async move {
        for join in joins {
            join.await;
        }
    });
    started.elapsed()
}

/// Each task spawns the next one, `depth` deep; the first waits for the last.
pub fn chained_spawn<R: Runtime>(rt: &R, depth: usize) -> Duration {
    fn link<R: Runtime>(handle: R::Handle, left: usize, done: Latch) {
        if left == 0 {
            done.set();
        } else {
            let next = handle.clone();
            R::detach(R::spawn(
                &handle,
                async move { link::<R>(next, left - 1, done) },
            ));
        }
    }
    let handle = rt.handle();
    rt.block_on(async move {
        let started = Instant::now();
        let done = Latch::new();
        link::<R>(handle, depth, done.clone());
        done.wait().await;
        started.elapsed()
    })
}
