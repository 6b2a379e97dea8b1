//! The TechEmpower Framework Benchmark tests on Kairos: `/plaintext`, `/json`, `/db`,
//! `/queries?queries=N`, `/fortunes`, `/updates?queries=N`, over an embedded SQLite
//! database created and seeded on first start.

#![warn(missing_docs)]

pub mod app;
pub mod db;
pub mod html;
