//! Writing heads and framing bodies: response heads (server), request heads (client), and
//! the content-length and chunked body encoders.
//!
//! The encoder decides the framing headers itself (`Content-Length`,
//! `Transfer-Encoding`, `Connection`, `Date`); the same headers set by the caller are
//! replaced, except a `Date` the caller chose.

use super::date::DATE_LEN;
use super::io::WriteBuf;
use bytes::Buf;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri, Version};
use std::fmt;

/// How an outgoing body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// No length: the body ends when the connection closes (HTTP/1.0 peers).
    UntilClose,
    /// No body, and no `Content-Length` either (1xx, 204, 304).
    None,
}

/// How the connection continues after this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Persist {
    /// Kept open; HTTP/1.1 says so by default.
    KeepAlive,
    /// Kept open with an HTTP/1.0 peer: `Connection: keep-alive` is written.
    KeepAlive10,
    /// `Connection: close` is written and the connection is closed after the message.
    Close,
}

/// Writes a response head: the status line, `fields` (a `&HeaderMap` or any other
/// sequence of name and value), the framing fields, and `Date` unless `fields` has one.
pub(crate) fn response_head<'f>(
    out: &mut Vec<u8>,
    status: StatusCode,
    fields: impl IntoIterator<Item = (&'f HeaderName, &'f HeaderValue)>,
    framing: Framing,
    persist: Persist,
    date: &[u8; DATE_LEN],
) {
    status_line(out, status);
    let has_date = caller_fields(out, fields);
    end_head(out, framing, persist, (!has_date).then_some(date));
}

/// `HTTP/1.1 <status> <reason>`.
pub(crate) fn status_line(out: &mut Vec<u8>, status: StatusCode) {
    if status == StatusCode::OK {
        out.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    } else {
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(status.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(status.canonical_reason().unwrap_or("Unknown").as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// The framing fields, `Date` if given, and the blank line that ends a head.
pub(crate) fn end_head(
    out: &mut Vec<u8>,
    framing: Framing,
    persist: Persist,
    date: Option<&[u8; DATE_LEN]>,
) {
    match framing {
        Framing::Length(n) => {
            out.extend_from_slice(b"content-length: ");
            out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Framing::Chunked => out.extend_from_slice(b"transfer-encoding: chunked\r\n"),
        Framing::UntilClose | Framing::None => {}
    }
    match persist {
        Persist::KeepAlive => {}
        Persist::KeepAlive10 => out.extend_from_slice(b"connection: keep-alive\r\n"),
        Persist::Close => out.extend_from_slice(b"connection: close\r\n"),
    }
    if let Some(date) = date {
        out.extend_from_slice(b"date: ");
        out.extend_from_slice(date);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
}

/// Writes a request head (origin form, `Host` from the URI unless set).
pub(crate) fn request_head(
    out: &mut Vec<u8>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    framing: Framing,
    persist: Persist,
) {
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    out.extend_from_slice(if target.is_empty() {
        b"/"
    } else {
        target.as_bytes()
    });
    out.extend_from_slice(b" HTTP/1.1\r\n");
    if !headers.contains_key(header::HOST) {
        if let Some(authority) = uri.authority() {
            out.extend_from_slice(b"host: ");
            out.extend_from_slice(authority.as_str().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    caller_fields(out, headers);
    end_head(out, framing, persist, None);
}

/// The caller's fields less the framing ones (the encoder writes those); whether they
/// had a `Date`.
pub(crate) fn caller_fields<'f>(
    out: &mut Vec<u8>,
    fields: impl IntoIterator<Item = (&'f HeaderName, &'f HeaderValue)>,
) -> bool {
    let mut has_date = false;
    for (name, value) in fields {
        if name == header::CONTENT_LENGTH
            || name == header::TRANSFER_ENCODING
            || name == header::CONNECTION
        {
            continue;
        }
        has_date |= name == header::DATE;
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    has_date
}

/// Whether a response with `status` may have a body (1xx, 204 and 304 have none,
/// RFC 9110 section 6.4.1).
pub(crate) fn status_has_body(status: StatusCode) -> bool {
    !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED)
}

/// How a connection continues after a response: kept open only if the request allowed
/// it (`keep`: its own fields, the server's settings, no shutdown underway).
pub(crate) fn persist(keep: bool, version: Version) -> Persist {
    match (keep, version) {
        (false, _) => Persist::Close,
        (true, Version::HTTP_10) => Persist::KeepAlive10,
        (true, _) => Persist::KeepAlive,
    }
}

/// The version a response to `version` is framed for: HTTP/1.0 peers cannot read chunked.
pub(crate) fn supports_chunked(version: Version) -> bool {
    version == Version::HTTP_11
}

/// A body that broke its own framing (more or fewer bytes than its `Content-Length`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EncodeError(pub(crate) &'static str);

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Frames an outgoing body's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Encoder {
    framing: Framing,
    /// Bytes still owed under `Length`.
    left: u64,
}

impl Encoder {
    pub(crate) fn new(framing: Framing) -> Encoder {
        let left = match framing {
            Framing::Length(n) => n,
            _ => 0,
        };
        Encoder { framing, left }
    }

    /// Queues one piece of data.
    pub(crate) fn data<B: Buf>(&mut self, data: B, out: &mut WriteBuf) -> Result<(), EncodeError> {
        let n = data.remaining();
        if n == 0 {
            return Ok(());
        }
        match self.framing {
            Framing::Length(_) => {
                if n as u64 > self.left {
                    return Err(EncodeError("body longer than its Content-Length"));
                }
                self.left -= n as u64;
                out.push(data);
            }
            Framing::Chunked => {
                let flat = out.flat();
                let mut hex = [0u8; 16];
                let digits = hex_digits(n as u64, &mut hex);
                flat.extend_from_slice(digits);
                flat.extend_from_slice(b"\r\n");
                out.push(data);
                out.flat().extend_from_slice(b"\r\n");
            }
            Framing::UntilClose => out.push(data),
            Framing::None => return Err(EncodeError("a body on a response that has none")),
        }
        Ok(())
    }

    /// Ends the body.
    pub(crate) fn finish(&mut self, out: &mut WriteBuf) -> Result<(), EncodeError> {
        match self.framing {
            Framing::Length(_) if self.left != 0 => {
                Err(EncodeError("body shorter than its Content-Length"))
            }
            Framing::Chunked => {
                out.flat().extend_from_slice(b"0\r\n\r\n");
                self.framing = Framing::None;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// `n` in lower-case hex, without leading zeros.
fn hex_digits(n: u64, buf: &mut [u8; 16]) -> &[u8] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut at = buf.len();
    let mut n = n;
    loop {
        at -= 1;
        buf[at] = HEX[(n & 0xF) as usize];
        n >>= 4;
        if n == 0 {
            return &buf[at..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn flat(out: &mut WriteBuf) -> Vec<u8> {
        let mut all = Vec::new();
        while !out.is_empty() {
            let n = out.len();
            let mut v = Vec::new();
            out.drain_into(&mut v);
            assert_eq!(v.len(), n);
            all.extend(v);
        }
        all
    }

    #[test]
    fn chunked_encoding() {
        let mut out = WriteBuf::default();
        let mut encoder = Encoder::new(Framing::Chunked);
        encoder
            .data(Bytes::from_static(b"hello"), &mut out)
            .unwrap();
        encoder.data(Bytes::from(vec![b'a'; 26]), &mut out).unwrap();
        encoder.finish(&mut out).unwrap();
        let expected = format!("5\r\nhello\r\n1a\r\n{}\r\n0\r\n\r\n", "a".repeat(26));
        assert_eq!(flat(&mut out), expected.as_bytes());
    }

    #[test]
    fn content_length_is_enforced() {
        let mut out = WriteBuf::default();
        let mut encoder = Encoder::new(Framing::Length(3));
        assert!(encoder.data(&b"abcd"[..], &mut out).is_err());
        encoder.data(&b"ab"[..], &mut out).unwrap();
        assert!(encoder.finish(&mut out).is_err());
    }

    #[test]
    fn response_heads() {
        let mut out = Vec::new();
        let mut headers = HeaderMap::new();
        headers.insert(header::SERVER, "k".parse().unwrap());
        headers.insert(header::CONTENT_LENGTH, "999".parse().unwrap());
        response_head(
            &mut out,
            StatusCode::NOT_FOUND,
            &headers,
            Framing::Length(0),
            Persist::Close,
            &crate::h1::date::now(),
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\nserver: k\r\ncontent-length: 0\r\nconnection: close\r\ndate: "), "{text}");
        assert!(text.ends_with(" GMT\r\n\r\n"));
    }
}
