//! The bar the benchmark issue sets, checked against a run's rows:
//!
//! - Kairos / tokio <= 1.0 on every figure of rows 1-10, in both flavors, and <= 0.9 on
//!   at least four rows;
//! - TCP echo requests/s >= the better of tokio and smol, with p99 <= both of theirs;
//! - memory per idle task and per idle connection <= tokio's.

use crate::report::Row;
use std::fmt::Write;

/// The issue's row number a row's name starts with.
fn issue_row(row: &Row) -> Option<u32> {
    row.name.split_whitespace().next()?.parse().ok()
}

fn median_of(row: &Row, runtime: &str) -> Option<f64> {
    row.entries
        .iter()
        .find(|entry| entry.runtime == runtime)
        .map(|entry| entry.stats.median)
}

/// The "bar" section of the report: each condition, whether it holds, and the rows that
/// miss it.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## The bar\n");
    let core: Vec<(&Row, f64)> = rows
        .iter()
        .filter(|row| issue_row(row).is_some_and(|n| (1..=10).contains(&n)))
        .filter_map(|row| row.ratio_to("tokio").map(|ratio| (row, ratio)))
        .collect();
    if !core.is_empty() {
        let misses: Vec<String> = core
            .iter()
            .filter(|(_, ratio)| *ratio > 1.0)
            .map(|(row, ratio)| format!("{} [{}] {ratio:.2}", row.name, row.flavor.tag()))
            .collect();
        let well_ahead = core.iter().filter(|(_, ratio)| *ratio <= 0.9).count();
        let _ = writeln!(
            out,
            "- Rows 1-10, kairos/tokio <= 1.0 on every figure, both flavors: {} of {} hold{}",
            core.len() - misses.len(),
            core.len(),
            if misses.is_empty() {
                String::new()
            } else {
                format!("; over 1.0: {}", misses.join(", "))
            }
        );
        let _ = writeln!(
            out,
            "- Rows 1-10, kairos/tokio <= 0.9 on at least four figures: {well_ahead} {}",
            verdict(well_ahead >= 4)
        );
    }
    for row in rows.iter().filter(|row| issue_row(row) == Some(11)) {
        let (Some(kairos), Some(tokio), Some(smol)) = (
            median_of(row, "kairos"),
            median_of(row, "tokio"),
            median_of(row, "smol"),
        ) else {
            continue;
        };
        let holds = if row.higher_is_better {
            kairos >= tokio.max(smol)
        } else if row.name.ends_with(": p99") {
            kairos <= tokio.min(smol)
        } else {
            continue;
        };
        let _ = writeln!(
            out,
            "- {} [{}]: kairos {kairos:.0}, tokio {tokio:.0}, smol {smol:.0} {} {}",
            row.name,
            row.flavor.tag(),
            row.unit,
            verdict(holds)
        );
    }
    for row in rows.iter().filter(|row| row.name.starts_with("12 ")) {
        if let Some(ratio) = row.ratio_to("tokio") {
            let _ = writeln!(
                out,
                "- {} [{}]: kairos/tokio {ratio:.2} {}",
                row.name,
                row.flavor.tag(),
                verdict(ratio <= 1.0)
            );
        }
    }
    let _ = writeln!(out);
    out
}

fn verdict(holds: bool) -> &'static str {
    if holds {
        "(holds)"
    } else {
        "(misses)"
    }
}
