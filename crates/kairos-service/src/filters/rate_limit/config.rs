//! `RateLimitConfig`.

use std::time::Duration;

/// The settings of a [rate limit](super): the rate, the burst, how long a call may wait.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::rate_limit::RateLimitConfig;
/// use std::time::Duration;
///
/// // 100 calls a second, at most 10 at once after a quiet spell, never wait over 50 ms.
/// let config = RateLimitConfig::new(100, Duration::from_secs(1))
///     .burst(10)
///     .max_wait(Duration::from_millis(50));
/// assert_eq!(config.interval(), Duration::from_millis(10));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    pub(crate) interval: Duration,
    pub(crate) burst: u32,
    pub(crate) max_wait: Option<Duration>,
}

impl RateLimitConfig {
    /// `rate` calls every `per`, with a burst of `rate` (a full period's worth) and no
    /// limit on waiting.
    ///
    /// # Panics
    ///
    /// If `rate` is zero or `per` is zero: the rate would be nothing, or infinite.
    #[track_caller]
    pub fn new(rate: u32, per: Duration) -> RateLimitConfig {
        assert!(
            rate > 0,
            "a rate limit of 0 calls would never let a call through"
        );
        assert!(
            !per.is_zero(),
            "a rate limit per 0 s is no limit; leave the filter out"
        );
        RateLimitConfig {
            interval: per / rate,
            burst: rate,
            max_wait: None,
        }
    }

    /// How many calls may go through at once after a quiet spell (the bucket's size).
    ///
    /// # Panics
    ///
    /// If `burst` is zero.
    #[track_caller]
    pub fn burst(mut self, burst: u32) -> RateLimitConfig {
        assert!(
            burst > 0,
            "a token bucket of size 0 would never let a call through"
        );
        self.burst = burst;
        self
    }

    /// Refuses, instead of delaying, a call whose token is further away than `max_wait`.
    pub fn max_wait(mut self, max_wait: Duration) -> RateLimitConfig {
        self.max_wait = Some(max_wait);
        self
    }

    /// The time between two tokens, `per / rate`.
    pub fn interval(&self) -> Duration {
        self.interval
    }
}
