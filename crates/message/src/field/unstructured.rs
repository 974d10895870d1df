//! Unstructured values (RFC 5322 §3.2.5) with RFC 2047 encoded words.
//!
//! ```text
//! unstructured = (*([FWS] VCHAR) *WSP) / obs-unstruct
//! ```

use std::borrow::Cow;

use memchr::memmem;

use super::encoded_word;
use super::unfold;

/// Unfolds `value` and decodes its encoded words (RFC 2047 §6.2):
/// whitespace between two adjacent encoded words is dropped; UTF-8 is kept
/// (RFC 6532 §3.2); other bytes become replacement characters.
pub fn decode(value: &[u8]) -> Cow<'_, str> {
    match unfold(value) {
        Cow::Borrowed(bytes) if memmem::find(bytes, b"=?").is_none() => {
            String::from_utf8_lossy(bytes)
        }
        unfolded => Cow::Owned(decode_words(&unfolded)),
    }
}

/// Decodes the encoded words of an already unfolded value.
pub(crate) fn decode_words(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len());
    let mut literal_start = 0;
    let mut last_word_end: Option<usize> = None;
    let mut i = 0;
    // The first `?=` at or after some position: every encoded word needs
    // one, so a candidate `=?` with none within reach is skipped without
    // searching again (a value full of `=?` and no `?=` stays linear
    // instead of costing a bounded search per candidate).
    let closes = memmem::Finder::new(b"?=");
    let mut next_close: Option<usize> = Some(0);
    while let Some(offset) = memmem::find(&input[i..], b"=?") {
        let at = i + offset;
        if let Some(close) = next_close
            && close < at + 2
        {
            next_close = closes.find(&input[at + 2..]).map(|c| at + 2 + c);
        }
        let Some(close) = next_close else {
            break;
        };
        if close - at > encoded_word::MAX_WORD + 2 {
            i = at + 2;
            continue;
        }
        match encoded_word::decode_prefix(&input[at..]) {
            Some((text, len)) => {
                let gap = &input[literal_start..at];
                let adjacent = last_word_end == Some(literal_start)
                    && gap.iter().all(|b| matches!(b, b' ' | b'\t'));
                if !adjacent {
                    out.push_str(&String::from_utf8_lossy(gap));
                }
                out.push_str(&text);
                i = at + len;
                literal_start = i;
                last_word_end = Some(i);
            }
            None => i = at + 2,
        }
    }
    out.push_str(&String::from_utf8_lossy(&input[literal_start..]));
    out
}

/// Splits a comma-separated list of phrases (e.g. Keywords, RFC 5322
/// §3.6.5), decoding each; quoted strings may hold commas.
pub fn list(value: &[u8]) -> Vec<String> {
    let unfolded = unfold(value);
    let mut items = Vec::new();
    let mut start = 0;
    let mut in_quote = false;
    for (i, &byte) in unfolded.iter().enumerate() {
        match byte {
            b'"' => in_quote = !in_quote,
            b',' if !in_quote => {
                push_item(&mut items, &unfolded[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    push_item(&mut items, &unfolded[start..]);
    items
}

fn push_item(items: &mut Vec<String>, item: &[u8]) {
    let item = super::trim_wsp(item);
    if !item.is_empty() {
        items.push(decode_words(item));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2047 §8 "encoded-word display" table, plus RFC 5322 §2.2.3.
    #[test]
    fn known_answers() {
        let table: &[(&str, &str)] = &[
            ("=?ISO-8859-1?Q?a?=", "a"),
            ("=?ISO-8859-1?Q?a?= b", "a b"),
            ("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab"),
            ("=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab"),
            ("=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab"),
            ("=?ISO-8859-1?Q?a_b?=", "a b"),
            ("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b"),
            ("(=?ISO-8859-1?Q?a?=)", "(a)"),
            (
                " let's = try =?iso-8859-1? to break",
                "let's = try =?iso-8859-1? to break",
            ),
            ("ハロー・ワールド ", "ハロー・ワールド"),
            (" Fwd: \n\tSaying \n Hello", "Fwd: Saying Hello"),
        ];
        for (input, expected) in table {
            assert_eq!(decode(input.as_bytes()), *expected, "{input:?}");
        }
    }

    /// A value full of `=?` with no `?=`, or with the only `?=` far away,
    /// decodes to itself.
    #[test]
    fn many_openers_without_closers() {
        let mut value = "=?x".repeat(40_000);
        assert_eq!(decode(value.as_bytes()), value);
        let expected = format!("{value} \u{e9}");
        value.push_str(" =?utf-8?q?=C3=A9?=");
        assert_eq!(decode(value.as_bytes()), expected);
        let words = "=?utf-8?q?a?= ".repeat(10_000);
        assert_eq!(decode(words.as_bytes()), "a".repeat(10_000));
    }

    #[test]
    fn list_items() {
        assert_eq!(
            list(b" one, \"two, three\" , =?utf-8?q?f=C3=BCr?=,"),
            ["one", "\"two, three\"", "für"]
        );
    }
}
