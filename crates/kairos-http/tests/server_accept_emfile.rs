//! Out of file descriptors: the accept loop backs off instead of spinning, and serves the
//! waiting connections once descriptors are back.
//!
//! This file holds one test: it lowers the process's descriptor limit, which would
//! disturb tests running beside it.

mod support;

use kairos_http::server::Server;
use std::time::Duration;
use support::RawClient;

fn set_soft_limit(limit: u64) -> u64 {
    let mut rlimit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `rlimit` is a valid out-pointer.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rlimit) };
    assert_eq!(got, 0);
    let previous = rlimit.rlim_cur;
    rlimit.rlim_cur = limit;
    // SAFETY: `rlimit` is a valid, initialized in-pointer.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) };
    assert_eq!(set, 0);
    previous
}

/// The highest descriptor in use, plus one.
fn fds_in_use() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

#[kairos::test]
async fn accept_backs_off_on_emfile_and_recovers() {
    let (addr, _handle, _task) = support::start(Server::builder()).await;
    // Connect first (client sockets need descriptors too), then leave the server none.
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(RawClient::connect(addr).await);
    }
    let previous = set_soft_limit(fds_in_use() + 1);
    for client in &mut clients {
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    }
    // The server's accepts fail with EMFILE; it sleeps between attempts.
    kairos::time::sleep(Duration::from_millis(50)).await;
    set_soft_limit(previous);
    for client in &mut clients {
        let res = kairos::time::timeout(Duration::from_secs(10), client.response())
            .await
            .expect("served after descriptors came back")
            .unwrap();
        assert_eq!(res.status, 200);
    }
}
