//! `Log<S, M>`: the service.

use super::{LogConfig, LogFuture, MakeSpan};
use crate::{Service, Status};
use kairos::time::Instant;
use std::fmt;

/// `S`, each call logged in a span; made by [`LogFilter`](super::LogFilter).
///
/// # Examples
///
/// ```
/// use kairos_service::filters::log::{Log, LogConfig, RequestSpan};
/// use kairos_service::{service_fn, Service};
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let service = Log::new(service_fn(|()| async { Ok::<_, ()>(()) }), RequestSpan, LogConfig::new());
/// assert_eq!(service.call(()).await, Ok(()));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Log<S, M> {
    inner: S,
    make_span: M,
    config: LogConfig,
}

impl<S, M> Log<S, M> {
    /// `inner`, calls in spans from `make_span`, completions at `config`'s levels.
    pub fn new(inner: S, make_span: M, config: LogConfig) -> Log<S, M> {
        Log {
            inner,
            make_span,
            config,
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, M, Req> Service<Req> for Log<S, M>
where
    S: Service<Req>,
    S::Error: fmt::Debug,
    M: MakeSpan<Req>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future<'a>
        = LogFuture<S::Future<'a>>
    where
        Self: 'a;

    fn call(&self, req: Req) -> Self::Future<'_> {
        let span = self.make_span.make_span(&req);
        let future = span.in_scope(|| self.inner.call(req));
        LogFuture::new(span, Instant::now(), self.config, future)
    }

    fn status(&self) -> Status {
        self.inner.status()
    }

    fn close(&self) {
        self.inner.close()
    }
}
