//! Chunked bodies both ways, streaming request bodies, `Expect: 100-continue`.

mod support;

use kairos_http::server::Server;
use support::{start, RawClient};

#[kairos::test]
async fn chunked_request_body() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(res.text(), "hello world");
    assert_eq!(res.header("content-length"), Some("11"));
}

#[kairos::test]
async fn chunked_response_body() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    assert_eq!(res.text(), "one,two,three");
}

#[kairos::test]
async fn large_body_streams_back_chunked() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    let body = vec![b'z'; 300 * 1024];
    client
        .send(format!("POST /stream-echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n", body.len()).as_bytes())
        .await;
    let writer = {
        let mut stream = client.writer.take().unwrap();
        let body = body.clone();
        kairos::spawn(async move {
            use kairos::io::AsyncWriteExt;
            stream.write_all(&body).await.unwrap();
            stream.write_all(b"\r\n0\r\n\r\n").await.unwrap();
            stream
        })
    };
    let res = client.response().await.unwrap();
    assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    assert_eq!(res.body.len(), body.len());
    drop(writer.await.unwrap());
}

#[kairos::test]
async fn expect_continue_is_answered_when_the_body_is_read() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
        )
        .await;
    let interim = client.response().await.unwrap();
    assert_eq!(interim.status, 100);
    client.send(b"data").await;
    let res = client.response().await.unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "data");
}

#[kairos::test]
async fn expect_continue_without_reading_closes() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(res.status, 200);
    assert_eq!(res.header("connection"), Some("close"));
}

/// A response whose head goes out before the body is read (it streams the body back) has
/// forgone the `100 Continue`: sent after the head, the interim response would land in the
/// body. Found by the `server_connection` fuzz target (docs/RELIABILITY.md, item 3).
#[kairos::test]
async fn no_continue_after_the_final_head() {
    use kairos::io::AsyncReadExt;
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"POST /stream-echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        .await;
    // The final head comes first: the service answers before it reads the body.
    let mut output = Vec::new();
    while !output.windows(4).any(|w| w == b"\r\n\r\n") {
        let mut chunk = [0u8; 1024];
        let n = client.reader.read(&mut chunk).await.unwrap();
        assert!(n > 0, "closed before a response head");
        output.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&output).into_owned();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("connection: close\r\n"), "{head}");
    // The client sends the body without a `100`; the response body is that body, then
    // the connection closes.
    client.send(b"data").await;
    client.reader.read_to_end(&mut output).await.unwrap();
    let text = String::from_utf8_lossy(&output);
    assert!(text.ends_with("\r\n\r\ndata"), "{text}");
    assert!(!text.contains("100 Continue"), "{text}");
}

#[kairos::test]
async fn unread_small_body_is_skipped_and_the_connection_kept() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    client
        .send(b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234")
        .await;
    let res = client.response().await.unwrap();
    assert_eq!(res.header("connection"), None);
    client.send(b"56789GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(client.response().await.unwrap().text(), "hello");
}
