//! `PollEvented`: a `mio` source registered with the current runtime's I/O driver, and
//! the byte-stream operations on it.
//!
//! Every socket type wraps one. Its methods are the whole interface between `net` and
//! the driver (see `runtime::io` for why it is phrased in operations).

use crate::io::{Interest, Ready};
use crate::runtime::io::{Direction, Registration};
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::ops::Deref;
use std::task::{Context, Poll};

/// A registered `mio` source. Dropping it deregisters the source from the driver before
/// the source (and its file descriptor) is closed, then frees the registration slot.
pub(crate) struct PollEvented<E: mio::event::Source> {
    /// `None` only after `into_inner` took it.
    io: Option<E>,
    registration: Registration,
}

impl<E: mio::event::Source> PollEvented<E> {
    /// Registers `io` for reading and writing.
    ///
    /// # Errors
    ///
    /// See [`Registration::new`].
    pub(crate) fn new(io: E) -> io::Result<Self> {
        Self::new_with_interest(io, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `io` for `interest`.
    pub(crate) fn new_with_interest(mut io: E, interest: Interest) -> io::Result<Self> {
        let registration = Registration::new(&mut io, interest)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    /// Deregisters the source and gives it back.
    pub(crate) fn into_inner(mut self) -> io::Result<E> {
        let mut io = self.io.take().expect("the source was already taken");
        self.registration.deregister(&mut io)?;
        Ok(io)
    }

    /// Deregisters the source and converts it, through its file descriptor, into a
    /// standard library type.
    pub(crate) fn into_std<T>(self) -> io::Result<T>
    where
        std::os::fd::OwnedFd: From<E>,
        T: From<std::os::fd::OwnedFd>,
    {
        let io = self.into_inner()?;
        Ok(T::from(std::os::fd::OwnedFd::from(io)))
    }

    /// Polls `op` until it does not return `WouldBlock`, waiting for read readiness in
    /// between (the one-waiter path).
    pub(crate) fn poll_read_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration.poll_io(cx, Direction::Read, |_| op())
    }

    /// As [`poll_read_io`](Self::poll_read_io), for write readiness.
    pub(crate) fn poll_write_io<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.registration.poll_io(cx, Direction::Write, |_| op())
    }

    /// Waits for any readiness in `interest`; many tasks may wait at once.
    pub(crate) async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        Ok(self.registration.readiness(interest).await?.ready)
    }

    /// Waits until the source may be read (the one-reader path of `AsyncRead`).
    pub(crate) fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration
            .poll_ready(cx, Direction::Read)
            .map_ok(|_| ())
    }

    /// Waits until the source may be written (the one-writer path of `AsyncWrite`).
    pub(crate) fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration
            .poll_ready(cx, Direction::Write)
            .map_ok(|_| ())
    }

    /// Runs `op` if the source looks ready for `interest`; see [`Registration::try_io`].
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration.try_io(interest, op)
    }

    /// Waits for `interest` and runs `op` until it does not return `WouldBlock`.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration.async_io(interest, op).await
    }
}

/// The byte-stream operations. A read or write that moves fewer bytes than asked proves
/// the kernel buffer drained (or full), so it clears readiness without the extra system
/// call that would return `WouldBlock`. Only stream sockets use these: a short datagram
/// proves nothing.
impl<E: mio::event::Source> PollEvented<E>
where
    for<'a> &'a E: Read + Write,
{
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.registration.poll_io(cx, Direction::Read, |event| {
            let n = self.source().read(buf)?;
            if n > 0 && n < len {
                self.registration.clear_readiness(event);
            }
            Ok(n)
        })
    }

    pub(crate) fn poll_read_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let len: usize = bufs.iter().map(|buf| buf.len()).sum();
        self.registration.poll_io(cx, Direction::Read, |event| {
            let n = self.source().read_vectored(bufs)?;
            if n > 0 && n < len {
                self.registration.clear_readiness(event);
            }
            Ok(n)
        })
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.registration.poll_io(cx, Direction::Write, |event| {
            let n = self.source().write(buf)?;
            if n > 0 && n < buf.len() {
                self.registration.clear_readiness(event);
            }
            Ok(n)
        })
    }

    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len: usize = bufs.iter().map(|buf| buf.len()).sum();
        self.registration.poll_io(cx, Direction::Write, |event| {
            let n = self.source().write_vectored(bufs)?;
            if n > 0 && n < len {
                self.registration.clear_readiness(event);
            }
            Ok(n)
        })
    }

    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.try_io(Interest::READABLE, || self.source().read(buf))
    }

    pub(crate) fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.try_io(Interest::READABLE, || self.source().read_vectored(bufs))
    }

    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.try_io(Interest::WRITABLE, || self.source().write(buf))
    }

    pub(crate) fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.try_io(Interest::WRITABLE, || self.source().write_vectored(bufs))
    }
}

impl<E: mio::event::Source> PollEvented<E> {
    fn source(&self) -> &E {
        self.io.as_ref().expect("the source was already taken")
    }
}

impl<E: mio::event::Source> Deref for PollEvented<E> {
    type Target = E;

    fn deref(&self) -> &E {
        self.source()
    }
}

impl<E: mio::event::Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Deregistration only fails if the source was never registered or the
            // driver's poll instance is gone; either way nothing is left to undo.
            let _ = self.registration.deregister(&mut io);
            // `io` closes here; `registration` then frees its slot.
        }
    }
}

impl<E: mio::event::Source + std::fmt::Debug> std::fmt::Debug for PollEvented<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollEvented").field("io", &self.io).finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::runtime::Builder;
    use std::future::poll_fn;

    /// A connected pair of registered `mio` TCP streams, through a registered listener.
    async fn pair() -> (
        PollEvented<mio::net::TcpStream>,
        PollEvented<mio::net::TcpStream>,
    ) {
        let listener =
            PollEvented::new(mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap())
                .unwrap();
        let client =
            PollEvented::new(mio::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap())
                .unwrap();
        let (server, _) = poll_fn(|cx| listener.poll_read_io(cx, || listener.accept()))
            .await
            .unwrap();
        (client, PollEvented::new(server).unwrap())
    }

    #[test]
    fn bytes_flow_through_registered_streams() {
        let rt = Builder::new_current_thread().enable_io().build().unwrap();
        rt.block_on(async {
            let (client, server) = pair().await;
            let sent = poll_fn(|cx| client.poll_write(cx, b"hello")).await.unwrap();
            assert_eq!(sent, 5);
            let mut buf = [0; 16];
            // Short read: readiness is cleared without another system call, so a second
            // read waits instead of failing.
            let n = poll_fn(|cx| server.poll_read(cx, &mut buf)).await.unwrap();
            assert_eq!(&buf[..n], b"hello");
            assert!(
                server
                    .registration
                    .current_readiness(Interest::READABLE)
                    .is_empty(),
                "the short read cleared readiness by itself"
            );
            assert_eq!(
                server.try_read(&mut buf).unwrap_err().kind(),
                io::ErrorKind::WouldBlock
            );
            drop(client);
            let n = poll_fn(|cx| server.poll_read(cx, &mut buf)).await.unwrap();
            assert_eq!(n, 0, "end of stream after the peer closed");
        });
    }

    #[test]
    fn dropping_a_source_frees_its_registration() {
        let rt = Builder::new_current_thread().enable_io().build().unwrap();
        rt.block_on(async {
            let handle = crate::runtime::io::current_handle().unwrap();
            let before = handle.live_registrations();
            for _ in 0..100 {
                let (client, server) = pair().await;
                assert_eq!(handle.live_registrations(), before + 2);
                drop((client, server));
            }
            assert_eq!(handle.live_registrations(), before);
        });
    }

    #[test]
    fn registering_without_enable_io_names_it() {
        let rt = Builder::new_current_thread().build().unwrap();
        let err = rt
            .block_on(async {
                PollEvented::new(
                    mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap(),
                )
            })
            .unwrap_err();
        assert!(err.to_string().contains("enable_io"), "{err}");
    }

    #[test]
    fn operations_fail_after_the_runtime_shuts_down() {
        let rt = Builder::new_current_thread().enable_io().build().unwrap();
        let (client, server) = rt.block_on(pair());
        drop(rt);
        let mut buf = [0; 4];
        let err =
            futures::executor::block_on(poll_fn(|cx| server.poll_read(cx, &mut buf))).unwrap_err();
        assert!(err.to_string().contains("shut down"), "{err}");
        drop(client);
    }
}
