//! `CircuitBreakerConfig`.

use crate::filters::Backoff;
use std::time::Duration;

/// The settings of a [circuit breaker](super): how many failures in a row open it, and
/// how long it stays open.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::circuit_breaker::CircuitBreakerConfig;
/// use kairos_service::filters::Backoff;
/// use std::time::Duration;
///
/// let config = CircuitBreakerConfig::new()
///     .failures(3)
///     .backoff(Backoff::new(Duration::from_secs(1), Duration::from_secs(60)).jitter(0.0));
/// assert_eq!(config.failure_threshold(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CircuitBreakerConfig {
    pub(crate) failures: u32,
    pub(crate) backoff: Backoff,
    pub(crate) seed: Option<u64>,
}

impl Default for CircuitBreakerConfig {
    fn default() -> CircuitBreakerConfig {
        CircuitBreakerConfig::new()
    }
}

impl CircuitBreakerConfig {
    /// Opens after 5 failures in a row, for 5 s doubling up to 5 min, with equal jitter
    /// (Finagle's defaults).
    pub fn new() -> CircuitBreakerConfig {
        CircuitBreakerConfig {
            failures: 5,
            backoff: Backoff::new(Duration::from_secs(5), Duration::from_secs(300)),
            seed: None,
        }
    }

    /// Opens after `failures` failures in a row (at least 1).
    pub fn failures(mut self, failures: u32) -> CircuitBreakerConfig {
        self.failures = failures.max(1);
        self
    }

    /// How long it stays open: the `n`th opening in a row lasts `backoff`'s delay `n`.
    pub fn backoff(mut self, backoff: Backoff) -> CircuitBreakerConfig {
        self.backoff = backoff;
        self
    }

    /// Seeds the jitter, for reproducible backoffs (tests).
    pub fn seed(mut self, seed: u64) -> CircuitBreakerConfig {
        self.seed = Some(seed);
        self
    }

    /// Failures in a row that open the breaker.
    pub fn failure_threshold(&self) -> u32 {
        self.failures
    }
}
