//! A load generator for the echo server: CONNECTIONS connections each send a message and
//! wait for it to come back, again and again for SECONDS, checking every byte. Prints
//! round trips and errors once a second and in total; exits 1 if there was any error.
//!
//! ```text
//! cargo run --release -p kairos --example echo -- 127.0.0.1:7700 &
//! cargo run --release -p kairos --example echo_load -- 127.0.0.1:7700 64 60
//! ```
//!
//! `scripts/soak.sh` drives it for minutes at a time.

use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::TcpStream;
use kairos::time::{Duration, Instant};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

const USAGE: &str =
    "usage: echo_load ADDRESS [CONNECTIONS (64)] [SECONDS (10)] [MESSAGE_BYTES (512)]";

#[derive(Default)]
struct Counts {
    round_trips: AtomicU64,
    errors: AtomicU64,
}

#[kairos::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: u64| {
        args.get(i).map_or(default, |v| {
            v.parse().unwrap_or_else(|_| {
                eprintln!("not a number: {v}\n{USAGE}");
                std::process::exit(2)
            })
        })
    };
    let Some(addr) = args.first().cloned() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let connections = number(1, 64);
    let seconds = number(2, 10);
    let size = number(3, 512) as usize;
    let counts = Arc::new(Counts::default());
    let until = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|i| kairos::spawn(client(addr.clone(), i, size, until, counts.clone())))
        .collect();
    let mut last = 0;
    while Instant::now() < until {
        kairos::time::sleep(Duration::from_secs(1)).await;
        let now = counts.round_trips.load(Ordering::Relaxed);
        println!(
            "{} round trips/s, {} errors",
            now - last,
            counts.errors.load(Ordering::Relaxed)
        );
        last = now;
    }
    for task in tasks {
        let _ = task.await;
    }
    let errors = counts.errors.load(Ordering::Relaxed);
    println!(
        "total: {} round trips, {errors} errors",
        counts.round_trips.load(Ordering::Relaxed)
    );
    if errors > 0 {
        std::process::exit(1);
    }
}

/// One connection's loop; any failure counts an error and reconnects.
async fn client(addr: String, id: u64, size: usize, until: Instant, counts: Arc<Counts>) {
    let message: Vec<u8> = (0..size).map(|i| (i as u64 + id) as u8).collect();
    let mut back = vec![0u8; size];
    while Instant::now() < until {
        let mut stream = match TcpStream::connect(&addr).await {
            Ok(stream) => stream,
            Err(_) => {
                counts.errors.fetch_add(1, Ordering::Relaxed);
                kairos::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        while Instant::now() < until {
            let ok = stream.write_all(&message).await.is_ok()
                && stream.read_exact(&mut back).await.is_ok()
                && back == message;
            if !ok {
                counts.errors.fetch_add(1, Ordering::Relaxed);
                break;
            }
            counts.round_trips.fetch_add(1, Ordering::Relaxed);
        }
    }
}
