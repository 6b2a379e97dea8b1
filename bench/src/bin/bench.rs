//! Runs every benchmark on Kairos and its peers and writes `docs/BENCHMARKS.md` and
//! `docs/benchmarks.svg`.
//!
//! ```text
//! cargo run -p kairos-bench --release --bin bench            # full run
//! cargo run -p kairos-bench --release --bin bench -- --quick # a few minutes
//! cargo run -p kairos-bench --release --bin bench -- --filter spawn --no-write
//! ```
//!
//! Each finished row is also appended to a log file (`target/bench.log` unless `--log`
//! says otherwise) as soon as it is measured, for watching a long run.

use kairos_bench::cases::{self, Case};
use kairos_bench::measure::{self, Stats};
use kairos_bench::report::{self, Entry, Row};
use kairos_bench::runtimes::{AsyncStd, Kairos, Smol, Tokio};
use kairos_bench::{Flavor, Runtime};
use std::io::Write;
use std::path::PathBuf;

struct Options {
    quick: bool,
    repeats: usize,
    filter: Option<String>,
    flavors: Vec<Flavor>,
    write: bool,
    out_dir: PathBuf,
    log: PathBuf,
}

/// The peers, in column order.
const PEERS: [&str; 3] = [Tokio::NAME, Smol::NAME, AsyncStd::NAME];

fn main() {
    if let Ok(spec) = std::env::var(cases::MEMORY_TASKS_ENV) {
        memory_child(&spec);
        return;
    }
    let options = parse_options();
    let started = std::time::Instant::now();
    let mut log = std::fs::File::create(&options.log).expect("create the log file");
    let mut rows = Vec::new();
    for &flavor in &options.flavors {
        let cases: Vec<Case> = Case::all(options.quick)
            .into_iter()
            .filter(|case| match &options.filter {
                Some(filter) => case.name().contains(filter.as_str()),
                None => true,
            })
            .collect();
        if cases.is_empty() {
            continue;
        }
        let kairos = Kairos::build(flavor);
        let tokio = Tokio::build(flavor);
        let smol = Smol::build(flavor);
        let async_std = AsyncStd::build(flavor);
        for case in cases {
            let repeats = if case.is_out_of_process() {
                options.repeats.min(3)
            } else {
                options.repeats
            };
            let mut names = Vec::new();
            let mut runs: Vec<Box<dyn FnMut() -> Vec<f64> + '_>> = Vec::new();
            add_runner(&mut names, &mut runs, kairos.as_ref(), case, flavor);
            add_runner(&mut names, &mut runs, tokio.as_ref(), case, flavor);
            add_runner(&mut names, &mut runs, smol.as_ref(), case, flavor);
            add_runner(&mut names, &mut runs, async_std.as_ref(), case, flavor);
            let mut refs: Vec<&mut dyn FnMut() -> Vec<f64>> =
                runs.iter_mut().map(|run| &mut **run as _).collect();
            let stats = measure::alternate(repeats, &mut refs);
            for (index, metric) in case.metrics().into_iter().enumerate() {
                let name = match metric.label {
                    "" => case.name(),
                    label => format!("{}: {label}", case.name()),
                };
                let row = Row {
                    name,
                    flavor,
                    unit: metric.unit,
                    higher_is_better: metric.higher_is_better,
                    entries: names
                        .iter()
                        .zip(&stats)
                        .map(|(runtime, stats)| Entry {
                            runtime,
                            stats: stats[index],
                        })
                        .collect(),
                };
                let line = row_line(&row);
                println!("{line}");
                let _ = writeln!(log, "{line}");
                let _ = log.flush();
                rows.push(row);
            }
        }
    }
    let wall = started.elapsed();
    let _ = writeln!(log, "wall time {:.0} s", wall.as_secs_f64());
    println!("wall time {:.0} s", wall.as_secs_f64());
    if options.write {
        write_report(&rows, &options, wall);
    }
}

/// Adds a closure that runs `case` once on `rt` (if this runtime has the flavor).
fn add_runner<'a, R: Runtime>(
    names: &mut Vec<&'static str>,
    runs: &mut Vec<Box<dyn FnMut() -> Vec<f64> + 'a>>,
    rt: Option<&'a R>,
    case: Case,
    flavor: Flavor,
) {
    if let Some(rt) = rt {
        names.push(R::NAME);
        runs.push(Box::new(move || case.run(rt, flavor)));
    }
}

fn row_line(row: &Row) -> String {
    let mut line = format!("{:<52} {:<3}", row.name, row.flavor.tag());
    for entry in &row.entries {
        let Stats { median, .. } = entry.stats;
        line.push_str(&format!(" {}={median:.3}{}", entry.runtime, row.unit));
    }
    for (peer, ratio) in row.ratios() {
        line.push_str(&format!("  k/{peer}={ratio:.2}"));
    }
    line
}

fn write_report(rows: &[Row], options: &Options, wall: std::time::Duration) {
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
        wall_seconds: wall.as_secs_f64(),
    };
    let chart = "benchmarks.svg";
    std::fs::create_dir_all(&options.out_dir).expect("create the report folder");
    std::fs::write(
        options.out_dir.join("BENCHMARKS.md"),
        report::markdown(rows, &PEERS, &context, chart),
    )
    .expect("write BENCHMARKS.md");
    std::fs::write(
        options.out_dir.join(chart),
        report::svg_chart(rows, Tokio::NAME),
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
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut options = Options {
        quick: false,
        repeats: 7,
        filter: None,
        flavors: vec![Flavor::CurrentThread, Flavor::MultiThread],
        write: true,
        out_dir: root.join("docs"),
        log: root.join("target/bench.log"),
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
            "--flavor" => {
                let flavor = args.next().and_then(|tag| Flavor::from_tag(&tag));
                options.flavors = vec![flavor.expect("--flavor takes ct or mt")];
            }
            "--no-write" => options.write = false,
            "--out" => options.out_dir = PathBuf::from(args.next().expect("--out takes a folder")),
            "--log" => options.log = PathBuf::from(args.next().expect("--log takes a file")),
            other => {
                eprintln!(
                    "unknown option {other}; options: --quick, --repeats N, --filter TEXT, \
                     --flavor ct|mt, --no-write, --out DIR, --log FILE"
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
        parts.next().and_then(Flavor::from_tag),
        parts.next().and_then(|n| n.parse().ok()).unwrap_or(0),
    );
    let flavor = flavor.expect("memory child flavor");
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
