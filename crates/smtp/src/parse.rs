//! Parsers for commands, replies and their parts.
//!
//! Hand-written byte scanners: the grammar is small and line-based, and a
//! scanner lets every limit be checked before anything is allocated. Each
//! public parser is total: bytes give a value, `Ok(None)` (incomplete) or a
//! [`ParseError`].

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::address::{AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath};
use crate::command::{AuthData, Command};
use crate::error::ParseError;
use crate::param::{
    AuthParam, BodyType, MailParameters, Notify, Orcpt, Parameter, RcptParameters, Ret, XText,
};
use crate::reply::{EnhancedCode, Reply, ReplyCode};

mod fast;

/// The longest command line any command may have: an AUTH line (RFC 4954 §4).
pub const MAX_COMMAND_LINE: usize = 12288;

/// The longest reply line accepted. RFC 5321 §4.5.3.1.5 says 512; real
/// servers send longer text, so the client is lenient up to this.
pub const MAX_REPLY_LINE: usize = 4096;

/// The most lines one reply may have before it is refused, which bounds the
/// memory a server can make the client spend.
pub const MAX_REPLY_LINES: usize = 256;

/// The first `b` in a short slice (a command line or a part of one): a
/// plain loop, which beats memchr's SIMD dispatch on tens of octets.
#[inline]
fn find_byte(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == b)
}

/// Finds the end of the first line: `Ok(Some(len))` where `len` includes the
/// CRLF, `Ok(None)` if no LF yet within `limit`.
pub(crate) fn find_line(
    buf: &[u8],
    from: usize,
    limit: usize,
) -> Result<Option<usize>, ParseError> {
    let window = &buf[..buf.len().min(limit)];
    match memchr::memchr(b'\n', &window[from.min(window.len())..]) {
        Some(i) => Ok(Some(from + i + 1)),
        None if buf.len() >= limit => Err(ParseError::LineTooLong { limit }),
        None => Ok(None),
    }
}

impl Command<'_> {
    /// Parses one command line (CRLF included) from the start of `buf`.
    ///
    /// `Ok(None)`: no complete line yet. The line limit here is the AUTH
    /// limit of 12288 octets; the server applies the per-command limits of
    /// its `Config`. The command borrows its text from `buf`: nothing is
    /// allocated unless an xtext value has `+` escapes or the AUTH
    /// mechanism is written in lower case.
    pub fn parse(buf: &[u8]) -> Result<Option<(usize, Command<'_>)>, ParseError> {
        if let Some(parsed) = fast::ascii_command(buf) {
            return Ok(Some(parsed));
        }
        let window = &buf[..buf.len().min(MAX_COMMAND_LINE)];
        if let Some(parsed) = fast::command(window) {
            return Ok(Some(parsed));
        }
        // One scan finds the first CR or LF. A CR right before the LF ends a
        // well-formed line; anything else (a bare CR or LF, or a CR at the
        // window's end) takes the general path below, which gives the same
        // answers as before this fast path existed.
        if let Some(i) = find_cr_or_lf(window)
            && window[i] == b'\r'
            && window.get(i + 1) == Some(&b'\n')
        {
            let text = std::str::from_utf8(&window[..i]).map_err(|_| ParseError::InvalidUtf8)?;
            return command_text(text, |c| Some((i + 2, c)));
        }
        let Some(len) = find_byte(b'\n', window).map(|i| i + 1) else {
            if buf.len() >= MAX_COMMAND_LINE {
                return Err(ParseError::LineTooLong {
                    limit: MAX_COMMAND_LINE,
                });
            }
            return Ok(None);
        };
        command_line(&buf[..len]).map(|c| Some((len, c)))
    }
}

/// The first CR or LF in `s`, eight octets at a time: a command line is
/// tens of octets, too short for memchr's SIMD set-up to pay off and long
/// enough that a byte loop shows.
#[inline]
fn find_cr_or_lf(s: &[u8]) -> Option<usize> {
    let zero = |x| below(x, 1);
    let mut chunks = s.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let hits = zero(x ^ (ONES * u64::from(b'\r'))) | zero(x ^ (ONES * u64::from(b'\n')));
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == b'\r' || c == b'\n')
        .map(|i| at + i)
}

/// `0x01` in each octet of a `u64`.
const ONES: u64 = 0x0101_0101_0101_0101;

/// Sets the high bit of each octet of `x` below `n` (`n` <= 0x80), and
/// possibly of octets above such an octet: the lowest set bit is always
/// exact, which is all a search for the first hit needs.
#[inline]
fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(n)) & !x & (ONES * 0x80)
}

/// The first octet of `b` for which `stop` (on eight octets packed
/// little-endian, as `below` answers) or `stop_octet` (on one) says stop,
/// or `b.len()`.
#[inline]
fn scan_until(b: &[u8], stop: impl Fn(u64) -> u64, stop_octet: impl Fn(u8) -> bool) -> usize {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let hits = stop(u64::from_le_bytes(word));
        if hits != 0 {
            return at + (hits.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let tail = chunks.remainder();
    at + tail
        .iter()
        .position(|&c| stop_octet(c))
        .unwrap_or(tail.len())
}

/// Parses a line that ends in LF (checked to be CRLF here).
#[inline]
pub(crate) fn command_line(line: &[u8]) -> Result<Command<'_>, ParseError> {
    // The one-pass parser stops at the line's first CR, and `line` ends at
    // its first LF: what it takes is the whole line.
    if let Some((_, command)) = fast::command(line) {
        return Ok(command);
    }
    command_text(line_text(line)?, |c| c)
}

/// The text of a line that ends in LF, without its CRLF.
#[inline]
fn line_text(line: &[u8]) -> Result<&str, ParseError> {
    let body = line
        .strip_suffix(b"\r\n")
        .ok_or(ParseError::BareLineEnding)?;
    // `line` ends at its first LF, so only a CR can be left inside.
    if find_byte(b'\r', body).is_some() {
        return Err(ParseError::BareLineEnding);
    }
    std::str::from_utf8(body).map_err(|_| ParseError::InvalidUtf8)
}

/// [`Command::parse`] by the general parser alone, without the one-pass
/// parser of `fast` or the line search's shortcut: the reference the tests
/// and the `smtp_command` fuzz target hold them to.
pub(crate) fn parse_by_general_parser(
    buf: &[u8],
) -> Result<Option<(usize, Command<'_>)>, ParseError> {
    match find_line(buf, 0, MAX_COMMAND_LINE)? {
        None => Ok(None),
        Some(len) => command_text(line_text(&buf[..len])?, |c| Some((len, c))),
    }
}

/// Up to eight octets, upper-cased, packed little-endian into a `u64`.
const fn verb_key(v: &[u8]) -> u64 {
    let mut key = 0u64;
    let mut i = 0;
    while i < v.len() && i < 8 {
        key |= (v[i].to_ascii_uppercase() as u64) << (8 * i);
        i += 1;
    }
    key
}

const EHLO: u64 = verb_key(b"EHLO");
const HELO: u64 = verb_key(b"HELO");
const LHLO: u64 = verb_key(b"LHLO");
const MAIL: u64 = verb_key(b"MAIL");
const RCPT: u64 = verb_key(b"RCPT");
const DATA: u64 = verb_key(b"DATA");
const BDAT: u64 = verb_key(b"BDAT");
const RSET: u64 = verb_key(b"RSET");
const NOOP: u64 = verb_key(b"NOOP");
const QUIT: u64 = verb_key(b"QUIT");
const VRFY: u64 = verb_key(b"VRFY");
const EXPN: u64 = verb_key(b"EXPN");
const HELP: u64 = verb_key(b"HELP");
const STARTTLS: u64 = verb_key(b"STARTTLS");
const AUTH: u64 = verb_key(b"AUTH");
const ETRN: u64 = verb_key(b"ETRN");

/// Parses the line's text; `wrap` places the command in the caller's
/// result type, so the large `Command` is built where it is returned
/// rather than built and then copied.
#[inline(always)]
fn command_text<'a, R>(
    text: &'a str,
    wrap: impl FnOnce(Command<'a>) -> R,
) -> Result<R, ParseError> {
    let (verb, rest) = match find_byte(b' ', text.as_bytes()) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    // Letters only, so no two verbs share a key (a NUL would vanish).
    if verb.len() > 8 || !verb.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ParseError::UnknownCommand);
    }
    // The verb upper-cased into one integer: no allocation, and matching
    // is an integer comparison rather than a slice compare per verb. For
    // letters, clearing bit 5 of every octet is `verb_key`'s upper-casing,
    // done on all eight at once.
    let key = verb
        .bytes()
        .rev()
        .fold(0u64, |key, b| key << 8 | u64::from(b))
        & 0xDFDF_DFDF_DFDF_DFDF;
    // Each arm hands its command straight to `wrap`: building a `Command`
    // in a local and returning it afterwards costs a 168-octet copy, which
    // is most of the time a bare `DATA` takes.
    let no_args = |name| match rest {
        None => Ok(()),
        Some(r) if trim_spaces(r).is_empty() => Ok(()),
        Some(_) => Err(ParseError::Syntax(name)),
    };
    // RFC 5321 §4.1.2 `String` holds printable characters only; a control
    // character here would reach the application's logs verbatim.
    let string_arg = |name| match rest.map(trim_spaces) {
        Some(r) if !r.is_empty() && is_printable(r) => Ok(Cow::Borrowed(r)),
        _ => Err(ParseError::Syntax(name)),
    };
    let optional_arg = |name| match rest.map(trim_spaces).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) if is_printable(r) => Ok(Some(Cow::Borrowed(r))),
        Some(_) => Err(ParseError::Syntax(name)),
    };
    match key {
        EHLO | HELO | LHLO => {
            let arg = rest.map(trim_spaces).unwrap_or("");
            // HELO/EHLO may carry trailing words after the domain in the
            // wild; RFC 5321 §4.1.1.1 allows only the domain.
            // A domain, the usual case, is taken without `host`'s
            // `Option<(usize, Host)>`, which costs a copy of the `Host`.
            let host = if !arg.starts_with('[') {
                match domain(arg.as_bytes()) {
                    Some(n) if n == arg.len() => Host::Domain(Domain::new_unchecked(arg)),
                    _ => return Err(ParseError::Syntax("domain")),
                }
            } else {
                match host(arg) {
                    Some((n, h)) if n == arg.len() => h,
                    _ => return Err(ParseError::Syntax("domain")),
                }
            };
            Ok(wrap(match key {
                EHLO => Command::Ehlo(host),
                HELO => Command::Helo(host),
                _ => Command::Lhlo(host),
            }))
        }
        MAIL => mail(rest.unwrap_or(""), wrap),
        RCPT => rcpt(rest.unwrap_or(""), wrap),
        DATA => no_args("DATA").map(|()| wrap(Command::Data)),
        BDAT => bdat(rest.unwrap_or("")).map(|(size, last)| wrap(Command::Bdat { size, last })),
        RSET => no_args("RSET").map(|()| wrap(Command::Rset)),
        NOOP => optional_arg("NOOP").map(|s| wrap(Command::Noop(s))),
        QUIT => no_args("QUIT").map(|()| wrap(Command::Quit)),
        VRFY => string_arg("VRFY").map(|s| wrap(Command::Vrfy(s))),
        EXPN => string_arg("EXPN").map(|s| wrap(Command::Expn(s))),
        HELP => optional_arg("HELP").map(|s| wrap(Command::Help(s))),
        STARTTLS => no_args("STARTTLS").map(|()| wrap(Command::StartTls)),
        AUTH => auth(rest.unwrap_or("")).map(wrap),
        ETRN => string_arg("ETRN").map(|s| wrap(Command::Etrn(s))),
        _ => Err(ParseError::UnknownCommand),
    }
}

/// True when `text` has no control character (tab aside): what may stand in
/// an RFC 5321 `String` argument, UTF-8 included for SMTPUTF8.
fn is_printable(text: &str) -> bool {
    text.bytes().all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

/// Strips `prefix` case-insensitively, then optional spaces (many clients
/// write `MAIL FROM: <a@b>`, which RFC 5321 §4.1.1.2 does not allow but
/// Appendix B-era software sends; the path itself stays strict).
#[inline]
fn strip_keyword<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| trim_start_spaces(&s[prefix.len()..]))
}

/// Splits `<path> params` into the path text and the parameter text.
#[inline]
fn split_path(s: &str) -> Result<(&str, &str), ParseError> {
    if !s.starts_with('<') {
        return Err(ParseError::Syntax("path"));
    }
    // The path ends at the first '>' outside a quoted string and outside an
    // address literal (dcontent may contain '>').
    let b = s.as_bytes();
    let mut i = 1;
    let mut quoted = false;
    let mut literal = false;
    while i < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'"' if !literal => quoted = !quoted,
            b'[' if !quoted => literal = true,
            b']' if !quoted => literal = false,
            b'>' if !quoted && !literal => {
                let rest = &s[i + 1..];
                if !rest.is_empty() && !rest.starts_with(' ') {
                    return Err(ParseError::Syntax("path"));
                }
                return Ok((&s[..=i], trim_spaces(rest)));
            }
            _ => {}
        }
        i += 1;
    }
    Err(ParseError::Syntax("path"))
}

#[inline(always)]
fn mail<'a, R>(rest: &'a str, wrap: impl FnOnce(Command<'a>) -> R) -> Result<R, ParseError> {
    let s = strip_keyword(rest, "FROM:").ok_or(ParseError::Syntax("MAIL"))?;
    let (path, params) = split_path(s)?;
    let from = reverse_path(path).ok_or(ParseError::Syntax("reverse path"))?;
    let params = mail_parameters(params)?;
    Ok(wrap(Command::Mail { from, params }))
}

#[inline(always)]
fn rcpt<'a, R>(rest: &'a str, wrap: impl FnOnce(Command<'a>) -> R) -> Result<R, ParseError> {
    let s = strip_keyword(rest, "TO:").ok_or(ParseError::Syntax("RCPT"))?;
    let (path, params) = split_path(s)?;
    let to = forward_path(path).ok_or(ParseError::Syntax("forward path"))?;
    let params = rcpt_parameters(params)?;
    Ok(wrap(Command::Rcpt { to, params }))
}

/// The value of a string of ASCII digits, `None` for any other octet or
/// past `u64::MAX`: a plain loop, as `str::parse` spends most of its time
/// on sign and radix handling a digit string never needs.
fn decimal(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |n, &d| {
        let digit = d.checked_sub(b'0').filter(|&v| v < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// `BDAT`'s chunk size and whether `LAST` follows.
fn bdat(rest: &str) -> Result<(u64, bool), ParseError> {
    let mut words = words(rest);
    let size = words.next().ok_or(ParseError::Syntax("BDAT"))?;
    if size.is_empty() || size.len() > 20 || !size.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::Syntax("BDAT"));
    }
    let size = decimal(size.as_bytes()).ok_or(ParseError::Syntax("BDAT"))?;
    let last = match words.next() {
        None => false,
        Some(w) if w.eq_ignore_ascii_case("LAST") => true,
        Some(_) => return Err(ParseError::Syntax("BDAT")),
    };
    if words.next().is_some() {
        return Err(ParseError::Syntax("BDAT"));
    }
    Ok((size, last))
}

fn auth(rest: &str) -> Result<Command<'_>, ParseError> {
    let mut words = words(rest);
    let mech = words.next().ok_or(ParseError::Syntax("AUTH"))?;
    // sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
    // (RFC 4422 §3.1); lower case accepted and upper-cased.
    if mech.len() > 20
        || !mech
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(ParseError::Syntax("AUTH mechanism"));
    }
    let initial_response = match words.next() {
        None => None,
        Some(r) if is_base64_or_empty(r) => Some(AuthData(Cow::Borrowed(r))),
        Some(_) => return Err(ParseError::Syntax("AUTH initial response")),
    };
    if words.next().is_some() {
        return Err(ParseError::Syntax("AUTH"));
    }
    Ok(Command::Auth {
        mechanism: if mech.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(mech.to_ascii_uppercase())
        } else {
            Cow::Borrowed(mech)
        },
        initial_response,
    })
}

/// `=` or base64 characters (RFC 4954 §4; padding is checked by the
/// decoder in yubin-sasl).
pub(crate) fn is_base64_or_empty(s: &str) -> bool {
    s == "="
        || (!s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
}

/// The space-separated words of `s`, empty ones skipped (a byte search:
/// the `str::split` searcher is slow on short strings).
fn words(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let (word, tail) = match find_byte(b' ', rest.as_bytes()) {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            };
            rest = tail;
            if !word.is_empty() {
                return Some(word);
            }
        }
    })
}

/// The length of the esmtp-value octets (RFC 5321 §4.1.2, and UTF-8 per
/// RFC 6531 §3.3) at the start of `b`: up to a space, a control, `=` or
/// DEL. Eight octets at a time: values (addresses, NOTIFY lists) are the
/// long part of a MAIL or RCPT line.
#[inline(always)]
fn esmtp_value_len(b: &[u8]) -> usize {
    scan_until(
        b,
        |x| below(x, 0x21) | below(x ^ (ONES * u64::from(b'=')), 1) | below(x ^ (ONES * 0x7f), 1),
        |c| CLASS[usize::from(c)] & ESMTP_VALUE == 0,
    )
}

/// Calls `f` on each parameter after checking the keyword/value grammar
/// (RFC 5321 §4.1.2 `esmtp-param`), in one pass over the octets: each
/// parameter is scanned once for its keyword, `=` and value.
#[inline]
fn each_param<'a>(
    s: &'a str,
    mut f: impl FnMut(&'a str, Option<&'a str>) -> Result<(), ParseError>,
) -> Result<(), ParseError> {
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i == b.len() {
            return Ok(());
        }
        // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        let start = i;
        while i < b.len() && CLASS[usize::from(b[i])] & ESMTP_KEYWORD != 0 {
            i += 1;
        }
        let keyword_end = i;
        if keyword_end == start || b[start] == b'-' || (i < b.len() && b[i] != b' ' && b[i] != b'=')
        {
            return Err(ParseError::Syntax("parameter keyword"));
        }
        let value = if i < b.len() && b[i] == b'=' {
            // esmtp-value = 1*(%d33-60 / %d62-126), and UTF-8 (RFC 6531 §3.3)
            i += 1;
            let value_start = i;
            i += esmtp_value_len(&b[i..]);
            if i == value_start || (i < b.len() && b[i] != b' ') {
                return Err(ParseError::Syntax("parameter value"));
            }
            Some(&s[value_start..i])
        } else {
            None
        };
        f(&s[start..keyword_end], value)?;
    }
}

fn set_once<T>(slot: &mut Option<T>, v: T, name: &'static str) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::Parameter(name));
    }
    *slot = Some(v);
    Ok(())
}

fn flag_once(slot: &mut bool, v: Option<&str>, name: &'static str) -> Result<(), ParseError> {
    if v.is_some() {
        return Err(ParseError::Syntax(name));
    }
    if *slot {
        return Err(ParseError::Parameter(name));
    }
    *slot = true;
    Ok(())
}

/// A parameter keyword of up to eight octets packed little-endian with
/// bit 5 of each octet cleared, 0 for longer ones. Keywords are letters,
/// digits and `-` (checked by `each_param`); clearing bit 5 upper-cases a
/// letter and maps digits to 0x10..=0x19 and `-` to 0x0D, so no two
/// keywords share a key and none packs to 0.
#[inline]
fn param_key(k: &[u8]) -> u64 {
    if k.len() > 8 {
        return 0;
    }
    k.iter().rev().fold(0u64, |key, &b| key << 8 | u64::from(b)) & 0xDFDF_DFDF_DFDF_DFDF
}

/// `param_key` at compile time, for the known keywords.
const fn keyword_key(k: &[u8]) -> u64 {
    let mut key = 0u64;
    let mut i = 0;
    while i < k.len() {
        key |= ((k[i] & 0xDF) as u64) << (8 * i);
        i += 1;
    }
    key
}

const K_SIZE: u64 = keyword_key(b"SIZE");
const K_BODY: u64 = keyword_key(b"BODY");
const K_SMTPUTF8: u64 = keyword_key(b"SMTPUTF8");
const K_RET: u64 = keyword_key(b"RET");
const K_ENVID: u64 = keyword_key(b"ENVID");
const K_AUTH: u64 = keyword_key(b"AUTH");
const K_NOTIFY: u64 = keyword_key(b"NOTIFY");
const K_ORCPT: u64 = keyword_key(b"ORCPT");

#[inline]
pub(crate) fn mail_parameters(s: &str) -> Result<MailParameters<'_>, ParseError> {
    let mut p = MailParameters::default();
    each_param(s, |k, v| {
        match param_key(k.as_bytes()) {
            // size-value ::= 1*20DIGIT (RFC 1870 §6); beyond u64 means "too
            // big", which the SIZE check then rejects.
            K_SIZE => {
                let v = v.ok_or(ParseError::Syntax("SIZE"))?;
                if v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ParseError::Syntax("SIZE"));
                }
                set_once(
                    &mut p.size,
                    decimal(v.as_bytes()).unwrap_or(u64::MAX),
                    "SIZE",
                )?;
            }
            K_BODY => {
                let v = v.ok_or(ParseError::Syntax("BODY"))?;
                let body = if v.eq_ignore_ascii_case("7BIT") {
                    BodyType::SevenBit
                } else if v.eq_ignore_ascii_case("8BITMIME") {
                    BodyType::EightBitMime
                } else if v.eq_ignore_ascii_case("BINARYMIME") {
                    BodyType::BinaryMime
                } else {
                    return Err(ParseError::Syntax("BODY"));
                };
                set_once(&mut p.body, body, "BODY")?;
            }
            K_SMTPUTF8 => {
                flag_once(&mut p.smtputf8, v, "SMTPUTF8")?;
            }
            _ if k.eq_ignore_ascii_case("REQUIRETLS") => {
                flag_once(&mut p.requiretls, v, "REQUIRETLS")?;
            }
            K_RET => {
                let ret = match v {
                    Some(v) if v.eq_ignore_ascii_case("FULL") => Ret::Full,
                    Some(v) if v.eq_ignore_ascii_case("HDRS") => Ret::Headers,
                    _ => return Err(ParseError::Syntax("RET")),
                };
                set_once(&mut p.ret, ret, "RET")?;
            }
            K_ENVID => {
                // ENVID is at most 100 characters (RFC 3461 §4.4).
                let v = v
                    .filter(|v| v.len() <= 100)
                    .ok_or(ParseError::Syntax("ENVID"))?;
                set_once(&mut p.envid, XText::decode(v)?, "ENVID")?;
            }
            K_AUTH => {
                let v = v.ok_or(ParseError::Syntax("AUTH="))?;
                let a = if v == "<>" {
                    AuthParam::Unknown
                } else {
                    AuthParam::Mailbox(XText::decode(v)?)
                };
                set_once(&mut p.auth, a, "AUTH=")?;
            }
            _ => p.other.push(Parameter {
                keyword: Cow::Borrowed(k),
                value: v.map(Cow::Borrowed),
            }),
        }
        Ok(())
    })?;
    Ok(p)
}

#[inline]
pub(crate) fn rcpt_parameters(s: &str) -> Result<RcptParameters<'_>, ParseError> {
    let mut p = RcptParameters::default();
    each_param(s, |k, v| {
        match param_key(k.as_bytes()) {
            K_NOTIFY => {
                let v = v.ok_or(ParseError::Syntax("NOTIFY"))?;
                let mut n = Notify::default();
                if v.eq_ignore_ascii_case("NEVER") {
                    // NEVER stands alone (RFC 3461 §4.1).
                } else {
                    for item in split_bytes(v, b',') {
                        let slot = if item.eq_ignore_ascii_case("SUCCESS") {
                            &mut n.success
                        } else if item.eq_ignore_ascii_case("FAILURE") {
                            &mut n.failure
                        } else if item.eq_ignore_ascii_case("DELAY") {
                            &mut n.delay
                        } else {
                            return Err(ParseError::Syntax("NOTIFY"));
                        };
                        if *slot {
                            return Err(ParseError::Syntax("NOTIFY"));
                        }
                        *slot = true;
                    }
                }
                set_once(&mut p.notify, n, "NOTIFY")?;
            }
            K_ORCPT => {
                let v = v.ok_or(ParseError::Syntax("ORCPT"))?;
                let i = find_byte(b';', v.as_bytes()).ok_or(ParseError::Syntax("ORCPT"))?;
                let (t, a) = (&v[..i], &v[i + 1..]);
                if t.is_empty() || !t.bytes().all(|b| b < 0x80 && is_atext(b)) {
                    return Err(ParseError::Syntax("ORCPT"));
                }
                let o = Orcpt {
                    addr_type: Cow::Borrowed(t),
                    address: XText::decode(a)?,
                };
                set_once(&mut p.orcpt, o, "ORCPT")?;
            }
            _ => p.other.push(Parameter {
                keyword: Cow::Borrowed(k),
                value: v.map(Cow::Borrowed),
            }),
        }
        Ok(())
    })?;
    Ok(p)
}

// ---- paths, mailboxes, domains (RFC 5321 §4.1.2, §4.1.3; RFC 6531 §3.3) ----
//
// These take `&str` (the command line was checked once), so any byte >=
// 0x80 is part of a whole character and slicing at ASCII delimiters stays on
// character boundaries: no second UTF-8 check is needed.

/// Character classes of RFC 5321 §4.1.2 / RFC 6531 §3.3, one table lookup
/// per octet instead of a chain of comparisons.
const LET_DIG: u8 = 1;
const LDH: u8 = 2;
const ATEXT: u8 = 4;
const ESMTP_KEYWORD: u8 = 8;
const ESMTP_VALUE: u8 = 16;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let alnum = b.is_ascii_alphanumeric();
        // UTF8-non-ascii counts as a letter (U-label) and as atext.
        let high = b >= 0x80;
        let mut c = 0;
        if alnum || high {
            c |= LET_DIG | LDH | ATEXT;
        }
        if b == b'-' {
            c |= LDH;
        }
        // esmtp-keyword octets: ALPHA / DIGIT / "-" (RFC 5321 §4.1.2)
        if b.is_ascii_alphanumeric() || b == b'-' {
            c |= ESMTP_KEYWORD;
        }
        // esmtp-value octets: %d33-60 / %d62-126, and UTF-8 (RFC 6531 §3.3)
        if b > b' ' && b != b'=' && b != 127 {
            c |= ESMTP_VALUE;
        }
        if matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        ) {
            c |= ATEXT;
        }
        t[i] = c;
        i += 1;
    }
    t
};

fn is_let_dig(b: u8) -> bool {
    CLASS[usize::from(b)] & LET_DIG != 0
}

fn is_ldh(b: u8) -> bool {
    CLASS[usize::from(b)] & LDH != 0
}

/// atext or UTF8-non-ascii.
fn is_atext(b: u8) -> bool {
    CLASS[usize::from(b)] & ATEXT != 0
}

/// `s` split at every ASCII `sep` (a byte search: `str::split` with a
/// char pattern is slow on short strings).
fn split_bytes(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match find_byte(sep, r.as_bytes()) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

fn trim_start_spaces(s: &str) -> &str {
    let n = s.bytes().take_while(|&b| b == b' ').count();
    &s[n..]
}

fn trim_spaces(s: &str) -> &str {
    let s = trim_start_spaces(s);
    let n = s.bytes().rev().take_while(|&b| b == b' ').count();
    &s[..s.len() - n]
}

/// Length of the domain at the start of `b`, if one is there.
pub(crate) fn domain(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && is_ldh(b[i]) {
            i += 1;
        }
        let label = &b[start..i];
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
        {
            return None;
        }
        if i + 1 < b.len() && b[i] == b'.' && is_let_dig(b[i + 1]) {
            i += 1;
            continue;
        }
        break;
    }
    (i <= 255).then_some(i)
}

fn is_ldh_str(b: &[u8]) -> bool {
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[b.len() - 1] != b'-'
}

fn address_literal(s: &str) -> Option<(usize, AddressLiteral<'_>)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    let end = find_byte(b']', b)?;
    let inner = &s[1..end];
    let lit = if inner.len() >= 5 && inner.as_bytes()[..5].eq_ignore_ascii_case(b"IPv6:") {
        AddressLiteral::Ipv6(inner[5..].parse::<Ipv6Addr>().ok()?)
    } else if let Some((tag, content)) = inner.split_once(':') {
        // dcontent = %d33-90 / %d94-126
        let ok = is_ldh_str(tag.as_bytes())
            && !content.is_empty()
            && content.bytes().all(|c| matches!(c, 33..=90 | 94..=126));
        if !ok {
            return None;
        }
        AddressLiteral::General {
            tag: Cow::Borrowed(tag),
            content: Cow::Borrowed(content),
        }
    } else {
        AddressLiteral::Ipv4(ipv4(inner)?)
    };
    Some((end + 1, lit))
}

/// `Snum 3("." Snum)` with `Snum = 1*3DIGIT` in 0..=255 (RFC 5321 §4.1.3).
fn ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for o in &mut octets {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

#[inline]
pub(crate) fn host(s: &str) -> Option<(usize, Host<'_>)> {
    if s.starts_with('[') {
        let (n, l) = address_literal(s)?;
        return Some((n, Host::Literal(l)));
    }
    let n = domain(s.as_bytes())?;
    Some((n, Host::Domain(Domain::new_unchecked(&s[..n]))))
}

/// Length of the local part at the start of `b`, if one is there.
pub(crate) fn local_part(b: &[u8]) -> Option<usize> {
    if b.first() == Some(&b'"') {
        let mut i = 1;
        while i < b.len() {
            match b[i] {
                b'"' => return Some(i + 1),
                b'\\' => {
                    // quoted-pairSMTP = %d92 %d32-126
                    if !matches!(b.get(i + 1), Some(32..=126)) {
                        return None;
                    }
                    i += 2;
                }
                32..=126 | 0x80.. => i += 1,
                _ => return None,
            }
        }
        return None;
    }
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && is_atext(b[i]) {
            i += 1;
        }
        if i == start {
            return None;
        }
        if i + 1 < b.len() && b[i] == b'.' && is_atext(b[i + 1]) {
            i += 1;
            continue;
        }
        break;
    }
    Some(i)
}

#[inline]
pub(crate) fn mailbox(s: &str) -> Option<(usize, Mailbox<'_>)> {
    let n = local_part(s.as_bytes())?;
    if s.as_bytes().get(n) != Some(&b'@') {
        return None;
    }
    let (m, host) = host(&s[n + 1..])?;
    let local = &s[..n];
    Some((
        n + 1 + m,
        Mailbox {
            local_part: LocalPart::new_unchecked(local),
            host,
        },
    ))
}

/// `"<" [ A-d-l ":" ] Mailbox ">"`, the whole of `b`.
#[inline]
fn path(s: &str) -> Option<Mailbox<'_>> {
    let mut rest = s.strip_prefix('<')?.strip_suffix('>')?;
    if rest.starts_with('@') {
        // A-d-l = At-domain *( "," At-domain ): parsed, then dropped.
        loop {
            let n = domain(&rest.as_bytes()[1..])?;
            rest = &rest[1 + n..];
            if rest.starts_with(",@") {
                rest = &rest[1..];
            } else if let Some(after) = rest.strip_prefix(':') {
                rest = after;
                break;
            } else {
                return None;
            }
        }
    }
    let (n, m) = mailbox(rest)?;
    (n == rest.len()).then_some(m)
}

#[inline]
pub(crate) fn reverse_path(s: &str) -> Option<ReversePath<'_>> {
    if s == "<>" {
        return Some(ReversePath::Null);
    }
    path(s).map(ReversePath::Mailbox)
}

#[inline]
pub(crate) fn forward_path(s: &str) -> Option<ForwardPath<'_>> {
    if s.eq_ignore_ascii_case("<postmaster>") {
        return Some(ForwardPath::Postmaster);
    }
    path(s).map(ForwardPath::Mailbox)
}

// ---- replies (RFC 5321 §4.2, RFC 2034 §3) ----

/// One reply line without its line ending: the code, whether it is the last
/// line, and the text.
pub(crate) fn reply_line(line: &[u8]) -> Result<(ReplyCode, bool, String), ParseError> {
    if line.len() < 3 || !line[..3].iter().all(u8::is_ascii_digit) {
        return Err(ParseError::MalformedReply);
    }
    let n = u16::from(line[0] - b'0') * 100
        + u16::from(line[1] - b'0') * 10
        + u16::from(line[2] - b'0');
    let code = ReplyCode::new(n).ok_or(ParseError::MalformedReply)?;
    let (last, text) = match line.get(3) {
        None => (true, &line[3..]),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => return Err(ParseError::MalformedReply),
    };
    Ok((code, last, String::from_utf8_lossy(text).into_owned()))
}

/// The enhanced code at the start of `text`, and the text after it.
pub(crate) fn split_enhanced(code: ReplyCode, text: &str) -> Option<(EnhancedCode, &str)> {
    let (head, rest) = match text.find(' ') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let mut parts = head.split('.');
    let class = parts.next()?;
    let subject = parts.next()?;
    let detail = parts.next()?;
    if parts.next().is_some()
        || class.len() != 1
        || ![subject, detail]
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let class: u8 = class.parse().ok()?;
    // RFC 3463 §2: the class matches the reply's first digit.
    if u16::from(class) != code.get() / 100 {
        return None;
    }
    let e = EnhancedCode::new(class, subject.parse().ok()?, detail.parse().ok()?)?;
    Some((e, rest))
}

/// Collects reply lines into a [`Reply`], one line at a time.
#[derive(Debug, Default)]
pub(crate) struct ReplyBuilder {
    code: Option<ReplyCode>,
    lines: Vec<String>,
}

impl ReplyBuilder {
    /// Takes one line (without line ending); `Ok(Some)` when the reply is
    /// complete.
    pub(crate) fn push(&mut self, line: &[u8]) -> Result<Option<Reply>, ParseError> {
        let (code, last, text) = reply_line(line)?;
        if self.code.is_some_and(|c| c != code) {
            return Err(ParseError::MalformedReply);
        }
        if self.lines.len() >= MAX_REPLY_LINES {
            return Err(ParseError::LineTooLong {
                limit: MAX_REPLY_LINES,
            });
        }
        self.code = Some(code);
        self.lines.push(text);
        if !last {
            return Ok(None);
        }
        let mut lines = std::mem::take(&mut self.lines);
        self.code = None;
        let enhanced = split_enhanced(code, &lines[0]).map(|(e, _)| e);
        if let Some(e) = enhanced {
            for l in &mut lines {
                if let Some((e2, rest)) = split_enhanced(code, l)
                    && e2 == e
                {
                    *l = rest.to_owned();
                }
            }
        }
        Ok(Some(Reply {
            code,
            enhanced,
            lines,
        }))
    }
}

/// Strips the line ending of a reply line: CRLF, or a bare LF, which
/// servers in the wild send and a client can accept without risk.
pub(crate) fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl Reply {
    /// Parses one whole reply, all its lines, from the start of `buf`.
    pub fn parse(buf: &[u8]) -> Result<Option<(usize, Reply)>, ParseError> {
        let mut builder = ReplyBuilder::default();
        let mut pos = 0;
        loop {
            let Some(len) = find_line(&buf[pos..], 0, MAX_REPLY_LINE)? else {
                return Ok(None);
            };
            let line = strip_eol(&buf[pos..pos + len]);
            pos += len;
            if let Some(r) = builder.push(line)? {
                return Ok(Some((pos, r)));
            }
        }
    }
}

#[cfg(test)]
mod tests;
