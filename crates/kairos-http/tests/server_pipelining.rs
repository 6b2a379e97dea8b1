//! Pipelining: many requests in one write are answered in order in one write; a request
//! split byte by byte is still one request.

mod support;

use kairos::io::AsyncReadExt;
use kairos_http::server::Server;
use support::{start, RawClient};

#[kairos::test]
async fn many_requests_in_one_write() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    let mut batch = Vec::new();
    for i in 0..16 {
        if i % 2 == 0 {
            batch.extend_from_slice(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        } else {
            let body = format!("body {i}");
            batch.extend_from_slice(
                format!(
                    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    }
    client.send(&batch).await;
    for i in 0..16 {
        let res = client.response().await.unwrap();
        assert_eq!(res.status, 200);
        if i % 2 == 0 {
            assert_eq!(res.text(), "hello");
        } else {
            assert_eq!(res.text(), format!("body {i}"));
        }
    }
}

#[kairos::test]
async fn pipelined_responses_leave_in_one_write() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    let one = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    client.send(&one.repeat(8)).await;
    // The first read returns all eight responses: they were written together.
    let mut buf = vec![0u8; 64 * 1024];
    let n = client.reader.read(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 8, "{text}");
}

#[kairos::test]
async fn one_request_split_byte_by_byte() {
    let (addr, _handle, _task) = start(Server::builder()).await;
    let mut client = RawClient::connect(addr).await;
    let request = b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n";
    for byte in request.iter() {
        client.send(std::slice::from_ref(byte)).await;
        kairos::task::yield_now().await;
    }
    let res = client.response().await.unwrap();
    assert_eq!(res.text(), "abcde");
    // The connection is still good.
    client.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(client.response().await.unwrap().text(), "hello");
}
