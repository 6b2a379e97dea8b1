//! smol's crates: `async-executor` for tasks, `async-io` for blocking on futures (it also
//! drives the reactor and timers), `blocking` for the blocking pool.
//!
//! - Current-thread: one executor run by the thread inside `block_on`, the way a
//!   single-threaded smol program is written (`block_on(ex.run(main))`). It is the `Send`
//!   `Executor` rather than `LocalExecutor` because outside threads spawn onto it
//!   (spawn_remote); in async-executor 1.14 `LocalExecutor` is a wrapper around the same
//!   `Executor`, so nothing is lost.
//! - Multi-thread: the executor run by two dedicated threads (the equivalent of two
//!   workers), as smol's own examples do; the calling thread only waits.

use super::{Flavor, Runtime};
use crate::latch::Latch;
use async_executor::{Executor, Task};
use std::future::Future;
use std::sync::Arc;
use std::thread::JoinHandle;

/// A smol executor and its threads.
pub struct Smol {
    executor: Arc<Executor<'static>>,
    flavor: Flavor,
    stop: Latch,
    threads: Vec<JoinHandle<()>>,
}

impl Runtime for Smol {
    const NAME: &'static str = "smol";
    type Handle = Arc<Executor<'static>>;
    type Join<T: Send + 'static> = Task<T>;
    type BlockingJoin<T: Send + 'static> = blocking::Task<T>;

    fn build(flavor: Flavor) -> Option<Self> {
        let executor = Arc::new(Executor::new());
        let stop = Latch::new();
        let mut threads = Vec::new();
        if flavor == Flavor::MultiThread {
            for _ in 0..2 {
                let executor = executor.clone();
                let stop = stop.clone();
                threads.push(std::thread::spawn(move || {
                    async_io::block_on(executor.run(stop.wait()));
                }));
            }
        }
        Some(Smol {
            executor,
            flavor,
            stop,
            threads,
        })
    }

    fn handle(&self) -> Self::Handle {
        self.executor.clone()
    }

    fn block_on<F: Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        match self.flavor {
            Flavor::CurrentThread => async_io::block_on(self.executor.run(future)),
            Flavor::MultiThread => async_io::block_on(self.executor.spawn(future)),
        }
    }

    fn spawn<F>(handle: &Self::Handle, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        handle.spawn(future)
    }

    fn detach<T: Send + 'static>(join: Task<T>) {
        join.detach();
    }

    fn spawn_blocking<F, R>(_handle: &Self::Handle, func: F) -> blocking::Task<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        blocking::unblock(func)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        futures_lite::future::yield_now()
    }
}

impl Drop for Smol {
    fn drop(&mut self) {
        self.stop.set();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
