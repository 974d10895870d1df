//! Parsers for commands and response lines, httparse style:
//! `Ok(None)` means "need more input", `Ok(Some((consumed, value)))` a value.
//!
//! Lines end at LF; a CR before it is dropped, so a peer that sends bare LF
//! is understood. A caller that reads from the network bounds the line length
//! itself (the machines do, from their `Config`): these functions never
//! allocate more than the line they return.

use crate::error::ParseError;
use crate::types::{
    Capability, Command, Expire, MessageNumber, Response, ResponseCode, ScanListing, Secret,
    Status, UniqueIdListing,
};

/// Splits off the first line: `(line without CRLF, bytes consumed)`.
pub(crate) fn split_line(input: &[u8]) -> Option<(&[u8], usize)> {
    let lf = memchr::memchr(b'\n', input)?;
    let line = &input[..lf];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Some((line, lf + 1))
}

impl Command {
    /// Parses one command line (RFC 1939 §3: a keyword, arguments separated
    /// by single spaces, CRLF).
    pub fn parse(input: &[u8]) -> Result<Option<(usize, Command)>, ParseError> {
        let Some((line, consumed)) = split_line(input) else {
            return Ok(None);
        };
        parse_command_line(line).map(|command| Some((consumed, command)))
    }
}

/// Parses a command line without its line ending.
pub(crate) fn parse_command_line(line: &[u8]) -> Result<Command, ParseError> {
    // A CR, LF or NUL inside a command line is never valid (RFC 1939 §3:
    // printable arguments) and would let a line smuggle another one.
    if memchr::memchr3(b'\r', b'\n', 0, line).is_some() {
        return Err(ParseError::InvalidArgument);
    }
    let (keyword, rest) = match memchr::memchr(b' ', line) {
        Some(space) => (&line[..space], Some(&line[space + 1..])),
        None => (line, None),
    };
    if !(3..=4).contains(&keyword.len()) {
        return Err(ParseError::UnknownCommand);
    }
    let mut upper = [0u8; 4];
    upper[..keyword.len()].copy_from_slice(keyword);
    upper.make_ascii_uppercase();
    let keyword = &upper[..keyword.len()];
    // PASS takes the rest of the line: passwords may contain spaces (RFC 1939 §7).
    if keyword == b"PASS" {
        let password = rest
            .filter(|r| !r.is_empty())
            .ok_or(ParseError::MissingArgument)?;
        return Ok(Command::Pass(Secret::new(password)));
    }
    let args: Vec<&[u8]> = rest
        .map(|r| r.split(|&b| b == b' ').filter(|a| !a.is_empty()).collect())
        .unwrap_or_default();
    if args.len() > 2 {
        return Err(ParseError::TooManyArguments);
    }
    let arity = |min: usize, max: usize| {
        if args.len() < min {
            Err(ParseError::MissingArgument)
        } else if args.len() > max {
            Err(ParseError::TooManyArguments)
        } else {
            Ok(())
        }
    };
    let command = match keyword {
        b"USER" => {
            arity(1, 1)?;
            Command::User(param(args[0])?)
        }
        b"APOP" => {
            arity(2, 2)?;
            let digest = param(args[1])?;
            if digest.len() != 32 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ParseError::InvalidArgument);
            }
            Command::Apop {
                name: param(args[0])?,
                digest: digest.to_ascii_lowercase(),
            }
        }
        b"AUTH" => {
            arity(1, 2)?;
            let mechanism = args[0];
            if mechanism.len() > 20
                || !mechanism
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
            {
                return Err(ParseError::InvalidArgument);
            }
            let initial_response = args.get(1).map(|r| Secret::new(*r));
            // base64 or "=" (RFC 5034 §4): printable, so never a line break.
            if args
                .get(1)
                .is_some_and(|r| !r.iter().all(u8::is_ascii_graphic))
            {
                return Err(ParseError::InvalidArgument);
            }
            Command::Auth {
                mechanism: String::from_utf8_lossy(mechanism).to_ascii_uppercase(),
                initial_response,
            }
        }
        b"STLS" => no_args(&args, Command::Stls)?,
        b"CAPA" => no_args(&args, Command::Capa)?,
        b"UTF8" => no_args(&args, Command::Utf8)?,
        b"QUIT" => no_args(&args, Command::Quit)?,
        b"STAT" => no_args(&args, Command::Stat)?,
        b"NOOP" => no_args(&args, Command::Noop)?,
        b"RSET" => no_args(&args, Command::Rset)?,
        b"LIST" => {
            arity(0, 1)?;
            Command::List(args.first().map(|a| message_number(a)).transpose()?)
        }
        b"UIDL" => {
            arity(0, 1)?;
            Command::Uidl(args.first().map(|a| message_number(a)).transpose()?)
        }
        b"RETR" => {
            arity(1, 1)?;
            Command::Retr(message_number(args[0])?)
        }
        b"DELE" => {
            arity(1, 1)?;
            Command::Dele(message_number(args[0])?)
        }
        b"TOP" => {
            arity(2, 2)?;
            Command::Top {
                message: message_number(args[0])?,
                lines: number(args[1])?,
            }
        }
        _ => return Err(ParseError::UnknownCommand),
    };
    Ok(command)
}

fn no_args(args: &[&[u8]], command: Command) -> Result<Command, ParseError> {
    if args.is_empty() {
        Ok(command)
    } else {
        Err(ParseError::TooManyArguments)
    }
}

/// `param = 1*VCHAR` (RFC 2449 §9), widened to UTF-8 for RFC 6856 names.
fn param(bytes: &[u8]) -> Result<String, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ParseError::InvalidArgument)?;
    if text.is_empty() || text.chars().any(char::is_control) {
        return Err(ParseError::InvalidArgument);
    }
    Ok(text.to_owned())
}

/// A decimal number that fits a `u32` (at most 10 digits, so no overflow work).
pub(crate) fn number(bytes: &[u8]) -> Result<u32, ParseError> {
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::InvalidNumber);
    }
    let value = bytes
        .iter()
        .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
    u32::try_from(value).map_err(|_| ParseError::InvalidNumber)
}

fn number_u64(bytes: &[u8]) -> Result<u64, ParseError> {
    if bytes.is_empty() || bytes.len() > 19 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::InvalidNumber);
    }
    Ok(bytes
        .iter()
        .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0')))
}

fn message_number(bytes: &[u8]) -> Result<MessageNumber, ParseError> {
    match number(bytes)? {
        0 => Err(ParseError::InvalidNumber),
        n => Ok(n),
    }
}

impl Response {
    /// Parses one server response line: a status or an AUTH continuation.
    pub fn parse(input: &[u8]) -> Result<Option<(usize, Response)>, ParseError> {
        let Some((line, consumed)) = split_line(input) else {
            return Ok(None);
        };
        parse_response_line(line).map(|r| Some((consumed, r)))
    }
}

impl Status {
    /// Parses one status line (`+OK`/`-ERR`); a continuation is an error here.
    pub fn parse(input: &[u8]) -> Result<Option<(usize, Status)>, ParseError> {
        match Response::parse(input)? {
            None => Ok(None),
            Some((consumed, Response::Status(status))) => Ok(Some((consumed, status))),
            Some((_, Response::Continuation(_))) => Err(ParseError::InvalidStatus),
        }
    }
}

pub(crate) fn parse_response_line(line: &[u8]) -> Result<Response, ParseError> {
    let (ok, rest) = if let Some(rest) = strip_prefix_ci(line, b"+OK") {
        (true, rest)
    } else if let Some(rest) = strip_prefix_ci(line, b"-ERR") {
        (false, rest)
    } else if line == b"+" {
        return Ok(Response::Continuation(Vec::new()));
    } else if let Some(challenge) = line.strip_prefix(b"+ ") {
        return Ok(Response::Continuation(challenge.to_vec()));
    } else {
        return Err(ParseError::InvalidStatus);
    };
    let text = match rest {
        [] => &[][..],
        [b' ', text @ ..] => text,
        _ => return Err(ParseError::InvalidStatus),
    };
    let (code, text) = split_code(text);
    Ok(Response::Status(Status {
        ok,
        code,
        text: String::from_utf8_lossy(text).into_owned(),
    }))
}

fn strip_prefix_ci<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    (line.len() >= prefix.len() && line[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &line[prefix.len()..])
}

/// `resp-code` at the start of the text (RFC 2449 §8); a malformed one is
/// left in the text, as a client that does not know codes would see it.
fn split_code(text: &[u8]) -> (Option<ResponseCode>, &[u8]) {
    let Some(inner) = text.strip_prefix(b"[") else {
        return (None, text);
    };
    let Some(end) = memchr::memchr(b']', inner) else {
        return (None, text);
    };
    let code = &inner[..end];
    let rchar = |b: &u8| matches!(b, 0x21..=0x2E | 0x30..=0x5C | 0x5E..=0x7F);
    let levels_ok = code
        .split(|&b| b == b'/')
        .all(|l| !l.is_empty() && l.iter().all(rchar));
    if !levels_ok {
        return (None, text);
    }
    let rest = &inner[end + 1..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let code = String::from_utf8_lossy(code);
    (Some(ResponseCode::from_text(&code)), rest)
}

impl Capability {
    /// Parses one line of a CAPA reply (RFC 2449 §5); unknown tags and
    /// malformed parameters of known tags become [`Capability::Other`].
    pub fn parse(input: &[u8]) -> Result<Option<(usize, Capability)>, ParseError> {
        let Some((line, consumed)) = split_line(input) else {
            return Ok(None);
        };
        parse_capability_line(line).map(|c| Some((consumed, c)))
    }
}

pub(crate) fn parse_capability_line(line: &[u8]) -> Result<Capability, ParseError> {
    let text = String::from_utf8_lossy(line);
    let mut words = text.split(' ').filter(|w| !w.is_empty());
    let tag = words.next().ok_or(ParseError::InvalidListing)?;
    let params: Vec<&str> = words.collect();
    let upper = tag.to_ascii_uppercase();
    let per_user = |p: Option<&&str>| p.is_some_and(|p| p.eq_ignore_ascii_case("USER"));
    let known = match (upper.as_str(), params.as_slice()) {
        ("TOP", []) => Some(Capability::Top),
        ("USER", []) => Some(Capability::User),
        ("UIDL", []) => Some(Capability::Uidl),
        ("STLS", []) => Some(Capability::Stls),
        ("PIPELINING", []) => Some(Capability::Pipelining),
        ("RESP-CODES", []) => Some(Capability::RespCodes),
        ("AUTH-RESP-CODE", []) => Some(Capability::AuthRespCode),
        ("SASL", mechs) => Some(Capability::Sasl(
            mechs.iter().map(|m| m.to_ascii_uppercase()).collect(),
        )),
        ("UTF8", []) => Some(Capability::Utf8 { user: false }),
        ("UTF8", [u]) if u.eq_ignore_ascii_case("USER") => Some(Capability::Utf8 { user: true }),
        ("IMPLEMENTATION", _) => {
            let start = text.find(tag).map_or(0, |i| i + tag.len());
            Some(Capability::Implementation(text[start..].trim().to_owned()))
        }
        ("LOGIN-DELAY", [secs, rest @ ..]) if rest.len() <= 1 => {
            number(secs.as_bytes())
                .ok()
                .map(|seconds| Capability::LoginDelay {
                    seconds,
                    per_user: per_user(rest.first()),
                })
        }
        ("EXPIRE", [policy, rest @ ..]) if rest.len() <= 1 => {
            let policy = if policy.eq_ignore_ascii_case("NEVER") {
                Some(Expire::Never)
            } else {
                number(policy.as_bytes()).ok().map(Expire::Days)
            };
            policy.map(|policy| Capability::Expire {
                policy,
                per_user: per_user(rest.first()),
            })
        }
        _ => None,
    };
    Ok(known.unwrap_or_else(|| Capability::Other {
        tag: tag.to_owned(),
        params: params.iter().map(|p| (*p).to_owned()).collect(),
    }))
}

impl ScanListing {
    /// Parses `msg SP size` (RFC 1939 §5); extra words after the size are
    /// allowed ("implementations may add information", RFC 1939 §5).
    pub fn parse(input: &[u8]) -> Result<Option<(usize, ScanListing)>, ParseError> {
        let Some((line, consumed)) = split_line(input) else {
            return Ok(None);
        };
        parse_scan_listing(line).map(|l| Some((consumed, l)))
    }
}

pub(crate) fn parse_scan_listing(line: &[u8]) -> Result<ScanListing, ParseError> {
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let message = words
        .next()
        .ok_or(ParseError::InvalidListing)
        .and_then(message_number)?;
    let size = words
        .next()
        .ok_or(ParseError::InvalidListing)
        .and_then(number_u64)?;
    Ok(ScanListing { message, size })
}

impl UniqueIdListing {
    /// Parses `msg SP unique-id` (RFC 1939 §7).
    pub fn parse(input: &[u8]) -> Result<Option<(usize, UniqueIdListing)>, ParseError> {
        let Some((line, consumed)) = split_line(input) else {
            return Ok(None);
        };
        parse_unique_id_listing(line).map(|l| Some((consumed, l)))
    }
}

pub(crate) fn parse_unique_id_listing(line: &[u8]) -> Result<UniqueIdListing, ParseError> {
    let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
    let message = words
        .next()
        .ok_or(ParseError::InvalidListing)
        .and_then(message_number)?;
    let uid = words.next().ok_or(ParseError::InvalidListing)?;
    if !is_valid_uid(uid) || words.next().is_some() {
        return Err(ParseError::InvalidListing);
    }
    Ok(UniqueIdListing {
        message,
        uid: String::from_utf8_lossy(uid).into_owned(),
    })
}

/// `unique-id = 1*70 %x21-7E` (RFC 1939 §7).
pub fn is_valid_uid(uid: &[u8]) -> bool {
    (1..=70).contains(&uid.len()) && uid.iter().all(|b| (0x21..=0x7E).contains(b))
}

/// The unstuffed lines of a multi-line body, without their line endings.
pub type MultiLineBody = Vec<Vec<u8>>;

/// Parses a complete multi-line body (RFC 1939 §3): lines up to the line
/// holding a single ".", each with one leading "." removed if it has one.
/// Returns the unstuffed lines without their line endings.
pub fn parse_multiline(input: &[u8]) -> Result<Option<(usize, MultiLineBody)>, ParseError> {
    let mut lines = Vec::new();
    let mut at = 0;
    while let Some((line, consumed)) = split_line(&input[at..]) {
        at += consumed;
        if line == b"." {
            return Ok(Some((at, lines)));
        }
        lines.push(line.strip_prefix(b".").unwrap_or(line).to_vec());
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Capability as C;

    fn cmd(line: &[u8]) -> Result<Command, ParseError> {
        Command::parse(line).map(|r| r.expect("complete").1)
    }

    /// Commands of RFC 1939 §5-§7, RFC 2449 §5, RFC 2595 §4, RFC 5034 §4,
    /// RFC 6856 §2, with the error rows.
    #[test]
    fn command_known_answers() {
        let rows: Vec<(&[u8], Result<Command, ParseError>)> = vec![
            // RFC 1939 §7 USER / PASS
            (b"USER mrose\r\n", Ok(Command::User("mrose".into()))),
            (b"user mrose\n", Ok(Command::User("mrose".into()))),
            (
                b"PASS secret pass\r\n",
                Ok(Command::Pass("secret pass".into())),
            ),
            (b"PASS\r\n", Err(ParseError::MissingArgument)),
            (b"USER\r\n", Err(ParseError::MissingArgument)),
            (b"USER a b\r\n", Err(ParseError::TooManyArguments)),
            // RFC 1939 §7 APOP example
            (
                b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
                Ok(Command::Apop {
                    name: "mrose".into(),
                    digest: "c4c9334bac560ecc979e58001b3e22fb".into(),
                }),
            ),
            (b"APOP mrose xyz\r\n", Err(ParseError::InvalidArgument)),
            // RFC 1939 §5
            (b"STAT\r\n", Ok(Command::Stat)),
            (b"LIST\r\n", Ok(Command::List(None))),
            (b"LIST 2\r\n", Ok(Command::List(Some(2)))),
            (b"LIST 0\r\n", Err(ParseError::InvalidNumber)),
            (b"LIST x\r\n", Err(ParseError::InvalidNumber)),
            (b"LIST 4294967296\r\n", Err(ParseError::InvalidNumber)),
            (b"RETR 1\r\n", Ok(Command::Retr(1))),
            (b"RETR\r\n", Err(ParseError::MissingArgument)),
            (b"DELE 1\r\n", Ok(Command::Dele(1))),
            (b"NOOP\r\n", Ok(Command::Noop)),
            (b"NOOP 1\r\n", Err(ParseError::TooManyArguments)),
            (b"RSET\r\n", Ok(Command::Rset)),
            (b"QUIT\r\n", Ok(Command::Quit)),
            // RFC 1939 §7 TOP / UIDL
            (
                b"TOP 1 10\r\n",
                Ok(Command::Top {
                    message: 1,
                    lines: 10,
                }),
            ),
            (
                b"TOP 1 0\r\n",
                Ok(Command::Top {
                    message: 1,
                    lines: 0,
                }),
            ),
            (b"TOP 1\r\n", Err(ParseError::MissingArgument)),
            (b"UIDL\r\n", Ok(Command::Uidl(None))),
            (b"UIDL 2\r\n", Ok(Command::Uidl(Some(2)))),
            // RFC 2449 §5, RFC 2595 §4, RFC 6856 §2
            (b"CAPA\r\n", Ok(Command::Capa)),
            (b"STLS\r\n", Ok(Command::Stls)),
            (b"UTF8\r\n", Ok(Command::Utf8)),
            // RFC 5034 §4
            (
                b"AUTH plain dGVzdAB0ZXN0AHRlc3Q=\r\n",
                Ok(Command::Auth {
                    mechanism: "PLAIN".into(),
                    initial_response: Some("dGVzdAB0ZXN0AHRlc3Q=".into()),
                }),
            ),
            (
                b"AUTH CRAM-MD5\r\n",
                Ok(Command::Auth {
                    mechanism: "CRAM-MD5".into(),
                    initial_response: None,
                }),
            ),
            (b"AUTH\r\n", Err(ParseError::MissingArgument)),
            (b"AUTH a=b\r\n", Err(ParseError::InvalidArgument)),
            // Unknown keywords (RFC 1939 §3: -ERR)
            (b"XYZZY\r\n", Err(ParseError::UnknownCommand)),
            (b"\r\n", Err(ParseError::UnknownCommand)),
            (b"HELO x\r\n", Err(ParseError::UnknownCommand)),
            // RFC 1939 §3: no CR or NUL inside a command line.
            (b"PASS a\rb\r\n", Err(ParseError::InvalidArgument)),
            (b"USER a\0\r\n", Err(ParseError::InvalidArgument)),
        ];
        for (line, expected) in rows {
            assert_eq!(cmd(line), expected, "{:?}", String::from_utf8_lossy(line));
        }
        assert_eq!(Command::parse(b"USER mro"), Ok(None));
        assert_eq!(
            Command::parse(b"NOOP\r\nSTAT\r\n"),
            Ok(Some((6, Command::Noop)))
        );
    }

    /// Status lines, RFC 1939 §3 and the response codes of RFC 2449 §8,
    /// RFC 3206 §4-§5, and the continuation of RFC 5034 §4.
    #[test]
    fn response_known_answers() {
        let status = |ok, code, text: &str| {
            Ok(Response::Status(Status {
                ok,
                code,
                text: text.into(),
            }))
        };
        let rows: Vec<(&[u8], Result<Response, ParseError>)> = vec![
            (
                b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
                status(
                    true,
                    None,
                    "POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
                ),
            ),
            (b"+OK\r\n", status(true, None, "")),
            (
                b"-ERR no such message\r\n",
                status(false, None, "no such message"),
            ),
            (
                b"-ERR [IN-USE] Do you have another POP session running?\r\n",
                status(
                    false,
                    Some(ResponseCode::InUse),
                    "Do you have another POP session running?",
                ),
            ),
            (
                b"-ERR [LOGIN-DELAY] wait\r\n",
                status(false, Some(ResponseCode::LoginDelay), "wait"),
            ),
            (
                b"-ERR [SYS/TEMP] x\r\n",
                status(false, Some(ResponseCode::SysTemp), "x"),
            ),
            (
                b"-ERR [SYS/PERM] x\r\n",
                status(false, Some(ResponseCode::SysPerm), "x"),
            ),
            (
                b"-ERR [AUTH] bad\r\n",
                status(false, Some(ResponseCode::Auth), "bad"),
            ),
            (
                b"-ERR [X-FOO/BAR] y\r\n",
                status(false, Some(ResponseCode::Other("X-FOO/BAR".into())), "y"),
            ),
            // A malformed code stays text (RFC 2449 §8).
            (b"-ERR [a b] y\r\n", status(false, None, "[a b] y")),
            (b"-ERR [open\r\n", status(false, None, "[open")),
            (b"+ \r\n", Ok(Response::Continuation(Vec::new()))),
            (
                b"+ PDEyMzQ+\r\n",
                Ok(Response::Continuation(b"PDEyMzQ+".to_vec())),
            ),
            (b"+OKAY\r\n", Err(ParseError::InvalidStatus)),
            (b"* OK\r\n", Err(ParseError::InvalidStatus)),
        ];
        for (line, expected) in rows {
            let got = Response::parse(line).map(|r| r.expect("complete").1);
            assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(line));
        }
        assert_eq!(Response::parse(b"+OK"), Ok(None));
    }

    /// CAPA tags of RFC 2449 §6, RFC 2595 §4, RFC 3206 §6, RFC 6856 §2.
    #[test]
    fn capability_known_answers() {
        let rows: Vec<(&[u8], Capability)> = vec![
            (b"TOP", C::Top),
            (b"USER", C::User),
            (
                b"SASL PLAIN cram-md5",
                C::Sasl(vec!["PLAIN".into(), "CRAM-MD5".into()]),
            ),
            (b"RESP-CODES", C::RespCodes),
            (
                b"LOGIN-DELAY 900",
                C::LoginDelay {
                    seconds: 900,
                    per_user: false,
                },
            ),
            (
                b"LOGIN-DELAY 0 USER",
                C::LoginDelay {
                    seconds: 0,
                    per_user: true,
                },
            ),
            (b"PIPELINING", C::Pipelining),
            (
                b"EXPIRE NEVER",
                C::Expire {
                    policy: Expire::Never,
                    per_user: false,
                },
            ),
            (
                b"EXPIRE 60 USER",
                C::Expire {
                    policy: Expire::Days(60),
                    per_user: true,
                },
            ),
            (b"UIDL", C::Uidl),
            (
                b"IMPLEMENTATION Shlemazle Plotz v302",
                C::Implementation("Shlemazle Plotz v302".into()),
            ),
            (b"AUTH-RESP-CODE", C::AuthRespCode),
            (b"STLS", C::Stls),
            (b"UTF8 USER", C::Utf8 { user: true }),
            (b"UTF8", C::Utf8 { user: false }),
            (
                b"X-FOO a b",
                C::Other {
                    tag: "X-FOO".into(),
                    params: vec!["a".into(), "b".into()],
                },
            ),
            (
                b"EXPIRE soon",
                C::Other {
                    tag: "EXPIRE".into(),
                    params: vec!["soon".into()],
                },
            ),
        ];
        for (line, expected) in rows {
            let mut input = line.to_vec();
            input.extend_from_slice(b"\r\n");
            let got = Capability::parse(&input).unwrap().unwrap();
            assert_eq!(
                got,
                (input.len(), expected),
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(Capability::parse(b"\r\n"), Err(ParseError::InvalidListing));
    }

    /// Listings of RFC 1939 §5 (LIST) and §7 (UIDL).
    #[test]
    fn listing_known_answers() {
        assert_eq!(
            ScanListing::parse(b"2 200\r\n"),
            Ok(Some((
                7,
                ScanListing {
                    message: 2,
                    size: 200
                }
            )))
        );
        assert_eq!(
            ScanListing::parse(b"2\r\n"),
            Err(ParseError::InvalidListing)
        );
        assert_eq!(
            ScanListing::parse(b"x 1\r\n"),
            Err(ParseError::InvalidNumber)
        );
        assert_eq!(
            UniqueIdListing::parse(b"1 whqtswO00WBw418f9t5JxYwZ\r\n"),
            Ok(Some((
                28,
                UniqueIdListing {
                    message: 1,
                    uid: "whqtswO00WBw418f9t5JxYwZ".into()
                }
            )))
        );
        assert_eq!(
            UniqueIdListing::parse(b"1\r\n"),
            Err(ParseError::InvalidListing)
        );
        let long = format!("1 {}\r\n", "a".repeat(71));
        assert_eq!(
            UniqueIdListing::parse(long.as_bytes()),
            Err(ParseError::InvalidListing)
        );
        assert_eq!(
            parse_multiline(b"1 120\r\n..x\r\n.\r\nmore"),
            Ok(Some((15, vec![b"1 120".to_vec(), b".x".to_vec()])))
        );
        assert_eq!(parse_multiline(b"1 120\r\n"), Ok(None));
    }
}
