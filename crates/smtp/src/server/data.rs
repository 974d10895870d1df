//! Streaming dot-unstuffing of a DATA body (RFC 5321 §4.5.2), with the end
//! recognised only on CRLF.CRLF.

use bytes::{Buf, Bytes, BytesMut};

use super::config::LineEndingPolicy;
use crate::clean::{self, Rules};

/// What one step over the buffered input produced.
#[derive(Debug)]
pub(crate) enum DataStep {
    /// Body bytes, unstuffed.
    Chunk(Bytes),
    /// Nothing can be decided until more input arrives.
    NeedMore,
    /// The terminating `.CRLF` was consumed.
    End,
}

/// The unstuffer's state between calls; a body can be cut anywhere.
#[derive(Debug)]
pub(crate) struct Unstuffer {
    /// At the start of a line: the previous bytes were a real CRLF (or the
    /// DATA command's own CRLF).
    at_line_start: bool,
    /// Octets of the current line so far, on the wire.
    line_len: usize,
    /// Longest line allowed, CRLF included.
    max_line: usize,
    /// Whether a bare CR or LF was seen under [`LineEndingPolicy::Reject`].
    pub(crate) bare_line_ending: bool,
    /// Whether a line was over `max_line`.
    pub(crate) long_line: bool,
    policy: LineEndingPolicy,
    /// Octets at the front of the buffer that the fast path already found
    /// unusual: the careful path takes them all before the fast path is
    /// tried again, so no octet is scanned by the fast path twice (which
    /// would make a crafted body quadratic).
    slow_left: usize,
}

impl Unstuffer {
    pub(crate) fn new(policy: LineEndingPolicy, max_line: usize) -> Self {
        Unstuffer {
            at_line_start: true,
            line_len: 0,
            max_line,
            bare_line_ending: false,
            long_line: false,
            policy,
            slow_left: 0,
        }
    }

    fn end_line(&mut self) {
        if self.line_len + 2 > self.max_line {
            self.long_line = true;
        }
        self.line_len = 0;
    }

    /// The fast path: the length of the longest prefix of `buf` made of
    /// whole CRLF-terminated lines with no bare CR or LF, stopping before a
    /// line that starts with a dot (see [`crate::clean`]). Anything unusual
    /// at the start returns 0 and the careful path below takes over.
    fn clean_lines(&mut self, buf: &[u8]) -> usize {
        let found = clean::clean_lines(
            buf,
            Rules {
                first_line_len: self.line_len,
                max_line: self.max_line,
                stop_at_long: false,
                stop_at_dot: true,
                starts_line: self.at_line_start,
            },
        );
        if found.lines == 0 {
            // The first line is unusual: up to and including its LF.
            self.slow_left = memchr::memchr(b'\n', buf).map_or(buf.len(), |p| p + 1);
            return 0;
        }
        self.line_len = 0;
        self.long_line |= found.long;
        self.at_line_start = true;
        found.end
    }

    /// Takes as much of `buf` as can be decided. Content runs over many
    /// lines go out as one zero-copy chunk; only a stuffed dot, a bare line
    /// ending under [`LineEndingPolicy::Normalize`] or the end cut a run.
    pub(crate) fn step(&mut self, buf: &mut BytesMut) -> DataStep {
        let before = buf.len();
        let step = self.step_inner(buf);
        let consumed = before - buf.len();
        self.slow_left = self.slow_left.saturating_sub(consumed);
        step
    }

    fn step_inner(&mut self, buf: &mut BytesMut) -> DataStep {
        if buf.is_empty() {
            return DataStep::NeedMore;
        }
        if self.at_line_start && buf[0] == b'.' {
            match (buf.get(1), buf.get(2)) {
                (None, _) | (Some(b'\r'), None) => return DataStep::NeedMore,
                (Some(b'\r'), Some(b'\n')) => {
                    buf.advance(3);
                    return DataStep::End;
                }
                // A leading dot with more on the line was added by the
                // sender's stuffing: drop it (RFC 5321 §4.5.2).
                _ => {
                    buf.advance(1);
                    self.at_line_start = false;
                    self.line_len = 1;
                }
            }
        }
        if self.slow_left == 0 {
            let clean = self.clean_lines(buf);
            if clean > 0 {
                return DataStep::Chunk(buf.split_to(clean).freeze());
            }
        }
        let normalize = self.policy == LineEndingPolicy::Normalize;
        let mut i = 0;
        while i < buf.len() {
            if self.at_line_start && buf[i] == b'.' {
                break;
            }
            self.at_line_start = false;
            let Some(j) = memchr::memchr2(b'\r', b'\n', &buf[i..]) else {
                self.line_len += buf.len() - i;
                i = buf.len();
                break;
            };
            let p = i + j;
            self.line_len += j;
            if buf[p] == b'\r' {
                match buf.get(p + 1) {
                    None => {
                        // A CR at the end of the input: wait to see
                        // whether an LF follows.
                        i = p;
                        break;
                    }
                    Some(b'\n') => {
                        self.end_line();
                        self.at_line_start = true;
                        i = p + 2;
                        if i >= self.slow_left {
                            // Back to the fast path for the lines after.
                            break;
                        }
                        continue;
                    }
                    Some(_) => {}
                }
            }
            // A bare CR or a bare LF.
            if normalize {
                if p > 0 {
                    i = p;
                    break;
                }
                buf.advance(1);
                self.end_line();
                return DataStep::Chunk(Bytes::from_static(b"\r\n"));
            }
            self.bare_line_ending = true;
            self.line_len += 1;
            i = p + 1;
        }
        if i == 0 {
            return DataStep::NeedMore;
        }
        DataStep::Chunk(buf.split_to(i).freeze())
    }
}
