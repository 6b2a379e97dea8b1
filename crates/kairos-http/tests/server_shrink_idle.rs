//! Idle connections shrink (`Builder::shrink_idle_after`): a connection idle that long
//! drops its serving state and waits on its bare socket; it must still serve its next
//! request (also one that arrives in pieces), keep its keep-alive deadline, and close at
//! once on shutdown.

mod support;

use kairos::time::{sleep, Instant};
use kairos_http::server::Server;
use std::time::Duration;
use support::{kept_alive, start, RawClient};

#[kairos::test(start_paused = true)]
async fn a_shrunk_connection_serves_again_and_keeps_its_deadline() {
    let (addr, _handle, _task) = start(
        Server::builder()
            .shrink_idle_after(Some(Duration::from_secs(1)))
            .keep_alive_timeout(Duration::from_secs(10)),
    )
    .await;
    let mut client = kept_alive(addr).await;
    // Shrunk after 1 s; the next request brings the serving state back.
    sleep(Duration::from_secs(5)).await;
    client.ask_hello().await;
    // A request that arrives in pieces, the first one waking the shrunk connection.
    sleep(Duration::from_secs(3)).await;
    client.send(b"GET / HT").await;
    sleep(Duration::from_millis(50)).await;
    client.send(b"TP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(client.response().await.unwrap().status, 200);
    // Idle again: shrunk, then closed at the keep-alive timeout counted from the last
    // response, not from when it shrank.
    let idle = client.time_until_closed().await;
    assert!(
        idle >= Duration::from_secs(10) && idle < Duration::from_secs(11),
        "{idle:?}"
    );
}

// A shrunk connection keeps no timer: the server's sweeper closes it, at most a 64th of
// the keep-alive timeout after its deadline (100 ms here), and never before.
#[kairos::test(start_paused = true)]
async fn shrunk_connections_close_at_their_own_deadlines() {
    let keep_alive = Duration::from_millis(6400);
    let (addr, _handle, _task) = start(
        Server::builder()
            .shrink_idle_after(Some(Duration::from_secs(1)))
            .keep_alive_timeout(keep_alive),
    )
    .await;
    let mut closings = Vec::new();
    for i in 0..8u64 {
        let mut client = kept_alive(addr).await;
        closings.push(kairos::spawn(
            async move { client.time_until_closed().await },
        ));
        // Deadlines 130 ms apart: some fall within one sweep's reach, some do not.
        sleep(Duration::from_millis(130 + i)).await;
    }
    // One connection is woken by a request just before its deadline: it serves, and its
    // keep-alive starts again from that response.
    let mut late = kept_alive(addr).await;
    sleep(keep_alive - Duration::from_millis(5)).await;
    late.ask_hello().await;
    let idle = late.time_until_closed().await;
    assert!(
        idle >= keep_alive && idle <= keep_alive + Duration::from_millis(100),
        "{idle:?}"
    );
    for closing in closings {
        let idle = closing.await.unwrap();
        assert!(
            idle >= keep_alive && idle <= keep_alive + Duration::from_millis(100),
            "{idle:?}"
        );
    }
}

#[kairos::test(start_paused = true)]
async fn a_request_head_begun_before_shrinking_keeps_its_header_timeout() {
    let (addr, _handle, _task) = start(
        Server::builder()
            .shrink_idle_after(Some(Duration::from_secs(1)))
            .header_read_timeout(Duration::from_secs(5)),
    )
    .await;
    let mut client = kept_alive(addr).await;
    // Half a head: the connection is not idle, so it does not shrink, and the header
    // timeout runs.
    client.send(b"GET / HTTP/1.1\r\n").await;
    let from = Instant::now();
    let res = client.response().await.unwrap();
    assert_eq!(res.status, 408);
    let waited = from.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(6),
        "{waited:?}"
    );
}

#[kairos::test(start_paused = true)]
async fn shutdown_closes_shrunk_connections_at_once() {
    let (addr, handle, task) = start(
        Server::builder()
            .shrink_idle_after(Some(Duration::from_millis(100)))
            .keep_alive_timeout(Duration::from_secs(60)),
    )
    .await;
    let mut clients = Vec::new();
    for _ in 0..20 {
        clients.push(kept_alive(addr).await);
    }
    sleep(Duration::from_secs(1)).await;
    let from = Instant::now();
    handle.shutdown(Duration::from_secs(30));
    for client in &mut clients {
        assert!(client.is_closed().await);
    }
    task.await.unwrap().unwrap();
    // The grace period is not what closed them.
    assert!(
        from.elapsed() < Duration::from_secs(1),
        "{:?}",
        from.elapsed()
    );
}

// The paused clock makes the 3 ms waits exact: with the 1 ms setting every wait shrinks.
#[kairos::test(start_paused = true)]
async fn never_shrinking_and_shrinking_at_every_wait_both_serve() {
    for shrink in [None, Some(Duration::ZERO), Some(Duration::from_millis(1))] {
        let (addr, handle, _task) = start(Server::builder().shrink_idle_after(shrink)).await;
        let mut client = RawClient::connect(addr).await;
        for _ in 0..20 {
            client.ask_hello().await;
            sleep(Duration::from_millis(3)).await;
        }
        // Pipelined requests in one write, after a wait.
        client
            .send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await;
        for _ in 0..2 {
            assert_eq!(client.response().await.unwrap().text(), "hello");
        }
        handle.shutdown(Duration::from_secs(1));
    }
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_shrinking_and_resuming_around_the_threshold_lose_nothing() {
    // Waits on both sides of a 1 ms threshold, on both workers: every request is
    // answered, in order, whichever state its first bytes find the connection in. The
    // waits are real time (no paused clock on two workers): they only vary the timing,
    // and nothing asserted depends on which side of the threshold a wait fell.
    let (addr, handle, _task) =
        start(Server::builder().shrink_idle_after(Some(Duration::from_millis(1)))).await;
    let mut clients = Vec::new();
    for c in 0..32u64 {
        clients.push(kairos::spawn(async move {
            let mut client = RawClient::connect(addr).await;
            for i in 0..30u64 {
                // 0 to 2.5 ms, differently for each connection.
                let wait = (c * 7 + i * 13) % 6;
                sleep(Duration::from_micros(wait * 500)).await;
                client.ask_hello().await;
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    handle.shutdown(Duration::from_secs(1));
}
