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

/// A fresh, empty directory under the system's temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "kairos-{tag}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
