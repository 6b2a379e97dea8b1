//! The HTTP/1.1 server: serves any `Service<Request<Body>>` on TCP listeners.
//!
//! ```text
//! Builder --bind--> Server --serve(service)--> accept task(s) --spawn--> one task per
//!                     |                                                  connection
//!                     +--handle()--> Handle::shutdown(grace)
//! ```
//!
//! Every limit is a [`Builder`] setting with a documented default (the `DEFAULT_*`
//! constants); see the table in [`Builder`].

mod accept;
pub(crate) mod config;
mod connection;
pub mod direct;
mod idle;
pub(crate) mod shutdown;
mod state_slab;

pub use self::config::{
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_DRAIN_LIMIT, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_KEEP_ALIVE_TIMEOUT, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_HEADERS, DEFAULT_MAX_HEAD_SIZE, DEFAULT_MAX_REQUEST_LINE,
    DEFAULT_SHRINK_IDLE_AFTER,
};

use self::config::Config;
use self::shutdown::Tracker;
use crate::body::Body;
use crate::error::BoxError;
use http::{Request, Response};
use kairos::net::{TcpListener, TcpSocket, ToSocketAddrs};
use kairos_service::Service;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Listen backlog of the sockets [`Builder::bind`] creates.
const BACKLOG: u32 = 4096;

/// Configures and binds a [`Server`].
///
/// | setting | default | when exceeded |
/// |---|---|---|
/// | [`max_request_line`](Self::max_request_line) | 8 KiB | 414 URI Too Long |
/// | [`max_head_size`](Self::max_head_size) | 64 KiB | 431 Request Header Fields Too Large |
/// | [`max_headers`](Self::max_headers) | 100 | 431 |
/// | [`max_body_size`](Self::max_body_size) | 16 MiB | 413 Content Too Large |
/// | [`header_read_timeout`](Self::header_read_timeout) | 10 s | 408, connection closed |
/// | [`body_read_timeout`](Self::body_read_timeout) | 30 s | 408 (or, once the response is out, the connection closed) |
/// | [`keep_alive_timeout`](Self::keep_alive_timeout) | 60 s | idle connection closed |
/// | [`max_connections`](Self::max_connections) | 10,000 | accepting pauses |
/// | [`drain_limit`](Self::drain_limit) | 64 KiB | unread body: connection closed |
/// | [`release_idle_buffers`](Self::release_idle_buffers) | `true` | (memory, not a limit) |
/// | [`shrink_idle_after`](Self::shrink_idle_after) | 1 s | (memory, not a limit) |
///
/// # Examples
///
/// ```
/// use kairos_http::server::Server;
/// use std::time::Duration;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let server = Server::builder()
///     .max_body_size(1024 * 1024)
///     .header_read_timeout(Duration::from_secs(5))
///     .bind("127.0.0.1:0")
///     .await?;
/// println!("listening on {}", server.local_addr());
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct Builder {
    config: Config,
}

macro_rules! setting {
    ($(#[$doc:meta])* $name:ident: $ty:ty, $example:expr) => {
        $(#[$doc])*
        ///
        /// # Examples
        ///
        /// ```
        /// let builder = kairos_http::server::Server::builder()
        #[doc = concat!("    .", stringify!($name), "(", stringify!($example), ");")]
        /// # drop(builder);
        /// ```
        pub fn $name(mut self, value: $ty) -> Builder {
            self.config.$name = value;
            self
        }
    };
}

impl Builder {
    setting!(
        /// Longest request target, in bytes (default [`DEFAULT_MAX_REQUEST_LINE`]); a
        /// longer one is answered 414.
        max_request_line: usize, 4096
    );
    setting!(
        /// Longest request head (request line and fields), in bytes (default
        /// [`DEFAULT_MAX_HEAD_SIZE`]); a longer one is answered 431.
        max_head_size: usize, 16 * 1024
    );
    setting!(
        /// Most header fields in a request (default [`DEFAULT_MAX_HEADERS`], at most 256);
        /// more are answered 431.
        max_headers: usize, 50
    );
    setting!(
        /// Largest request body, in bytes (default [`DEFAULT_MAX_BODY_SIZE`]). A declared
        /// `Content-Length` above it is answered 413 before the body is read; a chunked
        /// body that grows past it is cut off with 413.
        max_body_size: u64, 1024 * 1024
    );
    setting!(
        /// How long a client may take to send a complete request head once it has begun
        /// (default [`DEFAULT_HEADER_READ_TIMEOUT`]); a slower client is answered 408 and
        /// closed.
        header_read_timeout: std::time::Duration, std::time::Duration::from_secs(5)
    );
    setting!(
        /// How long the server waits for more of a request body when the client has sent
        /// none of what remains (default [`DEFAULT_BODY_READ_TIMEOUT`]): the clock runs
        /// only while the server wants bytes and the socket has none, not while the
        /// service is slow to read. A client that stalls mid-body is answered 408 and
        /// closed (or just closed, if the response has begun), so it cannot hold a
        /// connection and a service call forever.
        body_read_timeout: std::time::Duration, std::time::Duration::from_secs(10)
    );
    setting!(
        /// How long a kept-alive connection may sit idle between requests (default
        /// [`DEFAULT_KEEP_ALIVE_TIMEOUT`]) before it is closed.
        keep_alive_timeout: std::time::Duration, std::time::Duration::from_secs(30)
    );
    setting!(
        /// Whether connections persist after a response (default `true`); `false` answers
        /// every request with `Connection: close`.
        keep_alive: bool, false
    );
    setting!(
        /// Most connections open at once (default [`DEFAULT_MAX_CONNECTIONS`]); at the
        /// limit the server stops accepting (connections wait in the listen backlog).
        max_connections: usize, 1000
    );
    setting!(
        /// Most bytes of a request body the service did not read that the server skips to
        /// keep the connection open (default [`DEFAULT_DRAIN_LIMIT`]); beyond it the
        /// connection closes after the response.
        drain_limit: u64, 1024
    );
    setting!(
        /// Whether `TCP_NODELAY` is set on accepted connections (default `true`: responses
        /// leave at once rather than waiting for Nagle's algorithm).
        nodelay: bool, true
    );
    setting!(
        /// Whether a kept-alive connection gives up its read and write buffers while it
        /// waits for the next request (default `true`: it saved 10,000 idle connections
        /// 42 MB, docs/RELIABILITY.md). The buffers go to per-thread spares
        /// that the next busy connection takes back, but that still costs a small request
        /// about 7% more instructions; a server that is never idle (a benchmark) can keep
        /// them with `false`.
        release_idle_buffers: bool, false
    );
    setting!(
        /// How long a kept-alive connection waits for its next request before it shrinks
        /// (default [`DEFAULT_SHRINK_IDLE_AFTER`]; `None`: never; zero: whenever it waits,
        /// which costs every request a new box and timer). A connection's task
        /// is small; what serves requests (about 2 KB, more with a large service future)
        /// is boxed while the connection is busy, in chunks of its own that go back to the
        /// system once a burst is over. A shrunk connection keeps only its socket (its
        /// keep-alive deadline is kept by one sweeper task per server, which closes it
        /// up to a 64th of the keep-alive timeout late), and gets a new box when the next
        /// request starts to arrive. A connection busy more often than this never
        /// shrinks: the setting costs a busy server one timer wake-up per connection per
        /// period. 10,000 idle connections hold about 2.4 MB instead of 23 MB
        /// (docs/RELIABILITY.md, idle load).
        shrink_idle_after: Option<std::time::Duration>, Some(std::time::Duration::from_millis(200))
    );

    /// How many listening sockets [`bind`](Self::bind) opens on the address: 1 (one
    /// listener, one accept task; the default, see docs/DESIGN.md "HTTP") or more with
    /// `SO_REUSEPORT`, the kernel spreading connections over them, each with its own
    /// accept task.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = kairos_http::server::Server::builder().listeners(4);
    /// # drop(builder);
    /// ```
    pub fn listeners(mut self, count: usize) -> Builder {
        self.config.listeners = Some(count.max(1));
        self
    }

    /// Whether [`bind`](Self::bind) sets `SO_REUSEPORT` even on a single listener
    /// (default `false`; always set with several [`listeners`](Self::listeners)), so
    /// that several servers, one per thread and runtime, can listen on the same port and
    /// let the kernel spread connections over them (see `apps/techempower --per-core`).
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = kairos_http::server::Server::builder().reuseport(true);
    /// # drop(builder);
    /// ```
    pub fn reuseport(mut self, reuseport: bool) -> Builder {
        self.config.reuseport = reuseport;
        self
    }

    /// Answers the requests `direct` takes before the service sees them, without
    /// building `http` types (default: none; every request goes to the service). See
    /// [module `direct`](self::direct): the server's fast path for fixed and small answers.
    ///
    /// # Examples
    ///
    /// See [`DirectAnswer`](self::direct::DirectAnswer).
    pub fn direct(mut self, direct: impl direct::DirectAnswer) -> Builder {
        self.config.direct = Some(direct::Direct(Arc::new(direct)));
        self
    }

    /// Binds the listening socket(s).
    ///
    /// # Errors
    ///
    /// Resolving or binding the address failed (`AddrInUse`, ...), or there is no
    /// runtime with I/O enabled.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = kairos_http::server::Server::builder().bind("127.0.0.1:0").await?;
    /// assert!(server.local_addr().port() != 0);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn bind(self, addr: impl ToSocketAddrs) -> io::Result<Server> {
        let count = self.config.listeners.unwrap_or(1);
        let mut last_err = None;
        for addr in kairos::net::lookup_host(addr).await? {
            match bind_all(addr, count, self.config.reuseport) {
                Ok(listeners) => return self.serve_on(listeners),
                Err(err) => last_err = Some(err),
            }
        }
        Err(last_err.unwrap_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "address resolved to nothing")
        }))
    }

    /// Uses a listener bound elsewhere.
    ///
    /// # Errors
    ///
    /// Reading the listener's local address failed.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let listener = kairos::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let server = kairos_http::server::Server::builder().listener(listener)?;
    /// # drop(server);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn listener(self, listener: TcpListener) -> io::Result<Server> {
        self.serve_on(vec![listener])
    }

    fn serve_on(self, listeners: Vec<TcpListener>) -> io::Result<Server> {
        let local_addr = listeners[0].local_addr()?;
        let tracker = Arc::new(Tracker::new(self.config.max_connections));
        Ok(Server {
            listeners,
            local_addr,
            config: Arc::new(self.config),
            handle: Handle {
                tracker,
                grace: Arc::new(Mutex::new(None)),
            },
        })
    }
}

/// Binds `count` listeners on `addr` (with `SO_REUSEPORT` when more than one; the later
/// ones on the port the first got, should `addr` ask for port 0).
fn bind_all(mut addr: SocketAddr, count: usize, reuseport: bool) -> io::Result<Vec<TcpListener>> {
    let mut listeners = Vec::with_capacity(count);
    for _ in 0..count {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        if count > 1 || reuseport {
            socket.set_reuseport(true)?;
        }
        socket.bind(addr)?;
        let listener = socket.listen(BACKLOG)?;
        addr = listener.local_addr()?;
        listeners.push(listener);
    }
    Ok(listeners)
}

/// A bound HTTP/1.1 server; [`serve`](Self::serve) runs it.
///
/// # Examples
///
/// ```
/// use http::{Request, Response};
/// use kairos_http::{server::Server, Body};
/// use kairos_service::service_fn;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let server = Server::bind("127.0.0.1:0").await?;
/// let handle = server.handle();
/// let task = kairos::spawn(server.serve(service_fn(|_req: Request<Body>| async {
///     Ok::<_, std::convert::Infallible>(Response::new(Body::from("hello")))
/// })));
/// handle.shutdown(std::time::Duration::from_secs(1));
/// task.await.unwrap()?;
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub struct Server {
    listeners: Vec<TcpListener>,
    local_addr: SocketAddr,
    config: Arc<Config>,
    handle: Handle,
}

impl Server {
    /// A [`Builder`] with the default settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let builder = kairos_http::server::Server::builder().max_headers(32);
    /// # drop(builder);
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Binds with the default settings; see [`Builder::bind`].
    ///
    /// # Errors
    ///
    /// As [`Builder::bind`].
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = kairos_http::server::Server::bind("127.0.0.1:0").await?;
    /// # drop(server);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        Builder::default().bind(addr).await
    }

    /// The address the server listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = kairos_http::server::Server::bind("127.0.0.1:0").await?;
    /// assert!(server.local_addr().ip().is_loopback());
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A handle to shut the server down from elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let server = kairos_http::server::Server::bind("127.0.0.1:0").await?;
    /// let handle = server.handle();
    /// handle.shutdown(std::time::Duration::from_secs(5)); // before serving: returns at once
    /// let done = kairos::spawn(server.serve(kairos_service::service_fn(
    ///     |_req: http::Request<kairos_http::Body>| async {
    ///         Ok::<_, std::convert::Infallible>(http::Response::new(kairos_http::Body::empty()))
    ///     },
    /// )));
    /// done.await.unwrap()?;
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Serves `service` until [`Handle::shutdown`]: one task per connection, the
    /// service shared by all. Returns once every connection has ended.
    ///
    /// The service's futures must be `Send` (connections run on any worker); see
    /// `kairos_service::Service` for why that bound is stated this way.
    ///
    /// # Errors
    ///
    /// None today (accept errors are retried, with a back-off when out of descriptors);
    /// the `Result` leaves room for listener failures that cannot be retried.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub async fn serve<S, B>(self, service: S) -> io::Result<()>
    where
        S: Service<Request<Body>, Response = Response<B>> + Send + Sync + 'static,
        for<'a> S::Future<'a>: Send,
        S::Error: Into<BoxError>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let service = Arc::new(service);
        let tracker = self.handle.tracker.clone();
        let accepts: Vec<_> = self
            .listeners
            .into_iter()
            .map(|listener| {
                kairos::spawn(accept::accept_loop(
                    Arc::new(listener),
                    service.clone(),
                    self.config.clone(),
                    tracker.clone(),
                ))
            })
            .collect();
        // Shrunk connections keep no timer: one task closes them at their deadline.
        let sweeper = self.config.shrinks().then(|| {
            let granularity = idle::granularity(self.config.keep_alive_timeout);
            kairos::spawn(idle::sweep_idle(tracker.clone(), granularity))
        });
        for accept in accepts {
            let _ = accept.await;
        }
        if let Some(sweeper) = sweeper {
            // Draining wakes it, and it ends.
            let _ = sweeper.await;
        }
        // Draining: idle connections are closing; busy ones finish their request.
        let grace = self.handle.grace();
        let all_closed = poll_fn(|cx| tracker.poll_all_closed(cx));
        if kairos::time::timeout(grace, all_closed).await.is_err() {
            tracker.advance(true);
            poll_fn(|cx| tracker.poll_all_closed(cx)).await;
        }
        service.close();
        Ok(())
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("listeners", &self.listeners.len())
            .finish_non_exhaustive()
    }
}

/// Shuts a [`Server`] down; clone it freely.
#[derive(Clone)]
pub struct Handle {
    tracker: Arc<Tracker>,
    grace: Arc<Mutex<Option<Duration>>>,
}

impl Handle {
    /// Starts a graceful shutdown: the server stops accepting, closes idle connections
    /// at once, lets requests in progress finish (their responses carry
    /// `Connection: close`), and after `grace` closes whatever is left. The
    /// [`Server::serve`] future completes when every connection has ended.
    ///
    /// # Examples
    ///
    /// See [`Server`].
    pub fn shutdown(&self, grace: Duration) {
        *self.grace.lock().unwrap_or_else(|e| e.into_inner()) = Some(grace);
        self.tracker.advance(false);
    }

    fn grace(&self) -> Duration {
        self.grace
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_default()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("draining", &self.tracker.is_draining())
            .finish()
    }
}
