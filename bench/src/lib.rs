//! The Kairos benchmark harness: the same workloads on Kairos and its peers (tokio, smol,
//! async-std), measured in one run, alternating runtimes, and reported as ratios.
//!
//! - [`runtimes`]: one adapter per runtime behind the [`Runtime`] trait, so each workload is
//!   written once; [`sync`]: each runtime's own channels and locks behind one trait.
//! - [`cases`]: the workloads.
//! - [`measure`]: repeats, alternation, statistics.
//! - [`report`]: the markdown table and the chart.

pub mod callgrind;
pub mod cases;
pub mod latch;
pub mod measure;
pub mod report;
pub mod runtimes;
pub mod sync;

pub use runtimes::{Flavor, Runtime};
pub use sync::SyncPrimitives;
