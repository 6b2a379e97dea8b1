//! The blocking pool: many small blocking calls in batches.

use crate::Runtime;
use std::time::{Duration, Instant};

/// `tasks` tasks, each running `batches` rounds of `per_batch` no-op blocking calls awaited
/// together.
pub fn spawn_blocking<R: Runtime>(
    rt: &R,
    tasks: usize,
    batches: usize,
    per_batch: usize,
) -> Duration {
    let handle = rt.handle();
    rt.block_on(async move {
        let started = Instant::now();
        let joins: Vec<_> = (0..tasks)
            .map(|_| {
                let inner = handle.clone();
                R::spawn(&handle, async move {
                    for _ in 0..batches {
                        let calls: Vec<_> = (0..per_batch)
                            .map(|_| R::spawn_blocking(&inner, || std::hint::black_box(1)))
                            .collect();
                        for call in calls {
                            call.await;
                        }
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
