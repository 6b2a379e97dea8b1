//! Entry points for the cargo-fuzz targets (`fuzz/`), behind the `fuzzing` feature.
//! Each checks the invariants the rest of the crate relies on and panics if one breaks.

mod server;

pub use self::server::server_connection;

use crate::h1::decode::{Decoded, Decoder};
use crate::h1::parse::{self, BodyLength, HeadLimits};
use bytes::BytesMut;
use http::Method;

/// Parses `data` as pipelined request heads until it runs out or is refused.
pub fn request_heads(data: &[u8]) {
    let limits = HeadLimits {
        max_request_line: 1024,
        max_head_size: 4096,
        max_headers: 32,
    };
    let mut buf = BytesMut::from(data);
    loop {
        let before = buf.len();
        match parse::parse_request(&mut buf, &limits) {
            Ok(Some(head)) => {
                assert!(buf.len() < before, "a parsed head consumed nothing");
                if let BodyLength::Known(n) = head.body {
                    skip(&mut buf, n);
                }
            }
            Ok(None) => {
                assert!(
                    buf.len() <= limits.max_head_size,
                    "an oversized partial head waited"
                );
                return;
            }
            Err(err) => {
                assert!(err.status.is_client_error() || err.status.is_server_error());
                return;
            }
        }
    }
}

/// Parses `data` as a server's responses (to `GET`, or `HEAD` when the first byte is
/// odd), as the client reads them: heads within the limit, each body skipped by its
/// framing (a chunked one decoded), until the input runs out or is refused.
pub fn response_heads(data: &[u8]) {
    let Some((&first, input)) = data.split_first() else {
        return;
    };
    let method = if first & 1 == 1 {
        Method::HEAD
    } else {
        Method::GET
    };
    let limits = HeadLimits {
        max_request_line: usize::MAX,
        max_head_size: 1024,
        max_headers: 16,
    };
    let mut buf = BytesMut::from(input);
    loop {
        let before = buf.len();
        match parse::parse_response(&mut buf, &limits, &method) {
            Ok(Some(head)) => {
                let consumed = before - buf.len();
                assert!(consumed > 0, "a parsed head consumed nothing");
                assert!(
                    consumed <= limits.max_head_size,
                    "a head over the limit was accepted"
                );
                let bodiless =
                    method == Method::HEAD || !crate::h1::encode::status_has_body(head.status);
                assert!(
                    !bodiless || head.body == BodyLength::Known(0),
                    "a response that cannot have a body was given one"
                );
                match head.body {
                    BodyLength::Known(n) => skip(&mut buf, n),
                    BodyLength::Chunked if skip_chunked(&mut buf) => {}
                    BodyLength::Chunked | BodyLength::UntilClose => return,
                }
            }
            Ok(None) => {
                assert!(
                    buf.len() <= limits.max_head_size,
                    "an oversized partial head waited"
                );
                return;
            }
            Err(err) => {
                assert_eq!(err.status, http::StatusCode::BAD_GATEWAY);
                return;
            }
        }
    }
}

/// Drops a body of `n` bytes (or what there is of it) from the front of `buf`.
fn skip(buf: &mut BytesMut, n: u64) {
    let n = usize::try_from(n).unwrap_or(usize::MAX).min(buf.len());
    let _ = buf.split_to(n);
}

/// Decodes a chunked body off the front of `buf`: `true` if it ended there, `false` if it
/// is cut short or broken.
fn skip_chunked(buf: &mut BytesMut) -> bool {
    let mut decoder = Decoder::chunked();
    loop {
        match decoder.decode(buf) {
            Ok(Decoded::Data(data)) => assert!(!data.is_empty(), "empty data yielded"),
            Ok(Decoded::Done) => return true,
            Ok(Decoded::NeedMore) | Err(_) => return false,
        }
    }
}

/// Decodes `data` as a chunked body, fed in pieces whose sizes come from its first byte,
/// and checks that the pieces decode the same as the whole.
pub fn chunked(data: &[u8]) {
    let Some((&step, body)) = data.split_first() else {
        return;
    };
    let whole = decode(body, body.len().max(1));
    let pieces = decode(body, usize::from(step % 7) + 1);
    assert_eq!(whole, pieces, "decoding depends on how the input is split");
}

/// The decoded bytes and how decoding ended (`Some(true)` done, `Some(false)` error,
/// `None` needing more).
fn decode(body: &[u8], piece: usize) -> (Vec<u8>, Option<bool>) {
    let mut decoder = Decoder::chunked();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in body.chunks(piece) {
        buf.extend_from_slice(chunk);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Decoded::Data(data)) => {
                    assert!(!data.is_empty(), "empty data yielded");
                    out.extend_from_slice(&data);
                }
                Ok(Decoded::NeedMore) => break,
                Ok(Decoded::Done) => return (out, Some(true)),
                Err(_) => return (out, Some(false)),
            }
        }
    }
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Replays `fuzz/corpus/<target>` (committed; grown by `scripts/fuzz.sh`), if present.
    fn replay(target: &str, run: fn(&[u8])) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/corpus")
            .join(target);
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            match std::fs::read(entry.unwrap().path()) {
                Ok(data) => run(&data),
                // A fuzzer running beside the tests replaces inputs as it shrinks them.
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => panic!("reading the corpus: {err}"),
            }
        }
    }

    #[test]
    fn the_committed_corpora_still_pass() {
        replay("request_head", request_heads);
        replay("chunked", chunked);
        replay("response_head", response_heads);
        replay("server_connection", |data| {
            let _ = server_connection(data);
        });
    }

    /// Hand-written inputs for the connection target, each under many pacings, with the
    /// final responses each must get when the client does not pause (with pauses, the
    /// one-second timeouts may end the connection sooner).
    #[test]
    fn server_connection_seeds() {
        let seeds: &[(&[u8], usize)] = &[
            (b"", 0),
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\nHEAD /h HTTP/1.1\r\nHost: x\r\n\r\n", 2),
            (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 1),
            (b"POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 1),
            (b"POST /stream HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\ncut short", 1),
            (b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi", 1),
            (b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /empty HTTP/1.1\r\nHost: x\r\n\r\nGET /error HTTP/1.1\r\nHost: x\r\n\r\n", 3),
            (b"GET / HTTP/1.0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 1),
            (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 1),
            (b"GET / HTTP/1.1\r\nHo", 0),
        ];
        for &(seed, expected) in seeds {
            for knobs in [0u8, 0x07, 0x08, 0x10, 0x18, 0x20, 0x45, 0x7f, 0xff] {
                let mut data = vec![knobs];
                data.extend_from_slice(seed);
                let responses = server_connection(&data);
                if knobs & 0x18 == 0 {
                    assert_eq!(
                        responses,
                        expected,
                        "{:?} with knobs {knobs:#x}",
                        String::from_utf8_lossy(seed)
                    );
                }
            }
        }
    }

    /// The checker is not vacuous: output that breaks an invariant fails it.
    #[test]
    #[should_panic(expected = "not a response head")]
    fn the_connection_checker_refuses_garbage() {
        server::check_output_for_test(b"garbage\r\n\r\n");
    }

    #[test]
    #[should_panic(expected = "no call to answer")]
    fn the_connection_checker_refuses_unasked_responses() {
        server::check_output_for_test(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    }
}
