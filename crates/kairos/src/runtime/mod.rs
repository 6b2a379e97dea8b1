//! The runtime: schedulers, the blocking pool, and the handles to them.
//!
//! A [`Runtime`] owns the scheduler that polls tasks (current-thread or multi-thread
//! work-stealing), the blocking thread pool, and the driver workers park on. [`Builder`]
//! configures one; [`Handle`] is a cloneable reference that can spawn onto it from
//! anywhere.
//!
//! # Examples
//!
//! ```
//! use kairos::runtime::Runtime;
//!
//! let rt = Runtime::new().unwrap();
//! let answer = rt.block_on(async {
//!     let task = kairos::spawn(async { 40 + 2 });
//!     task.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```

pub(crate) mod blocking;
mod builder;
pub(crate) mod config;
pub(crate) mod context;
pub(crate) mod driver;
mod handle;
pub(crate) mod io;
mod metrics;
pub(crate) mod park;
#[allow(clippy::module_inception)]
mod runtime;
pub(crate) mod scheduler;
pub(crate) mod time;

pub use self::builder::Builder;
pub use self::handle::{EnterGuard, Handle, TryCurrentError};
pub use self::metrics::RuntimeMetrics;
pub use self::runtime::{Runtime, RuntimeFlavor};
