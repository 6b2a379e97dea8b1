//! [`Body`]: the body type of requests the server hands to services and of responses the
//! client returns; also a convenient body for responses.

mod pipe;

pub(crate) use self::pipe::{Pipe, Taken};

use crate::error::{BoxError, Error, ErrorKind};
use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A body of bytes: empty, whole, or streaming from a connection.
///
/// The server gives services `Request<Body>`; the client returns `Response<Body>`. Build
/// one from bytes with `From` (`&'static str`, `String`, `Vec<u8>`, `Bytes`), or wrap any
/// [`http_body::Body`] with [`Body::wrap`]. Read one with [`Body::collect`] or as an
/// [`http_body::Body`].
///
/// # Examples
///
/// ```
/// use kairos_http::Body;
///
/// # kairos::runtime::Runtime::new().unwrap().block_on(async {
/// let body = Body::from("hello");
/// assert_eq!(http_body::Body::size_hint(&body).exact(), Some(5));
/// assert_eq!(body.collect(1024).await.unwrap(), "hello");
/// # });
/// ```
pub struct Body {
    kind: Kind,
}

enum Kind {
    Empty,
    Full(Bytes),
    Pipe { pipe: Arc<Pipe>, len: Option<u64> },
    Boxed(Pin<Box<dyn http_body::Body<Data = Bytes, Error = Error> + Send + Sync>>),
}

impl Body {
    /// A body with no bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(http_body::Body::is_end_stream(&kairos_http::Body::empty()));
    /// ```
    pub fn empty() -> Body {
        Body { kind: Kind::Empty }
    }

    /// Wraps any body whose data is `Bytes` (a stream of chunks, say); the server sends
    /// it chunked unless its size hint is exact. (`Sync` is asked so that `Body`, and so
    /// `Request<Body>`, can be shared by reference across an `.await` in `Send` futures.)
    ///
    /// # Examples
    ///
    /// ```
    /// use kairos_http::Body;
    ///
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let inner = http_body_util::Full::new(bytes::Bytes::from_static(b"wrapped"));
    /// assert_eq!(Body::wrap(inner).collect(100).await.unwrap(), "wrapped");
    /// # });
    /// ```
    pub fn wrap<B>(body: B) -> Body
    where
        B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        Body {
            kind: Kind::Boxed(Box::pin(MapErr(Box::pin(body)))),
        }
    }

    /// A body already yielding this crate's errors.
    pub(crate) fn stream<B>(body: B) -> Body
    where
        B: http_body::Body<Data = Bytes, Error = Error> + Send + Sync + 'static,
    {
        Body {
            kind: Kind::Boxed(Box::pin(body)),
        }
    }

    pub(crate) fn pipe(pipe: Arc<Pipe>, len: Option<u64>) -> Body {
        Body {
            kind: Kind::Pipe { pipe, len },
        }
    }

    /// Reads the whole body into one `Bytes`, refusing more than `limit` bytes.
    ///
    /// # Errors
    ///
    /// The body's own error, or [`ErrorKind::Body`] if it holds more than `limit` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// # kairos::runtime::Runtime::new().unwrap().block_on(async {
    /// let body = kairos_http::Body::from(vec![b'x'; 10]);
    /// assert!(body.collect(5).await.is_err());
    /// # });
    /// ```
    pub async fn collect(mut self, limit: usize) -> Result<Bytes, Error> {
        if let Kind::Full(bytes) = &self.kind {
            if bytes.len() > limit {
                return Err(Error::new(ErrorKind::Body, "body larger than the limit"));
            }
        }
        let mut first: Option<Bytes> = None;
        let mut rest = BytesMut::new();
        let mut total = 0usize;
        while let Some(frame) =
            std::future::poll_fn(|cx| http_body::Body::poll_frame(Pin::new(&mut self), cx)).await
        {
            let Ok(data) = frame?.into_data() else {
                continue;
            };
            total += data.len();
            if total > limit {
                return Err(Error::new(ErrorKind::Body, "body larger than the limit"));
            }
            match &first {
                None if rest.is_empty() => first = Some(data),
                _ => {
                    if let Some(first) = first.take() {
                        rest.extend_from_slice(&first);
                    }
                    rest.extend_from_slice(&data);
                }
            }
        }
        Ok(first.unwrap_or_else(|| rest.freeze()))
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::empty()
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        if let Kind::Pipe { pipe, .. } = &self.kind {
            pipe.drop_reader();
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        if bytes.is_empty() {
            Body::empty()
        } else {
            Body {
                kind: Kind::Full(bytes),
            }
        }
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Body::from(Bytes::from_static(s.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Body {
        Body::from(Bytes::from_static(s))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::from(Bytes::from(s))
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Body {
        Body::from(Bytes::from(v))
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match &mut self.kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full(_) => {
                let Kind::Full(bytes) = std::mem::replace(&mut self.kind, Kind::Empty) else {
                    unreachable!("matched above")
                };
                Poll::Ready(Some(Ok(Frame::data(bytes))))
            }
            Kind::Pipe { pipe, .. } => pipe.poll_take(cx).map(|taken| match taken {
                Taken::Data(data) => Some(Ok(Frame::data(data))),
                Taken::End => None,
                Taken::Error(reason) => Some(Err(Error::new(ErrorKind::Body, reason))),
            }),
            Kind::Boxed(body) => body.as_mut().poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(_) => false,
            Kind::Pipe { pipe, len } => *len == Some(0) || pipe.is_end(),
            Kind::Boxed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full(bytes) => SizeHint::with_exact(bytes.len() as u64),
            Kind::Pipe { len: Some(n), .. } => SizeHint::with_exact(*n),
            Kind::Pipe { len: None, .. } => SizeHint::default(),
            Kind::Boxed(body) => body.size_hint(),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Empty => "empty",
            Kind::Full(_) => "full",
            Kind::Pipe { .. } => "streaming",
            Kind::Boxed(_) => "wrapped",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("size_hint", &http_body::Body::size_hint(self))
            .finish()
    }
}

/// Maps a wrapped body's error into [`Error`]. The inner body is boxed so that this
/// wrapper is `Unpin` and needs no pin projection.
struct MapErr<B>(Pin<Box<B>>);

impl<B> http_body::Body for MapErr<B>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        self.0.as_mut().poll_frame(cx).map(|frame| {
            frame.map(|result| result.map_err(|e| Error::with_source(ErrorKind::User, "body", e)))
        })
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0.size_hint()
    }
}
