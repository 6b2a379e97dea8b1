//! Out of file descriptors: the accept loop backs off instead of spinning, and serves the
//! waiting connections once descriptors are back.
//!
//! This file holds one test: it lowers the process's descriptor limit, which would
//! disturb tests running beside it.

mod support;

use kairos_http::server::Server;
use std::time::Duration;
use support::RawClient;

/// The lowest descriptor number not in use: the next socket would get it.
fn lowest_free_fd() -> u64 {
    let used: std::collections::HashSet<u64> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    // The directory's own descriptor was listed but is closed again by now.
    (0..)
        .find(|fd| !used.contains(fd) || is_closed(*fd))
        .unwrap()
}

fn is_closed(fd: u64) -> bool {
    // SAFETY: F_GETFD only queries the descriptor table.
    unsafe { libc::fcntl(fd as libc::c_int, libc::F_GETFD) == -1 }
}

#[kairos::test(start_paused = true)]
async fn accept_backs_off_on_emfile_and_recovers() {
    let server = Server::bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    // The kernel completes these connections into the backlog; the server is not yet
    // accepting.
    let mut clients = Vec::new();
    for _ in 0..3 {
        let mut client = RawClient::connect(addr).await;
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
        clients.push(client);
    }
    let (previous, _) = support::set_fd_soft_limit(Some(lowest_free_fd()));
    let _task = kairos::spawn(server.serve(support::service()));
    // Every accept fails with EMFILE; the server backs off between attempts (on the
    // paused clock, which jumps ahead whenever every task waits).
    kairos::time::sleep(Duration::from_secs(3)).await;
    support::set_fd_soft_limit(Some(previous));
    for client in &mut clients {
        let res = kairos::time::timeout(Duration::from_secs(10), client.response())
            .await
            .expect("served after descriptors came back")
            .unwrap();
        assert_eq!(res.status, 200);
    }
}
