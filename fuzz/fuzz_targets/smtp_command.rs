#![no_main]
//! Any bytes into `yubin_smtp::Command::parse`; a parsed command must
//! re-encode to bytes that parse back to it (`yubin_smtp::fuzzing::command`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yubin_smtp::fuzzing::command(data);
});
