//! The fast path shared by DATA unstuffing (server) and dot-stuffing
//! (client): how many whole CRLF lines at the start of a buffer need no
//! change at all.
//!
//! One search per line for the first CR or LF (memchr2, SIMD): in a clean
//! line that is the CR of its CRLF, so a single call both finds the line's
//! end and proves there is no bare CR or LF before it. No second pass
//! (counting CRs) and no per-octet work in Rust.

/// What [`clean_lines`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clean {
    /// Octets of whole clean lines at the start (each ends in CRLF).
    pub(crate) end: usize,
    /// How many lines that is.
    pub(crate) lines: usize,
    /// Whether one of them was longer than the limit (only when
    /// `stop_at_long` is false).
    pub(crate) long: bool,
}

/// How [`clean_lines`] treats a line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rules {
    /// Octets of the first line already seen before `buf` starts.
    pub(crate) first_line_len: usize,
    /// Longest line, CRLF included.
    pub(crate) max_line: usize,
    /// Stop before a line over `max_line` (else count it in `long`).
    pub(crate) stop_at_long: bool,
    /// Stop before a line that starts with a dot.
    pub(crate) stop_at_dot: bool,
    /// Whether `buf[0]` starts a line (for `stop_at_dot`).
    pub(crate) starts_line: bool,
}

/// The longest prefix of `buf` made of whole CRLF lines with no bare CR or
/// LF (and, per `rules`, no leading dot and no over-long line).
pub(crate) fn clean_lines(buf: &[u8], rules: Rules) -> Clean {
    let mut found = Clean {
        end: 0,
        lines: 0,
        long: false,
    };
    if rules.stop_at_dot && rules.starts_line && buf.first() == Some(&b'.') {
        return found;
    }
    let mut extra = rules.first_line_len;
    while let Some(i) = memchr::memchr2(b'\r', b'\n', &buf[found.end..]) {
        let cr = found.end + i;
        if buf[cr] != b'\r' || buf.get(cr + 1) != Some(&b'\n') {
            break;
        }
        let next = cr + 2;
        if extra + (next - found.end) > rules.max_line {
            if rules.stop_at_long {
                break;
            }
            found.long = true;
        }
        extra = 0;
        found.lines += 1;
        found.end = next;
        if rules.stop_at_dot && buf.get(next) == Some(&b'.') {
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer, line by line with no tricks.
    fn model(buf: &[u8], r: Rules) -> Clean {
        let mut found = Clean {
            end: 0,
            lines: 0,
            long: false,
        };
        let mut start = 0;
        while let Some(i) = buf[start..].iter().position(|&b| b == b'\n') {
            let line = &buf[start..start + i + 1];
            let content = &line[..line.len() - 1];
            if content.last() != Some(&b'\r') || content[..content.len() - 1].contains(&b'\r') {
                break;
            }
            if r.stop_at_dot && line[0] == b'.' && (start > 0 || r.starts_line) {
                break;
            }
            let len = line.len() + if start == 0 { r.first_line_len } else { 0 };
            if len > r.max_line {
                if r.stop_at_long {
                    break;
                }
                found.long = true;
            }
            found.lines += 1;
            start += i + 1;
            found.end = start;
        }
        found
    }

    #[test]
    fn agrees_with_a_line_by_line_model() {
        // Every short string over an alphabet of the interesting octets,
        // at every start alignment, under every rule combination.
        let alphabet = [b'\r', b'\n', b'.', b'a'];
        let mut cases = Vec::new();
        for len in 0..=7u32 {
            for code in 0..4usize.pow(len) {
                let mut c = code;
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[c % 4];
                        c /= 4;
                        b
                    })
                    .collect();
                cases.push(s);
            }
        }
        for s in &cases {
            for pad in [0usize, 5, 7, 8, 13] {
                let mut buf = b"ab\r\n".repeat(pad / 4 + 1);
                buf.truncate(pad);
                buf.extend_from_slice(s);
                buf.extend_from_slice(b"xy\r\n");
                for (stop_at_dot, starts_line, stop_at_long, max_line, first) in [
                    (true, true, true, 1000, 0),
                    (true, false, false, 4, 1),
                    (false, true, false, 3, 0),
                    (true, true, true, 5, 2),
                ] {
                    let r = Rules {
                        first_line_len: first,
                        max_line,
                        stop_at_long,
                        stop_at_dot,
                        starts_line,
                    };
                    assert_eq!(clean_lines(&buf, r), model(&buf, r), "{buf:?} {r:?}");
                }
            }
        }
    }
}
