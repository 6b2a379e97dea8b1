//! Each limit with its status: head size (414, 431), header count (431), body size (413),
//! and the connection limit.

mod support;

use kairos_http::server::Server;
use support::{start, RawClient};

async fn status_of(addr: std::net::SocketAddr, request: &[u8]) -> (u16, bool) {
    let mut client = RawClient::connect(addr).await;
    // The server may close before reading everything: a failed write is fine.
    let _ = client.try_send(request).await;
    let res = client.response().await.expect("a response");
    (res.status, res.header("connection") == Some("close"))
}

#[kairos::test]
async fn head_limits() {
    let (addr, _handle, _task) = start(
        Server::builder()
            .max_request_line(100)
            .max_head_size(1024)
            .max_headers(8),
    )
    .await;
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(200));
    assert_eq!(status_of(addr, long_target.as_bytes()).await, (414, true));
    // Even before the line ends.
    let endless_line = format!("GET /{}", "a".repeat(2000));
    assert_eq!(status_of(addr, endless_line.as_bytes()).await, (414, true));
    let long_field = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX: {}\r\n\r\n",
        "b".repeat(2000)
    );
    assert_eq!(status_of(addr, long_field.as_bytes()).await, (431, true));
    let mut many = String::from("GET / HTTP/1.1\r\nHost: x\r\n");
    for i in 0..8 {
        many.push_str(&format!("X-{i}: v\r\n"));
    }
    many.push_str("\r\n");
    assert_eq!(status_of(addr, many.as_bytes()).await, (431, true));
    // At the limits, fine.
    let fits = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(90));
    assert_eq!(status_of(addr, fits.as_bytes()).await.0, 404);
}

#[kairos::test]
async fn body_limit() {
    let (addr, _handle, _task) = start(Server::builder().max_body_size(10)).await;
    // Declared too large: refused before the body is read.
    assert_eq!(
        status_of(
            addr,
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n"
        )
        .await,
        (413, true)
    );
    // Chunked, growing past the limit.
    assert_eq!(
        status_of(addr, b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n").await,
        (413, true)
    );
    assert_eq!(
        status_of(
            addr,
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"
        )
        .await,
        (200, false)
    );
}

// The paused clock: the 100 ms in which nothing may happen pass as soon as every task
// waits, with no real sleep.
#[kairos::test(start_paused = true)]
async fn connection_limit_holds_new_connections_in_the_backlog() {
    let (addr, _handle, _task) = start(Server::builder().max_connections(1)).await;
    let mut first = RawClient::connect(addr).await;
    first.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(first.response().await.unwrap().status, 200);
    // The kernel completes the second connection, but the server does not take it.
    let mut second = RawClient::connect(addr).await;
    second.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let waited =
        kairos::time::timeout(std::time::Duration::from_millis(100), second.response()).await;
    assert!(waited.is_err(), "served past the limit");
    // When the first closes, the second is served.
    drop(first);
    assert_eq!(second.response().await.unwrap().status, 200);
}
