//! Builder output parses back to what was built.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    yubin_message::fuzz_support::build_and_reparse(data);
});
