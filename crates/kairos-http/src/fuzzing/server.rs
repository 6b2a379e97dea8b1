//! A whole server connection on fuzz input: the input is what a client sends, delivered
//! by a scripted in-memory transport in pieces and at a pace the input's first byte picks,
//! then end of stream. The server (the real connection state machine and dispatcher, with
//! small limits and timeouts) runs on a current-thread runtime whose clock is paused, so
//! the timeouts fire in virtual time and a run costs microseconds.
//!
//! Invariants checked:
//! - the connection ends once the input is over (within a virtual minute of it);
//! - nothing is written after the write side was closed;
//! - what the server wrote parses as a sequence of HTTP/1.1 responses, each body exactly
//!   as its framing says (only a response that streams the request body back may be cut
//!   short, and only at the end);
//! - responses answer the service's calls and the direct answers in order, at most the
//!   last call goes unanswered, and nothing follows a response with `Connection: close`
//!   or a refusal.
//!
//! Targets under `/d` are answered directly (`server/direct.rs`), the rest by the service,
//! so that one input mixes both paths.

use crate::body::Body;
use crate::h1::conn::Conn;
use crate::h1::decode::{Decoded, Decoder};
use crate::h1::dispatch::serve_connection;
use crate::server::config::Config;
use crate::server::direct::{Direct, RawRequest, RawResponse, Written};
use crate::server::shutdown::Tracker;
use bytes::BytesMut;
use http::{Method, Request, Response, StatusCode};
use kairos::io::{AsyncWrite, ReadUninit};
use kairos::runtime::Runtime;
use kairos::time::{Duration, Sleep};
use kairos_service::service_fn;
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

/// Bytes per read, picked by the first input byte's low three bits.
const PIECES: [usize; 8] = [1, 2, 3, 7, 16, 100, 1000, usize::MAX];
/// Virtual pause before each read, in milliseconds (next two bits): around the one
/// second header-read and keep-alive timeouts below.
const PAUSES_MS: [u64; 4] = [0, 10, 700, 1500];
/// Most bytes each write accepts (top bits): partial writes exercise the flush loops.
const WRITE_CAPS: [usize; 4] = [1, 5, 64, usize::MAX];
/// Largest body the service reads.
const MAX_BODY: u64 = 4096;

/// Runs one connection over `data` and checks the invariants (see the module docs);
/// returns how many final responses the server wrote.
pub fn server_connection(data: &[u8]) -> usize {
    let Some((&knobs, input)) = data.split_first() else {
        return 0;
    };
    let piece = PIECES[usize::from(knobs & 7)];
    let pause = Duration::from_millis(PAUSES_MS[usize::from(knobs >> 3 & 3)]);
    let write_cap = WRITE_CAPS[usize::from(knobs >> 5 & 3)];
    let output = Rc::new(RefCell::new(Output::default()));
    CALLS.with_borrow_mut(Vec::clear);
    let script = Script {
        input: input.to_vec(),
        at: 0,
        piece,
        pause,
        timer: None,
        write_cap,
        output: output.clone(),
    };
    let reads = input.len().div_ceil(piece.min(4096)) as u32 + 1;
    let budget = pause * reads + Duration::from_secs(60);
    RUNTIME.with(|runtime| {
        runtime.block_on(async {
            let conn = Conn::new(script, Arc::new(config()), Arc::new(Tracker::new(1)));
            let service = service_fn(respond);
            let ended = kairos::time::timeout(budget, serve_connection(conn, &service)).await;
            assert!(ended.is_ok(), "the connection outlived its input");
        });
    });
    let output = output.borrow();
    CALLS.with_borrow(|calls| check_responses(&output.bytes, calls))
}

thread_local! {
    // Built once per thread and never dropped: a runtime dropped during thread-local
    // destruction cannot reach its own context.
    static RUNTIME: &'static Runtime = Box::leak(Box::new(
        kairos::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("a current-thread runtime"),
    ));
}

/// Small limits, so that the fuzzer reaches them.
fn config() -> Config {
    Config {
        max_request_line: 256,
        max_head_size: 1024,
        max_headers: 16,
        max_body_size: MAX_BODY,
        header_read_timeout: Duration::from_secs(1),
        keep_alive_timeout: Duration::from_secs(1),
        body_read_timeout: Duration::from_secs(1),
        drain_limit: 512,
        direct: Some(Direct(Arc::new(answer_directly))),
        ..Config::default()
    }
}

thread_local! {
    /// The method and path of each service call and direct answer, in order.
    static CALLS: RefCell<Vec<(Method, String)>> = const { RefCell::new(Vec::new()) };
}

/// The direct answer: `/d204` answers 204 (its body is not sent), any other target under
/// `/d` answers with its method and target; everything else goes to the service. No
/// `Content-Type` either (see [`respond`]).
fn answer_directly(request: &RawRequest<'_>, response: RawResponse<'_>) -> Option<Written> {
    if !request.path().starts_with("/d") {
        return None;
    }
    CALLS
        .with_borrow_mut(|calls| calls.push((request.method().clone(), request.path().to_owned())));
    Some(if request.path() == "/d204" {
        response.send(StatusCode::NO_CONTENT, &[], b"not sent")
    } else {
        let text = format!("{} {}", request.method(), request.target());
        response.send(StatusCode::OK, &[], text.as_bytes())
    })
}

/// The service: `/echo` reads the body and returns it, `/stream` streams it back,
/// `/slow` answers after 100 ms, `/error` fails, `/empty` answers 204; anything else
/// answers with its method and path. None of its responses has a `Content-Type` (the
/// server's refusals do: that is how the checker tells them apart).
async fn respond(req: Request<Body>) -> Result<Response<Body>, io::Error> {
    let path = req.uri().path().to_owned();
    CALLS.with_borrow_mut(|calls| calls.push((req.method().clone(), path.clone())));
    Ok(match path.as_str() {
        "/echo" => match req.into_body().collect(MAX_BODY as usize).await {
            Ok(body) => Response::new(Body::from(body)),
            Err(_) => status(StatusCode::BAD_REQUEST),
        },
        "/stream" => Response::new(req.into_body()),
        "/slow" => {
            kairos::time::sleep(Duration::from_millis(100)).await;
            Response::new(Body::from("slow"))
        }
        "/error" => return Err(io::Error::other("fails on purpose")),
        "/empty" => status(StatusCode::NO_CONTENT),
        _ => Response::new(Body::from(format!("{} {path}", req.method()))),
    })
}

fn status(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// What the server wrote.
#[derive(Debug, Default)]
struct Output {
    bytes: Vec<u8>,
    closed: bool,
}

/// The client side: the input in pieces, each after a pause, then end of stream; writes
/// collected into `output`.
struct Script {
    input: Vec<u8>,
    at: usize,
    piece: usize,
    pause: Duration,
    timer: Option<Sleep>,
    write_cap: usize,
    output: Rc<RefCell<Output>>,
}

impl ReadUninit for Script {
    fn poll_read_uninit(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [MaybeUninit<u8>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.at == this.input.len() {
            return Poll::Ready(Ok(0));
        }
        if !this.pause.is_zero() {
            let pause = this.pause;
            let timer = this.timer.get_or_insert_with(|| kairos::time::sleep(pause));
            ready!(Pin::new(timer).poll(cx));
            this.timer = None;
        }
        let n = this.piece.min(buf.len()).min(this.input.len() - this.at);
        for (slot, &byte) in buf.iter_mut().zip(&this.input[this.at..this.at + n]) {
            slot.write(byte);
        }
        this.at += n;
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for Script {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut output = self.output.borrow_mut();
        assert!(!output.closed, "written after the write side was closed");
        let n = data.len().min(self.write_cap);
        output.bytes.extend_from_slice(&data[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.output.borrow_mut().closed = true;
        Poll::Ready(Ok(()))
    }
}

/// Walks the server's output response by response (see the module docs); returns how
/// many final responses it holds.
fn check_responses(output: &[u8], calls: &[(Method, String)]) -> usize {
    let mut buf = BytesMut::from(output);
    let mut answered = 0;
    let mut ended = false;
    let mut responses = 0;
    while !buf.is_empty() {
        assert!(!ended, "bytes after the last response: {:?}", &buf[..]);
        let head = Head::parse(&mut buf);
        if head.status == 100 {
            continue;
        }
        responses += 1;
        let call = if head.refusal {
            assert!(head.status >= 400, "a refusal with status {}", head.status);
            assert!(head.close, "a refusal that keeps the connection");
            None
        } else {
            let call = calls
                .get(answered)
                .unwrap_or_else(|| panic!("response {} with no call to answer", answered + 1));
            answered += 1;
            Some(call)
        };
        let bodiless = call.is_some_and(|(method, _)| method == Method::HEAD)
            || head.status == 204
            || head.status == 304;
        let may_be_cut = call.is_some_and(|(_, path)| path == "/stream");
        if !bodiless && !skip_body(&mut buf, &head) {
            assert!(may_be_cut, "a response cut short");
            assert!(buf.is_empty());
        }
        ended = head.close || head.refusal;
    }
    assert!(
        calls.len() <= answered + 1,
        "{} calls, {answered} answered",
        calls.len()
    );
    responses
}

/// The framing-relevant parts of a response head.
struct Head {
    status: u16,
    /// A response of the server's own (it carries a `Content-Type`).
    refusal: bool,
    close: bool,
    length: Option<usize>,
    chunked: bool,
}

impl Head {
    /// Splits a complete HTTP/1.1 response head off `buf`.
    fn parse(buf: &mut BytesMut) -> Head {
        let mut slots = [httparse::EMPTY_HEADER; 32];
        let mut res = httparse::Response::new(&mut slots);
        let len = match res.parse(buf) {
            Ok(httparse::Status::Complete(len)) => len,
            other => panic!("not a response head ({other:?}): {:?}", &buf[..]),
        };
        assert_eq!(res.version, Some(1), "not an HTTP/1.1 response");
        let field = |name: &str| {
            res.headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| h.value)
        };
        let head = Head {
            status: res.code.unwrap_or_default(),
            refusal: field("content-type").is_some(),
            close: field("connection") == Some(b"close"),
            length: field("content-length").map(|v| {
                std::str::from_utf8(v)
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .expect("a numeric Content-Length")
            }),
            chunked: field("transfer-encoding") == Some(b"chunked"),
        };
        assert!(
            !(head.chunked && head.length.is_some()),
            "both Content-Length and chunked"
        );
        let _ = buf.split_to(len);
        head
    }
}

/// Skips the body `head` frames: `false` if the output ended inside it.
fn skip_body(buf: &mut BytesMut, head: &Head) -> bool {
    if let Some(n) = head.length {
        let whole = buf.len() >= n;
        let _ = buf.split_to(n.min(buf.len()));
        return whole;
    }
    if !head.chunked {
        // Until close: the rest of the output.
        assert!(head.close, "a body delimited by close on a kept connection");
        buf.clear();
        return true;
    }
    let mut decoder = Decoder::chunked();
    loop {
        match decoder.decode(buf) {
            Ok(Decoded::Data(_)) => {}
            Ok(Decoded::Done) => return true,
            Ok(Decoded::NeedMore) => return false,
            Err(err) => panic!("a malformed chunked response body: {err}"),
        }
    }
}

/// [`check_responses`] on raw output with no calls (tests of the checker itself).
#[cfg(test)]
pub(super) fn check_output_for_test(output: &[u8]) {
    let _ = check_responses(output, &[]);
}
