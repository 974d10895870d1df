//! Text in a named charset to UTF-8: every WHATWG encoding through
//! `encoding_rs`, plus UTF-7 (RFC 2152), which WHATWG leaves out.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// Decodes `bytes` in the charset called `label` (an IANA or WHATWG label,
/// any case, surrounding quotes and whitespace ignored).
///
/// Returns the text and whether the charset was known and the bytes were
/// valid in it. An unknown charset is read as UTF-8 with replacement
/// characters. US-ASCII and ISO-8859-1 follow WHATWG and read as windows-1252,
/// a superset that gives the same text for valid input.
pub fn decode<'a>(label: &[u8], bytes: &'a [u8]) -> (Cow<'a, str>, bool) {
    let label = trim_label(label);
    if label.eq_ignore_ascii_case(b"utf-7") || label.eq_ignore_ascii_case(b"unicode-1-1-utf-7") {
        let (text, ok) = decode_utf7(bytes);
        return (Cow::Owned(text), ok);
    }
    if label.is_empty()
        || label.eq_ignore_ascii_case(b"utf-8")
        || label.eq_ignore_ascii_case(b"us-ascii") && bytes.is_ascii()
    {
        return utf8_lossy(bytes);
    }
    match Encoding::for_label_no_replacement(label) {
        Some(encoding) => {
            let (text, malformed) = encoding.decode_without_bom_handling(bytes);
            (text, !malformed)
        }
        None => {
            let (text, _) = utf8_lossy(bytes);
            (text, false)
        }
    }
}

/// Whether `label` names a charset [`decode`] knows.
pub fn is_known(label: &[u8]) -> bool {
    let label = trim_label(label);
    label.eq_ignore_ascii_case(b"utf-7")
        || label.eq_ignore_ascii_case(b"unicode-1-1-utf-7")
        || Encoding::for_label_no_replacement(label).is_some()
}

fn trim_label(label: &[u8]) -> &[u8] {
    let label = label.trim_ascii();
    let label = label.strip_prefix(b"\"").unwrap_or(label);
    let label = label.strip_suffix(b"\"").unwrap_or(label);
    label.trim_ascii()
}

/// UTF-8 with replacement characters; borrows valid input.
pub(crate) fn utf8_lossy(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), true),
        Err(_) => (String::from_utf8_lossy(bytes), false),
    }
}

fn utf7_value(byte: u8) -> Option<u32> {
    Some(match byte {
        b'A'..=b'Z' => byte - b'A',
        b'a'..=b'z' => byte - b'a' + 26,
        b'0'..=b'9' => byte - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    } as u32)
}

/// Decodes UTF-7 (RFC 2152 §"UTF-7 Definition"): direct characters as they
/// are, `+` starts modified base64 of UTF-16BE ended by `-` (absorbed) or any
/// character outside the alphabet, `+-` is a plus sign.
pub fn decode_utf7(bytes: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len());
    let mut ok = true;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte != b'+' {
            if byte.is_ascii() {
                out.push(byte as char);
            } else {
                out.push(char::REPLACEMENT_CHARACTER);
                ok = false;
            }
            i += 1;
            continue;
        }
        i += 1;
        if bytes.get(i) == Some(&b'-') {
            out.push('+');
            i += 1;
            continue;
        }
        let mut bits: u32 = 0;
        let mut nbits = 0;
        let mut units: Vec<u16> = Vec::new();
        while let Some(value) = bytes.get(i).copied().and_then(utf7_value) {
            bits = (bits << 6) | value;
            nbits += 6;
            if nbits >= 16 {
                nbits -= 16;
                units.push((bits >> nbits) as u16);
                bits &= (1 << nbits) - 1;
            }
            i += 1;
        }
        // RFC 2152: leftover bits must be zero and fewer than six.
        if nbits >= 6 || bits != 0 {
            ok = false;
        }
        for decoded in char::decode_utf16(units.iter().copied()) {
            out.push(decoded.unwrap_or_else(|_| {
                ok = false;
                char::REPLACEMENT_CHARACTER
            }));
        }
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    (out, ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2152 §"Examples" and the WHATWG encodings mail from Japan uses.
    #[test]
    fn known_answers() {
        let table: &[(&str, &[u8], &str)] = &[
            // RFC 2152 examples.
            ("utf-7", b"A+ImIDkQ.", "A\u{2262}\u{0391}."),
            ("UTF-7", b"Hi Mom -+Jjo--!", "Hi Mom -\u{263A}-!"),
            ("utf-7", b"+ZeVnLIqe-", "\u{65E5}\u{672C}\u{8A9E}"),
            ("utf-7", b"Item 3 is +AKM-1.", "Item 3 is \u{a3}1."),
            ("utf-7", b"1 +- 1", "1 + 1"),
            // ISO-2022-JP (RFC 1468): ESC $ B switches to JIS X 0208.
            ("iso-2022-jp", b"\x1b$B$3$s$K$A$O\x1b(B", "こんにちは"),
            (
                "Shift_JIS",
                b"\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd",
                "こんにちは",
            ),
            ("euc-jp", b"\xa4\xb3\xa4\xf3", "こん"),
            ("iso-8859-1", b"J\xf8rn", "Jørn"),
            ("\"koi8-r\"", b"\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"),
            ("gb2312", b"\xc4\xe3\xba\xc3", "你好"),
            ("utf-8", "ok ✓".as_bytes(), "ok ✓"),
        ];
        for (label, input, expected) in table {
            let (text, ok) = decode(label.as_bytes(), input);
            assert_eq!(text, *expected, "{label}");
            assert!(ok, "{label}");
        }
    }

    #[test]
    fn unknown_charset_is_lossy_utf8() {
        let (text, ok) = decode(b"x-no-such", b"abc\xff");
        assert_eq!(text, "abc\u{FFFD}");
        assert!(!ok);
        assert!(!is_known(b"x-no-such"));
        assert!(is_known(b"Shift_JIS"));
    }
}
