//! Preparing a body for the wire: line endings normalised to CRLF, dots
//! stuffed (RFC 5321 §4.5.2), line length checked.

/// Why a body cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// A line is longer than 998 octets as it would be sent (a stuffing dot
    /// included): RFC 5321 §4.5.3.1.6 allows 1000 with CRLF.
    #[error(
        "line {line} is {len} octets; the limit is 998 without CRLF (RFC 5321 section 4.5.3.1.6)"
    )]
    LineTooLong {
        /// The 1-based line number.
        line: usize,
        /// Its length as it would be sent.
        len: usize,
    },
}

/// The longest line, without CRLF, a DATA or 8BITMIME body may have.
pub const MAX_LINE: usize = 998;

/// Appends `body` to `out` ready for DATA: every line ending becomes CRLF
/// (a bare LF or a bare CR counts as one line ending), a leading dot on a
/// line is doubled, a missing final line ending is added, and the `.CRLF`
/// terminator follows. Nothing a payload contains can end the data early.
///
/// On error `out` may hold a partial result; the caller discards it.
pub fn dot_stuff(body: &[u8], out: &mut Vec<u8>) -> Result<(), BodyError> {
    write_lines(body, out, true)?;
    out.extend_from_slice(b".\r\n");
    Ok(())
}

/// Appends `body` with line endings normalised to CRLF and a final CRLF
/// added if missing, without dot-stuffing (for BDAT of a text body); the
/// line length is checked the same way.
pub fn normalize(body: &[u8], out: &mut Vec<u8>) -> Result<(), BodyError> {
    write_lines(body, out, false)
}

fn write_lines(body: &[u8], out: &mut Vec<u8>, stuff: bool) -> Result<(), BodyError> {
    out.reserve(body.len() + body.len() / 64 + 5);
    let mut line = 1;
    let mut i = 0;
    // Up to here the fast path found something unusual: go line by line
    // without asking it again (asking again would rescan: quadratic).
    let mut slow_until = 0;
    while i < body.len() {
        if i >= slow_until {
            match clean_run(&body[i..], stuff) {
                Ok((run, lines)) => {
                    out.extend_from_slice(&body[i..i + run]);
                    i += run;
                    line += lines;
                    continue;
                }
                Err(extent) => slow_until = i + extent,
            }
        }
        let rest = &body[i..];
        let (content, eol_len) = match memchr::memchr2(b'\r', b'\n', rest) {
            Some(j) if rest[j] == b'\r' && rest.get(j + 1) == Some(&b'\n') => (j, 2),
            Some(j) => (j, 1),
            None => (rest.len(), 0),
        };
        let dot = stuff && rest.first() == Some(&b'.');
        let len = content + usize::from(dot);
        if len > MAX_LINE {
            return Err(BodyError::LineTooLong { line, len });
        }
        if dot {
            out.push(b'.');
        }
        out.extend_from_slice(&rest[..content]);
        out.extend_from_slice(b"\r\n");
        i += content + eol_len;
        line += 1;
    }
    Ok(())
}

/// The fast path: the length (and line count) of the longest prefix of
/// `body` made of whole CRLF lines that go out unchanged: no bare CR or LF,
/// at most [`MAX_LINE`] octets, and (when stuffing) no leading dot. Copied
/// in one piece; otherwise `Err(extent)`, the octets the line-by-line path
/// must take first.
fn clean_run(body: &[u8], stuff: bool) -> Result<(usize, usize), usize> {
    let found = crate::clean::clean_lines(
        body,
        crate::clean::Rules {
            first_line_len: 0,
            max_line: MAX_LINE + 2,
            stop_at_long: true,
            stop_at_dot: stuff,
            starts_line: true,
        },
    );
    if found.lines == 0 {
        return Err(memchr::memchr(b'\n', body).map_or(body.len(), |p| p + 1));
    }
    Ok((found.end, found.lines))
}

/// Whether any octet has the high bit set (needs 8BITMIME, RFC 6152).
pub(crate) fn has_8bit(body: &[u8]) -> bool {
    !body.is_ascii()
}
