#![no_main]
//! Any server bytes into the SMTP/LMTP client machine, which sends one
//! message when ready and quits; byte 0 picks the configuration
//! (`yubin_smtp::fuzzing::client_session`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [flags, rest @ ..] = data else { return };
    let chunks: Vec<&[u8]> = yubin_fuzz::chunks(rest).collect();
    yubin_smtp::fuzzing::client_session(*flags, &chunks);
});
