//! A server in a child process: the test binary runs itself again, selecting one test
//! (`--exact`) with `KAIROS_TEST_ROLE` set, so the server's memory, descriptors, CPU
//! time and descriptor limit are its own and can be read from `/proc/<pid>`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

/// The variable that tells a test it runs as a child in `role`.
pub const ROLE: &str = "KAIROS_TEST_ROLE";

/// Whether this process runs as the child in `role`.
pub fn is(role: &str) -> bool {
    std::env::var(ROLE).is_ok_and(|r| r == role)
}

/// The child's side: tells the parent where it listens.
pub fn announce(addr: SocketAddr) {
    println!("listening on {addr}");
}

/// A child process, killed when dropped.
pub struct ChildServer {
    pub child: Child,
    pub addr: SocketAddr,
}

impl ChildServer {
    /// Runs `test` of this binary as the child in `role` (with `env` set too) and waits
    /// for it to announce its address.
    pub fn spawn(test: &str, role: &str, env: &[(&str, String)]) -> ChildServer {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env(ROLE, role)
            .stdout(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the child exited before listening")
                .unwrap();
            // The harness may print the test's name on the same line first.
            if let Some(at) = line.find("listening on ") {
                break line[at + "listening on ".len()..].trim().parse().unwrap();
            }
        };
        // Keep draining its output so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        ChildServer { child, addr }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory, in bytes (`VmRSS`).
    pub fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kib * 1024
    }

    /// Open descriptors.
    pub fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// CPU time used so far (user + system).
    pub fn cpu_time(&self) -> std::time::Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap();
        // Fields after the command name (which is in parentheses and may hold spaces):
        // utime and stime are the 14th and 15th fields of the whole line.
        let after = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // SAFETY: sysconf only reads a configuration value.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
        std::time::Duration::from_millis(ticks * 1000 / hz)
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
