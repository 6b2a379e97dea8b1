//! The Kairos benchmark harness: the same workloads on Kairos and its peers (tokio, smol,
//! async-std), measured in one run, alternating runtimes, and reported as ratios.
//!
//! - [`runtimes`]: one adapter per runtime behind the [`Runtime`] trait, so each workload is
//!   written once.
//! - [`cases`]: the workloads.
//! - [`measure`]: repeats, alternation, statistics.
//! - [`report`]: the markdown table and the chart.

pub mod cases;
pub mod measure;
pub mod report;
pub mod runtimes;

pub use runtimes::{Flavor, Runtime};
