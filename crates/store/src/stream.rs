//! A message read as a stream of chunks, whole or cut after the header plus
//! N body lines (POP3 TOP).

use std::fmt;
use std::io::Read;

use bytes::{Bytes, BytesMut};

use crate::StoreError;
use crate::crlf::LfToCrlf;

/// The size of the chunks read from a file.
const CHUNK: usize = 64 * 1024;

enum Source {
    Bytes(Option<Bytes>),
    Reader {
        reader: Box<dyn Read + Send>,
        /// Names the message in an I/O error.
        name: String,
    },
}

/// A message as POP3 sends it (CRLF line endings, before dot-stuffing), as an
/// iterator of [`Bytes`] chunks.
///
/// A store builds one with [`from_bytes`](Self::from_bytes) or
/// [`from_reader`](Self::from_reader); [`top`](Self::top) cuts it after the
/// header and N body lines. Reading from a file blocks: run it where
/// blocking is allowed (see the crate doc).
pub struct MessageChunks {
    source: Source,
    to_crlf: Option<LfToCrlf>,
    top: Option<TopCut>,
    done: bool,
}

impl fmt::Debug for MessageChunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageChunks")
            .field("from_reader", &matches!(self.source, Source::Reader { .. }))
            .field("to_crlf", &self.to_crlf.is_some())
            .field("top", &self.top)
            .field("done", &self.done)
            .finish()
    }
}

impl MessageChunks {
    /// A message held in memory, already with CRLF line endings: given back
    /// as one chunk, without a copy.
    pub fn from_bytes(message: Bytes) -> Self {
        MessageChunks {
            source: Source::Bytes(Some(message)),
            to_crlf: None,
            top: None,
            done: false,
        }
    }

    /// A message read from `reader` in 64 KiB chunks; `name` names it in
    /// errors. Bare LFs become CRLF when `lf_to_crlf` is set.
    pub fn from_reader(
        reader: impl Read + Send + 'static,
        name: impl Into<String>,
        lf_to_crlf: bool,
    ) -> Self {
        MessageChunks {
            source: Source::Reader {
                reader: Box::new(reader),
                name: name.into(),
            },
            to_crlf: lf_to_crlf.then(LfToCrlf::new),
            top: None,
            done: false,
        }
    }

    /// Cuts the message after its header, the blank line and `body_lines`
    /// lines of body (RFC 1939 §7, TOP). A message with fewer body lines, or
    /// without a blank line, is given whole.
    pub fn top(mut self, body_lines: usize) -> Self {
        self.top = Some(TopCut::new(body_lines));
        self
    }

    /// Reads the rest of the message into one buffer: as much memory as the
    /// message is large, so for tests and small messages; a server sends
    /// the chunks as they come.
    pub fn read_to_vec(self) -> Result<Vec<u8>, StoreError> {
        let mut out = Vec::new();
        for chunk in self {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    fn next_raw(&mut self) -> Option<Result<Bytes, StoreError>> {
        match &mut self.source {
            Source::Bytes(bytes) => bytes.take().map(Ok),
            Source::Reader { reader, name } => {
                let mut buf = BytesMut::zeroed(CHUNK);
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) => return None,
                        Ok(n) => {
                            buf.truncate(n);
                            return Some(Ok(buf.freeze()));
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => return Some(Err(StoreError::io("read", name.as_str(), e))),
                    }
                }
            }
        }
    }
}

impl Iterator for MessageChunks {
    type Item = Result<Bytes, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let mut chunk = match self.next_raw() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Err(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Some(Ok(chunk)) => chunk,
            };
            if let Some(conv) = &mut self.to_crlf {
                chunk = conv.convert(chunk);
            }
            if let Some(top) = &mut self.top
                && let Some(end) = top.cut(&chunk)
            {
                self.done = true;
                chunk.truncate(end);
            }
            if !chunk.is_empty() {
                return Some(Ok(chunk));
            }
        }
    }
}

/// Finds where TOP ends: after the blank line that ends the header, then
/// after `body_lines` more line endings.
#[derive(Debug, Clone)]
struct TopCut {
    in_header: bool,
    body_lines_left: usize,
    /// Bytes of the current line seen so far (capped: only 0, 1 matter).
    line_len: usize,
    /// Whether the current line so far is a lone CR.
    line_is_cr: bool,
}

impl TopCut {
    fn new(body_lines: usize) -> Self {
        TopCut {
            in_header: true,
            body_lines_left: body_lines,
            line_len: 0,
            line_is_cr: false,
        }
    }

    /// Feeds a chunk; returns where to cut it when the end is inside it.
    fn cut(&mut self, chunk: &[u8]) -> Option<usize> {
        let mut start = 0;
        for at in memchr::memchr_iter(b'\n', chunk) {
            let line = &chunk[start..at];
            let (len, is_cr) = match (self.line_len, line) {
                (0, [b'\r']) => (1, true),
                (n, l) => (n + l.len(), false),
            };
            let empty = len == 0 || (len == 1 && (is_cr || (self.line_is_cr && line.is_empty())));
            self.line_len = 0;
            self.line_is_cr = false;
            start = at + 1;
            if self.in_header {
                if empty {
                    self.in_header = false;
                    if self.body_lines_left == 0 {
                        return Some(start);
                    }
                }
            } else {
                self.body_lines_left -= 1;
                if self.body_lines_left == 0 {
                    return Some(start);
                }
            }
        }
        let rest = &chunk[start..];
        if !rest.is_empty() {
            self.line_is_cr = self.line_len == 0 && rest == b"\r";
            self.line_len = self.line_len.saturating_add(rest.len()).min(2);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn top_of(message: &[u8], lines: usize, split: usize) -> Vec<u8> {
        // Reader-based, with the message cut at `split` by a chained reader.
        let (a, b) = message.split_at(split.min(message.len()));
        let reader = std::io::Cursor::new(a.to_vec()).chain(std::io::Cursor::new(b.to_vec()));
        MessageChunks::from_reader(reader, "m", true)
            .top(lines)
            .read_to_vec()
            .unwrap()
    }

    #[test]
    fn top_gives_header_and_n_body_lines() {
        // RFC 1939 §7: "the headers of the message, the blank line separating
        // the headers from the body, and then the number of lines of the
        // indicated message's body".
        let msg = b"Subject: x\nFrom: a\n\nl1\nl2\nl3\n";
        let rows: [(usize, &[u8]); 5] = [
            (0, b"Subject: x\r\nFrom: a\r\n\r\n"),
            (1, b"Subject: x\r\nFrom: a\r\n\r\nl1\r\n"),
            (2, b"Subject: x\r\nFrom: a\r\n\r\nl1\r\nl2\r\n"),
            (3, b"Subject: x\r\nFrom: a\r\n\r\nl1\r\nl2\r\nl3\r\n"),
            (9, b"Subject: x\r\nFrom: a\r\n\r\nl1\r\nl2\r\nl3\r\n"),
        ];
        for (lines, expected) in rows {
            for split in 0..=msg.len() {
                assert_eq!(top_of(msg, lines, split), expected, "{lines} at {split}");
            }
        }
        // No blank line: the whole message is header.
        assert_eq!(top_of(b"A: b\nC: d", 0, 3), b"A: b\r\nC: d");
        // A header line that is only CR is not blank; "\r\r\n" is not blank either.
        assert_eq!(top_of(b"A: b\r\r\n\r\nbody\r\n", 0, 4), b"A: b\r\r\n\r\n");
    }

    proptest! {
        #[test]
        fn top_is_a_prefix_and_chunking_does_not_matter(
            message in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'a')], 0..80),
            lines in 0usize..4,
            split in any::<prop::sample::Index>(),
        ) {
            let whole = MessageChunks::from_reader(std::io::Cursor::new(message.clone()), "m", true)
                .read_to_vec().unwrap();
            let top = top_of(&message, lines, message.len());
            prop_assert!(whole.starts_with(&top));
            prop_assert_eq!(top_of(&message, lines, split.index(message.len() + 1)), top);
        }
    }
}
