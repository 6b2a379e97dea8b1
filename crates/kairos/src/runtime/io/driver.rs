//! The I/O driver: one `mio::Poll` per runtime, and the handle that registers sources
//! with it.
//!
//! A turn waits in `epoll_wait` (kqueue elsewhere) for at most the given timeout, then,
//! under the registration lock, stamps each event's readiness on its `ScheduledIo` with
//! the turn's tick and takes the wakers that readiness satisfies (events with a stale
//! generation are dropped, see `registrations.rs`). The wakers run after the lock is
//! released; the turn holds no reference to a `ScheduledIo` past the lock. All registrations are edge-triggered: the
//! kernel reports a change once, and the readiness word remembers it until an operation
//! proves it stale.
//!
//! # Unparking without a system call when nobody sleeps
//!
//! Writing the waker's event fd costs a system call, and a busy runtime is unparked on
//! every task scheduled from another thread. So the handle keeps `park_state`: IDLE,
//! PARKED or NOTIFIED (the protocol of `runtime/park.rs`, with the event fd in place of
//! the condition variable):
//!
//! 1. A turn that may block moves IDLE -> PARKED (compare-and-swap) before it polls, and
//!    swaps IDLE back after. If it finds NOTIFIED instead, it consumes it (swaps in IDLE)
//!    and polls without blocking.
//! 2. `unpark` swaps in NOTIFIED and writes the event fd only if it saw PARKED.
//! 3. A turn with a zero timeout never blocks and leaves the state alone.
//!
//! Every transition is a sequentially consistent read-modify-write, so an `unpark` either
//! precedes the compare-and-swap of rule 1 (which then fails and the turn does not block)
//! or follows it (and sees PARKED and writes the fd, which ends the poll): no wake-up is
//! lost. A write that lands after the poll returned leaves the fd readable, which only
//! makes the next blocking turn return at once, once.

use super::registrations::{Registrations, SIGNAL_TOKEN, WAKE_TOKEN};
use super::scheduled_io::ScheduledIo;
use crate::io::{Interest, Ready};
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Mutex;
use std::io;
use std::ptr::NonNull;
use std::task::Waker;
use std::time::Duration;

/// Events taken from the kernel per turn.
const EVENTS_CAPACITY: usize = 1024;

/// `park_state`: nobody is blocked in the poll and no unpark is pending.
const IDLE: usize = 0;
/// `park_state`: a turn is blocked (or about to block) in the poll.
const PARKED: usize = 1;
/// `park_state`: an unpark is pending; the next turn must not block.
const NOTIFIED: usize = 2;

/// The parking side: owned by the thread that parks in the driver.
pub(crate) struct Driver {
    poll: mio::Poll,
    events: mio::Events,
    /// The current turn, stamped on readiness (wraps; see `scheduled_io.rs`).
    tick: u16,
    /// The wakers of the current turn's ready resources, woken once the lock is released.
    /// Kept between turns so dispatching does not allocate.
    dispatched: Vec<Waker>,
}

/// The shared side: registers sources and wakes the driver.
pub(crate) struct Handle {
    registry: mio::Registry,
    registrations: Mutex<Registrations>,
    waker: mio::Waker,
    /// IDLE, PARKED or NOTIFIED: whether `unpark` must write the waker's fd (module docs).
    park_state: AtomicUsize,
    /// This driver's registration of the signal self-pipe, once a signal is listened to.
    signal_pipe: Mutex<Option<mio::net::UnixStream>>,
}

impl Driver {
    pub(crate) fn new() -> io::Result<(Driver, Handle)> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKE_TOKEN)?;
        let registry = poll.registry().try_clone()?;
        let driver = Driver {
            poll,
            events: mio::Events::with_capacity(EVENTS_CAPACITY),
            tick: 0,
            dispatched: Vec::with_capacity(EVENTS_CAPACITY),
        };
        let handle = Handle {
            registry,
            registrations: Mutex::new(Registrations::new()),
            waker,
            park_state: AtomicUsize::new(IDLE),
            signal_pipe: Mutex::new(None),
        };
        Ok((driver, handle))
    }

    /// Waits for events for at most `timeout` (`None`: until an event or an unpark) and
    /// dispatches them. Returns how many registered resources it made ready.
    ///
    /// # Panics
    ///
    /// If the operating system's poll fails for a reason other than a signal.
    pub(crate) fn turn(&mut self, handle: &Handle, timeout: Option<Duration>) -> usize {
        let may_block = timeout != Some(Duration::ZERO);
        let timeout = if may_block
            && handle
                .park_state
                .compare_exchange(IDLE, PARKED, SeqCst, SeqCst)
                .is_err()
        {
            // Rule 1: an unpark is pending; consume it and do not block.
            handle.park_state.swap(IDLE, SeqCst);
            Some(Duration::ZERO)
        } else {
            timeout
        };
        let polled = self.poll.poll(&mut self.events, timeout);
        if may_block {
            handle.park_state.swap(IDLE, SeqCst);
        }
        match polled {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::Interrupted => return 0,
            Err(err) => panic!("the Kairos I/O driver failed to poll for events: {err}"),
        }
        self.tick = self.tick.wrapping_add(1);
        let mut signalled = false;
        let mut count = 0;
        {
            let registrations = handle.registrations.lock();
            for event in self.events.iter() {
                match event.token() {
                    WAKE_TOKEN => {}
                    SIGNAL_TOKEN => signalled = true,
                    token => {
                        if let Some(io) = registrations.get(token) {
                            let ready = Ready::from_mio(event);
                            io.set_readiness(self.tick, ready);
                            io.take_wakers(ready, &mut self.dispatched);
                            count += 1;
                        }
                    }
                }
            }
        }
        self.dispatched.drain(..).for_each(Waker::wake);
        if signalled {
            crate::signal::registry::on_pipe_readable();
        }
        count
    }

    /// Marks every registration as shut down (their operations fail from now on) and
    /// wakes everything waiting on them.
    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        handle.registrations.lock().shutdown(&mut self.dispatched);
        self.dispatched.drain(..).for_each(Waker::wake);
    }
}

impl Handle {
    /// Wakes the thread parked in [`Driver::turn`], or makes its next turn return at once.
    ///
    /// # Panics
    ///
    /// If the wake-up cannot be delivered (the event fd failed).
    pub(crate) fn unpark(&self) {
        // Rule 2: only a parked turn needs the fd written.
        if self.park_state.swap(NOTIFIED, SeqCst) != PARKED {
            return;
        }
        if let Err(err) = self.waker.wake() {
            panic!("failed to wake the Kairos I/O driver: {err}");
        }
    }

    /// Registers `source` for `interest`. The returned token and readiness word belong to
    /// the caller, who must give them back through [`release`](Self::release) and free
    /// the readiness word only then (`Registration` does both).
    pub(crate) fn register(
        &self,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<(mio::Token, NonNull<ScheduledIo>)> {
        let (token, io) = self.registrations.lock().allocate()?;
        if let Err(err) = self.registry.register(source, token, interest.to_mio()) {
            self.release(token);
            return Err(err);
        }
        Ok((token, io))
    }

    /// Removes `source` from the poll set. The caller releases its token afterwards.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.registry.deregister(source)
    }

    /// Makes this driver watch the signal self-pipe (once), so it dispatches signals.
    pub(crate) fn watch_signals(&self) -> io::Result<()> {
        let mut pipe = self.signal_pipe.lock();
        if pipe.is_none() {
            let mut receiver =
                mio::net::UnixStream::from_std(crate::signal::registry::pipe_receiver()?);
            self.registry
                .register(&mut receiver, SIGNAL_TOKEN, mio::Interest::READABLE)?;
            *pipe = Some(receiver);
        }
        Ok(())
    }

    /// Registrations not yet released.
    #[cfg(test)]
    pub(crate) fn live_registrations(&self) -> usize {
        self.registrations.lock().len()
    }

    /// Frees `token`'s slot and its readiness word: the driver cannot reach the word once
    /// this returns.
    pub(crate) fn release(&self, token: mio::Token) {
        let io = self.registrations.lock().release(token);
        // Dropped here, after the lock: the wakers it may hold run arbitrary code.
        drop(io);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Long enough that a test that waits this long has lost a wake-up.
    const LOST: Duration = Duration::from_secs(10);

    #[test]
    fn an_unpark_before_the_turn_makes_it_return_at_once() {
        let (mut driver, handle) = Driver::new().unwrap();
        handle.unpark();
        let started = Instant::now();
        driver.turn(&handle, Some(LOST));
        assert!(started.elapsed() < LOST / 2);
        assert_eq!(handle.park_state.load(SeqCst), IDLE);
    }

    #[test]
    fn an_unpark_while_idle_writes_nothing_and_a_zero_turn_keeps_it_pending() {
        let (mut driver, handle) = Driver::new().unwrap();
        handle.unpark();
        handle.unpark();
        assert_eq!(handle.park_state.load(SeqCst), NOTIFIED);
        driver.turn(&handle, Some(Duration::ZERO));
        assert!(driver.events.is_empty(), "the event fd was not written");
        assert_eq!(handle.park_state.load(SeqCst), NOTIFIED);
    }

    #[test]
    fn an_unpark_from_another_thread_ends_a_blocked_turn() {
        let (mut driver, handle) = Driver::new().unwrap();
        let handle = std::sync::Arc::new(handle);
        let unparker = {
            let handle = handle.clone();
            std::thread::spawn(move || {
                while handle.park_state.load(SeqCst) != PARKED {
                    std::thread::yield_now();
                }
                handle.unpark();
            })
        };
        let started = Instant::now();
        driver.turn(&handle, Some(LOST));
        assert!(started.elapsed() < LOST / 2);
        unparker.join().unwrap();
        assert_eq!(handle.park_state.load(SeqCst), IDLE);
    }
}
