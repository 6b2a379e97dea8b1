//! Where the multi-thread runtime's driver should run: parked on by an idle worker
//! (the default) or on a thread of its own (`Builder::dedicated_driver_thread`), under a
//! TCP echo load on loopback. The figures and the decision are in docs/DESIGN.md,
//! "Driver".
//!
//! ```text
//! cargo bench -p kairos --bench driver_echo                 # defaults below
//! cargo bench -p kairos --bench driver_echo -- 7 2          # 7 repeats of 2 s
//! ```
//!
//! The server is a two-worker multi-thread runtime echoing 64-byte messages; the load is
//! a separate current-thread runtime on its own thread, the same for both variants, with
//! N connections each doing request/response round trips as fast as they can. The
//! variants alternate within each repeat, and the median of the repeats is reported, so
//! both see the same machine state.

use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{TcpListener, TcpStream};
use kairos::runtime::Builder;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const MESSAGE: usize = 64;
const SERVER_WORKERS: usize = 2;
const LOADS: [usize; 3] = [1, 16, 128];

#[derive(Clone, Copy, Debug)]
enum Variant {
    WorkerParksInDriver,
    DedicatedDriverThread,
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let repeats: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let seconds: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1.0);
    let duration = Duration::from_secs_f64(seconds);
    println!("TCP echo, {MESSAGE}-byte round trips, server: {SERVER_WORKERS} workers; {repeats} repeats of {seconds} s, median");
    println!(
        "{:>11} | {:>40} | {:>40}",
        "connections", "worker parks in driver", "dedicated driver thread"
    );
    println!(
        "{:>11} | {:>40} | {:>40}",
        "", "round trips/s, mean RTT, CPU per trip", "round trips/s, mean RTT, CPU per trip"
    );
    for connections in LOADS {
        let mut results: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
        for _ in 0..repeats {
            for (i, variant) in [Variant::WorkerParksInDriver, Variant::DedicatedDriverThread]
                .into_iter()
                .enumerate()
            {
                results[i].push(run(variant, connections, duration));
            }
        }
        let [parked, dedicated] = results.map(|runs| {
            let rate = median(runs.iter().map(|r: &Run| r.rate).collect());
            let cpu = median(runs.iter().map(|r| r.cpu_us_per_trip).collect());
            (rate, cpu)
        });
        println!(
            "{connections:>11} | {:>17.0} {:>10.1} µs {:>8.2} µs | {:>17.0} {:>10.1} µs {:>8.2} µs",
            parked.0,
            latency_us(parked.0, connections),
            parked.1,
            dedicated.0,
            latency_us(dedicated.0, connections),
            dedicated.1,
        );
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Mean round-trip time implied by a throughput over `connections` connections.
fn latency_us(round_trips_per_second: f64, connections: usize) -> f64 {
    connections as f64 / round_trips_per_second * 1e6
}

/// One measurement.
struct Run {
    /// Round trips per second.
    rate: f64,
    /// Process CPU time (user + system, server and load) per round trip.
    cpu_us_per_trip: f64,
}

/// User plus system CPU time of the whole process so far.
fn cpu_time() -> Duration {
    // SAFETY: an all-zero `rusage` is a valid value; `getrusage` fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid out-pointer.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) }, 0);
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Round trips per second for one variant and load.
fn run(variant: Variant, connections: usize, duration: Duration) -> Run {
    let server = Builder::new_multi_thread()
        .worker_threads(SERVER_WORKERS)
        .dedicated_driver_thread(matches!(variant, Variant::DedicatedDriverThread))
        .enable_all()
        .build()
        .unwrap();
    let listener = server.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    server.spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            socket.set_nodelay(true).unwrap();
            kairos::spawn(async move {
                let mut buf = [0; MESSAGE];
                while socket.read_exact(&mut buf).await.is_ok() {
                    if socket.write_all(&buf).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    let cpu_before = cpu_time();
    let round_trips = std::thread::spawn(move || load(addr, connections, duration))
        .join()
        .unwrap();
    let cpu = cpu_time() - cpu_before;
    drop(server);
    Run {
        rate: round_trips as f64 / duration.as_secs_f64(),
        cpu_us_per_trip: cpu.as_secs_f64() * 1e6 / round_trips as f64,
    }
}

/// The load generator: `connections` ping-pong loops until `duration` has passed.
fn load(addr: SocketAddr, connections: usize, duration: Duration) -> u64 {
    let client = Builder::new_current_thread().enable_all().build().unwrap();
    client.block_on(async move {
        let mut streams = Vec::new();
        for _ in 0..connections {
            let stream = TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            streams.push(stream);
        }
        let deadline = Instant::now() + duration;
        let tasks: Vec<_> = streams
            .into_iter()
            .map(|mut stream| {
                kairos::spawn(async move {
                    let mut buf = [7u8; MESSAGE];
                    let mut count = 0u64;
                    while Instant::now() < deadline {
                        stream.write_all(&buf).await.unwrap();
                        stream.read_exact(&mut buf).await.unwrap();
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        total
    })
}
