//! One-pass parsing of the command lines a well-behaved client sends almost
//! always: a bare verb, `EHLO domain`, `MAIL FROM:<mailbox>` and
//! `RCPT TO:<mailbox>` with the common parameters, `BDAT n [LAST]`.
//!
//! Each function answers `None` for anything off its narrow shape (extra
//! spaces, a null or source-routed path, an address literal, an unknown or
//! repeated parameter, an xtext escape, any error), and the caller then asks
//! the general parser. So this module never decides a refusal, and for every
//! line it accepts it must build exactly what the general parser builds: the
//! proptests in `parse/tests.rs` hold it to that.
//!
//! It reads the octets from the start of the input, finds the line's end
//! where the grammar ends (every scan stops at a control octet, so no CR or
//! LF can hide inside what it took), checks the line is UTF-8 once, and only
//! then slices the text it keeps.
//!
//! Why it exists: the general parser searches for the line end, splits the
//! line into words, strips keywords and trims, each step a call on a fresh
//! sub-slice, and moves the large `Command` between them; on lines of tens
//! of octets that overhead was most of the time (see `benches/smtp.rs`).

use std::borrow::Cow;

use super::{
    BDAT, DATA, EHLO, HELO, K_BODY, K_NOTIFY, K_ORCPT, K_SIZE, K_SMTPUTF8, LHLO, MAIL, NOOP, QUIT,
    RCPT, RSET, decimal, domain, esmtp_value_len, find_byte, is_atext, keyword_key, local_part,
    param_key,
};
use crate::address::{Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath};
use crate::command::Command;
use crate::param::{BodyType, MailParameters, Notify, Orcpt, RcptParameters, XText};

const K_8BITMIME: u64 = keyword_key(b"8BITMIME");
const K_7BIT: u64 = keyword_key(b"7BIT");

/// A command of ASCII octets only, recognised at the start of `buf` before
/// any line search or UTF-8 check: `DATA`, `RSET`, `QUIT` or `NOOP` alone,
/// or `BDAT size [LAST]`, on a CRLF line. Returns the line's length too.
#[inline(always)]
pub(super) fn ascii_command(buf: &[u8]) -> Option<(usize, Command<'static>)> {
    let (head, _) = buf.split_first_chunk::<6>()?;
    let verb = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) & 0xDFDF_DFDF;
    let command = match (u64::from(verb), head[4], head[5]) {
        (DATA, b'\r', b'\n') => Command::Data,
        (RSET, b'\r', b'\n') => Command::Rset,
        (QUIT, b'\r', b'\n') => Command::Quit,
        (NOOP, b'\r', b'\n') => Command::Noop(None),
        (BDAT, b' ', _) => return bdat(&buf[5..]),
        _ => return None,
    };
    Some((6, command))
}

/// The command at the start of `buf` when its line has one of the common
/// shapes and ends in CRLF: the line's length and the command.
#[inline(always)]
pub(super) fn command(buf: &[u8]) -> Option<(usize, Command<'_>)> {
    let (head, _) = buf.split_first_chunk::<5>()?;
    if head[4] != b' ' {
        return None;
    }
    let verb = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) & 0xDFDF_DFDF;
    match u64::from(verb) {
        MAIL => {
            let path = path(buf, keyword_end(buf, 5, FROM, 6)?)?;
            let (params, cr) = mail_parameters(buf, path.end)?;
            let (len, text) = line(buf, cr, path.local_part)?;
            let command = Command::Mail {
                from: ReversePath::Mailbox(path.mailbox(text)),
                params,
            };
            Some((len, command))
        }
        RCPT => {
            let path = path(buf, keyword_end(buf, 5, TO, 4)?)?;
            let (notify, orcpt, cr) = rcpt_parameters(buf, path.end)?;
            let (len, text) = line(buf, cr, path.local_part)?;
            let command = Command::Rcpt {
                to: ForwardPath::Mailbox(path.mailbox(text)),
                params: RcptParameters {
                    notify,
                    orcpt: orcpt.map(|(start, semicolon, end)| Orcpt {
                        addr_type: Cow::Borrowed(text.slice(start, semicolon)),
                        address: XText(Cow::Borrowed(text.slice(semicolon + 1, end))),
                    }),
                    other: Vec::new(),
                },
            };
            Some((len, command))
        }
        verb @ (EHLO | HELO | LHLO) => {
            let cr = 5 + domain(&buf[5..])?;
            let (len, text) = line(buf, cr, 5)?;
            let host = Host::Domain(Domain::new_unchecked(text.slice(5, cr)));
            let command = match verb {
                EHLO => Command::Ehlo(host),
                HELO => Command::Helo(host),
                _ => Command::Lhlo(host),
            };
            Some((len, command))
        }
        _ => None,
    }
}

/// The line that ends at `cr` with CRLF: its length with the CRLF, and its
/// text from `keep_from` on (the octets before are ASCII the caller has
/// matched). `None` if no CRLF stands there or the line is not UTF-8 (the
/// general parser then says which error it is).
#[inline(always)]
fn line(buf: &[u8], cr: usize, keep_from: usize) -> Option<(usize, LineText<'_>)> {
    if buf.get(cr..cr + 2)? != b"\r\n" {
        return None;
    }
    // `str::from_utf8` checks octet by octet up to the first 8-aligned one
    // and after its last 16-octet block, and in blocks between: starting on
    // an aligned octet at or before `keep_from` and ending on a whole block
    // where the input reaches takes a third off its cost on a short line.
    // What follows the line may not be UTF-8 (or may be cut mid-character):
    // then the line alone is checked.
    let misalign = buf[keep_from..].as_ptr().addr() % 8;
    let start = keep_from.checked_sub(misalign).unwrap_or(keep_from);
    let end = (start + (cr - start).next_multiple_of(16)).min(buf.len());
    let text = match std::str::from_utf8(&buf[start..end]) {
        Ok(text) => text,
        Err(_) => std::str::from_utf8(&buf[start..cr]).ok()?,
    };
    Some((cr + 2, LineText { text, start }))
}

/// The text of a line (and maybe some octets after it) from `start` on.
#[derive(Clone, Copy)]
struct LineText<'a> {
    text: &'a str,
    start: usize,
}

impl<'a> LineText<'a> {
    /// The text at `from..to` of the line. Each `split_at` checks one
    /// boundary inline, where a range index calls out to check two.
    #[inline(always)]
    fn slice(self, from: usize, to: usize) -> &'a str {
        let (head, _) = self.text.split_at(to - self.start);
        head.split_at(from - self.start).1
    }
}

/// A keyword of upper-case letters and punctuation, packed for a compare
/// of eight octets at once: (mask, pattern) where the mask clears bit 5 of
/// letters (upper-casing them) and keeps punctuation as it is, and ignores
/// octets past the keyword.
const fn packed(keyword: &[u8]) -> (u64, u64) {
    let (mut mask, mut pattern) = (0u64, 0u64);
    let mut i = 0;
    while i < keyword.len() {
        let m: u64 = if keyword[i].is_ascii_uppercase() {
            0xDF
        } else {
            0xFF
        };
        mask |= m << (8 * i);
        pattern |= (keyword[i] as u64) << (8 * i);
        i += 1;
    }
    (mask, pattern)
}

const FROM: (u64, u64) = packed(b"FROM:<");
const TO: (u64, u64) = packed(b"TO:<");

/// The index after `keyword` (see [`packed`]) at `at` in `b`, when at least
/// eight octets follow `at` (every path with its `>` is longer than that).
#[inline(always)]
fn keyword_end(b: &[u8], at: usize, (mask, pattern): (u64, u64), len: usize) -> Option<usize> {
    let word = u64::from_le_bytes(*b.get(at..)?.first_chunk::<8>()?);
    (word & mask == pattern).then_some(at + len)
}

/// Where a path's mailbox lies in the line.
struct PathAt {
    local_part: usize,
    at_sign: usize,
    domain_end: usize,
    /// Just past the `>`.
    end: usize,
}

impl PathAt {
    /// The mailbox, from the line's text.
    #[inline(always)]
    fn mailbox(self, text: LineText<'_>) -> Mailbox<'_> {
        Mailbox {
            local_part: LocalPart::new_unchecked(text.slice(self.local_part, self.at_sign)),
            host: Host::Domain(Domain::new_unchecked(
                text.slice(self.at_sign + 1, self.domain_end),
            )),
        }
    }
}

/// `local-part "@" domain ">"` at `at` (just after the `<`).
#[inline(always)]
fn path(b: &[u8], at: usize) -> Option<PathAt> {
    let at_sign = at + local_part(&b[at..])?;
    if b.get(at_sign) != Some(&b'@') {
        return None;
    }
    let domain_end = at_sign + 1 + domain(&b[at_sign + 1..])?;
    if b.get(domain_end) != Some(&b'>') {
        return None;
    }
    Some(PathAt {
        local_part: at,
        at_sign,
        domain_end,
        end: domain_end + 1,
    })
}

/// A parameter's keyword as `param_key` packs it, and its value's range in
/// the line.
type Parameter = (u64, Option<(usize, usize)>);

/// The next parameter at `*at`: a single space, then `KEYWORD[=value]` up to
/// the next space or the line's end, as the keyword's `param_key` and the
/// value's range in the line. `Some(None)` at a CR (where the line should
/// end); `None` for anything else.
#[inline(always)]
fn next_parameter(b: &[u8], at: &mut usize) -> Option<Option<Parameter>> {
    match b.get(*at) {
        Some(b'\r') => return Some(None),
        Some(b' ') => {}
        _ => return None,
    }
    let start = *at + 1;
    // The keyword ends where a value would: at `=`, a space or a control.
    // Its octets need no check of their own: a known keyword's packed key
    // matches only its own letters and digits (see `notify`), and the
    // callers take nothing else.
    let mut i = start + esmtp_value_len(&b[start..]);
    if i == start {
        return None;
    }
    let key = packed_key(b, start, i);
    let value = if b.get(i) == Some(&b'=') {
        let value_start = i + 1;
        i = value_start + esmtp_value_len(&b[value_start..]);
        if i == value_start || !matches!(b.get(i), Some(b' ' | b'\r')) {
            return None;
        }
        Some((value_start, i))
    } else {
        None
    };
    *at = i;
    Some(Some((key, value)))
}

/// `SIZE`, `BODY` and `SMTPUTF8`, each at most once, after a path ending at
/// `at`; and where the CR after them stands.
#[inline(always)]
fn mail_parameters(b: &[u8], mut at: usize) -> Option<(MailParameters<'static>, usize)> {
    let (mut size, mut body, mut smtputf8) = (None, None, false);
    while let Some((key, value)) = next_parameter(b, &mut at)? {
        match (key, value) {
            // At most 19 digits always fits a u64.
            (K_SIZE, Some((start, end))) if size.is_none() && end - start <= 19 => {
                size = Some(decimal(&b[start..end])?);
            }
            (K_BODY, Some((start, end))) if body.is_none() => {
                body = Some(body_type(b, start, end)?);
            }
            (K_SMTPUTF8, None) if !smtputf8 => smtputf8 = true,
            _ => return None,
        }
    }
    let params = MailParameters {
        size,
        body,
        smtputf8,
        ..MailParameters::default()
    };
    Some((params, at))
}

/// `7BIT`, `8BITMIME` or `BINARYMIME` in `b[start..end]`, blind to case
/// (see [`notify`] on packed words).
#[inline(always)]
fn body_type(b: &[u8], start: usize, end: usize) -> Option<BodyType> {
    match packed_key(b, start, end) {
        K_8BITMIME => Some(BodyType::EightBitMime),
        K_7BIT => Some(BodyType::SevenBit),
        _ if b[start..end].eq_ignore_ascii_case(b"BINARYMIME") => Some(BodyType::BinaryMime),
        _ => None,
    }
}

/// An ORCPT value's (start, `;`, end) in the line.
type OrcptAt = (usize, usize, usize);

/// `NOTIFY` and `ORCPT` (with an xtext address that has no escapes), each
/// at most once, after a path ending at `at`; and where the CR after them
/// stands.
#[inline(always)]
fn rcpt_parameters(b: &[u8], mut at: usize) -> Option<(Option<Notify>, Option<OrcptAt>, usize)> {
    let (mut notify_param, mut orcpt_param) = (None, None);
    while let Some((key, value)) = next_parameter(b, &mut at)? {
        match (key, value) {
            (K_NOTIFY, Some((start, end))) if notify_param.is_none() => {
                notify_param = Some(notify(b, start, end)?);
            }
            (K_ORCPT, Some((start, end))) if orcpt_param.is_none() => {
                orcpt_param = Some(orcpt(b, start, end)?);
            }
            _ => return None,
        }
    }
    Some((notify_param, orcpt_param, at))
}

/// `param_key` of `b[start..end]`, from one eight-octet load when the line
/// has eight octets from `start`.
#[inline(always)]
fn packed_key(b: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    match b.get(start..).and_then(|rest| rest.first_chunk::<8>()) {
        Some(word) if len <= 8 => {
            let keep = if len == 0 {
                0
            } else {
                u64::MAX >> (64 - 8 * len)
            };
            u64::from_le_bytes(*word) & keep & 0xDFDF_DFDF_DFDF_DFDF
        }
        _ => param_key(&b[start..end]),
    }
}

const K_NEVER: u64 = keyword_key(b"NEVER");
const K_SUCCESS: u64 = keyword_key(b"SUCCESS");
const K_FAILURE: u64 = keyword_key(b"FAILURE");
const K_DELAY: u64 = keyword_key(b"DELAY");

/// `NEVER`, or a list of distinct `SUCCESS`, `FAILURE` and `DELAY`, in
/// `b[start..end]`. The words are compared packed as keywords are: in a
/// value (no controls, no `=`) only a letter meets a letter when bit 5 is
/// cleared, so this is a comparison blind to case.
#[inline(always)]
fn notify(b: &[u8], start: usize, end: usize) -> Option<Notify> {
    let mut n = Notify::default();
    if packed_key(b, start, end) == K_NEVER {
        return Some(n);
    }
    let mut item = start;
    loop {
        let comma = b[item..end]
            .iter()
            .position(|&c| c == b',')
            .map_or(end, |i| item + i);
        let slot = match packed_key(b, item, comma) {
            K_SUCCESS => &mut n.success,
            K_FAILURE => &mut n.failure,
            K_DELAY => &mut n.delay,
            _ => return None,
        };
        if *slot {
            return None;
        }
        *slot = true;
        if comma == end {
            return Some(n);
        }
        item = comma + 1;
    }
}

/// `addr-type ";" xtext` at `start..end` of the line, where the xtext is
/// plain characters (no `+` escape), to be borrowed as written.
#[inline(always)]
fn orcpt(b: &[u8], start: usize, end: usize) -> Option<OrcptAt> {
    let semicolon = start + find_byte(b';', &b[start..end])?;
    let (addr_type, address) = (&b[start..semicolon], &b[semicolon + 1..end]);
    let plain_type = addr_type.iter().all(|&c| c < 0x80 && is_atext(c));
    // `next_parameter` has kept the value to esmtp-value octets: `=` and
    // controls are already out, so an xchar here is any ASCII but `+`. A
    // fold without early exit, which the compiler vectorises.
    let plain_address = !address
        .iter()
        .fold(false, |escape, &c| escape | (c >= 0x80) | (c == b'+'));
    (!addr_type.is_empty() && plain_type && plain_address).then_some((start, semicolon, end))
}

/// `size [" LAST"] CRLF` at the start of `b` (just after `BDAT `), the
/// size at most 19 digits: the command and the length of its line.
#[inline(always)]
fn bdat(b: &[u8]) -> Option<(usize, Command<'static>)> {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let size = decimal(&b[..digits])?;
    let (last, end) = match &b[digits..] {
        [b'\r', b'\n', ..] => (false, digits + 2),
        [b' ', l, a, s, t, b'\r', b'\n', ..] if [*l, *a, *s, *t].eq_ignore_ascii_case(b"LAST") => {
            (true, digits + 7)
        }
        _ => return None,
    };
    Some((5 + end, Command::Bdat { size, last }))
}
