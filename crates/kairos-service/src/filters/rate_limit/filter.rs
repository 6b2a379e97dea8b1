//! `RateLimitFilter`.

use super::{RateLimit, RateLimitConfig};
use crate::{Compose, Filter};

/// Limits the rate of calls; see the [module docs](super) for the behaviour.
///
/// # Examples
///
/// ```
/// use kairos::time::{Duration, Instant};
/// use kairos_service::filters::rate_limit::{RateLimitConfig, RateLimitFilter};
/// use kairos_service::{service_fn, Filter, Service};
///
/// #[kairos::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let config = RateLimitConfig::new(10, Duration::from_secs(1)).burst(1);
///     let service = RateLimitFilter::new(config).wrap(service_fn(|()| async { Ok::<_, ()>(()) }));
///     let start = Instant::now();
///     for _ in 0..3 {
///         service.call(()).await.unwrap();
///     }
///     // The first token was in the bucket; the next two came 100 ms apart.
///     assert_eq!(start.elapsed(), Duration::from_millis(200));
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitFilter {
    config: RateLimitConfig,
}

impl RateLimitFilter {
    /// The filter, with `config`.
    pub fn new(config: RateLimitConfig) -> RateLimitFilter {
        RateLimitFilter { config }
    }

    /// Its settings.
    pub fn config(&self) -> &RateLimitConfig {
        &self.config
    }
}

impl Compose for RateLimitFilter {}

impl<S> Filter<S> for RateLimitFilter {
    type Service = RateLimit<S>;

    fn wrap(&self, inner: S) -> RateLimit<S> {
        RateLimit::new(inner, self.config)
    }
}
