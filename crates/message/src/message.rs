//! [`Message`]: the parsed part tree and the buffers it borrows.

use std::borrow::Cow;
use std::ops::Range;

use crate::config::ParserConfig;
use crate::field::address::Address;
use crate::field::date::DateTime;
use crate::header::{Header, HeaderSpan};
use crate::parser::{self, Tree};
use crate::part::Part;

/// A parsed message: a tree of [`Part`]s borrowing the input.
///
/// ```text
/// message = (fields / obs-fields) [CRLF body]        ; RFC 5322 §3.5
/// ```
///
/// Parsing never fails; problems are [`Defect`](crate::Defect)s on parts.
#[derive(Debug)]
pub struct Message<'a> {
    input: &'a [u8],
    tree: Tree,
}

impl<'a> Message<'a> {
    /// Parses `input` (LF or CRLF line endings) with the default limits.
    pub fn parse(input: &'a [u8]) -> Self {
        Self::parse_with(input, &ParserConfig::default())
    }

    /// Parses `input` with the given limits.
    pub fn parse_with(input: &'a [u8], config: &ParserConfig) -> Self {
        Self {
            input,
            tree: parser::parse(input, config),
        }
    }

    /// The bytes that were parsed.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// The top-level part (the message itself).
    pub fn root(&self) -> Part<'_> {
        self.part(0)
            .unwrap_or_else(|| unreachable!("the parser always creates the root part"))
    }

    /// The part with index `id` (see [`Part::id`]).
    pub fn part(&self, id: usize) -> Option<Part<'_>> {
        let data = self.tree.parts.get(id)?;
        let src: &[u8] = if data.source == 0 {
            self.input
        } else {
            self.tree
                .decoded
                .get(data.source - 1)
                .map_or(&[], Vec::as_slice)
        };
        Some(Part {
            message: self,
            id,
            data,
            src,
        })
    }

    /// Every part in document order (parents before their children, except
    /// that parts of base64/QP-encoded embedded messages come last).
    pub fn parts(&self) -> impl Iterator<Item = Part<'_>> {
        (0..self.tree.parts.len()).filter_map(move |id| self.part(id))
    }

    /// Number of parts, the top-level message included.
    pub fn part_count(&self) -> usize {
        self.tree.parts.len()
    }

    pub(crate) fn header_spans(&self, range: Range<usize>) -> &[HeaderSpan] {
        &self.tree.headers[range]
    }

    /// The top-level header fields in order.
    pub fn headers(&self) -> impl Iterator<Item = Header<'_>> {
        self.root().headers()
    }

    /// The first top-level field called `name`.
    pub fn header(&self, name: &str) -> Option<Header<'_>> {
        self.root().header(name)
    }

    /// Every top-level field called `name`, in order (e.g. each
    /// `Received` trace field, newest first as RFC 5321 §4.4 prepends them).
    pub fn header_all<'n>(
        &self,
        name: &'n str,
    ) -> impl Iterator<Item = Header<'_>> + use<'_, 'a, 'n> {
        self.root().header_all(name)
    }

    /// The decoded Subject.
    pub fn subject(&self) -> Option<Cow<'_, str>> {
        self.root().header_text("Subject")
    }

    /// The From addresses.
    pub fn from(&self) -> Vec<Address> {
        self.header("From")
            .map(|h| h.addresses())
            .unwrap_or_default()
    }

    /// The To addresses.
    pub fn to(&self) -> Vec<Address> {
        self.header("To").map(|h| h.addresses()).unwrap_or_default()
    }

    /// The Date, if present and readable.
    pub fn date(&self) -> Option<DateTime> {
        self.header("Date").and_then(|h| h.date())
    }

    /// The Message-ID without angle brackets.
    pub fn message_id(&self) -> Option<String> {
        self.header("Message-ID")
            .and_then(|h| h.message_ids().into_iter().next())
    }

    /// The Cc addresses.
    pub fn cc(&self) -> Vec<Address> {
        self.header("Cc").map(|h| h.addresses()).unwrap_or_default()
    }

    /// The first text/plain leaf that is not an attachment, as UTF-8.
    pub fn body_text(&self) -> Option<Cow<'_, str>> {
        self.first_body("plain")
    }

    /// The first text/html leaf that is not an attachment, as UTF-8.
    pub fn body_html(&self) -> Option<Cow<'_, str>> {
        self.first_body("html")
    }

    fn first_body(&self, subtype: &str) -> Option<Cow<'_, str>> {
        self.parts()
            .filter(|p| p.content_type().is("text", subtype))
            // Only an explicit `attachment` disqualifies: a text part that
            // merely has a name is still read as the body (Python's
            // `get_body` does the same).
            .find(|p| {
                p.content_disposition()
                    .is_none_or(|d| d.kind != "attachment")
            })
            .and_then(|p| p.text())
    }

    /// The leaves that are attachments (see [`Part::is_attachment`]), in
    /// document order; parts of embedded messages included.
    pub fn attachments(&self) -> impl Iterator<Item = Part<'_>> {
        self.parts().filter(Part::is_attachment)
    }
}
