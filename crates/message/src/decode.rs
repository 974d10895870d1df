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

/// The byte-at-a-time base64 state, for lines the fast path cannot take.
struct Base64Slow {
    acc: u32,
    pending: u32,
    clean: bool,
    done: bool,
}

impl Base64Slow {
    #[inline]
    fn push(&mut self, byte: u8, out: &mut Vec<u8>) {
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
            out.extend_from_slice(&self.acc.to_be_bytes()[1..]);
            self.acc = 0;
            self.pending = 0;
        }
    }
}

/// Decodes base64, skipping line breaks and any other byte outside the
/// alphabet (RFC 2045 §6.8: "any characters outside of the base64 alphabet
/// are to be ignored"), stopping at padding. A trailing group of 2 or 3
/// characters still yields its 1 or 2 bytes.
///
/// Returns whether the input was clean (only the alphabet, whitespace and
/// correct padding).
pub fn base64_into(input: &[u8], out: &mut Vec<u8>) -> bool {
    out.reserve(input.len() / 4 * 3 + 3);
    let mut slow = Base64Slow {
        acc: 0,
        pending: 0,
        clean: true,
        done: false,
    };
    // Lines are decoded into this buffer and appended, so the output is
    // written once (no zero-filling) with one capacity check per line.
    let mut buffer = [0u8; 768];
    let mut pos = 0;
    let len = input.len();
    while pos < len && !slow.done {
        let (mut line_end, next) = match memchr(b'\n', &input[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (len, len),
        };
        if line_end > pos && input[line_end - 1] == b'\r' {
            line_end -= 1;
        }
        let mut line = &input[pos..line_end];
        // Fast path: whole groups, up to 1024 characters at a time, checked
        // once per chunk (a chunk with padding or garbage is redone byte by
        // byte).
        while slow.pending == 0 && !line.is_empty() {
            let take = line.len().min(1024) / 4 * 4;
            if take == 0 {
                break;
            }
            let chunk = &line[..take];
            let produced = take / 4 * 3;
            let dst = &mut buffer[..produced];
            let mut bad = 0;
            let pairs = chunk.chunks_exact(8);
            let rest = pairs.remainder();
            let (dst_pairs, dst_rest) = dst.split_at_mut(take / 8 * 6);
            for (oct, six) in pairs.zip(dst_pairs.chunks_exact_mut(6)) {
                let a = group([oct[0], oct[1], oct[2], oct[3]]);
                let b = group([oct[4], oct[5], oct[6], oct[7]]);
                bad |= a | b;
                let word = (u64::from(a) << 24) | u64::from(b);
                six.copy_from_slice(&word.to_be_bytes()[2..]);
            }
            if let [q0, q1, q2, q3] = *rest {
                let word = group([q0, q1, q2, q3]);
                bad |= word;
                dst_rest.copy_from_slice(&word.to_be_bytes()[1..]);
            }
            if bad & BAD != 0 {
                break;
            }
            out.extend_from_slice(dst);
            line = &line[take..];
        }
        for &byte in line {
            slow.push(byte, out);
            if slow.done {
                break;
            }
        }
        pos = next;
    }
    let mut clean = slow.clean;
    match slow.pending {
        0 => {}
        1 => clean = false,
        2 => out.push((slow.acc >> 4) as u8),
        _ => out.extend_from_slice(&((slow.acc >> 2) as u16).to_be_bytes()),
    }
    clean
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

    #[test]
    fn uuencode_known_answer() {
        // "Cat" uuencoded (POSIX uuencode output format).
        let input = b"begin 644 cat.txt\n#0V%T\n`\nend\n";
        let (out, ok) = uuencode(input);
        assert_eq!(out, b"Cat");
        assert!(ok);
    }
}
