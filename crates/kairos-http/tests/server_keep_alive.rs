//! Keep-alive, HTTP/1.0, `Connection: close`, HEAD, and the headers every response has.

mod support;

use kairos_http::server::Server;
use support::{one, start, RawClient};

#[kairos::test]
async fn many_requests_on_one_connection() {
    // Both ways of waiting between requests: giving the buffers up (the default) and
    // keeping them.
    for release in [true, false] {
        many_requests(Server::builder().release_idle_buffers(release)).await;
    }
}

async fn many_requests(builder: kairos_http::server::Builder) {
    let (addr, handle, _task) = start(builder).await;
    let mut client = RawClient::connect(addr).await;
    for _ in 0..10 {
        // Idle for a moment, so the connection waits with nothing buffered.
        kairos::time::sleep(std::time::Duration::from_millis(2)).await;
        client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
        let res = client.response().await.unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), "hello");
        assert_eq!(res.header("content-length"), Some("5"));
        assert_eq!(res.header("date").map(str::len), Some(29));
        assert_eq!(res.header("connection"), None);
    }
    handle.shutdown(std::time::Duration::from_secs(1));
}

#[kairos::test]
async fn connection_close_is_honoured() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(res.header("connection"), Some("close"));
    assert!(client.is_closed().await);
}

#[kairos::test]
async fn http10_closes_unless_kept_alive() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client.send(b"GET / HTTP/1.0\r\n\r\n").await;
    let res = client.response().await.unwrap();
    assert_eq!(res.text(), "hello");
    assert_eq!(res.header("connection"), Some("close"));
    assert!(client.is_closed().await);

    let mut client = RawClient::connect(addr).await;
    for _ in 0..2 {
        client
            .send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            .await;
        let res = client.response().await.unwrap();
        assert_eq!(res.header("connection"), Some("keep-alive"));
    }
    // A streamed body cannot be chunked for HTTP/1.0: it is delimited by closing.
    client
        .send(b"GET /chunks HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(res.text(), "one,two,three");
    assert_eq!(res.header("transfer-encoding"), None);
    assert!(client.is_closed().await);
}

#[kairos::test]
async fn head_gets_length_but_no_body() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let head = client.response_for(true).await.unwrap();
    assert_eq!(head.header("content-length"), Some("5"));
    assert!(head.body.is_empty());
    assert_eq!(client.response().await.unwrap().text(), "hello");
}

#[kairos::test]
async fn keep_alive_off_closes_every_connection() {
    let (addr, _handle, _task) = start(Server::builder().keep_alive(false)).await;
    let res = one(addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(res.header("connection"), Some("close"));
}
