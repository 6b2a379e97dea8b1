//! Run the crates people already use on Kairos.
//!
//! | feature | what it gives |
//! |---|---|
//! | `hyper` | [`HyperIo`] (hyper's `rt::Read`/`rt::Write` over any Kairos stream), [`HyperExecutor`] (hyper spawns onto Kairos), [`HyperTimer`] (hyper's timeouts on Kairos timers): `hyper::server::conn::{http1, http2}` serve and `hyper::client::conn` connects over Kairos sockets, and through hyper an axum `Router`. |
//! | `tokio-io` | [`TokioIo`] (tokio's `AsyncRead`/`AsyncWrite` over a Kairos stream, for crates such as `tokio-postgres`), [`FuturesIo`] (the reverse). |
//!
//! Nothing here starts a tokio runtime: tokio is only a dependency for its I/O traits. The
//! adapters copy no data and allocate nothing per read or write.

#[cfg(feature = "hyper")]
mod hyper;
#[cfg(feature = "tokio-io")]
mod tokio_io;

#[cfg(feature = "hyper")]
pub use self::hyper::{HyperExecutor, HyperIo, HyperSleep, HyperTimer};
#[cfg(feature = "tokio-io")]
pub use self::tokio_io::{FuturesIo, TokioIo};
