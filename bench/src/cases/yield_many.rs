//! Many tasks yielding many times: the cost of a trip through the run queue.

use crate::Runtime;
use std::time::{Duration, Instant};

/// `tasks` tasks each yielding `yields` times.
pub fn yield_many<R: Runtime>(rt: &R, tasks: usize, yields: usize) -> Duration {
    let handle = rt.handle();
    rt.block_on(async move {
        let started = Instant::now();
        let joins: Vec<_> = (0..tasks)
            .map(|_| {
                R::spawn(&handle, async move {
                    for _ in 0..yields {
                        R::yield_now().await;
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
