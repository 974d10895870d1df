//! The fast path shared by DATA unstuffing (server) and dot-stuffing
//! (client): how many whole CRLF lines at the start of a buffer need no
//! change at all.
//!
//! One pass, eight octets at a time (SWAR on `u64` words, no `unsafe`): the
//! CR, LF and dot positions of a word come out as bit masks, so a clean
//! 78-octet line costs a few word operations instead of a search call per
//! line ending and a second pass counting CRs.

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

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `0x80` in each byte of `w` equal to `b`, `0` elsewhere (exact: no
/// false positives from borrows, unlike the shorter "has zero byte" test).
fn eq_mask(w: u64, b: u8) -> u64 {
    let t = w ^ (u64::from(b) * 0x0101_0101_0101_0101);
    !(((t & LOW7) + LOW7) | t) & HIGH
}

/// The longest prefix of `buf` made of whole CRLF lines with no bare CR or
/// LF (and, per `rules`, no leading dot and no over-long line).
pub(crate) fn clean_lines(buf: &[u8], rules: Rules) -> Clean {
    let mut found = Clean {
        end: 0,
        lines: 0,
        long: false,
    };
    // Carried from the previous word: its last octet was a CR (an LF must
    // come first now) or an LF (a dot now starts a line).
    let mut cr_carry = 0u64;
    let mut lf_carry = if rules.starts_line { 0x80 } else { 0 };
    let mut base = 0;
    while base < buf.len() {
        let n = (buf.len() - base).min(8);
        let mut word = [0u8; 8];
        word[..n].copy_from_slice(&buf[base..base + n]);
        let w = u64::from_le_bytes(word);
        let valid = if n == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        };
        let lf = eq_mask(w, b'\n') & valid;
        let cr = eq_mask(w, b'\r') & valid;
        // Every LF right after a CR and every CR right before an LF: the
        // two masks, one shifted by an octet, are equal. A CR in the last
        // octet of `buf` is left for the next call (its line is not whole).
        let mut bad = (lf ^ ((cr << 8) | cr_carry)) & valid;
        if rules.stop_at_dot {
            bad |= eq_mask(w, b'.') & ((lf << 8) | lf_carry) & valid;
        }
        // Line endings before the first problem in this word.
        let mut ends = if bad == 0 {
            lf
        } else {
            lf & ((1u64 << bad.trailing_zeros()) - 1)
        };
        while ends != 0 {
            let p = base + (ends.trailing_zeros() / 8) as usize;
            let mut len = p + 1 - found.end;
            if found.lines == 0 {
                len += rules.first_line_len;
            }
            if len > rules.max_line {
                if rules.stop_at_long {
                    return found;
                }
                found.long = true;
            }
            found.lines += 1;
            found.end = p + 1;
            ends &= ends - 1;
        }
        if bad != 0 {
            break;
        }
        cr_carry = cr >> 56;
        lf_carry = lf >> 56;
        base += 8;
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
