//! Helpers shared by the reactor's integration tests (`tcp_*`, `udp_*`, `unix_*`,
//! `time_*`, `signal_*`, `fs_*`): run a test body on both schedulers, count open file
//! descriptors.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use kairos::net::{TcpListener, TcpStream};
use kairos::runtime::{Builder, Runtime};
use std::future::Future;

/// A current-thread runtime with every driver.
pub fn current_thread() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

/// A multi-thread runtime with two workers and every driver.
pub fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `test` on a current-thread runtime, then as a spawned task of a two-worker
/// multi-thread runtime (so it runs on a worker, next to the driver). The flavor is
/// printed first, so a failure's output says which one failed.
pub fn on_both<F, Fut>(test: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    eprintln!("-- on current_thread");
    current_thread().block_on(test());
    eprintln!("-- on multi_thread(2)");
    let rt = multi_thread();
    let task = rt.spawn(test());
    if let Err(err) = rt.block_on(task) {
        std::panic::resume_unwind(err.into_panic());
    }
}

/// The number of file descriptors this process has open (Linux: `/proc/self/fd`,
/// not counting the one used to read it).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd is readable")
        .count()
        - 1
}

/// A connected TCP pair on loopback: (client, server).
pub async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, peer) = listener.accept().await.unwrap();
    assert_eq!(peer, client.local_addr().unwrap());
    (client, server)
}
