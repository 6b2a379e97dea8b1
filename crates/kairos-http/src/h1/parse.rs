//! Heads: parsing a request head (server side) or a response head (client side) out of the
//! read buffer, with every framing rule that keeps a request from being read two ways.
//!
//! `httparse` tokenizes; this file decides. A head is parsed only once it is complete
//! (`httparse::Status::Partial` means "need more bytes": `Ok(None)` here, never an
//! error), and its parts are sliced out of the same `Bytes` (no copies of the target or of
//! header values).
//!
//! The rules, each with the status a server answers (the connection is closed after it):
//!
//! | input | status |
//! |---|---|
//! | request line longer than `max_request_line` | 414 |
//! | head longer than `max_head_size`, or more than `max_headers` fields | 431 |
//! | a version other than HTTP/1.0 or HTTP/1.1 (`HTTP/2.0`, `HTTP/1.2`) | 505 |
//! | a method token, target or field that does not parse; obs-fold; whitespace before a colon; NUL, CR or LF in a value | 400 |
//! | a line ended by a bare LF (the chunked decoder refuses those too: no two readings of one line) | 400 |
//! | `*` with a method other than OPTIONS; authority-form (`host:port`) without CONNECT; absolute-form with a scheme other than http(s), no host, or userinfo | 400 |
//! | both `Content-Length` and `Transfer-Encoding` | 400 |
//! | `Content-Length` not all digits (`+5`, `-1`, `0x5`, empty), too large for `u64`, or repeated with different values | 400 |
//! | `Transfer-Encoding` whose last coding is not `chunked`, or `chunked` twice | 400 |
//! | `Transfer-Encoding` naming a coding other than `chunked` (`gzip, chunked`) | 501 |
//! | `Transfer-Encoding` in an HTTP/1.0 request | 400 |
//! | HTTP/1.1 without `Host`, or with two; a `Host` that is not `host[:port]` (userinfo, a path, a space, a bad port) | 400 |
//! | `Expect` other than `100-continue` | 417 |
//! | `CONNECT` (tunnels are not served) | 501 |
//! | `Content-Length` above `max_body_size` | 413 (in `conn.rs`) |

use crate::server::direct::RawRequest;
use bytes::{Buf, Bytes, BytesMut};
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri, Version};
use std::mem::MaybeUninit;

/// The most header fields any head may have (the `max_headers` setting is capped here):
/// slots for them live on the stack during a parse.
pub(crate) const HEADER_SLOTS: usize = 256;

/// How a message's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyLength {
    /// Exactly this many bytes (0: no body).
    Known(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Until the peer closes (responses only).
    UntilClose,
}

/// Limits a head is parsed under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeadLimits {
    pub(crate) max_request_line: usize,
    pub(crate) max_head_size: usize,
    pub(crate) max_headers: usize,
}

/// A request head that passed every rule.
#[derive(Debug)]
pub(crate) struct RequestHead {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) body: BodyLength,
    /// Whether the client allows the connection to stay open after this exchange.
    pub(crate) keep_alive: bool,
    /// `Expect: 100-continue` was sent.
    pub(crate) expect_continue: bool,
}

/// A response head (client side).
#[derive(Debug)]
pub(crate) struct ResponseHead {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) body: BodyLength,
    pub(crate) keep_alive: bool,
}

/// Why a head was refused: the status to answer with and a reason for logs and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeadError {
    pub(crate) status: StatusCode,
    pub(crate) reason: &'static str,
}

fn bad(reason: &'static str) -> HeadError {
    HeadError {
        status: StatusCode::BAD_REQUEST,
        reason,
    }
}

fn refuse(status: StatusCode, reason: &'static str) -> HeadError {
    HeadError { status, reason }
}

/// Parses one request head from the front of `buf`. `Ok(None)`: the head is not complete
/// yet (and within limits); `Ok(Some(head))`: the head's bytes were split off `buf`.
/// (The server parses with [`parse_request_with`]; this is its form for the tests and
/// the fuzz targets.)
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn parse_request(
    buf: &mut BytesMut,
    limits: &HeadLimits,
) -> Result<Option<RequestHead>, HeadError> {
    let never = None::<fn(&RawRequest<'_>, bool) -> Option<std::convert::Infallible>>;
    Ok(
        parse_request_with(buf, limits, never)?.map(|parsed| match parsed {
            Parsed::Request(head) => head,
            Parsed::Answered(never) => match never {},
        }),
    )
}

/// What a complete request head became.
// The request is the common case: boxing it would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Parsed<T> {
    /// A request for the service.
    Request(RequestHead),
    /// Answered directly, with this outcome.
    Answered(T),
}

/// [`parse_request`], offering a head that may be answered directly (no body, an
/// origin-form target of plain characters: see `server/direct.rs`) to `direct` first,
/// with whether the client allows the connection to persist. If `direct` answers
/// (`Some`), the head's bytes are dropped from `buf` and no `http` type is built.
pub(crate) fn parse_request_with<T>(
    buf: &mut BytesMut,
    limits: &HeadLimits,
    direct: Option<impl FnOnce(&RawRequest<'_>, bool) -> Option<T>>,
) -> Result<Option<Parsed<T>>, HeadError> {
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; HEADER_SLOTS];
    let slots = &mut slots[..limits.max_headers.clamp(1, HEADER_SLOTS)];
    let mut req = httparse::Request::new(&mut []);
    let parsed =
        httparse::ParserConfig::default().parse_request_with_uninit_headers(&mut req, buf, slots);
    let len = match parsed {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => {
            return check_partial(buf, limits).map(|()| None);
        }
        Err(err) => return Err(request_error(err, buf, limits)),
    };
    if len > limits.max_head_size {
        return Err(head_too_large(buf, limits));
    }
    if has_bare_lf(&buf[..len]) {
        return Err(bad("line ended by a bare LF"));
    }
    // The target is checked against its own limit even when the head is complete.
    let target = req.path.unwrap_or_default();
    if target.len() > limits.max_request_line {
        return Err(refuse(StatusCode::URI_TOO_LONG, "request target too long"));
    }
    let version = if req.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    let method = Method::from_bytes(req.method.unwrap_or_default().as_bytes())
        .map_err(|_| bad("invalid method"))?;
    if method == Method::CONNECT {
        return Err(refuse(StatusCode::NOT_IMPLEMENTED, "CONNECT is not served"));
    }
    let framing = Framing::scan(req.headers, version)?;
    let body = match (framing.content_length, framing.chunked) {
        (Some(_), true) => return Err(bad("both Content-Length and Transfer-Encoding")),
        (_, true) if version == Version::HTTP_10 => {
            return Err(bad("Transfer-Encoding in an HTTP/1.0 request"))
        }
        (_, true) => BodyLength::Chunked,
        (Some(n), false) => BodyLength::Known(n),
        (None, false) => BodyLength::Known(0),
    };
    if version == Version::HTTP_11 && framing.hosts != 1 {
        return Err(bad(if framing.hosts == 0 {
            "HTTP/1.1 request without Host"
        } else {
            "more than one Host"
        }));
    }
    if !framing.host_valid {
        return Err(bad("invalid Host"));
    }
    let expect_continue = match framing.expect {
        Expect::None => false,
        Expect::Continue => true,
        Expect::Other => {
            return Err(refuse(
                StatusCode::EXPECTATION_FAILED,
                "unsupported expectation",
            ))
        }
    };
    let plain = match direct {
        Some(direct) if body == BodyLength::Known(0) => {
            plain_origin_path_len(target).map(|path_len| (direct, path_len))
        }
        _ => None,
    };
    if let Some((direct, path_len)) = plain {
        let request = RawRequest {
            method: &method,
            target,
            path_len,
            version,
            fields: req.headers,
        };
        if let Some(answer) = direct(&request, framing.keep_alive) {
            buf.advance(len);
            return Ok(Some(Parsed::Answered(answer)));
        }
    }
    // Everything below borrows from `head`, which shares the read buffer's allocation.
    let mut spans = Spans::new();
    spans.record(buf, req.headers);
    let target = span(buf, target.as_bytes());
    let head = buf.split_to(len).freeze();
    let uri = if target.1 == 1 && head[target.0] == b'/' {
        Uri::from_static("/")
    } else {
        Uri::from_maybe_shared(head.slice(target.0..target.0 + target.1))
            .map_err(|_| bad("invalid request target"))?
    };
    check_target_form(&method, &uri, &head[target.0..target.0 + target.1])?;
    let headers = header_map(&head, spans.as_slice())?;
    Ok(Some(Parsed::Request(RequestHead {
        method,
        uri,
        version,
        keep_alive: framing.keep_alive,
        headers,
        body,
        expect_continue,
    })))
}

/// The characters of an origin-form target (`/path?query`) offered to a direct answer:
/// RFC 3986's unreserved, sub-delims, `:`, `@`, `/`, `?` and `%`. Every one is a
/// character `http::Uri` takes in a path and in a query (a test checks), so a request
/// answered directly is one the service path would also have taken; anything else (a
/// fragment, quotes, braces, bytes above ASCII) goes to the service path and its checks.
const PLAIN_TARGET: [bool; 256] = ascii_table(b"-._~!$&'()*+,;=:@/?%");

/// If `target` is origin-form, of [`PLAIN_TARGET`] characters only, and short enough
/// for `http::Uri` (which takes at most `u16::MAX - 1` bytes): the length of its path
/// (up to the first `?`).
fn plain_origin_path_len(target: &str) -> Option<usize> {
    let bytes = target.as_bytes();
    if bytes.first() != Some(&b'/') || bytes.len() >= usize::from(u16::MAX - 1) {
        return None;
    }
    if !bytes.iter().all(|&b| PLAIN_TARGET[usize::from(b)]) {
        return None;
    }
    Some(bytes.iter().position(|&b| b == b'?').unwrap_or(bytes.len()))
}

/// Parses one response head from the front of `buf`, for a request of `method`.
pub(crate) fn parse_response(
    buf: &mut BytesMut,
    limits: &HeadLimits,
    method: &Method,
) -> Result<Option<ResponseHead>, HeadError> {
    let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; HEADER_SLOTS];
    let slots = &mut slots[..limits.max_headers.clamp(1, HEADER_SLOTS)];
    let mut res = httparse::Response::new(&mut []);
    let len = match httparse::ParserConfig::default()
        .parse_response_with_uninit_headers(&mut res, buf, slots)
    {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() > limits.max_head_size => {
            return Err(refuse(
                StatusCode::BAD_GATEWAY,
                "response head larger than the limit",
            ))
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(refuse(StatusCode::BAD_GATEWAY, "malformed response head")),
    };
    // A head that arrived complete in one read is held to the limit too.
    if len > limits.max_head_size {
        return Err(refuse(
            StatusCode::BAD_GATEWAY,
            "response head larger than the limit",
        ));
    }
    let status = StatusCode::from_u16(res.code.unwrap_or_default())
        .map_err(|_| refuse(StatusCode::BAD_GATEWAY, "invalid status code"))?;
    let version = if res.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    let framing = Framing::scan(res.headers, version)
        .map_err(|e| refuse(StatusCode::BAD_GATEWAY, e.reason))?;
    let mut spans = Spans::new();
    spans.record(buf, res.headers);
    let head = buf.split_to(len).freeze();
    let headers = header_map(&head, spans.as_slice())
        .map_err(|e| refuse(StatusCode::BAD_GATEWAY, e.reason))?;
    let no_body = *method == Method::HEAD || !super::encode::status_has_body(status);
    let body = match (no_body, framing.content_length, framing.chunked) {
        (true, _, _) => BodyLength::Known(0),
        (false, Some(_), true) => {
            return Err(refuse(
                StatusCode::BAD_GATEWAY,
                "both Content-Length and Transfer-Encoding",
            ))
        }
        (false, _, true) => BodyLength::Chunked,
        (false, Some(n), false) => BodyLength::Known(n),
        (false, None, false) => BodyLength::UntilClose,
    };
    let keep_alive = framing.keep_alive && body != BodyLength::UntilClose;
    Ok(Some(ResponseHead {
        status,
        version,
        headers,
        body,
        keep_alive,
    }))
}

/// Where a slice of `buf` starts, and its length.
fn span(buf: &[u8], part: &[u8]) -> (usize, usize) {
    if part.is_empty() {
        (0, 0)
    } else {
        (part.as_ptr() as usize - buf.as_ptr() as usize, part.len())
    }
}

/// A field's name and value as positions in the head: (name at, name length, value at,
/// value length).
type FieldSpan = (u32, u32, u32, u32);

/// Field positions, on the stack for the usual number of fields (filled in place: the
/// inline array is not moved after it is written).
struct Spans {
    inline: [FieldSpan; INLINE_FIELDS],
    len: usize,
    heap: Vec<FieldSpan>,
}

/// Fields a head usually has at most (more go to the heap).
const INLINE_FIELDS: usize = 24;

impl Spans {
    fn new() -> Spans {
        Spans {
            inline: [(0, 0, 0, 0); INLINE_FIELDS],
            len: 0,
            heap: Vec::new(),
        }
    }

    /// Records where each of `fields` lies in `buf`.
    fn record(&mut self, buf: &[u8], fields: &[httparse::Header<'_>]) {
        let field_span = |h: &httparse::Header<'_>| {
            let (name_at, name_len) = span(buf, h.name.as_bytes());
            let (value_at, value_len) = span(buf, h.value);
            // Heads are far below 4 GiB (max_head_size): the positions fit.
            (
                name_at as u32,
                name_len as u32,
                value_at as u32,
                value_len as u32,
            )
        };
        self.len = fields.len();
        if fields.len() <= INLINE_FIELDS {
            for (slot, field) in self.inline.iter_mut().zip(fields) {
                *slot = field_span(field);
            }
        } else {
            self.heap = fields.iter().map(field_span).collect();
        }
    }

    fn as_slice(&self) -> &[FieldSpan] {
        if self.len <= INLINE_FIELDS {
            &self.inline[..self.len]
        } else {
            &self.heap
        }
    }
}

fn header_map(head: &Bytes, fields: &[FieldSpan]) -> Result<HeaderMap, HeadError> {
    let spare = if fields.is_empty() {
        None
    } else {
        super::pool::take_header_map()
    };
    let mut headers = match spare {
        Some(mut spare) => {
            spare.reserve(fields.len());
            spare
        }
        None => HeaderMap::with_capacity(fields.len()),
    };
    for &(name_at, name_len, value_at, value_len) in fields {
        let (name_at, name_len) = (name_at as usize, name_len as usize);
        let (value_at, value_len) = (value_at as usize, value_len as usize);
        let name = HeaderName::from_bytes(&head[name_at..name_at + name_len])
            .map_err(|_| bad("invalid header name"))?;
        let value = if value_len == 0 {
            HeaderValue::from_static("")
        } else {
            // SAFETY: httparse admitted every byte of this value, and the bytes it admits
            // in a field value (HTAB, SP to `~`, 0x80 to 0xFF) are exactly those a
            // `HeaderValue` may hold (the test `httparse_admits_what_header_value_holds`
            // checks all 256, so a change in either crate fails it).
            unsafe {
                HeaderValue::from_maybe_shared_unchecked(head.slice(value_at..value_at + value_len))
            }
        };
        headers.append(name, value);
    }
    Ok(headers)
}

/// What an `Expect` field asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    None,
    Continue,
    Other,
}

/// What the framing fields of a head say, found in one pass over the raw fields.
struct Framing {
    content_length: Option<u64>,
    chunked: bool,
    keep_alive: bool,
    hosts: usize,
    /// Every `Host` value is `host[:port]`.
    host_valid: bool,
    expect: Expect,
}

impl Framing {
    fn scan(fields: &[httparse::Header<'_>], version: Version) -> Result<Framing, HeadError> {
        let mut framing = Framing {
            content_length: None,
            chunked: false,
            keep_alive: false,
            hosts: 0,
            host_valid: true,
            expect: Expect::None,
        };
        let mut other_coding = false;
        let (mut close, mut keep_alive) = (false, false);
        for field in fields {
            let name = field.name.as_bytes();
            let is = |known: &str| name.eq_ignore_ascii_case(known.as_bytes());
            match name.len() {
                4 if is("host") => {
                    framing.hosts += 1;
                    // httparse trims a value's surrounding whitespace itself.
                    framing.host_valid &= is_valid_host_remembered(field.value);
                }
                6 if is("expect") => {
                    framing.expect = if field.value.eq_ignore_ascii_case(b"100-continue") {
                        Expect::Continue
                    } else {
                        Expect::Other
                    }
                }
                10 if is("connection") => {
                    for option in field.value.split(|&b| b == b',') {
                        let option = trim(option);
                        close |= option.eq_ignore_ascii_case(b"close");
                        keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
                    }
                }
                14 if is("content-length") => {
                    for item in field.value.split(|&b| b == b',') {
                        let n = parse_content_length(trim(item))?;
                        if framing.content_length.is_some_and(|seen| seen != n) {
                            return Err(bad("conflicting Content-Length values"));
                        }
                        framing.content_length = Some(n);
                    }
                }
                17 if is("transfer-encoding") => {
                    for coding in field.value.split(|&b| b == b',') {
                        let coding = trim(coding);
                        if framing.chunked {
                            // Anything after `chunked` (even a second `chunked`) is refused.
                            return Err(bad("chunked is not the final transfer coding"));
                        }
                        if coding.eq_ignore_ascii_case(b"chunked") {
                            framing.chunked = true;
                        } else if coding.is_empty() {
                            return Err(bad("empty transfer coding"));
                        } else {
                            other_coding = true;
                        }
                    }
                }
                _ => {}
            }
        }
        if other_coding {
            return Err(if framing.chunked {
                refuse(StatusCode::NOT_IMPLEMENTED, "unsupported transfer coding")
            } else {
                bad("chunked is not the final transfer coding")
            });
        }
        framing.keep_alive = !close && (version == Version::HTTP_11 || keep_alive);
        Ok(framing)
    }
}

/// `1*DIGIT`, nothing else, fitting a `u64`.
pub(crate) fn parse_content_length(digits: &[u8]) -> Result<u64, HeadError> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad("malformed Content-Length"));
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or(bad("Content-Length too large"))
    })
}

/// Whether a line of `head` ends in LF without CR. httparse takes bare LF as a line end
/// (RFC 9112 section 2.2 allows that); Kairos refuses it, as its chunked decoder does, so
/// that no intermediary can read a line boundary where Kairos reads none.
fn has_bare_lf(head: &[u8]) -> bool {
    // Branch-free over byte pairs so that it vectorizes: this runs on every request head.
    head.first() == Some(&b'\n')
        || head[1..].iter().zip(head).fold(false, |bare, (&b, &prev)| {
            bare | ((b == b'\n') & (prev != b'\r'))
        })
}

/// The bytes a reg-name may hold (RFC 3986: unreserved, sub-delims, `%` of a
/// percent-encoding), as a table: the check runs on every request's `Host`.
const REG_NAME: [bool; 256] = ascii_table(b"-._~%!$&'()*+,;=");

/// A byte table of ASCII letters and digits and the bytes of `extra`.
const fn ascii_table(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// The last `Host` value this thread found valid: the requests a server reads carry the
/// same few hosts again and again, and comparing with the last one costs a fraction of
/// checking it byte by byte (which was a tenth of a small request's instructions).
struct ValidHost {
    bytes: [u8; VALID_HOST_MAX],
    len: usize,
}

/// Longest `Host` value remembered (longer ones are checked every time).
const VALID_HOST_MAX: usize = 64;

thread_local! {
    static VALID_HOST: std::cell::RefCell<ValidHost> = const {
        std::cell::RefCell::new(ValidHost { bytes: [0; VALID_HOST_MAX], len: usize::MAX })
    };
}

/// [`is_valid_host`], answered from [`VALID_HOST`] when `value` is the last valid one.
fn is_valid_host_remembered(value: &[u8]) -> bool {
    VALID_HOST.with_borrow_mut(|last| {
        if last.bytes.get(..last.len) == Some(value) {
            return true;
        }
        let valid = is_valid_host(value);
        if valid && value.len() <= VALID_HOST_MAX {
            last.bytes[..value.len()].copy_from_slice(value);
            last.len = value.len();
        }
        valid
    })
}

/// `Host = uri-host [ ":" port ]` (RFC 9112 section 3.2, RFC 3986 section 3.2.2): a
/// bracketed IPv6 literal or a reg-name (which covers IPv4), then an optional port of
/// digits. Empty is valid (a target without an authority). Userinfo, paths, spaces and
/// anything else make a request that proxies and origins could route differently.
fn is_valid_host(value: &[u8]) -> bool {
    let rest = match value.strip_prefix(b"[") {
        Some(literal) => match literal.iter().position(|&b| b == b']') {
            Some(end)
                if end > 0
                    && literal[..end]
                        .iter()
                        .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.') =>
            {
                &literal[end + 1..]
            }
            _ => return false,
        },
        // One pass: the reg-name runs to the first byte it may not hold (`:` is one).
        None => {
            let end = value
                .iter()
                .position(|&b| !REG_NAME[usize::from(b)])
                .unwrap_or(value.len());
            &value[end..]
        }
    };
    match rest {
        [] => true,
        [b':', port @ ..] => port.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// The request target is in a form its method allows (RFC 9112 section 3.2): origin-form
/// (`/path`) for any method, `*` for OPTIONS only, absolute-form with an http(s) scheme,
/// a host and no userinfo. Authority-form is CONNECT's, which is refused earlier.
fn check_target_form(method: &Method, uri: &Uri, target: &[u8]) -> Result<(), HeadError> {
    match target {
        [b'/', ..] => Ok(()),
        b"*" if method == Method::OPTIONS => Ok(()),
        b"*" => Err(bad("asterisk-form target with a method other than OPTIONS")),
        _ => {
            let http = uri
                .scheme_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"));
            // A non-empty host implies an authority; userinfo would sit before an `@`.
            let userinfo = uri.authority().is_some_and(|a| a.as_str().contains('@'));
            if http && !userinfo && uri.host().is_some_and(|h| !h.is_empty()) {
                Ok(())
            } else {
                Err(bad("request target not in origin or absolute form"))
            }
        }
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace());
    match (start, end) {
        (Some(start), Some(end)) => &bytes[start..=end],
        _ => &[],
    }
}

/// A partial head: refused if it already broke a size limit.
fn check_partial(buf: &[u8], limits: &HeadLimits) -> Result<(), HeadError> {
    let line_len = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    if line_len > limits.max_request_line + REQUEST_LINE_EXTRA {
        return Err(refuse(StatusCode::URI_TOO_LONG, "request line too long"));
    }
    if buf.len() > limits.max_head_size {
        return Err(head_too_large(buf, limits));
    }
    Ok(())
}

/// Room for the method, the spaces and the version around a target of the longest length.
const REQUEST_LINE_EXTRA: usize = 32;

fn head_too_large(buf: &[u8], limits: &HeadLimits) -> HeadError {
    let line_end = buf.iter().position(|&b| b == b'\n').unwrap_or(buf.len());
    if line_end > limits.max_request_line + REQUEST_LINE_EXTRA {
        refuse(StatusCode::URI_TOO_LONG, "request line too long")
    } else {
        refuse(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request head too large",
        )
    }
}

fn request_error(err: httparse::Error, buf: &[u8], limits: &HeadLimits) -> HeadError {
    match err {
        httparse::Error::TooManyHeaders => refuse(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "too many header fields",
        ),
        httparse::Error::Version if names_other_version(buf) => refuse(
            StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            "HTTP version not supported",
        ),
        // A line too long to be anything but an attack is 414 even if it is malformed.
        _ if head_too_large(buf, limits).status == StatusCode::URI_TOO_LONG
            && buf.len() > limits.max_request_line + REQUEST_LINE_EXTRA =>
        {
            head_too_large(buf, limits)
        }
        httparse::Error::HeaderName => bad("invalid header name (or whitespace before a colon)"),
        httparse::Error::HeaderValue => bad("invalid byte in a header value"),
        httparse::Error::NewLine => bad("invalid line ending"),
        httparse::Error::Token => bad("invalid method or request target"),
        httparse::Error::Version | httparse::Error::Status => bad("malformed request line"),
    }
}

/// Whether the request line ends in a well-formed `HTTP/d.d` (one httparse does not take).
fn names_other_version(buf: &[u8]) -> bool {
    let line = buf.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let version = line.rsplit(|&b| b == b' ').next().unwrap_or_default();
    matches!(version, [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
        if major.is_ascii_digit() && minor.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: HeadLimits = HeadLimits {
        max_request_line: 64,
        max_head_size: 256,
        max_headers: 4,
    };

    fn parse(input: &[u8]) -> Result<Option<RequestHead>, HeadError> {
        parse_request(&mut BytesMut::from(input), &LIMITS)
    }

    fn status(input: &[u8]) -> u16 {
        parse(input).expect_err("refused").status.as_u16()
    }

    #[test]
    fn complete_heads_are_split_off_and_partial_ones_wait() {
        let mut buf =
            BytesMut::from(&b"GET /a?b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHo"[..]);
        let head = parse_request(&mut buf, &LIMITS).unwrap().unwrap();
        assert_eq!(head.uri, "/a?b");
        assert_eq!(head.headers["host"], "x");
        assert_eq!(head.body, BodyLength::Known(0));
        assert!(head.keep_alive);
        assert!(parse_request(&mut buf, &LIMITS).unwrap().is_none());
        assert_eq!(&buf[..], b"GET /c HTTP/1.1\r\nHo");
    }

    #[test]
    fn framing_rules() {
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n"),
            400
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\n"),
            400
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n"),
            400
        );
        assert_eq!(
            status(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"
            ),
            400
        );
        let same =
            parse(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n");
        assert_eq!(same.unwrap().unwrap().body, BodyLength::Known(3));
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
            400
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            501
        );
        assert_eq!(status(b"GET / HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(status(b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n"),
            417
        );
        let old = parse(b"GET / HTTP/1.0\r\n\r\n").unwrap().unwrap();
        assert!(!old.keep_alive);
    }

    #[test]
    fn size_limits() {
        let long_target = format!("GET /{} HTTP/1.1\r\n", "a".repeat(200));
        assert_eq!(status(long_target.as_bytes()), 414);
        let long_head = format!("GET / HTTP/1.1\r\nHost: x\r\nA: {}", "b".repeat(300));
        assert_eq!(status(long_head.as_bytes()), 431);
        assert_eq!(
            status(b"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n"),
            431
        );
    }

    #[test]
    fn bare_lf_line_endings_are_refused() {
        assert_eq!(status(b"GET / HTTP/1.1\nHost: x\n\n"), 400);
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: x\nA: b\r\n\r\n"), 400);
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: x\r\n\n"), 400);
        assert!(has_bare_lf(b"\n"));
        assert!(!has_bare_lf(b"a\r\nb\r\n\r\n"));
    }

    #[test]
    fn httparse_admits_what_header_value_holds() {
        // `header_map` builds values unchecked on the strength of this: for every byte,
        // a head with it inside a field value (long enough for httparse's vector path,
        // and near the start for its scalar path) parses exactly when a `HeaderValue`
        // may hold it.
        let limits = HeadLimits {
            max_head_size: 1024,
            ..LIMITS
        };
        for b in 0..=255u8 {
            let mut value = vec![b'a'; 64];
            value[1] = b;
            value[40] = b;
            let mut head = b"GET / HTTP/1.1\r\nHost: x\r\nX: ".to_vec();
            head.extend_from_slice(&value);
            head.extend_from_slice(b"\r\n\r\n");
            let parsed = parse_request(&mut BytesMut::from(&head[..]), &limits);
            let holds = HeaderValue::from_bytes(&value).is_ok();
            assert_eq!(parsed.is_ok(), holds, "byte {b:#04x}");
            if let Ok(parsed) = parsed {
                assert_eq!(
                    parsed.expect("complete").headers["x"].as_bytes(),
                    &value[..]
                );
            }
        }
    }

    #[test]
    fn host_values() {
        for ok in [
            &b""[..],
            b"x",
            b"example.com:8080",
            b"10.0.0.1:",
            b"[::1]",
            b"[::1]:80",
            b"a-b.c_d~e%41",
        ] {
            assert!(is_valid_host(ok), "{:?}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b"x y"[..],
            b"user@x",
            b"x/y",
            b"x:http",
            b"x:1:2",
            b"[::1",
            b"[]",
            b"[::1]x",
            b"x?y",
            b"x#y",
        ] {
            assert!(!is_valid_host(bad), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: user@x\r\n\r\n"), 400);
    }

    #[test]
    fn a_remembered_host_is_only_ever_a_valid_one() {
        let long_valid = "a".repeat(VALID_HOST_MAX + 1);
        let cases: [(&[u8], bool); 8] = [
            (b"example.com", true),
            (b"example.com", true),
            (b"example.co", true),
            (b"example.com ", false),
            (b"example.com", true),
            (b"user@example.com", false),
            (long_valid.as_bytes(), true),
            (b"", true),
        ];
        for (value, valid) in cases {
            assert_eq!(is_valid_host_remembered(value), valid, "{value:?}");
            // Asked again, right after: the same answer.
            assert_eq!(is_valid_host_remembered(value), valid, "{value:?}");
        }
    }

    #[test]
    fn httparse_trims_the_whitespace_around_a_value() {
        // `Framing::scan` checks whole `Host` and `Expect` values without trimming them.
        let mut slots = [httparse::EMPTY_HEADER; 2];
        let mut req = httparse::Request::new(&mut slots);
        let head = b"GET / HTTP/1.1\r\nHost: \t x:1 \t \r\nExpect:100-continue  \r\n\r\n";
        assert!(req.parse(head).unwrap().is_complete());
        assert_eq!(req.headers[0].value, b"x:1");
        assert_eq!(req.headers[1].value, b"100-continue");
    }

    #[test]
    fn plain_targets_are_targets_the_service_path_takes_as_sent() {
        for b in 0..=255u8 {
            if !PLAIN_TARGET[usize::from(b)] {
                continue;
            }
            let c = char::from(b);
            for target in [format!("/a{c}b"), format!("/a?x{c}y")] {
                let uri: Uri = target.parse().unwrap_or_else(|_| panic!("{target:?}"));
                assert_eq!(uri.path_and_query().unwrap().as_str(), target);
            }
        }
        assert_eq!(
            plain_origin_path_len("/plaintext?queries=20&x=%20?"),
            Some(10)
        );
        assert_eq!(plain_origin_path_len("/"), Some(1));
        assert_eq!(plain_origin_path_len("/?"), Some(1));
        for other in ["*", "http://x/", "/a#b", "/a\"b", "/a{b}", "/caf\u{e9}", ""] {
            assert_eq!(plain_origin_path_len(other), None, "{other:?}");
        }
    }

    #[test]
    fn a_head_is_offered_for_a_direct_answer_only_when_it_may_have_one() {
        fn offered(input: &[u8]) -> Option<String> {
            let mut buf = BytesMut::from(input);
            let mut seen = None;
            let direct = |request: &RawRequest<'_>, keep: bool| {
                seen = Some(format!("{} {} {keep}", request.method(), request.target()));
                Some(())
            };
            let parsed = parse_request_with(&mut buf, &LIMITS, Some(direct));
            match parsed {
                // Answered: the head is gone from the buffer, the rest stays.
                Ok(Some(Parsed::Answered(()))) => assert_eq!(&buf[..], b"next"),
                Ok(Some(Parsed::Request(_))) => assert!(seen.is_none()),
                other => panic!("{other:?}", other = other.map(|p| p.is_some())),
            }
            seen
        }
        assert_eq!(
            offered(b"GET /a?b HTTP/1.1\r\nHost: x\r\n\r\nnext").as_deref(),
            Some("GET /a?b true")
        );
        assert_eq!(
            offered(b"HEAD / HTTP/1.0\r\n\r\nnext").as_deref(),
            Some("HEAD / false")
        );
        assert_eq!(
            offered(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nn"),
            None
        );
        assert_eq!(offered(b"GET /#f HTTP/1.1\r\nHost: x\r\n\r\n"), None);
        // A refused head is refused before any offer.
        let mut buf = BytesMut::from(&b"GET / HTTP/1.1\r\n\r\n"[..]);
        let direct = |_: &RawRequest<'_>, _: bool| -> Option<()> { panic!("offered") };
        assert!(parse_request_with(&mut buf, &LIMITS, Some(direct)).is_err());
    }

    #[test]
    fn target_forms() {
        let target = |line: &str| parse(format!("{line}\r\nHost: x\r\n\r\n").as_bytes());
        assert!(target("OPTIONS * HTTP/1.1").unwrap().is_some());
        assert!(target("GET http://x:1/a HTTP/1.1").unwrap().is_some());
        assert!(target("GET HTTPS://x/ HTTP/1.1").unwrap().is_some());
        for refused in [
            "GET * HTTP/1.1",
            "GET x:80 HTTP/1.1",
            "GET ftp://x/ HTTP/1.1",
            "GET http://u@x/ HTTP/1.1",
            "GET http:///a HTTP/1.1",
        ] {
            assert_eq!(target(refused).unwrap_err().status, 400, "{refused}");
        }
    }

    #[test]
    fn content_length_digits() {
        assert_eq!(parse_content_length(b"0"), Ok(0));
        assert_eq!(parse_content_length(b"18446744073709551615"), Ok(u64::MAX));
        assert!(parse_content_length(b"18446744073709551616").is_err());
        assert!(parse_content_length(b"").is_err());
        assert!(parse_content_length(b"-1").is_err());
    }

    fn response(input: &[u8], method: &Method) -> Result<Option<ResponseHead>, HeadError> {
        parse_response(&mut BytesMut::from(input), &LIMITS, method)
    }

    #[test]
    fn response_heads_and_their_framing() {
        let mut buf =
            BytesMut::from(&b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.0 204"[..]);
        let head = parse_response(&mut buf, &LIMITS, &Method::GET)
            .unwrap()
            .unwrap();
        assert_eq!(head.status, StatusCode::OK);
        assert_eq!(head.body, BodyLength::Known(2));
        assert!(head.keep_alive);
        assert_eq!(&buf[..], b"okHTTP/1.0 204");
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        let head = response(chunked, &Method::GET).unwrap().unwrap();
        assert_eq!(head.body, BodyLength::Chunked);
        // No length: the body runs to the end of the connection, which cannot be kept.
        let head = response(b"HTTP/1.1 200 OK\r\n\r\n", &Method::GET)
            .unwrap()
            .unwrap();
        assert_eq!(head.body, BodyLength::UntilClose);
        assert!(!head.keep_alive);
        // A response to HEAD, and a 204 or 304, has no body whatever it announces.
        let announced = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
        let head = response(announced, &Method::HEAD).unwrap().unwrap();
        assert_eq!(head.body, BodyLength::Known(0));
        let head = response(
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
            &Method::GET,
        )
        .unwrap()
        .unwrap();
        assert_eq!(head.body, BodyLength::Known(0));
        assert!(response(b"HTTP/1.1 200 OK\r\nContent-Le", &Method::GET)
            .unwrap()
            .is_none());
    }

    #[test]
    fn bad_response_heads_are_refused() {
        for bad in [
            &b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"HTTP/1.1 999999 OK\r\n\r\n",
            b"HTTP/1.1 20 OK\r\n\r\n",
            b"NOTHTTP 200 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        ] {
            let refused = response(bad, &Method::GET);
            assert!(refused.is_err(), "{:?}", String::from_utf8_lossy(bad));
            assert_eq!(refused.err().unwrap().status, StatusCode::BAD_GATEWAY);
        }
    }

    #[test]
    fn response_heads_over_the_limit_are_refused_complete_or_not() {
        let mut big = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        big.resize(LIMITS.max_head_size + 10, b'a');
        // Still partial: waiting would exceed the limit.
        let refused = response(&big, &Method::GET).expect_err("partial head over the limit");
        assert_eq!(refused.reason, "response head larger than the limit");
        // Complete in one read: held to the same limit.
        big.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
        let refused = response(&big, &Method::GET).expect_err("complete head over the limit");
        assert_eq!(refused.reason, "response head larger than the limit");
        // At the limit exactly: accepted.
        let mut fits = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        fits.resize(LIMITS.max_head_size - 4, b'a');
        fits.extend_from_slice(b"\r\n\r\n");
        assert_eq!(fits.len(), LIMITS.max_head_size);
        assert!(response(&fits, &Method::GET).unwrap().is_some());
    }
}
