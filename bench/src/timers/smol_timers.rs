//! smol's timers: `async_io::Timer`. smol has no timeout combinator; its users race the
//! future against a timer with `or`, the pattern async-io's documentation gives.

use super::Timers;
use crate::runtimes::Smol;
use async_io::Timer;
use futures_lite::FutureExt;
use std::future::Future;
use std::time::Duration;

impl Timers for Smol {
    async fn sleep(duration: Duration) {
        Timer::after(duration).await;
    }

    fn timeout<F: Future + Send>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Option<F::Output>> + Send
    where
        F::Output: Send,
    {
        async move { Some(future.await) }.or(async move {
            Timer::after(duration).await;
            None
        })
    }
}
