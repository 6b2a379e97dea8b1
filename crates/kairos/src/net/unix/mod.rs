//! Unix domain sockets: the halves of a [`UnixStream`](crate::net::UnixStream), and the
//! address type.
//!
//! The socket types themselves are at [`kairos::net`](crate::net).

pub(crate) mod datagram;
pub(crate) mod listener;
mod split;
pub(crate) mod stream;

pub use self::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
/// The address of a Unix domain socket: a path, unnamed, or (on Linux) abstract.
pub use std::os::unix::net::SocketAddr;
