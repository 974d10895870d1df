use super::*;
use crate::builder::encode_base64;
use proptest::prelude::*;

/// RFC 4648 §10 test vectors, plus the leniency RFC 2045 §6.8 asks for.
#[test]
fn base64_known_answers() {
    let table: &[(&[u8], &[u8], bool)] = &[
        (b"", b"", true),
        (b"Zg==", b"f", true),
        (b"Zm8=", b"fo", true),
        (b"Zm9v", b"foo", true),
        (b"Zm9vYg==", b"foob", true),
        (b"Zm9vYmE=", b"fooba", true),
        (b"Zm9vYmFy", b"foobar", true),
        (b"Zm9v\r\nYmFy\r\n", b"foobar", true),
        (b"Zm9vYmFyZm9vYmFy\nZm9v", b"foobarfoobarfoo", true),
        (b"Zm9v!YmFy", b"foobar", false),
        (b"Zm9vYg", b"foob", true),
        (b"Zm9vY", b"foo", false),
        (b"Zg==Zm9v", b"f", true),
    ];
    for (input, expected, clean) in table {
        let (out, ok) = base64(input);
        assert_eq!(&out[..], *expected, "{:?}", String::from_utf8_lossy(input));
        assert_eq!(ok, *clean, "{:?}", String::from_utf8_lossy(input));
    }
}

/// Line breaks and garbage at every offset relative to the groups, and
/// padding in the middle, in an input too short for the block path: the
/// scalar fast loop must hand over to the byte state.
#[test]
fn base64_fast_path_hand_over() {
    let clean = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=";
    for cut in 0..clean.len() {
        for insert in [&b"\r\n"[..], b"\n", b"!", b" \t", b"=", b"\r"] {
            let mut input = clean[..cut].to_vec();
            input.extend_from_slice(insert);
            input.extend_from_slice(&clean[cut..]);
            assert_eq!(base64(&input), base64_reference(&input), "{input:?}");
        }
    }
    assert_eq!(base64(clean).0, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ");
}

/// The RFC 4648 §10 vectors repeated into bodies long enough for the block
/// path, ending in each of the ways the block path hands over: a padded last
/// line, a last line splitting a group, no final line break, a bare CR.
#[test]
fn base64_block_known_answers() {
    let foobar = |lines: usize, tail: &[u8]| {
        let mut expected = b"foobar".repeat(lines);
        expected.extend_from_slice(tail);
        expected
    };
    let body = |line: &[u8], lines: usize, last: &[u8]| {
        let mut input = line.repeat(lines);
        input.extend_from_slice(last);
        input
    };
    let table: Vec<(Vec<u8>, Vec<u8>, bool)> = vec![
        (body(b"Zm9vYmFy\r\n", 64, b""), foobar(64, b""), true),
        (body(b"Zm9vYmFy\n", 64, b"Zg==\n"), foobar(64, b"f"), true),
        (
            body(b"Zm9vYmFy\r\n", 64, b"Zm8=\r\n"),
            foobar(64, b"fo"),
            true,
        ),
        (
            body(b"Zm9vYmFy\r\n", 64, b"Zm9vYg\r\n"),
            foobar(64, b"foob"),
            true,
        ),
        (
            body(b"Zm9vYmFy\r\n", 64, b"Zm9vYmE"),
            foobar(64, b"fooba"),
            true,
        ),
        (
            body(b"Zm9vYmFy\r\n", 64, b"Zm9vY"),
            foobar(64, b"foo"),
            false,
        ),
        (body(b"Zm9vYmFy", 64, b""), foobar(64, b""), true),
        (body(b"Zm9vYmFy\r", 64, b""), foobar(64, b""), true),
        (body(b"Zm9v\r\nYmFy\r\n", 64, b""), foobar(64, b""), true),
        (body(b"Zm9vYm\r\nFy\r\n", 64, b""), foobar(64, b""), true),
        (
            body(b"Zm9vYmFy\r\n", 64, b"Zg==Zm9v\r\n"),
            foobar(64, b"f"),
            true,
        ),
        (
            body(b"Zm9vYmFy\r\n", 64, b"Zm9v=YmFy\r\n"),
            foobar(65, b""),
            false,
        ),
        (body(b"Zm9vYmFy \r\n", 64, b""), foobar(64, b""), true),
        (body(b"Zm9vYmFy!\r\n", 64, b""), foobar(64, b""), false),
    ];
    for (input, expected, clean) in table {
        let (out, ok) = base64(&input);
        let shown = String::from_utf8_lossy(&input[input.len() - 20..]).into_owned();
        assert!(out == expected, "...{shown:?}: {} bytes", out.len());
        assert_eq!(ok, clean, "...{shown:?}");
    }
}

/// Deterministic bytes (xorshift), so failures reproduce.
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// `encoded` cut into lines of `width` characters (0: one line), each
/// followed by `line_break`.
fn lines(encoded: &[u8], width: usize, line_break: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded.len() * 2);
    let width = if width == 0 {
        encoded.len().max(1)
    } else {
        width
    };
    for line in encoded.chunks(width) {
        out.extend_from_slice(line);
        out.extend_from_slice(line_break);
    }
    out
}

/// Whole bodies through every path: lines of whole groups (block path),
/// lines that split groups (scalar path), no line breaks at all (direct
/// SIMD stretches), CR-only breaks (the SIMD decoder refuses the CR), more
/// than one block, and a padded end. Each decodes to the bytes encoded by
/// the builder's independent encoder, clean.
#[test]
fn base64_long_bodies_decode_exactly() {
    for len in [0, 1, 2, 3, 100, 191, 192, 193, 57 * 600, 100_000, 100_001] {
        let original = data(len, len as u64);
        let encoded = encode_base64(&original);
        for (width, line_break) in [
            (76, &b"\r\n"[..]),
            (76, b"\n"),
            (64, b"\r\n"),
            (4, b"\n"),
            (72, b"\r\n\r\n"),
            (74, b"\r\n"),
            (77, b"\n"),
            (0, b""),
            (0, b"\r\n"),
            (76, b"\r"),
            (76, b" \r\n"),
        ] {
            let input = lines(&encoded, width, line_break);
            let (out, clean) = base64(&input);
            assert!(
                out == original,
                "len {len}, width {width}, break {line_break:?}: {} bytes decoded",
                out.len()
            );
            assert!(clean, "len {len}, width {width}, break {line_break:?}");
        }
    }
}

/// A body in 76-character CRLF lines, long enough for several blocks.
fn body(len: usize) -> (Vec<u8>, Vec<u8>) {
    let original = data(len, 7);
    let input = lines(&encode_base64(&original), 76, b"\r\n");
    (original, input)
}

/// The hand-over points of the block path, where a wrong offset would
/// show: a byte the decoder skips (RFC 2045 §6.8: "any characters outside
/// of the base64 alphabet are to be ignored"), inserted at every offset of
/// the first lines, around the end of the first block and at the end of the
/// input, must leave the decoded bytes as they were; garbage makes the
/// result unclean, whitespace does not.
#[test]
fn base64_block_hand_over_skipped_bytes() {
    let (original, input) = body(36_000);
    // The first block takes as many whole lines as fit.
    let block_end = BLOCK / 76 * 78;
    let offsets = (0..160)
        .chain(block_end - 80..block_end + 80)
        .chain(input.len() - 160..=input.len());
    for at in offsets {
        for (insert, clean) in [
            (&b"!"[..], false),
            (b"\xff", false),
            (b"-", false),
            (b" ", true),
            (b"\t", true),
            (b"\r", true),
            (b"\n", true),
            (b"\r\n", true),
        ] {
            let mut mutated = input.clone();
            mutated.splice(at..at, insert.iter().copied());
            let (out, ok) = base64(&mutated);
            assert!(out == original, "{insert:?} at {at}: {} bytes", out.len());
            assert_eq!(ok, clean, "{insert:?} at {at}");
        }
    }
}

/// Every byte value outside the alphabet, inside a line the block path
/// would take (first block, second block, direct stretch without line
/// breaks), is skipped as RFC 2045 §6.8 says; only CR, LF, space and tab
/// leave the result clean, and `=` is padding (see below).
#[test]
fn base64_block_every_foreign_byte() {
    let (original, input) = body(36_000);
    let no_breaks = encode_base64(&original);
    let block_end = BLOCK / 76 * 78;
    for byte in 0..=255u8 {
        if BASE64[usize::from(byte)] != INVALID || byte == b'=' {
            continue;
        }
        let clean = matches!(byte, b'\r' | b'\n' | b' ' | b'\t');
        for (body, at) in [(&input, 40), (&input, block_end + 3), (&no_breaks, 1001)] {
            let mut mutated = body.clone();
            mutated.insert(at, byte);
            let (out, ok) = base64(&mutated);
            assert!(out == original, "{byte:#04x} at {at}: {} bytes", out.len());
            assert_eq!(ok, clean, "{byte:#04x} at {at}");
        }
    }
}

/// Padding in the middle of a long body (RFC 2045 §6.8: "=" marks the end
/// of the encoded data): decoding stops after the padded group, wherever
/// it falls relative to lines and blocks; a `=` too early in a group is
/// garbage.
#[test]
fn base64_block_hand_over_padding() {
    let (original, input) = body(60_000);
    let block_end = BLOCK / 76 * 78;
    for at in (0..160).chain(block_end - 160..block_end + 160) {
        let mut mutated = input.clone();
        mutated.insert(at, b'=');
        let (out, clean) = base64(&mutated);
        // Characters before the `=`, and where it falls in its group.
        let chars = input[..at]
            .iter()
            .filter(|&&b| b != b'\r' && b != b'\n')
            .count();
        match chars % 4 {
            0 | 1 => {
                assert!(out == original, "= at {at}");
                assert!(!clean, "= at {at}");
            }
            partial => {
                let bytes = chars / 4 * 3 + partial - 1;
                assert!(out == original[..bytes], "= at {at}");
                assert!(clean, "= at {at}");
            }
        }
    }
}

/// Every mutated long body agrees with the byte-at-a-time reference.
#[test]
fn base64_block_hand_over_agrees_with_reference() {
    let (_, input) = body(36_000);
    let block_end = BLOCK / 76 * 78;
    for at in (0..80).chain(block_end - 80..block_end + 80) {
        for insert in [&b"="[..], b"==", b"A", b"AB", b"ABC", b"\r", b"A=", b"\0"] {
            let mut mutated = input.clone();
            mutated.splice(at..at, insert.iter().copied());
            assert!(
                base64(&mutated) == base64_reference(&mutated),
                "{insert:?} at {at}"
            );
        }
    }
}

/// The characters of a base64 body, and everything a body may contain
/// besides them.
fn body_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        8 => proptest::sample::select(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".to_vec()),
        1 => proptest::sample::select(b"\r\n =\t!".to_vec()),
        1 => any::<u8>(),
    ]
}

/// A mutation of an encoded body: a byte sequence inserted at a fraction
/// of its length.
fn mutation() -> impl Strategy<Value = (f64, Vec<u8>)> {
    (
        0.0..1.0f64,
        prop_oneof![
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"=".to_vec()),
            Just(b"==".to_vec()),
            Just(b" ".to_vec()),
            proptest::collection::vec(body_byte(), 1..6),
        ],
    )
}

proptest! {
    /// The decoder agrees with the byte-at-a-time reference on any input,
    /// including mostly-valid base64 with line breaks.
    #[test]
    fn base64_agrees_with_reference(
        input in proptest::collection::vec(body_byte(), 0..1200),
        prefix in proptest::collection::vec(any::<u8>(), 0..4),
    ) {
        prop_assert_eq!(base64(&input), base64_reference(&input));
        // Appending keeps what was already in the vector.
        let mut out = prefix.clone();
        let clean = base64_into(&input, &mut out);
        let (expected, expected_clean) = base64_reference(&input);
        prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
        prop_assert_eq!(&out[prefix.len()..], &expected[..]);
        prop_assert_eq!(clean, expected_clean);
    }

    /// Real-looking bodies (any line width, CRLF, LF, CR or no breaks, up to
    /// two blocks long) with a few insertions anywhere (line breaks at odd
    /// places, CR alone, padding in the middle, garbage) agree with the
    /// reference; unmutated they decode to what was encoded.
    #[test]
    fn base64_bodies_agree_with_reference(
        len in 0..50_000usize,
        seed in any::<u64>(),
        width in prop_oneof![Just(76usize), Just(64), Just(0), 1..100usize],
        line_break in proptest::sample::select(vec![&b"\r\n"[..], b"\n", b"\r", b""]),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let original = data(len, seed);
        let mut input = lines(&encode_base64(&original), width, line_break);
        if mutations.is_empty() {
            let (out, clean) = base64(&input);
            prop_assert!(out == original);
            prop_assert!(clean);
        }
        for (at, insert) in mutations {
            let at = (at * input.len() as f64) as usize;
            input.splice(at..at, insert);
        }
        let (out, clean) = base64(&input);
        let (expected, expected_clean) = base64_reference(&input);
        prop_assert!(out == expected);
        prop_assert_eq!(clean, expected_clean);
    }
}
