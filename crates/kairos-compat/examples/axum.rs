//! An axum `Router` served on Kairos (hyper over Kairos sockets), with no tokio runtime.
//!
//! ```text
//! cargo run -p kairos-compat --example axum -- 127.0.0.1:3000
//! curl http://127.0.0.1:3000/hello/kairos
//! curl -d '{"a": 2, "b": 40}' -H 'content-type: application/json' http://127.0.0.1:3000/add
//! ```

use axum::extract::{Json, Path};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::service::TowerToHyperService;
use kairos_compat::{HyperIo, HyperTimer};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Operands {
    a: i64,
    b: i64,
}

#[derive(Serialize)]
struct Sum {
    sum: i64,
}

fn app() -> Router {
    Router::new()
        .route(
            "/hello/{name}",
            get(|Path(name): Path<String>| async move {
                format!("hello, {name}, from axum on kairos\n")
            }),
        )
        .route(
            "/add",
            post(|Json(ops): Json<Operands>| async move { Json(Sum { sum: ops.a + ops.b }) }),
        )
}

#[kairos::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_string());
    let listener = kairos::net::TcpListener::bind(&addr).await?;
    println!(
        "axum on kairos listening on http://{}",
        listener.local_addr()?
    );
    let service = TowerToHyperService::new(app());
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let service = service.clone();
        kairos::spawn(async move {
            let served = hyper::server::conn::http1::Builder::new()
                .timer(HyperTimer)
                .serve_connection(HyperIo::new(stream), service)
                .await;
            if let Err(err) = served {
                eprintln!("connection error: {err}");
            }
        });
    }
}
