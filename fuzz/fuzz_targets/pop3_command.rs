//! Fuzz target `pop3_command`: see `pop3_harness::command`.
#![no_main]

#[path = "pop3_harness.rs"]
mod pop3_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| pop3_harness::command(data));
