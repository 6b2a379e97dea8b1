//! Timers: creating and cancelling timeouts that never fire, and the accuracy of many
//! concurrent sleeps.

use crate::Runtime;
use std::time::{Duration, Instant};

/// `n` times: a 1 s timeout around a future that is ready at once, so the timer is
/// created and cancelled without firing.
pub fn timeout_cancel<R: Runtime>(rt: &R, n: usize) -> Duration {
    rt.block_on(async move {
        let started = Instant::now();
        for i in 0..n {
            let output = R::timeout(Duration::from_secs(1), std::future::ready(i)).await;
            assert_eq!(output, Some(i));
        }
        started.elapsed()
    })
}

/// How late the sleeps of [`sleep_overshoot`] woke.
pub struct Overshoot {
    /// Median time past the deadline.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
}

/// `n` tasks sleeping at once, task `i` for `1 + i % 100` ms; each measures how long past
/// its deadline it woke.
pub fn sleep_overshoot<R: Runtime>(rt: &R, n: usize) -> Overshoot {
    let handle = rt.handle();
    let mut late: Vec<Duration> = rt.block_on(async move {
        let sleepers: Vec<_> = (0..n)
            .map(|i| {
                R::spawn(&handle, async move {
                    let duration = Duration::from_millis(1 + (i % 100) as u64);
                    let deadline = Instant::now() + duration;
                    R::sleep(duration).await;
                    Instant::now().saturating_duration_since(deadline)
                })
            })
            .collect();
        let mut late = Vec::with_capacity(n);
        for sleeper in sleepers {
            late.push(sleeper.await);
        }
        late
    });
    late.sort_unstable();
    Overshoot {
        p50: late[late.len() / 2],
        p99: late[late.len() * 99 / 100],
    }
}
