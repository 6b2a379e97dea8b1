//! `LogFilter`.

use super::{Log, LogConfig, RequestSpan};
use crate::{Compose, Filter};

/// Logs each call in a `tracing` span; see the [module docs](super).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::log::LogFilter;
/// use kairos_service::{service_fn, Filter, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = LogFilter::new()
///     .span(|n: &u32| tracing::info_span!("square", n = *n))
///     .wrap(service_fn(|n: u32| async move { Ok::<_, ()>(n * n) }));
/// assert_eq!(service.call(12).await, Ok(144));
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct LogFilter<M = RequestSpan> {
    make_span: M,
    config: LogConfig,
}

impl LogFilter<RequestSpan> {
    /// Spans named `request`, default levels.
    pub fn new() -> LogFilter<RequestSpan> {
        LogFilter {
            make_span: RequestSpan,
            config: LogConfig::new(),
        }
    }
}

impl<M> LogFilter<M> {
    /// Makes each call's span with `make_span` (a [`MakeSpan`](super::MakeSpan); a closure
    /// `Fn(&Req) -> tracing::Span` will do).
    pub fn span<N>(self, make_span: N) -> LogFilter<N> {
        LogFilter {
            make_span,
            config: self.config,
        }
    }

    /// Sets the levels of the completion events.
    pub fn config(mut self, config: LogConfig) -> LogFilter<M> {
        self.config = config;
        self
    }
}

impl<M> Compose for LogFilter<M> {}

impl<S, M: Clone> Filter<S> for LogFilter<M> {
    type Service = Log<S, M>;

    fn wrap(&self, inner: S) -> Log<S, M> {
        Log::new(inner, self.make_span.clone(), self.config)
    }
}
