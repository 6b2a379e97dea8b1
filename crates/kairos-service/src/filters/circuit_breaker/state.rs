//! The breaker's state machine (see the diagram in the [module docs](super)); all of it
//! runs under one mutex.

use super::CircuitBreakerConfig;
use crate::filters::backoff::Jitter;
use crate::Status;
use kairos::time::Instant;
use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Calls go through; `failures` in a row so far.
    Closed { failures: u32 },
    /// Calls fail until `until`; this is opening number `openings` in a row.
    Open { until: Instant, openings: u32 },
    /// The probe is in flight.
    HalfOpen { openings: u32 },
}

/// What a call may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// An ordinary call, while closed.
    Normal,
    /// The probe, while half-open.
    Probe,
}

#[derive(Debug)]
pub(crate) struct Accrual {
    config: CircuitBreakerConfig,
    jitter: Jitter,
    state: Mutex<State>,
}

impl Accrual {
    pub(crate) fn new(config: CircuitBreakerConfig) -> Accrual {
        Accrual {
            jitter: Jitter::new(config.seed),
            config,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Only comparisons run under the lock; a poisoned state is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Admits a call, or refuses it (`None`).
    pub(crate) fn admit(&self, now: Instant) -> Option<Role> {
        let mut state = self.state();
        match *state {
            State::Closed { .. } => Some(Role::Normal),
            State::Open { until, openings } if now >= until => {
                *state = State::HalfOpen { openings };
                Some(Role::Probe)
            }
            State::Open { .. } | State::HalfOpen { .. } => None,
        }
    }

    /// Records the outcome of a call admitted as `role`.
    pub(crate) fn record(&self, role: Role, failed: bool, now: Instant) {
        let mut state = self.state();
        *state = match (*state, role) {
            (State::Closed { .. }, Role::Normal) if !failed => State::Closed { failures: 0 },
            (State::Closed { failures }, Role::Normal) if failures + 1 < self.config.failures => {
                State::Closed {
                    failures: failures + 1,
                }
            }
            (State::Closed { .. }, Role::Normal) => self.open(now, 1),
            (State::HalfOpen { .. }, Role::Probe) if !failed => State::Closed { failures: 0 },
            (State::HalfOpen { openings }, Role::Probe) => self.open(now, openings + 1),
            // A late outcome of a call that started before the breaker opened.
            (other, _) => other,
        };
    }

    /// The probe was dropped before it finished: the next call probes instead.
    pub(crate) fn abandon_probe(&self, now: Instant) {
        let mut state = self.state();
        if let State::HalfOpen { openings } = *state {
            *state = State::Open {
                until: now,
                openings,
            };
        }
    }

    fn open(&self, now: Instant, openings: u32) -> State {
        let backoff = self.config.backoff.delay(openings, self.jitter.next_unit());
        State::Open {
            until: now + backoff,
            openings,
        }
    }

    /// `Busy` while a call now would be refused.
    pub(crate) fn status(&self, now: Instant) -> Status {
        match *self.state() {
            State::Closed { .. } => Status::Open,
            State::Open { until, .. } if now >= until => Status::Open,
            State::Open { .. } | State::HalfOpen { .. } => Status::Busy,
        }
    }

    /// Whether the breaker lets calls through (closed).
    pub(crate) fn is_closed(&self) -> bool {
        matches!(*self.state(), State::Closed { .. })
    }
}
