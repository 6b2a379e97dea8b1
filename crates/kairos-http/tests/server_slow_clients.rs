//! Slowloris: a thousand clients that send half a request head and stall are each answered
//! 408 and closed within the header-read timeout plus 10%, while a normal client on the
//! same server keeps a p99 latency under 100 ms.
//!
//! Real time and real sockets (this is about the server's behaviour under that load, not
//! its timer arithmetic, which `server_timeouts.rs` checks on the paused clock). The
//! server runs on a multi-thread runtime of its own, the stalled clients on this thread,
//! the normal client on a thread of its own.

mod support;

use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::TcpStream;
use kairos_http::server::Server;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::RawClient;

const STALLED: usize = 1000;
const HEADER_TIMEOUT: Duration = Duration::from_secs(1);

/// Sends half a head and reads until the server closes: what it answered and how long
/// after the half head was sent it closed.
async fn stall(mut stream: TcpStream) -> (Vec<u8>, Duration) {
    // Read before the write: the server's clock cannot start before the bytes leave, so
    // a client delayed after writing (a busy machine) never measures the close as early.
    let sent = Instant::now();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Half: ")
        .await
        .unwrap();
    let mut answer = Vec::new();
    // Ends at the server's close (0) or a reset after it.
    let _ = stream.read_to_end(&mut answer).await;
    (answer, sent.elapsed())
}

#[test]
fn stalled_heads_are_closed_on_time_and_a_normal_client_is_served() {
    assert!(support::raise_fd_limit() >= 2 * STALLED as u64 + 256);
    let server = support::start_in_background(
        Server::builder()
            .header_read_timeout(HEADER_TIMEOUT)
            .max_connections(2 * STALLED),
    );
    let addr = server.addr;

    let stop = Arc::new(AtomicBool::new(false));
    let normal = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            support::client_runtime().block_on(async {
                let mut client = RawClient::connect(addr).await;
                support::measure_latency(&mut client, Duration::from_millis(2), &stop).await
            })
        })
    };

    let stalled = support::client_runtime().block_on(async {
        let mut tasks = Vec::with_capacity(STALLED);
        // One connection after another, as slowloris clients arrive; each is measured
        // from its own half head.
        for _ in 0..STALLED {
            let stream = TcpStream::connect(addr).await.unwrap();
            tasks.push(kairos::spawn(stall(stream)));
        }
        let mut results = Vec::with_capacity(STALLED);
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    });
    stop.store(true, Ordering::Release);
    let mut latencies = normal.join().unwrap();

    let limit = HEADER_TIMEOUT + HEADER_TIMEOUT / 10;
    let mut closes = Vec::with_capacity(STALLED);
    for (answer, closed_after) in &stalled {
        assert!(
            answer.starts_with(b"HTTP/1.1 408 "),
            "{:?}",
            String::from_utf8_lossy(answer)
        );
        // Never before the timeout (allowing for the timer's millisecond resolution).
        assert!(
            *closed_after + Duration::from_millis(2) >= HEADER_TIMEOUT,
            "closed early: {closed_after:?}"
        );
        closes.push(*closed_after);
    }
    let slowest = *closes.iter().max().unwrap();
    assert!(
        slowest <= limit,
        "slowest close {slowest:?}, limit {limit:?}"
    );
    assert!(latencies.len() >= 50, "{} requests", latencies.len());
    let p99 = support::quantile(&mut latencies, 0.99);
    assert!(
        p99 < Duration::from_millis(100),
        "normal client p99 {p99:?}"
    );
    println!(
        "{STALLED} stalled: closed after {:?} (median) to {slowest:?} (max); normal client: {} requests, p50 {:?}, p99 {p99:?}",
        support::quantile(&mut closes, 0.5),
        latencies.len(),
        support::quantile(&mut latencies, 0.5),
    );
}
