//! `UnixStream`: a Unix domain stream connection.

use crate::io::poll_evented::PollEvented;
use crate::net::macros::{byte_stream, readiness_methods};
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

/// A connected Unix domain stream socket.
///
/// Read and write it with [`AsyncReadExt`](crate::io::AsyncReadExt) and
/// [`AsyncWriteExt`](crate::io::AsyncWriteExt), or with the `try_*` methods after
/// waiting for readiness.
///
/// # Examples
///
/// ```
/// use kairos::io::{AsyncReadExt, AsyncWriteExt};
/// use kairos::net::UnixStream;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let (mut a, mut b) = UnixStream::pair()?;
/// a.write_all(b"ping").await?;
/// let mut buf = [0; 4];
/// b.read_exact(&mut buf).await?;
/// assert_eq!(&buf, b"ping");
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct UnixStream {
    pub(crate) io: PollEvented<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// # Errors
    ///
    /// `NotFound` if nothing is there, `ConnectionRefused` if nothing listens, `WouldBlock`
    /// if the listener's backlog is full; outside a runtime, or on one built without
    /// `enable_io`, an error that says so.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let stream = UnixStream::new(mio::net::UnixStream::connect(path)?)?;
        poll_fn(|cx| stream.io.poll_write_ready(cx)).await?;
        if let Some(err) = stream.io.take_error()? {
            return Err(err);
        }
        Ok(stream)
    }

    /// A pair of connected, unnamed sockets.
    ///
    /// # Errors
    ///
    /// If the operating system refuses the pair; the I/O driver errors of
    /// [`connect`](Self::connect).
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::new(a)?, UnixStream::new(b)?))
    }

    pub(crate) fn new(stream: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// Wraps a standard library stream, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// If non-blocking mode cannot be set; the I/O driver errors of
    /// [`connect`](Self::connect).
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::new(mio::net::UnixStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a standard library stream, still in
    /// non-blocking mode.
    ///
    /// # Errors
    ///
    /// If the driver cannot deregister it.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        self.io.into_std()
    }

    /// The local address of the socket.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    /// The address of the peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.peer_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.take_error()
    }

    readiness_methods!(
        setup = "let (socket, _peer) = kairos::net::UnixStream::pair()?;",
        read = try_read,
        write = try_write
    );
}

byte_stream!(
    UnixStream,
    setup = "let (socket, _peer) = kairos::net::UnixStream::pair()?;"
);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .finish()
    }
}
