//! Every endpoint against the TechEmpower rules, over loopback with the Kairos client.

use http::{Request, Response};
use kairos_http::client::Client;
use kairos_http::server::Server;
use kairos_http::Body;
use kairos_service::Service;
use serde_json::Value;
use std::net::SocketAddr;
use techempower::app::App;
use techempower::db::{Backend, Postgres, Sqlite};

struct TestApp<D> {
    addr: SocketAddr,
    client: Client,
    db: D,
    /// The SQLite database's folder, removed at the end.
    dir: Option<std::path::PathBuf>,
}

impl<D> Drop for TestApp<D> {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Serves the app on `db` over loopback, as `main` does: `/plaintext` and `/json`
/// answered directly (`app::direct`).
async fn serve<D: Backend + Clone>(db: D, dir: Option<std::path::PathBuf>) -> TestApp<D> {
    serve_with(db, dir, true).await
}

/// Serves the app, with or without the direct answers.
async fn serve_with<D: Backend + Clone>(
    db: D,
    dir: Option<std::path::PathBuf>,
    direct: bool,
) -> TestApp<D> {
    let mut builder = Server::builder();
    if direct {
        builder = builder.direct(techempower::app::direct);
    }
    let server = builder.bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    kairos::spawn(server.serve(App::new(db.clone())));
    TestApp {
        addr,
        client: Client::new(),
        db,
        dir,
    }
}

/// The app on a fresh embedded SQLite database.
async fn start_sqlite(name: &str) -> TestApp<Sqlite> {
    let (db, dir) = fresh_sqlite(name);
    serve(db, Some(dir)).await
}

fn fresh_sqlite(name: &str) -> (Sqlite, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("tfb-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    (Sqlite::open(&dir.join("db.sqlite"), 2).unwrap(), dir)
}

/// The app on the PostgreSQL database `DATABASE_URL` names (scripts/postgres-setup.sh).
async fn start_postgres(_name: &str) -> TestApp<Postgres> {
    let url = std::env::var("DATABASE_URL")
        .expect("needs a PostgreSQL server: set DATABASE_URL (scripts/postgres-setup.sh)");
    let db = Postgres::connect(&url, 2).await.unwrap();
    serve(db, None).await
}

impl<D> TestApp<D> {
    async fn get(&self, path: &str) -> (Response<()>, String) {
        let request = Request::get(format!("http://{}{path}", self.addr))
            .body(Body::empty())
            .unwrap();
        let response = self.client.call(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect(1 << 20).await.unwrap();
        (
            Response::from_parts(parts, ()),
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }
}

/// Server, Date, Content-Type and a Content-Length that matches the body.
fn check_headers(response: &Response<()>, body: &str, content_type: &str) {
    let headers = response.headers();
    assert_eq!(response.status(), 200);
    assert_eq!(headers["server"], "kairos");
    assert_eq!(headers["date"].len(), 29);
    assert_eq!(headers["content-type"], content_type);
    assert_eq!(headers["content-length"], body.len().to_string().as_str());
}

fn check_world(value: &Value) {
    let id = value["id"].as_i64().unwrap();
    let number = value["randomNumber"].as_i64().unwrap();
    assert!((1..=10_000).contains(&id), "{value}");
    assert!((1..=10_000).contains(&number), "{value}");
    assert_eq!(value.as_object().unwrap().len(), 2);
}

async fn plaintext_and_json<D>(app: TestApp<D>) {
    let (response, body) = app.get("/plaintext").await;
    check_headers(&response, &body, "text/plain");
    assert_eq!(body, "Hello, World!");
    let (response, body) = app.get("/json").await;
    check_headers(&response, &body, "application/json");
    assert_eq!(body, r#"{"message":"Hello, World!"}"#);
}

async fn db_is_one_world_object<D>(app: TestApp<D>) {
    let (response, body) = app.get("/db").await;
    check_headers(&response, &body, "application/json");
    let value: Value = serde_json::from_str(&body).unwrap();
    assert!(value.is_object());
    check_world(&value);
}

async fn queries_are_clamped_and_default_to_one<D>(app: TestApp<D>) {
    for (query, expected) in [
        ("?queries=20", 20),
        ("?queries=1", 1),
        ("?queries=0", 1),
        ("?queries=-5", 1),
        ("?queries=501", 500),
        ("?queries=foo", 1),
        ("?queries=", 1),
        ("", 1),
    ] {
        let (response, body) = app.get(&format!("/queries{query}")).await;
        check_headers(&response, &body, "application/json");
        let value: Value = serde_json::from_str(&body).unwrap();
        let worlds = value
            .as_array()
            .unwrap_or_else(|| panic!("{query}: not an array"));
        assert_eq!(worlds.len(), expected, "{query}");
        worlds.iter().for_each(check_world);
    }
}

async fn fortunes_are_sorted_escaped_utf8_with_the_extra_one<D>(app: TestApp<D>) {
    let (response, body) = app.get("/fortunes").await;
    check_headers(&response, &body, "text/html; charset=utf-8");
    assert!(body.starts_with("<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>"));
    assert!(body.ends_with("</table></body></html>"));
    let rows: Vec<&str> = body.split("<tr><td>").skip(1).collect();
    assert_eq!(rows.len(), 13);
    let messages: Vec<&str> = rows
        .iter()
        .map(|row| {
            row.split("</td><td>")
                .nth(1)
                .unwrap()
                .trim_end_matches("</td></tr></table></body></html>")
                .trim_end_matches("</td></tr>")
        })
        .collect();
    assert!(messages.contains(&"Additional fortune added at request time."));
    assert!(messages.contains(&"&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;"));
    assert!(messages.contains(&"フレームワークのベンチマーク"));
    assert!(messages
        .contains(&"A computer scientist is someone who fixes things that aren&#x27;t broken."));
    // Sorted by the unescaped message; the escaped forms keep that order here.
    let mut sorted = messages.clone();
    sorted.sort();
    assert_eq!(messages[0], "&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;");
    assert_eq!(messages.last().unwrap(), &"フレームワークのベンチマーク");
    assert_eq!(rows[0].split("</td>").next().unwrap(), "11");
}

async fn updates_are_written_back<D: Backend>(app: TestApp<D>) {
    let (response, body) = app.get("/updates?queries=50").await;
    check_headers(&response, &body, "application/json");
    let value: Value = serde_json::from_str(&body).unwrap();
    let worlds = value.as_array().unwrap();
    assert_eq!(worlds.len(), 50);
    worlds.iter().for_each(check_world);
    // What was returned is what is stored now (the last write of a repeated id wins).
    let mut last = std::collections::HashMap::new();
    for world in worlds {
        last.insert(
            world["id"].as_i64().unwrap(),
            world["randomNumber"].as_i64().unwrap(),
        );
    }
    let stored = app.db.random_worlds(2000).await.unwrap();
    let mut checked = 0;
    for world in stored {
        if let Some(&number) = last.get(&i64::from(world.id)) {
            assert_eq!(i64::from(world.random_number), number);
            checked += 1;
        }
    }
    assert!(checked > 0, "no updated row came back in 2000 random reads");
    // Clamping applies to updates too.
    let (_, body) = app.get("/updates?queries=bar").await;
    assert_eq!(
        serde_json::from_str::<Value>(&body)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[kairos::test]
async fn sqlite_database_is_seeded_once() {
    let app = start_sqlite("seed").await;
    assert_eq!(app.db.fortunes().await.unwrap().len(), 12);
    // Opening again keeps the rows (no second seeding).
    let dir = app.dir.as_ref().expect("a SQLite app has its folder");
    let again = Sqlite::open(&dir.join("db.sqlite"), 1).unwrap();
    assert_eq!(again.fortunes().await.unwrap().len(), 12);
    let (_, body) = app.get("/nope").await;
    assert_eq!(body, "not found");
}

#[kairos::test]
async fn plaintext_and_json_through_the_service() {
    let (db, dir) = fresh_sqlite("service-only");
    plaintext_and_json(serve_with(db, Some(dir), false).await).await;
}

/// Sends `request` on a new connection; the response's bytes without its `Date` line.
async fn raw_exchange(addr: SocketAddr, request: &str) -> String {
    use kairos::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = kairos::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.unwrap();
    let text = String::from_utf8(bytes).unwrap();
    text.split_inclusive("\r\n")
        .filter(|line| !line.starts_with("date: "))
        .collect()
}

#[kairos::test]
async fn direct_answers_are_the_bytes_the_service_sends() {
    let (db, dir) = fresh_sqlite("same-bytes");
    let direct = serve_with(db.clone(), Some(dir), true).await;
    let service = serve_with(db, None, false).await;
    for path in ["/plaintext", "/json"] {
        for (version, connection) in [("1.1", "close"), ("1.0", "keep-alive")] {
            // Keep-alive on HTTP/1.0 then end of stream: the server closes after it.
            let request = format!(
                "GET {path} HTTP/{version}\r\nHost: x\r\nConnection: {connection}\r\n\r\nGET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            );
            let from_direct = raw_exchange(direct.addr, &request).await;
            let from_service = raw_exchange(service.addr, &request).await;
            assert_eq!(from_direct, from_service);
            assert!(from_direct.contains("Hello, World!"), "{from_direct}");
        }
    }
}

/// Every endpoint check, as tests on one backend.
macro_rules! endpoint_tests {
    ($backend:ident, $start:ident $(, #[$attr:meta])*) => {
        mod $backend {
            use super::*;

            #[kairos::test]
            $(#[$attr])*
            async fn plaintext_and_json() {
                super::plaintext_and_json($start("plain").await).await;
            }

            #[kairos::test]
            $(#[$attr])*
            async fn db_is_one_world_object() {
                super::db_is_one_world_object($start("db").await).await;
            }

            #[kairos::test]
            $(#[$attr])*
            async fn queries_are_clamped_and_default_to_one() {
                super::queries_are_clamped_and_default_to_one($start("queries").await).await;
            }

            #[kairos::test]
            $(#[$attr])*
            async fn fortunes_are_sorted_escaped_utf8_with_the_extra_one() {
                super::fortunes_are_sorted_escaped_utf8_with_the_extra_one($start("fortunes").await)
                    .await;
            }

            #[kairos::test]
            $(#[$attr])*
            async fn updates_are_written_back() {
                super::updates_are_written_back($start("updates").await).await;
            }
        }
    };
}

endpoint_tests!(sqlite, start_sqlite);
endpoint_tests!(
    postgres,
    start_postgres,
    #[ignore = "needs a PostgreSQL server: set DATABASE_URL (scripts/postgres-setup.sh); .ci/run runs it"]
);
