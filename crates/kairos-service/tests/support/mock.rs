//! A scripted mock service for the filter tests.
//!
//! Each call takes the next step of the script (or the default step once the script is
//! spent): answer at once or after a delay on the paused clock, succeed (echoing the
//! request) or fail, or never answer. The mock counts calls and calls in flight.

#![allow(dead_code)]

use kairos::time::{sleep, Duration};
use kairos_service::{Service, Status};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;

/// What one call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Answer `Ok(request)` after the delay.
    Ok(Duration),
    /// Answer `Err(MockError)` after the delay.
    Fail(Duration),
    /// Never answer.
    Hang,
}

/// Succeed at once.
pub const OK: Step = Step::Ok(Duration::ZERO);
/// Fail at once.
pub const FAIL: Step = Step::Fail(Duration::ZERO);

/// The mock's error: which call (counting from 1) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MockError(pub usize);

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mock call {} failed", self.0)
    }
}

impl std::error::Error for MockError {}

#[derive(Debug)]
pub struct Mock {
    script: Mutex<VecDeque<Step>>,
    otherwise: Step,
    calls: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    status: Mutex<Status>,
}

impl Mock {
    /// A mock that takes `script` in order, then `otherwise` forever.
    pub fn new(script: impl IntoIterator<Item = Step>, otherwise: Step) -> Mock {
        Mock {
            script: Mutex::new(script.into_iter().collect()),
            otherwise,
            calls: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            status: Mutex::new(Status::Open),
        }
    }

    /// Every call does `step`.
    pub fn always(step: Step) -> Mock {
        Mock::new([], step)
    }

    pub fn calls(&self) -> usize {
        self.calls.load(SeqCst)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(SeqCst)
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(SeqCst)
    }

    pub fn set_status(&self, status: Status) {
        *self.status.lock().unwrap() = status;
    }
}

/// Counts a call in flight until dropped.
struct InFlight<'a>(&'a Mock);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, SeqCst);
    }
}

impl Service<u32> for Mock {
    type Response = u32;
    type Error = MockError;
    type Future<'a> = Pin<Box<dyn Future<Output = Result<u32, MockError>> + Send + 'a>>;

    fn call(&self, req: u32) -> Self::Future<'_> {
        let call = self.calls.fetch_add(1, SeqCst) + 1;
        let now = self.in_flight.fetch_add(1, SeqCst) + 1;
        self.max_in_flight.fetch_max(now, SeqCst);
        let guard = InFlight(self);
        let step = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(self.otherwise);
        Box::pin(async move {
            let _guard = guard;
            match step {
                Step::Ok(delay) => {
                    if !delay.is_zero() {
                        sleep(delay).await;
                    }
                    Ok(req)
                }
                Step::Fail(delay) => {
                    if !delay.is_zero() {
                        sleep(delay).await;
                    }
                    Err(MockError(call))
                }
                Step::Hang => std::future::pending().await,
            }
        })
    }

    fn status(&self) -> Status {
        *self.status.lock().unwrap()
    }

    fn close(&self) {
        self.set_status(Status::Closed);
    }
}
