//! The server connection state machine: reading heads (with the header-read and idle
//! timeouts and the shutdown check), feeding request bodies, framing responses, deciding
//! whether the connection persists. It knows nothing of services (`dispatch.rs` does).
//!
//! ```text
//!            +------------------------------------------------------------+
//!            v                                                            |
//!   Idle --(first byte)--> Head --(head parsed)--> Request (dispatch) --(response
//!    |                      |                        |                    written,
//!    | keep-alive timeout   | header-read timeout    | malformed body:   keep-alive)
//!    | or shutdown          | (408) or bad head (4xx)| 400 / 413
//!    v                      v                        v
//!  Closed <-----------------+------------------------+--(Connection: close)
//! ```
//!
//! `poll_head` flushes whatever responses are queued before it reads from the socket, so
//! the responses to a batch of pipelined requests leave in one write.

use super::date::{self, DATE_LEN};
use super::decode::{Decoded, Decoder};
use super::encode::{self, Framing, Persist};
use super::io::Buffered;
use super::parse::{self, BodyLength, HeadError, Parsed, RequestHead};
use crate::body::Pipe;
use crate::server::config::Config;
use crate::server::direct::{DirectAnswer, RawRequest, RawResponse};
use crate::server::shutdown::Tracker;
use bytes::Bytes;
use http::{header, HeaderMap, Method, StatusCode, Version};
use kairos::io::{AsyncWrite, ReadUninit};
use kairos::time::{Instant, Sleep};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};

/// The write buffer's first allocation after an idle period.
const FIRST_WRITE_CAPACITY: usize = 512;

/// What `poll_head` found.
// The request is the common case: boxing it would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Next {
    /// A request to dispatch.
    Request(RequestHead),
    /// The connection is over (peer closed, idle timeout, shutdown, I/O error).
    Closed,
    /// A head to refuse with this status; the connection closes afterwards.
    Refuse(HeadError),
    /// A response with `Connection: close` is queued (a direct answer's): send it and
    /// close.
    Close,
    /// Idle for the `shrink_idle_after` setting: the caller may turn the connection into
    /// an [`IdleConn`] and drop its serving state until the next request comes.
    Shrink,
}

/// Where the connection waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Between requests, since this instant.
    Idle(Instant),
    /// Part of a head has arrived; it started arriving by this instant.
    Head(Instant),
    /// Not waiting on the socket (a head was just parsed).
    Busy,
}

/// A request body being read from the socket into a [`Pipe`].
#[derive(Debug)]
pub(crate) struct Streaming {
    pub(crate) pipe: Arc<Pipe>,
    decoder: Decoder,
    received: u64,
    /// Where the request's `Expect: 100-continue` stands.
    continue_state: ContinueState,
    done: bool,
    /// Since when the server has wanted body bytes the socket did not have (for the
    /// body-read timeout); `None` while bytes flow or the service is not reading.
    stalled_since: Option<Instant>,
}

/// A request body's `100 Continue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContinueState {
    /// No `Expect: 100-continue` (or not HTTP/1.1): the client sends the body anyway.
    Nothing,
    /// Owed once the service reads the body.
    Owed,
    /// Sent, before the final response: the client goes on with the body.
    Sent,
    /// Never to be sent: the final response's head went out first, and a `100` after it
    /// would land in its body. The client may or may not send the body now.
    Forgone,
}

impl ContinueState {
    /// Whether the client sends the body whatever the server does: it did not ask to
    /// wait, or was told to go on.
    fn body_is_coming(self) -> bool {
        matches!(self, ContinueState::Nothing | ContinueState::Sent)
    }
}

impl Streaming {
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }

    /// The final response's head is being written: a `100 Continue` not sent by now never
    /// will be.
    pub(crate) fn forgo_continue(&mut self) {
        if self.continue_state == ContinueState::Owed {
            self.continue_state = ContinueState::Forgone;
        }
    }
}

/// How a request's body starts out.
pub(crate) enum BodyStart {
    Empty,
    /// The whole body was already buffered.
    Full(Bytes),
    Stream(Streaming),
}

/// One server connection.
pub(crate) struct Conn<T> {
    io: Buffered<T>,
    config: Arc<Config>,
    tracker: Arc<Tracker>,
    phase: Phase,
    timer: Option<Sleep>,
    /// The waker `timer` holds, when known (see `poll_timer`).
    timer_waker: Option<Waker>,
    /// The `Date` of the responses of the current batch (read once per batch).
    date: Option<[u8; DATE_LEN]>,
}

/// A connection that shrank (after [`Next::Shrink`]): the transport without its
/// buffers, and when its keep-alive runs out. The caller keeps only the transport while
/// the connection waits; the deadline goes to the server's idle sweeper
/// (`server/idle.rs`), so the wait holds no timer (docs/RELIABILITY.md, idle load).
pub(crate) struct IdleConn<T> {
    pub(crate) io: T,
    pub(crate) deadline: Instant,
}

impl<T: ReadUninit + AsyncWrite + Unpin> Conn<T> {
    /// A new connection, waiting for its first request.
    pub(crate) fn new(io: T, config: Arc<Config>, tracker: Arc<Tracker>) -> Conn<T> {
        Conn::resume(io, Instant::now(), config, tracker)
    }

    /// A connection idle since `since` (new, or shrunk and now readable), ready to serve
    /// (its idle time keeps counting from `since`).
    pub(crate) fn resume(
        io: T,
        since: Instant,
        config: Arc<Config>,
        tracker: Arc<Tracker>,
    ) -> Conn<T> {
        Conn {
            io: Buffered::new(io),
            config,
            tracker,
            phase: Phase::Idle(since),
            timer: None,
            timer_waker: None,
            date: None,
        }
    }

    /// After [`Next::Shrink`]: the connection without its buffers or timer.
    pub(crate) fn into_idle(self) -> IdleConn<T> {
        let since = match self.phase {
            Phase::Idle(since) => since,
            _ => Instant::now(),
        };
        IdleConn {
            io: self.io.into_io(),
            deadline: since + self.config.keep_alive_timeout,
        }
    }

    /// Flushes queued responses, then waits for the next request head.
    pub(crate) fn poll_head(&mut self, cx: &mut Context<'_>) -> Poll<Next> {
        let limits = self.config.head_limits();
        loop {
            if !self.io.read_buf.is_empty() {
                // Direct answers pile up here: a long pipelined batch is sent in parts.
                if self.should_flush() && ready!(self.io.poll_flush(cx)).is_err() {
                    return Poll::Ready(Next::Closed);
                }
                match self.parse_next(&limits) {
                    Ok(Some(Parsed::Request(head))) => {
                        self.phase = Phase::Busy;
                        return Poll::Ready(Next::Request(head));
                    }
                    Ok(Some(Parsed::Answered(Answered::Sent(persist)))) => {
                        self.phase = Phase::Busy;
                        if persist == Persist::Close {
                            return Poll::Ready(Next::Close);
                        }
                        continue;
                    }
                    Ok(Some(Parsed::Answered(Answered::Panicked))) => {
                        return Poll::Ready(Next::Refuse(HANDLER_FAILED))
                    }
                    Ok(None) => {}
                    Err(err) => return Poll::Ready(Next::Refuse(err)),
                }
            }
            // The batch is answered: send it before waiting for more.
            if ready!(self.io.poll_flush(cx)).is_err() {
                return Poll::Ready(Next::Closed);
            }
            if self.io.read_buf.is_empty() && self.tracker.is_draining() {
                return Poll::Ready(Next::Closed);
            }
            self.date = None;
            // Between requests, read without holding a buffer (see `poll_read_idle`).
            let read = if self.io.read_buf.is_empty() && self.config.release_idle_buffers {
                self.io.poll_read_idle(cx)
            } else {
                self.io.poll_read_more(cx)
            };
            match read {
                Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => return Poll::Ready(Next::Closed),
                Poll::Ready(Ok(_)) => continue,
                Poll::Pending => return self.poll_wait_timeout(cx),
            }
        }
    }

    /// Parses the next head in the read buffer, offering it to the server's direct
    /// answer if it has one.
    fn parse_next(
        &mut self,
        limits: &parse::HeadLimits,
    ) -> Result<Option<Parsed<Answered>>, HeadError> {
        let (out, date, tracker) = (&mut self.io.write_buf, &mut self.date, &self.tracker);
        let keep_alive = self.config.keep_alive;
        let direct = self.config.direct.as_ref().map(|direct| {
            move |request: &RawRequest<'_>, client_keeps: bool| {
                let keep = client_keeps && keep_alive && !tracker.is_draining();
                let persist = encode::persist(keep, request.version());
                answer_directly(&*direct.0, request, persist, out, date)
            }
        });
        parse::parse_request_with(&mut self.io.read_buf, limits, direct)
    }

    /// The socket has nothing: arms the idle or header-read deadline and checks it.
    fn poll_wait_timeout(&mut self, cx: &mut Context<'_>) -> Poll<Next> {
        let idle = self.io.read_buf.is_empty();
        let (since, now) = match (self.phase, idle) {
            (Phase::Idle(since), true) | (Phase::Head(since), false) => (since, None),
            (_, idle) => {
                let now = Instant::now();
                self.phase = if idle {
                    Phase::Idle(now)
                } else {
                    Phase::Head(now)
                };
                (now, Some(now))
            }
        };
        if !idle {
            ready!(self.poll_timer(cx, since + self.config.header_read_timeout, now));
            return Poll::Ready(Next::Refuse(HeadError {
                status: StatusCode::REQUEST_TIMEOUT,
                reason: "request head not received in time",
            }));
        }
        match self.config.shrink_after() {
            Some(after) if after.is_zero() => Poll::Ready(Next::Shrink),
            Some(after) => {
                ready!(self.poll_timer(cx, since + after, now));
                Poll::Ready(Next::Shrink)
            }
            None => {
                let keep_alive = self.config.keep_alive_timeout;
                ready!(self.poll_timer(cx, since + keep_alive, now));
                Poll::Ready(Next::Closed)
            }
        }
    }

    /// [`poll_deadline`] on the connection's timer, skipped when it cannot tell anything
    /// new: `now` (read by the caller) is before the armed timer's deadline, so it has not
    /// fired (the wheel fires a timer only once its clock reached the deadline), the
    /// timer is not moved (`deadline` is not earlier), and it holds this task's waker.
    /// That is the usual case, a connection going idle after a request, and the skip
    /// saves a lock of the timer wheel per request.
    fn poll_timer(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Instant,
        now: Option<Instant>,
    ) -> Poll<()> {
        if let (Some(now), Some(armed), Some(waker)) = (now, &self.timer, &self.timer_waker) {
            if now < armed.deadline() && armed.deadline() <= deadline && waker.will_wake(cx.waker())
            {
                return Poll::Pending;
            }
        }
        // A poll without budget returns `Pending` having registered nothing.
        let registers = kairos::task::coop::has_budget_remaining();
        let polled = poll_deadline(&mut self.timer, cx, deadline);
        let registered = polled.is_pending() && registers;
        if !registered {
            self.timer_waker = None;
        } else if !self
            .timer_waker
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            self.timer_waker = Some(cx.waker().clone());
        }
        polled
    }

    /// The socket has none of the body bytes wanted: `Ready` once it has had none for
    /// the body-read timeout.
    fn poll_body_stall(&mut self, cx: &mut Context<'_>, body: &mut Streaming) -> Poll<()> {
        let since = *body.stalled_since.get_or_insert_with(Instant::now);
        self.poll_timer(cx, since + self.config.body_read_timeout, None)
    }

    /// Starts reading the body of `head` (413 if its declared length is over the limit).
    pub(crate) fn body_for(&mut self, head: &RequestHead) -> Result<BodyStart, HeadError> {
        let decoder = match head.body {
            BodyLength::Known(0) => return Ok(BodyStart::Empty),
            BodyLength::Known(n) if n > self.config.max_body_size => {
                return Err(HeadError {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    reason: "request body larger than the limit",
                })
            }
            BodyLength::Known(n) if n <= self.io.read_buf.len() as u64 => {
                return Ok(BodyStart::Full(
                    self.io.read_buf.split_to(n as usize).freeze(),
                ));
            }
            BodyLength::Known(n) => Decoder::length(n),
            BodyLength::Chunked | BodyLength::UntilClose => Decoder::chunked(),
        };
        let continue_state = if head.expect_continue && head.version == Version::HTTP_11 {
            ContinueState::Owed
        } else {
            ContinueState::Nothing
        };
        Ok(BodyStart::Stream(Streaming {
            pipe: Arc::new(Pipe::default()),
            decoder,
            received: 0,
            continue_state,
            done: false,
            stalled_since: None,
        }))
    }

    /// Moves body bytes from the socket into the pipe while the reader has room.
    /// `Ready(Ok)` once the body is complete (or its reader is gone); `Ready(Err)` with
    /// the status to refuse the request with.
    pub(crate) fn poll_pump(
        &mut self,
        cx: &mut Context<'_>,
        body: &mut Streaming,
    ) -> Poll<Result<(), HeadError>> {
        if body.done {
            return Poll::Ready(Ok(()));
        }
        if body.continue_state == ContinueState::Owed {
            if !body.pipe.wanted() {
                body.pipe.register_writer(cx);
                if !body.pipe.wanted() {
                    return Poll::Pending;
                }
            }
            body.continue_state = ContinueState::Sent;
            self.io
                .write_buf
                .flat()
                .extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        loop {
            if !self.io.write_buf.is_empty() {
                match self.io.poll_flush(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(())) => {}
                    Poll::Ready(Err(_)) => {
                        body.pipe.finish(Some("connection failed"));
                        return Poll::Ready(Err(HeadError {
                            status: StatusCode::BAD_REQUEST,
                            reason: "connection failed",
                        }));
                    }
                }
            }
            if body.pipe.is_dropped() {
                return Poll::Ready(Ok(()));
            }
            if body.pipe.poll_room(cx).is_pending() {
                // The service is not reading: the client is not the one stalling.
                body.stalled_since = None;
                return Poll::Pending;
            }
            match body.decoder.decode(&mut self.io.read_buf) {
                Ok(Decoded::Data(data)) => {
                    body.received += data.len() as u64;
                    if body.received > self.config.max_body_size {
                        body.pipe.finish(Some("request body larger than the limit"));
                        return Poll::Ready(Err(HeadError {
                            status: StatusCode::PAYLOAD_TOO_LARGE,
                            reason: "request body larger than the limit",
                        }));
                    }
                    body.pipe.push(data);
                }
                Ok(Decoded::Done) => {
                    body.done = true;
                    body.pipe.finish(None);
                    return Poll::Ready(Ok(()));
                }
                Ok(Decoded::NeedMore) => match self.io.poll_read_more(cx) {
                    Poll::Ready(Ok(0) | Err(_)) => {
                        body.pipe
                            .finish(Some("connection closed before the body was complete"));
                        return Poll::Ready(Err(HeadError {
                            status: StatusCode::BAD_REQUEST,
                            reason: "connection closed before the body was complete",
                        }));
                    }
                    Poll::Ready(Ok(_)) => body.stalled_since = None,
                    Poll::Pending => {
                        ready!(self.poll_body_stall(cx, body));
                        body.pipe.finish(Some("request body not received in time"));
                        return Poll::Ready(Err(HeadError {
                            status: StatusCode::REQUEST_TIMEOUT,
                            reason: "request body not received in time",
                        }));
                    }
                },
                Err(err) => {
                    body.pipe.finish(Some(err.0));
                    return Poll::Ready(Err(HeadError {
                        status: StatusCode::BAD_REQUEST,
                        reason: err.0,
                    }));
                }
            }
        }
    }

    /// After the response: whether the rest of an unread body can be skipped cheaply
    /// enough to keep the connection (at most `drain_limit` bytes, and never when
    /// `100 Continue` is owed or forgone: the client may not send the body at all).
    pub(crate) fn can_drain(&self, body: &Streaming) -> bool {
        body.done
            || (body.continue_state.body_is_coming()
                && body
                    .decoder
                    .remaining()
                    .is_none_or(|left| left <= self.config.drain_limit))
    }

    /// Skips the rest of an unread body (the reader was dropped); `Ready(false)` if it
    /// turned out too long or broken, and the connection must close.
    pub(crate) fn poll_drain(&mut self, cx: &mut Context<'_>, body: &mut Streaming) -> Poll<bool> {
        body.pipe.drop_reader();
        // The response goes out first: the client may wait for it before sending more.
        if ready!(self.io.poll_flush(cx)).is_err() {
            return Poll::Ready(false);
        }
        let limit = body.received.saturating_add(self.config.drain_limit);
        loop {
            match body.decoder.decode(&mut self.io.read_buf) {
                Ok(Decoded::Data(data)) => {
                    body.received += data.len() as u64;
                    if body.received > limit {
                        return Poll::Ready(false);
                    }
                }
                Ok(Decoded::Done) => {
                    body.done = true;
                    return Poll::Ready(true);
                }
                Ok(Decoded::NeedMore) => match self.io.poll_read_more(cx) {
                    Poll::Ready(Ok(0) | Err(_)) => return Poll::Ready(false),
                    Poll::Ready(Ok(_)) => body.stalled_since = None,
                    Poll::Pending => {
                        // A client that stops sending the body nobody reads: close.
                        ready!(self.poll_body_stall(cx, body));
                        return Poll::Ready(false);
                    }
                },
                Err(_) => return Poll::Ready(false),
            }
        }
    }

    /// Decides a response's framing and persistence.
    pub(crate) fn response_framing(
        &self,
        request: &RequestMeta,
        status: StatusCode,
        headers: &HeaderMap,
        exact_len: Option<u64>,
        end_stream: bool,
    ) -> (Framing, Persist) {
        let framing = if !encode::status_has_body(status) {
            Framing::None
        } else if let Some(n) = exact_len {
            Framing::Length(n)
        } else if end_stream {
            Framing::Length(0)
        } else if let Some(n) = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| parse::parse_content_length(v.as_bytes()).ok())
        {
            Framing::Length(n)
        } else if request.method == Method::HEAD {
            Framing::None
        } else if encode::supports_chunked(request.version) {
            Framing::Chunked
        } else {
            Framing::UntilClose
        };
        let keep = request.keep_alive
            && self.config.keep_alive
            && framing != Framing::UntilClose
            && !self.tracker.is_draining();
        (framing, encode::persist(keep, request.version))
    }

    /// Queues a response head.
    pub(crate) fn write_head(
        &mut self,
        status: StatusCode,
        headers: &HeaderMap,
        framing: Framing,
        persist: Persist,
    ) {
        let date = self.date.get_or_insert_with(date::now);
        let flat = self.io.write_buf.flat();
        if flat.capacity() == 0 {
            // Freed while the connection was idle: one allocation for the usual head and
            // small body, rather than a doubling from a few bytes.
            flat.reserve(FIRST_WRITE_CAPACITY);
        }
        encode::response_head(flat, status, headers, framing, persist, date);
    }

    pub(crate) fn write_buf(&mut self) -> &mut super::io::WriteBuf {
        &mut self.io.write_buf
    }

    /// Queues the answer to a refused request: the status, its reason as text, and
    /// `Connection: close`.
    pub(crate) fn write_refusal(&mut self, err: HeadError) {
        let reason = format!("{}: {}\n", err.status, err.reason);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        let framing = Framing::Length(reason.len() as u64);
        self.write_head(err.status, &headers, framing, Persist::Close);
        self.io
            .write_buf
            .flat()
            .extend_from_slice(reason.as_bytes());
    }

    /// Whether enough is queued that it should be written before encoding more.
    pub(crate) fn should_flush(&self) -> bool {
        self.io.write_buf.len() >= 64 * 1024
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.io.poll_flush(cx)
    }

    /// Reads and drops input until end of stream (at most `drain_limit` bytes).
    pub(crate) fn poll_discard(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut seen = 0u64;
        loop {
            self.io.read_buf.clear();
            match ready!(self.io.poll_read_more(cx)) {
                Ok(n) if n > 0 && seen < self.config.drain_limit => seen += n as u64,
                _ => return Poll::Ready(()),
            }
        }
    }

    /// Flushes and closes the write side.
    pub(crate) fn poll_close(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.io.poll_shutdown(cx)
    }
}

/// The refusal a failed or panicking handler (service or direct answer) costs.
pub(crate) const HANDLER_FAILED: HeadError = HeadError {
    status: StatusCode::INTERNAL_SERVER_ERROR,
    reason: "the handler failed",
};

/// What came of a direct answer.
pub(crate) enum Answered {
    /// The response is queued; the connection goes on as it says.
    Sent(Persist),
    /// The handler panicked (nothing of its answer is queued): 500 and close.
    Panicked,
}

/// Offers `request` to `direct`, its response to go into `out` (`None`: declined).
fn answer_directly(
    direct: &dyn DirectAnswer,
    request: &RawRequest<'_>,
    persist: Persist,
    out: &mut super::io::WriteBuf,
    date: &mut Option<[u8; DATE_LEN]>,
) -> Option<Answered> {
    let date = date.get_or_insert_with(date::now);
    let flat = out.flat();
    if flat.capacity() == 0 {
        flat.reserve(FIRST_WRITE_CAPACITY);
    }
    let start = flat.len();
    let response = RawResponse {
        out: flat,
        date,
        persist,
        head_only: request.method() == Method::HEAD,
    };
    match catch_unwind(AssertUnwindSafe(|| direct.answer(request, response))) {
        Ok(Some(_written)) => Some(Answered::Sent(persist)),
        Ok(None) => None,
        Err(_) => {
            out.flat().truncate(start);
            Some(Answered::Panicked)
        }
    }
}

/// `Ready` once `deadline` has passed; until then the connection's `timer` is armed for
/// it. The timer is only moved earlier, never later: a timer that fires before the current
/// deadline is simply re-armed. A busy connection so costs one timer operation per timeout
/// period, not one per request. (The server's idle sweeper waits the same way.)
pub(crate) fn poll_deadline(
    timer: &mut Option<Sleep>,
    cx: &mut Context<'_>,
    deadline: Instant,
) -> Poll<()> {
    loop {
        let armed = match timer {
            Some(armed) if armed.deadline() <= deadline => armed,
            Some(armed) => {
                Pin::new(&mut *armed).reset(deadline);
                armed
            }
            None => timer.insert(kairos::time::sleep_until(deadline)),
        };
        if Pin::new(&mut *armed).poll(cx).is_pending() {
            return Poll::Pending;
        }
        if Instant::now() >= deadline {
            *timer = None;
            return Poll::Ready(());
        }
        Pin::new(&mut *armed).reset(deadline);
    }
}

/// What the response to a request must know about it.
#[derive(Debug, Clone)]
pub(crate) struct RequestMeta {
    pub(crate) method: Method,
    pub(crate) version: Version,
    pub(crate) keep_alive: bool,
}
