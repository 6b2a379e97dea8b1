//! The Kairos benchmark harness: the same workloads on Kairos and its peers (tokio, smol,
//! async-std), measured in one run, alternating runtimes, and reported as ratios.
//!
//! - [`runtimes`]: one adapter per runtime behind the [`Runtime`] trait, so each workload is
//!   written once; [`sync`] and [`timers`]: each runtime's own channels, locks and timers
//!   behind one trait each.
//! - [`cases`]: the workloads; [`echo`]: the TCP echo servers and their load generator.
//! - [`measure`]: repeats, alternation, statistics.
//! - [`report`]: the markdown table and the chart; [`bar`]: the bar, checked.

pub mod bar;
pub mod callgrind;
pub mod cases;
pub mod echo;
pub mod latch;
pub mod measure;
pub mod report;
pub mod runtimes;
pub mod sync;
pub mod timers;

pub use runtimes::{Flavor, Runtime};
pub use sync::SyncPrimitives;
pub use timers::Timers;
