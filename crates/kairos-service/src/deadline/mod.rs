//! Deadlines that travel with a request down the call chain.
//!
//! A request's deadline is the instant after which nobody waits for its answer. Every
//! service that works on the request's behalf (the filters inside the one that set it, the
//! services those call, a client sending the request on) should give up by then. Kairos
//! carries the deadline beside the call, the way Finagle's broadcast context does, not in
//! the request type, so every request type gets it and no filter needs a bound on `Req`:
//!
//! - [`current`] is the deadline of the request being worked on, if any.
//! - [`scope`] runs a future with a deadline in force; [`with_deadline`] runs a closure.
//!   Deadlines only tighten: a scope inside another keeps the earlier deadline.
//! - The [timeout filter](crate::filters::timeout) respects a deadline in force when its
//!   future is first polled: it fails at once, without calling the inner service, when
//!   that deadline has passed, and otherwise fires at whichever of it and its own limit
//!   comes first; it puts that earlier deadline in force around the inner service (the
//!   inner call and every poll of its future). So `deadline::scope(d, service.call(req))`
//!   works although the call is made before the scope is entered.
//! - The [deadline filter](crate::filters::deadline) takes a deadline carried *in* a request
//!   (an HTTP header, a field of an RPC envelope) and puts it in force for the inner
//!   service; a client does the reverse, reading [`current`] to write the header.
//!
//! The deadline is in force while a future of the chain is being polled on this thread
//! (it is kept in a thread-local slot that each scope sets and restores around a poll), so
//! it follows the request across filters and awaits, across threads of a work-stealing
//! runtime, but not into a task the handler spawns: wrap such a task's future in
//! [`scope`] with the [`current`] deadline to pass it on. Read it inside a service's
//! future, not in the synchronous part of `call`: a caller may enter the scope only when
//! it polls.
//!
//! # Examples
//!
//! ```
//! use kairos::time::{Duration, Instant};
//! use kairos_service::deadline;
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! assert_eq!(deadline::current(), None);
//! let soon = Instant::now() + Duration::from_millis(50);
//! let seen = deadline::scope(soon, async { deadline::current() }).await;
//! assert_eq!(seen, Some(soon));
//! # });
//! ```

mod scope;

pub use self::scope::{scope, Scoped};

use kairos::time::Instant;
use std::cell::Cell;

thread_local! {
    /// The deadline in force on this thread, while a scope is being run.
    static CURRENT: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The deadline in force for the request being worked on, if any.
///
/// # Examples
///
/// ```
/// use kairos::time::{Duration, Instant};
/// use kairos_service::deadline;
///
/// let at = Instant::now() + Duration::from_secs(1);
/// deadline::with_deadline(Some(at), || assert_eq!(deadline::current(), Some(at)));
/// assert_eq!(deadline::current(), None);
/// ```
pub fn current() -> Option<Instant> {
    CURRENT.with(Cell::get)
}

/// Runs `f` with `deadline` in force (or the one already in force, if it is earlier).
/// `None` leaves the deadline in force as it is.
///
/// # Examples
///
/// ```
/// use kairos::time::{Duration, Instant};
/// use kairos_service::deadline;
///
/// let early = Instant::now() + Duration::from_secs(1);
/// let late = early + Duration::from_secs(1);
/// deadline::with_deadline(Some(early), || {
///     // Deadlines only tighten.
///     deadline::with_deadline(Some(late), || assert_eq!(deadline::current(), Some(early)));
/// });
/// ```
pub fn with_deadline<R>(deadline: Option<Instant>, f: impl FnOnce() -> R) -> R {
    let _restore = Restore::enter(deadline);
    f()
}

/// The earlier of two optional deadlines (`None` is "no deadline", later than any).
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Puts a deadline in force and restores the previous one when dropped, even on panic.
struct Restore {
    previous: Option<Instant>,
}

impl Restore {
    fn enter(deadline: Option<Instant>) -> Restore {
        let previous = CURRENT.with(|slot| {
            let previous = slot.get();
            slot.set(earliest(previous, deadline));
            previous
        });
        Restore { previous }
    }
}

impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.with(|slot| slot.set(self.previous));
    }
}
