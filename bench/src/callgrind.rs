//! Instruction counts under callgrind: a noise-free second view of each row.
//!
//! The runner starts this same binary under `valgrind --tool=callgrind` once per row,
//! runtime and flavor (the child mode, [`CALLGRIND_CHILD_ENV`]). The child builds the
//! runtime, runs the workload once to warm up, zeroes callgrind's counters, runs it once
//! more and asks callgrind to dump its counters: the dump holds exactly the instructions
//! of the measured run, on every thread (runtime workers, blocking pool, spawner threads).
//!
//! The two requests are valgrind "client requests": a marker instruction sequence that is
//! a no-op on a real CPU and that valgrind's JIT recognizes (the protocol of `valgrind.h`).
//!
//! Valgrind runs one thread at a time, so multi-thread counts include whatever a runtime's
//! idle workers do while they wait (searching, spinning, parking) under that serialization;
//! they are steadier than times but less telling than the current-thread counts.

use crate::cases::Case;
use crate::{Flavor, Runtime};
use std::path::Path;
use std::process::Command;

/// The environment variable that makes the benchmark binary run one workload for
/// callgrind (`RUNTIME:FLAVOR:CASE NAME`) instead of the suite.
pub const CALLGRIND_CHILD_ENV: &str = "KAIROS_BENCH_CALLGRIND_CHILD";

/// `VG_USERREQ_TOOL_BASE('C', 'T')`: callgrind's first request, `DUMP_STATS`.
const DUMP_STATS: u64 = (b'C' as u64) << 24 | (b'T' as u64) << 16;
/// Callgrind's `ZERO_STATS` request.
const ZERO_STATS: u64 = DUMP_STATS + 1;
/// Valgrind's core `RUNNING_ON_VALGRIND` request.
const RUNNING_ON_VALGRIND: u64 = 0x1001;

/// Sends a client request; returns `default` when not running under valgrind.
#[cfg(target_arch = "x86_64")]
fn client_request(request: u64, default: u64) -> u64 {
    let args: [u64; 6] = [request, 0, 0, 0, 0, 0];
    let mut result = default;
    // SAFETY: the four rotations of `rdi` add up to 128 bits, leaving it unchanged (it is
    // still declared clobbered), and `xchg rbx, rbx` swaps a register with itself: on a
    // CPU the sequence changes nothing. Under valgrind it reads the six words `args`
    // points to (alive for the whole block) and writes its answer to `rdx`.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") result,
            in("rax") args.as_ptr(),
            inout("rdi") 0u64 => _,
            options(nostack),
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
fn client_request(_request: u64, default: u64) -> u64 {
    default
}

/// Whether this process runs under valgrind.
pub fn running_on_valgrind() -> bool {
    client_request(RUNNING_ON_VALGRIND, 0) != 0
}

/// Whether `valgrind` can be started.
pub fn valgrind_available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// In the child: warms up, then counts the instructions of one run of `case`.
pub fn measure_in_child<R: Runtime>(case: Case, flavor: Flavor) {
    assert!(
        running_on_valgrind(),
        "the callgrind child runs under valgrind"
    );
    let rt = R::build(flavor).expect("flavor available");
    case.run(&rt, flavor);
    client_request(ZERO_STATS, 0);
    case.run(&rt, flavor);
    client_request(DUMP_STATS, 0);
}

/// Runs `case` on `R` under callgrind in a child process; returns the instructions of
/// the measured run, or `None` (with the reason on stderr) if the child failed.
pub fn instructions<R: Runtime>(case: Case, flavor: Flavor, scratch: &Path) -> Option<u64> {
    let exe = std::env::current_exe().expect("the benchmark binary's path");
    let out = scratch.join(format!("callgrind.{}.{}.out", R::NAME, flavor.tag()));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .args(["--dump-line=no", "--dump-instr=no", "--compress-pos=no"])
        // Blocking pools grow to 512 threads; valgrind allows 500 by default.
        .arg("--max-threads=2048")
        .arg(&exe)
        .env(
            CALLGRIND_CHILD_ENV,
            format!("{}:{}:{}", R::NAME, flavor.tag(), case.name()),
        )
        .output()
        .expect("start valgrind");
    if !output.status.success() {
        eprintln!(
            "callgrind child for {} {} failed: {}",
            R::NAME,
            case.name(),
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    // The requested dump is numbered 1; the dump at exit (the final one) is not used.
    let dump = scratch.join(format!("callgrind.{}.{}.out.1", R::NAME, flavor.tag()));
    let text = std::fs::read_to_string(&dump).ok()?;
    let _ = std::fs::remove_file(&dump);
    let _ = std::fs::remove_file(&out);
    total_instructions(&text)
}

/// The `summary:` (or `totals:`) figure of a callgrind dump: its instruction count.
fn total_instructions(dump: &str) -> Option<u64> {
    dump.lines()
        .find_map(|line| {
            line.strip_prefix("summary:")
                .or_else(|| line.strip_prefix("totals:"))
        })
        .and_then(|figures| figures.split_whitespace().next()?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_summary_line() {
        let dump = "version: 1\nevents: Ir\nfl=(1) x\nfn=(1) y\n0 12\nsummary: 123456\n";
        assert_eq!(total_instructions(dump), Some(123456));
    }

    #[test]
    fn client_requests_are_no_ops_outside_valgrind() {
        if !running_on_valgrind() {
            assert_eq!(client_request(ZERO_STATS, 7), 7);
        }
    }
}
