//! The HTTP/1.1 client: a [`Service`] of `Request<B>` to `Response<Body>`, with a pool
//! of keep-alive connections per host. Plain HTTP (`http://` URIs).
//!
//! | setting | default |
//! |---|---|
//! | [`max_idle_per_host`](Builder::max_idle_per_host) | 32 |
//! | [`idle_timeout`](Builder::idle_timeout) | 90 s |
//! | [`connect_timeout`](Builder::connect_timeout) | 10 s |
//! | [`response_timeout`](Builder::response_timeout) | 30 s |
//! | [`max_head_size`](Builder::max_head_size) | 64 KiB |
//! | [`max_headers`](Builder::max_headers) | 100 |

mod conn;
mod pool;

use self::conn::{ClientConn, SendError};
use self::pool::{Key, Pool};
use crate::body::Body;
use crate::error::{BoxError, Error, ErrorKind};
use crate::h1::parse::HeadLimits;
use http::{Request, Response, Uri};
use kairos::net::TcpStream;
use kairos_service::Service;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Default [`Builder::max_idle_per_host`].
pub const DEFAULT_MAX_IDLE_PER_HOST: usize = 32;
/// Default [`Builder::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// Default [`Builder::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default [`Builder::response_timeout`].
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// Configures a [`Client`].
///
/// # Examples
///
/// ```
/// use kairos_http::client::Client;
/// use std::time::Duration;
///
/// let client = Client::builder()
///     .max_idle_per_host(8)
///     .connect_timeout(Duration::from_secs(2))
///     .build();
/// # drop(client);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    max_idle_per_host: usize,
    idle_timeout: Duration,
    connect_timeout: Duration,
    response_timeout: Duration,
    max_head_size: usize,
    max_headers: usize,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder {
            max_idle_per_host: DEFAULT_MAX_IDLE_PER_HOST,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
            max_head_size: crate::server::DEFAULT_MAX_HEAD_SIZE,
            max_headers: crate::server::DEFAULT_MAX_HEADERS,
        }
    }
}

macro_rules! setting {
    ($(#[$doc:meta])* $name:ident: $ty:ty, $example:expr) => {
        $(#[$doc])*
        ///
        /// # Examples
        ///
        /// ```
        /// let client = kairos_http::client::Client::builder()
        #[doc = concat!("    .", stringify!($name), "(", stringify!($example), ")")]
        ///     .build();
        /// # drop(client);
        /// ```
        pub fn $name(mut self, value: $ty) -> Builder {
            self.$name = value;
            self
        }
    };
}

impl Builder {
    setting!(
        /// Most idle connections kept per host (default [`DEFAULT_MAX_IDLE_PER_HOST`]); 0
        /// turns pooling off.
        max_idle_per_host: usize, 4
    );
    setting!(
        /// How long an idle connection stays usable in the pool (default
        /// [`DEFAULT_IDLE_TIMEOUT`]).
        idle_timeout: std::time::Duration, std::time::Duration::from_secs(30)
    );
    setting!(
        /// Longest wait for a TCP connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
        connect_timeout: std::time::Duration, std::time::Duration::from_secs(1)
    );
    setting!(
        /// Longest wait from sending a request to receiving its response head (default
        /// [`DEFAULT_RESPONSE_TIMEOUT`]). The body is read at the caller's pace.
        response_timeout: std::time::Duration, std::time::Duration::from_secs(5)
    );
    setting!(
        /// Largest response head, in bytes (default 64 KiB).
        max_head_size: usize, 16 * 1024
    );
    setting!(
        /// Most header fields in a response (default 100, at most 256).
        max_headers: usize, 50
    );

    /// Builds the client.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = kairos_http::client::Client::builder().build();
    /// # drop(client);
    /// ```
    pub fn build(self) -> Client {
        Client {
            inner: Arc::new(Inner {
                pool: Arc::new(Pool::new(self.max_idle_per_host, self.idle_timeout)),
                limits: HeadLimits {
                    max_request_line: usize::MAX,
                    max_head_size: self.max_head_size,
                    max_headers: self.max_headers,
                },
                connect_timeout: self.connect_timeout,
                response_timeout: self.response_timeout,
            }),
        }
    }
}

struct Inner {
    pool: Arc<Pool>,
    limits: HeadLimits,
    connect_timeout: Duration,
    response_timeout: Duration,
}

/// An HTTP/1.1 client; cheap to clone (clones share the pool).
///
/// Requests need an absolute `http://` URI. The response body streams from the
/// connection; once it has been read to the end, the connection returns to the pool.
///
/// # Examples
///
/// ```no_run
/// use kairos_http::{client::Client, Body};
/// use kairos_service::Service;
///
/// # async fn example() -> Result<(), kairos_http::Error> {
/// let client = Client::new();
/// let request = http::Request::get("http://127.0.0.1:8080/json").body(Body::empty()).unwrap();
/// let response = client.call(request).await?;
/// println!("{}: {:?}", response.status(), response.into_body().collect(1 << 20).await?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Default for Client {
    fn default() -> Client {
        Client::new()
    }
}

impl Client {
    /// A client with the default settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = kairos_http::client::Client::new();
    /// # drop(client);
    /// ```
    pub fn new() -> Client {
        Builder::default().build()
    }

    /// A [`Builder`] with the default settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = kairos_http::client::Client::builder().max_idle_per_host(0).build();
    /// # drop(client);
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Idle pooled connections to `host:port` now.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = kairos_http::client::Client::new();
    /// assert_eq!(client.idle_connections("127.0.0.1", 8080), 0);
    /// ```
    pub fn idle_connections(&self, host: &str, port: u16) -> usize {
        self.inner.pool.idle_count(&(host.to_owned(), port))
    }

    /// Sends `request` and returns the response with its head read.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] for a URI that is not absolute `http://`;
    /// [`ErrorKind::Timeout`] when connecting or the response head takes too long;
    /// [`ErrorKind::Io`], [`ErrorKind::Parse`] or [`ErrorKind::Closed`] when the
    /// connection or the server's answer fails.
    ///
    /// # Examples
    ///
    /// See [`Client`].
    pub async fn request<B>(&self, request: Request<B>) -> Result<Response<Body>, Error>
    where
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        let key = key_of(request.uri())?;
        let inner = &self.inner;
        // A pooled connection may have been closed by the server meanwhile; a request
        // without a body can be sent again on a new one.
        let retryable = request.body().size_hint().exact() == Some(0);
        let (mut conn, reused) = match inner.pool.take(&key) {
            Some(conn) => (conn, true),
            None => (self.connect(&key).await?, false),
        };
        let (parts, body) = request.into_parts();
        let template = retryable.then(|| parts.clone());
        let sent = self
            .send_timed(&mut conn, Request::from_parts(parts, body))
            .await;
        let head = match sent {
            Ok(head) => head,
            Err(SendError::Stale(_)) if reused && template.is_some() => {
                conn = self.connect(&key).await?;
                let retry =
                    Request::from_parts(template.unwrap_or_else(|| unreachable!()), Body::empty());
                match self.send_timed(&mut conn, retry).await {
                    Ok(head) => head,
                    Err(SendError::Stale(err) | SendError::Other(err)) => return Err(err),
                }
            }
            Err(SendError::Stale(err) | SendError::Other(err)) => return Err(err),
        };
        let mut response = Response::new(Body::empty());
        *response.status_mut() = head.status;
        *response.version_mut() = head.version;
        let body = conn.into_body(&head, inner.pool.clone(), key);
        *response.headers_mut() = head.headers;
        *response.body_mut() = body;
        Ok(response)
    }

    async fn send_timed<B>(
        &self,
        conn: &mut ClientConn,
        request: Request<B>,
    ) -> Result<crate::h1::parse::ResponseHead, SendError>
    where
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        let inner = &self.inner;
        match kairos::time::timeout(inner.response_timeout, conn.send(request, &inner.limits)).await
        {
            Ok(result) => result,
            Err(_) => Err(SendError::Other(Error::new(
                ErrorKind::Timeout,
                "no response head within the response timeout",
            ))),
        }
    }

    async fn connect(&self, key: &Key) -> Result<ClientConn, Error> {
        let addr = (key.0.as_str(), key.1);
        match kairos::time::timeout(self.inner.connect_timeout, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => Ok(ClientConn::new(stream)),
            Ok(Err(err)) => Err(Error::io("connecting", err)),
            Err(_) => Err(Error::new(ErrorKind::Timeout, "connect timed out")),
        }
    }
}

fn key_of(uri: &Uri) -> Result<Key, Error> {
    match uri.scheme_str() {
        Some("http") => {}
        Some(_) => {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                "only http:// URIs are supported",
            ))
        }
        None => {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                "the URI must be absolute (http://host/path)",
            ))
        }
    }
    let host = uri
        .host()
        .ok_or(Error::new(ErrorKind::InvalidRequest, "the URI has no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_owned(), uri.port_u16().unwrap_or(80)))
}

impl<B> Service<Request<B>> for Client
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Body>;
    type Error = Error;
    type Future<'a> = Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send + 'a>>;

    fn call(&self, request: Request<B>) -> Self::Future<'_> {
        Box::pin(self.request(request))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("response_timeout", &self.inner.response_timeout)
            .finish_non_exhaustive()
    }
}
