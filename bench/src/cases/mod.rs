//! The workloads. Each is written once, generically over [`Runtime`], and returns one
//! number (lower is better) in the unit its row names.

mod blocking_pool;
mod fairness;
mod memory;
mod spawn;
mod yield_many;

pub use self::memory::{idle_task_bytes, MEMORY_TASKS_ENV};

use crate::{Flavor, Runtime};

/// One row of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Spawn this many no-op tasks from inside the runtime, await them all.
    SpawnLocal(usize),
    /// Spawn 12,800 no-op tasks from this many outside threads, await them all.
    SpawnRemote(usize),
    /// Each task spawns the next, this deep.
    ChainedSpawn(usize),
    /// 200 tasks each yielding 1,000 times.
    YieldMany,
    /// 10,000 tasks injected while busy tasks keep every worker loaded: time until the
    /// last injected task ran.
    InjectUnderLoadTotal,
    /// As above: p99 of spawn-to-first-poll latency.
    InjectUnderLoadP99,
    /// 64 tasks x 100 batches x 16 no-op blocking calls.
    SpawnBlocking,
    /// Resident memory per task parked forever (this many tasks, in a fresh process).
    IdleTaskMemory(usize),
}

impl Case {
    /// Every row, in report order. `quick` shrinks the largest workloads.
    pub fn all(quick: bool) -> Vec<Case> {
        vec![
            Case::SpawnLocal(10_000),
            Case::SpawnLocal(100_000),
            Case::SpawnRemote(1),
            Case::SpawnRemote(2),
            Case::SpawnRemote(8),
            Case::ChainedSpawn(1_000),
            Case::YieldMany,
            Case::InjectUnderLoadTotal,
            Case::InjectUnderLoadP99,
            Case::SpawnBlocking,
            Case::IdleTaskMemory(if quick { 100_000 } else { 1_000_000 }),
        ]
    }

    /// The row's label.
    pub fn name(&self) -> String {
        match self {
            Case::SpawnLocal(n) => format!("spawn_local {n}"),
            Case::SpawnRemote(threads) => format!("spawn_remote 12800 from {threads} thread(s)"),
            Case::ChainedSpawn(depth) => format!("chained_spawn {depth}"),
            Case::YieldMany => "yield_many 200x1000".to_string(),
            Case::InjectUnderLoadTotal => "inject_under_load: last of 10000 ran".to_string(),
            Case::InjectUnderLoadP99 => "inject_under_load: p99 spawn-to-poll".to_string(),
            Case::SpawnBlocking => "spawn_blocking 64x100x16".to_string(),
            Case::IdleTaskMemory(n) => format!("memory per idle task ({n})"),
        }
    }

    /// The unit of the number [`Case::run`] returns.
    pub fn unit(&self) -> &'static str {
        match self {
            Case::InjectUnderLoadP99 => "µs",
            Case::IdleTaskMemory(_) => "bytes",
            _ => "ms",
        }
    }

    /// Whether this row is measured in a separate process per repeat (so the runner does
    /// not need a runtime of its own for it).
    pub fn is_out_of_process(&self) -> bool {
        matches!(self, Case::IdleTaskMemory(_))
    }

    /// Runs the workload once on `rt`.
    pub fn run<R: Runtime>(&self, rt: &R, flavor: Flavor) -> f64 {
        match *self {
            Case::SpawnLocal(n) => millis(spawn::spawn_local(rt, n)),
            Case::SpawnRemote(threads) => millis(spawn::spawn_remote(rt, threads, 12_800)),
            Case::ChainedSpawn(depth) => millis(spawn::chained_spawn(rt, depth)),
            Case::YieldMany => millis(yield_many::yield_many(rt, 200, 1_000)),
            Case::InjectUnderLoadTotal => {
                millis(fairness::inject_under_load(rt, flavor, 10_000).total)
            }
            Case::InjectUnderLoadP99 => {
                fairness::inject_under_load(rt, flavor, 10_000)
                    .p99
                    .as_secs_f64()
                    * 1e6
            }
            Case::SpawnBlocking => millis(blocking_pool::spawn_blocking(rt, 64, 100, 16)),
            Case::IdleTaskMemory(n) => memory::idle_task_bytes_in_child::<R>(flavor, n),
        }
    }
}

fn millis(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
