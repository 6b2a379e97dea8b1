//! 100,000 concurrent sleeps: every one fires, none early, none lost; on the paused clock
//! across the wheel's levels, and on the real clock on both schedulers.

mod io_support;

use kairos::time::{sleep_until, Duration, Instant};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const SLEEPS: usize = 100_000;

/// A deterministic spread of delays: `i`-th of `SLEEPS`, at most `max_ms`.
fn delay(i: usize, max_ms: u64) -> Duration {
    let x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 20;
    Duration::from_micros(x % (max_ms * 1000) + 1)
}

/// Spawns the sleeps, waits for all of them, and checks each woke at or after its
/// deadline; returns the latest lateness seen.
async fn sleep_many(max_ms: u64) -> Duration {
    let fired = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..SLEEPS)
        .map(|i| {
            let fired = fired.clone();
            let deadline = start + delay(i, max_ms);
            kairos::spawn(async move {
                sleep_until(deadline).await;
                let now = Instant::now();
                assert!(now >= deadline, "sleep {i} woke {:?} early", deadline - now);
                fired.fetch_add(1, Ordering::Relaxed);
                now - deadline
            })
        })
        .collect();
    let mut latest = Duration::ZERO;
    for task in tasks {
        latest = latest.max(task.await.unwrap());
    }
    assert_eq!(fired.load(Ordering::Relaxed), SLEEPS, "sleeps were lost");
    latest
}

#[test]
fn a_hundred_thousand_sleeps_over_a_day_on_the_paused_clock() {
    let rt = kairos::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let real = std::time::Instant::now();
    let latest = rt.block_on(sleep_many(86_400_000));
    eprintln!(
        "{SLEEPS} paused-clock sleeps over 1 day: {:?} real, latest wake {latest:?} after its deadline",
        real.elapsed()
    );
    // The paused clock wakes each timer at the first millisecond tick at or after it.
    assert!(latest < Duration::from_millis(1), "{latest:?}");
}

#[test]
fn a_hundred_thousand_real_sleeps_within_a_few_milliseconds() {
    for (name, rt) in [
        ("current_thread", io_support::current_thread()),
        ("multi_thread(2)", io_support::multi_thread()),
    ] {
        let real = std::time::Instant::now();
        let latest = rt.block_on(sleep_many(5));
        eprintln!(
            "{SLEEPS} real sleeps of 0-5 ms on {name}: all fired in {:?}, latest wake {latest:?} \
             after its deadline",
            real.elapsed()
        );
    }
}
