//! Deregistration is exact: opening and dropping 10,000 connections leaves the process
//! with the file descriptors it had before.

mod io_support;

use io_support::{on_both, open_fds};
use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::{TcpListener, TcpStream};
use std::time::Duration;

const CONNECTIONS: usize = 10_000;
/// Connections open at once.
const BATCH: usize = 250;

#[test]
fn ten_thousand_connections_leave_no_descriptor_behind() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Warm up once so lazily created descriptors (the blocking pool's, ...) exist
        // before the baseline is taken.
        let warm = TcpStream::connect(addr).await.unwrap();
        drop(listener.accept().await.unwrap());
        drop(warm);
        let baseline = open_fds();

        let mut total = 0;
        while total < CONNECTIONS {
            let clients: Vec<_> = (0..BATCH)
                .map(|_| {
                    kairos::spawn(async move {
                        let mut stream = TcpStream::connect(addr).await.unwrap();
                        stream.write_all(b"x").await.unwrap();
                        let mut buf = [0; 1];
                        stream.read_exact(&mut buf).await.unwrap();
                        // Reset on close: no TIME_WAIT, so 10,000 connections do not use
                        // up the ephemeral ports.
                        stream.set_linger(Some(Duration::ZERO)).unwrap();
                    })
                })
                .collect();
            let mut servers = Vec::with_capacity(BATCH);
            for _ in 0..BATCH {
                let (mut stream, _) = listener.accept().await.unwrap();
                servers.push(kairos::spawn(async move {
                    let mut buf = [0; 1];
                    stream.read_exact(&mut buf).await.unwrap();
                    stream.write_all(&buf).await.unwrap();
                    // Wait for the client's reset (or end of stream) before dropping.
                    let _ = stream.read(&mut buf).await;
                }));
            }
            for task in clients.into_iter().chain(servers) {
                task.await.unwrap();
            }
            total += BATCH;
        }
        assert_eq!(open_fds(), baseline, "descriptors leaked");
        eprintln!("{CONNECTIONS} connections; open descriptors back at {baseline}");
    });
}
