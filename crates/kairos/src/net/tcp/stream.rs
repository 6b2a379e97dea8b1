//! `TcpStream`: a TCP connection.

use crate::io::poll_evented::PollEvented;
use crate::io::Interest;
use crate::net::addr::{each_addr, ToSocketAddrs};
use crate::net::macros::{byte_stream, readiness_methods};
use crate::net::TcpSocket;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};
use std::time::Duration;

/// A TCP connection between a local and a remote socket.
///
/// Read and write it through the [`AsyncRead`](crate::io::AsyncRead) and
/// [`AsyncWrite`](crate::io::AsyncWrite) traits, usually with the extension methods of
/// [`AsyncReadExt`](crate::io::AsyncReadExt) and
/// [`AsyncWriteExt`](crate::io::AsyncWriteExt); or with the non-blocking `try_*`
/// methods after waiting for readiness. [`split`](Self::split) and
/// [`into_split`](Self::into_split) give halves to read and write from two tasks.
///
/// Dropping the stream closes the connection.
///
/// # Examples
///
/// ```no_run
/// use kairos::io::{AsyncReadExt, AsyncWriteExt};
/// use kairos::net::TcpStream;
///
/// # async fn example() -> std::io::Result<()> {
/// let mut stream = TcpStream::connect("127.0.0.1:8080").await?;
/// stream.write_all(b"hello").await?;
/// let mut reply = [0; 5];
/// stream.read_exact(&mut reply).await?;
/// # Ok(())
/// # }
/// ```
pub struct TcpStream {
    pub(crate) io: PollEvented<mio::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`. If it names several addresses, each is tried in turn until
    /// one connects.
    ///
    /// # Errors
    ///
    /// The last address's error: [`io::ErrorKind::ConnectionRefused`] when nothing
    /// listens there, a timeout, an unreachable network, ...; outside a runtime, or on
    /// one built without `enable_io`, an error that says so.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future abandons the attempt and closes its socket.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::net::{TcpListener, TcpStream};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = TcpStream::connect(listener.local_addr()?).await?;
    /// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        each_addr(addr, |addr| async move {
            TcpSocket::new_for_addr(addr)?.connect(addr).await
        })
        .await
    }

    /// Registers a socket whose non-blocking connect is under way and waits for its
    /// outcome: the first writability, then the socket's error, if any.
    pub(crate) async fn connecting(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        let stream = TcpStream::new(stream)?;
        poll_fn(|cx| stream.io.poll_write_ready(cx)).await?;
        if let Some(err) = stream.io.take_error()? {
            return Err(err);
        }
        Ok(stream)
    }

    pub(crate) fn new(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: PollEvented::new(stream)?,
        })
    }

    /// Wraps a connected standard library stream, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// If non-blocking mode cannot be set; the I/O driver errors of
    /// [`connect`](Self::connect).
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    /// let stream = kairos::net::TcpStream::from_std(std_stream)?;
    /// # drop(stream);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::new(mio::net::TcpStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a standard library stream, still in
    /// non-blocking mode (call `set_nonblocking(false)` to use it blocking).
    ///
    /// # Errors
    ///
    /// If the driver cannot deregister it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let listener = kairos::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = kairos::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let mut std_stream = stream.into_std()?;
    /// std_stream.set_nonblocking(false)?;
    /// std_stream.write_all(b"now blocking")?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        self.io.into_std()
    }

    /// The local address of the connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    /// The remote address of the connection.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.peer_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.take_error()
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.nodelay()
    }

    /// Sets `TCP_NODELAY`: send small writes at once instead of coalescing them
    /// (Nagle's algorithm).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn example() -> std::io::Result<()> {
    /// let stream = kairos::net::TcpStream::connect("127.0.0.1:8080").await?;
    /// stream.set_nodelay(true)?;
    /// assert!(stream.nodelay()?);
    /// # Ok(())
    /// # }
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.set_nodelay(nodelay)
    }

    /// The IP time-to-live of outgoing packets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.ttl()
    }

    /// Sets the IP time-to-live of outgoing packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.set_ttl(ttl)
    }

    /// The `SO_LINGER` setting.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(&*self.io).linger()
    }

    /// Sets `SO_LINGER`: how long closing waits for unsent data. `Some(ZERO)` makes
    /// dropping the stream reset the connection.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(&*self.io).set_linger(linger)
    }

    /// Reads into `buf` without taking the bytes out of the receive queue: the next read
    /// sees them again. Waits until data (or end of stream) is there.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it consumes nothing.
    ///
    /// # Errors
    ///
    /// The receive's error.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use kairos::io::AsyncReadExt;
    ///
    /// # async fn example() -> std::io::Result<()> {
    /// let mut stream = kairos::net::TcpStream::connect("127.0.0.1:8080").await?;
    /// let mut first = [0; 4];
    /// let n = stream.peek(&mut first).await?;
    /// let mut all = vec![0; n];
    /// stream.read_exact(&mut all).await?; // the same bytes
    /// # Ok(())
    /// # }
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io
            .async_io(Interest::READABLE, || self.io.peek(buf))
            .await
    }

    /// Polls for [`peek`](Self::peek). Only the task of the latest call is woken.
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_read_io(cx, || self.io.peek(buf))
    }

    readiness_methods!(
        setup = "let socket = kairos::net::TcpStream::connect(\"127.0.0.1:8080\").await?;",
        read = try_read,
        write = try_write
    );
}

byte_stream!(
    TcpStream,
    setup = "let socket = kairos::net::TcpStream::connect(\"127.0.0.1:8080\").await?;"
);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .finish()
    }
}
