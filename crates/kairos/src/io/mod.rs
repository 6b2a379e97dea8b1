//! Asynchronous I/O: the traits, their extension methods and utilities, and readiness.
//!
//! Kairos I/O types implement the runtime-neutral `AsyncRead` and `AsyncWrite`
//! traits of `futures-io`, so the whole futures-io ecosystem works on them. This module
//! re-exports `futures-util`'s extension traits (`AsyncReadExt`, `AsyncWriteExt`,
//! ...) and utilities (`copy`, `BufReader`, `BufWriter`, ...) and adds what
//! `futures-util` lacks, such as `copy_bidirectional`.
//!
//! [`Interest`] and [`Ready`] describe readiness for the `ready()` / `try_io()` methods
//! of the socket types.

mod interest;
#[allow(dead_code)] // used by `kairos::net`, which the next step adds
pub(crate) mod poll_evented;
mod ready;

pub use self::interest::Interest;
pub use self::ready::Ready;
