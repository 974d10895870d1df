//! Problems found in a message, recorded instead of failing the parse.

use std::fmt;

/// A problem with a part, recorded where Python's `email` records a defect.
///
/// The parser never fails: it records the defect on the part and returns the
/// best reading of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Defect {
    /// A line in the header block was neither a header field, a continuation
    /// nor the empty line (RFC 5322 §2.2); the body was taken to start there.
    MissingHeaderBodySeparator,
    /// The first header line started with whitespace (RFC 5322 §2.2.3: a
    /// continuation needs a field before it); the line was skipped.
    FirstLineIsContinuation,
    /// An mbox `From ` line appeared after the first header line; skipped.
    MisplacedEnvelopeHeader,
    /// The header block was larger than
    /// [`ParserConfig::max_header_bytes`](crate::ParserConfig::max_header_bytes);
    /// later fields were not kept.
    HeaderBlockTooLarge,
    /// A `multipart/*` part had no `boundary` parameter (RFC 2046 §5.1.1
    /// makes it mandatory); the part was kept as an opaque leaf.
    MultipartWithoutBoundary,
    /// No delimiter line of the multipart's boundary was found (RFC 2046
    /// §5.1.1); the part is read as a leaf holding the whole body.
    StartBoundaryNotFound,
    /// The close delimiter (`--boundary--`) was missing; the multipart ends
    /// where its parent or the input ends.
    CloseBoundaryNotFound,
    /// Parts were nested deeper than
    /// [`ParserConfig::max_depth`](crate::ParserConfig::max_depth); the part
    /// was kept as an opaque leaf.
    NestingTooDeep,
    /// The message had more parts than
    /// [`ParserConfig::max_parts`](crate::ParserConfig::max_parts); the rest of
    /// this multipart was kept as its epilogue.
    TooManyParts,
    /// A base64 body had characters outside the alphabet or a truncated last
    /// group (RFC 2045 §6.8); they were skipped.
    InvalidBase64,
    /// A quoted-printable body had an `=` not followed by two hex digits or a
    /// line break (RFC 2045 §6.7); it was kept literally.
    InvalidQuotedPrintable,
    /// An x-uuencode body had no `begin` line or malformed lines.
    InvalidUuencode,
    /// The charset of a text part is unknown; its bytes were read as UTF-8
    /// with replacement characters.
    UnknownCharset,
    /// A text part was not valid in its charset; replacement characters were
    /// used.
    MalformedText,
}

impl fmt::Display for Defect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Self::MissingHeaderBodySeparator => "missing header/body separator",
            Self::FirstLineIsContinuation => "first header line is a continuation",
            Self::MisplacedEnvelopeHeader => "misplaced mbox From line",
            Self::HeaderBlockTooLarge => "header block too large",
            Self::MultipartWithoutBoundary => "multipart without boundary",
            Self::StartBoundaryNotFound => "start boundary not found",
            Self::CloseBoundaryNotFound => "close boundary not found",
            Self::NestingTooDeep => "nesting too deep",
            Self::TooManyParts => "too many parts",
            Self::InvalidBase64 => "invalid base64",
            Self::InvalidQuotedPrintable => "invalid quoted-printable",
            Self::InvalidUuencode => "invalid x-uuencode",
            Self::UnknownCharset => "unknown charset",
            Self::MalformedText => "malformed text in its charset",
        };
        f.write_str(text)
    }
}
