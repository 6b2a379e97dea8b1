//! Kairos.

use super::{Flavor, Runtime};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A Kairos runtime.
pub struct Kairos(kairos::runtime::Runtime);

/// A Kairos `JoinHandle` that unwraps its output.
pub struct Join<T>(kairos::task::JoinHandle<T>);

impl<T> Future for Join<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|result| result.expect("benchmark task failed"))
    }
}

impl Runtime for Kairos {
    const NAME: &'static str = "kairos";
    type Handle = kairos::runtime::Handle;
    type Join<T: Send + 'static> = Join<T>;

    fn build(flavor: Flavor) -> Option<Self> {
        let mut builder = match flavor {
            Flavor::CurrentThread => kairos::runtime::Builder::new_current_thread(),
            Flavor::MultiThread => {
                let mut builder = kairos::runtime::Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
        };
        Some(Kairos(
            builder.enable_all().build().expect("kairos runtime"),
        ))
    }

    fn handle(&self) -> Self::Handle {
        self.0.handle().clone()
    }

    fn block_on<F: Future + Send + 'static>(&self, future: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        self.0.block_on(future)
    }

    fn spawn<F>(handle: &Self::Handle, future: F) -> Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Join(handle.spawn(future))
    }

    fn spawn_blocking<F, R>(handle: &Self::Handle, func: F) -> Join<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        Join(handle.spawn_blocking(func))
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        kairos::task::yield_now()
    }
}
