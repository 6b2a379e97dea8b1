//! One client connection: writes a request, reads the response head, and streams the
//! response body, handing the connection back to the pool when the body ends cleanly.

use super::pool::{Key, Pool};
use crate::body::Body;
use crate::error::{BoxError, Error, ErrorKind};
use crate::h1::decode::{Decoded, Decoder};
use crate::h1::encode::{self, Encoder, Framing, Persist};
use crate::h1::io::Buffered;
use crate::h1::parse::{self, BodyLength, HeadLimits, ResponseHead};
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body::Frame;
use kairos::net::TcpStream;
use std::future::poll_fn;
use std::os::fd::AsRawFd;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

/// A connection to one host.
pub(crate) struct ClientConn {
    io: Buffered<TcpStream>,
}

/// How sending went wrong: before the server could have seen the request (safe to retry
/// on a new connection) or after.
pub(crate) enum SendError {
    /// Nothing of a response arrived and the connection failed: it was likely stale.
    Stale(Error),
    Other(Error),
}

impl ClientConn {
    pub(crate) fn new(stream: TcpStream) -> ClientConn {
        let _ = stream.set_nodelay(true);
        ClientConn {
            io: Buffered::new(stream),
        }
    }

    /// Writes `request` and reads the response head (skipping interim `1xx` responses; a
    /// `101` is an error).
    pub(crate) async fn send<B>(
        &mut self,
        request: Request<B>,
        limits: &HeadLimits,
    ) -> Result<ResponseHead, SendError>
    where
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        let (parts, body) = request.into_parts();
        let framing = match body.size_hint().exact() {
            Some(0) if !matches!(parts.method, Method::POST | Method::PUT | Method::PATCH) => {
                Framing::None
            }
            Some(n) => Framing::Length(n),
            None => Framing::Chunked,
        };
        encode::request_head(
            self.io.write_buf.flat(),
            &parts.method,
            &parts.uri,
            &parts.headers,
            framing,
            persist_of(&parts.headers),
        );
        let mut encoder = Encoder::new(framing);
        let mut body = pin!(body);
        loop {
            // Only data goes on (trailers are not sent); the error is converted at once so
            // that nothing of the body's own types is held across an await.
            let next = poll_fn(|cx| {
                body.as_mut().poll_frame(cx).map(|frame| match frame {
                    None => Ok(None),
                    Some(Ok(frame)) => Ok(Some(frame.into_data().ok())),
                    Some(Err(e)) => Err(Error::with_source(ErrorKind::User, "request body", e)),
                })
            })
            .await
            .map_err(SendError::Other)?;
            let Some(data) = next else { break };
            if let Some(data) = data {
                encoder
                    .data(data, &mut self.io.write_buf)
                    .map_err(|e| SendError::Other(Error::new(ErrorKind::Body, e.0)))?;
            }
            if self.io.write_buf.len() >= 64 * 1024 {
                self.flush().await?;
            }
        }
        encoder
            .finish(&mut self.io.write_buf)
            .map_err(|e| SendError::Other(Error::new(ErrorKind::Body, e.0)))?;
        self.flush().await?;
        let mut got_bytes = false;
        loop {
            match parse::parse_response(&mut self.io.read_buf, limits, &parts.method) {
                // This client offers no way to take the connection over for another
                // protocol, so it never asks for one.
                Ok(Some(head)) if head.status == StatusCode::SWITCHING_PROTOCOLS => {
                    return Err(SendError::Other(Error::new(
                        ErrorKind::Parse,
                        "101 Switching Protocols to a request that asked for no upgrade",
                    )))
                }
                Ok(Some(head)) if head.status.is_informational() => continue,
                Ok(Some(head)) => return Ok(head),
                Ok(None) => {}
                Err(err) => return Err(SendError::Other(Error::new(ErrorKind::Parse, err.reason))),
            }
            match poll_fn(|cx| self.io.poll_read_more(cx)).await {
                Ok(0) if !got_bytes => {
                    return Err(SendError::Stale(Error::new(
                        ErrorKind::Closed,
                        "connection closed before the response",
                    )))
                }
                Ok(0) => {
                    return Err(SendError::Other(Error::new(
                        ErrorKind::Closed,
                        "connection closed inside the response head",
                    )))
                }
                Ok(_) => got_bytes = true,
                Err(err) if !got_bytes => {
                    return Err(SendError::Stale(Error::io("reading the response", err)))
                }
                Err(err) => return Err(SendError::Other(Error::io("reading the response", err))),
            }
        }
    }

    async fn flush(&mut self) -> Result<(), SendError> {
        poll_fn(|cx| self.io.poll_flush(cx))
            .await
            .map_err(|err| SendError::Stale(Error::io("writing the request", err)))
    }

    /// The response body for `head`: already complete when it is all buffered (the
    /// connection then goes straight back to the pool), otherwise streaming.
    pub(crate) fn into_body(mut self, head: &ResponseHead, pool: Arc<Pool>, key: Key) -> Body {
        let reusable = head.keep_alive;
        let decoder = match head.body {
            BodyLength::Known(0) => {
                self.release(reusable, &pool, key);
                return Body::empty();
            }
            BodyLength::Known(n) if n <= self.io.read_buf.len() as u64 => {
                let bytes = self.io.read_buf.split_to(n as usize).freeze();
                self.release(reusable, &pool, key);
                return Body::from(bytes);
            }
            BodyLength::Known(n) => Decoder::length(n),
            BodyLength::Chunked => Decoder::chunked(),
            BodyLength::UntilClose => Decoder::until_close(),
        };
        Body::stream(ResponseBody {
            conn: Some(self),
            decoder,
            reusable,
            pool,
            key,
        })
    }

    /// Whether the server has neither sent anything nor closed the connection since its
    /// last response: asked of an idle connection before it is used again. Bytes nobody
    /// asked for would be read as the next request's response; a closed connection would
    /// fail a request that cannot be sent again. One non-blocking peek at the socket, so
    /// it does not depend on the reactor having seen the event yet.
    pub(crate) fn peer_is_quiet(&self) -> bool {
        let mut byte = 0u8;
        // SAFETY: the descriptor belongs to the stream `self` owns, open for this call;
        // the buffer is one byte on this stack frame, and `MSG_PEEK | MSG_DONTWAIT`
        // neither consumes input nor blocks.
        let peeked = unsafe {
            libc::recv(
                self.io.io.as_raw_fd(),
                (&raw mut byte).cast(),
                1,
                libc::MSG_PEEK | libc::MSG_DONTWAIT,
            )
        };
        peeked < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::WouldBlock
    }

    fn release(self, reusable: bool, pool: &Pool, key: Key) {
        if reusable && self.io.read_buf.is_empty() {
            pool.put(key, self);
        }
    }
}

/// `Connection: close` if the caller asked for it, else keep-alive.
fn persist_of(headers: &http::HeaderMap) -> Persist {
    let close = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
    if close {
        Persist::Close
    } else {
        Persist::KeepAlive
    }
}

/// A response body read straight off its connection.
struct ResponseBody {
    conn: Option<ClientConn>,
    decoder: Decoder,
    reusable: bool,
    pool: Arc<Pool>,
    key: Key,
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        let Some(conn) = this.conn.as_mut() else {
            return Poll::Ready(None);
        };
        loop {
            match this.decoder.decode(&mut conn.io.read_buf) {
                Ok(Decoded::Data(data)) => return Poll::Ready(Some(Ok(Frame::data(data)))),
                Ok(Decoded::Done) => {
                    if let Some(conn) = this.conn.take() {
                        conn.release(this.reusable, &this.pool, this.key.clone());
                    }
                    return Poll::Ready(None);
                }
                Ok(Decoded::NeedMore) => {}
                Err(err) => {
                    this.conn = None;
                    return Poll::Ready(Some(Err(Error::new(ErrorKind::Body, err.0))));
                }
            }
            match ready!(conn.io.poll_read_more(cx)) {
                Ok(0) => {
                    let ended = this.decoder.at_eof();
                    this.conn = None;
                    return Poll::Ready(match ended {
                        Ok(()) => None,
                        Err(err) => Some(Err(Error::new(ErrorKind::Body, err.0))),
                    });
                }
                Ok(_) => {}
                Err(err) => {
                    this.conn = None;
                    return Poll::Ready(Some(Err(Error::io("reading the response body", err))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.conn.is_none() || self.decoder.is_done()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self.decoder.remaining() {
            Some(n) => http_body::SizeHint::with_exact(n),
            None => http_body::SizeHint::default(),
        }
    }
}
