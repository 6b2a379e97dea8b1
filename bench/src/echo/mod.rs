//! TCP echo (row 11) and memory per idle connection (row 12): servers and load in
//! separate processes, all of them this same benchmark binary started in another mode:
//!
//! ```text
//! bench serve-echo RUNTIME FLAVOR           # prints its address, serves until stdin closes
//! bench load-echo ADDR CONNECTIONS WARMUP_MS MEASURE_MS
//! bench hold-echo ADDR CONNECTIONS          # opens them, one round trip each, prints "held"
//! ```
//!
//! `RUNTIME` is a runtime's name or `threads` (one OS thread per connection on blocking
//! std sockets). The load generator ([`load`]) is the same code with the same settings for
//! every server, pinned to the last CPU. On the current-thread flavor the servers (the
//! threads server too, in that table) are pinned to the other CPUs, so that where the
//! server's thread lands is not left to chance; on the multi-thread flavor they are not
//! pinned.

pub mod load;
mod servers;

pub use self::load::LoadResult;
pub use self::servers::serve;

use crate::Flavor;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

/// The name of the thread-per-connection baseline server.
pub const THREADS: &str = "threads";

/// Open files wanted by the servers and the connection holder.
pub const FD_LIMIT: u64 = 65_536;

/// An echo server running in a child process; killed when dropped.
pub struct ServerProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts the `runtime` server of `flavor` and waits until it listens.
    pub fn start(runtime: &str, flavor: Flavor) -> ServerProcess {
        let (child, mut stdout) = spawn_self(&["serve-echo", runtime, flavor.tag()]);
        let addr = read_line(&mut stdout)
            .parse()
            .expect("the server prints its address");
        ServerProcess { child, addr }
    }

    /// The server's resident memory, in bytes.
    pub fn resident_bytes(&self) -> u64 {
        crate::cases::resident_bytes_of(&format!("/proc/{}/statm", self.child.id()))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts this binary with `args`, stdin and stdout piped (closing stdin tells it to exit).
fn spawn_self(args: &[&str]) -> (Child, BufReader<ChildStdout>) {
    let exe = std::env::current_exe().expect("the benchmark binary's path");
    let mut child = Command::new(exe)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start a benchmark child process");
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    (child, stdout)
}

fn read_line(stdout: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read a child's output");
    line.trim().to_string()
}

/// One echo measurement: a fresh `runtime` server, `connections` connections, `warmup`
/// then `measure` of load.
pub fn echo(
    runtime: &str,
    flavor: Flavor,
    connections: usize,
    warmup: Duration,
    measure: Duration,
) -> LoadResult {
    let server = ServerProcess::start(runtime, flavor);
    let (mut load, mut stdout) = spawn_self(&[
        "load-echo",
        &server.addr.to_string(),
        &connections.to_string(),
        &warmup.as_millis().to_string(),
        &measure.as_millis().to_string(),
    ]);
    let line = read_line(&mut stdout);
    let status = load.wait().expect("wait for the load generator");
    assert!(status.success(), "the load generator failed on {runtime}");
    drop(server);
    LoadResult::from_line(&line).expect("the load generator prints its result")
}

/// Resident memory per idle connection of the `runtime` server: its growth from just
/// after it started listening to when `connections` connections are open and have each
/// made one round trip ([`load::connect_all`]).
pub fn idle_connection_bytes(runtime: &str, flavor: Flavor, connections: usize) -> f64 {
    let server = ServerProcess::start(runtime, flavor);
    let before = server.resident_bytes();
    let (mut holder, mut stdout) = spawn_self(&[
        "hold-echo",
        &server.addr.to_string(),
        &connections.to_string(),
    ]);
    assert_eq!(
        read_line(&mut stdout),
        "held",
        "the holder opens every connection"
    );
    let after = server.resident_bytes();
    drop(holder.stdin.take());
    let _ = holder.wait();
    drop(server);
    after.saturating_sub(before) as f64 / connections as f64
}

/// Handles `serve-echo`, `load-echo` and `hold-echo`; `false` if `args` is none of them.
pub fn child_main(args: &[String]) -> bool {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    match arg(0) {
        "serve-echo" => {
            load::raise_fd_limit(FD_LIMIT);
            exit_when_stdin_closes();
            let flavor = Flavor::from_tag(arg(2)).expect("serve-echo RUNTIME ct|mt");
            if flavor == Flavor::CurrentThread {
                load::pin_off_last_cpu();
            }
            serve(arg(1), flavor, |addr| {
                let mut stdout = std::io::stdout();
                let _ = writeln!(stdout, "{addr}");
                let _ = stdout.flush();
            });
            true
        }
        "load-echo" => {
            load::pin_to_last_cpu();
            let number = |i: usize| arg(i).parse::<u64>().expect("load-echo takes numbers");
            let result = load::run(
                arg(1).parse().expect("load-echo ADDR"),
                number(2) as usize,
                Duration::from_millis(number(3)),
                Duration::from_millis(number(4)),
            )
            .expect("the echo load run");
            println!("{}", result.to_line());
            true
        }
        "hold-echo" => {
            load::raise_fd_limit(FD_LIMIT);
            let addr = arg(1).parse().expect("hold-echo ADDR");
            let count = arg(2).parse().expect("hold-echo CONNECTIONS");
            let streams = load::connect_all(addr, count).expect("open the connections");
            println!("held");
            let _ = std::io::stdout().flush();
            let _ = std::io::stdin().read_line(&mut String::new());
            drop(streams);
            true
        }
        _ => false,
    }
}

/// A server child exits when its parent closes its stdin (or dies).
fn exit_when_stdin_closes() {
    std::thread::spawn(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
        std::process::exit(0);
    });
}
