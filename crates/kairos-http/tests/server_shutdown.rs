//! Graceful shutdown: stop accepting, close idle connections at once, let requests in
//! flight finish with `Connection: close`, force-close after the grace period.

mod support;

use kairos::net::TcpStream;
use kairos::time::Instant;
use kairos_http::server::Server;
use std::time::Duration;
use support::{start, RawClient};

#[kairos::test(start_paused = true)]
async fn in_flight_requests_finish_and_idle_connections_close() {
    let (addr, handle, task) = start(Server::builder()).await;
    let mut idle = RawClient::connect(addr).await;
    idle.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(idle.response().await.unwrap().status, 200);

    let mut busy = RawClient::connect(addr).await;
    busy.send(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").await;
    // Let the server start the slow request.
    for _ in 0..10 {
        kairos::task::yield_now().await;
    }
    handle.shutdown(Duration::from_secs(30));

    assert!(idle.is_closed().await, "idle connection left open");
    let res = busy.response().await.unwrap();
    assert_eq!(res.text(), "slow");
    assert_eq!(res.header("connection"), Some("close"));
    assert!(busy.is_closed().await);
    task.await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting");
}

#[kairos::test(start_paused = true)]
async fn stragglers_are_closed_after_the_grace_period() {
    let (addr, handle, task) = start(Server::builder()).await;
    let mut busy = RawClient::connect(addr).await;
    // Half a head: the connection is busy, and would wait 10 s for the rest.
    busy.send(b"GET /slow HTTP/1.1\r\n").await;
    for _ in 0..10 {
        kairos::task::yield_now().await;
    }
    let started = Instant::now();
    handle.shutdown(Duration::from_millis(500));
    task.await.unwrap().unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(1),
        "{took:?}"
    );
    assert!(busy.response().await.is_none());
}
