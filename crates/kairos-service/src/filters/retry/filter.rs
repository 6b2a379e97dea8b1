//! `RetryFilter`.

use super::{Retry, RetryBudget, RetryConfig};
use crate::{Compose, Filter};
use std::sync::Arc;

/// Retries failed calls as its [`Policy`](super::Policy) and [`RetryConfig`] say; see the
/// [module docs](super) for the behaviour.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::retry::{Backoff, RetryConfig, RetryErrors, RetryFilter};
/// use kairos_service::{service_fn, Filter, Service};
/// use std::sync::atomic::{AtomicU32, Ordering};
///
/// #[kairos::main(flavor = "current_thread", start_paused = true)]
/// async fn main() {
///     let attempts = AtomicU32::new(0);
///     let flaky = service_fn(|n: u32| {
///         let attempt = attempts.fetch_add(1, Ordering::SeqCst) + 1;
///         async move { if attempt < 3 { Err("unavailable") } else { Ok(n) } }
///     });
///     let retry = RetryFilter::new(RetryErrors, RetryConfig::new().max_attempts(3));
///     let service = retry.wrap(flaky);
///     assert_eq!(service.call(7).await, Ok(7));
///     assert_eq!(attempts.load(Ordering::SeqCst), 3);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct RetryFilter<P> {
    policy: P,
    config: RetryConfig,
    budget: Option<Arc<RetryBudget>>,
}

impl<P> RetryFilter<P> {
    /// Retries what `policy` picks, within `config`; each wrapped service gets its own
    /// budget.
    pub fn new(policy: P, config: RetryConfig) -> RetryFilter<P> {
        RetryFilter {
            policy,
            config,
            budget: None,
        }
    }

    /// Every service this filter wraps draws on `budget` (instead of the one `config`
    /// describes): share one budget between services that reach the same backend.
    pub fn with_budget(mut self, budget: Arc<RetryBudget>) -> RetryFilter<P> {
        self.budget = Some(budget);
        self
    }
}

impl<P> Compose for RetryFilter<P> {}

impl<S, P: Clone> Filter<S> for RetryFilter<P> {
    type Service = Retry<S, P>;

    fn wrap(&self, inner: S) -> Retry<S, P> {
        let budget = match &self.budget {
            Some(shared) => shared.clone(),
            None => Arc::new(self.config.new_budget()),
        };
        Retry::new(inner, self.policy.clone(), self.config, budget)
    }
}
