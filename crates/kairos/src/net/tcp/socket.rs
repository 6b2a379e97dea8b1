//! `TcpSocket`: a TCP socket configured before it connects or listens (socket2 below).

use crate::net::macros::fd_impls;
use crate::net::{TcpListener, TcpStream};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

/// A TCP socket that has not yet become a [`TcpStream`] or a [`TcpListener`], for the
/// options that must be set first: `SO_REUSEADDR`, `SO_REUSEPORT`, buffer sizes, a
/// local address to connect from, the listen backlog.
///
/// # Examples
///
/// ```
/// use kairos::net::TcpSocket;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let socket = TcpSocket::new_v4()?;
/// socket.set_reuseaddr(true)?;
/// socket.set_recv_buffer_size(256 * 1024)?;
/// socket.bind("127.0.0.1:0".parse().unwrap())?;
/// let listener = socket.listen(4096)?;
///
/// let client = TcpSocket::new_v4()?;
/// let stream = client.connect(listener.local_addr()?).await?;
/// assert_eq!(stream.peer_addr()?, listener.local_addr()?);
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct TcpSocket {
    inner: Socket,
}

impl TcpSocket {
    /// A new IPv4 TCP socket.
    ///
    /// # Errors
    ///
    /// If the operating system refuses a socket (for instance, out of file descriptors).
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// A new IPv6 TCP socket.
    ///
    /// # Errors
    ///
    /// As [`new_v4`](Self::new_v4).
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    /// A socket of the family of `addr`.
    pub(crate) fn new_for_addr(addr: SocketAddr) -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::for_address(addr))
    }

    fn new(domain: Domain) -> io::Result<TcpSocket> {
        // socket2 opens it close-on-exec.
        let inner = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
        inner.set_nonblocking(true)?;
        Ok(TcpSocket { inner })
    }

    /// Sets `SO_REUSEADDR`: bind to an address still in `TIME_WAIT`.
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.inner.set_reuse_address(reuseaddr)
    }

    /// Whether `SO_REUSEADDR` is set.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.inner.reuse_address()
    }

    /// Sets `SO_REUSEPORT`: several sockets may listen on the same address, and the
    /// kernel spreads connections among them.
    #[cfg(all(unix, not(target_os = "solaris"), not(target_os = "illumos")))]
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.inner.set_reuse_port(reuseport)
    }

    /// Whether `SO_REUSEPORT` is set.
    #[cfg(all(unix, not(target_os = "solaris"), not(target_os = "illumos")))]
    pub fn reuseport(&self) -> io::Result<bool> {
        self.inner.reuse_port()
    }

    /// Sets `SO_SNDBUF`, the kernel's send buffer size (Linux doubles the value).
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_send_buffer_size(size as usize)
    }

    /// The kernel's send buffer size.
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.inner.send_buffer_size().map(saturate)
    }

    /// Sets `SO_RCVBUF`, the kernel's receive buffer size (Linux doubles the value).
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_recv_buffer_size(size as usize)
    }

    /// The kernel's receive buffer size.
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.inner.recv_buffer_size().map(saturate)
    }

    /// Sets `SO_KEEPALIVE`.
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.inner.set_keepalive(keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set.
    pub fn keepalive(&self) -> io::Result<bool> {
        self.inner.keepalive()
    }

    /// Sets `SO_LINGER`: how long closing waits for unsent data (`Some(ZERO)` resets
    /// the connection on close).
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        self.inner.set_linger(linger)
    }

    /// The `SO_LINGER` setting.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.inner.linger()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_tcp_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.tcp_nodelay()
    }

    /// The local address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(self.inner.local_addr()?)
    }

    /// Takes the pending socket error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Binds the socket to `addr`: the address to listen on, or to connect from.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`, permission errors, and so on.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner.bind(&SockAddr::from(addr))
    }

    /// Connects to `addr`, turning the socket into a [`TcpStream`].
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::ConnectionRefused`] if nothing listens there, or any other
    /// connection error; the I/O driver errors of [`TcpStream::connect`].
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the half-open socket.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        if let Err(err) = self.inner.connect(&SockAddr::from(addr)) {
            // A non-blocking connect reports EINPROGRESS and finishes in the background;
            // the stream's first writability says how it ended.
            if err.raw_os_error() != Some(libc::EINPROGRESS) {
                return Err(err);
            }
        }
        let stream = std::net::TcpStream::from(self.inner);
        TcpStream::connecting(mio::net::TcpStream::from_std(stream)).await
    }

    /// Listens for connections, with at most `backlog` waiting to be accepted, turning
    /// the socket into a [`TcpListener`].
    ///
    /// # Errors
    ///
    /// The operating system's `listen` error, or the I/O driver errors of
    /// [`TcpListener::bind`].
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        self.inner
            .listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
        let listener = std::net::TcpListener::from(self.inner);
        TcpListener::new(mio::net::TcpListener::from_std(listener))
    }

    /// Wraps a standard library stream (connected or not) to configure it further. The
    /// socket is switched to non-blocking mode.
    ///
    /// # Errors
    ///
    /// If non-blocking mode cannot be set.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::net::TcpSocket;
    ///
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let socket = TcpSocket::from_std_stream(std_stream).unwrap();
    /// socket.set_nodelay(true).unwrap();
    /// ```
    pub fn from_std_stream(stream: std::net::TcpStream) -> io::Result<TcpSocket> {
        let inner = Socket::from(stream);
        inner.set_nonblocking(true)?;
        Ok(TcpSocket { inner })
    }
}

fn saturate(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}

/// The IP address of a socket2 address (a TCP socket has no other kind).
pub(crate) fn sock_addr(addr: SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the socket's address is not an IP address",
        )
    })
}

fd_impls!(TcpSocket, inner);

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("fd", &self.inner.as_raw_fd())
            .finish()
    }
}
