//! `TcpListener`: accepts TCP connections.

use crate::io::poll_evented::PollEvented;
use crate::io::Interest;
use crate::net::addr::{each_addr, ToSocketAddrs};
use crate::net::macros::fd_impls;
use crate::net::{TcpSocket, TcpStream};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::task::{Context, Poll};

/// The listen backlog of [`TcpListener::bind`]; use [`TcpSocket::listen`] for another.
const DEFAULT_BACKLOG: u32 = 1024;

/// A TCP socket server, listening for connections.
///
/// # Examples
///
/// An echo server:
///
/// ```no_run
/// use kairos::io::{AsyncReadExt, AsyncWriteExt};
/// use kairos::net::TcpListener;
///
/// #[kairos::main]
/// async fn main() -> std::io::Result<()> {
///     let listener = TcpListener::bind("127.0.0.1:8080").await?;
///     loop {
///         let (mut socket, _) = listener.accept().await?;
///         kairos::spawn(async move {
///             let mut buf = [0; 1024];
///             while let Ok(n @ 1..) = socket.read(&mut buf).await {
///                 if socket.write_all(&buf[..n]).await.is_err() {
///                     break;
///                 }
///             }
///         });
///     }
/// }
/// ```
pub struct TcpListener {
    io: PollEvented<mio::net::TcpListener>,
}

impl TcpListener {
    /// Binds a listener to `addr` (`SO_REUSEADDR` set, backlog 1024). If `addr` names
    /// several addresses, each is tried in turn and the first that binds is used.
    ///
    /// # Errors
    ///
    /// The last address's error (`AddrInUse`, ...); outside a runtime, or on one built
    /// without `enable_io`, an error that says so.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let listener = kairos::net::TcpListener::bind("127.0.0.1:0").await?;
    /// println!("listening on {}", listener.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        each_addr(addr, |addr| async move {
            let socket = TcpSocket::new_for_addr(addr)?;
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(DEFAULT_BACKLOG)
        })
        .await
    }

    pub(crate) fn new(listener: mio::net::TcpListener) -> io::Result<TcpListener> {
        let io = PollEvented::new_with_interest(listener, Interest::READABLE)?;
        Ok(TcpListener { io })
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// # Errors
    ///
    /// Every error of `accept(2)` other than `WouldBlock` is returned, including running
    /// out of file descriptors (`EMFILE`, `ENFILE`, which servers usually answer by
    /// backing off briefly) and connections reset before they were accepted.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is taken from the kernel only in the poll that returns
    /// it, so dropping the future never loses one.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::net::{TcpListener, TcpStream};
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let listener = TcpListener::bind("127.0.0.1:0").await?;
    /// let client = TcpStream::connect(listener.local_addr()?).await?;
    /// let (server, peer) = listener.accept().await?;
    /// assert_eq!(peer, client.local_addr()?);
    /// # drop(server);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, addr) = self
            .io
            .async_io(Interest::READABLE, || self.io.accept())
            .await?;
        Ok((TcpStream::new(stream)?, addr))
    }

    /// Polls for a connection: the poll-based form of [`accept`](Self::accept). Only the
    /// task of the latest call is woken.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        self.io.poll_read_io(cx, || self.io.accept()).map(|result| {
            let (stream, addr) = result?;
            Ok((TcpStream::new(stream)?, addr))
        })
    }

    /// Wraps a standard library listener, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// If non-blocking mode cannot be set; the I/O driver errors of
    /// [`bind`](Self::bind).
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    /// let listener = kairos::net::TcpListener::from_std(std_listener)?;
    /// # drop(listener);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::new(mio::net::TcpListener::from_std(listener))
    }

    /// Deregisters the listener and returns it as a standard library listener, still in
    /// non-blocking mode (call `set_nonblocking(false)` to use it blocking).
    ///
    /// # Errors
    ///
    /// If the driver cannot deregister it.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let listener = kairos::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let std_listener = listener.into_std()?;
    /// std_listener.set_nonblocking(false)?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        self.io.into_std()
    }

    /// The local address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.take_error()
    }

    /// The IP time-to-live of accepted connections.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.ttl()
    }

    /// Sets the IP time-to-live of accepted connections.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.set_ttl(ttl)
    }
}

fd_impls!(TcpListener, io);

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("addr", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
