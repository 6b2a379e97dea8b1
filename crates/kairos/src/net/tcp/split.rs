//! The halves of a [`TcpStream`]; see `net/split.rs`.

use crate::net::split::stream_halves;
use crate::net::TcpStream;
use std::io;
use std::net::SocketAddr;

stream_halves!(
    TcpStream,
    SocketAddr,
    setup = "let socket = kairos::net::TcpStream::connect(\"127.0.0.1:8080\").await?;"
);

impl ReadHalf<'_> {
    /// Reads without consuming; see [`TcpStream::peek`].
    ///
    /// # Errors
    ///
    /// The receive's error.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.peek(buf).await
    }
}

impl OwnedReadHalf {
    /// Reads without consuming; see [`TcpStream::peek`].
    ///
    /// # Errors
    ///
    /// The receive's error.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
    }
}
