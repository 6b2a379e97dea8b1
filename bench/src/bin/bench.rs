//! Runs every benchmark on Kairos and its peers and writes `docs/BENCHMARKS.md` and
//! `docs/benchmarks.svg`.
//!
//! ```text
//! cargo run -p kairos-bench --release --bin bench            # full run
//! cargo run -p kairos-bench --release --bin bench -- --quick # a few minutes
//! cargo run -p kairos-bench --release --bin bench -- --filter spawn --no-write
//! ```

use kairos_bench::cases::{self, Case};
use kairos_bench::measure::{self, Stats};
use kairos_bench::report::{self, Entry, Row};
use kairos_bench::runtimes::{AsyncStd, Kairos, Smol, Tokio};
use kairos_bench::{Flavor, Runtime};
use std::path::PathBuf;

struct Options {
    quick: bool,
    repeats: usize,
    filter: Option<String>,
    write: bool,
    out_dir: PathBuf,
}

fn main() {
    if let Ok(spec) = std::env::var(cases::MEMORY_TASKS_ENV) {
        memory_child(&spec);
        return;
    }
    let options = parse_options();
    let peers = [Tokio::NAME, Smol::NAME, AsyncStd::NAME];
    let mut rows = Vec::new();
    for flavor in [Flavor::CurrentThread, Flavor::MultiThread] {
        let kairos = Kairos::build(flavor);
        let tokio = Tokio::build(flavor);
        let smol = Smol::build(flavor);
        let async_std = AsyncStd::build(flavor);
        for case in Case::all(options.quick) {
            if let Some(filter) = &options.filter {
                if !case.name().contains(filter.as_str()) {
                    continue;
                }
            }
            let repeats = if case.is_out_of_process() {
                options.repeats.min(3)
            } else {
                options.repeats
            };
            let mut names = vec![Kairos::NAME];
            let mut runs: Vec<Box<dyn FnMut() -> f64 + '_>> =
                vec![runner(kairos.as_ref(), case, flavor)];
            for (name, run) in [
                (
                    Tokio::NAME,
                    tokio.as_ref().map(|rt| runner(Some(rt), case, flavor)),
                ),
                (
                    Smol::NAME,
                    smol.as_ref().map(|rt| runner(Some(rt), case, flavor)),
                ),
                (
                    AsyncStd::NAME,
                    async_std.as_ref().map(|rt| runner(Some(rt), case, flavor)),
                ),
            ] {
                if let Some(run) = run {
                    names.push(name);
                    runs.push(run);
                }
            }
            let mut refs: Vec<&mut dyn FnMut() -> f64> =
                runs.iter_mut().map(|run| &mut **run as _).collect();
            let stats = measure::alternate(repeats, &mut refs);
            let row = Row {
                name: case.name(),
                flavor,
                unit: case.unit(),
                entries: names
                    .iter()
                    .zip(stats)
                    .map(|(runtime, stats)| Entry { runtime, stats })
                    .collect(),
            };
            print_row(&row);
            rows.push(row);
        }
    }
    if options.write {
        write_report(&rows, &peers, &options);
    }
}

/// A closure that runs `case` once on `rt` and returns its figure.
fn runner<'a, R: Runtime>(
    rt: Option<&'a R>,
    case: Case,
    flavor: Flavor,
) -> Box<dyn FnMut() -> f64 + 'a> {
    let rt = rt.expect("Kairos has every flavor");
    Box::new(move || case.run(rt, flavor))
}

fn print_row(row: &Row) {
    let mut line = format!("{:<42} {:<16}", row.name, row.flavor.label());
    for entry in &row.entries {
        let Stats { median, .. } = entry.stats;
        line.push_str(&format!(" {}={median:.3}{}", entry.runtime, row.unit));
    }
    for (peer, ratio) in row.ratios() {
        line.push_str(&format!("  k/{peer}={ratio:.2}"));
    }
    println!("{line}");
}

fn write_report(rows: &[Row], peers: &[&str], options: &Options) {
    let command = format!(
        "cargo run -p kairos-bench --release --bin bench{}",
        if options.quick { " -- --quick" } else { "" }
    );
    let context = report::Context {
        command,
        date: shell("date -u '+%Y-%m-%d %H:%M UTC'"),
        machine: format!(
            "{} x {}, {}",
            shell("nproc"),
            shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"),
            shell("uname -sr")
        ),
        repeats: options.repeats,
    };
    let chart = "benchmarks.svg";
    std::fs::create_dir_all(&options.out_dir).expect("create the report folder");
    std::fs::write(
        options.out_dir.join("BENCHMARKS.md"),
        report::markdown(rows, peers, &context, chart),
    )
    .expect("write BENCHMARKS.md");
    std::fs::write(
        options.out_dir.join(chart),
        report::svg_chart(rows, "tokio"),
    )
    .expect("write the chart");
    println!("wrote {}", options.out_dir.join("BENCHMARKS.md").display());
}

fn shell(command: &str) -> String {
    std::process::Command::new("sh")
        .args(["-c", command])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default()
}

fn parse_options() -> Options {
    let mut options = Options {
        quick: false,
        repeats: 7,
        filter: None,
        write: true,
        out_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                options.quick = true;
                options.repeats = 5;
            }
            "--repeats" => {
                options.repeats = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .expect("--repeats takes a positive number")
            }
            "--filter" => options.filter = Some(args.next().expect("--filter takes a substring")),
            "--no-write" => options.write = false,
            "--out" => options.out_dir = PathBuf::from(args.next().expect("--out takes a folder")),
            other => {
                eprintln!(
                    "unknown option {other}; options: --quick, --repeats N, --filter TEXT, \
                     --no-write, --out DIR"
                );
                std::process::exit(2);
            }
        }
    }
    options
}

/// The child side of the memory row: `RUNTIME:FLAVOR:TASKS`.
fn memory_child(spec: &str) {
    let mut parts = spec.split(':');
    let (runtime, flavor, tasks) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().and_then(|n| n.parse().ok()).unwrap_or(0),
    );
    let flavor = if flavor == "ct" {
        Flavor::CurrentThread
    } else {
        Flavor::MultiThread
    };
    fn measure<R: Runtime>(flavor: Flavor, tasks: usize) -> f64 {
        let rt = R::build(flavor).expect("flavor available");
        let bytes = cases::idle_task_bytes(&rt, tasks);
        // Exit without tearing down a million tasks.
        println!("{bytes:.1}");
        std::process::exit(0);
    }
    match runtime {
        "kairos" => measure::<Kairos>(flavor, tasks),
        "tokio" => measure::<Tokio>(flavor, tasks),
        "smol" => measure::<Smol>(flavor, tasks),
        "async-std" => measure::<AsyncStd>(flavor, tasks),
        other => panic!("unknown runtime {other}"),
    };
}
