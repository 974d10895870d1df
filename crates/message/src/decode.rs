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

/// Decodes base64, skipping line breaks and any other byte outside the
/// alphabet (RFC 2045 §6.8: "any characters outside of the base64 alphabet
/// are to be ignored"), stopping at padding. A trailing group of 2 or 3
/// characters still yields its 1 or 2 bytes.
///
/// Returns whether the input was clean (only the alphabet, whitespace and
/// correct padding).
pub fn base64_into(input: &[u8], out: &mut Vec<u8>) -> bool {
    out.reserve(input.len() / 4 * 3 + 3);
    let mut clean = true;
    let mut acc: u32 = 0;
    let mut pending = 0u32;
    let mut i = 0;
    let len = input.len();
    loop {
        // Fast path: eight alphabet characters at a group boundary give six bytes.
        if pending == 0 {
            while i + 8 <= len {
                let chunk = &input[i..i + 8];
                let a = BASE64[chunk[0] as usize];
                let b = BASE64[chunk[1] as usize];
                let c = BASE64[chunk[2] as usize];
                let d = BASE64[chunk[3] as usize];
                let e = BASE64[chunk[4] as usize];
                let f = BASE64[chunk[5] as usize];
                let g = BASE64[chunk[6] as usize];
                let h = BASE64[chunk[7] as usize];
                if (a | b | c | d | e | f | g | h) & 0x80 != 0 {
                    break;
                }
                let word = (u64::from(a) << 58)
                    | (u64::from(b) << 52)
                    | (u64::from(c) << 46)
                    | (u64::from(d) << 40)
                    | (u64::from(e) << 34)
                    | (u64::from(f) << 28)
                    | (u64::from(g) << 22)
                    | (u64::from(h) << 16);
                out.extend_from_slice(&word.to_be_bytes()[..6]);
                i += 8;
            }
        }
        if i >= len {
            break;
        }
        let byte = input[i];
        i += 1;
        let value = BASE64[byte as usize];
        if value == INVALID {
            if byte == b'=' {
                if pending < 2 {
                    clean = false;
                    continue;
                }
                break;
            }
            if !matches!(byte, b'\r' | b'\n' | b' ' | b'\t') {
                clean = false;
            }
            continue;
        }
        acc = (acc << 6) | u32::from(value);
        pending += 1;
        if pending == 4 {
            out.extend_from_slice(&acc.to_be_bytes()[1..]);
            acc = 0;
            pending = 0;
        }
    }
    match pending {
        0 => {}
        1 => clean = false,
        2 => out.push((acc >> 4) as u8),
        _ => out.extend_from_slice(&((acc >> 2) as u16).to_be_bytes()),
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
