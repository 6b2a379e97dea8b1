//! The request head parser on arbitrary bytes: never panics, never waits on an oversized
//! head, always consumes what it parses.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kairos_http::fuzzing::request_heads(data);
});
