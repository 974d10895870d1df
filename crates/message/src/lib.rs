//! RFC 5322 and MIME messages: a zero-copy parser that never fails on malformed
//! mail, and a builder that writes what the parser reads back.
//!
//! This crate sits at the bottom of the yubin workspace: it depends on no other
//! yubin crate, and `yubin-store` and `yubin-relay` read and write mail with it.
//!
//! The parser borrows its input, records problems as typed defects instead of
//! failing, and decodes header values and bodies only when asked. The builder
//! composes a message (addresses, subject, text and HTML alternatives,
//! attachments) and writes CRLF output folded at 78 octets.
