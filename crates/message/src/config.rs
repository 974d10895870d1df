//! Limits that keep the parser's cost proportional to its input.

/// Limits applied by [`Message::parse_with`](crate::Message::parse_with).
///
/// Going past a limit never fails the parse: the part where it happened gets a
/// [`Defect`](crate::Defect) and the rest of the input is kept as plain body
/// bytes, so the cost stays linear in the input size.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParserConfig {
    /// Deepest nesting of parts (multiparts and embedded messages) that is
    /// parsed as structure; anything deeper stays an opaque leaf body.
    ///
    /// Default 64: RFC 2046 sets no limit, real mail rarely nests beyond 10,
    /// and Python's `email` and mail-parser stop far earlier than recursion
    /// would overflow; 64 leaves room for forwarded-of-forwarded threads.
    pub max_depth: usize,
    /// Most parts created for one message (the root counts).
    ///
    /// Default 10,000: far above any real message, small enough that the part
    /// table of a hostile message stays a few megabytes.
    pub max_parts: usize,
    /// Most header bytes kept per part; further header lines of that part are
    /// skipped (still scanned to find the body).
    ///
    /// Default 256 KiB: RFC 5322 §2.1.1 caps a line at 998 octets but sets no
    /// limit on the number of lines; real header blocks stay below 64 KiB
    /// even with long `Received` and DKIM chains.
    pub max_header_bytes: usize,
}

impl Default for ParserConfig {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_parts: 10_000,
            max_header_bytes: 256 * 1024,
        }
    }
}

impl ParserConfig {
    /// Sets [`max_depth`](Self::max_depth).
    pub fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Sets [`max_parts`](Self::max_parts).
    pub fn with_max_parts(mut self, max_parts: usize) -> Self {
        self.max_parts = max_parts;
        self
    }

    /// Sets [`max_header_bytes`](Self::max_header_bytes).
    pub fn with_max_header_bytes(mut self, max_header_bytes: usize) -> Self {
        self.max_header_bytes = max_header_bytes;
        self
    }
}
