//! actix-web serving the TechEmpower `/db` and `/fortunes` tests from PostgreSQL, the way
//! actix-web's TechEmpower entries do: tokio-postgres, one connection per worker with its
//! prepared statements, queries pipelined on it. The peer of `apps/techempower` with
//! `DATABASE_URL` set.
//!
//! `actix_pg PORT` with `DATABASE_URL` in the environment.

use actix_web::http::header::{CONTENT_TYPE, SERVER};
use actix_web::{web, App, HttpResponse, HttpServer};
use kairos_bench_http::{listen_addr, render_fortunes};
use serde::Serialize;
use tokio_postgres::{Client, NoTls, Statement};

struct Db {
    client: Client,
    world: Statement,
    fortunes: Statement,
}

#[derive(Serialize)]
struct World {
    id: i32,
    #[serde(rename = "randomNumber")]
    random_number: i32,
}

async fn connect() -> Result<Db, tokio_postgres::Error> {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names the database");
    let (client, connection) = tokio_postgres::connect(&url, NoTls).await?;
    actix_web::rt::spawn(async move {
        let _ = connection.await;
    });
    let world = client
        .prepare("SELECT id, randomnumber FROM world WHERE id = $1")
        .await?;
    let fortunes = client.prepare("SELECT id, message FROM fortune").await?;
    Ok(Db {
        client,
        world,
        fortunes,
    })
}

fn random_id() -> i32 {
    use std::cell::Cell;
    thread_local!(static STATE: Cell<u64> = Cell::new(0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64));
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x % 10_000) as i32 + 1
    })
}

async fn db(db: web::Data<Db>) -> HttpResponse {
    let row = db
        .client
        .query_one(&db.world, &[&random_id()])
        .await
        .unwrap();
    let body = serde_json::to_vec(&World {
        id: row.get(0),
        random_number: row.get(1),
    })
    .unwrap();
    HttpResponse::Ok()
        .insert_header((SERVER, "actix"))
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body)
}

async fn fortunes(db: web::Data<Db>) -> HttpResponse {
    let rows = db.client.query(&db.fortunes, &[]).await.unwrap();
    let page = render_fortunes(
        rows.iter()
            .map(|row| (i64::from(row.get::<_, i32>(0)), row.get(1)))
            .collect(),
    );
    HttpResponse::Ok()
        .insert_header((SERVER, "actix"))
        .insert_header((CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(page)
}

fn main() -> std::io::Result<()> {
    let addr = listen_addr();
    println!("actix-web on PostgreSQL on {addr}");
    actix_web::rt::System::new().block_on(
        HttpServer::new(|| {
            App::new()
                .data_factory(|| async { connect().await.map_err(|e| e.to_string()) })
                .route("/db", web::get().to(db))
                .route("/fortunes", web::get().to(fortunes))
        })
        .backlog(4096)
        .bind(addr)?
        .run(),
    )
}
