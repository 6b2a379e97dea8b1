//! `UnixDatagram`: datagrams over Unix domain sockets.

use crate::io::poll_evented::PollEvented;
use crate::io::Interest;
use crate::net::macros::{datagram_methods, fd_impls, readiness_methods};
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;

/// A Unix domain datagram socket.
///
/// # Examples
///
/// ```
/// use kairos::net::UnixDatagram;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"one datagram").await?;
/// let mut buf = [0; 64];
/// let n = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"one datagram");
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UnixDatagram {
    io: PollEvented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// Creates a socket bound to the file `path`.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the file exists, permission errors; the I/O driver errors.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::bind(path)?)
    }

    /// Creates a socket bound to no address (it can send, and receive replies once
    /// connected).
    ///
    /// # Errors
    ///
    /// If the operating system refuses a socket; the I/O driver errors.
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::unbound()?)
    }

    /// A pair of connected, unnamed sockets.
    ///
    /// # Errors
    ///
    /// If the operating system refuses the pair; the I/O driver errors.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::new(a)?, UnixDatagram::new(b)?))
    }

    fn new(socket: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(socket)?,
        })
    }

    /// Wraps a standard library socket, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// If non-blocking mode cannot be set; the I/O driver errors.
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::new(mio::net::UnixDatagram::from_std(socket))
    }

    /// Deregisters the socket and returns it as a standard library socket, still in
    /// non-blocking mode.
    ///
    /// # Errors
    ///
    /// If the driver cannot deregister it.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        self.io.into_std()
    }

    /// Sets the default destination of [`send`](Self::send), and the only source
    /// [`recv`](Self::recv) accepts.
    ///
    /// # Errors
    ///
    /// `NotFound`, `ConnectionRefused`, ...
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.io.connect(path)
    }

    /// Sends `buf` to the socket at `target`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: the datagram is sent in the poll that returns, or not at all.
    ///
    /// # Errors
    ///
    /// `NotFound`, `ConnectionRefused`, or the send's error.
    pub async fn send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io
            .async_io(Interest::WRITABLE, || self.io.send_to(buf, target))
            .await
    }

    /// Sends to `target` without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the peer's queue is full, or the send's error.
    pub fn try_send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, || self.io.send_to(buf, target))
    }

    datagram_methods!(SocketAddr);

    readiness_methods!(
        setup = "let (socket, _peer) = kairos::net::UnixDatagram::pair()?;",
        read = try_recv,
        write = try_send
    );

    /// The local address of the socket.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    /// The address of the connected peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.peer_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.take_error()
    }

    /// Shuts down the reading side, the writing side, or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.shutdown(how)
    }
}

fd_impls!(UnixDatagram, io);

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("local", &self.local_addr().ok())
            .finish()
    }
}
