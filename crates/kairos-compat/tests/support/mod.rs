//! Serving hyper services on Kairos, and calling them with hyper's client, for the tests.

#![allow(dead_code)] // each test file uses part of it

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use kairos::net::{TcpListener, TcpStream};
use kairos_compat::{HyperExecutor, HyperIo, HyperTimer};
use std::net::SocketAddr;

/// No tokio runtime may be running on this thread: the adapters must not need one.
pub fn assert_no_tokio_runtime() {
    assert!(
        tokio::runtime::Handle::try_current().is_err(),
        "a tokio runtime is running where only Kairos should be"
    );
}

/// Accepts connections forever, serving each with `service` over HTTP/1.1 (or HTTP/2 when
/// `http2`), one Kairos task per connection.
pub async fn serve<S>(service: S, http2: bool) -> SocketAddr
where
    S: hyper::service::Service<
            hyper::Request<Incoming>,
            Response = hyper::Response<axum::body::Body>,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: std::error::Error + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    kairos::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = service.clone();
            kairos::spawn(async move {
                let io = HyperIo::new(stream);
                let result = if http2 {
                    hyper::server::conn::http2::Builder::new(HyperExecutor)
                        .timer(HyperTimer)
                        .serve_connection(io, service)
                        .await
                } else {
                    hyper::server::conn::http1::Builder::new()
                        .timer(HyperTimer)
                        .serve_connection(io, service)
                        .await
                };
                let _ = result;
            });
        }
    });
    addr
}

/// One request with hyper's client over a Kairos TCP connection; returns status and body.
pub async fn request(
    addr: SocketAddr,
    http2: bool,
    request: hyper::Request<Full<Bytes>>,
) -> (http::StatusCode, Bytes) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let io = HyperIo::new(stream);
    let response = if http2 {
        let (mut sender, connection) = hyper::client::conn::http2::handshake(HyperExecutor, io)
            .await
            .unwrap();
        kairos::spawn(connection);
        sender.send_request(request).await.unwrap()
    } else {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await.unwrap();
        kairos::spawn(connection);
        sender.send_request(request).await.unwrap()
    };
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body)
}
