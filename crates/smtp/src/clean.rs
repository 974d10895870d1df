//! The fast path shared by DATA unstuffing (server) and dot-stuffing
//! (client): how many whole CRLF lines at the start of a buffer need no
//! change at all.
//!
//! A line is found by a search for its first CR or LF (memchr2, SIMD): in
//! a clean line that is the CR of its CRLF, so one call both finds the
//! line's end and proves there is no bare CR or LF before it. Bodies are
//! mostly runs of equal lines, so the next line is first guessed to be as
//! long as the last one found (two compares where its CRLF would stand);
//! all guesses are proved at the end by counting CRs and LFs (memchr's
//! vector count), and a failed proof answers line by line. No per-octet
//! work in Rust either way.

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
    let found = scan(buf, rules, true);
    if found.guessed && !proved(&buf[..found.clean.end], found.clean.lines) {
        // A guessed line held a CR or LF: answer line by line. What the
        // guesses took is scanned again, at most once per call.
        return scan(buf, rules, false).clean;
    }
    found.clean
}

/// What [`scan`] found, and whether any line of it was guessed.
struct Scanned {
    clean: Clean,
    guessed: bool,
}

/// The line-by-line scan. With `guess`, a line is first taken to be as long
/// as the last line found by search when a CRLF stands where it would end:
/// bodies are mostly runs of equal lines (base64, quoted-printable, wrapped
/// text), and two compares replace a search. A guess is proved only by
/// [`proved`], for all guessed lines at once.
fn scan(buf: &[u8], rules: Rules, guess: bool) -> Scanned {
    let mut found = Clean {
        end: 0,
        lines: 0,
        long: false,
    };
    let mut guessed = false;
    if rules.stop_at_dot && rules.starts_line && buf.first() == Some(&b'.') {
        return Scanned {
            clean: found,
            guessed,
        };
    }
    let mut extra = rules.first_line_len;
    let mut last_len = None;
    loop {
        let start = found.end;
        let next = match last_len {
            Some(len) if guess && buf.get(start + len - 2..start + len) == Some(b"\r\n") => {
                guessed = true;
                start + len
            }
            _ => {
                let Some(i) = memchr::memchr2(b'\r', b'\n', &buf[start..]) else {
                    break;
                };
                let cr = start + i;
                if buf[cr] != b'\r' || buf.get(cr + 1) != Some(&b'\n') {
                    break;
                }
                last_len = Some(cr + 2 - start);
                cr + 2
            }
        };
        if extra + (next - start) > rules.max_line {
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
    Scanned {
        clean: found,
        guessed,
    }
}

/// Whether `lines`, each known to end in CRLF, hold no other CR or LF:
/// then each has exactly one of each. Counting is one vector pass per
/// octet value (memchr), cheaper than a search per line.
fn proved(lines: &[u8], count: usize) -> bool {
    memchr::memchr_iter(b'\n', lines).count() == count
        && memchr::memchr_iter(b'\r', lines).count() == count
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

    proptest::proptest! {
        /// Runs of equal lines, where the scan guesses line ends, with an
        /// octet that breaks a guess put anywhere: a CR or LF inside a
        /// line, a dot at a line start, a line made too long.
        #[test]
        fn guessed_lines_agree_with_the_model(
            width in 0usize..12,
            lines in 1usize..40,
            changes in proptest::collection::vec(
                (0usize..600, proptest::sample::select(&b"\r\n.a"[..])), 0..4),
            stop_at_dot: bool,
            starts_line: bool,
            stop_at_long: bool,
            max_line in proptest::sample::select(&[6usize, 13, 1000][..]),
            first in 0usize..3,
        ) {
            let line = [vec![b'x'; width], b"\r\n".to_vec()].concat();
            let mut buf = line.repeat(lines);
            for (at, octet) in changes {
                let at = at % (buf.len() + 1);
                buf.insert(at, octet);
            }
            let r = Rules { first_line_len: first, max_line, stop_at_long, stop_at_dot, starts_line };
            proptest::prop_assert_eq!(clean_lines(&buf, r), model(&buf, r));
        }
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
