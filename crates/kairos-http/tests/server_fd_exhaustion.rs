//! Out of descriptors under load: a server (a child process) limited to 256 descriptors,
//! with 300 clients connecting, keeps serving the connections it has, spends under 5% of
//! a core in its accept loop while the rest wait in the backlog, and accepts the waiting
//! ones within 1.5 s of other clients closing.

mod support;

use kairos_http::server::Server;
use std::time::{Duration, Instant};
use support::child::{self, ChildServer};
use support::RawClient;

const ROLE: &str = "emfile-server";
const FD_LIMIT: u64 = 256;
const CLIENTS: usize = 300;
/// How long served-but-idle connections stay open (the test needs them all along).
const KEEP_ALIVE: Duration = Duration::from_secs(120);

/// The child: the test service under a 256-descriptor limit, until killed.
#[test]
fn emfile_server_child() {
    if !child::is(ROLE) {
        return;
    }
    support::set_fd_soft_limit(Some(FD_LIMIT));
    let runtime = kairos::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (addr, _handle, task) =
            support::start(Server::builder().keep_alive_timeout(KEEP_ALIVE)).await;
        child::announce(addr);
        task.await.unwrap().unwrap();
    });
}

/// One client: connects, asks, and reports when (if ever) it was answered.
async fn ask(addr: std::net::SocketAddr) -> (RawClient, Instant) {
    let client = support::kept_alive(addr).await;
    (client, Instant::now())
}

#[test]
fn out_of_descriptors_the_server_serves_what_it_has_idles_and_recovers() {
    if child::is(ROLE) {
        return;
    }
    support::raise_fd_limit();
    let server = ChildServer::spawn("emfile_server_child", ROLE, &[]);
    let addr = server.addr;
    support::client_runtime().block_on(async {
        let baseline = server.fds();
        let mut waiting: Vec<_> = (0..CLIENTS).map(|_| kairos::spawn(ask(addr))).collect();
        // The server takes what its descriptors allow; the rest stay in the backlog. Wait
        // for that state (polled, with a deadline): the server at its descriptor limit and
        // every connection it accepted answered.
        let mut served = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut still = Vec::new();
            for task in waiting {
                if task.is_finished() {
                    served.push(task.await.unwrap().0);
                } else {
                    still.push(task);
                }
            }
            waiting = still;
            let fds = server.fds();
            if fds as u64 >= FD_LIMIT - 8 && baseline + served.len() >= fds {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{fds} descriptors, {} served: the limit was not reached",
                served.len()
            );
            kairos::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            !waiting.is_empty() && served.len() > 100,
            "served {}, waiting {}: the limit did not bite",
            served.len(),
            waiting.len()
        );
        assert!(
            server.fds() as u64 >= FD_LIMIT - 8,
            "{} descriptors",
            server.fds()
        );

        // Exhausted: the accept loop must back off, and the served connections go on.
        let window = Duration::from_secs(2);
        let cpu_before = server.cpu_time();
        let started = Instant::now();
        let mut requests = 0;
        while started.elapsed() < window {
            for client in served.iter_mut().take(20) {
                client.ask_hello().await;
                requests += 1;
            }
            kairos::time::sleep(Duration::from_millis(100)).await;
        }
        let cpu = server.cpu_time() - cpu_before;
        let share = cpu.as_secs_f64() / started.elapsed().as_secs_f64();

        // Others close: the waiting clients are accepted and answered.
        let closing = waiting.len() + 20;
        let closed_at = Instant::now();
        served.truncate(served.len() - closing);
        let mut recovered = Vec::new();
        for task in waiting {
            let (_, answered_at) = task.await.unwrap();
            recovered.push(answered_at - closed_at);
        }
        let slowest = recovered.iter().max().copied().unwrap_or_default();
        println!(
            "limit {FD_LIMIT}: {} served at once, {} waiting; while exhausted {requests} \
             requests on open connections, server CPU {cpu:?} in {window:?} ({:.1}% of a \
             core); waiting ones answered within {slowest:?} of {closing} closing",
            served.len() + closing,
            recovered.len(),
            share * 100.0,
        );
        assert!(
            share < 0.05,
            "{:.1}% of a core while out of descriptors",
            share * 100.0
        );
        assert!(
            slowest < Duration::from_millis(1500),
            "waiting clients answered {slowest:?} after others closed"
        );
    });
}
