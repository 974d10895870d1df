//! Fuzz target `pop3_server_session`: see `pop3_harness::server_session`.
#![no_main]

#[path = "pop3_harness.rs"]
mod pop3_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| pop3_harness::server_session(yubin_fuzz::chunks(data)));
