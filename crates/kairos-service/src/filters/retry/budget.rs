//! `RetryBudget`: retries as a fraction of the traffic; see the [module docs](super).
//!
//! Tokens are counted in thousandths. The ring holds one slot per tenth of the `ttl`; a
//! deposit adds to the newest slot, a withdrawal subtracts from it (it may go negative), and
//! a slot older than `ttl` is zeroed and reused, so deposits *and* withdrawals expire after
//! `ttl`. The balance is the sum of the slots plus the reserve (`min_per_second * ttl`).

use kairos::time::Instant;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Thousandths of a token per token.
const SCALE: i64 = 1000;
/// Slots in the ring: deposits expire with a granularity of a tenth of the `ttl`.
const SLOTS: usize = 10;

/// A budget that allows retries for a fraction of recent calls; see the
/// [module docs](super).
///
/// Time is the runtime's clock ([`kairos::time::Instant`]), so a paused test clock
/// controls expiry.
///
/// # Examples
///
/// ```
/// use kairos_service::filters::retry::RetryBudget;
/// use std::time::Duration;
///
/// // Retries for half the calls, no reserve.
/// let budget = RetryBudget::new(Duration::from_secs(10), 0, 0.5);
/// budget.deposit();
/// assert!(!budget.withdraw()); // half a token
/// budget.deposit();
/// assert!(budget.withdraw()); // a whole one
/// assert!(!budget.withdraw());
/// ```
#[derive(Debug)]
pub struct RetryBudget {
    deposit: i64,
    reserve: i64,
    slot_length: Duration,
    ring: Mutex<Ring>,
}

#[derive(Debug)]
struct Ring {
    slots: [i64; SLOTS],
    /// The slot taking deposits now, and when it started (`None` before first use).
    current: usize,
    started: Option<Instant>,
}

impl Default for RetryBudget {
    /// Finagle's defaults: 20 % of calls, plus 10 retries a second, over 10 s.
    fn default() -> RetryBudget {
        RetryBudget::new(Duration::from_secs(10), 10, 0.2)
    }
}

impl RetryBudget {
    /// A budget that allows `ratio` retries per call (0.2: one retry per five calls) plus
    /// `min_per_second` retries a second, counted over the last `ttl`.
    ///
    /// `ttl` is clamped to 1..=60 s and `ratio` to 0..=1000.
    pub fn new(ttl: Duration, min_per_second: u32, ratio: f32) -> RetryBudget {
        let ttl = ttl.clamp(Duration::from_secs(1), Duration::from_secs(60));
        let ratio = if ratio.is_nan() {
            0.0
        } else {
            ratio.clamp(0.0, 1000.0)
        };
        let reserve = i64::from(min_per_second) * ttl.as_millis() as i64;
        RetryBudget {
            deposit: (f64::from(ratio) * SCALE as f64).round() as i64,
            reserve,
            slot_length: ttl / SLOTS as u32,
            ring: Mutex::new(Ring {
                slots: [0; SLOTS],
                current: 0,
                started: None,
            }),
        }
    }

    /// Records a call (an original attempt, not a retry).
    pub fn deposit(&self) {
        let mut ring = self.ring(Instant::now());
        let current = ring.current;
        ring.slots[current] += self.deposit;
    }

    /// Takes a token for one retry; `false` if there is none (the retry must not happen).
    pub fn withdraw(&self) -> bool {
        let mut ring = self.ring(Instant::now());
        if self.balance_of(&ring) < SCALE {
            return false;
        }
        let current = ring.current;
        ring.slots[current] -= SCALE;
        true
    }

    /// How many retries the budget allows now.
    pub fn balance(&self) -> u64 {
        let ring = self.ring(Instant::now());
        (self.balance_of(&ring) / SCALE).max(0) as u64
    }

    fn balance_of(&self, ring: &Ring) -> i64 {
        ring.slots.iter().sum::<i64>() + self.reserve
    }

    /// The ring, with the slots older than `ttl` expired as of `now`.
    fn ring(&self, now: Instant) -> MutexGuard<'_, Ring> {
        // Only arithmetic runs under the lock; a poisoned ring is still consistent.
        let mut ring = self.ring.lock().unwrap_or_else(PoisonError::into_inner);
        let started = *ring.started.get_or_insert(now);
        let elapsed = now.saturating_duration_since(started);
        let passed = (elapsed.as_nanos() / self.slot_length.as_nanos()) as u64;
        if passed > 0 {
            for _ in 0..passed.min(SLOTS as u64) {
                ring.current = (ring.current + 1) % SLOTS;
                let current = ring.current;
                ring.slots[current] = 0;
            }
            let moved = self.slot_length.as_nanos() * u128::from(passed);
            ring.started = Some(started + Duration::from_nanos(moved.min(u64::MAX as u128) as u64));
        }
        ring
    }
}
