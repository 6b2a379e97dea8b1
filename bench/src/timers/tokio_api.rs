//! The timers of the runtimes with tokio's `time` API: `tokio::time` and `kairos::time`,
//! which mirrors it. One macro implements the trait for both.

macro_rules! tokio_api_timers {
    ($runtime:ty, $time:path) => {
        const _: () = {
            use std::future::Future;
            use std::time::Duration;
            use $crate::timers::Timers;
            use $time as time;

            impl Timers for $runtime {
                fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
                    time::sleep(duration)
                }

                async fn timeout<F: Future + Send>(
                    duration: Duration,
                    future: F,
                ) -> Option<F::Output>
                where
                    F::Output: Send,
                {
                    time::timeout(duration, future).await.ok()
                }
            }
        };
    };
}

tokio_api_timers!(crate::runtimes::Kairos, kairos::time);
tokio_api_timers!(crate::runtimes::Tokio, tokio::time);
