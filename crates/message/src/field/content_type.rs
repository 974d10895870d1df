//! Content-Type (RFC 2045 §5.1) and Content-Disposition (RFC 2183) with
//! parameter value continuations, charsets and languages (RFC 2231).
//!
//! ```text
//! content     := "Content-Type" ":" type "/" subtype *(";" parameter)
//! parameter   := attribute "=" value
//! value       := token / quoted-string
//! disposition := "Content-Disposition" ":" disposition-type *(";" disposition-parm)
//! ; RFC 2231 §3-4:
//! extended-initial-name := attribute [initial-section] "*"
//! extended-initial-value := [charset] "'" [language] "'" extended-other-values
//! ```

use super::{trim_wsp, unfold, unstructured};
use crate::charset;

/// One parameter after RFC 2231 reassembly and decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The attribute name, lowercase, without RFC 2231 `*` suffixes.
    pub name: String,
    /// The value, decoded to UTF-8 (RFC 2231 charset, or RFC 2047 encoded
    /// words that real mail puts in quoted values).
    pub value: String,
    /// The RFC 2231 language tag, if one was given.
    pub language: Option<String>,
}

/// A parsed Content-Type value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    /// The top-level type, lowercase (`text`, `multipart`...).
    pub media_type: String,
    /// The subtype, lowercase; `None` when the value had no `/subtype`.
    pub subtype: Option<String>,
    /// The parameters in order of first appearance.
    pub params: Vec<Param>,
}

impl ContentType {
    /// `text/plain; charset=us-ascii`, the default of RFC 2045 §5.2.
    pub fn text_plain() -> Self {
        Self {
            media_type: "text".to_owned(),
            subtype: Some("plain".to_owned()),
            params: vec![Param {
                name: "charset".to_owned(),
                value: "us-ascii".to_owned(),
                language: None,
            }],
        }
    }

    /// `message/rfc822`, the default inside multipart/digest (RFC 2046 §5.1.5).
    pub fn message_rfc822() -> Self {
        Self {
            media_type: "message".to_owned(),
            subtype: Some("rfc822".to_owned()),
            params: Vec::new(),
        }
    }

    /// `type/subtype`, lowercase.
    pub fn mime_type(&self) -> String {
        format!(
            "{}/{}",
            self.media_type,
            self.subtype.as_deref().unwrap_or("")
        )
    }

    /// The value of parameter `name` (ASCII case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        param(&self.params, name)
    }

    /// Whether the type is `media_type/subtype` (ASCII case-insensitive).
    pub fn is(&self, media_type: &str, subtype: &str) -> bool {
        self.media_type.eq_ignore_ascii_case(media_type)
            && self
                .subtype
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(subtype))
    }
}

/// A parsed Content-Disposition value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDisposition {
    /// `inline`, `attachment` or an extension token, lowercase.
    pub kind: String,
    /// The parameters (`filename`, `size`...).
    pub params: Vec<Param>,
}

impl ContentDisposition {
    /// The value of parameter `name` (ASCII case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        param(&self.params, name)
    }
}

fn param<'p>(params: &'p [Param], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .map(|p| p.value.as_str())
}

/// Reads a Content-Type; `None` when there is no type before the first `;`
/// or the type is empty (e.g. `/plain`).
pub fn parse(value: &[u8]) -> Option<ContentType> {
    let (head, params) = split_value(value)?;
    let head = &head[..];
    let (media_type, subtype) = match head.iter().position(|&b| b == b'/') {
        Some(slash) => {
            let subtype = trim_wsp(&head[slash + 1..]);
            (
                trim_wsp(&head[..slash]),
                (!subtype.is_empty()).then_some(subtype),
            )
        }
        None => (head, None),
    };
    if media_type.is_empty() {
        return None;
    }
    Some(ContentType {
        media_type: lower(media_type),
        subtype: subtype.map(lower),
        params,
    })
}

/// The `type` and `subtype` of a Content-Type value as written, without
/// allocating, when the value starts in the plain form real mail uses:
/// optional spaces, an ASCII token, `/`, a token, optional spaces, then the
/// end or `;`. `None` for anything else (comments, quotes, folding, non-ASCII
/// or a missing subtype), which only [`parse`] reads.
///
/// Whenever this gives `Some((t, s))`, [`parse`] gives `t` and `s` lowercased
/// as its `media_type` and `subtype`: before the first `;` there is nothing
/// its unfolding, comment stripping or quote handling would change. The
/// structure scan relies on that to leave the parameters unread until asked.
pub(crate) fn plain_head(value: &[u8]) -> Option<(&[u8], &[u8])> {
    // RFC 2045 §5.1 token characters, minus the ones the full reader treats
    // specially before the first `;` (comments, quotes, escapes).
    fn is_token(b: u8) -> bool {
        matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'"' | b'\\' | b';' | b'/')
    }
    let skip_spaces = |mut i: usize| {
        while i < value.len() && matches!(value[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    let token_end = |mut i: usize| {
        while i < value.len() && is_token(value[i]) {
            i += 1;
        }
        i
    };
    let type_start = skip_spaces(0);
    let type_end = token_end(type_start);
    let slash = skip_spaces(type_end);
    if type_end == type_start || value.get(slash) != Some(&b'/') {
        return None;
    }
    let subtype_start = skip_spaces(slash + 1);
    let subtype_end = token_end(subtype_start);
    let after = skip_spaces(subtype_end);
    if subtype_end == subtype_start || !matches!(value.get(after), None | Some(b';')) {
        return None;
    }
    Some((
        &value[type_start..type_end],
        &value[subtype_start..subtype_end],
    ))
}

/// The `boundary` parameter of a Content-Type value, without allocating,
/// when [`plain_head`] reads its head and every parameter is in the
/// plain form: `name=token` or `name="text"` (ASCII, no escapes, no encoded
/// words in the boundary), whitespace and folding only around them.
/// `Some(None)` when there is no boundary parameter; `None` for anything
/// else (comments, RFC 2231 sections, repeated boundaries...), which only
/// [`parse`] reads.
///
/// Whenever this gives `Some(b)`, `parse(value)`'s `param("boundary")` is `b`.
pub(crate) fn plain_boundary(value: &[u8]) -> Option<Option<&[u8]>> {
    // A comment may start anywhere; the full reader strips them first.
    if memchr::memchr(b'(', value).is_some() {
        return None;
    }
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let is_name = |b: u8| {
        matches!(b, 0x21..=0x7e)
            && !matches!(b, b'(' | b')' | b'"' | b'\\' | b';' | b'/' | b'=' | b'*')
    };
    plain_head(value)?;
    // The head holds no `;`: the first one ends it.
    let Some(mut i) = memchr::memchr(b';', value) else {
        return Some(None);
    };
    let mut boundary = None;
    let mut seen_boundary = false;
    let mut params = 0;
    while i < value.len() {
        // `i` is at a `;`.
        i += 1;
        while i < value.len() && is_space(value[i]) {
            i += 1;
        }
        if i == value.len() || value[i] == b';' {
            continue;
        }
        params += 1;
        // Far below the full reader's bound on distinct names.
        if params > 32 {
            return None;
        }
        let name_start = i;
        while i < value.len() && is_name(value[i]) {
            i += 1;
        }
        let name = &value[name_start..i];
        while i < value.len() && is_space(value[i]) {
            i += 1;
        }
        if name.is_empty() || value.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        while i < value.len() && is_space(value[i]) {
            i += 1;
        }
        let text = if value.get(i) == Some(&b'"') {
            let start = i + 1;
            let len = memchr::memchr(b'"', &value[start..])?;
            let text = &value[start..start + len];
            if text
                .iter()
                .any(|&b| matches!(b, b'\\' | b'\r' | b'\n') || !b.is_ascii())
            {
                return None;
            }
            i = start + len + 1;
            while i < value.len() && is_space(value[i]) {
                i += 1;
            }
            if i < value.len() && value[i] != b';' {
                return None;
            }
            Some(text)
        } else {
            let start = i;
            let end = memchr::memchr(b';', &value[start..]).map_or(value.len(), |k| start + k);
            let text = trim_wsp(&value[start..end]);
            if text
                .iter()
                .any(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n') || !b.is_ascii())
            {
                return None;
            }
            i = end;
            // An empty unquoted value is no parameter.
            (!text.is_empty()).then_some(text)
        };
        if name.eq_ignore_ascii_case(b"boundary") {
            if seen_boundary {
                return None;
            }
            seen_boundary = true;
            if let Some(text) = text {
                if memchr::memmem::find(text, b"=?").is_some() {
                    return None;
                }
                boundary = Some(text);
            }
        }
    }
    Some(boundary)
}

/// Reads a Content-Disposition; `None` when the disposition type is empty.
pub fn parse_disposition(value: &[u8]) -> Option<ContentDisposition> {
    let (head, params) = split_value(value)?;
    Some(ContentDisposition {
        kind: lower(&head),
        params,
    })
}

fn lower(bytes: &[u8]) -> String {
    if bytes.is_ascii() {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        text.make_ascii_lowercase();
        text
    } else {
        String::from_utf8_lossy(bytes).to_lowercase()
    }
}

/// Strips comments, splits off the head and reads the parameters.
fn split_value(value: &[u8]) -> Option<(Vec<u8>, Vec<Param>)> {
    let unfolded = unfold(value);
    let cleaned: std::borrow::Cow<'_, [u8]> = if unfolded.contains(&b'(') {
        std::borrow::Cow::Owned(super::strip_comments(&unfolded, false))
    } else {
        std::borrow::Cow::Borrowed(&unfolded[..])
    };
    let pieces = split_unquoted(&cleaned, b';');
    let head = trim_wsp(pieces.first()?).to_vec();
    if head.is_empty() {
        return None;
    }
    Some((head, assemble(pieces.get(1..).unwrap_or(&[]))))
}

fn split_unquoted(value: &[u8], separator: u8) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    let mut i = 0;
    while i < value.len() {
        match value[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            byte if byte == separator && !quoted => {
                pieces.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    pieces.push(&value[start..]);
    pieces
}

fn unquote(value: &[u8]) -> (Vec<u8>, bool) {
    let Some(inner) = value.strip_prefix(b"\"") else {
        return (value.to_vec(), false);
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        match inner[i] {
            b'\\' if i + 1 < inner.len() => {
                out.push(inner[i + 1]);
                i += 2;
                continue;
            }
            b'"' => break,
            byte => out.push(byte),
        }
        i += 1;
    }
    (out, true)
}

fn percent_decode(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'%'
            && i + 2 < value.len()
            && let (Some(hi), Some(lo)) = (
                (value[i + 1] as char).to_digit(16),
                (value[i + 2] as char).to_digit(16),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(value[i]);
        i += 1;
    }
    out
}

/// Most distinct parameters kept per field (RFC 2045 sets no limit).
const MAX_PARAMS: usize = 64;

/// One raw `name[*n][*]=value` before reassembly.
struct Section {
    index: Option<u32>,
    extended: bool,
    value: Vec<u8>,
}

/// RFC 2231 sections per base name are sorted and joined; the first
/// extended section carries `charset'language'`.
fn assemble(pieces: &[&[u8]]) -> Vec<Param> {
    // Parameters are few: a vector searched linearly beats a hash map.
    let mut sections: Vec<(String, Vec<Section>)> = Vec::new();
    for piece in pieces {
        let Some(eq) = piece.iter().position(|&b| b == b'=') else {
            continue;
        };
        let raw_name = trim_wsp(&piece[..eq]);
        let (value, quoted) = unquote(trim_wsp(&piece[eq + 1..]));
        if raw_name.is_empty() || (!quoted && value.is_empty()) {
            continue;
        }
        let mut name = raw_name;
        let extended = name.last() == Some(&b'*');
        if extended {
            name = &name[..name.len() - 1];
        }
        let mut index = None;
        if let Some(star) = name.iter().rposition(|&b| b == b'*') {
            let digits = trim_wsp(&name[star + 1..]);
            if let Ok(text) = std::str::from_utf8(digits)
                && let Ok(n) = text.parse::<u32>()
            {
                index = Some(n);
                name = trim_wsp(&name[..star]);
            }
        }
        if name.is_empty() {
            continue;
        }
        let key = lower(name);
        let index_of = match sections.iter().position(|(k, _)| *k == key) {
            Some(found) => found,
            // A bound on distinct names keeps the linear search linear in
            // the value; real fields have a handful.
            None if sections.len() >= MAX_PARAMS => continue,
            None => {
                sections.push((key, Vec::new()));
                sections.len() - 1
            }
        };
        let entry = &mut sections[index_of].1;
        // Keep the number of sections per name bounded (RFC 2231 sets no
        // limit; a hostile header should not grow this without end).
        if entry.len() < 1024 {
            entry.push(Section {
                index,
                extended,
                value,
            });
        }
    }
    let mut params = Vec::with_capacity(sections.len());
    for (name, mut parts) in sections {
        // The common case, one plain `name=value`: the value's bytes become
        // the string without another pass unless they hold encoded words.
        if let [only] = &mut parts[..]
            && only.index.is_none()
            && !only.extended
        {
            let bytes = std::mem::take(&mut only.value);
            let value = if memchr::memmem::find(&bytes, b"=?").is_some() {
                unstructured::decode_words(&bytes)
            } else {
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
            };
            params.push(Param {
                name,
                value,
                language: None,
            });
            continue;
        }
        let continued = parts.iter().any(|s| s.index.is_some());
        if continued {
            parts.retain(|s| s.index.is_some());
            parts.sort_by_key(|s| s.index);
            parts.dedup_by_key(|s| s.index);
        } else {
            parts.truncate(1);
        }
        let mut charset_label: Option<Vec<u8>> = None;
        let mut language = None;
        let mut bytes = Vec::new();
        let mut any_extended = false;
        for (i, section) in parts.iter().enumerate() {
            if section.extended {
                any_extended = true;
                let mut data = &section.value[..];
                if i == 0 {
                    let mut quotes = data
                        .iter()
                        .enumerate()
                        .filter(|&(_, &b)| b == b'\'')
                        .map(|(k, _)| k);
                    if let (Some(first), Some(second)) = (quotes.next(), quotes.next()) {
                        charset_label = Some(data[..first].to_vec());
                        let lang = &data[first + 1..second];
                        if !lang.is_empty() {
                            language = Some(String::from_utf8_lossy(lang).into_owned());
                        }
                        data = &data[second + 1..];
                    }
                }
                bytes.extend_from_slice(&percent_decode(data));
            } else {
                bytes.extend_from_slice(&section.value);
            }
        }
        let value = match (&charset_label, any_extended) {
            (Some(label), true) if !label.is_empty() => {
                charset::decode(label, &bytes).0.into_owned()
            }
            _ => unstructured::decode_words(&bytes),
        };
        params.push(Param {
            name,
            value,
            language,
        });
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Reading = Option<(String, Option<String>, Vec<(String, String)>)>;

    fn ct(value: &str) -> Reading {
        parse(value.as_bytes()).map(|c| {
            (
                c.media_type,
                c.subtype,
                c.params.into_iter().map(|p| (p.name, p.value)).collect(),
            )
        })
    }

    fn owned(t: &str, s: Option<&str>, params: &[(&str, &str)]) -> Reading {
        Some((
            t.to_owned(),
            s.map(str::to_owned),
            params
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        ))
    }

    /// RFC 2045 §5.1, RFC 2046 §5.1.1 and RFC 2231 §3-§5 examples.
    #[test]
    fn known_answers() {
        let table = [
            // RFC 2045 §5.1: comments and case-insensitivity.
            (
                " text/plain; charset =us-ascii (Plain text)",
                owned("text", Some("plain"), &[("charset", "us-ascii")]),
            ),
            (
                "Text/HTML; Charset=\"ISO-8859-1\"",
                owned("text", Some("html"), &[("charset", "ISO-8859-1")]),
            ),
            // RFC 2046 §5.1.1: boundary with a colon and with spaces.
            (
                "multipart/mixed; boundary=gc0pJq0M:08jU534c0p",
                owned(
                    "multipart",
                    Some("mixed"),
                    &[("boundary", "gc0pJq0M:08jU534c0p")],
                ),
            ),
            (
                "multipart/mixed; boundary=\"simple boundary\"",
                owned(
                    "multipart",
                    Some("mixed"),
                    &[("boundary", "simple boundary")],
                ),
            ),
            // Quoted ";" stays in the value.
            (
                "a/b; name=\"x;y\"; z=1",
                owned("a", Some("b"), &[("name", "x;y"), ("z", "1")]),
            ),
            // RFC 2231 §3: continuations.
            (
                "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"",
                owned(
                    "message",
                    Some("external-body"),
                    &[
                        ("access-type", "URL"),
                        (
                            "url",
                            "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar",
                        ),
                    ],
                ),
            ),
            // RFC 2231 §4: charset and language.
            (
                "application/x-stuff;\r\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A",
                owned(
                    "application",
                    Some("x-stuff"),
                    &[("title", "This is ***fun***")],
                ),
            ),
            // RFC 2231 §4.1: both combined.
            (
                "application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"",
                owned(
                    "application",
                    Some("x-stuff"),
                    &[("title", "This is even more ***fun*** isn't it!")],
                ),
            ),
            (
                "text/plain; name*=\"iso-8859-1''Hasen%F6.txt\"",
                owned("text", Some("plain"), &[("name", "Hasenö.txt")]),
            ),
            (
                "image/png; name=\"=?utf-8?q?=E3=83=8F.png?=\"",
                owned("image", Some("png"), &[("name", "ハ.png")]),
            ),
            ("text/", owned("text", None, &[])),
            ("/plain", None),
            (";charset=us-ascii", None),
            ("", None),
        ];
        for (input, expected) in table {
            assert_eq!(ct(input), expected, "{input:?}");
        }
        let lang = parse(b"a/b; title*=us-ascii'en-us'x").and_then(|c| c.params.into_iter().next());
        assert_eq!(lang.and_then(|p| p.language).as_deref(), Some("en-us"));
    }

    /// RFC 2183 §2 and RFC 2231 filenames.
    #[test]
    fn disposition() {
        let got = parse_disposition(b"Attachment; filename*=UTF-8''%E2%82%AC%20rates.pdf; size=12")
            .unwrap_or_else(|| unreachable!());
        assert_eq!(got.kind, "attachment");
        assert_eq!(got.param("FILENAME"), Some("€ rates.pdf"));
        assert_eq!(got.param("size"), Some("12"));
        assert_eq!(parse_disposition(b" "), None);
    }

    type Head<'a> = Option<(&'a [u8], &'a [u8])>;
    type Boundary<'a> = Option<Option<&'a [u8]>>;

    /// The plain forms the fast readers take, and their near misses.
    #[test]
    fn plain_readers_known_answers() {
        let heads: [(&[u8], Head<'_>); 9] = [
            (b"text/plain", Some((b"text", b"plain"))),
            (b" Text / HTML ; charset=x", Some((b"Text", b"HTML"))),
            (
                b"multipart/mixed;\r\n boundary=x",
                Some((b"multipart", b"mixed")),
            ),
            (b"text/", None),
            (b"/plain", None),
            (b"text/plain (comment)", None),
            (b"text/pl ain", None),
            (b"\r\n text/plain", None),
            (b"t\xc3\xa9xt/plain", None),
        ];
        for (value, expected) in heads {
            assert_eq!(plain_head(value), expected, "{value:?}");
        }
        let boundaries: [(&[u8], Boundary<'_>); 12] = [
            (b"multipart/mixed", Some(None)),
            (b"multipart/mixed; boundary=abc", Some(Some(b"abc"))),
            (
                b"multipart/mixed;\r\n\tBOUNDARY=\"----=_Part_1; x\"",
                Some(Some(b"----=_Part_1; x")),
            ),
            (b"multipart/mixed; boundary=a b ; x=y", Some(Some(b"a b"))),
            (b"multipart/mixed; x=\"y;z\"; boundary=q", Some(Some(b"q"))),
            (b"multipart/mixed; boundary=; boundary=x", None),
            (b"multipart/mixed; boundary=\"\"", Some(Some(b""))),
            (b"multipart/mixed; boundary*=us-ascii''x", None),
            (b"multipart/mixed; boundary=\"=?utf-8?q?x?=\"", None),
            (b"multipart/mixed; boundary=\"a\\\"b\"", None),
            (b"multipart/mixed; boundary=x (comment)", None),
            (b"multipart/mixed; boundary=\"a\"b", None),
        ];
        for (value, expected) in boundaries {
            assert_eq!(plain_boundary(value), expected, "{value:?}");
            if let Some(plain) = expected {
                let full = parse(value);
                let full = full.as_ref().and_then(|ct| ct.param("boundary"));
                assert_eq!(full.map(str::as_bytes), plain, "{value:?}");
            }
        }
    }

    /// Content-Type values built from the pieces real fields and hostile
    /// ones are made of, so the fast readers' edge cases come up often.
    fn value() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(&b"multipart"[..]),
            Just(&b"text"[..]),
            Just(&b"/"[..]),
            Just(&b"mixed"[..]),
            Just(&b";"[..]),
            Just(&b" "[..]),
            Just(&b"\t"[..]),
            Just(&b"\r\n "[..]),
            Just(&b"\n"[..]),
            Just(&b"boundary"[..]),
            Just(&b"BoUnDaRy"[..]),
            Just(&b"charset"[..]),
            Just(&b"="[..]),
            Just(&b"\""[..]),
            Just(&b"\\"[..]),
            Just(&b"("[..]),
            Just(&b")"[..]),
            Just(&b"*"[..]),
            Just(&b"*0"[..]),
            Just(&b"'"[..]),
            Just(&b"=?"[..]),
            Just(&b"?="[..]),
            Just(&b"----=_Part_0"[..]),
            Just(&b"\xc3\xa9"[..]),
            Just(&b"\xff"[..]),
        ];
        let soup = proptest::collection::vec(piece, 0..16).prop_map(|pieces| pieces.concat());
        prop_oneof![
            // A plain head, then anything: where the boundary reader works.
            (
                prop_oneof![Just(&b"multipart/mixed;"[..]), Just(&b" text/plain ;"[..])],
                proptest::collection::vec(
                    prop_oneof![
                        Just(&b" boundary="[..]),
                        Just(&b"\r\n\tboundary = \""[..]),
                        Just(&b"\";"[..]),
                    ],
                    0..3
                ),
                soup.clone(),
            )
                .prop_map(|(head, params, tail)| [
                    head,
                    &params.concat()[..],
                    &tail[..]
                ]
                .concat()),
            soup,
            proptest::collection::vec(any::<u8>(), 0..40),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// `plain_head` gives exactly the type and subtype `parse` gives.
        #[test]
        fn plain_head_agrees_with_parse(value in value()) {
            if let Some((media_type, subtype)) = plain_head(&value) {
                let full = parse(&value);
                prop_assert_eq!(full.as_ref().map(|c| c.media_type.as_bytes()),
                    Some(&media_type.to_ascii_lowercase()[..]));
                prop_assert_eq!(
                    full.as_ref().and_then(|c| c.subtype.as_deref()).map(str::as_bytes),
                    Some(&subtype.to_ascii_lowercase()[..])
                );
            }
        }

        /// `plain_boundary` gives exactly the boundary `parse` gives.
        #[test]
        fn plain_boundary_agrees_with_parse(value in value()) {
            if let Some(plain) = plain_boundary(&value) {
                let full = parse(&value);
                let full = full.as_ref().and_then(|c| c.param("boundary"));
                prop_assert_eq!(full.map(str::as_bytes), plain);
            }
        }
    }
}
