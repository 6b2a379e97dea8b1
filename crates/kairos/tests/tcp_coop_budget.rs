//! Socket operations and timers consume the cooperative budget: a task whose resources
//! are always ready still lets the other tasks on its worker run.

mod io_support;

use io_support::{on_both, tcp_pair};
use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::time::{sleep, Duration};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Spawns a task that sets the returned flag when it runs.
fn bystander() -> Arc<AtomicBool> {
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    kairos::spawn(async move { flag.store(true, Ordering::SeqCst) });
    ran
}

#[test]
fn reading_an_always_ready_socket_yields_to_other_tasks() {
    on_both(|| async {
        let (mut client, mut server) = tcp_pair().await;
        client.write_all(&[7; 4096]).await.unwrap();
        // Wait until every byte is readable, so no read below has to wait.
        let mut first = [0; 1];
        server.read_exact(&mut first).await.unwrap();
        while server.peek(&mut [0; 4096]).await.unwrap() < 4095 {
            kairos::task::yield_now().await;
        }
        let ran = bystander();
        // 4,000 one-byte reads that are all ready at once: far more than one budget.
        let mut byte = [0; 1];
        for _ in 0..4000 {
            server.read_exact(&mut byte).await.unwrap();
        }
        assert!(ran.load(Ordering::SeqCst), "the reads never yielded");
    });
}

#[test]
fn elapsed_sleeps_yield_to_other_tasks() {
    on_both(|| async {
        let ran = bystander();
        for _ in 0..1000 {
            sleep(Duration::ZERO).await;
        }
        assert!(ran.load(Ordering::SeqCst), "the sleeps never yielded");
    });
}
