//! Typed readings of header field values, each parsed lazily on request.
//!
//! Every parser here is total: it returns the best reading of any bytes.

pub mod address;
pub mod content_type;
pub mod date;
pub mod encoded_word;
pub mod ids;
pub mod received;
pub mod unstructured;

use std::borrow::Cow;

use memchr::memchr2;

/// Unfolds a field value (RFC 5322 §2.2.3) and trims surrounding whitespace.
///
/// Each line break, together with the whitespace around it, becomes one
/// space, the way Python's `email` and mail-parser present folded values.
/// Borrows when the value holds no line break.
pub fn unfold(value: &[u8]) -> Cow<'_, [u8]> {
    let trimmed = trim_wsp(value);
    if memchr2(b'\r', b'\n', trimmed).is_none() {
        return Cow::Borrowed(trimmed);
    }
    let mut out = Vec::with_capacity(trimmed.len());
    let mut i = 0;
    while i < trimmed.len() {
        let byte = trimmed[i];
        if byte == b'\r' || byte == b'\n' {
            while matches!(out.last(), Some(b' ' | b'\t')) {
                out.pop();
            }
            while i < trimmed.len() && matches!(trimmed[i], b'\r' | b'\n' | b' ' | b'\t') {
                i += 1;
            }
            out.push(b' ');
            continue;
        }
        out.push(byte);
        i += 1;
    }
    Cow::Owned(out)
}

/// Reads a MIME-Version value (RFC 2045 §4):
///
/// ```text
/// version := "MIME-Version" ":" 1*DIGIT "." 1*DIGIT
/// ```
///
/// Comments and whitespace anywhere are ignored (RFC 2045 §4 shows
/// `MIME-Version: 1.(produced by MetaSend Vx.x)0`).
pub fn mime_version(value: &[u8]) -> Option<(u32, u32)> {
    let mut digits = Vec::with_capacity(value.len());
    let mut depth = 0usize;
    for &byte in value {
        match byte {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if depth == 0 => digits.push(byte),
            _ => {}
        }
    }
    let text = std::str::from_utf8(&digits).ok()?;
    let (major, minor) = text.split_once('.')?;
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    Some((number(major)?, number(minor)?))
}

/// Removes RFC 5322 §3.2.2 comments (nested, with quoted-pairs) outside
/// quoted strings, which are kept as written. With `drop_whitespace`, unquoted
/// spaces and tabs go too: inside an addr-spec CFWS is not part of the address
/// (RFC 5322 §3.4.1).
pub(crate) fn strip_comments(value: &[u8], drop_whitespace: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut depth = 0usize;
    let mut quoted = false;
    let mut i = 0;
    while i < value.len() {
        let byte = value[i];
        match byte {
            b'\\' if quoted || depth > 0 => {
                if depth == 0 {
                    out.extend_from_slice(&value[i..(i + 2).min(value.len())]);
                }
                i += 2;
                continue;
            }
            b'"' if depth == 0 => {
                quoted = !quoted;
                out.push(byte);
            }
            b'(' if !quoted => depth += 1,
            b')' if !quoted && depth > 0 => depth -= 1,
            b' ' | b'\t' if drop_whitespace && !quoted => {}
            _ if depth == 0 => out.push(byte),
            _ => {}
        }
        i += 1;
    }
    out
}

pub(crate) fn trim_wsp(value: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = value
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |p| p + 1);
    &value[start..end]
}

/// A lexical token of a structured field (RFC 5322 §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// A run of characters that are not specials or whitespace (`.` included,
    /// so obs-phrase and dot-atoms read as one word).
    Atom(&'a [u8]),
    /// A quoted string's content with quoted-pairs resolved.
    Quoted(Cow<'a, [u8]>),
    /// A comment's content, nested parentheses kept, quoted-pairs resolved.
    Comment(Vec<u8>),
    /// One of `<>@,;:[]`.
    Special(u8),
}

/// Splits a structured value into tokens; never fails (an unclosed quote or
/// comment runs to the end).
#[derive(Debug)]
pub(crate) struct Lexer<'a> {
    pub(crate) src: &'a [u8],
    pub(crate) pos: usize,
    /// Whether whitespace preceded the last token returned.
    pub(crate) space_before: bool,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(src: &'a [u8]) -> Self {
        Self {
            src,
            pos: 0,
            space_before: false,
        }
    }

    fn quoted(&mut self) -> Cow<'a, [u8]> {
        let start = self.pos;
        let mut owned: Option<Vec<u8>> = None;
        while self.pos < self.src.len() {
            let byte = self.src[self.pos];
            match byte {
                b'"' => {
                    let end = self.pos;
                    self.pos += 1;
                    return owned.map_or(Cow::Borrowed(&self.src[start..end]), Cow::Owned);
                }
                b'\\' if self.pos + 1 < self.src.len() => {
                    let buf = owned.get_or_insert_with(|| self.src[start..self.pos].to_vec());
                    buf.push(self.src[self.pos + 1]);
                    self.pos += 2;
                }
                _ => {
                    if let Some(buf) = owned.as_mut() {
                        buf.push(byte);
                    }
                    self.pos += 1;
                }
            }
        }
        owned.map_or(Cow::Borrowed(&self.src[start..]), Cow::Owned)
    }

    fn comment(&mut self) -> Vec<u8> {
        let mut depth = 1usize;
        let mut out = Vec::new();
        while self.pos < self.src.len() {
            let byte = self.src[self.pos];
            self.pos += 1;
            match byte {
                b'\\' if self.pos < self.src.len() => {
                    out.push(self.src[self.pos]);
                    self.pos += 1;
                }
                b'(' => {
                    depth += 1;
                    out.push(byte);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(byte);
                }
                _ => out.push(byte),
            }
        }
        out
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let start = self.pos;
        while self.pos < self.src.len()
            && matches!(self.src[self.pos], b' ' | b'\t' | b'\r' | b'\n')
        {
            self.pos += 1;
        }
        self.space_before = self.pos > start;
        let byte = *self.src.get(self.pos)?;
        self.pos += 1;
        Some(match byte {
            b'"' => Token::Quoted(self.quoted()),
            b'(' => Token::Comment(self.comment()),
            b'<' | b'>' | b'@' | b',' | b';' | b':' | b'[' | b']' => Token::Special(byte),
            _ => {
                let start = self.pos - 1;
                while self.pos < self.src.len()
                    && !matches!(
                        self.src[self.pos],
                        b' ' | b'\t'
                            | b'\r'
                            | b'\n'
                            | b'"'
                            | b'('
                            | b'<'
                            | b'>'
                            | b'@'
                            | b','
                            | b';'
                            | b':'
                            | b'['
                            | b']'
                    )
                {
                    self.pos += 1;
                }
                Token::Atom(&self.src[start..self.pos])
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5322 §2.2.3 unfolding.
    #[test]
    fn unfold_known_answers() {
        let table: &[(&[u8], &[u8])] = &[
            (b" Saying Hello", b"Saying Hello"),
            (b" Fwd: \r\n\tSaying \r\n Hello", b"Fwd: Saying Hello"),
            (b"a\n b", b"a b"),
            (b"  ", b""),
        ];
        for (input, expected) in table {
            assert_eq!(&unfold(input)[..], *expected);
        }
        assert!(matches!(unfold(b" plain "), Cow::Borrowed(_)));
    }

    /// RFC 2045 §4, including its example with comments.
    #[test]
    fn mime_version_known_answers() {
        type Row = (&'static [u8], Option<(u32, u32)>);
        let table: &[Row] = &[
            (b" 1.0", Some((1, 0))),
            (b"1.0 (produced by MetaSend Vx.x)", Some((1, 0))),
            (b"(produced by MetaSend Vx.x) 1.0", Some((1, 0))),
            (b"1.(produced by MetaSend Vx.x)0", Some((1, 0))),
            (b"2.17", Some((2, 17))),
            (b"1", None),
            (b"one.zero", None),
            (b"", None),
        ];
        for (input, expected) in table {
            assert_eq!(
                mime_version(input),
                *expected,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn lexer_tokens() {
        let tokens: Vec<_> = Lexer::new(br#"Joe (a (b) \) c) "q\"x" <j@x>"#).collect();
        assert_eq!(
            tokens,
            vec![
                Token::Atom(b"Joe"),
                Token::Comment(b"a (b) ) c".to_vec()),
                Token::Quoted(Cow::Owned(b"q\"x".to_vec())),
                Token::Special(b'<'),
                Token::Atom(b"j"),
                Token::Special(b'@'),
                Token::Atom(b"x"),
                Token::Special(b'>'),
            ]
        );
    }
}
