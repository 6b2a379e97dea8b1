//! The load generator: the same code and settings against every echo server.
//!
//! One thread, pinned to the machine's last CPU, drives every connection through one
//! `mio::Poll` (edge-triggered epoll). Each connection keeps exactly one 64-byte message
//! in flight: it sends, waits for all 64 bytes to come back, records the round trip in a
//! histogram and sends again. A warm-up period runs first and is not recorded. Two
//! system calls per round trip (a read, a write) and a share of `epoll_wait`, as an echo
//! server makes: the load generator must not be slower than the servers it measures.

use hdrhistogram::Histogram;
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The size of every message.
pub const MESSAGE: usize = 64;

/// What one load run measured.
#[derive(Debug, Clone, Copy)]
pub struct LoadResult {
    /// Completed round trips per second over the measured period.
    pub requests_per_second: f64,
    /// Round-trip latency percentiles, in microseconds.
    pub p50_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
}

impl LoadResult {
    /// The one-line form the load process prints and the runner parses.
    pub fn to_line(&self) -> String {
        format!(
            "{} {} {} {}",
            self.requests_per_second, self.p50_us, self.p99_us, self.p999_us
        )
    }

    /// Parses [`LoadResult::to_line`].
    pub fn from_line(line: &str) -> Option<LoadResult> {
        let mut figures = line.split_whitespace().map(|f| f.parse::<f64>().ok());
        Some(LoadResult {
            requests_per_second: figures.next()??,
            p50_us: figures.next()??,
            p99_us: figures.next()??,
            p999_us: figures.next()??,
        })
    }
}

/// One connection's state.
struct Connection {
    stream: TcpStream,
    /// When the message in flight was sent.
    sent_at: Instant,
    /// Bytes of the reply received so far.
    received: usize,
    /// Bytes of the current message still to write (writes of 64 bytes practically never
    /// stop short, but a full socket buffer is handled).
    unsent: usize,
}

/// Pins the calling thread (and the threads it starts later) to the machine's last CPU,
/// where the load generator runs for every server. Best effort: a refusal leaves it
/// unpinned.
pub fn pin_to_last_cpu() {
    let cpus = cpu_count();
    pin_to(cpus - 1..cpus);
}

/// Pins the calling thread (and the threads it starts later) to every CPU but the last
/// (to the only one, on a one-CPU machine): where a current-thread server runs, so that it
/// never shares a CPU with the load generator. Best effort, as above.
pub fn pin_off_last_cpu() {
    pin_to(0..(cpu_count() - 1).max(1));
}

fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn pin_to(cpus: std::ops::Range<usize>) {
    // SAFETY: `set` is a plain bit set owned by this frame, zeroed before use; the call
    // only reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for cpu in cpus {
            libc::CPU_SET(cpu, &mut set);
        }
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// Raises this process's open-file limit to its hard limit (or to `wanted` if that is
/// allowed and higher), for tens of thousands of sockets.
pub fn raise_fd_limit(wanted: u64) {
    // SAFETY: `limit` is a plain struct owned by this frame; getrlimit writes it,
    // setrlimit reads it.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return;
        }
        limit.rlim_cur = limit.rlim_max.max(wanted);
        limit.rlim_max = limit.rlim_cur;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Connections opened before they are checked: fewer than any server's accept backlog
/// (128 for std's listeners), so no SYN is dropped and retried a second later.
const CONNECT_BATCH: usize = 64;

/// Opens `count` connections to `addr` with `TCP_NODELAY`, each having made one round
/// trip (so the server has accepted it and its task or thread has run). Connects in
/// batches of `CONNECT_BATCH`, each batch's round trips done before the next connects.
pub fn connect_all(addr: SocketAddr, count: usize) -> io::Result<Vec<std::net::TcpStream>> {
    let message = [1u8; MESSAGE];
    let mut reply = [0u8; MESSAGE];
    let mut streams = Vec::with_capacity(count);
    while streams.len() < count {
        let batch = CONNECT_BATCH.min(count - streams.len());
        let first = streams.len();
        for _ in 0..batch {
            let stream = std::net::TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            streams.push(stream);
        }
        for mut stream in &streams[first..] {
            stream.write_all(&message)?;
        }
        for mut stream in &streams[first..] {
            stream.read_exact(&mut reply)?;
        }
    }
    Ok(streams)
}

/// Runs `connections` closed-loop connections against `addr`: `warmup`, then `measure`.
pub fn run(
    addr: SocketAddr,
    connections: usize,
    warmup: Duration,
    measure: Duration,
) -> io::Result<LoadResult> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(1024);
    let message = [0x5au8; MESSAGE];
    let mut buffer = [0u8; 4096];
    let mut conns = Vec::with_capacity(connections);
    for (i, stream) in connect_all(addr, connections)?.into_iter().enumerate() {
        stream.set_nonblocking(true)?;
        let mut stream = TcpStream::from_std(stream);
        poll.registry().register(
            &mut stream,
            Token(i),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        conns.push(Connection {
            stream,
            sent_at: Instant::now(),
            received: 0,
            unsent: MESSAGE,
        });
    }
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).expect("histogram bounds");
    for conn in &mut conns {
        flush(conn, &message)?;
    }
    let started = Instant::now();
    let measure_from = started + warmup;
    let until = measure_from + measure;
    let mut completed = 0u64;
    loop {
        let now = Instant::now();
        if now >= until {
            break;
        }
        poll.poll(&mut events, Some(until - now))?;
        for event in events.iter() {
            let conn = &mut conns[event.token().0];
            if event.is_writable() && conn.unsent > 0 {
                flush(conn, &message)?;
            }
            if !event.is_readable() {
                continue;
            }
            loop {
                match conn.stream.read(&mut buffer) {
                    Ok(0) => return Err(io::Error::other("the server closed a connection")),
                    Ok(n) => {
                        conn.received += n;
                        while conn.received >= MESSAGE {
                            conn.received -= MESSAGE;
                            let now = Instant::now();
                            if now >= measure_from {
                                let nanos = (now - conn.sent_at).as_nanos() as u64;
                                histogram.saturating_record(nanos.max(1));
                                completed += 1;
                            }
                            conn.sent_at = now;
                            conn.unsent = MESSAGE;
                            flush(conn, &message)?;
                        }
                        // A read that did not fill the buffer emptied the socket: stop
                        // without the read that would only say so (`WouldBlock`). Bytes
                        // arriving later raise a new edge, as epoll reports every arrival.
                        if n < buffer.len() {
                            break;
                        }
                    }
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(err) => return Err(err),
                }
            }
        }
    }
    let micros = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1e3;
    Ok(LoadResult {
        requests_per_second: completed as f64 / measure.as_secs_f64(),
        p50_us: micros(0.5),
        p99_us: micros(0.99),
        p999_us: micros(0.999),
    })
}

/// Writes what is left of the current message.
fn flush(conn: &mut Connection, message: &[u8; MESSAGE]) -> io::Result<()> {
    while conn.unsent > 0 {
        match conn.stream.write(&message[MESSAGE - conn.unsent..]) {
            Ok(n) => conn.unsent -= n,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}
