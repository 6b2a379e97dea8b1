//! Entry points for the cargo-fuzz targets (`fuzz/`), behind the `fuzzing` feature.
//! Each checks the invariants the rest of the crate relies on and panics if one breaks.

use crate::h1::decode::{Decoded, Decoder};
use crate::h1::parse::{self, BodyLength, HeadLimits};
use bytes::BytesMut;

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
                    let n = usize::try_from(n).unwrap_or(usize::MAX).min(buf.len());
                    let _ = buf.split_to(n);
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
