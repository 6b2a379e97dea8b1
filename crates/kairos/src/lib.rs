//! Kairos: an asynchronous runtime for Rust.
//!
//! Kairos runs `std::future::Future`s as lightweight tasks on a scheduler of your choice
//! (a single thread, or a pool of work-stealing workers), with a blocking thread pool for
//! code that cannot be made asynchronous. Public names mirror tokio's where the concept is
//! the same, so a tokio program ports by changing the crate name.
//!
//! - [`runtime`]: [`Runtime`](runtime::Runtime), [`Builder`](runtime::Builder),
//!   [`Handle`](runtime::Handle).
//! - [`task`]: [`spawn`], [`spawn_blocking`](task::spawn_blocking),
//!   [`spawn_local`](task::spawn_local), [`JoinHandle`](task::JoinHandle),
//!   [`JoinSet`](task::JoinSet), [`LocalSet`](task::LocalSet), [`yield_now`](task::yield_now).
//! - [`sync`]: channels ([`oneshot`](sync::oneshot), [`mpsc`](sync::mpsc),
//!   [`broadcast`](sync::broadcast), [`watch`](sync::watch)), [`Mutex`](sync::Mutex),
//!   [`RwLock`](sync::RwLock), [`Semaphore`](sync::Semaphore), [`Notify`](sync::Notify) and
//!   more, usable under any executor.
//! - [`net`]: TCP, UDP and Unix sockets; [`io`]: the futures-io traits and utilities;
//!   [`time`]: sleeps, timeouts, intervals and a pausable test clock; [`signal`]: Ctrl-C
//!   and Unix signals; [`fs`]: files on the blocking pool.
//! - [`main`] and [`test`]: attribute macros that set up a runtime around an `async fn`.
//!
//! # Examples
//!
//! ```
//! #[kairos::main]
//! async fn main() {
//!     let handle = kairos::spawn(async { "hello from a task" });
//!     println!("{}", handle.await.unwrap());
//! }
//! ```

#![warn(missing_docs)]

pub mod fs;
pub mod io;
pub(crate) mod loom;
pub mod net;
pub mod runtime;
pub mod signal;
pub mod sync;
pub mod task;
pub mod time;

pub use crate::task::spawn;

#[cfg(feature = "macros")]
pub use kairos_macros::{main, test};
