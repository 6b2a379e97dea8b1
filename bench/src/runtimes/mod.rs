//! The runtimes under comparison, behind one trait.

mod async_std_rt;
mod kairos_rt;
mod smol_rt;
mod tokio_rt;

pub use self::async_std_rt::AsyncStd;
pub use self::kairos_rt::Kairos;
pub use self::smol_rt::Smol;
pub use self::tokio_rt::Tokio;

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
}

/// What a workload needs from a runtime. Adapters add no allocation or indirection to the
/// operations being measured: join handles are the runtime's own, wrapped in a zero-cost
/// future that unwraps their output.
pub trait Runtime: Sized + 'static {
    /// The runtime's name in reports.
    const NAME: &'static str;

    /// Spawns tasks from anywhere (inside a task or from another thread).
    type Handle: Clone + Send + Sync + 'static;

    /// Awaits a spawned task's output.
    type Join<T: Send + 'static>: Future<Output = T> + Send + 'static;

    /// Builds a runtime of `flavor`, or `None` if this runtime has no such flavor.
    fn build(flavor: Flavor) -> Option<Self>;

    /// A spawner usable from tasks and other threads.
    fn handle(&self) -> Self::Handle;

    /// Runs `future` to completion, driving the runtime.
    fn block_on<F: Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static;

    /// Spawns a task.
    fn spawn<F>(handle: &Self::Handle, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs a blocking closure on the runtime's blocking pool.
    fn spawn_blocking<F, R>(handle: &Self::Handle, func: F) -> Self::Join<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static;

    /// Yields to the scheduler once.
    fn yield_now() -> impl Future<Output = ()> + Send;
}
