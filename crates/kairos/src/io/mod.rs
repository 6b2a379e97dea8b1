//! Asynchronous I/O: the traits, their extension methods and utilities, and readiness.
//!
//! Kairos I/O types implement the runtime-neutral [`AsyncRead`] and [`AsyncWrite`]
//! traits of `futures-io`, so the whole futures-io ecosystem works on them. This module
//! re-exports `futures-util`'s extension traits ([`AsyncReadExt`], [`AsyncWriteExt`],
//! [`AsyncBufReadExt`], [`AsyncSeekExt`]) and utilities ([`copy`], [`BufReader`],
//! [`BufWriter`], ...) and adds what `futures-util` lacks:
//! [`copy_bidirectional`].
//!
//! [`Interest`] and [`Ready`] describe readiness for the `ready()` / `try_io()` methods
//! of the socket types.
//!
//! # Examples
//!
//! ```
//! use kairos::io::{AsyncReadExt, AsyncWriteExt, BufReader, AsyncBufReadExt};
//!
//! # kairos::runtime::Runtime::new().unwrap().block_on(async {
//! let mut reader = BufReader::new(&b"first line\nsecond line\n"[..]);
//! let mut line = String::new();
//! reader.read_line(&mut line).await?;
//! assert_eq!(line, "first line\n");
//!
//! let mut out = Vec::new();
//! out.write_all(b"bytes").await?;
//! assert_eq!(out, b"bytes");
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod copy_bidirectional;
mod interest;
pub(crate) mod poll_evented;
mod ready;

pub use self::copy_bidirectional::{copy_bidirectional, copy_bidirectional_with_sizes};
pub use self::interest::Interest;
pub use self::ready::Ready;

pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use futures_util::io::{
    copy, copy_buf, empty, repeat, sink, AllowStdIo, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt,
    AsyncWriteExt, BufReader, BufWriter, Chain, Cursor, Empty, LineWriter, Lines, ReadHalf, Repeat,
    ReuniteError, Sink, Take, Window, WriteHalf,
};
pub use std::io::{Error, ErrorKind, IoSlice, IoSliceMut, Result, SeekFrom};
