//! async-std's timers: `task::sleep` and `future::timeout`.

use super::Timers;
use crate::runtimes::AsyncStd;
use std::future::Future;
use std::time::Duration;

impl Timers for AsyncStd {
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
        async_std::task::sleep(duration)
    }

    async fn timeout<F: Future + Send>(duration: Duration, future: F) -> Option<F::Output>
    where
        F::Output: Send,
    {
        async_std::future::timeout(duration, future).await.ok()
    }
}
