//! The [`Part`] view: headers, content type, body and children of one part.

use std::borrow::Cow;
use std::ops::Range;

use crate::charset;
use crate::decode;
use crate::defect::Defect;
use crate::field::content_type::{ContentDisposition, ContentType};
use crate::header::Header;
use crate::message::Message;
use crate::parser::{PartData, PartKind};

/// The Content-Transfer-Encoding of a part (RFC 2045 §6.1).
///
/// ```text
/// encoding  := "Content-Transfer-Encoding" ":" mechanism
/// mechanism := "7bit" / "8bit" / "binary" / "quoted-printable" / "base64"
///              / ietf-token / x-token
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransferEncoding {
    /// `7bit`, also the default when the field is absent (RFC 2045 §6.1).
    SevenBit,
    /// `8bit`.
    EightBit,
    /// `binary`.
    Binary,
    /// `quoted-printable` (RFC 2045 §6.7).
    QuotedPrintable,
    /// `base64` (RFC 2045 §6.8).
    Base64,
    /// `x-uuencode`, `uuencode` or `x-uue`: not in any RFC, common in old mail.
    Uuencode,
    /// Any other token; the body is taken as it is.
    Other,
}

impl TransferEncoding {
    /// Reads an unfolded field value, ignoring case and surrounding space.
    pub fn from_value(value: &[u8]) -> Self {
        let value = crate::field::trim_wsp(value);
        let value = value
            .split(|&b| b == b';' || b == b' ' || b == b'(')
            .next()
            .unwrap_or(value);
        let is = |name: &str| value.eq_ignore_ascii_case(name.as_bytes());
        if is("7bit") {
            Self::SevenBit
        } else if is("8bit") {
            Self::EightBit
        } else if is("binary") {
            Self::Binary
        } else if is("quoted-printable") {
            Self::QuotedPrintable
        } else if is("base64") {
            Self::Base64
        } else if is("x-uuencode") || is("uuencode") || is("x-uue") {
            Self::Uuencode
        } else {
            Self::Other
        }
    }

    /// The token as written in a header (`Other` gives `x-unknown`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SevenBit => "7bit",
            Self::EightBit => "8bit",
            Self::Binary => "binary",
            Self::QuotedPrintable => "quoted-printable",
            Self::Base64 => "base64",
            Self::Uuencode => "x-uuencode",
            Self::Other => "x-unknown",
        }
    }
}

/// One part of a message: the top-level message itself, a multipart, a
/// leaf, or an embedded message/rfc822 part. Cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct Part<'m> {
    pub(crate) message: &'m Message<'m>,
    pub(crate) id: usize,
    pub(crate) data: &'m PartData,
    pub(crate) src: &'m [u8],
}

impl<'m> Part<'m> {
    /// This part's index in [`Message::parts`] (0 is the top-level message).
    pub fn id(&self) -> usize {
        self.id
    }

    /// Whether the offsets of this part are into the parser's input (`false`
    /// inside a base64/QP-encoded embedded message, whose offsets are into
    /// its decoded bytes).
    pub fn source_is_input(&self) -> bool {
        self.data.source == 0
    }

    /// The header fields in order.
    pub fn headers(&self) -> impl Iterator<Item = Header<'m>> + use<'m> {
        let src = self.src;
        self.message
            .header_spans(self.data.headers.clone())
            .iter()
            .map(move |&span| Header { src, span })
    }

    /// The first field called `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<Header<'m>> {
        self.headers().find(|h| h.is(name))
    }

    /// Every field called `name`, in order.
    pub fn header_all<'n>(&self, name: &'n str) -> impl Iterator<Item = Header<'m>> + use<'m, 'n> {
        self.headers().filter(move |h| h.is(name))
    }

    /// The decoded text of the first field called `name`.
    pub fn header_text(&self, name: &str) -> Option<Cow<'m, str>> {
        self.header(name).map(|h| h.text())
    }

    /// The content type with the defaults of RFC 2045 §5.2 and RFC 2046
    /// §5.1.5 applied (type and subtype lowercase).
    pub fn content_type(&self) -> &'m ContentType {
        self.data.content_type.get(self.src)
    }

    /// The Content-Disposition, if present and readable.
    pub fn content_disposition(&self) -> Option<ContentDisposition> {
        self.header("Content-Disposition")
            .and_then(|h| h.content_disposition())
    }

    /// The attachment's file name: Content-Disposition `filename`, else the
    /// Content-Type `name` (RFC 2183 §2.3, RFC 2231).
    pub fn filename(&self) -> Option<String> {
        self.content_disposition()
            .and_then(|d| d.param("filename").map(str::to_owned))
            .or_else(|| self.content_type().param("name").map(str::to_owned))
    }

    /// The Content-Transfer-Encoding (default 7bit).
    pub fn transfer_encoding(&self) -> TransferEncoding {
        self.data.encoding
    }

    /// Problems found while parsing this part's structure.
    pub fn defects(&self) -> &'m [Defect] {
        &self.data.defects
    }

    /// The header block's byte offsets in its source buffer.
    pub fn header_offsets(&self) -> Range<usize> {
        self.data.header_start..self.data.body_start
    }

    /// The body's byte offsets in its source buffer.
    pub fn body_offsets(&self) -> Range<usize> {
        self.data.body_start..self.data.body_end
    }

    /// The body as written, still transfer-encoded.
    pub fn raw_body(&self) -> &'m [u8] {
        &self.src[self.data.body_start..self.data.body_end]
    }

    /// Whether this part was parsed as a multipart (it has a boundary and
    /// was within the nesting limit).
    pub fn is_multipart(&self) -> bool {
        matches!(self.data.kind, PartKind::Multipart { .. })
    }

    /// The children of a multipart, in order; empty for other parts.
    pub fn children(&self) -> impl Iterator<Item = Part<'m>> + use<'m> {
        let message = self.message;
        let children: &'m [usize] = match &self.data.kind {
            PartKind::Multipart { children, .. } => children,
            _ => &[],
        };
        children.iter().filter_map(move |&id| message.part(id))
    }

    /// The multipart's boundary.
    pub fn boundary(&self) -> Option<&'m [u8]> {
        match &self.data.kind {
            PartKind::Multipart { boundary, .. } => Some(boundary),
            _ => None,
        }
    }

    /// The text before the first delimiter of a multipart (RFC 2046 §5.1.1).
    pub fn preamble(&self) -> Option<&'m [u8]> {
        match &self.data.kind {
            PartKind::Multipart {
                preamble: Some(range),
                ..
            } => Some(&self.src[range.clone()]),
            _ => None,
        }
    }

    /// The text after the close delimiter of a multipart.
    pub fn epilogue(&self) -> Option<&'m [u8]> {
        match &self.data.kind {
            PartKind::Multipart {
                epilogue: Some(range),
                ..
            } => Some(&self.src[range.clone()]),
            _ => None,
        }
    }

    /// For a message/rfc822 or message/global part, the embedded message's
    /// top-level part.
    pub fn embedded(&self) -> Option<Part<'m>> {
        match &self.data.kind {
            PartKind::Message { child: Some(child) } => self.message.part(*child),
            _ => None,
        }
    }

    /// The part containing this one.
    pub fn parent(&self) -> Option<Part<'m>> {
        self.data.parent.and_then(|id| self.message.part(id))
    }

    /// The body with its transfer encoding undone (borrowed for 7bit, 8bit,
    /// binary and unknown encodings).
    pub fn decoded_body(&self) -> Cow<'m, [u8]> {
        self.decoded_body_with_defects().0
    }

    /// [`decoded_body`](Self::decoded_body) and the decoding defect, if any.
    pub fn decoded_body_with_defects(&self) -> (Cow<'m, [u8]>, Option<Defect>) {
        let raw = self.raw_body();
        let (bytes, clean, defect) = match self.data.encoding {
            TransferEncoding::Base64 => {
                let (bytes, clean) = decode::base64(raw);
                (bytes, clean, Defect::InvalidBase64)
            }
            TransferEncoding::QuotedPrintable => {
                let (bytes, clean) = decode::quoted_printable(raw);
                (bytes, clean, Defect::InvalidQuotedPrintable)
            }
            TransferEncoding::Uuencode => {
                let (bytes, clean) = decode::uuencode(raw);
                (bytes, clean, Defect::InvalidUuencode)
            }
            _ => return (Cow::Borrowed(raw), None),
        };
        (Cow::Owned(bytes), (!clean).then_some(defect))
    }

    /// Whether this leaf is an attachment: its Content-Disposition is
    /// `attachment` (RFC 2183 §2.2), or it has a file name and is not marked
    /// `inline` (RFC 2183 §2.1). Multiparts and embedded messages are not
    /// (their leaves may be).
    pub fn is_attachment(&self) -> bool {
        if !matches!(self.data.kind, PartKind::Leaf) {
            return false;
        }
        match self.content_disposition() {
            Some(d) if d.kind == "attachment" => true,
            Some(d) if d.kind == "inline" => false,
            _ => self.filename().is_some(),
        }
    }

    /// Whether this is a text leaf (`text/*`, not parsed as anything else).
    pub fn is_text(&self) -> bool {
        matches!(self.data.kind, PartKind::Leaf) && self.content_type().media_type == "text"
    }

    /// The body of a text part as UTF-8: transfer-decoded, then converted
    /// from its `charset` (every WHATWG encoding and UTF-7). `None` for
    /// parts that are not text.
    pub fn text(&self) -> Option<Cow<'m, str>> {
        self.is_text().then(|| self.text_with_defects().0)
    }

    /// The body as text whatever its type, and the defects met decoding it.
    pub fn text_with_defects(&self) -> (Cow<'m, str>, Vec<Defect>) {
        let (bytes, defect) = self.decoded_body_with_defects();
        let mut defects: Vec<Defect> = defect.into_iter().collect();
        let label = self
            .content_type()
            .param("charset")
            .unwrap_or("")
            .as_bytes();
        if !label.is_empty() && !charset::is_known(label) {
            defects.push(Defect::UnknownCharset);
        }
        let text = match bytes {
            Cow::Borrowed(bytes) => {
                let (text, ok) = charset::decode(label, bytes);
                if !ok && charset::is_known(label) {
                    defects.push(Defect::MalformedText);
                }
                text
            }
            Cow::Owned(bytes) => {
                let (text, ok) = charset::decode(label, &bytes);
                if !ok && charset::is_known(label) {
                    defects.push(Defect::MalformedText);
                }
                Cow::Owned(text.into_owned())
            }
        };
        (text, defects)
    }
}
