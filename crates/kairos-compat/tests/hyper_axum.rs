//! An axum `Router` (a tower service) served by hyper on Kairos sockets, called with
//! hyper's client over Kairos, with no tokio runtime anywhere.

mod support;

use axum::extract::{Json, Path};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::service::TowerToHyperService;
use serde::{Deserialize, Serialize};
use support::{assert_no_tokio_runtime, request, serve};

#[derive(Deserialize, Serialize, Debug, PartialEq)]
struct Order {
    item: String,
    quantity: u32,
}

fn router() -> Router {
    Router::new()
        .route(
            "/users/{id}",
            get(|Path(id): Path<u64>| async move {
                assert_no_tokio_runtime();
                // Handlers can use Kairos itself.
                let doubled = kairos::spawn(async move { id * 2 }).await.unwrap();
                format!("user {id}, doubled {doubled}")
            }),
        )
        .route(
            "/orders",
            post(|Json(order): Json<Order>| async move {
                assert_no_tokio_runtime();
                Json(Order {
                    item: order.item.to_uppercase(),
                    quantity: order.quantity + 1,
                })
            }),
        )
}

fn get_request(path: &str) -> hyper::Request<Full<Bytes>> {
    hyper::Request::get(path)
        .header("host", "kairos.test")
        .body(Full::new(Bytes::new()))
        .unwrap()
}

async fn exercise(http2: bool) {
    assert_no_tokio_runtime();
    let addr = serve(TowerToHyperService::new(router()), http2).await;

    let (status, body) = request(addr, http2, get_request("/users/21")).await;
    assert_eq!(status, 200);
    assert_eq!(body, "user 21, doubled 42");

    let order = serde_json::to_vec(&Order {
        item: "tea".into(),
        quantity: 2,
    })
    .unwrap();
    let post = hyper::Request::post("/orders")
        .header("host", "kairos.test")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(order)))
        .unwrap();
    let (status, body) = request(addr, http2, post).await;
    assert_eq!(status, 200);
    let reply: Order = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        reply,
        Order {
            item: "TEA".into(),
            quantity: 3
        }
    );

    let (status, _) = request(addr, http2, get_request("/nowhere")).await;
    assert_eq!(status, 404);

    // A path parameter that does not parse is the extractor's 400.
    let (status, _) = request(addr, http2, get_request("/users/not-a-number")).await;
    assert_eq!(status, 400);
}

#[kairos::test]
async fn axum_over_http1_on_current_thread() {
    exercise(false).await;
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_over_http1_on_multi_thread() {
    exercise(false).await;
}

#[kairos::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_over_http2_on_multi_thread() {
    exercise(true).await;
}

#[kairos::test]
async fn many_concurrent_requests_over_http2() {
    let addr = serve(TowerToHyperService::new(router()), true).await;
    let stream = kairos::net::TcpStream::connect(addr).await.unwrap();
    let (sender, connection) = hyper::client::conn::http2::handshake(
        kairos_compat::HyperExecutor,
        kairos_compat::HyperIo::new(stream),
    )
    .await
    .unwrap();
    kairos::spawn(connection);
    // 50 streams multiplexed on one connection.
    let requests: Vec<_> = (0..50u64)
        .map(|i| {
            let mut sender = sender.clone();
            kairos::spawn(async move {
                let response = sender
                    .send_request(get_request(&format!("/users/{i}")))
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200);
                use http_body_util::BodyExt;
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert_eq!(body, format!("user {i}, doubled {}", i * 2));
            })
        })
        .collect();
    for request in requests {
        request.await.unwrap();
    }
}
