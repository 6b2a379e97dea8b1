//! The router both binaries serve: TechEmpower's JSON test as an axum route.

use axum::http::header::{HeaderValue, SERVER};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// The JSON body.
#[derive(Serialize)]
pub struct Message {
    /// Always "Hello, World!".
    pub message: &'static str,
}

/// `GET /json` answers `{"message":"Hello, World!"}`.
pub fn router() -> Router {
    Router::new().route(
        "/json",
        get(|| async {
            (
                [(SERVER, HeaderValue::from_static("axum"))],
                Json(Message {
                    message: "Hello, World!",
                }),
            )
        }),
    )
}

/// The listening address: the first argument, or 127.0.0.1:8081.
pub fn address() -> String {
    std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_string())
}
