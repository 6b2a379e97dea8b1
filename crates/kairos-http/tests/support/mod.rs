//! Shared by the integration tests: a test service, a server on loopback, and a raw
//! client that writes exact bytes and reads responses back.

#![allow(dead_code)]

pub mod child;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use kairos::io::{AsyncReadExt, AsyncWriteExt};
use kairos::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use kairos::net::TcpStream;
use kairos_http::server::{Builder, Handle};
use kairos_http::Body;
use kairos_service::service_fn;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

/// Routes: `/` says hello, `/echo` returns the body, `/stream-echo` streams it back,
/// `/chunks` answers chunked, `/panic` panics, `/slow` answers after a second,
/// `/error` fails, `/ignore` answers without reading the body.
pub async fn handle(req: Request<Body>) -> Result<Response<Body>, std::io::Error> {
    let path = req.uri().path().to_owned();
    let response = match path.as_str() {
        "/" => Response::new(Body::from("hello")),
        "/echo" => {
            let body = req.into_body().collect(usize::MAX).await;
            match body {
                Ok(bytes) => Response::new(Body::from(bytes)),
                Err(err) => Response::builder()
                    .status(StatusCode::BAD_REQUEST)
                    .body(Body::from(err.to_string()))
                    .unwrap(),
            }
        }
        "/stream-echo" => Response::new(req.into_body()),
        "/chunks" => Response::new(Body::wrap(Chunks(vec![
            Bytes::from_static(b"one,"),
            Bytes::from_static(b"two,"),
            Bytes::from_static(b"three"),
        ]))),
        "/panic" => panic!("handler panicked on purpose"),
        "/slow" => {
            kairos::time::sleep(Duration::from_secs(1)).await;
            Response::new(Body::from("slow"))
        }
        "/error" => return Err(std::io::Error::other("handler failed on purpose")),
        "/ignore" => Response::new(Body::from("ignored")),
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::empty())
            .unwrap(),
    };
    Ok(response)
}

/// A body of several chunks with no known length (sent chunked).
pub struct Chunks(pub Vec<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        if self.0.is_empty() {
            return std::task::Poll::Ready(None);
        }
        let chunk = self.0.remove(0);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
    }
}

/// Starts the test service on `127.0.0.1:0`.
pub async fn start(
    builder: Builder,
) -> (
    SocketAddr,
    Handle,
    kairos::task::JoinHandle<std::io::Result<()>>,
) {
    let server = builder.bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    let handle = server.handle();
    let task = kairos::spawn(server.serve(service()));
    (addr, handle, task)
}

/// What a [`scripted_server`] does after each answer.
#[derive(Clone, Copy)]
pub enum Then {
    /// Waits for the next request on the connection.
    KeepOpen,
    /// Closes the connection.
    Close,
    /// Once the test calls [`Scripted::release`], writes these bytes nobody asked for,
    /// then waits for the next request.
    SendLater(&'static [u8]),
}

/// A running [`scripted_server`]: its address and counts of what it has done.
pub struct Scripted {
    pub addr: SocketAddr,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Connections closed, plus unasked writes made ([`Then`]).
    done: kairos::sync::watch::Receiver<usize>,
    /// Set by [`Scripted::release`]: [`Then::SendLater`] may write.
    released: kairos::sync::watch::Sender<bool>,
}

impl Scripted {
    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Lets [`Then::SendLater`] write its bytes (the test has seen the response).
    pub fn release(&self) {
        self.released.send_replace(true);
    }

    /// Waits until the server has closed a connection or written its unasked bytes
    /// (`n` times in all): on loopback, the client's socket holds them by then.
    pub async fn done(&self, n: usize) {
        let mut done = self.done.clone();
        done.wait_for(|&count| count >= n)
            .await
            .expect("the scripted server is gone");
    }
}

/// A bare server (no HTTP stack) that answers every request head it reads, on every
/// connection, with `answer`, then does `then`. A request's body must arrive with its
/// head (it is discarded with it).
pub async fn scripted_server(
    answer: impl AsRef<[u8]> + Send + Sync + 'static,
    then: Then,
) -> Scripted {
    use std::sync::atomic::Ordering;
    let listener = kairos::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (done, done_rx) = kairos::sync::watch::channel(0usize);
    let (released, released_rx) = kairos::sync::watch::channel(false);
    let server = Scripted {
        addr: listener.local_addr().unwrap(),
        accepted: Default::default(),
        done: done_rx,
        released,
    };
    let accepted = server.accepted.clone();
    let (answer, done) = (std::sync::Arc::new(answer), std::sync::Arc::new(done));
    kairos::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            accepted.fetch_add(1, Ordering::SeqCst);
            let (answer, done) = (answer.clone(), done.clone());
            let mut released = released_rx.clone();
            kairos::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut pending = Vec::new();
                loop {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    pending.extend_from_slice(&buf[..n]);
                    if !pending.windows(4).any(|w| w == b"\r\n\r\n") {
                        continue;
                    }
                    pending.clear();
                    if socket.write_all((*answer).as_ref()).await.is_err() {
                        return;
                    }
                    match then {
                        Then::KeepOpen => {}
                        Then::Close => {
                            drop(socket);
                            done.send_modify(|count| *count += 1);
                            return;
                        }
                        Then::SendLater(bytes) => {
                            if released.wait_for(|&go| go).await.is_err() {
                                return;
                            }
                            let _ = socket.write_all(bytes).await;
                            done.send_modify(|count| *count += 1);
                        }
                    }
                }
            });
        }
    });
    server
}

/// The future of the test service.
pub type HandleFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Response<Body>, std::io::Error>> + Send>,
>;

/// The test service (see [`handle`]) as the server takes it.
pub fn service() -> kairos_service::ServiceFn<fn(Request<Body>) -> HandleFuture> {
    service_fn(boxed_handle as fn(_) -> _)
}

fn boxed_handle(req: Request<Body>) -> HandleFuture {
    Box::pin(handle(req))
}

/// A response as read off the wire.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client that writes exact bytes.
pub struct RawClient {
    pub reader: OwnedReadHalf,
    pub writer: Option<OwnedWriteHalf>,
    buf: Vec<u8>,
}

impl RawClient {
    pub async fn connect(addr: SocketAddr) -> RawClient {
        let stream = TcpStream::connect(addr).await.unwrap();
        // Each `send` leaves at once: with Nagle's algorithm a second small write waits
        // for the server's delayed acknowledgement, real time a paused clock skips over.
        stream.set_nodelay(true).unwrap();
        let (reader, writer) = stream.into_split();
        RawClient {
            reader,
            writer: Some(writer),
            buf: Vec::new(),
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().expect("writer taken");
        writer.write_all(bytes).await.unwrap();
    }

    /// Like `send`, but returns the error (the server may have closed).
    pub async fn try_send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer
            .as_mut()
            .expect("writer taken")
            .write_all(bytes)
            .await
    }

    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 4096];
        match self.reader.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// Reads one response (to a request of a method other than HEAD); `None` if the
    /// connection closed first.
    pub async fn response(&mut self) -> Option<Raw> {
        self.response_for(false).await
    }

    /// Reads one response, body-less if `head` (the request was HEAD).
    pub async fn response_for(&mut self, head: bool) -> Option<Raw> {
        let (status, headers, len) = loop {
            let mut slots = [httparse::EMPTY_HEADER; 64];
            let mut res = httparse::Response::new(&mut slots);
            match res.parse(&self.buf).unwrap() {
                httparse::Status::Complete(len) => {
                    let headers = res
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_string(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect::<Vec<_>>();
                    break (res.code.unwrap(), headers, len);
                }
                httparse::Status::Partial => {
                    if !self.fill().await {
                        return None;
                    }
                }
            }
        };
        self.buf.drain(..len);
        let mut raw = Raw {
            status,
            headers,
            body: Vec::new(),
        };
        if head || status == 204 || status == 304 || (100..200).contains(&status) {
            return Some(raw);
        }
        if let Some(len) = raw.header("content-length") {
            let len: usize = len.parse().unwrap();
            while self.buf.len() < len {
                assert!(self.fill().await, "closed inside a body");
            }
            raw.body = self.buf.drain(..len).collect();
        } else if raw.header("transfer-encoding") == Some("chunked") {
            loop {
                let line_end = loop {
                    if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                        break i;
                    }
                    assert!(self.fill().await, "closed inside a chunk size");
                };
                let size =
                    usize::from_str_radix(std::str::from_utf8(&self.buf[..line_end]).unwrap(), 16)
                        .unwrap();
                self.buf.drain(..line_end + 2);
                while self.buf.len() < size + 2 {
                    assert!(self.fill().await, "closed inside a chunk");
                }
                raw.body.extend(self.buf.drain(..size));
                self.buf.drain(..2);
                if size == 0 {
                    break;
                }
            }
        } else {
            while self.fill().await {}
            raw.body = std::mem::take(&mut self.buf);
        }
        Some(raw)
    }

    /// Whether the server closed the connection (reads to end of stream).
    pub async fn is_closed(&mut self) -> bool {
        !self.fill().await && self.buf.is_empty()
    }

    /// Waits for the server to close the connection (with nothing more sent) and returns
    /// how long that took: virtual time on a paused clock.
    pub async fn time_until_closed(&mut self) -> Duration {
        let from = kairos::time::Instant::now();
        assert!(self.is_closed().await, "bytes arrived instead of the close");
        from.elapsed()
    }
}

/// Opens a connection and makes one `GET /` on it (answered 200): a kept-alive
/// connection, idle from then on.
pub async fn kept_alive(addr: SocketAddr) -> RawClient {
    let mut client = RawClient::connect(addr).await;
    client.ask_hello().await;
    client
}

impl RawClient {
    /// Sends `GET /` and expects 200.
    pub async fn ask_hello(&mut self) {
        self.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
        let res = self.response().await.expect("a response");
        assert_eq!(res.status, 200);
    }
}

/// Sends `request` on a new connection and reads one response.
pub async fn one(addr: SocketAddr, request: &[u8]) -> Raw {
    let mut client = RawClient::connect(addr).await;
    client.send(request).await;
    client.response().await.expect("a response")
}

/// Sets the soft descriptor limit (`None`: up to the hard limit); returns the soft
/// limit it replaced and the one now in force.
pub fn set_fd_soft_limit(limit: Option<u64>) -> (u64, u64) {
    let mut rlimit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `rlimit` is a valid out-pointer.
    let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rlimit) };
    assert_eq!(got, 0);
    let previous = rlimit.rlim_cur;
    rlimit.rlim_cur = limit.unwrap_or(rlimit.rlim_max);
    // SAFETY: `rlimit` is a valid, initialized in-pointer; a soft limit at or under the
    // hard one needs no privilege.
    let set = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &rlimit) };
    assert_eq!(set, 0);
    (previous, rlimit.rlim_cur)
}

/// Raises the soft descriptor limit to the hard one (the load tests open thousands of
/// sockets); returns the soft limit now in force.
pub fn raise_fd_limit() -> u64 {
    set_fd_soft_limit(None).1
}

/// The `q` quantile (0 to 1) of `samples`, by the nearest-rank method.
pub fn quantile(samples: &mut [Duration], q: f64) -> Duration {
    assert!(!samples.is_empty());
    samples.sort_unstable();
    let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

/// A server on a multi-thread runtime of its own (its workers serve while the test's own
/// threads play the clients); dropping it shuts the runtime down.
pub struct Background {
    pub addr: SocketAddr,
    pub handle: Handle,
    pub task: Option<kairos::task::JoinHandle<std::io::Result<()>>>,
    pub runtime: kairos::runtime::Runtime,
}

/// Starts the test service (see [`handle`]) on a [`Background`] runtime.
pub fn start_in_background(builder: Builder) -> Background {
    let runtime = kairos::runtime::Runtime::new().unwrap();
    let (addr, handle, task) = runtime.block_on(start(builder));
    Background {
        addr,
        handle,
        task: Some(task),
        runtime,
    }
}

/// A current-thread runtime for a client thread.
pub fn client_runtime() -> kairos::runtime::Runtime {
    kairos::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Sends `GET /` on `client` every `pause` until `stop` is set; returns each request's
/// latency (write to full response).
pub async fn measure_latency(
    client: &mut RawClient,
    pause: Duration,
    stop: &std::sync::atomic::AtomicBool,
) -> Vec<Duration> {
    let mut samples = Vec::new();
    while !stop.load(std::sync::atomic::Ordering::Acquire) {
        let started = std::time::Instant::now();
        client.ask_hello().await;
        samples.push(started.elapsed());
        kairos::time::sleep(pause).await;
    }
    samples
}
