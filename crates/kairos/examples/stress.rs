//! A short stress program for leak checking: spawns, aborts, panics, timers, channels,
//! blocking calls and TCP connections on both schedulers, then drops the runtimes. Under
//! valgrind (`scripts/valgrind-leak-check.sh`) it must lose no memory.
//!
//! Run it directly with `cargo run -p kairos --example stress -- [rounds]`.

use kairos::net::{TcpListener, TcpStream};
use kairos::runtime::{Builder, Runtime};
use kairos::sync::{mpsc, oneshot};
use kairos::task::JoinSet;
use std::time::Duration;

async fn round(round: usize) {
    // Tasks: completed, aborted before and after their first poll, panicking, detached.
    let mut set = JoinSet::new();
    for i in 0..200 {
        set.spawn(async move { i });
    }
    let pending = kairos::spawn(std::future::pending::<()>());
    let sleeping = kairos::spawn(kairos::time::sleep(Duration::from_secs(3600)));
    kairos::task::yield_now().await;
    pending.abort();
    sleeping.abort();
    let never_polled = kairos::spawn(async { vec![1u8; 1024] });
    never_polled.abort();
    let _ = pending.await;
    let _ = never_polled.await;
    let _ = kairos::spawn(async { panic!("a task panics on purpose") }).await;
    drop(kairos::spawn(async {
        kairos::time::sleep(Duration::from_millis(1)).await
    }));
    while set.join_next().await.is_some() {}

    // Channels: messages left in flight when both ends go.
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(8);
    for _ in 0..4 {
        tx.send(vec![0; 64]).await.unwrap();
    }
    let _ = rx.recv().await;
    drop((tx, rx));
    let (tx, rx) = oneshot::channel::<String>();
    tx.send(format!("round {round}")).unwrap();
    drop(rx);

    // Blocking pool, timeouts.
    let _ = kairos::task::spawn_blocking(|| vec![0u8; 4096]).await;
    let _ = kairos::time::timeout(Duration::from_millis(1), std::future::pending::<()>()).await;

    // TCP: connect, exchange, drop; one connection left open when the runtime goes.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = kairos::spawn(async move {
        use kairos::io::{AsyncReadExt, AsyncWriteExt};
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 5];
        stream.read_exact(&mut buf).await.unwrap();
        stream.write_all(&buf).await.unwrap();
        let _kept_open = listener.accept().await;
        std::future::pending::<()>().await;
    });
    {
        use kairos::io::{AsyncReadExt, AsyncWriteExt};
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"hello").await.unwrap();
        let mut buf = [0u8; 5];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello");
    }
    let _open = TcpStream::connect(addr).await.unwrap();
    drop(server);
}

fn runtimes() -> [Runtime; 2] {
    [
        Builder::new_current_thread().enable_all().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    ]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    std::panic::set_hook(Box::new(|_| {}));
    for rt in runtimes() {
        for i in 0..rounds {
            rt.block_on(round(i));
        }
        // Tasks still parked (the kept-open connection's server) are dropped here.
        drop(rt);
    }
    let _ = std::panic::take_hook();
    println!("stress: {rounds} rounds on each scheduler done");
}
