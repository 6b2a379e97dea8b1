//! `LogFuture`: the inner call inside its span, and the completion event.

use super::LogConfig;
use kairos::time::Instant;
use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tracing::{Level, Span};

/// An event at a level known only at run time (`tracing`'s macros want a constant).
macro_rules! emit {
    ($level:expr, $($field:tt)*) => {
        match $level {
            Level::ERROR => tracing::error!($($field)*),
            Level::WARN => tracing::warn!($($field)*),
            Level::INFO => tracing::info!($($field)*),
            Level::DEBUG => tracing::debug!($($field)*),
            Level::TRACE => tracing::trace!($($field)*),
        }
    };
}

fn latency_us(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX)
}

pin_project! {
    /// The future of [`Log`](super::Log): the inner future, polled inside the call's span,
    /// and an event when it completes (or is dropped before it does).
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_service::filters::log::{Log, LogConfig, LogFuture, RequestSpan};
    /// use kairos_service::{service_fn, Service};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let service = Log::new(service_fn(|()| async { Ok::<_, ()>(2) }), RequestSpan, LogConfig::new());
    /// let call: LogFuture<_> = service.call(());
    /// assert_eq!(call.await, Ok(2));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct LogFuture<F> {
        span: Span,
        start: Instant,
        config: LogConfig,
        done: bool,
        #[pin]
        future: F,
    }

    impl<F> PinnedDrop for LogFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !*this.done {
                let _entered = this.span.enter();
                let latency_us = latency_us(*this.start);
                emit!(this.config.success_level(), latency_us, "request cancelled");
            }
        }
    }
}

impl<F> LogFuture<F> {
    pub(crate) fn new(span: Span, start: Instant, config: LogConfig, future: F) -> Self {
        LogFuture {
            span,
            start,
            config,
            done: false,
            future,
        }
    }
}

impl<F, T, E> Future for LogFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: fmt::Debug,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let result = ready!(this.future.poll(cx));
        *this.done = true;
        let latency_us = latency_us(*this.start);
        match &result {
            Ok(_) => emit!(this.config.success_level(), latency_us, "request succeeded"),
            Err(error) => emit!(
                this.config.failure_level(),
                latency_us,
                error = ?error,
                "request failed"
            ),
        }
        Poll::Ready(result)
    }
}
