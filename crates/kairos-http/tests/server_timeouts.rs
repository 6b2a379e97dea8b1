//! The header-read timeout closes slow clients (408), the body-read timeout closes clients
//! that stall mid-body (408), the keep-alive timeout closes idle connections; on the
//! paused clock, so nothing waits for real time.

mod support;

use kairos::time::{sleep, Instant};
use kairos_http::server::Server;
use std::time::Duration;
use support::{start, RawClient};

#[kairos::test(start_paused = true)]
async fn slow_head_is_answered_408_and_closed() {
    let (addr, _handle, _task) =
        start(Server::builder().header_read_timeout(Duration::from_secs(5))).await;
    let mut client = RawClient::connect(addr).await;
    let started = Instant::now();
    client.send(b"GET / HTTP/1.1\r\nHo").await;
    timed_out(&mut client, started, Duration::from_secs(5)).await;
}

/// Expects a 408 and the connection closed, between `timeout` and `timeout` + 1 s after
/// `since`; bounded at a minute (a missing timeout would otherwise wait for ever).
async fn timed_out(client: &mut RawClient, since: Instant, timeout: Duration) {
    let res = kairos::time::timeout(Duration::from_secs(60), client.response())
        .await
        .expect("no timeout: the connection waited for ever")
        .unwrap();
    assert_eq!(res.status, 408);
    assert!(client.is_closed().await);
    let waited = since.elapsed();
    assert!(
        waited >= timeout && waited < timeout + Duration::from_secs(1),
        "{waited:?}"
    );
}

#[kairos::test(start_paused = true)]
async fn dribbling_client_does_not_extend_the_deadline() {
    let (addr, _handle, _task) =
        start(Server::builder().header_read_timeout(Duration::from_secs(5))).await;
    let mut client = RawClient::connect(addr).await;
    let started = Instant::now();
    for byte in b"GET / HTTP/1.1\r\nHost: slow\r\n".iter() {
        if client.try_send(std::slice::from_ref(byte)).await.is_err() {
            break;
        }
        sleep(Duration::from_secs(1)).await;
        if started.elapsed() > Duration::from_secs(7) {
            break;
        }
    }
    let res = client.response().await.unwrap();
    assert_eq!(res.status, 408);
}

#[kairos::test(start_paused = true)]
async fn idle_connection_is_closed_after_keep_alive_timeout() {
    let (addr, _handle, _task) =
        start(Server::builder().keep_alive_timeout(Duration::from_secs(30))).await;
    let mut client = RawClient::connect(addr).await;
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(client.response().await.unwrap().status, 200);
    let idle = client.time_until_closed().await;
    assert!(
        idle >= Duration::from_secs(30) && idle < Duration::from_secs(31),
        "{idle:?}"
    );
}

#[kairos::test(start_paused = true)]
async fn requests_keep_an_active_connection_open() {
    let (addr, _handle, _task) =
        start(Server::builder().keep_alive_timeout(Duration::from_secs(10))).await;
    let mut client = RawClient::connect(addr).await;
    for _ in 0..5 {
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert_eq!(client.response().await.unwrap().status, 200);
        sleep(Duration::from_secs(8)).await;
    }
}

#[kairos::test(start_paused = true)]
async fn stalled_body_is_answered_408_and_closed() {
    let (addr, _handle, _task) =
        start(Server::builder().body_read_timeout(Duration::from_secs(5))).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        .await;
    let started = Instant::now();
    timed_out(&mut client, started, Duration::from_secs(5)).await;
}

#[kairos::test(start_paused = true)]
async fn a_slow_but_steady_body_is_not_cut() {
    let (addr, _handle, _task) =
        start(Server::builder().body_read_timeout(Duration::from_secs(5))).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
        .await;
    // 5 bytes, one every 4 s: 20 s in all, but never 5 s without a byte.
    for byte in b"hello" {
        sleep(Duration::from_secs(4)).await;
        client.send(std::slice::from_ref(byte)).await;
    }
    let res = client.response().await.unwrap();
    assert_eq!((res.status, res.text().as_str()), (200, "hello"));
}

#[kairos::test(start_paused = true)]
async fn a_body_left_unread_and_stalled_is_closed_after_the_response() {
    let (addr, _handle, _task) =
        start(Server::builder().body_read_timeout(Duration::from_secs(5))).await;
    let mut client = RawClient::connect(addr).await;
    // `/ignore` answers without reading; the server then skips the rest, which never
    // comes.
    client
        .send(b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(res.status, 200);
    let answered = Instant::now();
    let closed = kairos::time::timeout(Duration::from_secs(60), client.is_closed()).await;
    assert_eq!(closed, Ok(true), "the stalled body held the connection");
    let waited = answered.elapsed();
    assert!(waited < Duration::from_secs(6), "{waited:?}");
}

/// Without shrinking, the connection's own timer keeps the keep-alive deadline: armed at
/// the first idle moment and only moved later when it fires early, it must still close
/// the connection a keep-alive timeout after the last request, whether the requests came
/// before the first deadline (the timer is not even polled then) or across it.
#[kairos::test(start_paused = true)]
async fn the_keep_alive_deadline_follows_the_last_request() {
    for gap in [Duration::from_millis(300), Duration::from_secs(8)] {
        let builder = Server::builder()
            .keep_alive_timeout(Duration::from_secs(10))
            .shrink_idle_after(None);
        let (addr, _handle, _task) = start(builder).await;
        let mut client = RawClient::connect(addr).await;
        for _ in 0..4 {
            client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
            assert_eq!(client.response().await.unwrap().status, 200);
            // The clock is paused: the gap is virtual time, not a wait.
            sleep(gap).await;
        }
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert_eq!(client.response().await.unwrap().status, 200);
        let idle = client.time_until_closed().await;
        assert!(
            idle >= Duration::from_secs(10) && idle < Duration::from_secs(11),
            "gap {gap:?}: closed after {idle:?}"
        );
    }
}
