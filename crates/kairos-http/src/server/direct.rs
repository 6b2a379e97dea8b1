//! Direct answers: requests a server answers at once, from the bytes it read, without
//! building `http` types or calling the service.
//!
//! A [`DirectAnswer`] set with [`Builder::direct`](super::Builder::direct) is offered each
//! request that passed every rule of the parser (the same rules, limits and refusals as
//! any request: a request the parser refuses never reaches it), has no body, and has an
//! origin-form target (`/path?query`) of plain URI characters. It sees the request as
//! a [`RawRequest`] borrowed from the connection's read buffer and either writes the whole
//! response through [`RawResponse::send`], straight into the connection's write buffer,
//! or declines (returns `None`) and the request goes to the service as usual. Responses
//! stay in request order whichever answers them.
//!
//! It is the server's fast path: the `http::Request`, its `HeaderMap` and `Uri`, the
//! response's `HeaderMap`, the service's future and the body encoder are what a typical
//! small request costs most of (docs/BENCHMARKS.md, HTTP), and an answer that needs none
//! of them (a health check, a fixed page, a small serialized value) skips them all. The
//! server still writes the framing fields (`Content-Length`, `Connection`) and `Date`,
//! decides whether the connection persists, answers `HEAD` without the body, and turns a
//! panic into a 500 that closes the connection, exactly as for a service's response.

use crate::h1::encode::{self, Framing, Persist};
use http::header::{HeaderName, HeaderValue};
use http::{Method, StatusCode, Version};
use std::fmt;
use std::sync::Arc;

/// Answers some requests directly; see the [module docs](self).
///
/// Implemented for every `Fn(&RawRequest<'_>, RawResponse<'_>) -> Option<Written>`
/// closure that is `Send + Sync + 'static`.
///
/// # Examples
///
/// ```
/// use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
/// use http::StatusCode;
/// use kairos_http::server::{direct::{RawRequest, RawResponse, Written}, Server};
///
/// static TEXT: [(HeaderName, HeaderValue); 1] =
///     [(CONTENT_TYPE, HeaderValue::from_static("text/plain"))];
///
/// fn health(request: &RawRequest<'_>, response: RawResponse<'_>) -> Option<Written> {
///     match request.path() {
///         "/health" => Some(response.send(StatusCode::OK, &TEXT, b"ok")),
///         _ => None, // everything else goes to the service
///     }
/// }
///
/// let builder = Server::builder().direct(health);
/// # drop(builder);
/// ```
pub trait DirectAnswer: Send + Sync + 'static {
    /// Answers `request` through `response` (`Some`), or leaves it to the service
    /// (`None`: nothing is written).
    fn answer(&self, request: &RawRequest<'_>, response: RawResponse<'_>) -> Option<Written>;
}

impl<F> DirectAnswer for F
where
    F: Fn(&RawRequest<'_>, RawResponse<'_>) -> Option<Written> + Send + Sync + 'static,
{
    fn answer(&self, request: &RawRequest<'_>, response: RawResponse<'_>) -> Option<Written> {
        self(request, response)
    }
}

/// A request head as it lies in the connection's read buffer: nothing copied, nothing
/// allocated. It passed every rule a request is checked against, it has no body, and
/// its target is in origin form (it starts with `/`).
pub struct RawRequest<'a> {
    pub(crate) method: &'a Method,
    pub(crate) target: &'a str,
    /// Where the path ends in `target` (at the `?`, or its end).
    pub(crate) path_len: usize,
    pub(crate) version: Version,
    pub(crate) fields: &'a [httparse::Header<'a>],
}

impl<'a> RawRequest<'a> {
    /// The method.
    pub fn method(&self) -> &'a Method {
        self.method
    }

    /// The request target as sent: the path and the query, if any (`/a/b?c=d`).
    pub fn target(&self) -> &'a str {
        self.target
    }

    /// The path (the target up to a `?`).
    pub fn path(&self) -> &'a str {
        &self.target[..self.path_len]
    }

    /// The query (after the first `?`), if the target has one.
    pub fn query(&self) -> Option<&'a str> {
        self.target.get(self.path_len + 1..)
    }

    /// `HTTP/1.1` or `HTTP/1.0`.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The value of the first field named `name` (compared without regard to case).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// Every field, in the order sent: name (as sent) and value.
    pub fn headers(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        self.fields.iter().map(|field| (field.name, field.value))
    }
}

impl fmt::Debug for RawRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", self.method)
            .field("target", &self.target)
            .field("version", &self.version)
            .field("fields", &self.fields.len())
            .finish()
    }
}

/// Where a direct answer is written: the connection's write buffer, behind the
/// responses to earlier requests.
pub struct RawResponse<'a> {
    pub(crate) out: &'a mut Vec<u8>,
    pub(crate) date: &'a [u8; crate::h1::date::DATE_LEN],
    pub(crate) persist: Persist,
    pub(crate) head_only: bool,
}

impl RawResponse<'_> {
    /// Writes the whole response: the status line, `fields`, the framing fields and
    /// `Date` (unless `fields` has one), then `body`.
    ///
    /// The server frames the body itself: a `Content-Length`, `Transfer-Encoding` or
    /// `Connection` among `fields` is left out. The body is not sent in answer to `HEAD`
    /// (its length is), nor with a status that has none (1xx, 204, 304).
    pub fn send(
        self,
        status: StatusCode,
        fields: &[(HeaderName, HeaderValue)],
        body: &[u8],
    ) -> Written {
        let framing = framing(status, body);
        let fields = fields.iter().map(|(name, value)| (name, value));
        encode::response_head(self.out, status, fields, framing, self.persist, self.date);
        self.body(framing, body)
    }

    /// Like [`send`](Self::send), with a status and fields encoded beforehand: the
    /// head is copied, not encoded (the framing fields and `Date` are still the
    /// server's).
    ///
    /// # Examples
    ///
    /// ```
    /// use http::header::{HeaderValue, CONTENT_TYPE};
    /// use http::StatusCode;
    /// use kairos_http::server::direct::{PreparedHead, RawRequest, RawResponse, Written};
    /// use std::sync::LazyLock;
    ///
    /// static TEXT: LazyLock<PreparedHead> = LazyLock::new(|| {
    ///     PreparedHead::new(StatusCode::OK, &[(CONTENT_TYPE, HeaderValue::from_static("text/plain"))])
    /// });
    ///
    /// fn hello(request: &RawRequest<'_>, response: RawResponse<'_>) -> Option<Written> {
    ///     (request.path() == "/hello").then(|| response.send_prepared(&TEXT, b"Hello!"))
    /// }
    /// # drop(kairos_http::server::Server::builder().direct(hello));
    /// ```
    pub fn send_prepared(self, head: &PreparedHead, body: &[u8]) -> Written {
        let framing = framing(head.status, body);
        // One reservation for everything (the framing fields and `Date` take < 100).
        self.out.reserve(head.bytes.len() + 100 + body.len());
        self.out.extend_from_slice(&head.bytes);
        let date = (!head.has_date).then_some(self.date);
        encode::end_head(self.out, framing, self.persist, date);
        self.body(framing, body)
    }

    fn body(self, framing: Framing, body: &[u8]) -> Written {
        if framing != Framing::None && !self.head_only {
            self.out.extend_from_slice(body);
        }
        Written { _sent: () }
    }
}

/// A body's framing under `status`: none for the statuses that have no body.
fn framing(status: StatusCode, body: &[u8]) -> Framing {
    if encode::status_has_body(status) {
        Framing::Length(body.len() as u64)
    } else {
        Framing::None
    }
}

/// A status and fields encoded once, for [`RawResponse::send_prepared`].
#[derive(Clone)]
pub struct PreparedHead {
    status: StatusCode,
    /// The status line and the fields (less framing fields).
    bytes: Box<[u8]>,
    has_date: bool,
}

impl PreparedHead {
    /// Encodes `status` and `fields` (a `Content-Length`, `Transfer-Encoding` or
    /// `Connection` among them is left out: the server writes those).
    pub fn new(status: StatusCode, fields: &[(HeaderName, HeaderValue)]) -> PreparedHead {
        let mut bytes = Vec::new();
        encode::status_line(&mut bytes, status);
        let has_date = encode::caller_fields(&mut bytes, fields.iter().map(|(n, v)| (n, v)));
        PreparedHead {
            status,
            bytes: bytes.into_boxed_slice(),
            has_date,
        }
    }
}

impl fmt::Debug for PreparedHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedHead")
            .field("head", &String::from_utf8_lossy(&self.bytes))
            .finish()
    }
}

impl fmt::Debug for RawResponse<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("persist", &self.persist)
            .field("head_only", &self.head_only)
            .finish_non_exhaustive()
    }
}

/// Proof that a response was written: only [`RawResponse::send`] makes one.
#[derive(Debug)]
pub struct Written {
    _sent: (),
}

/// A server's direct answer, shared by its connections.
#[derive(Clone)]
pub(crate) struct Direct(pub(crate) Arc<dyn DirectAnswer>);

impl fmt::Debug for Direct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Direct(..)")
    }
}
