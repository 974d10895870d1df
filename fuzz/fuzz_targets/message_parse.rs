//! `Message::parse` and every reading of it on arbitrary bytes: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = yubin_message::fuzz_support::parse_everything(data);
});
