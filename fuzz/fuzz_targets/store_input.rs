//! yubin-store's parsers and converters on any bytes, cut anywhere: line
//! endings (sizes agree with what is read back), TOP, Maildir-side names and
//! the user directory's address parsing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let chunks: Vec<&[u8]> = yubin_fuzz::chunks(data).collect();
    yubin_store::conformance::input_invariants(&chunks);
});
