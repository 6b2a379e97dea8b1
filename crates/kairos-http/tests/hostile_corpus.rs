//! The hostile-request corpus: malformed and ambiguous requests, each sent on its own
//! connection over loopback, each answered with its exact 4xx (or 5xx) status and a
//! closed connection, and none of them ever reaching the service with a request it should
//! not see (a `GET /smuggled` hidden in a refused body, or a head that was refused).
//!
//! Rejected heads use the target `/never`; bodies the server only finds broken while the
//! service runs use `/echo`. The recording service (see [`Recorder`]) proves that
//! `/never` and `/smuggled` never arrive.

mod support;

use http::{Request, Response};
use kairos_http::server::direct::{RawRequest, RawResponse};
use kairos_http::server::Server;
use kairos_http::Body;
use kairos_service::service_fn;
use std::sync::{Arc, Mutex};
use support::RawClient;

/// A request hidden in the body of a request the server must refuse.
const SMUGGLED: &str = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

/// One corpus entry.
struct Case {
    name: &'static str,
    request: Vec<u8>,
    status: u16,
}

fn case(name: &'static str, status: u16, request: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        request: request.into(),
        status,
    }
}

/// A POST to `/echo` with `fields` and a chunked `body`.
fn chunked(name: &'static str, status: u16, body: &str) -> Case {
    case(
        name,
        status,
        format!("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{body}"),
    )
}

/// A `/never` head with `fields` (each ending in CRLF) and `SMUGGLED` as its body.
fn smuggle(name: &'static str, status: u16, fields: &str) -> Case {
    case(
        name,
        status,
        format!("POST /never HTTP/1.1\r\nHost: x\r\n{fields}\r\n{SMUGGLED}"),
    )
}

/// A `/never` GET with the request line's version `version`.
fn version(name: &'static str, status: u16, version: &str) -> Case {
    case(
        name,
        status,
        format!("GET /never {version}\r\nHost: x\r\n\r\n"),
    )
}

/// A `/never` GET with the extra header lines `fields` (raw bytes, each line ended).
fn head(name: &'static str, status: u16, fields: &[u8]) -> Case {
    let mut request = b"GET /never HTTP/1.1\r\nHost: x\r\n".to_vec();
    request.extend_from_slice(fields);
    request.extend_from_slice(b"\r\n");
    case(name, status, request)
}

/// The settings the corpus's size cases are written against.
const MAX_REQUEST_LINE: usize = 1024;
const MAX_HEAD_SIZE: usize = 8 * 1024;
const MAX_HEADERS: usize = 32;
const MAX_BODY_SIZE: u64 = 1024;

fn framing_cases() -> Vec<Case> {
    vec![
        smuggle(
            "CL then TE",
            400,
            "Content-Length: 35\r\nTransfer-Encoding: chunked\r\n",
        ),
        smuggle(
            "TE then CL",
            400,
            "Transfer-Encoding: chunked\r\nContent-Length: 35\r\n",
        ),
        smuggle(
            "two different CLs",
            400,
            "Content-Length: 0\r\nContent-Length: 35\r\n",
        ),
        smuggle(
            "CL list with different values",
            400,
            "Content-Length: 0, 35\r\n",
        ),
        smuggle("negative CL", 400, "Content-Length: -1\r\n"),
        smuggle("CL with a plus sign", 400, "Content-Length: +35\r\n"),
        smuggle("hexadecimal CL", 400, "Content-Length: 0x23\r\n"),
        smuggle("non-numeric CL", 400, "Content-Length: abc\r\n"),
        smuggle("CL with an inner space", 400, "Content-Length: 3 5\r\n"),
        smuggle("empty CL", 400, "Content-Length: \r\n"),
        smuggle(
            "CL past u64",
            400,
            "Content-Length: 18446744073709551616\r\n",
        ),
        smuggle(
            "CL above the body limit",
            413,
            "Content-Length: 18446744073709551615\r\n",
        ),
        smuggle(
            "chunked twice",
            400,
            "Transfer-Encoding: chunked, chunked\r\n",
        ),
        smuggle(
            "chunked in two fields",
            400,
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
        ),
        smuggle(
            "chunked not last",
            400,
            "Transfer-Encoding: chunked, gzip\r\n",
        ),
        smuggle("TE without chunked", 400, "Transfer-Encoding: gzip\r\n"),
        smuggle("TE identity", 400, "Transfer-Encoding: identity\r\n"),
        smuggle(
            "TE chunked with a trailing comma",
            400,
            "Transfer-Encoding: chunked,\r\n",
        ),
        smuggle("empty TE", 400, "Transfer-Encoding: \r\n"),
        smuggle(
            "TE lookalike coding",
            400,
            "Transfer-Encoding: xchunked\r\n",
        ),
        smuggle(
            "unsupported coding before chunked",
            501,
            "Transfer-Encoding: gzip, chunked\r\n",
        ),
        smuggle(
            "unsupported coding in another field",
            501,
            "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
        ),
        smuggle(
            "TE with a space before the colon",
            400,
            "Transfer-Encoding : chunked\r\n",
        ),
        smuggle(
            "TE folded onto the next line",
            400,
            "Transfer-Encoding:\r\n chunked\r\n",
        ),
        smuggle(
            "TE with a vertical tab",
            400,
            "Transfer-Encoding: \x0bchunked\r\n",
        ),
        case(
            "TE in HTTP/1.0",
            400,
            format!(
                "POST /never HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{SMUGGLED}"
            ),
        ),
    ]
}

fn chunk_cases() -> Vec<Case> {
    vec![
        chunked(
            "negative chunk size",
            400,
            &format!("-5\r\nhello\r\n0\r\n\r\n{SMUGGLED}"),
        ),
        chunked("0x chunk size", 400, "0x5\r\nhello\r\n0\r\n\r\n"),
        chunked(
            "chunk size past 64 bits",
            400,
            "10000000000000000\r\nhello\r\n0\r\n\r\n",
        ),
        chunked("non-hex chunk size", 400, "zz\r\nhello\r\n0\r\n\r\n"),
        chunked("empty chunk size", 400, "\r\nhello\r\n0\r\n\r\n"),
        chunked(
            "space before the chunk size",
            400,
            " 5\r\nhello\r\n0\r\n\r\n",
        ),
        chunked(
            "chunk longer than its size",
            400,
            &format!("3\r\nhello\r\n0\r\n\r\n{SMUGGLED}"),
        ),
        chunked(
            "chunk size ended by a bare LF",
            400,
            "5\nhello\r\n0\r\n\r\n",
        ),
        chunked(
            "chunk data ended by a bare LF",
            400,
            "5\r\nhello\n0\r\n\r\n",
        ),
        chunked("last chunk ended by a bare LF", 400, "0\n\r\n"),
        chunked(
            "chunk extension with a bare LF",
            400,
            &format!("5;a\nhello\r\n0\r\n\r\n{SMUGGLED}"),
        ),
        chunked(
            "chunk extension with a NUL",
            400,
            "5;a=\0\r\nhello\r\n0\r\n\r\n",
        ),
        chunked(
            "chunk extension with a control byte",
            400,
            "5;a=\x01\r\nhello\r\n0\r\n\r\n",
        ),
        chunked(
            "chunk extension with a bare CR",
            400,
            "5;a\rb\r\nhello\r\n0\r\n\r\n",
        ),
        chunked(
            "endless chunk extension",
            400,
            &format!("5;{}\r\nhello\r\n0\r\n\r\n", "a".repeat(4096)),
        ),
        chunked(
            "trailer with a bare LF",
            400,
            "5\r\nhello\r\n0\r\nX: y\n\r\n",
        ),
        chunked(
            "trailer with a bare CR",
            400,
            "5\r\nhello\r\n0\r\nX: y\rz\r\n\r\n",
        ),
        chunked(
            "endless trailers",
            400,
            &format!("0\r\n{}\r\n", "X: y\r\n".repeat(4096)),
        ),
        chunked(
            "chunked body above the limit",
            413,
            &format!("800\r\n{}\r\n0\r\n\r\n", "a".repeat(0x800)),
        ),
    ]
}

fn head_cases() -> Vec<Case> {
    vec![
        head("obs-fold", 400, b"X-Long: a\r\n b\r\n"),
        head("space before a colon", 400, b"X-Bad : a\r\n"),
        head("tab before a colon", 400, b"X-Bad\t: a\r\n"),
        head("empty field name", 400, b": a\r\n"),
        head("field without a colon", 400, b"X-Bad a\r\n"),
        head("NUL in a field value", 400, b"X-Bad: a\0b\r\n"),
        head("NUL in a field name", 400, b"X-B\0d: a\r\n"),
        head("control byte in a field value", 400, b"X-Bad: a\x01b\r\n"),
        head("DEL in a field value", 400, b"X-Bad: a\x7fb\r\n"),
        head("control byte in a field name", 400, b"X-B\x01d: a\r\n"),
        head("bare CR inside a field value", 400, b"X-Bad: a\rb\r\n"),
        head("field line ended by CR CR LF", 400, b"X-Bad: a\r\r\n"),
        head("field line ended by a bare LF", 400, b"X-Bad: a\n"),
        case(
            "head with bare LF line endings",
            400,
            "GET /never HTTP/1.1\nHost: x\n\n",
        ),
        case(
            "request line ended by a bare LF",
            400,
            "GET /never HTTP/1.1\nHost: x\r\n\r\n",
        ),
        case(
            "request line ended by a bare CR",
            400,
            "GET /never HTTP/1.1\rHost: x\r\n\r\n",
        ),
        case(
            "request line longer than the limit",
            414,
            format!(
                "GET /never{} HTTP/1.1\r\nHost: x\r\n\r\n",
                "a".repeat(MAX_REQUEST_LINE + 100)
            ),
        ),
        case(
            "unfinished request line longer than the limit",
            414,
            format!("GET /never{}", "a".repeat(MAX_REQUEST_LINE * 2)),
        ),
        head(
            "head longer than the limit",
            431,
            format!("X-Big: {}\r\n", "a".repeat(MAX_HEAD_SIZE)).as_bytes(),
        ),
        case(
            "unfinished head longer than the limit",
            431,
            format!(
                "GET /never HTTP/1.1\r\nHost: x\r\n{}",
                "X-Many: a\r\n".repeat(MAX_HEAD_SIZE / 10)
            ),
        ),
        head(
            "too many fields",
            431,
            "X-Many: a\r\n".repeat(MAX_HEADERS + 1).as_bytes(),
        ),
        head(
            "unsupported expectation",
            417,
            b"Expect: something-else\r\n",
        ),
    ]
}

fn request_line_cases() -> Vec<Case> {
    vec![
        version("HTTP/2.0", 505, "HTTP/2.0"),
        version("HTTP/1.2", 505, "HTTP/1.2"),
        version("HTTP/0.9", 505, "HTTP/0.9"),
        version("HTTP/3.0", 505, "HTTP/3.0"),
        case("HTTP/2 preface", 505, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
        case(
            "HTTP/0.9 request without a version",
            400,
            "GET /never\r\n\r\n",
        ),
        version("garbage version", 400, "HTTP/x.y"),
        version("lower-case version", 400, "http/1.1"),
        version("two-digit major version", 400, "HTTP/01.1"),
        version("version with a trailing token", 400, "HTTP/1.1 extra"),
        version("empty version", 400, ""),
        case(
            "two spaces after the method",
            400,
            "GET  /never HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case("empty method", 400, " /never HTTP/1.1\r\nHost: x\r\n\r\n"),
        case(
            "method with a separator",
            400,
            "G(T /never HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case(
            "control byte in the target",
            400,
            "GET /never\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case(
            "NUL in the target",
            400,
            "GET /never\0 HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case(
            "TLS ClientHello",
            400,
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n".to_vec(),
        ),
        case(
            "CONNECT",
            501,
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        ),
        case(
            "asterisk-form with GET",
            400,
            "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case(
            "authority-form with GET",
            400,
            "GET example.com:80 HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case(
            "relative target",
            400,
            "GET never/a HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case(
            "absolute-form without an authority",
            400,
            "GET http:///never HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case(
            "absolute-form with userinfo",
            400,
            "GET http://user@x/never HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case(
            "absolute-form with a scheme other than http(s)",
            400,
            "GET ftp://x/never HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        case("HTTP/1.1 without Host", 400, "GET /never HTTP/1.1\r\n\r\n"),
        case(
            "two equal Hosts",
            400,
            "GET /never HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n",
        ),
        case(
            "two different Hosts",
            400,
            "GET /never HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        ),
        case(
            "Host with a space",
            400,
            "GET /never HTTP/1.1\r\nHost: x y\r\n\r\n",
        ),
        case(
            "Host with userinfo",
            400,
            "GET /never HTTP/1.1\r\nHost: user@x\r\n\r\n",
        ),
        case(
            "Host with a path",
            400,
            "GET /never HTTP/1.1\r\nHost: x/never\r\n\r\n",
        ),
        case(
            "Host with a bad port",
            400,
            "GET /never HTTP/1.1\r\nHost: x:http\r\n\r\n",
        ),
        case(
            "Host with an unclosed IPv6 literal",
            400,
            "GET /never HTTP/1.1\r\nHost: [::1\r\n\r\n",
        ),
    ]
}

/// Paths the service was called with, in order.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn paths(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Serves the corpus's server: records each path, reads the whole body, answers 200.
/// With `direct`, a direct answer (`Builder::direct`) also answers 200 to every request it
/// is offered, recording it as `direct <target>`: no corpus case may be offered one.
async fn serve(recorder: Recorder, direct: bool) -> std::net::SocketAddr {
    let mut builder = Server::builder()
        .max_request_line(MAX_REQUEST_LINE)
        .max_head_size(MAX_HEAD_SIZE)
        .max_headers(MAX_HEADERS)
        .max_body_size(MAX_BODY_SIZE);
    if direct {
        let recorder = recorder.clone();
        builder = builder.direct(move |request: &RawRequest<'_>, response: RawResponse<'_>| {
            let offered = format!("direct {}", request.target());
            recorder.0.lock().unwrap().push(offered);
            Some(response.send(http::StatusCode::OK, &[], b"answered directly"))
        });
    }
    let server = builder.bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    kairos::spawn(server.serve(service_fn(move |req: Request<Body>| {
        let recorder = recorder.clone();
        async move {
            recorder.0.lock().unwrap().push(req.uri().path().to_owned());
            let body = req.into_body().collect(usize::MAX).await;
            Ok::<_, std::convert::Infallible>(Response::new(Body::from(format!("{body:?}"))))
        }
    })));
    addr
}

/// Sends every case on a connection of its own: the exact status, `Connection: close`,
/// then end of stream with nothing after the one response. Returns the failures.
async fn run(addr: std::net::SocketAddr, cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        // Every refusal is immediate: a case that waits for a timeout is a failure.
        let outcome = kairos::time::timeout(CASE_LIMIT, exchange(addr, case)).await;
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(failure)) => failures.push(format!("{}: {failure}", case.name)),
            Err(_) => failures.push(format!("{}: no answer within {CASE_LIMIT:?}", case.name)),
        }
    }
    failures
}

/// Longest a case may take (far below the 10 s header-read timeout).
const CASE_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);

async fn exchange(addr: std::net::SocketAddr, case: &Case) -> Result<(), String> {
    let mut client = RawClient::connect(addr).await;
    // The server may refuse and close before it has read everything.
    let _ = client.try_send(&case.request).await;
    let res = client.response().await.ok_or("no response")?;
    if res.status != case.status {
        return Err(format!(
            "status {} (expected {}): {}",
            res.status,
            case.status,
            res.text().trim_end()
        ));
    }
    if res.header("connection") != Some("close") {
        return Err("no Connection: close".into());
    }
    if !client.is_closed().await {
        return Err("connection not closed after one response".into());
    }
    Ok(())
}

/// Runs `cases`, on a server without and then with a direct answer, and checks the
/// service saw only `/echo` (bodies refused midway), and never `/never` or `/smuggled`,
/// and that no case was offered to the direct answer.
async fn check(cases: Vec<Case>) {
    check_on(&cases, false).await;
    check_on(&cases, true).await;
}

async fn check_on(cases: &[Case], direct: bool) {
    assert!(!cases.is_empty());
    let recorder = Recorder::default();
    let addr = serve(recorder.clone(), direct).await;
    let failures = run(addr, cases).await;
    assert!(
        failures.is_empty(),
        "direct answers {direct}: {} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    let paths = recorder.paths();
    assert!(
        paths.iter().all(|p| p == "/echo"),
        "the service saw a refused or smuggled request: {paths:?}"
    );
}

#[test]
fn the_corpus_has_at_least_40_cases() {
    let total = framing_cases().len()
        + chunk_cases().len()
        + head_cases().len()
        + request_line_cases().len();
    assert!(total >= 40, "{total}");
}

#[kairos::test]
async fn framing_conflicts_are_refused_and_nothing_is_smuggled() {
    check(framing_cases()).await;
}

#[kairos::test]
async fn broken_chunked_bodies_are_refused() {
    check(chunk_cases()).await;
}

#[kairos::test]
async fn malformed_heads_are_refused() {
    check(head_cases()).await;
}

#[kairos::test]
async fn bad_request_lines_versions_targets_and_hosts_are_refused() {
    check(request_line_cases()).await;
}

/// The service is reached by requests like the corpus's, well formed: the corpus's
/// refusals are the server's rules, not a server that refuses everything.
#[kairos::test]
async fn well_formed_neighbours_of_the_corpus_are_served() {
    // Without a direct answer everything reaches the service; with one, the four
    // bodiless origin-form requests are answered directly.
    for (direct, answered_directly) in [(false, 0), (true, 4)] {
        let recorder = Recorder::default();
        let addr = serve(recorder.clone(), direct).await;
        serve_neighbours(addr).await;
        let paths = recorder.paths();
        assert_eq!(paths.len(), NEIGHBOURS.len(), "{paths:?}");
        let direct_paths = paths.iter().filter(|p| p.starts_with("direct ")).count();
        assert_eq!(direct_paths, answered_directly, "{paths:?}");
    }
}

const NEIGHBOURS: &[&[u8]] = &[
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nX: y\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"q\tb\"\r\nhello\r\n0\r\n\r\n",
    b"GET /echo HTTP/1.0\r\n\r\n",
    b"GET http://x:8080/echo HTTP/1.1\r\nHost: x:8080\r\n\r\n",
    b"GET /echo HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
    b"GET /echo HTTP/1.1\r\nHost: \r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\r\nGET /echo HTTP/1.1\r\nHost: x\r\nX-Tab: a\tb\r\nX-Obs: caf\xc3\xa9\r\n\r\n",
];

async fn serve_neighbours(addr: std::net::SocketAddr) {
    let ok = NEIGHBOURS;
    for request in ok {
        let mut client = RawClient::connect(addr).await;
        client.send(request).await;
        let res = client.response().await.expect("a response");
        assert_eq!(
            res.status,
            200,
            "{:?}: {}",
            String::from_utf8_lossy(request),
            res.text()
        );
    }
}
