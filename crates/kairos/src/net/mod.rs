//! Networking: TCP, UDP and Unix domain sockets, and name resolution.
//!
//! The types mirror `std::net` with asynchronous operations. Each registers with the I/O
//! driver of the runtime it is created in, so it must be created inside a runtime built
//! with `enable_io` (`Runtime::new` and the macros enable it); otherwise creation fails
//! with an error that says so.
//!
//! - TCP: [`TcpListener`], [`TcpStream`], [`TcpSocket`] (options set before connecting or
//!   listening), and the stream halves in [`tcp`].
//! - UDP: [`UdpSocket`].
//! - Unix domain sockets: [`UnixListener`], [`UnixStream`], [`UnixDatagram`], and the
//!   stream halves in [`unix`].
//! - Names: [`lookup_host`], and [`ToSocketAddrs`] for everything that names an address.
//!
//! # Examples
//!
//! ```
//! use kairos::io::{AsyncReadExt, AsyncWriteExt};
//! use kairos::net::{TcpListener, TcpStream};
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let server = kairos::spawn(async move {
//!     let (mut socket, _) = listener.accept().await?;
//!     let mut buf = [0; 5];
//!     socket.read_exact(&mut buf).await?;
//!     socket.write_all(&buf).await?;
//!     Ok::<_, std::io::Error>(())
//! });
//! let mut client = TcpStream::connect(addr).await?;
//! client.write_all(b"hello").await?;
//! let mut echo = [0; 5];
//! client.read_exact(&mut echo).await?;
//! assert_eq!(&echo, b"hello");
//! server.await.unwrap()?;
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod addr;
mod macros;
pub(crate) mod split;
pub mod tcp;
mod udp;
pub mod unix;

pub use self::addr::{lookup_host, ToSocketAddrs};
pub use self::tcp::listener::TcpListener;
pub use self::tcp::socket::TcpSocket;
pub use self::tcp::stream::TcpStream;
pub use self::udp::UdpSocket;
pub use self::unix::datagram::UnixDatagram;
pub use self::unix::listener::UnixListener;
pub use self::unix::stream::UnixStream;
