//! actix-web serving the TechEmpower plaintext, json and fortunes tests.

use actix_web::http::header::{CONTENT_TYPE, SERVER};
use actix_web::{web, App, HttpResponse, HttpServer};
use kairos_bench_http::{fortunes_page, listen_addr, Message};

async fn plaintext() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((SERVER, "actix"))
        .insert_header((CONTENT_TYPE, "text/plain"))
        .body("Hello, World!")
}

async fn json() -> HttpResponse {
    let body = serde_json::to_vec(&Message {
        message: "Hello, World!",
    })
    .unwrap();
    HttpResponse::Ok()
        .insert_header((SERVER, "actix"))
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body)
}

async fn fortunes() -> HttpResponse {
    let page = web::block(fortunes_page).await.unwrap();
    HttpResponse::Ok()
        .insert_header((SERVER, "actix"))
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(page)
}

fn main() -> std::io::Result<()> {
    let addr = listen_addr();
    println!("actix-web on {addr}");
    let server = HttpServer::new(|| {
        App::new()
            .route("/plaintext", web::get().to(plaintext))
            .route("/json", web::get().to(json))
            .route("/fortunes", web::get().to(fortunes))
    })
    .backlog(4096);
    // `WORKERS=1` for bench/http/callgrind.sh (one worker, nothing else to count).
    let server = match std::env::var("WORKERS").ok().and_then(|n| n.parse().ok()) {
        Some(workers) => server.workers(workers),
        None => server,
    };
    actix_web::rt::System::new().block_on(server.bind(addr)?.run())
}
