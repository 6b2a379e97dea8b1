//! Out of file descriptors: `accept` returns `EMFILE` to the caller (servers back off on
//! it), and accepts again once descriptors are available.
//!
//! This file holds one test: it lowers the process's descriptor limit, which would
//! disturb tests running beside it.

mod io_support;

use io_support::on_both;
use kairos::net::{TcpListener, TcpStream};

/// The lowest descriptor number not in use.
fn lowest_free_fd() -> libc::c_int {
    let used: std::collections::HashSet<libc::c_int> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .map(|entry| {
            entry
                .unwrap()
                .file_name()
                .to_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    // The directory's own descriptor is closed again by now.
    (0..)
        .find(|fd| !used.contains(fd) || is_closed(*fd))
        .unwrap()
}

fn is_closed(fd: libc::c_int) -> bool {
    // SAFETY: F_GETFD only queries the descriptor table.
    unsafe { libc::fcntl(fd, libc::F_GETFD) == -1 }
}

fn set_soft_limit(limit: libc::rlim_t) -> libc::rlim_t {
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

#[test]
fn accept_returns_emfile_and_recovers() {
    on_both(|| async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Connections the kernel completes into the backlog before the limit drops.
        let clients: Vec<_> = futures::future::join_all((0..3).map(|_| TcpStream::connect(addr)))
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();

        let previous = set_soft_limit(lowest_free_fd() as libc::rlim_t);
        let result = listener.accept().await;
        set_soft_limit(previous);
        let err = result.expect_err("accept with no descriptor left");
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");

        // The connection is still queued; with descriptors back, accept takes it.
        for _ in 0..clients.len() {
            let (stream, peer) = listener.accept().await.unwrap();
            assert!(clients.iter().any(|c| c.local_addr().unwrap() == peer));
            drop(stream);
        }
    });
}
