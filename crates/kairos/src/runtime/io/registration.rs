//! `Registration`: one I/O resource's link to the driver, and the operations on it.
//!
//! This is the internal interface the socket types are written against. It speaks in
//! operations (`poll_io`, `try_io`, `async_io`, `readiness`), not in epoll terms, so the
//! readiness backend stays behind it; see the module docs of `runtime::io` for how a
//! completion backend fits the same shape.

use super::scheduled_io::{Direction, ReadyEvent, ScheduledIo};
use super::Handle;
use crate::io::Interest;
use crate::loom::sync::Arc;
use crate::task::coop;
use std::io;
use std::ptr::NonNull;
use std::task::{ready, Context, Poll};

/// A source registered with a runtime's I/O driver. Dropping it frees the slot and the
/// readiness word; the owner deregisters the source first (see `PollEvented`).
pub(crate) struct Registration {
    handle: Arc<Handle>,
    token: mio::Token,
    /// Owned by this registration, shared with the driver until `drop` releases the token
    /// (see `registrations.rs`).
    shared: NonNull<ScheduledIo>,
}

// SAFETY: the readiness word is `Send + Sync`; this registration owns its allocation and
// frees it only in `drop`, after the driver gave up its pointer.
unsafe impl Send for Registration {}
// SAFETY: as for `Send`: `&Registration` reaches only `&ScheduledIo`, which is `Sync`.
unsafe impl Sync for Registration {}

impl Registration {
    /// Registers `source` with the current runtime's I/O driver.
    ///
    /// # Errors
    ///
    /// Outside a runtime, on a runtime built without `enable_io`, after the runtime shut
    /// down, or if the operating system refuses the registration.
    pub(crate) fn new(
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<Self> {
        let handle = super::current_handle()?;
        let (token, shared) = handle.register(source, interest)?;
        Ok(Registration {
            handle,
            token,
            shared,
        })
    }

    fn shared(&self) -> &ScheduledIo {
        // SAFETY: the allocation lives until `drop` releases it, and `&self` outlives no
        // `drop`.
        unsafe { self.shared.as_ref() }
    }

    /// Removes `source` from the driver's poll set.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.handle.deregister(source)
    }

    /// Waits until the resource is ready in `direction`; one waiter per direction.
    /// Charges the cooperative budget.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        let coop = ready!(coop::poll_proceed(cx));
        let event = ready!(self.shared().poll_readiness(cx, direction));
        if event.is_shutdown {
            return Poll::Ready(Err(super::runtime_gone()));
        }
        coop.made_progress();
        Poll::Ready(Ok(event))
    }

    /// Runs `op` once the resource is ready in `direction`, clearing readiness and
    /// waiting again each time it returns `WouldBlock`. `op` gets the readiness it runs
    /// under, to clear it itself when it learns more (a short read). Charges the
    /// cooperative budget once the operation completes.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(ReadyEvent) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let coop = ready!(coop::poll_proceed(cx));
        loop {
            let event = ready!(self.shared().poll_readiness(cx, direction));
            if event.is_shutdown {
                return Poll::Ready(Err(super::runtime_gone()));
            }
            match op(event) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.shared().clear_readiness(event);
                }
                result => {
                    coop.made_progress();
                    return Poll::Ready(result);
                }
            }
        }
    }

    /// Runs `op` if the resource looks ready for `interest`, without waiting: returns
    /// `WouldBlock` if it does not, and clears readiness if `op` returns `WouldBlock`.
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let event = self.shared().ready_event(interest);
        if event.is_shutdown {
            return Err(super::runtime_gone());
        }
        if event.ready.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        match op() {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                self.shared().clear_readiness(event);
                Err(err)
            }
            result => result,
        }
    }

    /// Waits until the resource is ready for any of `interest`; many tasks may wait at
    /// once.
    pub(crate) async fn readiness(&self, interest: Interest) -> io::Result<ReadyEvent> {
        let event = self.shared().readiness(interest).await;
        if event.is_shutdown {
            return Err(super::runtime_gone());
        }
        Ok(event)
    }

    /// Waits for `interest` and runs `op`, until `op` returns something other than
    /// `WouldBlock`.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.readiness(interest).await?;
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    self.shared().clear_readiness(event);
                }
                result => return result,
            }
        }
    }

    /// Forgets `event`'s readiness unless a newer event arrived since.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.shared().clear_readiness(event);
    }

    /// The readiness events the resource has now, limited to `interest`.
    #[cfg(test)]
    pub(crate) fn current_readiness(&self, interest: Interest) -> crate::io::Ready {
        self.shared().ready_event(interest).ready
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // Frees the readiness word too: `shared` dangles from here on.
        self.handle.release(self.token);
    }
}
