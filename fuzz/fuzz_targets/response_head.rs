//! The response head parser (the client's side) on arbitrary bytes: never panics, never
//! accepts or waits on a head over the limit, gives no body to a response that cannot
//! have one, always consumes what it parses.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kairos_http::fuzzing::response_heads(data);
});
