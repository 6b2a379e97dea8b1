//! Every malformed or ambiguous request gets its 4xx/5xx and a closed connection; no
//! request can be read two ways (smuggling).

mod support;

use kairos_http::server::Server;
use support::{start, RawClient};

/// Sends `request`, expects `status` with `Connection: close`, and a closed connection.
async fn refused(addr: std::net::SocketAddr, request: &[u8], status: u16) {
    let mut client = RawClient::connect(addr).await;
    client.send(request).await;
    let res = client
        .response()
        .await
        .unwrap_or_else(|| panic!("no response to {:?}", String::from_utf8_lossy(request)));
    assert_eq!(
        res.status,
        status,
        "{:?}: {}",
        String::from_utf8_lossy(request),
        res.text()
    );
    assert_eq!(res.header("connection"), Some("close"));
    assert!(client.is_closed().await);
}

#[kairos::test]
async fn framing_conflicts_and_malformed_lengths() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let cases: &[&[u8]] = &[
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nabcde",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nabcde",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n",
        b"POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ];
    for case in cases {
        refused(addr, case, 400).await;
    }
    refused(
        addr,
        b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        501,
    )
    .await;
}

#[kairos::test]
async fn malformed_chunk_sizes() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    for size in [
        "",
        "0x5",
        "-5",
        "+5",
        " 5",
        "5 5",
        "g",
        "10000000000000000",
        "5\n",
    ] {
        let request = format!(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\nhello\r\n0\r\n\r\n"
        );
        refused(addr, request.as_bytes(), 400).await;
    }
    // Data longer than its chunk size.
    refused(addr, b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400).await;
}

#[kairos::test]
async fn malformed_heads() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let cases: &[&[u8]] = &[
        // obs-fold
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: a\r\n b\r\n\r\n",
        // whitespace before the colon
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad : a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
        // NUL, CR and LF inside values
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n",
        // missing and repeated Host
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        // garbage request lines
        b"GET\r\n\r\n",
        b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/x.y\r\nHost: x\r\n\r\n",
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n",
    ];
    for case in cases {
        refused(addr, case, 400).await;
    }
    refused(addr, b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505).await;
    refused(addr, b"GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505).await;
    refused(
        addr,
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n",
        501,
    )
    .await;
    refused(
        addr,
        b"GET / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n",
        417,
    )
    .await;
}

#[kairos::test]
async fn no_smuggling_through_a_kept_alive_connection() {
    // A second request hidden in a body the server refused must never be answered.
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    assert_eq!(client.response().await.unwrap().status, 400);
    assert!(client.response().await.is_none());
}

#[kairos::test]
async fn a_panicking_handler_costs_one_500() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    refused(addr, b"GET /panic HTTP/1.1\r\nHost: x\r\n\r\n", 500).await;
    refused(addr, b"GET /error HTTP/1.1\r\nHost: x\r\n\r\n", 500).await;
    // The server goes on.
    let mut client = RawClient::connect(addr).await;
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(client.response().await.unwrap().text(), "hello");
}
