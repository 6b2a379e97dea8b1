//! Each runtime's own timers behind one trait, so the timer workloads are written once:
//!
//! | | sleep | timeout |
//! |---|---|---|
//! | kairos | `kairos::time::sleep` | `kairos::time::timeout` |
//! | tokio | `tokio::time::sleep` | `tokio::time::timeout` |
//! | smol | `async_io::Timer::after` | the future raced (`or`) with a `Timer`, as async-io's docs show |
//! | async-std | `async_std::task::sleep` | `async_std::future::timeout` |

mod async_std_timers;
mod smol_timers;
mod tokio_api;

use std::future::Future;
use std::time::Duration;

/// Sleeping and bounding a future's time, as the runtime's users do it.
pub trait Timers {
    /// Completes `duration` from now.
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;

    /// Runs `future` with a deadline `duration` from now: `None` if the deadline passed
    /// first.
    fn timeout<F: Future + Send>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Option<F::Output>> + Send
    where
        F::Output: Send;
}
