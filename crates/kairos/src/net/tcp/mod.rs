//! TCP: the listener, the stream, the unconnected socket, and the stream's halves.
//!
//! The types themselves are at [`kairos::net`](crate::net); this module holds the halves
//! that [`TcpStream::split`](crate::net::TcpStream::split) and
//! [`TcpStream::into_split`](crate::net::TcpStream::into_split) return.

pub(crate) mod listener;
pub(crate) mod socket;
mod split;
pub(crate) mod stream;

pub use self::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
