#![no_main]
//! Any client bytes into the SMTP/LMTP server machine, cut at points drawn
//! from the input. Byte 0 picks the configuration, byte 1 the application's
//! answers; the invariants (well-formed replies, same outcome as the input
//! fed whole) live in `yubin_smtp::fuzzing::server_session`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [flags, answers, rest @ ..] = data else {
        return;
    };
    let chunks: Vec<&[u8]> = yubin_fuzz::chunks(rest).collect();
    yubin_smtp::fuzzing::server_session(*flags, *answers, &chunks);
});
