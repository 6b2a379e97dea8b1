//! The one place that knows about [`Service`]: turns each request head from the
//! connection into an `http::Request`, calls the service, and writes its response back
//! through the connection.
//!
//! Requests on a connection are answered in order, one service call at a time (HTTP/1.1
//! pipelining requires responses in request order). While the service's future runs, the
//! dispatcher also moves the request's body from the socket into the body the service
//! reads. A panic in the service's future (or in the response body) is caught: the client
//! gets a 500 (or, if the head is already out, a closed connection) and the process and
//! the other connections go on.

use super::conn::{BodyStart, Conn, IdleConn, Next, RequestMeta, Streaming, HANDLER_FAILED};
use super::encode::{Encoder, Framing, Persist};
use super::parse::{HeadError, RequestHead};
use crate::body::Body;
use crate::error::BoxError;
use http::{Request, Response};
use kairos::io::{AsyncWrite, ReadUninit};
use kairos_service::Service;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

/// What came of calling the service.
enum Outcome<B> {
    Response(Response<B>),
    /// The service failed or panicked: answer 500 and close.
    Failed,
    /// The request's body broke its framing or a limit while the service ran.
    BadBody(HeadError),
}

/// Serves requests on `conn` until the connection ends, or until it has been idle for
/// the `shrink_idle_after` setting: then it is handed back in its idle form, for the caller
/// to wait on in a smaller task.
pub(crate) async fn serve_connection<T, S, B>(mut conn: Conn<T>, service: &S) -> Option<IdleConn<T>>
where
    T: ReadUninit + AsyncWrite + Unpin,
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    loop {
        let head = match poll_fn(|cx| conn.poll_head(cx)).await {
            Next::Request(head) => head,
            Next::Closed => return None,
            Next::Close => {
                close(&mut conn).await;
                return None;
            }
            Next::Shrink => return Some(conn.into_idle()),
            Next::Refuse(err) => {
                refuse(&mut conn, err).await;
                return None;
            }
        };
        let meta = RequestMeta {
            method: head.method.clone(),
            version: head.version,
            keep_alive: head.keep_alive,
        };
        let (body, mut streaming) = match conn.body_for(&head) {
            Ok(BodyStart::Empty) => (Body::empty(), None),
            Ok(BodyStart::Full(bytes)) => (Body::from(bytes), None),
            Ok(BodyStart::Stream(streaming)) => {
                let len = match head.body {
                    super::parse::BodyLength::Known(n) => Some(n),
                    _ => None,
                };
                (Body::pipe(streaming.pipe.clone(), len), Some(streaming))
            }
            Err(err) => {
                refuse(&mut conn, err).await;
                return None;
            }
        };
        // The service's future lives in this function's own state (no inner async fn to
        // move it and the request into): polled by `poll_call`.
        let mut future = pin!(service.call(request(head, body)));
        let outcome = poll_fn(|cx| poll_call(cx, future.as_mut(), &mut conn, &mut streaming)).await;
        let response = match outcome {
            Outcome::Response(response) => response,
            Outcome::Failed => {
                refuse(&mut conn, HANDLER_FAILED).await;
                return None;
            }
            Outcome::BadBody(err) => {
                refuse(&mut conn, err).await;
                return None;
            }
        };
        let (parts, body) = response.into_parts();
        let (framing, persist) = write_head(&mut conn, &meta, &parts, &body, &mut streaming);
        // The response's map, emptied, serves the next request's fields.
        super::pool::give_header_map(parts.headers);
        if meta.method != http::Method::HEAD && framing != Framing::None {
            let mut body = pin!(body);
            let mut encoder = Encoder::new(framing);
            let written = poll_fn(|cx| {
                poll_write_body(cx, body.as_mut(), &mut encoder, &mut conn, &mut streaming)
            })
            .await;
            if !written {
                // The head is out: a failed body can only end the connection.
                close(&mut conn).await;
                return None;
            }
        }
        if persist == Persist::Close {
            close(&mut conn).await;
            return None;
        }
        if let Some(body) = streaming.as_mut() {
            if !body.is_done() && !poll_fn(|cx| conn.poll_drain(cx, body)).await {
                close(&mut conn).await;
                return None;
            }
        }
    }
}

fn request(head: RequestHead, body: Body) -> Request<Body> {
    let mut request = Request::new(body);
    *request.method_mut() = head.method;
    *request.uri_mut() = head.uri;
    *request.version_mut() = head.version;
    *request.headers_mut() = head.headers;
    request
}

/// Polls the service's future, feeding the request body meanwhile; catches panics.
fn poll_call<T, F, B, E>(
    cx: &mut Context<'_>,
    future: Pin<&mut F>,
    conn: &mut Conn<T>,
    streaming: &mut Option<Streaming>,
) -> Poll<Outcome<B>>
where
    T: ReadUninit + AsyncWrite + Unpin,
    F: Future<Output = Result<Response<B>, E>>,
{
    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
        Ok(Poll::Ready(Ok(response))) => return Poll::Ready(Outcome::Response(response)),
        Ok(Poll::Ready(Err(_))) | Err(_) => return Poll::Ready(Outcome::Failed),
        Ok(Poll::Pending) => {}
    }
    if let Some(body) = streaming.as_mut() {
        if let Poll::Ready(Err(err)) = conn.poll_pump(cx, body) {
            return Poll::Ready(Outcome::BadBody(err));
        }
    }
    Poll::Pending
}

/// Queues a response's head (after it, a `100 Continue` not sent is forgone); returns its
/// framing and persistence.
fn write_head<T, B>(
    conn: &mut Conn<T>,
    meta: &RequestMeta,
    parts: &http::response::Parts,
    body: &B,
    streaming: &mut Option<Streaming>,
) -> (Framing, Persist)
where
    T: ReadUninit + AsyncWrite + Unpin,
    B: http_body::Body,
{
    let (framing, mut persist) = conn.response_framing(
        meta,
        parts.status,
        &parts.headers,
        body.size_hint().exact(),
        body.is_end_stream(),
    );
    if streaming.as_ref().is_some_and(|s| !conn.can_drain(s)) {
        persist = Persist::Close;
    }
    conn.write_head(parts.status, &parts.headers, framing, persist);
    if let Some(streaming) = streaming {
        streaming.forgo_continue();
    }
    (framing, persist)
}

/// Streams a response body into the connection: `Ready(false)` if it failed midway.
/// While the body waits, what is queued is sent and the request body keeps being fed (a
/// response may stream the request back).
fn poll_write_body<T, B>(
    cx: &mut Context<'_>,
    mut body: Pin<&mut B>,
    encoder: &mut Encoder,
    conn: &mut Conn<T>,
    streaming: &mut Option<Streaming>,
) -> Poll<bool>
where
    T: ReadUninit + AsyncWrite + Unpin,
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    loop {
        if conn.should_flush() {
            match conn.poll_flush(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(false),
                Poll::Pending => return Poll::Pending,
            }
        }
        // A body that says it has ended after a frame is not polled again (a full body
        // is one frame).
        let polled = catch_unwind(AssertUnwindSafe(|| {
            let frame = body.as_mut().poll_frame(cx);
            let ended = matches!(frame, Poll::Ready(Some(Ok(_)))) && body.is_end_stream();
            (frame, ended)
        }));
        match polled {
            Ok((Poll::Ready(None), _)) => {
                return Poll::Ready(encoder.finish(conn.write_buf()).is_ok())
            }
            // Only data goes on (trailers are not sent).
            Ok((Poll::Ready(Some(Ok(frame))), ended)) => {
                if let Ok(data) = frame.into_data() {
                    if encoder.data(data, conn.write_buf()).is_err() {
                        return Poll::Ready(false);
                    }
                }
                if ended {
                    return Poll::Ready(encoder.finish(conn.write_buf()).is_ok());
                }
            }
            Ok((Poll::Ready(Some(Err(_))), _)) | Err(_) => return Poll::Ready(false),
            Ok((Poll::Pending, _)) => {
                if matches!(conn.poll_flush(cx), Poll::Ready(Err(_))) {
                    return Poll::Ready(false);
                }
                if let Some(req_body) = streaming.as_mut() {
                    if let Poll::Ready(Err(_)) = conn.poll_pump(cx, req_body) {
                        return Poll::Ready(false);
                    }
                }
                return Poll::Pending;
            }
        }
    }
}

async fn refuse<T: ReadUninit + AsyncWrite + Unpin>(conn: &mut Conn<T>, err: HeadError) {
    conn.write_refusal(err);
    close(conn).await;
}

/// Sends what is queued, closes the write side, then reads and discards what the client
/// still sends for a moment: closing a socket with unread input resets the connection,
/// which can destroy the response before the client reads it.
async fn close<T: ReadUninit + AsyncWrite + Unpin>(conn: &mut Conn<T>) {
    if poll_fn(|cx| conn.poll_close(cx)).await.is_err() {
        return;
    }
    let _ = kairos::time::timeout(LINGER, poll_fn(|cx| conn.poll_discard(cx))).await;
}

/// How long a closing connection waits for the client to close its side.
const LINGER: std::time::Duration = std::time::Duration::from_secs(2);
