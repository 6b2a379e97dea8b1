//! The client: a `Service` over pooled keep-alive connections; bodies both ways, chunked
//! and content-length; timeouts; a stale pooled connection is replaced.

mod support;

use bytes::Bytes;
use http::{Request, StatusCode};
use kairos_http::client::Client;
use kairos_http::server::Server;
use kairos_http::{Body, ErrorKind};
use kairos_service::Service;
use std::time::Duration;
use support::Then;

fn get(url: String) -> Request<Body> {
    Request::get(url).body(Body::empty()).unwrap()
}

#[kairos::test]
async fn requests_reuse_one_pooled_connection() {
    let server = support::scripted_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        Then::KeepOpen,
    )
    .await;
    let addr = server.addr;
    let client = Client::new();
    for _ in 0..5 {
        let res = client.call(get(format!("http://{addr}/"))).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.into_body().collect(100).await.unwrap(), "ok");
    }
    assert_eq!(server.accepted(), 1);
    assert_eq!(client.idle_connections("127.0.0.1", addr.port()), 1);
}

#[kairos::test]
async fn bodies_both_ways_against_the_server() {
    let (addr, _handle, _task) = support::start(Server::builder()).await;
    let client = Client::new();
    // Content-length request body.
    let req = Request::post(format!("http://{addr}/echo"))
        .body(Body::from("ping"))
        .unwrap();
    let res = client.call(req).await.unwrap();
    assert_eq!(res.into_body().collect(100).await.unwrap(), "ping");
    // Chunked request body (no known length), large, streamed back chunked.
    let chunks: Vec<Bytes> = (0..50)
        .map(|i| Bytes::from(vec![b'a' + (i % 26) as u8; 10_000]))
        .collect();
    let expected: Vec<u8> = chunks.iter().flat_map(|c| c.to_vec()).collect();
    let req = Request::post(format!("http://{addr}/stream-echo"))
        .body(support::Chunks(chunks))
        .unwrap();
    let res = client.call(req).await.unwrap();
    assert_eq!(res.headers()["transfer-encoding"], "chunked");
    assert_eq!(res.into_body().collect(1 << 20).await.unwrap(), expected);
    // Chunked response.
    let res = client
        .call(get(format!("http://{addr}/chunks")))
        .await
        .unwrap();
    assert_eq!(res.into_body().collect(100).await.unwrap(), "one,two,three");
    // All on one pooled connection.
    assert_eq!(client.idle_connections("127.0.0.1", addr.port()), 1);
}

#[kairos::test]
async fn a_connection_closed_by_the_server_is_replaced() {
    let (addr, _handle, _task) = support::start(Server::builder()).await;
    let client = Client::new();
    let res = client.call(get(format!("http://{addr}/"))).await.unwrap();
    res.into_body().collect(100).await.unwrap();
    // The server closes the pooled connection (a response with Connection: close).
    let req = Request::get(format!("http://{addr}/"))
        .header("connection", "close")
        .body(Body::empty())
        .unwrap();
    let res = client.call(req).await.unwrap();
    assert_eq!(res.headers()["connection"], "close");
    res.into_body().collect(100).await.unwrap();
    assert_eq!(client.idle_connections("127.0.0.1", addr.port()), 0);
    let res = client.call(get(format!("http://{addr}/"))).await.unwrap();
    assert_eq!(res.into_body().collect(100).await.unwrap(), "hello");
}

#[kairos::test(start_paused = true)]
async fn response_timeout() {
    let (addr, _handle, _task) = support::start(Server::builder()).await;
    let client = Client::builder()
        .response_timeout(Duration::from_millis(100))
        .build();
    let err = client
        .call(get(format!("http://{addr}/slow")))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
}

#[kairos::test]
async fn invalid_uris_are_refused() {
    let client = Client::new();
    let err = client.call(get("/relative".into())).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    let err = client
        .call(get("https://example.com/".into()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
}
