//! The halves of a [`UnixStream`]; see `net/split.rs`.

use crate::net::split::stream_halves;
use crate::net::UnixStream;
use std::os::unix::net::SocketAddr;

stream_halves!(
    UnixStream,
    SocketAddr,
    setup = "let (socket, _peer) = kairos::net::UnixStream::pair()?;"
);
