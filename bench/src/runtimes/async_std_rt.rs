//! async-std: one global multi-thread executor (two threads here, set through
//! `ASYNC_STD_THREAD_COUNT` before first use), no current-thread flavor.

use super::{Flavor, Runtime};
use std::future::Future;

/// The global async-std executor.
pub struct AsyncStd;

impl Runtime for AsyncStd {
    const NAME: &'static str = "async-std";
    type Handle = ();
    type Join<T: Send + 'static> = async_std::task::JoinHandle<T>;
    type BlockingJoin<T: Send + 'static> = async_std::task::JoinHandle<T>;

    fn build(flavor: Flavor) -> Option<Self> {
        match flavor {
            Flavor::CurrentThread => None,
            Flavor::MultiThread => {
                // async-std reads this once, at its first use, which comes after this
                // point: the runner builds runtimes before running anything.
                if std::env::var_os("ASYNC_STD_THREAD_COUNT").is_none() {
                    std::env::set_var("ASYNC_STD_THREAD_COUNT", "2");
                }
                Some(AsyncStd)
            }
        }
    }

    fn handle(&self) -> Self::Handle {}

    fn block_on<F: Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        async_std::task::block_on(async_std::task::spawn(future))
    }

    fn spawn<F>(_handle: &Self::Handle, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        async_std::task::spawn(future)
    }

    fn detach<T: Send + 'static>(join: Self::Join<T>) {
        // async-std's handles detach on drop.
        drop(join);
    }

    fn spawn_blocking<F, R>(_handle: &Self::Handle, func: F) -> Self::BlockingJoin<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        async_std::task::spawn_blocking(func)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        async_std::task::yield_now()
    }
}
