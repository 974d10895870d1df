#![no_main]
//! Any bytes into `yubin_smtp::Reply::parse`; a parsed reply must round-trip
//! (`yubin_smtp::fuzzing::reply`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yubin_smtp::fuzzing::reply(data);
});
