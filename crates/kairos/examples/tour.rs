//! A short tour of the runtime core: spawning tasks, joining them as they finish, handing
//! blocking work to the blocking pool, and running `!Send` tasks on a `LocalSet`.
//!
//! Run it with `cargo run -p kairos --example tour`.

use kairos::task::{self, JoinSet, LocalSet};
use std::rc::Rc;
use std::time::Instant;

/// Counts the primes below `limit` the slow way: CPU-bound, so it belongs on the blocking
/// pool rather than on a worker.
fn count_primes(limit: u64) -> usize {
    (2..limit)
        .filter(|n| (2..).take_while(|d| d * d <= *n).all(|d| n % d != 0))
        .count()
}

#[kairos::main]
async fn main() {
    let started = Instant::now();

    // 100,000 tiny tasks, spawned and awaited.
    let handles: Vec<_> = (0..100_000u64)
        .map(|i| kairos::spawn(async move { i }))
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.expect("task failed");
    }
    println!("100,000 tasks summed to {sum} in {:?}", started.elapsed());

    // Blocking work in parallel on the blocking pool, results in completion order.
    let mut set = JoinSet::new();
    for limit in [20_000u64, 40_000, 60_000, 80_000] {
        set.spawn_blocking(move || (limit, count_primes(limit)));
    }
    while let Some(result) = set.join_next().await {
        let (limit, primes) = result.expect("blocking task failed");
        println!("{primes:>6} primes below {limit}");
    }

    // A task that panics is reported, and everything else keeps going. (The quiet hook
    // only keeps the default panic message and backtrace out of the demo's output.)
    std::panic::set_hook(Box::new(|_| {}));
    let failed = kairos::spawn(async { panic!("this task fails on purpose") }).await;
    let _ = std::panic::take_hook();
    println!("a panicking task gives: {}", failed.unwrap_err());

    // `!Send` state (an Rc) shared by tasks on a LocalSet, on this thread.
    let local = LocalSet::new();
    let greeting = Rc::new(String::from("hello from a local task"));
    local
        .run_until(async move {
            let greeting = greeting.clone();
            task::spawn_local(async move { println!("{greeting}") })
                .await
                .expect("local task failed");
        })
        .await;

    println!("tour finished in {:?}", started.elapsed());
}
