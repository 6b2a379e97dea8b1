//! The workloads. Each is written once, generically over [`Runtime`], and yields one or
//! more figures (a [`Metric`] each).

mod blocking_pool;
mod fairness;
mod locks;
mod memory;
mod messaging;
mod spawn;
mod timers;
mod yield_many;

pub use self::memory::{idle_task_bytes, resident_bytes_of, MEMORY_TASKS_ENV};
pub use self::messaging::Capacity;

use crate::{echo, Flavor, Runtime};
use std::time::Duration;

/// One figure a workload produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// What is measured, appended to the workload's name (empty for its main figure).
    pub label: &'static str,
    /// The unit.
    pub unit: &'static str,
    /// Whether a larger figure is better (throughput) rather than worse (time, size).
    pub higher_is_better: bool,
}

impl Metric {
    const fn lower(label: &'static str, unit: &'static str) -> Metric {
        Metric {
            label,
            unit,
            higher_is_better: false,
        }
    }

    const fn higher(label: &'static str, unit: &'static str) -> Metric {
        Metric {
            label,
            unit,
            higher_is_better: true,
        }
    }
}

/// One workload of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Spawn this many no-op tasks from inside the runtime, await them all.
    SpawnLocal(usize),
    /// Spawn 12,800 no-op tasks from this many outside threads, await them all.
    SpawnRemote(usize),
    /// Each task spawns the next, this deep.
    ChainedSpawn(usize),
    /// 1,000 pairs of tasks, 100 oneshot round trips each.
    PingPong,
    /// 200 tasks each yielding 1,000 times.
    YieldMany,
    /// 10,000 tasks injected while busy tasks keep every worker loaded: time until the
    /// last injected task ran, and p99 of spawn-to-first-poll latency.
    InjectUnderLoad,
    /// 5 producers x 10,000 messages into one channel.
    Mpsc(Capacity),
    /// 10,000 request/reply round trips to a server task (mpsc carrying oneshots).
    RequestReply,
    /// This many 1 s timeouts around a ready future, created and cancelled.
    TimeoutCancel(usize),
    /// This many concurrent sleeps of 1..100 ms: p50 and p99 of how late they woke.
    SleepOvershoot(usize),
    /// 64 tasks x 100 batches x 16 no-op blocking calls.
    SpawnBlocking,
    /// 100 tasks x 1,000 lock / add / yield / unlock on one mutex.
    Mutex,
    /// 100 tasks x 1,000 acquire / yield / release on a semaphore of 10 permits.
    Semaphore,
    /// TCP echo over loopback, 64-byte messages, this many connections; each run measures
    /// for `measure_ms` after a quarter of that as warm-up, against a fresh server process.
    TcpEcho {
        /// Connections, each with one message in flight.
        connections: usize,
        /// The measured period of one run.
        measure_ms: u64,
    },
    /// Resident memory per task parked forever (this many tasks, in a fresh process).
    IdleTaskMemory(usize),
    /// Resident memory per idle TCP connection of an echo server holding this many.
    IdleConnectionMemory(usize),
}

/// The measured period of one echo sample.
pub const ECHO_SAMPLE_MS: u64 = 500;

/// Echo samples per server in a full run: 10 s of measured load each. Many short samples
/// rather than a few long ones: the machine drifts between slow and fast phases lasting
/// many seconds, and with 5 samples of 2 s one server could land 3 in a fast phase and
/// another 2; alternating every 0.6 s, each server sees the phases alike.
pub const ECHO_SAMPLES: usize = 20;

impl Case {
    /// Every workload, in report order. `quick` shrinks the largest ones.
    pub fn all(quick: bool) -> Vec<Case> {
        vec![
            Case::SpawnLocal(10_000),
            Case::SpawnLocal(100_000),
            Case::SpawnRemote(1),
            Case::SpawnRemote(2),
            Case::SpawnRemote(8),
            Case::ChainedSpawn(1_000),
            Case::PingPong,
            Case::YieldMany,
            Case::InjectUnderLoad,
            Case::Mpsc(Capacity::Bounded(100)),
            Case::Mpsc(Capacity::Bounded(1_000_000)),
            Case::Mpsc(Capacity::Unbounded),
            Case::RequestReply,
            Case::TimeoutCancel(1_000_000),
            Case::SleepOvershoot(100_000),
            Case::SpawnBlocking,
            Case::Mutex,
            Case::Semaphore,
            Case::TcpEcho {
                connections: 50,
                measure_ms: ECHO_SAMPLE_MS,
            },
            Case::TcpEcho {
                connections: 500,
                measure_ms: ECHO_SAMPLE_MS,
            },
            Case::IdleTaskMemory(if quick { 100_000 } else { 1_000_000 }),
            Case::IdleConnectionMemory(if quick { 2_000 } else { 10_000 }),
        ]
    }

    /// The workload's label, prefixed with its row number in the benchmark issue.
    pub fn name(&self) -> String {
        match self {
            Case::SpawnLocal(n) => format!("1 spawn_local {n}"),
            Case::SpawnRemote(threads) => format!("2 spawn_remote 12800 from {threads} thread(s)"),
            Case::ChainedSpawn(depth) => format!("3 chained_spawn {depth}"),
            Case::PingPong => "4 ping_pong 1000 pairs x 100".to_string(),
            Case::YieldMany => "5 yield_many 200x1000".to_string(),
            Case::InjectUnderLoad => "6 inject_under_load 10000".to_string(),
            Case::Mpsc(Capacity::Bounded(n)) => format!("7 mpsc 5x10000, capacity {n}"),
            Case::Mpsc(Capacity::Unbounded) => "7 mpsc 5x10000, unbounded".to_string(),
            Case::RequestReply => "7 mpsc request/reply 10000".to_string(),
            Case::TimeoutCancel(n) => format!("8 timeout(1s, ready) x {n}"),
            Case::SleepOvershoot(n) => format!("8 {n} sleeps of 1..100 ms"),
            Case::SpawnBlocking => "9 spawn_blocking 64x100x16".to_string(),
            Case::Mutex => "10 Mutex 100x1000".to_string(),
            Case::Semaphore => "10 Semaphore(10) 100x1000".to_string(),
            Case::TcpEcho { connections, .. } => format!("11 tcp_echo {connections} connections"),
            Case::IdleTaskMemory(n) => format!("12 memory per idle task ({n})"),
            Case::IdleConnectionMemory(n) => format!("12 memory per idle connection ({n})"),
        }
    }

    /// The figures [`Case::run`] returns, in order.
    pub fn metrics(&self) -> Vec<Metric> {
        match self {
            Case::InjectUnderLoad => vec![
                Metric::lower("last ran", "ms"),
                Metric::lower("p99 spawn-to-poll", "µs"),
            ],
            Case::SleepOvershoot(_) => vec![
                Metric::lower("overshoot p50", "µs"),
                Metric::lower("overshoot p99", "µs"),
            ],
            Case::TcpEcho { .. } => vec![
                Metric::higher("requests", "req/s"),
                Metric::lower("p50", "µs"),
                Metric::lower("p99", "µs"),
                Metric::lower("p99.9", "µs"),
            ],
            Case::IdleTaskMemory(_) | Case::IdleConnectionMemory(_) => {
                vec![Metric::lower("", "bytes")]
            }
            _ => vec![Metric::lower("", "ms")],
        }
    }

    /// Whether this workload runs in separate processes (so the runner needs no runtime
    /// of its own for it, and skips the warm-up run).
    pub fn is_out_of_process(&self) -> bool {
        matches!(
            self,
            Case::TcpEcho { .. } | Case::IdleTaskMemory(_) | Case::IdleConnectionMemory(_)
        )
    }

    /// Whether a sample may run this workload several times and take the mean: not for
    /// workloads in other processes, nor for the sleeps, whose figures are latencies
    /// against a clock that a batch would not make steadier.
    pub fn is_batchable(&self) -> bool {
        !self.is_out_of_process() && !matches!(self, Case::SleepOvershoot(_))
    }

    /// Whether the thread-per-connection server runs this workload too.
    pub fn has_threads_baseline(&self) -> bool {
        matches!(self, Case::TcpEcho { .. } | Case::IdleConnectionMemory(_))
    }

    /// Whether instruction counts mean something for this workload: not for one that
    /// computes for a fixed time or measures memory.
    pub fn counts_instructions(&self) -> bool {
        !self.is_out_of_process()
            && !matches!(self, Case::InjectUnderLoad | Case::SleepOvershoot(_))
    }

    /// The workload of this name (from the full or the quick list).
    pub fn named(name: &str) -> Option<Case> {
        Case::all(false)
            .into_iter()
            .chain(Case::all(true))
            .find(|case| case.name() == name)
    }

    /// Runs the workload once on `rt`.
    pub fn run<R: Runtime>(&self, rt: &R, flavor: Flavor) -> Vec<f64> {
        let time = match *self {
            Case::SpawnLocal(n) => spawn::spawn_local(rt, n),
            Case::SpawnRemote(threads) => spawn::spawn_remote(rt, threads, 12_800),
            Case::ChainedSpawn(depth) => spawn::chained_spawn(rt, depth),
            Case::PingPong => messaging::ping_pong(rt, 1_000, 100),
            Case::YieldMany => yield_many::yield_many(rt, 200, 1_000),
            Case::InjectUnderLoad => {
                let run = fairness::inject_under_load(rt, flavor, 10_000);
                return vec![millis(run.total), micros(run.p99)];
            }
            Case::Mpsc(capacity) => messaging::mpsc_producers(rt, capacity, 5, 10_000),
            Case::RequestReply => messaging::request_reply(rt, 10_000),
            Case::TimeoutCancel(n) => timers::timeout_cancel(rt, n),
            Case::SleepOvershoot(n) => {
                let late = timers::sleep_overshoot(rt, n);
                return vec![micros(late.p50), micros(late.p99)];
            }
            Case::SpawnBlocking => blocking_pool::spawn_blocking(rt, 64, 100, 16),
            Case::Mutex => locks::mutex(rt, 100, 1_000),
            Case::Semaphore => locks::semaphore(rt, 100, 1_000, 10),
            Case::IdleTaskMemory(n) => {
                return vec![memory::idle_task_bytes_in_child::<R>(flavor, n)]
            }
            Case::TcpEcho { .. } | Case::IdleConnectionMemory(_) => {
                return self.run_server(R::NAME, flavor)
            }
        };
        vec![millis(time)]
    }
}

impl Case {
    /// Runs a server workload on the server named `server` (a runtime's name, or
    /// [`echo::THREADS`]).
    pub fn run_server(&self, server: &str, flavor: Flavor) -> Vec<f64> {
        match *self {
            Case::TcpEcho {
                connections,
                measure_ms,
            } => {
                let measure = Duration::from_millis(measure_ms);
                let result = echo::echo(server, flavor, connections, measure / 4, measure);
                vec![
                    result.requests_per_second,
                    result.p50_us,
                    result.p99_us,
                    result.p999_us,
                ]
            }
            Case::IdleConnectionMemory(n) => {
                vec![echo::idle_connection_bytes(server, flavor, n)]
            }
            _ => unreachable!("{} has no server", self.name()),
        }
    }
}

fn millis(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn micros(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}
