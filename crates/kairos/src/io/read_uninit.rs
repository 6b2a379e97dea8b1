//! Reading into uninitialized memory.
//!
//! futures-io's `poll_read` takes `&mut [u8]`, so a buffer must be initialized before a
//! read. Buffers that grow (a `BytesMut`'s spare capacity, hyper's and tokio's read
//! buffers) are uninitialized, and zeroing them before every read is pure waste: it cost
//! about two thirds of the instructions of an axum request on Kairos (measured with
//! callgrind) before the adapters used this. Kairos sockets read straight into
//! uninitialized memory ([`ReadUninit`]); any other futures-io reader goes through
//! [`Zeroed`], which zeroes first.

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

impl ReadUninit for crate::net::TcpStream {
    fn poll_read_uninit(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        crate::net::TcpStream::poll_read_uninit(&self, cx, buf)
    }
}

impl ReadUninit for crate::net::UnixStream {
    fn poll_read_uninit(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        crate::net::UnixStream::poll_read_uninit(&self, cx, buf)
    }
}

impl<T: ReadUninit + Unpin + ?Sized> ReadUninit for &mut T {
    fn poll_read_uninit(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut **self.get_mut()).poll_read_uninit(cx, buf)
    }
}

/// Any futures-io reader as a [`ReadUninit`]: zeroes the buffer, then reads into it.
///
/// # Examples
///
/// ```
/// use kairos::io::{Cursor, ReadUninit, Zeroed};
/// use std::mem::MaybeUninit;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let mut reader = Zeroed(Cursor::new(b"bytes".to_vec()));
/// let mut buf = [MaybeUninit::uninit(); 8];
/// let n = std::future::poll_fn(|cx| std::pin::Pin::new(&mut reader).poll_read_uninit(cx, &mut buf))
///     .await
///     .unwrap();
/// assert_eq!(n, 5);
/// # });
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

impl<T: AsyncRead + Unpin> AsyncRead for Zeroed<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
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
