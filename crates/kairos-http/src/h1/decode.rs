//! Reading bodies: content-length, chunked, and until-close framing.
//!
//! A [`Decoder`] takes bytes off the front of the read buffer and hands out body data as
//! `Bytes` split from it (no copy). `NeedMore` means the buffer holds no more of the body
//! yet; the caller reads from the socket and calls again.
//!
//! The chunked grammar accepted (RFC 9112 section 7.1), strictly:
//!
//! ```text
//! chunk      = 1*HEXDIG [ ext ] CRLF data CRLF     size: at most 16 hex digits, no sign,
//! last-chunk = 1*"0" [ ext ] CRLF                  no "0x", no spaces before the digits
//! ext        = *( BWS ";" ... )                    skipped, at most MAX_EXTENSION bytes,
//!                                                  no control byte but HTAB
//! trailers   = *( field CRLF ) CRLF                skipped, at most MAX_TRAILERS bytes
//! ```

use bytes::{Bytes, BytesMut};
use std::fmt;

/// Longest chunk extension skipped before the size line is refused.
const MAX_EXTENSION: usize = 1024;
/// Most trailer bytes skipped before the body is refused.
const MAX_TRAILERS: usize = 16 * 1024;

/// What the decoder produced.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// Body bytes.
    Data(Bytes),
    /// The buffer holds no more of the body: read more and call again.
    NeedMore,
    /// The body is complete.
    Done,
}

/// A body that does not follow its framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DecodeError(pub(crate) &'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Where a chunked body is in its grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Reading the hex digits of a size line (value so far, digit count).
    Size(u64, u8),
    /// Whitespace after the digits: only more whitespace, `;` or CR may follow.
    SizeWs(u64),
    /// In the extensions, up to the line's CR (size, bytes seen).
    Extension(u64, usize),
    /// Expecting the LF that ends the size line.
    SizeLf(u64),
    /// Inside a chunk's data, this many bytes left.
    Data(u64),
    /// Expecting the CR, then the LF, after a chunk's data.
    DataCr,
    DataLf,
    /// In the trailer section: bytes seen so far, and whether the current line is empty.
    Trailers(usize, bool),
    /// Expecting the LF of a trailer line (bytes seen, whether the line was empty).
    TrailersLf(usize, bool),
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Length(u64),
    Chunked(Chunk),
    UntilClose,
}

/// The body framing state of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decoder {
    kind: Kind,
}

impl Decoder {
    /// Exactly `n` bytes.
    pub(crate) fn length(n: u64) -> Decoder {
        Decoder {
            kind: Kind::Length(n),
        }
    }

    /// `Transfer-Encoding: chunked`.
    pub(crate) fn chunked() -> Decoder {
        Decoder {
            kind: Kind::Chunked(Chunk::Size(0, 0)),
        }
    }

    /// Until end of stream (an HTTP/1.0-style response).
    pub(crate) fn until_close() -> Decoder {
        Decoder {
            kind: Kind::UntilClose,
        }
    }

    /// Whether the whole body has been decoded.
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.kind, Kind::Length(0) | Kind::Chunked(Chunk::Done))
    }

    /// Body bytes still expected, where the framing says.
    pub(crate) fn remaining(&self) -> Option<u64> {
        match self.kind {
            Kind::Length(n) => Some(n),
            _ => None,
        }
    }

    /// What end of stream means now: `Ok` if the body may end there.
    pub(crate) fn at_eof(&mut self) -> Result<(), DecodeError> {
        match self.kind {
            Kind::UntilClose => {
                self.kind = Kind::Length(0);
                Ok(())
            }
            _ if self.is_done() => Ok(()),
            _ => Err(DecodeError(
                "connection closed before the body was complete",
            )),
        }
    }

    /// Takes the next piece of body from `buf`.
    pub(crate) fn decode(&mut self, buf: &mut BytesMut) -> Result<Decoded, DecodeError> {
        match &mut self.kind {
            Kind::Length(0) => Ok(Decoded::Done),
            Kind::Length(left) => {
                if buf.is_empty() {
                    return Ok(Decoded::NeedMore);
                }
                let n = usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len());
                *left -= n as u64;
                Ok(Decoded::Data(buf.split_to(n).freeze()))
            }
            Kind::UntilClose => {
                if buf.is_empty() {
                    Ok(Decoded::NeedMore)
                } else {
                    Ok(Decoded::Data(buf.split().freeze()))
                }
            }
            Kind::Chunked(state) => decode_chunked(state, buf),
        }
    }
}

fn hex_value(b: u8) -> Option<u64> {
    match b {
        b'0'..=b'9' => Some(u64::from(b - b'0')),
        b'a'..=b'f' => Some(u64::from(b - b'a' + 10)),
        b'A'..=b'F' => Some(u64::from(b - b'A' + 10)),
        _ => None,
    }
}

/// Runs the chunked state machine over `buf` until it yields data, needs more, or ends.
fn decode_chunked(state: &mut Chunk, buf: &mut BytesMut) -> Result<Decoded, DecodeError> {
    loop {
        if let Chunk::Data(left) = *state {
            if buf.is_empty() {
                return Ok(Decoded::NeedMore);
            }
            let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
            *state = if left == n as u64 {
                Chunk::DataCr
            } else {
                Chunk::Data(left - n as u64)
            };
            return Ok(Decoded::Data(buf.split_to(n).freeze()));
        }
        if *state == Chunk::Done {
            return Ok(Decoded::Done);
        }
        let Some(&b) = buf.first() else {
            return Ok(Decoded::NeedMore);
        };
        let _ = buf.split_to(1);
        *state = step(*state, b)?;
    }
}

/// One byte of the framing (everything but chunk data).
fn step(state: Chunk, b: u8) -> Result<Chunk, DecodeError> {
    Ok(match state {
        Chunk::Size(n, digits) => match hex_value(b) {
            Some(d) if digits < 16 => Chunk::Size(n << 4 | d, digits + 1),
            Some(_) => return Err(DecodeError("chunk size too large")),
            None if digits == 0 => return Err(DecodeError("malformed chunk size")),
            None => match b {
                b'\r' => Chunk::SizeLf(n),
                b';' => Chunk::Extension(n, 1),
                b' ' | b'\t' => Chunk::SizeWs(n),
                _ => return Err(DecodeError("malformed chunk size")),
            },
        },
        Chunk::SizeWs(n) => match b {
            b' ' | b'\t' => Chunk::SizeWs(n),
            b';' => Chunk::Extension(n, 1),
            b'\r' => Chunk::SizeLf(n),
            _ => return Err(DecodeError("malformed chunk size")),
        },
        Chunk::Extension(_, seen) if seen >= MAX_EXTENSION => {
            return Err(DecodeError("chunk extension too long"))
        }
        Chunk::Extension(n, _) if b == b'\r' => Chunk::SizeLf(n),
        // Extensions are skipped, not parsed, but no control byte may hide in one (a bare
        // LF above all: some parsers end the line there).
        Chunk::Extension(_, _) if b != b'\t' && (b < 0x20 || b == 0x7f) => {
            return Err(DecodeError("malformed chunk extension"))
        }
        Chunk::Extension(n, seen) => Chunk::Extension(n, seen + 1),
        Chunk::SizeLf(n) => match (b, n) {
            (b'\n', 0) => Chunk::Trailers(0, true),
            (b'\n', n) => Chunk::Data(n),
            _ => return Err(DecodeError("chunk size line not ended by CRLF")),
        },
        Chunk::Data(_) | Chunk::Done => unreachable!("handled by decode_chunked"),
        Chunk::DataCr if b == b'\r' => Chunk::DataLf,
        Chunk::DataLf if b == b'\n' => Chunk::Size(0, 0),
        Chunk::DataCr | Chunk::DataLf => {
            return Err(DecodeError("chunk data not followed by CRLF"))
        }
        Chunk::Trailers(seen, _) if seen >= MAX_TRAILERS => {
            return Err(DecodeError("chunked trailers too large"))
        }
        Chunk::Trailers(seen, empty) => match b {
            b'\r' => Chunk::TrailersLf(seen + 1, empty),
            b'\n' => return Err(DecodeError("bare LF in chunked trailers")),
            _ => Chunk::Trailers(seen + 1, false),
        },
        Chunk::TrailersLf(_, true) if b == b'\n' => Chunk::Done,
        Chunk::TrailersLf(seen, false) if b == b'\n' => Chunk::Trailers(seen + 1, true),
        Chunk::TrailersLf(..) => return Err(DecodeError("bare CR in chunked trailers")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(mut decoder: Decoder, input: &[u8]) -> Result<Vec<u8>, DecodeError> {
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        loop {
            match decoder.decode(&mut buf)? {
                Decoded::Data(data) => out.extend_from_slice(&data),
                Decoded::Done => return Ok(out),
                Decoded::NeedMore => return Err(DecodeError("incomplete")),
            }
        }
    }

    #[test]
    fn content_length_stops_at_the_length() {
        let mut buf = BytesMut::from(&b"helloGET"[..]);
        let mut decoder = Decoder::length(5);
        assert_eq!(
            decoder.decode(&mut buf),
            Ok(Decoded::Data(Bytes::from_static(b"hello")))
        );
        assert_eq!(decoder.decode(&mut buf), Ok(Decoded::Done));
        assert_eq!(&buf[..], b"GET");
    }

    #[test]
    fn chunked_bodies() {
        let body = b"5\r\nhello\r\n7;name=value\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
        assert_eq!(
            decode_all(Decoder::chunked(), body).unwrap(),
            b"hello, world"
        );
        assert_eq!(decode_all(Decoder::chunked(), b"0\r\n\r\n").unwrap(), b"");
        assert_eq!(
            decode_all(Decoder::chunked(), b"3;a=\"b\tc\"\r\nabc\r\n0\r\n\r\n").unwrap(),
            b"abc"
        );
        assert_eq!(
            decode_all(Decoder::chunked(), b"A\r\n0123456789\r\n000\r\n\r\n").unwrap(),
            b"0123456789"
        );
    }

    #[test]
    fn chunked_byte_by_byte() {
        let body = b"3\r\nabc\r\n2 ; x\r\nde\r\n0\r\n\r\nNEXT";
        let mut decoder = Decoder::chunked();
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for &b in body.iter() {
            buf.extend_from_slice(&[b]);
            while let Decoded::Data(data) = decoder.decode(&mut buf).unwrap() {
                out.extend_from_slice(&data);
            }
        }
        assert_eq!(out, b"abcde");
        assert!(decoder.is_done());
        assert_eq!(&buf[..], b"NEXT");
    }

    #[test]
    fn malformed_chunk_sizes_are_refused() {
        for bad in [
            &b"\r\nabc\r\n0\r\n\r\n"[..],
            b"0x3\r\nabc\r\n0\r\n\r\n",
            b"-3\r\nabc\r\n0\r\n\r\n",
            b"+3\r\nabc\r\n0\r\n\r\n",
            b" 3\r\nabc\r\n0\r\n\r\n",
            b"3\nabc\r\n0\r\n\r\n",
            b"3\r\nabcX\r\n0\r\n\r\n",
            b"10000000000000000\r\n",
            b"g\r\n",
            // Control bytes in an extension (a bare LF ends a line for some parsers).
            b"3;a\nabc\r\n0\r\n\r\n",
            b"3;a=\x01\r\nabc\r\n0\r\n\r\n",
            b"3;a=\x7f\r\nabc\r\n0\r\n\r\n",
            b"3;a=\0\r\nabc\r\n0\r\n\r\n",
        ] {
            assert!(
                decode_all(Decoder::chunked(), bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
