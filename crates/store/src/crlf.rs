//! Line endings: POP3 counts and sends CRLF, Maildir files hold LF.
//!
//! One rule everywhere: a LF not preceded by CR is a bare LF and becomes CRLF
//! on the way out; a CR on its own stays as it is. The size a listing
//! reports ([`CrlfCounter`]) and the bytes a read gives ([`LfToCrlf`]) follow
//! the same rule, so they always agree. Every converter keeps its state
//! across chunks, so a CR at the end of one chunk and a LF at the start of the
//! next are one line ending.

use bytes::{Bytes, BytesMut};

/// Counts the octets of a message as POP3 sends them: its length plus one
/// for every bare LF.
#[derive(Debug, Default, Clone)]
pub struct CrlfCounter {
    prev_cr: bool,
    size: u64,
}

impl CrlfCounter {
    /// A counter at the start of a message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one more chunk.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.size += chunk.len() as u64 + bare_lfs(chunk, self.prev_cr) as u64;
        if let Some(&last) = chunk.last() {
            self.prev_cr = last == b'\r';
        }
    }

    /// The size so far, in octets with CRLF line endings.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The POP3 size of a whole message.
    pub fn count(message: &[u8]) -> u64 {
        let mut counter = Self::new();
        counter.feed(message);
        counter.size()
    }
}

fn bare_lfs(chunk: &[u8], prev_cr: bool) -> usize {
    memchr::memchr_iter(b'\n', chunk)
        .filter(|&at| {
            let preceded_by_cr = if at == 0 {
                prev_cr
            } else {
                chunk[at - 1] == b'\r'
            };
            !preceded_by_cr
        })
        .count()
}

/// Turns bare LFs into CRLF, chunk by chunk; a chunk without a bare LF passes
/// through without a copy.
#[derive(Debug, Default, Clone)]
pub struct LfToCrlf {
    prev_cr: bool,
}

impl LfToCrlf {
    /// A converter at the start of a message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Converts one chunk.
    pub fn convert(&mut self, chunk: Bytes) -> Bytes {
        let prev_cr = self.prev_cr;
        if let Some(&last) = chunk.last() {
            self.prev_cr = last == b'\r';
        }
        let extra = bare_lfs(&chunk, prev_cr);
        if extra == 0 {
            return chunk;
        }
        let mut out = BytesMut::with_capacity(chunk.len() + extra);
        let mut start = 0;
        for at in memchr::memchr_iter(b'\n', &chunk) {
            let preceded_by_cr = if at == 0 {
                prev_cr
            } else {
                chunk[at - 1] == b'\r'
            };
            if !preceded_by_cr {
                out.extend_from_slice(&chunk[start..at]);
                out.extend_from_slice(b"\r");
                start = at;
            }
        }
        out.extend_from_slice(&chunk[start..]);
        out.freeze()
    }
}

/// Turns CRLF into LF, chunk by chunk, for storing in Maildir's native form.
///
/// A CR at the end of a chunk is held back until the next chunk shows
/// whether a LF follows; [`finish`](Self::finish) releases it.
#[derive(Debug, Default, Clone)]
pub struct CrlfToLf {
    pending_cr: bool,
}

impl CrlfToLf {
    /// A converter at the start of a message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Converts one chunk, handing the output to `sink` in pieces.
    pub fn convert<E>(
        &mut self,
        mut chunk: &[u8],
        sink: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        if chunk.is_empty() {
            return Ok(());
        }
        if self.pending_cr {
            self.pending_cr = false;
            if chunk[0] != b'\n' {
                sink(b"\r")?;
            }
        }
        if chunk.last() == Some(&b'\r') {
            self.pending_cr = true;
            chunk = &chunk[..chunk.len() - 1];
        }
        let mut start = 0;
        for at in memchr::memchr_iter(b'\r', chunk) {
            if chunk.get(at + 1) == Some(&b'\n') {
                sink(&chunk[start..at])?;
                start = at + 1;
            }
        }
        sink(&chunk[start..])
    }

    /// Releases a CR held back at the end of the message.
    pub fn finish<E>(&mut self, sink: &mut impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        if std::mem::take(&mut self.pending_cr) {
            sink(b"\r")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn to_crlf(chunks: &[&[u8]]) -> Vec<u8> {
        let mut conv = LfToCrlf::new();
        chunks
            .iter()
            .flat_map(|c| conv.convert(Bytes::copy_from_slice(c)).to_vec())
            .collect()
    }

    fn to_lf(chunks: &[&[u8]]) -> Vec<u8> {
        let mut conv = CrlfToLf::new();
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| -> Result<(), ()> {
            out.extend_from_slice(b);
            Ok(())
        };
        for c in chunks {
            conv.convert(c, &mut sink).unwrap();
        }
        conv.finish(&mut sink).unwrap();
        out
    }

    #[test]
    fn known_conversions() {
        // (stored, as POP3 sends it: RFC 1939 §3 "lines end in CRLF")
        let rows: [(&[u8], &[u8]); 7] = [
            (b"", b""),
            (b"a\n", b"a\r\n"),
            (b"a\r\n", b"a\r\n"),
            (b"\n\n", b"\r\n\r\n"),
            (b"a\rb", b"a\rb"),
            (b"a\r\r\n", b"a\r\r\n"),
            (b"x\ny\r\nz", b"x\r\ny\r\nz"),
        ];
        for (stored, sent) in rows {
            assert_eq!(to_crlf(&[stored]), sent, "{stored:?}");
            assert_eq!(CrlfCounter::count(stored), sent.len() as u64, "{stored:?}");
        }
        assert_eq!(to_lf(&[b"a\r\nb\r\n"]), b"a\nb\n");
        assert_eq!(to_lf(&[b"a\r", b"\nb\r"]), b"a\nb\r");
        assert_eq!(to_lf(&[b"a\r", b"b"]), b"a\rb");
    }

    proptest! {
        #[test]
        fn size_and_conversion_agree_for_any_split(
            message in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), any::<u8>()], 0..200),
            split in any::<prop::sample::Index>(),
        ) {
            let at = split.index(message.len() + 1);
            let (a, b) = message.split_at(at);
            let whole = to_crlf(&[&message]);
            prop_assert_eq!(&to_crlf(&[a, b]), &whole);
            prop_assert_eq!(CrlfCounter::count(&message), whole.len() as u64);
            let mut counter = CrlfCounter::new();
            counter.feed(a);
            counter.feed(b);
            prop_assert_eq!(counter.size(), whole.len() as u64);
            prop_assert_eq!(to_lf(&[a, b]), to_lf(&[&message]));
        }

        #[test]
        fn crlf_text_survives_storing_as_lf_and_reading_back(
            lines in proptest::collection::vec("[a-z \t]{0,20}", 0..20),
        ) {
            let text: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
            let stored = to_lf(&[text.as_bytes()]);
            prop_assert!(!stored.contains(&b'\r'));
            prop_assert_eq!(to_crlf(&[&stored]), text.as_bytes());
        }
    }
}
