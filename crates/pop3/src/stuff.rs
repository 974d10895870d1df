//! Streaming dot-stuffing with CRLF normalisation (server side) and streaming
//! unstuffing (client side), RFC 1939 §3.
//!
//! Both work on chunks cut anywhere, keep O(1) state between chunks and scan
//! with `memchr`, so a message is copied once, in runs between line breaks.

/// How the server normalises line endings: CRLF stays, a bare LF or a bare CR
/// becomes CRLF, and a last line without a line ending gets one. The octet
/// count of a message is the count after this normalisation, before
/// dot-stuffing: the size LIST and STAT must report (RFC 1939 §5 "exact size").
///
/// [`crlf_size`] computes that count for a whole message; [`CrlfSizer`] does it
/// over chunks.
pub fn crlf_size(message: &[u8]) -> u64 {
    let mut sizer = CrlfSizer::default();
    sizer.push(message);
    sizer.finish()
}

/// [`crlf_size`] over chunks.
#[derive(Debug, Default, Clone)]
pub struct CrlfSizer {
    size: u64,
    after_cr: bool,
    mid_line: bool,
}

impl CrlfSizer {
    /// Counts one more chunk.
    pub fn push(&mut self, mut chunk: &[u8]) {
        // An empty chunk must not consume the CR-then-LF state.
        if chunk.is_empty() {
            return;
        }
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while let Some(at) = memchr::memchr2(b'\r', b'\n', chunk) {
            self.size += at as u64 + 2;
            self.mid_line = false;
            if chunk[at] == b'\r' {
                match chunk.get(at + 1) {
                    Some(b'\n') => chunk = &chunk[at + 2..],
                    Some(_) => chunk = &chunk[at + 1..],
                    None => {
                        self.after_cr = true;
                        return;
                    }
                }
            } else {
                chunk = &chunk[at + 1..];
            }
        }
        if !chunk.is_empty() {
            self.size += chunk.len() as u64;
            self.mid_line = true;
        }
    }

    /// The total, counting the CRLF a last unterminated line gets.
    pub fn finish(&self) -> u64 {
        self.size + if self.mid_line { 2 } else { 0 }
    }
}

/// Where a TOP cut is (RFC 1939 §7: the header, the blank line, then n lines).
#[derive(Debug, Clone, Copy)]
enum Cut {
    /// RETR: everything.
    None,
    /// TOP, still in the header.
    Header { body_lines: u32 },
    /// TOP, in the body with this many lines left.
    Body { left: u32 },
    /// TOP, all lines sent: the rest is ignored.
    Done,
}

/// Server-side encoder of a message body: CRLF normalisation, dot-stuffing,
/// the TOP cut, and the count of normalised octets sent.
#[derive(Debug, Clone)]
pub(crate) struct Stuffer {
    at_line_start: bool,
    skip_lf: bool,
    cut: Cut,
    /// Normalised octets sent, stuffing dots and terminator excluded.
    pub(crate) sent: u64,
}

impl Stuffer {
    pub(crate) fn new(top: Option<u32>) -> Self {
        Self {
            at_line_start: true,
            skip_lf: false,
            cut: match top {
                None => Cut::None,
                Some(body_lines) => Cut::Header { body_lines },
            },
            sent: 0,
        }
    }

    /// Whether more input would still be sent (false once TOP has its lines).
    pub(crate) fn wants_more(&self) -> bool {
        !matches!(self.cut, Cut::Done)
    }

    /// Encodes one chunk into `out`.
    pub(crate) fn push(&mut self, mut chunk: &[u8], out: &mut Vec<u8>) {
        // An empty chunk must not consume the CR-then-LF state: a CR at the
        // end of one chunk and its LF after an empty one are still one CRLF.
        if chunk.is_empty() {
            return;
        }
        if self.skip_lf {
            self.skip_lf = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        out.reserve(chunk.len() + chunk.len() / 32 + 8);
        if matches!(self.cut, Cut::None) {
            self.push_whole(chunk, out);
            return;
        }
        while !chunk.is_empty() && self.wants_more() {
            let Some(at) = memchr::memchr2(b'\r', b'\n', chunk) else {
                self.text(chunk, out);
                return;
            };
            let empty_line = self.at_line_start && at == 0;
            self.text(&chunk[..at], out);
            out.extend_from_slice(b"\r\n");
            self.sent += 2;
            self.at_line_start = true;
            if chunk[at] == b'\r' {
                match chunk.get(at + 1) {
                    Some(b'\n') => chunk = &chunk[at + 2..],
                    Some(_) => chunk = &chunk[at + 1..],
                    None => {
                        self.skip_lf = true;
                        chunk = &[];
                    }
                }
            } else {
                chunk = &chunk[at + 1..];
            }
            self.cut = match self.cut {
                Cut::Header { body_lines } if empty_line => {
                    if body_lines == 0 {
                        Cut::Done
                    } else {
                        Cut::Body { left: body_lines }
                    }
                }
                Cut::Body { left: 1 } => Cut::Done,
                Cut::Body { left } => Cut::Body { left: left - 1 },
                other => other,
            };
        }
    }

    /// RETR's path: one scan for line breaks over the chunk, and bytes that
    /// need no change (CRLF lines not starting with a dot) are copied in
    /// runs as long as the chunk, not line by line.
    fn push_whole(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let before = out.len();
        let mut stuffing_dots = 0u64;
        // `chunk[run..]` is not copied yet; `line` is where the current line
        // begins; `at_line_start` says whether `line` really starts a line
        // (false only for the rest of a line begun in an earlier chunk).
        let mut run = 0;
        let mut line = 0;
        let mut at_line_start = self.at_line_start;
        let mut crlf_end = 0;
        for at in memchr::memchr2_iter(b'\r', b'\n', chunk) {
            if at < crlf_end {
                continue; // the LF of a CRLF seen at its CR
            }
            if at_line_start && at > line && chunk[line] == b'.' {
                out.extend_from_slice(&chunk[run..line]);
                out.push(b'.');
                stuffing_dots += 1;
                run = line;
            }
            if chunk[at] == b'\r' && chunk.get(at + 1) == Some(&b'\n') {
                // Already CRLF: stays in the run.
                crlf_end = at + 2;
                line = at + 2;
            } else {
                // A bare LF or CR becomes CRLF. A CR at the very end may be
                // the first half of a CRLF split across chunks.
                out.extend_from_slice(&chunk[run..at]);
                out.extend_from_slice(b"\r\n");
                run = at + 1;
                line = at + 1;
                if chunk[at] == b'\r' && at + 1 == chunk.len() {
                    self.skip_lf = true;
                }
            }
            at_line_start = true;
        }
        if line < chunk.len() {
            if at_line_start && chunk[line] == b'.' {
                out.extend_from_slice(&chunk[run..line]);
                out.push(b'.');
                stuffing_dots += 1;
                run = line;
            }
            at_line_start = false;
        }
        out.extend_from_slice(&chunk[run..]);
        self.at_line_start = at_line_start;
        self.sent += (out.len() - before) as u64 - stuffing_dots;
    }

    /// Text of one line (no line breaks inside).
    fn text(&mut self, text: &[u8], out: &mut Vec<u8>) {
        if text.is_empty() {
            return;
        }
        if self.at_line_start && text[0] == b'.' {
            out.push(b'.');
        }
        self.at_line_start = false;
        out.extend_from_slice(text);
        self.sent += text.len() as u64;
    }

    /// Ends the body: a CRLF for an unterminated last line, then ".".
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>) {
        if !self.at_line_start {
            out.extend_from_slice(b"\r\n");
            self.sent += 2;
            self.at_line_start = true;
        }
        out.extend_from_slice(b".\r\n");
    }
}

/// Client-side decoder of a multi-line body: removes the stuffing dots and
/// finds the terminating line, over chunks cut anywhere. Line endings are
/// passed through as received.
///
/// Only CRLF ends a line here (RFC 1939 §3): a bare LF inside a message is
/// text, so a server that forgets to normalise one cannot be made to end the
/// body early by a message holding `LF "." LF` (and have the rest of the
/// message read as its replies, the POP3 form of SMTP smuggling).
#[derive(Debug, Clone, Default)]
pub struct Unstuffer {
    state: UnstuffState,
    /// The last byte given out was a CR (so an LF next ends the line).
    after_cr: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum UnstuffState {
    #[default]
    LineStart,
    MidLine,
    /// The line began with ".".
    Dot,
    /// The line began with ".\r".
    DotCr,
    /// The terminating line was seen.
    Done,
}

impl Unstuffer {
    /// A decoder at the start of a body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the terminating line has been seen.
    pub fn is_done(&self) -> bool {
        self.state == UnstuffState::Done
    }

    /// Decodes from `input` into `out`, stopping after the terminating line.
    /// Returns how many bytes of `input` were consumed (all of them unless the
    /// body ended inside this chunk).
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> usize {
        let mut at = 0;
        while at < input.len() {
            match self.state {
                UnstuffState::Done => break,
                UnstuffState::LineStart => {
                    self.after_cr = false;
                    if input[at] == b'.' {
                        self.state = UnstuffState::Dot;
                        at += 1;
                    } else {
                        self.state = UnstuffState::MidLine;
                    }
                }
                UnstuffState::MidLine => {
                    let rest = &input[at..];
                    if self.after_cr && rest[0] == b'\n' {
                        // The CRLF was split across chunks.
                        out.push(b'\n');
                        at += 1;
                        self.after_cr = false;
                        self.state = UnstuffState::LineStart;
                        continue;
                    }
                    // Only a line that starts with a dot needs work: the
                    // bytes up to the next CRLF "." go out in one copy.
                    match memchr::memmem::find(rest, b"\r\n.") {
                        Some(i) => {
                            out.extend_from_slice(&rest[..i + 2]);
                            at += i + 2;
                            self.after_cr = false;
                            self.state = UnstuffState::LineStart;
                        }
                        None => {
                            out.extend_from_slice(rest);
                            at = input.len();
                            if rest.ends_with(b"\r\n") {
                                self.after_cr = false;
                                self.state = UnstuffState::LineStart;
                            } else {
                                self.after_cr = rest.last() == Some(&b'\r');
                            }
                        }
                    }
                }
                UnstuffState::Dot => {
                    if input[at] == b'\r' {
                        self.state = UnstuffState::DotCr;
                        at += 1;
                    } else {
                        // A stuffed line: the dot goes, the rest is text.
                        self.state = UnstuffState::MidLine;
                    }
                }
                UnstuffState::DotCr => {
                    if input[at] == b'\n' {
                        self.state = UnstuffState::Done;
                        at += 1;
                    } else {
                        out.push(b'\r');
                        self.after_cr = true;
                        self.state = UnstuffState::MidLine;
                    }
                }
            }
        }
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stuff_all(chunks: &[&[u8]], top: Option<u32>) -> (Vec<u8>, u64) {
        let mut stuffer = Stuffer::new(top);
        let mut out = Vec::new();
        for chunk in chunks {
            stuffer.push(chunk, &mut out);
        }
        stuffer.finish(&mut out);
        (out, stuffer.sent)
    }

    /// A CR ending one chunk and its LF after an empty chunk are one CRLF,
    /// for the stuffer and the sizer alike (found by the proptest below).
    #[test]
    fn crlf_split_by_an_empty_chunk() {
        let (out, sent) = stuff_all(&[b"..\r", b"", b"\n"], None);
        assert_eq!(out, b"...\r\n.\r\n");
        assert_eq!(sent, 4);
        let (out, sent) = stuff_all(&[b"a\r", b"", b"\nb"], Some(u32::MAX));
        assert_eq!(out, b"a\r\nb\r\n.\r\n");
        assert_eq!(sent, 6);
        let mut sizer = CrlfSizer::default();
        for chunk in [&b"a\r"[..], b"", b"\n"] {
            sizer.push(chunk);
        }
        assert_eq!(sizer.finish(), 3);
    }

    /// RFC 1939 §3: lines starting with "." get one more; the body ends with
    /// CRLF "." CRLF; every line break goes out as CRLF.
    #[test]
    fn stuffing_known_answers() {
        let rows: &[(&[u8], &[u8])] = &[
            (b"", b".\r\n"),
            (b"a\r\n", b"a\r\n.\r\n"),
            (b"a", b"a\r\n.\r\n"),
            (b".\r\n", b"..\r\n.\r\n"),
            (b"a\n.b\n", b"a\r\n..b\r\n.\r\n"),
            (b"a\rb\r\n", b"a\r\nb\r\n.\r\n"),
            (b"\r\n\r\n", b"\r\n\r\n.\r\n"),
            (b"..x", b"...x\r\n.\r\n"),
        ];
        for (input, expected) in rows {
            let (out, sent) = stuff_all(&[input], None);
            assert_eq!(out, *expected, "input {input:?}");
            assert_eq!(sent, crlf_size(input), "size of {input:?}");
        }
    }

    #[test]
    fn stuffing_over_split_cr_lf_and_dot() {
        let (whole, _) = stuff_all(&[b"a\r\n.b\r\nc"], None);
        let (split, sent) = stuff_all(&[b"a\r", b"\n", b".", b"b\r", b"\nc"], None);
        assert_eq!(whole, split);
        assert_eq!(sent, crlf_size(b"a\r\n.b\r\nc"));
        assert_eq!(sent, 10);
    }

    /// RFC 1939 §7: TOP sends the header, the blank line and n body lines.
    #[test]
    fn top_cut() {
        let message = b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
        assert_eq!(
            stuff_all(&[message], Some(0)).0,
            b"A: 1\r\nB: 2\r\n\r\n.\r\n"
        );
        assert_eq!(
            stuff_all(&[message], Some(2)).0,
            b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n.\r\n"
        );
        assert_eq!(
            stuff_all(&[message], Some(9)).0,
            [&message[..], b".\r\n"].concat()
        );
    }

    proptest::proptest! {
        /// RETR's run-copying path gives the same bytes and count as the
        /// line-by-line path TOP takes (with a cut that never comes), for
        /// any bytes cut anywhere, and the count is `crlf_size`.
        #[test]
        fn retr_path_matches_line_path(
            message in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'.'),
                    proptest::strategy::Just(b'\r'),
                    proptest::strategy::Just(b'\n'),
                    proptest::prelude::any::<u8>(),
                ],
                0..200,
            ),
            cuts in proptest::collection::vec(0usize..200, 0..6),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(message.len())).collect();
            cuts.push(0);
            cuts.push(message.len());
            cuts.sort_unstable();
            let chunks: Vec<&[u8]> = cuts.windows(2).map(|w| &message[w[0]..w[1]]).collect();
            let (fast, fast_sent) = stuff_all(&chunks, None);
            let (lines, lines_sent) = stuff_all(&chunks, Some(u32::MAX));
            proptest::prop_assert_eq!(&fast, &lines);
            proptest::prop_assert_eq!(fast_sent, lines_sent);
            proptest::prop_assert_eq!(fast_sent, crlf_size(&message));
        }
    }

    proptest::proptest! {
        /// Whatever the stuffer sends, cut anywhere, the unstuffer gives
        /// back the CRLF-normalised message and stops at the terminator.
        #[test]
        fn unstuffing_inverts_stuffing(
            message in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'.'),
                    proptest::strategy::Just(b'\r'),
                    proptest::strategy::Just(b'\n'),
                    proptest::prelude::any::<u8>(),
                ],
                0..200,
            ),
            cuts in proptest::collection::vec(0usize..400, 0..6),
        ) {
            let (mut wire, _) = stuff_all(&[&message], None);
            let body_len = wire.len();
            wire.extend_from_slice(b"+OK next\r\n");
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(wire.len())).collect();
            cuts.push(0);
            cuts.push(wire.len());
            cuts.sort_unstable();
            let mut unstuffer = Unstuffer::new();
            let mut body = Vec::new();
            let mut consumed = 0;
            for w in cuts.windows(2) {
                consumed += unstuffer.push(&wire[w[0]..w[1]], &mut body);
            }
            proptest::prop_assert!(unstuffer.is_done());
            proptest::prop_assert_eq!(consumed, body_len);
            // The reference: every line break as CRLF, an ending added.
            let mut expected = Vec::new();
            let mut bytes = message.iter().peekable();
            while let Some(&byte) = bytes.next() {
                match byte {
                    b'\r' => {
                        bytes.next_if_eq(&&b'\n');
                        expected.extend_from_slice(b"\r\n");
                    }
                    b'\n' => expected.extend_from_slice(b"\r\n"),
                    other => expected.push(other),
                }
            }
            if !expected.is_empty() && !expected.ends_with(b"\r\n") {
                expected.extend_from_slice(b"\r\n");
            }
            proptest::prop_assert_eq!(body, expected);
        }
    }

    #[test]
    fn unstuffing_known_answers() {
        let rows: &[(&[u8], &[u8], usize)] = &[
            (b".\r\n", b"", 3),
            (b"a\r\n.\r\nrest", b"a\r\n", 6),
            (b"..\r\n.\r\n", b".\r\n", 7),
            (b"...x\r\n.\r\n", b"..x\r\n", 9),
            (b".x\r\n.\nmore\r\n.\r\n", b"x\r\n\nmore\r\n", 15),
            // Only CRLF ends a line: LF "." LF is text, not the end.
            (b"a\n.\nb\r\n.\r\n", b"a\n.\nb\r\n", 10),
            (b"a\r\r\n.\r\n", b"a\r\r\n", 7),
            (b".\rx\r\n.\r\n", b"\rx\r\n", 8),
        ];
        for (input, expected, consumed) in rows {
            let mut unstuffer = Unstuffer::new();
            let mut out = Vec::new();
            assert_eq!(unstuffer.push(input, &mut out), *consumed, "{input:?}");
            assert!(unstuffer.is_done());
            assert_eq!(out, *expected);
            // Byte by byte gives the same.
            let mut unstuffer = Unstuffer::new();
            let mut bytewise = Vec::new();
            for byte in &input[..*consumed] {
                assert_eq!(unstuffer.push(std::slice::from_ref(byte), &mut bytewise), 1);
            }
            assert_eq!(bytewise, *expected);
        }
    }
}
