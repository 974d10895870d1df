//! Transfer decoding (RFC 2045 §6): base64, quoted-printable, x-uuencode.
//!
//! Every decoder is total and lenient the way mail readers must be: bytes
//! outside the alphabet are skipped or kept literally, and the caller learns
//! whether the input was clean.

use memchr::memchr;

const INVALID: u8 = 0xFF;

/// Base64 alphabet (RFC 2045 §6.8 Table 1) to 6-bit values.
static BASE64: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Pre-shifted base64 tables: `SHIFTED[k][c]` is the 6-bit value of `c`
/// placed for position `k` of a 4-character group, or `BAD` when `c` is
/// outside the alphabet, so a group decodes with four lookups and one test.
const BAD: u32 = 1 << 31;
static SHIFTED: [[u32; 256]; 4] = {
    let mut tables = [[BAD; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = BASE64[c];
        if v != INVALID {
            let v = v as u32;
            tables[0][c] = v << 18;
            tables[1][c] = v << 12;
            tables[2][c] = v << 6;
            tables[3][c] = v;
        }
        c += 1;
    }
    tables
};

#[inline(always)]
fn group(quad: [u8; 4]) -> u32 {
    SHIFTED[0][quad[0] as usize]
        | SHIFTED[1][quad[1] as usize]
        | SHIFTED[2][quad[2] as usize]
        | SHIFTED[3][quad[3] as usize]
}

/// The byte-at-a-time base64 state, for bytes the fast path cannot take.
struct Base64Slow {
    acc: u32,
    pending: u32,
    clean: bool,
    done: bool,
}

impl Base64Slow {
    /// Feeds one byte; a completed group is written at `out[*w..]`.
    #[inline]
    fn push(&mut self, byte: u8, out: &mut [u8], w: &mut usize) {
        let value = BASE64[byte as usize];
        if value == INVALID {
            if byte == b'=' {
                if self.pending < 2 {
                    self.clean = false;
                } else {
                    self.done = true;
                }
            } else if !matches!(byte, b'\r' | b'\n' | b' ' | b'\t') {
                self.clean = false;
            }
            return;
        }
        self.acc = (self.acc << 6) | u32::from(value);
        self.pending += 1;
        if self.pending == 4 {
            out[*w..*w + 3].copy_from_slice(&self.acc.to_be_bytes()[1..]);
            *w += 3;
            self.acc = 0;
            self.pending = 0;
        }
    }
}

/// Decodes base64, skipping line breaks and any other byte outside the
/// alphabet (RFC 2045 §6.8: "any characters outside of the base64 alphabet
/// are to be ignored"), stopping at padding. A trailing group of 2 or 3
/// characters still yields its 1 or 2 bytes. The output is appended to `out`.
///
/// Returns whether the input was clean (only the alphabet, whitespace and
/// correct padding).
pub fn base64_into(input: &[u8], out: &mut Vec<u8>) -> bool {
    let start = out.len();
    // Room for every group plus the slack the 8-byte stores of the fast path
    // overrun by (at most 2 bytes past what was decoded); truncated at the
    // end. A fresh vector is allocated zeroed (no separate memset pass).
    let room = input.len() / 4 * 3 + 8;
    if out.capacity() == 0 {
        *out = vec![0; room];
    } else {
        out.resize(start + room, 0);
    }
    let written = base64_decode(input, &mut out[start..]);
    out.truncate(start + written.0);
    written.1
}

/// The decoder proper: writes into `out` (at least `input.len() / 4 * 3 + 8`
/// long) and returns (bytes written, clean).
///
/// The fast path takes 8 characters (two groups) at a time through the
/// pre-shifted tables with one validity test, and skips a line break between
/// groups; anything else (padding, garbage, a group split by a line break)
/// goes through the byte-at-a-time state until it is back on a group
/// boundary. Both paths give the same bytes as the byte-at-a-time state
/// alone (see the proptest against [`base64_reference`]).
fn base64_decode(input: &[u8], out: &mut [u8]) -> (usize, bool) {
    let mut slow = Base64Slow {
        acc: 0,
        pending: 0,
        clean: true,
        done: false,
    };
    let len = input.len();
    let mut i = 0;
    let mut w = 0;
    while i < len {
        // Invariant here: `slow.pending == 0`, so `w <= i / 4 * 3`.
        while let Some((oct, _)) = input[i..].split_first_chunk::<8>() {
            let a = group([oct[0], oct[1], oct[2], oct[3]]);
            let b = group([oct[4], oct[5], oct[6], oct[7]]);
            if (a | b) & BAD != 0 {
                break;
            }
            let word = (u64::from(a) << 40) | (u64::from(b) << 16);
            out[w..w + 8].copy_from_slice(&word.to_be_bytes());
            w += 6;
            i += 8;
        }
        if let Some((quad, _)) = input[i..].split_first_chunk::<4>() {
            let a = group(*quad);
            if a & BAD == 0 {
                out[w..w + 4].copy_from_slice(&(a << 8).to_be_bytes());
                w += 3;
                i += 4;
                continue;
            }
        }
        match input.get(i..) {
            Some([b'\r', b'\n', ..]) => {
                i += 2;
                continue;
            }
            Some([b'\n', ..]) => {
                i += 1;
                continue;
            }
            _ => {}
        }
        // Slow path: at least one byte, then on to the next group boundary.
        while let Some(&byte) = input.get(i) {
            slow.push(byte, out, &mut w);
            i += 1;
            if slow.done {
                i = len;
            }
            if slow.pending == 0 {
                break;
            }
        }
    }
    let mut clean = slow.clean;
    match slow.pending {
        0 => {}
        1 => clean = false,
        2 => {
            out[w] = (slow.acc >> 4) as u8;
            w += 1;
        }
        _ => {
            out[w..w + 2].copy_from_slice(&((slow.acc >> 2) as u16).to_be_bytes());
            w += 2;
        }
    }
    (w, clean)
}

/// The plain byte-at-a-time decoder the fast path must agree with.
#[cfg(test)]
fn base64_reference(input: &[u8]) -> (Vec<u8>, bool) {
    let mut slow = Base64Slow {
        acc: 0,
        pending: 0,
        clean: true,
        done: false,
    };
    let mut out = vec![0; input.len() / 4 * 3 + 3];
    let mut w = 0;
    for &byte in input {
        slow.push(byte, &mut out, &mut w);
        if slow.done {
            break;
        }
    }
    let mut clean = slow.clean;
    out.truncate(w);
    match slow.pending {
        0 => {}
        1 => clean = false,
        2 => out.push((slow.acc >> 4) as u8),
        _ => out.extend_from_slice(&((slow.acc >> 2) as u16).to_be_bytes()),
    }
    (out, clean)
}

/// Decodes base64 into a new vector; see [`base64_into`].
pub fn base64(input: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let clean = base64_into(input, &mut out);
    (out, clean)
}

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

/// Decodes quoted-printable (RFC 2045 §6.7): `=XX` to a byte, `=` before a
/// line break is a soft break, whitespace at the end of a line is removed
/// (rule 3). A malformed `=` is kept literally and makes the result unclean.
/// A hard line break is CRLF in the output whether the input used CRLF or a
/// bare LF (rule 4: a line break in the encoding stands for the canonical
/// CRLF), so the result does not depend on how the message was stored.
pub fn quoted_printable(input: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(input.len());
    let mut clean = true;
    let mut pos = 0;
    while pos < input.len() {
        let (line_end, next) = match memchr(b'\n', &input[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (input.len(), input.len()),
        };
        let mut content_end = line_end;
        if content_end > pos && input[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        let break_bytes: &[u8] = if next > line_end { b"\r\n" } else { b"" };
        let mut line = &input[pos..content_end];
        while let [rest @ .., b' ' | b'\t'] = line {
            line = rest;
        }
        let mut soft = false;
        let mut i = 0;
        while i < line.len() {
            match memchr(b'=', &line[i..]) {
                None => {
                    out.extend_from_slice(&line[i..]);
                    break;
                }
                Some(off) => {
                    out.extend_from_slice(&line[i..i + off]);
                    let at = i + off;
                    if at + 1 == line.len() {
                        soft = true;
                        i = line.len();
                    } else if let (Some(hi), Some(lo)) =
                        (hex(line[at + 1]), line.get(at + 2).copied().and_then(hex))
                    {
                        out.push(hi << 4 | lo);
                        i = at + 3;
                    } else {
                        clean = false;
                        out.push(b'=');
                        i = at + 1;
                    }
                }
            }
        }
        if !soft {
            out.extend_from_slice(break_bytes);
        }
        pos = next;
    }
    (out, clean)
}

/// Decodes x-uuencode: skips to the `begin` line, decodes each line by its
/// length character, stops at `end`. Without a `begin` line every line is
/// decoded.
pub fn uuencode(input: &[u8]) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut clean = true;
    let mut lines = input
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let has_begin = input
        .split(|&b| b == b'\n')
        .any(|l| l.starts_with(b"begin "));
    if has_begin {
        for line in lines.by_ref() {
            if line.starts_with(b"begin ") {
                break;
            }
        }
    } else {
        clean = false;
    }
    for line in lines {
        if line == b"end" || line.starts_with(b"end ") {
            break;
        }
        let Some((&len_char, data)) = line.split_first() else {
            continue;
        };
        let count = usize::from(len_char.wrapping_sub(b' ') & 0x3F);
        if count == 0 {
            continue;
        }
        let mut produced = 0;
        for group in data.chunks(4) {
            let mut value: u32 = 0;
            for k in 0..4 {
                let c = group.get(k).copied().unwrap_or(b' ');
                if !(b' '..=b'`').contains(&c) {
                    clean = false;
                }
                value = (value << 6) | u32::from(c.wrapping_sub(b' ') & 0x3F);
            }
            for byte in &value.to_be_bytes()[1..] {
                if produced < count {
                    out.push(*byte);
                    produced += 1;
                }
            }
        }
        if produced < count {
            clean = false;
        }
    }
    (out, clean)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// RFC 2045 §6.7 rules 1-5.
    #[test]
    fn quoted_printable_known_answers() {
        let table: &[(&[u8], &[u8], bool)] = &[
            (b"a=3Db", b"a=b", true),
            (b"caf=C3=A9", "café".as_bytes(), true),
            (b"soft=\r\nbreak", b"softbreak", true),
            (b"soft=\nbreak\n", b"softbreak\r\n", true),
            (b"trailing   \r\nx", b"trailing\r\nx", true),
            (b"bad=ZZ", b"bad=ZZ", false),
            (b"lower=c3=a9", "lower\u{e9}".as_bytes(), true),
            (b"end=", b"end", true),
        ];
        for (input, expected, clean) in table {
            let (out, ok) = quoted_printable(input);
            assert_eq!(&out[..], *expected, "{:?}", String::from_utf8_lossy(input));
            assert_eq!(ok, *clean);
        }
    }

    /// Line breaks and garbage at every offset relative to the groups, and
    /// padding in the middle: the fast path must hand over to the slow one.
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

    proptest::proptest! {
        /// The fast decoder agrees with the byte-at-a-time reference on any
        /// input, including mostly-valid base64 with line breaks.
        #[test]
        fn base64_agrees_with_reference(
            input in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => proptest::sample::select(
                        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".to_vec()),
                    1 => proptest::sample::select(b"\r\n =\t!".to_vec()),
                    1 => proptest::prelude::any::<u8>(),
                ],
                0..300,
            ),
            prefix in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4),
        ) {
            proptest::prop_assert_eq!(base64(&input), base64_reference(&input));
            // Appending keeps what was already in the vector.
            let mut out = prefix.clone();
            let clean = base64_into(&input, &mut out);
            let (expected, expected_clean) = base64_reference(&input);
            proptest::prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
            proptest::prop_assert_eq!(&out[prefix.len()..], &expected[..]);
            proptest::prop_assert_eq!(clean, expected_clean);
        }
    }

    #[test]
    fn uuencode_known_answer() {
        // "Cat" uuencoded (POSIX uuencode output format).
        let input = b"begin 644 cat.txt\n#0V%T\n`\nend\n";
        let (out, ok) = uuencode(input);
        assert_eq!(out, b"Cat");
        assert!(ok);
    }
}
