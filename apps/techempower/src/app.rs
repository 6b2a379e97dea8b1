//! The six tests as one service: routing, the `queries` parameter, response headers.

use crate::db::{Backend, DbError};
use crate::html;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, SERVER};
use http::{Request, Response, StatusCode};
use kairos_http::server::direct::{PreparedHead, RawRequest, RawResponse, Written};
use kairos_http::Body;
use kairos_service::Service;
use serde::Serialize;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};

/// A response's content type; each has its header set built once.
#[derive(Clone, Copy)]
enum Content {
    Text = 0,
    Json = 1,
    Html = 2,
}

/// `Server` and `Content-Type` for each [`Content`], as the fields of a direct answer.
static FIELDS: [[(HeaderName, HeaderValue); 2]; 3] = [
    fields("text/plain"),
    fields("application/json"),
    fields("text/html; charset=utf-8"),
];

const fn fields(content_type: &'static str) -> [(HeaderName, HeaderValue); 2] {
    [
        (SERVER, HeaderValue::from_static("kairos")),
        (CONTENT_TYPE, HeaderValue::from_static(content_type)),
    ]
}

/// The direct answers' heads, encoded once (`/plaintext`, `/json`).
static PREPARED: LazyLock<[PreparedHead; 2]> = LazyLock::new(|| {
    [Content::Text, Content::Json]
        .map(|content| PreparedHead::new(StatusCode::OK, &FIELDS[content as usize]))
});

/// The same fields as header maps: a service's response clones its set (two copies)
/// rather than inserting the fields one by one (hashing and probing each time).
static HEADERS: LazyLock<[HeaderMap; 3]> =
    LazyLock::new(|| FIELDS.each_ref().map(|set| set.iter().cloned().collect()));

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

/// `/plaintext` and `/json` answered directly by the server, from the request's bytes
/// (`kairos_http::server::Builder::direct`): no `http` request or response is built for
/// them, and the JSON is still serialized per request. Every other request goes to
/// [`App`], which answers these two the same way (the tests check both).
///
/// # Examples
///
/// ```
/// let builder = kairos_http::server::Server::builder().direct(techempower::app::direct);
/// # drop(builder);
/// ```
pub fn direct(request: &RawRequest<'_>, response: RawResponse<'_>) -> Option<Written> {
    match request.path() {
        "/plaintext" => Some(response.send_prepared(&PREPARED[0], HELLO)),
        "/json" => {
            // A message serializes to 27 bytes: on the stack, no allocation.
            let mut buf = [0u8; 64];
            let mut rest = &mut buf[..];
            serde_json::to_writer(&mut rest, &MESSAGE).ok()?;
            let len = 64 - rest.len();
            Some(response.send_prepared(&PREPARED[1], &buf[..len]))
        }
        _ => None,
    }
}

const HELLO: &[u8] = b"Hello, World!";

const MESSAGE: Message = Message {
    message: "Hello, World!",
};

/// The TechEmpower application over a database backend.
///
/// # Examples
///
/// ```
/// use techempower::{app::App, db::Sqlite};
/// use http::Request;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let dir = std::env::temp_dir().join(format!("tfb-app-doc-{}", std::process::id()));
/// let app = App::new(Sqlite::open(&dir.join("db.sqlite"), 1).unwrap());
/// let request = Request::get("/plaintext").body(kairos_http::Body::empty()).unwrap();
/// let response = app.handle(request).await;
/// assert_eq!(response.into_body().collect(100).await.unwrap(), "Hello, World!");
/// # std::fs::remove_dir_all(dir).ok();
/// # });
/// ```
pub struct App<D> {
    db: Arc<D>,
}

impl<D> Clone for App<D> {
    fn clone(&self) -> Self {
        App {
            db: self.db.clone(),
        }
    }
}

impl<D: Backend> App<D> {
    /// The app over `db`.
    pub fn new(db: D) -> App<D> {
        App { db: Arc::new(db) }
    }

    /// Answers one request.
    pub async fn handle(&self, request: Request<Body>) -> Response<Body> {
        match self.route(&request) {
            Route::Ready(response) => response,
            Route::Db(future) => future.await,
        }
    }

    /// The answer, at once for the tests without a database; a boxed future for those
    /// with one (a query costs far more than the allocation, and the future stays small
    /// for the fast tests).
    fn route(&self, request: &Request<Body>) -> Route {
        // The database handle is cloned only for the tests that use it: the fast tests
        // touch no shared counter (connections on every core share this `Arc`).
        let db = || self.db.clone();
        let count = || queries(request.uri().query());
        let future: DbFuture = match request.uri().path() {
            "/plaintext" => return Route::Ready(respond(Content::Text, Bytes::from_static(HELLO))),
            "/json" => return Route::Ready(json(MESSAGE)),
            "/db" => {
                let db = db();
                answer(
                    async move { db.random_worlds(1).await.map(|worlds| worlds[0]) },
                    json,
                )
            }
            "/queries" => {
                let (db, count) = (db(), count());
                answer(async move { db.random_worlds(count).await }, json)
            }
            "/updates" => {
                let (db, count) = (db(), count());
                answer(async move { db.update_worlds(count).await }, json)
            }
            "/fortunes" => {
                let db = db();
                answer(async move { db.fortunes().await }, |fortunes| {
                    respond(Content::Html, Bytes::from(html::fortunes_page(fortunes)))
                })
            }
            _ => {
                let mut response = respond(Content::Text, Bytes::from_static(b"not found"));
                *response.status_mut() = StatusCode::NOT_FOUND;
                return Route::Ready(response);
            }
        };
        Route::Db(future)
    }
}

type DbFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// A database query's future, answered by `render` on success and 500 on failure.
fn answer<T, Q, R>(query: Q, render: R) -> DbFuture
where
    Q: Future<Output = Result<T, DbError>> + Send + 'static,
    R: FnOnce(T) -> Response<Body> + Send + 'static,
{
    Box::pin(async move {
        match query.await {
            Ok(rows) => render(rows),
            Err(err) => error(err),
        }
    })
}

enum Route {
    Ready(Response<Body>),
    Db(DbFuture),
}

/// The future of [`App`]'s [`Service::call`].
pub struct AppFuture {
    route: Option<Route>,
}

impl Future for AppFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.route {
            Some(Route::Db(future)) => future.as_mut().poll(cx).map(Ok),
            Some(Route::Ready(_)) => match self.route.take() {
                Some(Route::Ready(response)) => Poll::Ready(Ok(response)),
                _ => unreachable!("matched above"),
            },
            None => panic!("AppFuture polled after completion"),
        }
    }
}

/// The app is the server's service: a named future, small for the tests without a
/// database, so a connection's state stays small and is not copied around.
impl<D: Backend> Service<Request<Body>> for App<D> {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future<'a> = AppFuture;

    fn call(&self, request: Request<Body>) -> AppFuture {
        AppFuture {
            route: Some(self.route(&request)),
        }
    }
}

/// The `queries` parameter: clamped to 1..=500, anything not a number is 1.
///
/// # Examples
///
/// ```
/// use techempower::app::queries;
///
/// assert_eq!(queries(Some("queries=20")), 20);
/// assert_eq!(queries(Some("queries=0")), 1);
/// assert_eq!(queries(Some("queries=1000")), 500);
/// assert_eq!(queries(Some("queries=foo")), 1);
/// assert_eq!(queries(None), 1);
/// ```
pub fn queries(query: Option<&str>) -> usize {
    let value = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("queries="));
    match value.map(str::parse::<i64>) {
        Some(Ok(n)) => n.clamp(1, 500) as usize,
        _ => 1,
    }
}

fn json<T: Serialize>(value: T) -> Response<Body> {
    // Sized for the usual bodies (a message, a world) so serializing does not regrow it.
    let mut bytes = Vec::with_capacity(64);
    match serde_json::to_writer(&mut bytes, &value) {
        Ok(()) => respond(Content::Json, Bytes::from(bytes)),
        Err(err) => error(err),
    }
}

fn respond(content: Content, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = HEADERS[content as usize].clone();
    response
}

fn error(err: impl std::fmt::Display) -> Response<Body> {
    let mut response = respond(Content::Text, Bytes::from(format!("database error: {err}")));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}
