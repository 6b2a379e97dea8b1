//! tokio.

use super::unwrap::Unwrap;
use super::{Flavor, Runtime};
use std::future::Future;

/// A tokio runtime.
pub struct Tokio {
    runtime: tokio::runtime::Runtime,
    flavor: Flavor,
}

/// A tokio join handle, unwrapped.
pub type Join<T> = Unwrap<tokio::task::JoinHandle<T>>;

impl Runtime for Tokio {
    const NAME: &'static str = "tokio";
    type Handle = tokio::runtime::Handle;
    type Join<T: Send + 'static> = Join<T>;
    type BlockingJoin<T: Send + 'static> = Join<T>;

    fn build(flavor: Flavor) -> Option<Self> {
        let mut builder = match flavor {
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            Flavor::MultiThread => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
        };
        let runtime = builder.enable_all().build().expect("tokio runtime");
        Some(Tokio { runtime, flavor })
    }

    fn handle(&self) -> Self::Handle {
        self.runtime.handle().clone()
    }

    fn block_on<F: Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        match self.flavor {
            Flavor::CurrentThread => self.runtime.block_on(future),
            Flavor::MultiThread => self.runtime.block_on(Unwrap(self.runtime.spawn(future))),
        }
    }

    fn spawn<F>(handle: &Self::Handle, future: F) -> Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Unwrap(handle.spawn(future))
    }

    fn detach<T: Send + 'static>(join: Join<T>) {
        drop(join);
    }

    fn spawn_blocking<F, R>(handle: &Self::Handle, func: F) -> Join<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        Unwrap(handle.spawn_blocking(func))
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}
