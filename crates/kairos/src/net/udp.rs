//! `UdpSocket`: datagrams over IP.

use crate::io::poll_evented::PollEvented;
use crate::io::Interest;
use crate::net::addr::{each_addr, first_addr, ToSocketAddrs};
use crate::net::macros::{datagram_methods, fd_impls, readiness_methods};
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::task::{Context, Poll};

/// A UDP socket.
///
/// Unconnected, it sends to and receives from any address ([`send_to`](Self::send_to),
/// [`recv_from`](Self::recv_from)); after [`connect`](Self::connect) it talks to one
/// peer ([`send`](Self::send), [`recv`](Self::recv)). All methods take `&self`, so an
/// `Arc<UdpSocket>` can be shared by a receiving task and a sending task.
///
/// # Examples
///
/// An echo loop:
///
/// ```no_run
/// use kairos::net::UdpSocket;
///
/// # async fn example() -> std::io::Result<()> {
/// let socket = UdpSocket::bind("127.0.0.1:8080").await?;
/// let mut buf = [0; 1500];
/// loop {
///     let (n, peer) = socket.recv_from(&mut buf).await?;
///     socket.send_to(&buf[..n], peer).await?;
/// }
/// # }
/// ```
pub struct UdpSocket {
    io: PollEvented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds a socket to `addr`; the first address that binds is used.
    ///
    /// # Errors
    ///
    /// The last address's error; outside a runtime, or on one built without
    /// `enable_io`, an error that says so.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let socket = kairos::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// println!("bound to {}", socket.local_addr()?);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        each_addr(addr, |addr| async move {
            UdpSocket::new(mio::net::UdpSocket::bind(addr)?)
        })
        .await
    }

    fn new(socket: mio::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: PollEvented::new(socket)?,
        })
    }

    /// Wraps a standard library socket, switching it to non-blocking mode.
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
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let socket = kairos::net::UdpSocket::from_std(std_socket)?;
    /// # drop(socket);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        UdpSocket::new(mio::net::UdpSocket::from_std(socket))
    }

    /// Deregisters the socket and returns it as a standard library socket, still in
    /// non-blocking mode.
    ///
    /// # Errors
    ///
    /// If the driver cannot deregister it.
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        self.io.into_std()
    }

    /// The local address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    /// The address of the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](Self::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.peer_addr()
    }

    /// Sets the default destination of [`send`](Self::send), and the only source
    /// [`recv`](Self::recv) accepts. The first address that works is used.
    ///
    /// # Errors
    ///
    /// The last address's error.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::net::UdpSocket;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let a = UdpSocket::bind("127.0.0.1:0").await?;
    /// let b = UdpSocket::bind("127.0.0.1:0").await?;
    /// a.connect(b.local_addr()?).await?;
    /// a.send(b"ping").await?;
    /// let mut buf = [0; 4];
    /// let (n, from) = b.recv_from(&mut buf).await?;
    /// assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        each_addr(addr, |addr| async move { self.io.connect(addr) }).await
    }

    /// Sends `buf` to `target` (its first address, if it names several).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe once the target is resolved: the datagram is sent in the poll that
    /// returns, or not at all.
    ///
    /// # Errors
    ///
    /// Resolution errors, or the send's error.
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos::net::UdpSocket;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let socket = UdpSocket::bind("127.0.0.1:0").await?;
    /// let sent = socket.send_to(b"hello", socket.local_addr()?).await?;
    /// assert_eq!(sent, 5);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let target = first_addr(target).await?;
        self.io
            .async_io(Interest::WRITABLE, || self.io.send_to(buf, target))
            .await
    }

    /// Polls for a send to `target`. Only the task of the latest call is woken.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_io(cx, || self.io.send_to(buf, target))
    }

    /// Sends to `target` without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the send buffer is full, or the send's error.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, || self.io.send_to(buf, target))
    }

    /// Like [`recv_from`](Self::recv_from), but leaves the datagram queued.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it consumes nothing.
    ///
    /// # Errors
    ///
    /// The receive's error.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, || self.io.peek_from(buf))
            .await
    }

    /// Polls for [`peek_from`](Self::peek_from). Only the task of the latest call is
    /// woken.
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_read_io(cx, || self.io.peek_from(buf))
    }

    datagram_methods!(SocketAddr);

    readiness_methods!(
        setup = "let socket = kairos::net::UdpSocket::bind(\"127.0.0.1:0\").await?;\n\
                 socket.connect(\"127.0.0.1:8080\").await?;",
        read = try_recv,
        write = try_send
    );

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.broadcast()
    }

    /// Sets `SO_BROADCAST`: allow sending to a broadcast address.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let socket = kairos::net::UdpSocket::bind("0.0.0.0:0").await?;
    /// socket.set_broadcast(true)?;
    /// assert!(socket.broadcast()?);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.set_broadcast(on)
    }

    /// Whether IPv4 multicast sent by this socket loops back to local sockets.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io.multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.set_multicast_loop_v4(on)
    }

    /// The time-to-live of outgoing IPv4 multicast.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io.multicast_ttl_v4()
    }

    /// Sets `IP_MULTICAST_TTL` (1 keeps multicast on the local network).
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.set_multicast_ttl_v4(ttl)
    }

    /// Whether IPv6 multicast sent by this socket loops back to local sockets.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.multicast_loop_v6()
    }

    /// Sets `IPV6_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.set_multicast_loop_v6(on)
    }

    /// Joins the IPv4 multicast group `multiaddr` on the interface with address
    /// `interface` (`Ipv4Addr::UNSPECIFIED`: the system's choice).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let socket = kairos::net::UdpSocket::bind("0.0.0.0:0").await?;
    /// let group = Ipv4Addr::new(239, 255, 0, 1);
    /// if socket.join_multicast_v4(group, Ipv4Addr::LOCALHOST).is_ok() {
    ///     socket.leave_multicast_v4(group, Ipv4Addr::LOCALHOST)?;
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.join_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves an IPv4 multicast group.
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.leave_multicast_v4(&multiaddr, &interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on interface index `interface` (0: the
    /// system's choice).
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.join_multicast_v6(multiaddr, interface)
    }

    /// Leaves an IPv6 multicast group.
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.leave_multicast_v6(multiaddr, interface)
    }

    /// The IP time-to-live of outgoing packets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.ttl()
    }

    /// Sets the IP time-to-live of outgoing packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.set_ttl(ttl)
    }

    /// Takes the pending socket error (`SO_ERROR`).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.take_error()
    }
}

fd_impls!(UdpSocket, io);

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
