//! A join handle whose output is a `Result` (tokio's and Kairos's), unwrapped: a task of a
//! benchmark never fails, and the workloads are written against plain outputs.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Resolves to the `Ok` value of the wrapped handle; panics if the task failed.
pub struct Unwrap<H>(pub H);

impl<H, T, E> Future for Unwrap<H>
where
    H: Future<Output = Result<T, E>> + Unpin,
    E: Debug,
{
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|result| result.expect("benchmark task failed"))
    }
}
