//! RFC 2047 encoded words.
//!
//! ```text
//! encoded-word = "=?" charset ["*" language] "?" encoding "?" encoded-text "?="
//! encoding     = "B" / "Q"                 ; RFC 2047 §4, case-insensitive
//! ```

use memchr::memmem;

use crate::charset;
use crate::decode;

/// The longest run searched for the closing `?=`. RFC 2047 §2 caps an
/// encoded word at 75 octets; real mail exceeds it (whole subjects in one
/// word), but a bound keeps a value full of `=?` linear.
pub(crate) const MAX_WORD: usize = 1024;

/// If `input` starts with an encoded word, its decoded text and length.
///
/// Lenient where real mail needs it: whitespace inside the encoded text (left
/// by folding) is dropped, and a language suffix (RFC 2231 §5) is ignored.
pub fn decode_prefix(input: &[u8]) -> Option<(String, usize)> {
    let rest = input.strip_prefix(b"=?")?;
    let limit = rest.len().min(MAX_WORD);
    let rest = &rest[..limit];
    let q1 = rest
        .iter()
        .position(|&b| b == b'?' || b == b' ' || b == b'\t')?;
    if rest[q1] != b'?' || q1 == 0 {
        return None;
    }
    let charset_full = &rest[..q1];
    let charset = charset_full
        .split(|&b| b == b'*')
        .next()
        .unwrap_or(charset_full);
    let encoding = *rest.get(q1 + 1)?;
    if rest.get(q1 + 2) != Some(&b'?') {
        return None;
    }
    let text_start = q1 + 3;
    let text_len = memmem::find(&rest[text_start..], b"?=")?;
    let text = &rest[text_start..text_start + text_len];
    let bytes = match encoding {
        b'B' | b'b' => decode::base64(text).0,
        b'Q' | b'q' => q_decode(text),
        _ => return None,
    };
    let (decoded, _) = charset::decode(charset, &bytes);
    Some((decoded.into_owned(), 2 + text_start + text_len + 2))
}

/// The "Q" encoding (RFC 2047 §4.2): `_` is a space, `=XX` a byte.
fn q_decode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < text.len() => match (hex(text[i + 1]), hex(text[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                _ => out.push(b'='),
            },
            b' ' | b'\t' | b'\r' | b'\n' => {}
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2047 §8 examples.
    #[test]
    fn known_answers() {
        let table: &[(&str, Option<&str>)] = &[
            ("=?US-ASCII?Q?Keith_Moore?=", Some("Keith Moore")),
            (
                "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=",
                Some("Keld Jørn Simonsen"),
            ),
            ("=?ISO-8859-1?Q?Andr=E9?=", Some("André")),
            (
                "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=",
                Some("If you can read this yo"),
            ),
            ("=?US-ASCII*EN?Q?a?=", Some("a")),
            (
                "=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
                Some("こんにちは"),
            ),
            ("=?utf-8?Q?Hello _there!?=", Some("Hello there!")),
            ("=?utf-8?X?abc?=", None),
            ("=?utf-8? x", None),
            ("=? a", None),
        ];
        for (input, expected) in table {
            let got = decode_prefix(input.as_bytes()).map(|(text, _)| text);
            assert_eq!(got.as_deref(), *expected, "{input}");
        }
    }
}
