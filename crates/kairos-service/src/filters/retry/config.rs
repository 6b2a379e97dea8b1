//! `RetryConfig`.

use super::{Backoff, RetryBudget};

/// The settings of a [retry filter](super): attempts, backoff, budget, jitter seed.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::retry::{Backoff, RetryBudget, RetryConfig};
/// use std::time::Duration;
///
/// let config = RetryConfig::new()
///     .max_attempts(4)
///     .backoff(Backoff::new(Duration::from_millis(5), Duration::from_millis(200)))
///     .budget(Duration::from_secs(10), 5, 0.1);
/// assert_eq!(config.attempts(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryConfig {
    pub(crate) max_attempts: u32,
    pub(crate) backoff: Backoff,
    pub(crate) budget: (std::time::Duration, u32, f32),
    pub(crate) seed: Option<u64>,
}

impl Default for RetryConfig {
    fn default() -> RetryConfig {
        RetryConfig::new()
    }
}

impl RetryConfig {
    /// Three attempts in all, [`Backoff::default`], the default [`RetryBudget`] (20 % of
    /// calls plus 10 a second over 10 s), a random jitter seed.
    pub fn new() -> RetryConfig {
        RetryConfig {
            max_attempts: 3,
            backoff: Backoff::default(),
            budget: (std::time::Duration::from_secs(10), 10, 0.2),
            seed: None,
        }
    }

    /// Attempts in all, the first included (so 1 never retries). Clamped to at least 1.
    pub fn max_attempts(mut self, attempts: u32) -> RetryConfig {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before each retry.
    pub fn backoff(mut self, backoff: Backoff) -> RetryConfig {
        self.backoff = backoff;
        self
    }

    /// The budget each wrapped service gets; see [`RetryBudget::new`].
    pub fn budget(
        mut self,
        ttl: std::time::Duration,
        min_per_second: u32,
        ratio: f32,
    ) -> RetryConfig {
        self.budget = (ttl, min_per_second, ratio);
        self
    }

    /// Seeds the jitter, for reproducible delays (tests); by default each wrapped service
    /// draws a random seed.
    pub fn seed(mut self, seed: u64) -> RetryConfig {
        self.seed = Some(seed);
        self
    }

    /// Attempts in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn new_budget(&self) -> RetryBudget {
        let (ttl, min_per_second, ratio) = self.budget;
        RetryBudget::new(ttl, min_per_second, ratio)
    }
}
