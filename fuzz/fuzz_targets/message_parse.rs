//! `Message::parse` and every reading of it on arbitrary bytes: never panics;
//! the same bytes as a base64 body decode as the byte-at-a-time reference does.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = yubin_message::fuzz_support::parse_everything(data);
    yubin_message::fuzz_support::base64_matches_reference(data);
});
