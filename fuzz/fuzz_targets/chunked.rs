//! The chunked body decoder on arbitrary bytes: never panics, and decodes the same
//! whatever the input's split.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kairos_http::fuzzing::chunked(data);
});
