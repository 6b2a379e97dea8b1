//! Memory per idle task: resident set growth when many tasks are parked on a future that
//! never completes, measured in a fresh process per runtime so allocator state from other
//! rows does not blur it.

use crate::{Flavor, Runtime};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The environment variable that makes the benchmark binary run one memory measurement
/// (`RUNTIME:FLAVOR:TASKS`) and print the bytes per task instead of the full suite.
pub const MEMORY_TASKS_ENV: &str = "KAIROS_BENCH_MEMORY_CHILD";

/// Runs the measurement in a child process (this same binary) and returns its result.
pub fn idle_task_bytes_in_child<R: Runtime>(flavor: Flavor, tasks: usize) -> f64 {
    let exe = std::env::current_exe().expect("the benchmark binary's path");
    let output = Command::new(exe)
        .env(
            MEMORY_TASKS_ENV,
            format!("{}:{}:{tasks}", R::NAME, flavor.tag()),
        )
        .output()
        .expect("run the memory child");
    assert!(
        output.status.success(),
        "memory child failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("memory child prints a number")
}

/// In the child: spawns `tasks` tasks parked forever and returns the resident-set growth
/// per task, in bytes. The figure includes the join handle the spawner keeps for each task
/// (one pointer on every runtime measured).
pub fn idle_task_bytes<R: Runtime>(rt: &R, tasks: usize) -> f64 {
    static POLLED: AtomicUsize = AtomicUsize::new(0);
    let handle = rt.handle();
    let before = resident_bytes();
    let parked = rt.block_on(async move {
        let joins: Vec<_> = (0..tasks)
            .map(|_| {
                R::spawn(&handle, async {
                    POLLED.fetch_add(1, Ordering::Relaxed);
                    std::future::pending::<()>().await
                })
            })
            .collect();
        // Wait until every task has been polled once and reached its idle state.
        while POLLED.load(Ordering::Relaxed) < tasks {
            R::yield_now().await;
        }
        joins
    });
    let after = resident_bytes();
    // Dropping the handles would cancel smol's tasks; the process exits right after.
    std::mem::forget(parked);
    (after.saturating_sub(before)) as f64 / tasks as f64
}

/// The process's resident set size, from /proc/self/statm.
fn resident_bytes() -> u64 {
    resident_bytes_of("/proc/self/statm")
}

/// A process's resident set size, from its `statm` file.
pub fn resident_bytes_of(statm: &str) -> u64 {
    let statm = std::fs::read_to_string(statm).expect("read a statm file");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("resident pages in statm");
    pages * 4096
}
