//! `HyperIo`: hyper's `rt::Read` / `rt::Write` over a futures-io stream.

use crate::ReadUninit;
use futures_io::AsyncWrite;
use hyper::rt::{Read, ReadBufCursor, Write};
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A Kairos stream as a hyper connection: hyper's `rt::Read` over [`ReadUninit`] (Kairos
/// sockets, or any futures-io reader wrapped in [`Zeroed`](crate::Zeroed)) and `rt::Write`
/// over futures-io's `AsyncWrite`.
///
/// # Examples
///
/// ```no_run
/// use kairos_compat::HyperIo;
///
/// # async fn serve(listener: kairos::net::TcpListener) -> std::io::Result<()> {
/// let (stream, _) = listener.accept().await?;
/// let io = HyperIo::new(stream);
/// // hyper::server::conn::http1::Builder::new().serve_connection(io, service).await
/// # let _ = io; Ok(()) }
/// ```
#[derive(Debug)]
pub struct HyperIo<T> {
    inner: T,
}

impl<T> HyperIo<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        HyperIo { inner }
    }

    /// The wrapped stream.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: ReadUninit + Unpin> Read for HyperIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: the reader only writes data into the slice (it never de-initializes
        // anything), as `as_mut` requires.
        let unfilled = unsafe { buf.as_mut() };
        let n = ready!(Pin::new(&mut self.get_mut().inner).poll_read_uninit(cx, unfilled))?;
        // SAFETY: the read initialized the first `n` bytes of the cursor's unfilled part.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> Write for HyperIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }
}
