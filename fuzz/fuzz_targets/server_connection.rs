//! A whole server connection on arbitrary client bytes over an in-memory transport: the
//! connection ends, and what the server writes parses as the responses it owes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = kairos_http::fuzzing::server_connection(data);
});
