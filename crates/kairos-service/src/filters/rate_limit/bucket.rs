//! The token bucket, as one instant (GCRA); see the [module docs](super).

use super::RateLimitConfig;
use kairos::time::Instant;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

#[derive(Debug)]
pub(crate) struct Bucket {
    config: RateLimitConfig,
    /// When the bucket will be full again; `None` (or a past instant): it is full now.
    full_at: Mutex<Option<Instant>>,
}

/// A token taken for a call that waits until `at`.
#[derive(Debug)]
pub(crate) struct Reservation {
    pub(crate) at: Instant,
    /// `full_at` before and after this reservation, to give the token back.
    before: Option<Instant>,
    after: Instant,
}

impl Bucket {
    pub(crate) fn new(config: RateLimitConfig) -> Bucket {
        Bucket {
            config,
            full_at: Mutex::new(None),
        }
    }

    fn full_at(&self) -> MutexGuard<'_, Option<Instant>> {
        // Only comparisons run under the lock; a poisoned value is still consistent.
        self.full_at.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How much of the bucket's span may lie in the future while a token is left.
    fn slack(&self) -> Duration {
        self.config.interval * (self.config.burst - 1)
    }

    /// Takes a token: `Ok(None)` if one is there now, `Ok(Some(reservation))` for a token
    /// due later, `Err(wait)` if that is further than `max_wait` (nothing is taken).
    pub(crate) fn take(&self, now: Instant) -> Result<Option<Reservation>, Duration> {
        let mut full_at = self.full_at();
        let before = *full_at;
        let start = before.map_or(now, |at| at.max(now));
        let earliest = start
            .checked_sub(self.slack())
            .map_or(now, |at| at.max(now));
        let wait = earliest - now;
        if self.config.max_wait.is_some_and(|max| wait > max) {
            return Err(wait);
        }
        let after = start + self.config.interval;
        *full_at = Some(after);
        if wait.is_zero() {
            return Ok(None);
        }
        Ok(Some(Reservation {
            at: earliest,
            before,
            after,
        }))
    }

    /// Gives back the token of a call that no longer waits, if no call reserved one since.
    pub(crate) fn give_back(&self, reservation: &Reservation) {
        let mut full_at = self.full_at();
        if *full_at == Some(reservation.after) {
            *full_at = reservation.before;
        }
    }

    /// Whether a call now would have to wait.
    pub(crate) fn is_empty(&self, now: Instant) -> bool {
        let full_at = *self.full_at();
        full_at.is_some_and(|at| at > now + self.slack())
    }
}
