#![no_main]
//! Any sequence of client messages into each mechanism's server side
//! (yubin-sasl); the driver and its invariants live in
//! `yubin_sasl::fuzzing::server_session` so the stable replay test runs the
//! same code.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yubin_sasl::fuzzing::server_session(data);
});
