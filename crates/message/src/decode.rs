//! Transfer decoding (RFC 2045 §6): base64, quoted-printable, x-uuencode.
//!
//! Every decoder is total and lenient the way mail readers must be: bytes
//! outside the alphabet are skipped or kept literally, and the caller learns
//! whether the input was clean.

use memchr::memchr;

mod base64;

pub(crate) use self::base64::base64_reference;
pub use self::base64::{base64, base64_into};

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
