//! The client against servers that misbehave: heads over the limit, conflicting framing,
//! bodies that break their framing, and bytes or a close nobody asked for on a pooled
//! connection. Every case ends in a clear error or the right response, and never in a
//! response that belongs to nobody.

mod support;

use http::{Request, StatusCode};
use kairos_http::client::Client;
use kairos_http::{Body, ErrorKind};
use kairos_service::Service;
use std::net::SocketAddr;
use support::{scripted_server, Then};

fn get(addr: SocketAddr) -> Request<Body> {
    Request::get(format!("http://{addr}/"))
        .body(Body::empty())
        .unwrap()
}

async fn error_of(client: &Client, answer: impl AsRef<[u8]> + Send + Sync + 'static) -> ErrorKind {
    let server = scripted_server(answer, Then::Close).await;
    match client.call(get(server.addr)).await {
        Ok(response) => match response.into_body().collect(1 << 20).await {
            Ok(body) => panic!("accepted {:?}", String::from_utf8_lossy(&body)),
            Err(err) => err.kind(),
        },
        Err(err) => err.kind(),
    }
}

#[kairos::test]
async fn a_response_head_over_the_limit_is_refused_even_when_it_arrives_whole() {
    let client = Client::builder().max_head_size(1024).build();
    // One write, so the head arrives complete in the client's first read.
    let mut head = b"HTTP/1.1 200 OK\r\nx-big: ".to_vec();
    head.resize(2000, b'a');
    head.extend_from_slice(b"\r\ncontent-length: 2\r\n\r\nok");
    assert_eq!(error_of(&client, head).await, ErrorKind::Parse);
}

#[kairos::test]
async fn conflicting_or_malformed_heads_are_refused() {
    let client = Client::new();
    for answer in [
        &b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\ncontent-length: 0x2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nok",
        b"HTTP/1.1 2000 OK\r\ncontent-length: 2\r\n\r\nok",
        // Nothing asked to switch protocols.
        b"HTTP/1.1 101 Switching Protocols\r\nupgrade: evil\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
    ] {
        assert_eq!(
            error_of(&client, answer).await,
            ErrorKind::Parse,
            "{:?}",
            String::from_utf8_lossy(answer)
        );
    }
}

#[kairos::test]
async fn bodies_that_break_their_framing_fail_as_body_errors() {
    let client = Client::new();
    for answer in [
        // A chunk size that is not hexadecimal.
        &b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n"[..],
        // The connection closes inside a chunked body.
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab",
        // The connection closes before the announced length.
        b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort",
    ] {
        assert_eq!(
            error_of(&client, answer).await,
            ErrorKind::Body,
            "{:?}",
            String::from_utf8_lossy(answer)
        );
    }
}

#[kairos::test]
async fn interim_responses_are_skipped_and_heads_announce_no_body() {
    let client = Client::new();
    let server = scripted_server(
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        Then::KeepOpen,
    )
    .await;
    let response = client.call(get(server.addr)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.into_body().collect(100).await.unwrap(), "ok");
    // A response to HEAD announces a length but has no body: the connection is at the
    // next response's start and goes back to the pool.
    let server = scripted_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n",
        Then::KeepOpen,
    )
    .await;
    let addr = server.addr;
    for _ in 0..2 {
        let head = Request::head(format!("http://{addr}/"))
            .body(Body::empty())
            .unwrap();
        let response = client.call(head).await.unwrap();
        assert!(response.into_body().collect(100).await.unwrap().is_empty());
        assert_eq!(client.idle_connections("127.0.0.1", addr.port()), 1);
    }
    assert_eq!(server.accepted(), 1);
}

#[kairos::test]
async fn a_body_until_close_is_read_to_the_end_and_the_connection_not_kept() {
    let client = Client::new();
    let addr = scripted_server(b"HTTP/1.1 200 OK\r\n\r\nall of this", Then::Close)
        .await
        .addr;
    let response = client.call(get(addr)).await.unwrap();
    assert_eq!(
        response.into_body().collect(100).await.unwrap(),
        "all of this"
    );
    assert_eq!(client.idle_connections("127.0.0.1", addr.port()), 0);
}

#[kairos::test]
async fn unasked_bytes_with_a_response_keep_its_connection_out_of_the_pool() {
    let client = Client::new();
    let server = scripted_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nevil",
        Then::KeepOpen,
    )
    .await;
    for _ in 0..2 {
        let response = client.call(get(server.addr)).await.unwrap();
        assert_eq!(response.into_body().collect(100).await.unwrap(), "ok");
        assert_eq!(client.idle_connections("127.0.0.1", server.addr.port()), 0);
    }
    assert_eq!(server.accepted(), 2);
}

#[kairos::test]
async fn bytes_sent_to_an_idle_pooled_connection_are_not_taken_for_the_next_response() {
    let client = Client::new();
    let server = scripted_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        Then::SendLater(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nevil"),
    )
    .await;
    let response = client.call(get(server.addr)).await.unwrap();
    assert_eq!(response.into_body().collect(100).await.unwrap(), "ok");
    assert_eq!(client.idle_connections("127.0.0.1", server.addr.port()), 1);
    // The server writes its unasked response to the pooled connection now.
    server.release();
    server.done(1).await;
    let response = client.call(get(server.addr)).await.unwrap();
    assert_eq!(response.into_body().collect(100).await.unwrap(), "ok");
    assert_eq!(server.accepted(), 2);
}

#[kairos::test]
async fn a_request_with_a_body_is_not_sent_on_a_pooled_connection_the_server_closed() {
    let client = Client::new();
    // The server closes every connection after answering, without saying so (as a
    // keep-alive timeout does).
    let server = scripted_server(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        Then::Close,
    )
    .await;
    let addr = server.addr;
    let response = client.call(get(addr)).await.unwrap();
    assert_eq!(response.into_body().collect(100).await.unwrap(), "ok");
    assert_eq!(client.idle_connections("127.0.0.1", addr.port()), 1);
    // A request with a body cannot be sent again once written, so it must not be
    // written to the closed connection in the first place.
    server.done(1).await;
    let post = Request::post(format!("http://{addr}/"))
        .body(Body::from("ping"))
        .unwrap();
    let response = client.call(post).await.unwrap();
    assert_eq!(response.into_body().collect(100).await.unwrap(), "ok");
    assert_eq!(server.accepted(), 2);
}
