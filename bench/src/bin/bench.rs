//! Runs every benchmark on Kairos and its peers and writes `docs/BENCHMARKS.md` and
//! `docs/benchmarks.svg`.
//!
//! ```text
//! cargo run -p kairos-bench --release --bin bench            # full run
//! cargo run -p kairos-bench --release --bin bench -- --quick # a few minutes
//! cargo run -p kairos-bench --release --bin bench -- --filter spawn --no-write
//! ```
//!
//! Instruction counts under callgrind (a second view, see `callgrind.rs`) are taken in the
//! full run when valgrind is installed; `--callgrind` adds them to a quick run,
//! `--no-callgrind` leaves them out and `--callgrind-only` takes nothing else.
//!
//! Each finished row is also appended to a log file (`target/bench.log` unless `--log`
//! says otherwise) as soon as it is measured, for watching a long run.

use kairos_bench::callgrind;
use kairos_bench::cases::{self, Case};
use kairos_bench::echo;
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
    callgrind: bool,
    callgrind_only: bool,
}

/// Calls `$body` with `$R` bound to the runtime type named `$name` (a `&str`).
macro_rules! with_runtime {
    ($name:expr, $R:ident => $body:expr) => {
        with_runtime!(@each $name, $R, $body, Kairos, Tokio, Smol, AsyncStd)
    };
    (@each $name:expr, $R:ident, $body:expr, $($runtime:ident),*) => {
        match $name {
            $(name if name == $runtime::NAME => {
                type $R = $runtime;
                $body
            })*
            other => panic!("unknown runtime {other}"),
        }
    };
}

/// The peers, in column order.
const PEERS: [&str; 4] = [Tokio::NAME, Smol::NAME, AsyncStd::NAME, echo::THREADS];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if echo::child_main(&args) {
        return;
    }
    if let Ok(spec) = std::env::var(cases::MEMORY_TASKS_ENV) {
        memory_child(&spec);
        return;
    }
    if let Ok(spec) = std::env::var(callgrind::CALLGRIND_CHILD_ENV) {
        callgrind_child(&spec);
        return;
    }
    let options = parse_options();
    let started = std::time::Instant::now();
    let mut log = std::fs::File::create(&options.log).expect("create the log file");
    let mut rows = Vec::new();
    for &flavor in &options.flavors {
        if options.callgrind_only {
            break;
        }
        let cases = selected_cases(&options);
        if cases.is_empty() {
            continue;
        }
        let kairos = Kairos::build(flavor);
        let tokio = Tokio::build(flavor);
        let smol = Smol::build(flavor);
        let async_std = AsyncStd::build(flavor);
        for case in cases {
            let repeats = match case {
                Case::TcpEcho { .. } if options.quick => 3,
                Case::TcpEcho { .. } => cases::ECHO_SAMPLES,
                _ if case.is_out_of_process() => options.repeats.min(3),
                _ => options.repeats,
            };
            let batch = batch_size(&case, kairos.as_ref(), flavor, options.quick);
            let mut names = Vec::new();
            let mut runs: Vec<Box<dyn FnMut() -> Vec<f64> + '_>> = Vec::new();
            add_runner(&mut names, &mut runs, kairos.as_ref(), case, flavor, batch);
            add_runner(&mut names, &mut runs, tokio.as_ref(), case, flavor, batch);
            add_runner(&mut names, &mut runs, smol.as_ref(), case, flavor, batch);
            add_runner(
                &mut names,
                &mut runs,
                async_std.as_ref(),
                case,
                flavor,
                batch,
            );
            if case.has_threads_baseline() {
                names.push(echo::THREADS);
                runs.push(Box::new(move || case.run_server(echo::THREADS, flavor)));
            }
            let mut refs: Vec<&mut dyn FnMut() -> Vec<f64>> =
                runs.iter_mut().map(|run| &mut **run as _).collect();
            let stats = measure::alternate(repeats, !case.is_out_of_process(), &mut refs);
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
    let counts = if options.callgrind {
        instruction_rows(&options, &mut log)
    } else {
        Vec::new()
    };
    let wall = started.elapsed();
    let _ = writeln!(log, "wall time {:.0} s", wall.as_secs_f64());
    println!("wall time {:.0} s", wall.as_secs_f64());
    if options.write {
        write_report(&rows, &counts, &options, wall);
    }
}

/// The workloads the options select, in report order.
fn selected_cases(options: &Options) -> Vec<Case> {
    Case::all(options.quick)
        .into_iter()
        .filter(|case| match &options.filter {
            Some(filter) => case.name().contains(filter.as_str()),
            None => true,
        })
        .collect()
}

/// Instruction counts of every selected workload on every runtime, two valgrind children
/// at a time (valgrind runs one thread at a time, so two use the two cores).
fn instruction_rows(options: &Options, log: &mut std::fs::File) -> Vec<Row> {
    if !callgrind::valgrind_available() {
        eprintln!("valgrind not found: no instruction counts");
        return Vec::new();
    }
    let scratch = std::env::temp_dir().join(format!("kairos-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("create the callgrind scratch folder");
    let mut rows = Vec::new();
    for &flavor in &options.flavors {
        for case in selected_cases(options) {
            if !case.counts_instructions() {
                continue;
            }
            let runtimes: Vec<&'static str> = [Kairos::NAME]
                .into_iter()
                .chain(PEERS)
                .filter(|name| *name != echo::THREADS)
                .filter(|name| *name != AsyncStd::NAME || flavor == Flavor::MultiThread)
                .collect();
            let counts: Vec<Option<u64>> = std::thread::scope(|scope| {
                let scratch = &scratch;
                let mut counts = Vec::new();
                for pair in runtimes.chunks(2) {
                    let children: Vec<_> = pair
                        .iter()
                        .map(|name| {
                            scope.spawn(move || {
                                with_runtime!(*name, R => callgrind::instructions::<R>(case, flavor, scratch))
                            })
                        })
                        .collect();
                    counts.extend(
                        children
                            .into_iter()
                            .map(|child| child.join().ok().flatten()),
                    );
                }
                counts
            });
            let entries: Vec<Entry> = runtimes
                .iter()
                .zip(counts)
                .filter_map(|(runtime, count)| {
                    let millions = count? as f64 / 1e6;
                    Some(Entry {
                        runtime,
                        stats: Stats::of(&[millions]),
                    })
                })
                .collect();
            if entries.first().map(|entry| entry.runtime) != Some(Kairos::NAME) {
                continue;
            }
            let row = Row {
                name: case.name(),
                flavor,
                unit: "M instr",
                higher_is_better: false,
                entries,
            };
            let line = row_line(&row);
            println!("{line}");
            let _ = writeln!(log, "{line}");
            let _ = log.flush();
            rows.push(row);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    rows
}

/// The longest a batch goes on (it always runs the workload at least once).
const BATCH_LIMIT: std::time::Duration = std::time::Duration::from_millis(250);

/// How many times one sample runs a workload (the sample is their mean): enough that a
/// sample of a short workload lasts about 50 ms (20 ms in quick mode), so one context
/// switch or one late wake-up on a busy machine does not decide it. Calibrated on Kairos
/// (its first run doubles as its warm-up); every runtime then runs the same batch.
fn batch_size(case: &Case, kairos: Option<&Kairos>, flavor: Flavor, quick: bool) -> usize {
    let Some(rt) = kairos.filter(|_| case.is_batchable()) else {
        return 1;
    };
    let target = if quick { 0.020 } else { 0.050 };
    let started = std::time::Instant::now();
    case.run(rt, flavor);
    let once = started.elapsed().as_secs_f64().max(1e-6);
    ((target / once).ceil() as usize).clamp(1, 100)
}

/// Adds a closure that runs `case` `batch` times on `rt` and returns the mean of each
/// figure (if this runtime has the flavor).
fn add_runner<'a, R: Runtime>(
    names: &mut Vec<&'static str>,
    runs: &mut Vec<Box<dyn FnMut() -> Vec<f64> + 'a>>,
    rt: Option<&'a R>,
    case: Case,
    flavor: Flavor,
    batch: usize,
) {
    if let Some(rt) = rt {
        names.push(R::NAME);
        runs.push(Box::new(move || {
            let started = std::time::Instant::now();
            let mut sums = case.run(rt, flavor);
            let mut count = 1;
            // A runtime much slower than Kairos on this workload stops early: the mean
            // of fewer runs is still its figure, and the run stays bounded.
            while count < batch && started.elapsed() < BATCH_LIMIT {
                for (sum, figure) in sums.iter_mut().zip(case.run(rt, flavor)) {
                    *sum += figure;
                }
                count += 1;
            }
            sums.iter().map(|sum| sum / count as f64).collect()
        }));
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

fn write_report(rows: &[Row], counts: &[Row], options: &Options, wall: std::time::Duration) {
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
    let path = options.out_dir.join("BENCHMARKS.md");
    let previous = std::fs::read_to_string(&path).ok();
    let generated = report::markdown(rows, counts, &PEERS, &context, chart);
    std::fs::write(&path, report::splice(previous.as_deref(), &generated))
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
        callgrind: true,
        callgrind_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                options.quick = true;
                options.repeats = 5;
                options.callgrind = false;
            }
            "--callgrind" => options.callgrind = true,
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
            "--no-callgrind" => options.callgrind = false,
            "--callgrind-only" => options.callgrind_only = true,
            "--out" => options.out_dir = PathBuf::from(args.next().expect("--out takes a folder")),
            "--log" => options.log = PathBuf::from(args.next().expect("--log takes a file")),
            other => {
                eprintln!(
                    "unknown option {other}; options: --quick, --repeats N, --filter TEXT, \
                     --flavor ct|mt, --callgrind, --no-callgrind, --callgrind-only, --no-write, --out DIR, \
                     --log FILE"
                );
                std::process::exit(2);
            }
        }
    }
    options.callgrind |= options.callgrind_only;
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
    fn measure<R: Runtime>(flavor: Flavor, tasks: usize) {
        let rt = R::build(flavor).expect("flavor available");
        let bytes = cases::idle_task_bytes(&rt, tasks);
        // Exit without tearing down a million tasks.
        println!("{bytes:.1}");
        std::process::exit(0);
    }
    with_runtime!(runtime, R => measure::<R>(flavor, tasks));
}

/// The child side of the instruction counts: `RUNTIME:FLAVOR:CASE NAME`.
fn callgrind_child(spec: &str) {
    let mut parts = spec.splitn(3, ':');
    let (runtime, flavor, case) = (
        parts.next().unwrap_or_default(),
        parts.next().and_then(Flavor::from_tag),
        parts.next().and_then(Case::named),
    );
    let (flavor, case) = (
        flavor.expect("callgrind child flavor"),
        case.expect("callgrind child case"),
    );
    with_runtime!(runtime, R => callgrind::measure_in_child::<R>(case, flavor));
    // Exit without tearing down (its instructions are not counted anyway).
    std::process::exit(0);
}
