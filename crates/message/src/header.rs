//! Header blocks: the linear scan that finds fields, and the [`Header`] view.
//!
//! ```text
//! field       = field-name ":" unstructured CRLF          ; RFC 5322 §2.2
//! field-name  = 1*ftext                                   ; RFC 5322 §3.6.8
//! ftext       = %d33-57 / %d59-126                        ; printable except ":"
//! obs-field   = field-name *WSP ":" ...                   ; RFC 5322 §4.5
//! ```

use std::borrow::Cow;
use std::ops::Range;

use memchr::memchr;

use crate::config::ParserConfig;
use crate::defect::Defect;
use crate::field;

/// Where one field lies in its source buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeaderSpan {
    /// First byte of the field name.
    pub(crate) start: usize,
    /// End of the field name (trailing obs- whitespace excluded).
    pub(crate) name_end: usize,
    /// First byte after the colon.
    pub(crate) value_start: usize,
    /// End of the value, before the final line break.
    pub(crate) value_end: usize,
    /// End of the field including its final line break.
    pub(crate) end: usize,
}

/// The result of scanning one header block.
pub(crate) struct HeaderBlock {
    /// Where the body starts (after the empty line, or at the first line that
    /// is not a field).
    pub(crate) body_start: usize,
}

/// Returns the end of the line starting at `pos` (index of its `\n` + 1, or
/// `end`) and the end of its content (before `\r\n` or `\n`).
#[inline]
pub(crate) fn line_at(src: &[u8], pos: usize, end: usize) -> (usize, usize) {
    match memchr(b'\n', &src[pos..end]) {
        Some(i) => {
            let nl = pos + i;
            let content_end = if nl > pos && src[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            (nl + 1, content_end)
        }
        None => (end, end),
    }
}

/// Scans the header block of `src[start..end]`, appending fields to `out`.
pub(crate) fn scan_header_block(
    src: &[u8],
    start: usize,
    end: usize,
    config: &ParserConfig,
    defects: &mut Vec<Defect>,
    out: &mut Vec<HeaderSpan>,
    is_delimiter: impl Fn(&[u8]) -> bool,
) -> HeaderBlock {
    let mut pos = start;
    let mut keeping = true;
    // Whether the previous line was a field we kept, so a continuation extends it.
    let mut open = false;
    while pos < end {
        let (next, content_end) = line_at(src, pos, end);
        let line = &src[pos..content_end];
        if line.is_empty() {
            return HeaderBlock { body_start: next };
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if open {
                if let Some(last) = out.last_mut() {
                    last.value_end = content_end;
                    last.end = next;
                }
            } else if pos == start {
                defects.push(Defect::FirstLineIsContinuation);
            }
            pos = next;
            continue;
        }
        if line.starts_with(b"--") && is_delimiter(line) {
            return HeaderBlock { body_start: pos };
        }
        if line.starts_with(b"From ") {
            if pos != start {
                defects.push(Defect::MisplacedEnvelopeHeader);
            }
            open = false;
            pos = next;
            continue;
        }
        let Some((name_end, colon)) = field_name(line) else {
            defects.push(Defect::MissingHeaderBodySeparator);
            return HeaderBlock { body_start: pos };
        };
        if keeping && next - start > config.max_header_bytes {
            keeping = false;
            defects.push(Defect::HeaderBlockTooLarge);
        }
        open = keeping;
        if keeping {
            out.push(HeaderSpan {
                start: pos,
                name_end: pos + name_end,
                value_start: pos + colon + 1,
                value_end: content_end,
                end: next,
            });
        }
        pos = next;
    }
    HeaderBlock { body_start: end }
}

/// `ftext` (RFC 5322 §3.6.8: printable ASCII except `:`) as a table, one
/// load per byte of a field name.
static FTEXT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 33;
    while b <= 126 {
        table[b] = b != b':' as usize;
        b += 1;
    }
    table
};

/// The length of the run of `ftext` at the start of `line`: eight bytes at a
/// time while they last, so a name costs a few steps, not one per byte.
#[inline]
fn ftext_run(line: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut i = 0;
    while let Some(chunk) = line.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // High bit of each byte set for a byte below 33, above 126, or a
        // colon. A borrow or carry only ever spreads upward from a byte that
        // is itself flagged, so the lowest flag is exact.
        let below = w.wrapping_sub(ONES * 33) & !w & HIGH;
        let above = (w.wrapping_add(ONES) | w) & HIGH;
        let colon = w ^ (ONES * u64::from(b':'));
        let colon = colon.wrapping_sub(ONES) & !colon & HIGH;
        let flags = below | above | colon;
        if flags != 0 {
            return i + (flags.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + line[i..]
        .iter()
        .position(|&b| !FTEXT[usize::from(b)])
        .unwrap_or(line.len() - i)
}

/// If `line` starts with a field name and a colon: the name's length and the
/// colon's index. One pass over the name: obs-field allows whitespace before
/// the colon (RFC 5322 §4.5), which is not part of the name.
#[inline]
fn field_name(line: &[u8]) -> Option<(usize, usize)> {
    let name_end = ftext_run(line);
    let mut i = name_end;
    while i < line.len() && matches!(line[i], b' ' | b'\t') {
        i += 1;
    }
    (name_end > 0 && line.get(i) == Some(&b':')).then_some((name_end, i))
}

/// One header field, borrowed from the message.
///
/// Offsets are into the buffer the field was parsed from: the input for the
/// top-level message, or the decoded body of a base64/QP-encoded embedded
/// message (see [`Part::source_is_input`](crate::Part::source_is_input)).
#[derive(Debug, Clone, Copy)]
pub struct Header<'m> {
    pub(crate) src: &'m [u8],
    pub(crate) span: HeaderSpan,
}

impl<'m> Header<'m> {
    /// The field name as written (case preserved).
    pub fn name(&self) -> &'m str {
        // Field names are checked to be printable ASCII when scanned.
        std::str::from_utf8(&self.src[self.span.start..self.span.name_end]).unwrap_or("")
    }

    /// Whether the name equals `name`, ignoring ASCII case (RFC 5322 §1.2.2).
    pub fn is(&self, name: &str) -> bool {
        self.name().eq_ignore_ascii_case(name)
    }

    /// The whole field as written: name, colon, folded value, line break.
    pub fn raw(&self) -> &'m [u8] {
        &self.src[self.span.start..self.span.end]
    }

    /// The value as written, after the colon, folding kept, final line break
    /// removed.
    pub fn raw_value(&self) -> &'m [u8] {
        &self.src[self.span.value_start..self.span.value_end]
    }

    /// Byte offsets of the whole field in its source buffer.
    pub fn offsets(&self) -> Range<usize> {
        self.span.start..self.span.end
    }

    /// The value unfolded (RFC 5322 §2.2.3: line breaks before whitespace
    /// removed) with leading and trailing whitespace trimmed. Borrows when the
    /// value was not folded.
    pub fn unfolded(&self) -> Cow<'m, [u8]> {
        field::unfold(self.raw_value())
    }

    /// The value as text: unfolded, RFC 2047 encoded words decoded, UTF-8
    /// (RFC 6532) kept, other bytes replaced.
    pub fn text(&self) -> Cow<'m, str> {
        field::unstructured::decode(self.raw_value())
    }

    /// The value read as an address list (RFC 5322 §3.4).
    pub fn addresses(&self) -> Vec<field::address::Address> {
        field::address::parse(self.raw_value())
    }

    /// The value read as a date (RFC 5322 §3.3), `None` if it is not one.
    pub fn date(&self) -> Option<field::date::DateTime> {
        field::date::parse(self.raw_value())
    }

    /// The value read as a list of message identifiers (RFC 5322 §3.6.4).
    pub fn message_ids(&self) -> Vec<String> {
        field::ids::parse(self.raw_value())
    }

    /// The value read as a Content-Type (RFC 2045 §5.1); `None` if it has no
    /// `type/subtype`.
    pub fn content_type(&self) -> Option<field::content_type::ContentType> {
        field::content_type::parse(self.raw_value())
    }

    /// The value read as a Content-Disposition (RFC 2183).
    pub fn content_disposition(&self) -> Option<field::content_type::ContentDisposition> {
        field::content_type::parse_disposition(self.raw_value())
    }

    /// The value read as a Received trace field (RFC 5321 §4.4).
    pub fn received(&self) -> field::received::Received {
        field::received::parse(self.raw_value())
    }

    /// The value read as a MIME-Version (RFC 2045 §4: `1*DIGIT "." 1*DIGIT`,
    /// comments allowed); `None` if it is not one.
    pub fn mime_version(&self) -> Option<(u32, u32)> {
        field::mime_version(self.raw_value())
    }

    /// The value read as a Content-Transfer-Encoding (RFC 2045 §6.1).
    pub fn transfer_encoding(&self) -> crate::TransferEncoding {
        crate::TransferEncoding::from_value(&self.unfolded())
    }

    /// The value read as a comma-separated list of phrases (e.g. Keywords,
    /// RFC 5322 §3.6.5), each unfolded and RFC 2047-decoded.
    pub fn list(&self) -> Vec<String> {
        field::unstructured::list(self.raw_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reading `field_name` must give: the first colon, the name before
    /// it without trailing whitespace, all of it printable ASCII.
    fn field_name_reference(line: &[u8]) -> Option<(usize, usize)> {
        let colon = line.iter().position(|&b| b == b':')?;
        let mut name_end = colon;
        while name_end > 0 && matches!(line[name_end - 1], b' ' | b'\t') {
            name_end -= 1;
        }
        if name_end == 0 || !line[..name_end].iter().all(|&b| (33..=126).contains(&b)) {
            return None;
        }
        Some((name_end, colon))
    }

    #[test]
    fn field_name_known_answers() {
        assert_eq!(field_name(b"Subject: x"), Some((7, 7)));
        assert_eq!(field_name(b"Subject \t: x"), Some((7, 9)));
        assert_eq!(field_name(b"X-A:b:c"), Some((3, 3)));
        assert_eq!(field_name(b": x"), None);
        assert_eq!(field_name(b"a b: x"), None);
        assert_eq!(field_name(b"no colon"), None);
        assert_eq!(field_name(b"caf\xc3\xa9: x"), None);
        assert_eq!(
            field_name(b"Content-Transfer-Encoding: 7bit"),
            Some((25, 25))
        );
    }

    /// Every byte at every position of a name up to three words long: the
    /// word-at-a-time reader stops where the byte-at-a-time reading does.
    #[test]
    fn field_name_every_byte_everywhere() {
        for position in 0..24 {
            for byte in 0..=255u8 {
                let mut line = vec![b'a'; position];
                line.push(byte);
                line.extend_from_slice(b"bcdefghijk: value");
                assert_eq!(
                    field_name(&line),
                    field_name_reference(&line),
                    "{position} {byte}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn field_name_agrees_with_reference(
            line in proptest::collection::vec(
                prop_oneof![
                    Just(b':'), Just(b' '), Just(b'\t'), Just(b'\r'), Just(b'~'), Just(b'!'),
                    Just(0x7f), Just(0xff), Just(0x80),
                    proptest::char::range('a', 'z').prop_map(|c| c as u8),
                    proptest::char::range('a', 'z').prop_map(|c| c as u8),
                    proptest::char::range('a', 'z').prop_map(|c| c as u8),
                    any::<u8>(),
                ],
                0..40,
            )
        ) {
            prop_assert_eq!(field_name(&line), field_name_reference(&line));
        }
    }
}
