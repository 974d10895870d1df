//! Problems found in a message, recorded instead of failing the parse.

/// A problem with a part, recorded where Python's `email` records a defect.
///
/// The parser never fails: it records the defect on the part and returns the
/// best reading of the input. A defect is also an [`Error`](std::error::Error),
/// for callers that want to refuse defective mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Defect {
    /// A line in the header block was neither a header field, a continuation
    /// nor the empty line (RFC 5322 §2.2); the body was taken to start there.
    #[error("missing header/body separator")]
    MissingHeaderBodySeparator,
    /// The first header line started with whitespace (RFC 5322 §2.2.3: a
    /// continuation needs a field before it); the line was skipped.
    #[error("first header line is a continuation")]
    FirstLineIsContinuation,
    /// An mbox `From ` line appeared after the first header line; skipped.
    #[error("misplaced mbox From line")]
    MisplacedEnvelopeHeader,
    /// The header block was larger than
    /// [`ParserConfig::max_header_bytes`](crate::ParserConfig::max_header_bytes);
    /// later fields were not kept.
    #[error("header block too large")]
    HeaderBlockTooLarge,
    /// A `multipart/*` part had no `boundary` parameter (RFC 2046 §5.1.1
    /// makes it mandatory); the part was kept as an opaque leaf.
    #[error("multipart without boundary")]
    MultipartWithoutBoundary,
    /// No delimiter line of the multipart's boundary was found (RFC 2046
    /// §5.1.1); the part is read as a leaf holding the whole body.
    #[error("start boundary not found")]
    StartBoundaryNotFound,
    /// The close delimiter (`--boundary--`) was missing; the multipart ends
    /// where its parent or the input ends.
    #[error("close boundary not found")]
    CloseBoundaryNotFound,
    /// Parts were nested deeper than
    /// [`ParserConfig::max_depth`](crate::ParserConfig::max_depth); the part
    /// was kept as an opaque leaf.
    #[error("nesting too deep")]
    NestingTooDeep,
    /// The message had more parts than
    /// [`ParserConfig::max_parts`](crate::ParserConfig::max_parts); the rest of
    /// this multipart was kept as its epilogue.
    #[error("too many parts")]
    TooManyParts,
    /// Decoding base64/QP-encoded embedded messages would have produced
    /// more than twice the input (plus 1 MiB); this one was left a leaf.
    #[error("embedded messages decode to too many bytes")]
    EmbeddedTooLarge,
    /// A base64 body had characters outside the alphabet or a truncated last
    /// group (RFC 2045 §6.8); they were skipped.
    #[error("invalid base64")]
    InvalidBase64,
    /// A quoted-printable body had an `=` not followed by two hex digits or a
    /// line break (RFC 2045 §6.7); it was kept literally.
    #[error("invalid quoted-printable")]
    InvalidQuotedPrintable,
    /// An x-uuencode body had no `begin` line or malformed lines.
    #[error("invalid x-uuencode")]
    InvalidUuencode,
    /// The charset of a text part is unknown; its bytes were read as UTF-8
    /// with replacement characters.
    #[error("unknown charset")]
    UnknownCharset,
    /// A text part was not valid in its charset; replacement characters were
    /// used.
    #[error("malformed text in its charset")]
    MalformedText,
}
