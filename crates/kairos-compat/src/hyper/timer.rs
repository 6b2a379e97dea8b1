//! `HyperTimer`: hyper's timeouts (header read timeout, keep-alive pings) on Kairos timers.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// hyper's `rt::Timer` on the current Kairos runtime's timer wheel.
///
/// # Examples
///
/// ```
/// let mut builder = hyper::server::conn::http1::Builder::new();
/// builder.timer(kairos_compat::HyperTimer);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct HyperTimer;

pin_project_lite::pin_project! {
    /// A Kairos `Sleep` as hyper's `rt::Sleep`.
    #[derive(Debug)]
    pub struct HyperSleep {
        #[pin]
        sleep: kairos::time::Sleep,
    }
}

impl hyper::rt::Timer for HyperTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep {
            sleep: kairos::time::sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep {
            sleep: kairos::time::sleep_until(deadline.into()),
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            // Ours: move the deadline in place, no new allocation.
            Some(ours) => ours.project().sleep.reset(new_deadline.into()),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

impl Future for HyperSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().sleep.poll(cx)
    }
}

impl hyper::rt::Sleep for HyperSleep {}
