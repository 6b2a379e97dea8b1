//! Reading into uninitialized memory: what hyper's and tokio's read buffers hand out.
//!
//! futures-io's `poll_read` takes `&mut [u8]`, so a buffer must be initialized before a
//! read; hyper and tokio hand out uninitialized capacity, and zeroing it before every read
//! cost about two thirds of the instructions of an axum request (measured with callgrind).
//! Kairos sockets read straight into uninitialized memory instead ([`ReadUninit`]); any
//! other futures-io reader goes through [`Zeroed`], which zeroes first.

use futures_io::AsyncRead;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A reader that can fill uninitialized memory.
pub trait ReadUninit {
    /// Reads into `buf`, returning how many of its bytes are now initialized with data;
    /// `Ok(0)` is end of stream. Registers the waker when nothing is ready.
    ///
    /// # Errors
    ///
    /// The read's error.
    fn poll_read_uninit(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>>;
}

impl ReadUninit for kairos::net::TcpStream {
    fn poll_read_uninit(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        kairos::net::TcpStream::poll_read_uninit(&self, cx, buf)
    }
}

impl ReadUninit for kairos::net::UnixStream {
    fn poll_read_uninit(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        kairos::net::UnixStream::poll_read_uninit(&self, cx, buf)
    }
}

/// Any futures-io reader as a [`ReadUninit`]: zeroes the buffer, then reads into it.
///
/// # Examples
///
/// ```
/// use kairos_compat::{HyperIo, Zeroed};
///
/// // An in-memory stream (futures' `Cursor`) as a hyper connection.
/// let io = HyperIo::new(Zeroed(futures::io::Cursor::new(Vec::<u8>::new())));
/// # drop(io);
/// ```
#[derive(Debug)]
pub struct Zeroed<T>(pub T);

impl<T: AsyncRead + Unpin> ReadUninit for Zeroed<T> {
    fn poll_read_uninit(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        for byte in buf.iter_mut() {
            byte.write(0);
        }
        // SAFETY: every byte was just initialized, and `MaybeUninit<u8>` has the layout of
        // `u8`.
        let initialized =
            unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<u8>(), buf.len()) };
        Pin::new(&mut self.get_mut().0).poll_read(cx, initialized)
    }
}

impl<T: futures_io::AsyncWrite + Unpin> futures_io::AsyncWrite for Zeroed<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_close(cx)
    }
}
