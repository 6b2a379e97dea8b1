//! The I/O driver: one `mio::Poll` per runtime, and the handle that registers sources
//! with it.
//!
//! A turn waits in `epoll_wait` (kqueue elsewhere) for at most the given timeout, then,
//! under the registration lock, stamps each event's readiness on its `ScheduledIo` with
//! the turn's tick (events with a stale generation are dropped, see `registrations.rs`).
//! The wakers run after the lock is released. All registrations are edge-triggered: the
//! kernel reports a change once, and the readiness word remembers it until an operation
//! proves it stale.

use super::registrations::{Registrations, SIGNAL_TOKEN, WAKE_TOKEN};
use super::scheduled_io::ScheduledIo;
use crate::io::{Interest, Ready};
use crate::loom::sync::{Arc, Mutex};
use std::io;
use std::time::Duration;

/// Events taken from the kernel per turn.
const EVENTS_CAPACITY: usize = 1024;

/// The parking side: owned by the thread that parks in the driver.
pub(crate) struct Driver {
    poll: mio::Poll,
    events: mio::Events,
    /// The current turn, stamped on readiness (wraps; see `scheduled_io.rs`).
    tick: u16,
    /// The resources the current turn made ready, woken once the lock is released. Kept
    /// between turns so dispatching does not allocate.
    dispatched: Vec<(Arc<ScheduledIo>, Ready)>,
}

/// The shared side: registers sources and wakes the driver.
pub(crate) struct Handle {
    registry: mio::Registry,
    registrations: Mutex<Registrations>,
    waker: mio::Waker,
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
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::Interrupted => return 0,
            Err(err) => panic!("the Kairos I/O driver failed to poll for events: {err}"),
        }
        self.tick = self.tick.wrapping_add(1);
        let mut signalled = false;
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
                            self.dispatched.push((io.clone(), ready));
                        }
                    }
                }
            }
        }
        let count = self.dispatched.len();
        for (io, ready) in self.dispatched.drain(..) {
            io.wake(ready);
        }
        if signalled {
            crate::signal::registry::on_pipe_readable();
        }
        count
    }

    /// Marks every registration as shut down (their operations fail from now on) and
    /// wakes everything waiting on them.
    pub(crate) fn shutdown(&mut self, handle: &Handle) {
        let live = handle.registrations.lock().shutdown();
        for io in live {
            io.shutdown();
        }
    }
}

impl Handle {
    /// Wakes the thread parked in [`Driver::turn`], or makes its next turn return at once.
    ///
    /// # Panics
    ///
    /// If the wake-up cannot be delivered (the event fd failed).
    pub(crate) fn unpark(&self) {
        if let Err(err) = self.waker.wake() {
            panic!("failed to wake the Kairos I/O driver: {err}");
        }
    }

    /// Registers `source` for `interest`; the returned token and readiness word belong to
    /// the caller until it calls [`release`](Self::release).
    pub(crate) fn register(
        &self,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<(mio::Token, Arc<ScheduledIo>)> {
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

    /// Frees `token`'s slot.
    pub(crate) fn release(&self, token: mio::Token) {
        self.registrations.lock().release(token);
    }
}
