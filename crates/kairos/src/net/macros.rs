//! The methods every socket type shares, written once.
//!
//! Each socket type holds a `PollEvented` named `io`, which implements the operations;
//! these macros give the types their public, documented forms. `$setup` is the line of
//! a doc example that makes a `socket` of the type.

/// `readable`, `writable`, `ready`, `poll_read_ready`, `poll_write_ready`, `try_io`
/// and `async_io`. `$read` / `$write` name the type's non-blocking operations, for the
/// examples.
macro_rules! readiness_methods {
    (setup = $setup:literal, read = $read:ident, write = $write:ident) => {
        /// Waits until the socket may be readable. Readiness can be a false positive: the
        /// next read may still return `WouldBlock`, after which the wait starts over.
        ///
        /// # Cancel safety
        ///
        /// Cancel safe: it consumes nothing.
        ///
        /// # Errors
        ///
        /// If the runtime that drives the socket has shut down.
        ///
        /// # Examples
        ///
        /// ```no_run
        /// # async fn example() -> std::io::Result<()> {
        #[doc = $setup]
        /// let mut buf = [0; 1024];
        /// loop {
        ///     socket.readable().await?;
        #[doc = concat!("    match socket.", stringify!($read), "(&mut buf) {")]
        ///         Ok(n) => {
        ///             println!("got {n} bytes");
        ///             break;
        ///         }
        ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
        ///         Err(e) => return Err(e),
        ///     }
        /// }
        /// # Ok(())
        /// # }
        /// ```
        pub async fn readable(&self) -> ::std::io::Result<()> {
            self.io.ready($crate::io::Interest::READABLE).await.map(drop)
        }

        /// Waits until the socket may be writable; see [`readable`](Self::readable) on
        /// false positives.
        ///
        /// # Cancel safety
        ///
        /// Cancel safe: it consumes nothing.
        ///
        /// # Errors
        ///
        /// If the runtime that drives the socket has shut down.
        ///
        /// # Examples
        ///
        /// ```no_run
        /// # async fn example() -> std::io::Result<()> {
        #[doc = $setup]
        /// loop {
        ///     socket.writable().await?;
        #[doc = concat!("    match socket.", stringify!($write), "(b\"hello\") {")]
        ///         Ok(_) => break,
        ///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
        ///         Err(e) => return Err(e),
        ///     }
        /// }
        /// # Ok(())
        /// # }
        /// ```
        pub async fn writable(&self) -> ::std::io::Result<()> {
            self.io.ready($crate::io::Interest::WRITABLE).await.map(drop)
        }

        /// Waits until the socket may be ready for any of `interest`, and says which
        /// readiness it has. Many tasks may wait at once.
        ///
        /// # Cancel safety
        ///
        /// Cancel safe: it consumes nothing.
        ///
        /// # Errors
        ///
        /// If the runtime that drives the socket has shut down.
        ///
        /// # Examples
        ///
        /// ```no_run
        /// use kairos::io::Interest;
        ///
        /// # async fn example() -> std::io::Result<()> {
        #[doc = $setup]
        /// let ready = socket.ready(Interest::READABLE | Interest::WRITABLE).await?;
        /// if ready.is_readable() {
        ///     let mut buf = [0; 1024];
        #[doc = concat!("    let _ = socket.", stringify!($read), "(&mut buf);")]
        /// }
        /// # Ok(())
        /// # }
        /// ```
        pub async fn ready(
            &self,
            interest: $crate::io::Interest,
        ) -> ::std::io::Result<$crate::io::Ready> {
            self.io.ready(interest).await
        }

        /// Polls for read readiness. Only the task of the latest call is woken; use
        /// [`readable`](Self::readable) for many waiters.
        pub fn poll_read_ready(
            &self,
            cx: &mut ::std::task::Context<'_>,
        ) -> ::std::task::Poll<::std::io::Result<()>> {
            self.io.poll_read_ready(cx)
        }

        /// Polls for write readiness. Only the task of the latest call is woken; use
        /// [`writable`](Self::writable) for many waiters.
        pub fn poll_write_ready(
            &self,
            cx: &mut ::std::task::Context<'_>,
        ) -> ::std::task::Poll<::std::io::Result<()>> {
            self.io.poll_write_ready(cx)
        }

        /// Runs a custom non-blocking operation `op` if the socket looks ready for
        /// `interest`: returns `WouldBlock` without calling `op` if it does not, and
        /// clears the readiness if `op` returns `WouldBlock`. `op` must use the socket's
        /// file descriptor only for operations matching `interest`.
        ///
        /// # Errors
        ///
        /// `WouldBlock`, or `op`'s error.
        ///
        /// # Examples
        ///
        /// ```no_run
        /// use kairos::io::Interest;
        ///
        /// # async fn example() -> std::io::Result<()> {
        #[doc = $setup]
        /// socket.readable().await?;
        /// let mut buf = [0; 16];
        #[doc = concat!("let n = socket.try_io(Interest::READABLE, || socket.", stringify!($read), "(&mut buf))?;")]
        /// # let _ = n;
        /// # Ok(())
        /// # }
        /// ```
        pub fn try_io<R>(
            &self,
            interest: $crate::io::Interest,
            op: impl FnOnce() -> ::std::io::Result<R>,
        ) -> ::std::io::Result<R> {
            self.io.try_io(interest, op)
        }

        /// Waits for `interest` and runs `op`, again after each `WouldBlock` it returns,
        /// until it returns anything else.
        ///
        /// # Errors
        ///
        /// `op`'s error, or an error if the runtime shut down.
        pub async fn async_io<R>(
            &self,
            interest: $crate::io::Interest,
            op: impl FnMut() -> ::std::io::Result<R>,
        ) -> ::std::io::Result<R> {
            self.io.async_io(interest, op).await
        }
    };
}

/// The byte-stream surface of `TcpStream` and `UnixStream`: `try_read*`, `try_write*`,
/// `AsyncRead`, `AsyncWrite`, and the views as raw file descriptors.
macro_rules! byte_stream {
    ($stream:ident, setup = $setup:literal) => {
        impl $stream {
            /// Reads what is available into `buf` without waiting: `Ok(0)` is end of
            /// stream, `WouldBlock` means nothing is there yet.
            ///
            /// # Errors
            ///
            /// `WouldBlock`, or the read's error (a reset connection, ...).
            ///
            /// # Examples
            ///
            /// ```no_run
            /// # async fn example() -> std::io::Result<()> {
            #[doc = $setup]
            /// socket.readable().await?;
            /// let mut buf = [0; 1024];
            /// match socket.try_read(&mut buf) {
            ///     Ok(0) => println!("end of stream"),
            ///     Ok(n) => println!("read {n} bytes"),
            ///     Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            ///     Err(e) => return Err(e),
            /// }
            /// # Ok(())
            /// # }
            /// ```
            pub fn try_read(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
                self.io.try_read(buf)
            }

            /// As [`try_read`](Self::try_read), into several buffers (`readv`).
            ///
            /// # Errors
            ///
            /// As [`try_read`](Self::try_read).
            pub fn try_read_vectored(
                &self,
                bufs: &mut [::std::io::IoSliceMut<'_>],
            ) -> ::std::io::Result<usize> {
                self.io.try_read_vectored(bufs)
            }

            /// Writes what fits from `buf` without waiting; `WouldBlock` means the send
            /// buffer is full.
            ///
            /// # Errors
            ///
            /// `WouldBlock`, or the write's error (a closed connection, ...).
            ///
            /// # Examples
            ///
            /// ```no_run
            /// # async fn example() -> std::io::Result<()> {
            #[doc = $setup]
            /// socket.writable().await?;
            /// let n = socket.try_write(b"hello")?;
            /// println!("wrote {n} bytes");
            /// # Ok(())
            /// # }
            /// ```
            pub fn try_write(&self, buf: &[u8]) -> ::std::io::Result<usize> {
                self.io.try_write(buf)
            }

            /// As [`try_write`](Self::try_write), from several buffers (`writev`).
            ///
            /// # Errors
            ///
            /// As [`try_write`](Self::try_write).
            pub fn try_write_vectored(
                &self,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::io::Result<usize> {
                self.io.try_write_vectored(bufs)
            }
        }

        $crate::net::macros::async_read!($stream);
        $crate::net::macros::async_write!($stream);

        impl $stream {
            /// The stream itself, for the trait impls it shares with its halves.
            fn stream(&self) -> &$stream {
                self
            }
        }

        impl $stream {
            /// Shuts down one or both directions; `NotConnected` (the peer already went
            /// away) counts as done.
            pub(crate) fn shutdown_std(&self, how: ::std::net::Shutdown) -> ::std::io::Result<()> {
                match self.io.shutdown(how) {
                    Err(err) if err.kind() == ::std::io::ErrorKind::NotConnected => Ok(()),
                    result => result,
                }
            }
        }

        $crate::net::macros::fd_impls!($stream, io);
    };
}

/// The connected-peer and addressed receive operations of `UdpSocket` and
/// `UnixDatagram`: `send`, `recv`, `recv_from`, each as a future, a poll and a `try_`.
/// `$addr` is the type's address.
macro_rules! datagram_methods {
    ($addr:ty) => {
        /// Sends `buf` to the connected peer; returns the bytes sent.
        ///
        /// # Cancel safety
        ///
        /// Cancel safe: the datagram is sent in the poll that returns, or not at all.
        ///
        /// # Errors
        ///
        /// `NotConnected` before `connect`, or the send's error.
        pub async fn send(&self, buf: &[u8]) -> ::std::io::Result<usize> {
            self.io
                .async_io($crate::io::Interest::WRITABLE, || self.io.send(buf))
                .await
        }

        /// Polls for [`send`](Self::send). Only the task of the latest call is woken.
        pub fn poll_send(
            &self,
            cx: &mut ::std::task::Context<'_>,
            buf: &[u8],
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            self.io.poll_write_io(cx, || self.io.send(buf))
        }

        /// Sends without waiting.
        ///
        /// # Errors
        ///
        /// `WouldBlock` when the send buffer is full, or the send's error.
        pub fn try_send(&self, buf: &[u8]) -> ::std::io::Result<usize> {
            self.io
                .try_io($crate::io::Interest::WRITABLE, || self.io.send(buf))
        }

        /// Receives one datagram from the connected peer into `buf`; the rest of a
        /// datagram longer than `buf` is discarded.
        ///
        /// # Cancel safety
        ///
        /// Cancel safe: a datagram is taken from the kernel only in the poll that returns
        /// it.
        ///
        /// # Errors
        ///
        /// The receive's error (for instance `ConnectionRefused` after the peer's port
        /// turned out closed).
        pub async fn recv(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
            self.io
                .async_io($crate::io::Interest::READABLE, || self.io.recv(buf))
                .await
        }

        /// Polls for [`recv`](Self::recv). Only the task of the latest call is woken.
        pub fn poll_recv(
            &self,
            cx: &mut ::std::task::Context<'_>,
            buf: &mut [u8],
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            self.io.poll_read_io(cx, || self.io.recv(buf))
        }

        /// Receives without waiting.
        ///
        /// # Errors
        ///
        /// `WouldBlock` when no datagram is queued, or the receive's error.
        pub fn try_recv(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
            self.io
                .try_io($crate::io::Interest::READABLE, || self.io.recv(buf))
        }

        /// Receives one datagram and its source address; the rest of a datagram longer
        /// than `buf` is discarded.
        ///
        /// # Cancel safety
        ///
        /// Cancel safe: a datagram is taken from the kernel only in the poll that returns
        /// it.
        ///
        /// # Errors
        ///
        /// The receive's error.
        pub async fn recv_from(&self, buf: &mut [u8]) -> ::std::io::Result<(usize, $addr)> {
            self.io
                .async_io($crate::io::Interest::READABLE, || self.io.recv_from(buf))
                .await
        }

        /// Polls for [`recv_from`](Self::recv_from). Only the task of the latest call is
        /// woken.
        pub fn poll_recv_from(
            &self,
            cx: &mut ::std::task::Context<'_>,
            buf: &mut [u8],
        ) -> ::std::task::Poll<::std::io::Result<(usize, $addr)>> {
            self.io.poll_read_io(cx, || self.io.recv_from(buf))
        }

        /// Receives a datagram and its source without waiting.
        ///
        /// # Errors
        ///
        /// `WouldBlock` when no datagram is queued, or the receive's error.
        pub fn try_recv_from(&self, buf: &mut [u8]) -> ::std::io::Result<(usize, $addr)> {
            self.io
                .try_io($crate::io::Interest::READABLE, || self.io.recv_from(buf))
        }
    };
}

/// `AsyncRead` for a stream or a read half; `self.stream()` is the stream.
macro_rules! async_read {
    ($ty:ty) => {
        /// Reads wait for data; `Ok(0)` is end of stream. A reset connection is an error.
        /// Bytes are taken from the kernel only in the poll that returns them, so a
        /// dropped read future loses nothing.
        impl ::futures_io::AsyncRead for $ty {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.stream().io.poll_read(cx, buf)
            }

            fn poll_read_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &mut [::std::io::IoSliceMut<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.stream().io.poll_read_vectored(cx, bufs)
            }
        }
    };
}

/// `AsyncWrite` for a stream or a write half; `self.stream()` is the stream.
macro_rules! async_write {
    ($ty:ty) => {
        /// Writes go straight to the kernel (nothing to flush); closing shuts down the
        /// write side, so the peer reads end of stream.
        impl ::futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.stream().io.poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.stream().io.poll_write_vectored(cx, bufs)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                _: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                ::std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: ::std::pin::Pin<&mut Self>,
                _: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                ::std::task::Poll::Ready(self.stream().shutdown_std(::std::net::Shutdown::Write))
            }
        }
    };
}

/// `AsRawFd` and `AsFd` through the field `$field`.
macro_rules! fd_impls {
    ($ty:ty, $field:ident) => {
        impl ::std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> ::std::os::fd::RawFd {
                self.$field.as_raw_fd()
            }
        }

        impl ::std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> ::std::os::fd::BorrowedFd<'_> {
                self.$field.as_fd()
            }
        }
    };
}

pub(crate) use {
    async_read, async_write, byte_stream, datagram_methods, fd_impls, readiness_methods,
};
