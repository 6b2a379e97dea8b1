//! The report: a markdown table per flavor and an SVG chart of the Kairos/peer ratios.

use crate::measure::Stats;
use crate::Flavor;
use std::fmt::Write;

/// One runtime's result on one row.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The runtime's name.
    pub runtime: &'static str,
    /// Its repeats.
    pub stats: Stats,
}

/// One measured row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The workload's label.
    pub name: String,
    /// The scheduler shape.
    pub flavor: Flavor,
    /// The unit of the numbers.
    pub unit: &'static str,
    /// Whether larger numbers are better (throughput) rather than worse (time, size).
    pub higher_is_better: bool,
    /// Kairos first, then the peers that have this flavor.
    pub entries: Vec<Entry>,
}

impl Row {
    /// Whether Kairos's `ratio` to a peer means Kairos did at least as well.
    pub fn kairos_at_least_as_good(&self, ratio: f64) -> bool {
        if self.higher_is_better {
            ratio >= 1.0
        } else {
            ratio <= 1.0
        }
    }

    /// Kairos median / peer median, for each peer.
    pub fn ratios(&self) -> Vec<(&'static str, f64)> {
        let kairos = self.entries[0].stats.median;
        self.entries[1..]
            .iter()
            .map(|entry| (entry.runtime, kairos / entry.stats.median))
            .collect()
    }

    /// The ratio against one peer, if it ran this row.
    pub fn ratio_to(&self, peer: &str) -> Option<f64> {
        self.ratios()
            .into_iter()
            .find(|(name, _)| *name == peer)
            .map(|(_, ratio)| ratio)
    }
}

/// Where and how the figures were taken.
pub struct Context {
    /// The command that produced the report.
    pub command: String,
    /// The date, as `date -u` prints it.
    pub date: String,
    /// CPU model and count, kernel.
    pub machine: String,
    /// Repeats per row.
    pub repeats: usize,
    /// How long the whole run took.
    pub wall_seconds: f64,
}

/// The markdown document.
pub fn markdown(
    rows: &[Row],
    counts: &[Row],
    peers: &[&str],
    context: &Context,
    chart_file: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Kairos against its peers on the same workloads, in one run on one machine. Every \
         runtime runs each row once to warm up, then {} times, the runtimes alternating \
         (A B C, B C A, ...) so machine drift spreads over all of them. Cells show the median \
         and, in brackets, the min and max; the ratio columns divide Kairos's median by the \
         peer's (below 1.0: Kairos is faster or smaller).\n",
        context.repeats
    );
    let _ = writeln!(out, "- Command: `{}`", context.command);
    let _ = writeln!(out, "- Date: {}", context.date);
    let _ = writeln!(out, "- Wall time of the run: {:.0} s", context.wall_seconds);
    let _ = writeln!(out, "- Machine: {}\n", context.machine);
    let _ = writeln!(out, "![Kairos / peer ratios]({chart_file})\n");
    out.push_str(&crate::bar::markdown(rows));
    tables(&mut out, rows, peers, "");
    out.push_str(NOTES);
    if !counts.is_empty() {
        let _ = writeln!(
            out,
            "## Instructions (callgrind)\n\nThe same workloads counted in instructions (millions) \
             under `valgrind --tool=callgrind`: one warm-up run, then the counters are zeroed and \
             one run is counted, on every thread of the process. Counts do not drift with the \
             machine's load; the multi-thread ones include idle workers' searching and parking \
             under valgrind's one-thread-at-a-time execution. Rows that compute for a fixed time \
             or measure memory are left out.\n"
        );
        tables(&mut out, counts, peers, "### ");
    }
    out.push_str(KEPT_BELOW);
    out
}

/// Ends the part of `BENCHMARKS.md` this harness writes; what follows it (sections measured by
/// other commands, such as the HTTP servers) is carried over from the previous file.
pub const KEPT_BELOW: &str =
    "\n<!-- bench: everything above is rewritten by the bench command; everything below is kept -->\n";

/// The new report: `generated` (which ends with [`KEPT_BELOW`]) followed by whatever came
/// after the marker in `previous`, the file being replaced.
pub fn splice(previous: Option<&str>, generated: &str) -> String {
    let kept = previous
        .and_then(|text| text.split_once(KEPT_BELOW.trim()))
        .map_or("", |(_, below)| below.trim_start_matches('\n'));
    format!("{generated}\n{kept}")
}

/// How to read the tables: what each workload does and where runtimes differ.
const NOTES: &str = "## Notes on the workloads\n\n\
- Each row's leading number is its row in the benchmark issue. A sample of a short workload \
runs it several times (about 50 ms in all, the same count on every runtime) and reports the \
mean. On the multi-thread flavor the benchmark's own code runs as a task on one of the two \
workers, on every runtime.\n\
- Channels, locks and timers are each runtime's own: `tokio::sync`/`kairos::sync`; smol: \
`async-channel` (capacity 1 as its oneshot) and `async-lock`; async-std: its channels (a \
re-export of async-channel 1) and `Mutex`, async-lock's `Semaphore`. Mutex and Semaphore \
holders yield once while holding, so waiters queue on both flavors.\n\
- smol's timeout is the pattern async-io documents, `future.or(timer)`: the timer is an async \
block that is never started when the future is ready first, so that row costs smol nothing \
but the future itself.\n\
- inject_under_load: 10,000 tasks spawned from another thread while pairs of tasks (one pair \
per worker) compute 10 µs per turn and wake each other.\n\
- tcp_echo: every server (and a thread-per-connection std server, `threads`) in its own \
process, a fresh one per sample; one load generator (one thread on mio, pinned to the last \
CPU) keeps one 64-byte message in flight per connection, with a read and a write per round \
trip as the servers make (it stops reading at a short read); a sample measures 0.5 s after \
0.125 s of warm-up, and 20 samples per server alternate, 10 s of measured load in all (many \
short samples, so that the machine's slow and fast phases, many seconds long, fall on every \
server alike). A \
current-thread server is pinned to the other CPU; on the multi-thread flavor the server and \
the load generator share the CPUs.\n\
- Memory rows: resident-set growth in a fresh process: per task parked on a never-ready \
future, and per connection of an echo server holding 10,000 that each made one round trip.\n\n";

/// One table per flavor: the workloads, each runtime's figures, and the ratios.
fn tables(out: &mut String, rows: &[Row], peers: &[&str], heading: &str) {
    let heading = if heading.is_empty() { "## " } else { heading };
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread] {
        let flavor_rows: Vec<&Row> = rows.iter().filter(|row| row.flavor == flavor).collect();
        if flavor_rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading}{}\n", flavor.label());
        let _ = write!(out, "| workload | unit | kairos |");
        for peer in peers {
            let _ = write!(out, " {peer} |");
        }
        for peer in peers {
            let _ = write!(out, " kairos/{peer} |");
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "|---|---|---|{}", "---|".repeat(peers.len() * 2));
        for row in flavor_rows {
            let _ = write!(
                out,
                "| {} | {} | {} |",
                row.name,
                row.unit,
                cell(&row.entries[0])
            );
            for peer in peers {
                match row.entries.iter().find(|entry| entry.runtime == *peer) {
                    Some(entry) => {
                        let _ = write!(out, " {} |", cell(entry));
                    }
                    None => out.push_str(" n/a |"),
                }
            }
            for peer in peers {
                match row.ratio_to(peer) {
                    Some(ratio) => {
                        let _ = write!(out, " {ratio:.2} |");
                    }
                    None => out.push_str(" n/a |"),
                }
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out);
    }
}

fn cell(entry: &Entry) -> String {
    let Stats { min, median, max } = entry.stats;
    if min == max {
        number(median)
    } else {
        format!("{} ({}–{})", number(median), number(min), number(max))
    }
}

fn number(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}

/// A horizontal bar chart of kairos/`peer` ratios, one bar per row, with the 1.0 line.
pub fn svg_chart(rows: &[Row], peer: &str) -> String {
    let bars: Vec<(String, f64, bool)> = rows
        .iter()
        .filter_map(|row| {
            row.ratio_to(peer).map(|ratio| {
                let better = row.kairos_at_least_as_good(ratio);
                let label = format!("{} [{}]", row.name, row.flavor.tag());
                (label, ratio, better)
            })
        })
        .collect();
    let label_width = 330.0;
    let plot_width = 420.0;
    let bar_height = 18.0;
    let top = 40.0;
    let height = top + bars.len() as f64 * (bar_height + 6.0) + 30.0;
    let max_ratio = bars
        .iter()
        .map(|(_, ratio, _)| *ratio)
        .fold(1.5_f64, f64::max);
    let scale = plot_width / max_ratio;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" font-family="sans-serif" font-size="12">"#,
        label_width + plot_width + 60.0
    );
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" fill="white"/><text x="10" y="20" font-size="14">kairos / {peer}, medians (green: kairos as good or better; throughput rows are better above 1.0)</text>"#
    );
    for (i, (label, ratio, better)) in bars.iter().enumerate() {
        let y = top + i as f64 * (bar_height + 6.0);
        let color = if *better { "#2a9d8f" } else { "#e76f51" };
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{label_width}" y="{y}" width="{}" height="{bar_height}" fill="{color}"/><text x="{}" y="{}">{ratio:.2}</text>"#,
            label_width - 6.0,
            y + bar_height - 5.0,
            escape(label),
            ratio * scale,
            label_width + ratio * scale + 4.0,
            y + bar_height - 5.0,
        );
    }
    let one = label_width + scale;
    let _ = writeln!(
        svg,
        r#"<line x1="{one}" y1="{}" x2="{one}" y2="{}" stroke="black" stroke-dasharray="4 3"/><text x="{one}" y="{}" text-anchor="middle">1.0</text>"#,
        top - 6.0,
        height - 24.0,
        height - 10.0
    );
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::{splice, KEPT_BELOW};

    #[test]
    fn splice_keeps_what_follows_the_marker_and_replaces_the_rest() {
        let previous = format!("# old tables\n{KEPT_BELOW}\n## HTTP\nfigures\n");
        let generated = format!("# new tables\n{KEPT_BELOW}");
        let spliced = splice(Some(&previous), &generated);
        assert!(spliced.starts_with("# new tables\n"));
        assert!(!spliced.contains("old tables"));
        assert!(spliced.ends_with("## HTTP\nfigures\n"));
        assert_eq!(spliced.matches(KEPT_BELOW.trim()).count(), 1);
    }

    #[test]
    fn splice_without_a_previous_file_or_marker_writes_only_the_tables() {
        let generated = format!("# new\n{KEPT_BELOW}");
        assert_eq!(splice(None, &generated).trim_end(), generated.trim_end());
        assert_eq!(
            splice(Some("no marker here"), &generated).trim_end(),
            generated.trim_end()
        );
    }
}
