//! The runtimes under comparison, behind one trait.
//!
//! Each adapter maps the trait onto what a user of that runtime would write: its own
//! spawn, join handle, blocking pool and yield. Nothing on a measured path adds an
//! allocation or a layer of indirection that the runtime's own users would not pay.

mod async_std_rt;
mod kairos_rt;
mod smol_rt;
mod tokio_rt;
mod unwrap;

pub use self::async_std_rt::AsyncStd;
pub use self::kairos_rt::Kairos;
pub use self::smol_rt::Smol;
pub use self::tokio_rt::Tokio;

use crate::sync::SyncPrimitives;
use crate::timers::Timers;
use std::future::Future;

/// Which scheduler shape a benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Everything on the thread that blocks on the benchmark.
    CurrentThread,
    /// Two worker threads.
    MultiThread,
}

impl Flavor {
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current-thread",
            Flavor::MultiThread => "multi-thread (2)",
        }
    }

    /// The flavor's two-letter tag (`ct`, `mt`), used on command lines and in charts.
    pub fn tag(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "ct",
            Flavor::MultiThread => "mt",
        }
    }

    /// The flavor a tag names.
    pub fn from_tag(tag: &str) -> Option<Flavor> {
        match tag {
            "ct" => Some(Flavor::CurrentThread),
            "mt" => Some(Flavor::MultiThread),
            _ => None,
        }
    }
}

/// What a workload needs from a runtime. Join handles are the runtime's own, wrapped at most
/// in a zero-cost future that unwraps their output.
pub trait Runtime: SyncPrimitives + Timers + Sized + 'static {
    /// The runtime's name in reports.
    const NAME: &'static str;

    /// Spawns tasks from anywhere (inside a task or from another thread).
    type Handle: Clone + Send + Sync + 'static;

    /// Awaits a spawned task's output.
    type Join<T: Send + 'static>: Future<Output = T> + Send + 'static;

    /// Awaits a blocking closure's result.
    type BlockingJoin<T: Send + 'static>: Future<Output = T> + Send + 'static;

    /// Builds a runtime of `flavor`, or `None` if this runtime has no such flavor.
    fn build(flavor: Flavor) -> Option<Self>;

    /// A spawner usable from tasks and other threads.
    fn handle(&self) -> Self::Handle;

    /// Runs `future` inside the runtime and waits for its output. On the current-thread
    /// flavor the calling thread drives the runtime and polls `future` itself; on the
    /// multi-thread flavor `future` runs as a task on a worker (so "inside the runtime"
    /// means the same thing on every runtime: on one of its two workers) and the calling
    /// thread only waits.
    fn block_on<F: Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static;

    /// Spawns a task.
    fn spawn<F>(handle: &Self::Handle, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Lets a task run on without anyone awaiting it (smol cancels a task whose handle is
    /// dropped; the others detach it).
    fn detach<T: Send + 'static>(join: Self::Join<T>);

    /// Runs a blocking closure on the runtime's blocking pool.
    fn spawn_blocking<F, R>(handle: &Self::Handle, func: F) -> Self::BlockingJoin<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static;

    /// Yields to the scheduler once.
    fn yield_now() -> impl Future<Output = ()> + Send;
}
