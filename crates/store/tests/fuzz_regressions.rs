//! Replays every input kept in `fuzz/regressions/store_input/` (none may be
//! there yet), and hand-made seeds, through the invariants the
//! `store_input` fuzz target checks, whole, byte by byte and cut at every
//! index.

use std::path::Path;

use yubin_store::conformance::input_invariants;

fn replay(data: &[u8]) {
    input_invariants(&[data]);
    let bytes: Vec<&[u8]> = data.chunks(1).collect();
    input_invariants(&bytes);
    // Every cut of the short ones; the long ones at a few places.
    let step = (data.len() / 64).max(1);
    for at in (0..=data.len()).step_by(step) {
        let (a, b) = data.split_at(at);
        input_invariants(&[a, b]);
    }
}

#[test]
fn hand_made_seeds_keep_the_invariants() {
    let seeds: [&[u8]; 14] = [
        b"",
        b"\r",
        b"\n",
        b"\r\n",
        b"\r\r\n\n",
        b"\x02Subject: x\r\n\r\nl1\r\nl2\n",
        b"\x00A: b\nC: d",
        b"\x01\r\n\r\n",
        b"alice@example.org",
        b"ALICE+tag@Example.ORG.",
        b"\"alice\"@example.org",
        b"\"a\\\"@example.org",
        b"../../etc/passwd",
        "p\u{e9}@\u{e9}xample.org".as_bytes(),
    ];
    for seed in seeds {
        replay(seed);
    }
}

#[test]
fn kept_fuzz_regressions_keep_the_invariants() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/store_input");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        // No crash was ever kept: nothing to replay.
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        replay(&std::fs::read(&path).unwrap());
    }
}
