//! `Backoff`: how long to wait before each retry, or before a circuit breaker's probe.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Exponential backoff with jitter: before retry `n` (1 for the first retry; for a circuit
/// breaker, the `n`th opening in a row) the base delay is `initial * 2^(n-1)`, capped at
/// `max`; the actual delay is that base scaled by a random factor in `(1 - jitter, 1]`.
///
/// `jitter` is a fraction: 0 waits exactly the base, 0.5 ("equal jitter", the default)
/// waits between half the base and the base, 1 ("full jitter") anywhere up to the base.
/// Jitter spreads the retries of clients that failed at the same moment, so they do not
/// hit the recovering service in lockstep.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::Backoff;
/// use std::time::Duration;
///
/// let backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(50)).jitter(0.0);
/// assert_eq!(backoff.base(1), Duration::from_millis(10));
/// assert_eq!(backoff.base(3), Duration::from_millis(40));
/// assert_eq!(backoff.base(9), Duration::from_millis(50)); // capped
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    jitter: f64,
}

impl Default for Backoff {
    /// 10 ms doubling up to 1 s, equal jitter.
    fn default() -> Backoff {
        Backoff::new(Duration::from_millis(10), Duration::from_secs(1))
    }
}

impl Backoff {
    /// Starts at `initial`, doubles per retry up to `max`, with equal jitter (0.5).
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max: max.max(initial),
            jitter: 0.5,
        }
    }

    /// No waiting between attempts.
    pub fn none() -> Backoff {
        Backoff::new(Duration::ZERO, Duration::ZERO)
    }

    /// Sets the jitter fraction, clamped to `0.0..=1.0`.
    pub fn jitter(mut self, jitter: f64) -> Backoff {
        self.jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        self
    }

    /// The delay before retry `retry` (counting from 1) before jitter.
    pub fn base(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(32);
        self.initial
            .checked_mul(1 << doublings)
            .map_or(self.max, |delay| delay.min(self.max))
    }

    /// The jittered delay before retry `retry`, with `unit` a random number in `[0, 1)`.
    pub(crate) fn delay(&self, retry: u32, unit: f64) -> Duration {
        self.base(retry).mul_f64(1.0 - self.jitter * unit)
    }
}

/// A lock-free pseudo-random sequence (SplitMix64) for the jitter; one per service.
#[derive(Debug)]
pub(crate) struct Jitter {
    state: AtomicU64,
}

impl Jitter {
    /// A sequence from `seed`, or from a per-process random seed.
    pub(crate) fn new(seed: Option<u64>) -> Jitter {
        let seed = seed.unwrap_or_else(|| RandomState::new().build_hasher().finish());
        Jitter {
            state: AtomicU64::new(seed),
        }
    }

    /// A number in `[0, 1)`.
    pub(crate) fn next_unit(&self) -> f64 {
        const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut z = self.state.fetch_add(GAMMA, Relaxed).wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        // The top 53 bits, as a fraction of 2^53.
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
