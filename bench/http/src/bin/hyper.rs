//! hyper 1 (HTTP/1.1, pipeline flushing on) on tokio's multi-thread runtime serving the
//! TechEmpower plaintext, json and fortunes tests.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, SERVER};
use hyper::{Request, Response};
use kairos_bench_http::{fortunes_page, listen_addr, Message};
use std::convert::Infallible;

async fn handle(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (content_type, body) = match req.uri().path() {
        "/plaintext" => ("text/plain", Bytes::from_static(b"Hello, World!")),
        "/json" => (
            "application/json",
            Bytes::from(
                serde_json::to_vec(&Message {
                    message: "Hello, World!",
                })
                .unwrap(),
            ),
        ),
        "/fortunes" => (
            "text/html; charset=utf-8",
            Bytes::from(tokio::task::spawn_blocking(fortunes_page).await.unwrap()),
        ),
        _ => {
            let mut not_found = Response::new(Full::new(Bytes::new()));
            *not_found.status_mut() = hyper::StatusCode::NOT_FOUND;
            return Ok(not_found);
        }
    };
    let mut response = Response::new(Full::new(body));
    response
        .headers_mut()
        .insert(SERVER, "hyper".parse().unwrap());
    response
        .headers_mut()
        .insert(CONTENT_TYPE, content_type.parse().unwrap());
    Ok(response)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = listen_addr();
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("hyper on {addr}");
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => continue,
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .pipeline_flush(true)
                .serve_connection(
                    hyper_util::rt::TokioIo::new(stream),
                    hyper::service::service_fn(handle),
                )
                .await;
        });
    }
}
