//! The line framing SMTP AUTH (RFC 4954 §4) and POP3 AUTH (RFC 5034 §4)
//! share: challenges and responses travel base64-encoded on their own lines,
//! an initial response of `=` means "empty", and a line `*` cancels.
//!
//! ```text
//! ; RFC 4954 §4 / RFC 5034 §4
//! auth-command      = "AUTH" SP sasl-mech [SP initial-response]
//! initial-response  = base64 / "="
//! continue-req      = "334" SP [base64] CRLF      ; SMTP; POP3: "+" SP [base64]
//! client-response   = base64 / "*"               ; "*" cancels (RFC 4422 §3.5)
//! ```
//!
//! The functions take a line without its CRLF (a trailing CRLF or LF is
//! tolerated and removed).

use thiserror::Error;

use crate::base64::{self, Base64Error};

/// The longest encoded client line accepted by default: RFC 4954 §4 makes an
/// SMTP server accept AUTH lines of at least 12288 octets. POP3 carries the
/// same base64 messages, so the same bound serves it (a POP3 server may pass
/// a smaller one).
pub const DEFAULT_MAX_LINE: usize = 12288;

/// The line a client sends to cancel an exchange (RFC 4422 §3.5, RFC 4954 §4).
pub const CANCEL: &[u8] = b"*";

/// What a client's continuation line means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientLine {
    /// A response, already base64-decoded (possibly empty).
    Response(Vec<u8>),
    /// The client sent `*`: the exchange is cancelled (RFC 4422 §3.5); SMTP
    /// answers 501 (RFC 4954 §4), POP3 `-ERR` (RFC 5034 §4).
    Cancel,
}

/// Why a line of the AUTH exchange was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FramingError {
    /// The encoded line is longer than the limit (SMTP: 500 5.5.6).
    #[error("AUTH line of {len} octets exceeds the limit of {limit}")]
    TooLong {
        /// The length of the line.
        len: usize,
        /// The limit it exceeded.
        limit: usize,
    },
    /// The line is not strict base64 (SMTP: 501 5.5.2, RFC 4954 §4).
    #[error("AUTH data is not valid base64: {0}")]
    Base64(#[from] Base64Error),
}

fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn check_len(line: &[u8], limit: usize) -> Result<(), FramingError> {
    if line.len() > limit {
        return Err(FramingError::TooLong {
            len: line.len(),
            limit,
        });
    }
    Ok(())
}

/// Decodes a client's continuation line (the reply to a challenge): `*`
/// cancels, the empty line is an empty response, anything else must be strict
/// base64 of at most `max_line` octets.
pub fn decode_client_line(line: &[u8], max_line: usize) -> Result<ClientLine, FramingError> {
    let line = strip_line_end(line);
    check_len(line, max_line)?;
    if line == CANCEL {
        return Ok(ClientLine::Cancel);
    }
    Ok(ClientLine::Response(base64::decode(line)?))
}

/// Decodes the initial-response argument of an AUTH command: `=` is the empty
/// response (RFC 4954 §4, RFC 5034 §4), anything else strict base64.
pub fn decode_initial_response(arg: &[u8], max_line: usize) -> Result<Vec<u8>, FramingError> {
    let arg = strip_line_end(arg);
    check_len(arg, max_line)?;
    if arg == b"=" {
        return Ok(Vec::new());
    }
    Ok(base64::decode(arg)?)
}

/// Appends the text of a server challenge (to follow `334 ` or `+ `): its
/// base64, which is empty for an empty challenge.
pub fn encode_challenge(challenge: &[u8], out: &mut Vec<u8>) {
    base64::encode_into(challenge, out);
}

/// Decodes the text of a server challenge (after `334 ` or `+ `), for the
/// client side. An empty text is an empty challenge.
pub fn decode_challenge(text: &[u8]) -> Result<Vec<u8>, FramingError> {
    let text = strip_line_end(text);
    Ok(base64::decode(text)?)
}

/// Appends the AUTH command argument for an initial response: `=` if it is
/// empty (RFC 4954 §4), its base64 otherwise.
pub fn encode_initial_response(response: &[u8], out: &mut Vec<u8>) {
    if response.is_empty() {
        out.push(b'=');
    } else {
        base64::encode_into(response, out);
    }
}

/// Appends a client's continuation line (without CRLF): the base64 of the
/// response, empty for an empty response.
pub fn encode_response(response: &[u8], out: &mut Vec<u8>) {
    base64::encode_into(response, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Client continuation lines, RFC 4954 §4 and RFC 5034 §4.
    #[test]
    fn client_line_rows() {
        let limit = DEFAULT_MAX_LINE;
        let rows: &[(&[u8], Result<ClientLine, FramingError>)] = &[
            (b"*", Ok(ClientLine::Cancel)), // RFC 4954 §4: "*" cancels
            (b"*\r\n", Ok(ClientLine::Cancel)),
            (b"", Ok(ClientLine::Response(vec![]))), // empty response
            (b"\r\n", Ok(ClientLine::Response(vec![]))),
            (b"dGVzdA==", Ok(ClientLine::Response(b"test".to_vec()))),
            (
                b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n",
                Ok(ClientLine::Response(b"\0tim\0tanstaaftanstaaf".to_vec())),
            ),
            (b"**", Err(FramingError::Base64(Base64Error::Length(2)))),
            (b"=", Err(FramingError::Base64(Base64Error::Length(1)))), // "=" only as initial response
            (b"dGVzdA", Err(FramingError::Base64(Base64Error::Length(6)))),
            (
                b"dGVzdA= =",
                Err(FramingError::Base64(Base64Error::Length(9))),
            ),
            (
                b" dGVzdA==",
                Err(FramingError::Base64(Base64Error::Length(9))),
            ),
            (
                b"dGVz dA=",
                Err(FramingError::Base64(Base64Error::InvalidByte {
                    offset: 4,
                    byte: b' ',
                })),
            ),
        ];
        for (line, expected) in rows {
            assert_eq!(
                &decode_client_line(line, limit),
                expected,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
        let long = vec![b'A'; 16];
        assert_eq!(
            decode_client_line(&long, 12),
            Err(FramingError::TooLong { len: 16, limit: 12 })
        );
        assert_eq!(
            decode_client_line(&long, 16),
            Ok(ClientLine::Response(vec![0; 12]))
        );
    }

    /// Initial responses: RFC 4954 §4 "=" is the empty initial response.
    #[test]
    fn initial_response_rows() {
        assert_eq!(decode_initial_response(b"=", 100), Ok(vec![]));
        assert_eq!(
            decode_initial_response(b"AGZvbwBiYXI=", 100),
            Ok(b"\0foo\0bar".to_vec())
        );
        assert!(decode_initial_response(b"==", 100).is_err());
        assert!(decode_initial_response(b"*", 100).is_err());
        let mut out = Vec::new();
        encode_initial_response(b"", &mut out);
        assert_eq!(out, b"=");
        out.clear();
        encode_initial_response(b"\0foo\0bar", &mut out);
        assert_eq!(out, b"AGZvbwBiYXI=");
    }

    /// Challenges: RFC 4954 §4 "334" followed by base64, empty for no data.
    #[test]
    fn challenge_rows() {
        let mut out = Vec::new();
        encode_challenge(b"", &mut out);
        assert_eq!(out, b"");
        encode_challenge(b"Username:", &mut out);
        assert_eq!(out, b"VXNlcm5hbWU6");
        assert_eq!(
            decode_challenge(b"VXNlcm5hbWU6\r\n"),
            Ok(b"Username:".to_vec())
        );
        assert_eq!(decode_challenge(b""), Ok(vec![]));
        let mut line = Vec::new();
        encode_response(b"", &mut line);
        assert_eq!(line, b"");
    }
}
