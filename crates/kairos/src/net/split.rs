//! Splitting a byte stream into a read half and a write half, borrowed or owned.
//!
//! The halves can be used from two tasks at once: the read half waits in the stream's
//! reader slot, the write half in its writer slot, so neither steals the other's
//! wake-ups. `stream_halves!` writes the five types for one stream type.

/// The half types of `$stream` and its `split` / `into_split` methods. `$setup` is the
/// doc-example line that makes a `socket` of the type.
macro_rules! stream_halves {
    ($stream:ident, $addr:ty, setup = $setup:literal) => {
        #[doc = concat!("The read half of a borrowed [`", stringify!($stream), "`], from [`",
            stringify!($stream), "::split`].")]
        ///
        /// Reading from it reads from the stream; the [`WriteHalf`] can write meanwhile.
        pub struct ReadHalf<'a>(&'a $stream);

        #[doc = concat!("The write half of a borrowed [`", stringify!($stream), "`], from [`",
            stringify!($stream), "::split`].")]
        ///
        /// Closing it (`AsyncWriteExt::close`) shuts down the stream's write side.
        pub struct WriteHalf<'a>(&'a $stream);

        #[doc = concat!("The read half of a [`", stringify!($stream), "`], owned, from [`",
            stringify!($stream), "::into_split`].")]
        ///
        /// It can move into another task than the [`OwnedWriteHalf`]. Joined back with
        /// [`reunite`](Self::reunite).
        pub struct OwnedReadHalf {
            inner: ::std::sync::Arc<$stream>,
        }

        #[doc = concat!("The write half of a [`", stringify!($stream), "`], owned, from [`",
            stringify!($stream), "::into_split`].")]
        ///
        /// Dropping it shuts down the stream's write side (the peer reads end of stream),
        /// unless [`forget`](Self::forget) was called.
        pub struct OwnedWriteHalf {
            inner: ::std::sync::Arc<$stream>,
            shutdown_on_drop: bool,
        }

        /// The halves given to `reunite` came from different streams; here they are
        /// back.
        #[derive(Debug)]
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl $stream {
            /// Splits the stream into a read half and a write half that borrow it, to
            /// read and write at the same time (for instance in a `join`).
            ///
            /// With [`AsyncReadExt`](crate::io::AsyncReadExt) in scope, `stream.split()`
            /// resolves to that trait's `split`, which takes the stream by value (its
            /// receiver is tried first); call this one by path,
            #[doc = concat!("`", stringify!($stream), "::split(&mut stream)`, or use")]
            /// [`into_split`](Self::into_split).
            ///
            /// # Examples
            ///
            /// ```no_run
            /// use kairos::io::{AsyncReadExt, AsyncWriteExt};
            ///
            /// # async fn example() -> std::io::Result<()> {
            #[doc = $setup]
            /// let mut socket = socket;
            #[doc = concat!("let (mut reader, mut writer) = kairos::net::", stringify!($stream), "::split(&mut socket);")]
            /// let mut buf = [0; 5];
            /// let (written, read) = futures::join!(writer.write_all(b"hello"), reader.read_exact(&mut buf));
            /// written?;
            /// read?;
            /// # Ok(())
            /// # }
            /// ```
            pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
                (ReadHalf(self), WriteHalf(self))
            }

            /// Splits the stream into owned halves that can move into different tasks.
            ///
            /// # Examples
            ///
            /// ```no_run
            /// use kairos::io::{AsyncReadExt, AsyncWriteExt};
            ///
            /// # async fn example() -> std::io::Result<()> {
            #[doc = $setup]
            /// let (mut reader, mut writer) = socket.into_split();
            /// let echo = kairos::spawn(async move {
            ///     let mut buf = [0; 1024];
            ///     let n = reader.read(&mut buf).await?;
            ///     Ok::<_, std::io::Error>(buf[..n].to_vec())
            /// });
            /// writer.write_all(b"ping").await?;
            /// let reply = echo.await.unwrap()?;
            /// # let _ = reply;
            /// # Ok(())
            /// # }
            /// ```
            pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
                let inner = ::std::sync::Arc::new(self);
                (
                    OwnedReadHalf {
                        inner: inner.clone(),
                    },
                    OwnedWriteHalf {
                        inner,
                        shutdown_on_drop: true,
                    },
                )
            }
        }

        $crate::net::split::half_methods!(ReadHalf<'_>, $addr, read);
        $crate::net::split::half_methods!(OwnedReadHalf, $addr, read);
        $crate::net::split::half_methods!(WriteHalf<'_>, $addr, write);
        $crate::net::split::half_methods!(OwnedWriteHalf, $addr, write);

        impl ReadHalf<'_> {
            fn stream(&self) -> &$stream {
                self.0
            }
        }

        impl WriteHalf<'_> {
            fn stream(&self) -> &$stream {
                self.0
            }
        }

        impl OwnedReadHalf {
            fn stream(&self) -> &$stream {
                &self.inner
            }

            /// Joins the halves back into the stream.
            ///
            /// # Errors
            ///
            /// [`ReuniteError`], holding both halves, if they came from different
            /// streams.
            pub fn reunite(self, other: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
                reunite(self, other)
            }
        }

        impl OwnedWriteHalf {
            fn stream(&self) -> &$stream {
                &self.inner
            }

            /// Joins the halves back into the stream.
            ///
            /// # Errors
            ///
            /// [`ReuniteError`], holding both halves, if they came from different
            /// streams.
            pub fn reunite(self, other: OwnedReadHalf) -> Result<$stream, ReuniteError> {
                reunite(other, self)
            }

            /// Drops the half without shutting down the write side.
            pub fn forget(mut self) {
                self.shutdown_on_drop = false;
            }
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                if self.shutdown_on_drop {
                    let _ = self.inner.shutdown_std(::std::net::Shutdown::Write);
                }
            }
        }

        fn reunite(
            read: OwnedReadHalf,
            mut write: OwnedWriteHalf,
        ) -> Result<$stream, ReuniteError> {
            if !::std::sync::Arc::ptr_eq(&read.inner, &write.inner) {
                return Err(ReuniteError(read, write));
            }
            write.shutdown_on_drop = false;
            drop(write);
            Ok(::std::sync::Arc::try_unwrap(read.inner)
                .unwrap_or_else(|_| unreachable!("both halves were given back")))
        }

        impl ::std::fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str("tried to reunite halves that are not from the same stream")
            }
        }

        impl ::std::error::Error for ReuniteError {}

        impl ::std::fmt::Debug for ReadHalf<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple("ReadHalf").field(self.0).finish()
            }
        }

        impl ::std::fmt::Debug for WriteHalf<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple("WriteHalf").field(self.0).finish()
            }
        }

        impl ::std::fmt::Debug for OwnedReadHalf {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("OwnedReadHalf")
                    .field("stream", &self.inner)
                    .finish()
            }
        }

        impl ::std::fmt::Debug for OwnedWriteHalf {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("OwnedWriteHalf")
                    .field("stream", &self.inner)
                    .finish()
            }
        }
    };
}

/// The methods of one half: the addresses, and the readiness, `try_*` and async trait
/// methods of its direction.
macro_rules! half_methods {
    ($half:ty, $addr:ty, read) => {
        impl $half {
            /// The address of the stream's peer.
            pub fn peer_addr(&self) -> ::std::io::Result<$addr> {
                self.stream().peer_addr()
            }

            /// The stream's local address.
            pub fn local_addr(&self) -> ::std::io::Result<$addr> {
                self.stream().local_addr()
            }

            /// Waits until the stream may be readable; see the stream's `readable`.
            ///
            /// # Errors
            ///
            /// If the runtime that drives the stream has shut down.
            pub async fn readable(&self) -> ::std::io::Result<()> {
                self.stream().readable().await
            }

            /// Waits for any readiness in `interest`; see the stream's `ready`.
            ///
            /// # Errors
            ///
            /// If the runtime that drives the stream has shut down.
            pub async fn ready(
                &self,
                interest: $crate::io::Interest,
            ) -> ::std::io::Result<$crate::io::Ready> {
                self.stream().ready(interest).await
            }

            /// Reads without waiting; see the stream's `try_read`.
            ///
            /// # Errors
            ///
            /// `WouldBlock`, or the read's error.
            pub fn try_read(&self, buf: &mut [u8]) -> ::std::io::Result<usize> {
                self.stream().try_read(buf)
            }

            /// Reads into several buffers without waiting.
            ///
            /// # Errors
            ///
            /// `WouldBlock`, or the read's error.
            pub fn try_read_vectored(
                &self,
                bufs: &mut [::std::io::IoSliceMut<'_>],
            ) -> ::std::io::Result<usize> {
                self.stream().try_read_vectored(bufs)
            }
        }

        $crate::net::macros::async_read!($half);
    };
    ($half:ty, $addr:ty, write) => {
        impl $half {
            /// The address of the stream's peer.
            pub fn peer_addr(&self) -> ::std::io::Result<$addr> {
                self.stream().peer_addr()
            }

            /// The stream's local address.
            pub fn local_addr(&self) -> ::std::io::Result<$addr> {
                self.stream().local_addr()
            }

            /// Waits until the stream may be writable; see the stream's `writable`.
            ///
            /// # Errors
            ///
            /// If the runtime that drives the stream has shut down.
            pub async fn writable(&self) -> ::std::io::Result<()> {
                self.stream().writable().await
            }

            /// Waits for any readiness in `interest`; see the stream's `ready`.
            ///
            /// # Errors
            ///
            /// If the runtime that drives the stream has shut down.
            pub async fn ready(
                &self,
                interest: $crate::io::Interest,
            ) -> ::std::io::Result<$crate::io::Ready> {
                self.stream().ready(interest).await
            }

            /// Writes without waiting; see the stream's `try_write`.
            ///
            /// # Errors
            ///
            /// `WouldBlock`, or the write's error.
            pub fn try_write(&self, buf: &[u8]) -> ::std::io::Result<usize> {
                self.stream().try_write(buf)
            }

            /// Writes from several buffers without waiting.
            ///
            /// # Errors
            ///
            /// `WouldBlock`, or the write's error.
            pub fn try_write_vectored(
                &self,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::io::Result<usize> {
                self.stream().try_write_vectored(bufs)
            }
        }

        $crate::net::macros::async_write!($half);
    };
}

pub(crate) use {half_methods, stream_halves};
