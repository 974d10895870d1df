//! SMTP and LMTP commands (RFC 5321 §4.1.1 and the extensions).

use std::fmt;

use crate::address::{ForwardPath, Host, ReversePath};
use crate::param::{MailParameters, RcptParameters};

/// Base64 SASL data from the client: an initial response or an answer to a
/// 334 challenge, kept as sent (`=` for an empty initial response, RFC 4954
/// §4). Debug shows only its length, so logs never carry credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AuthData(pub String);

impl fmt::Debug for AuthData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthData(<{} octets redacted>)", self.0.len())
    }
}

/// One command from the client.
///
/// ```text
/// ehlo = "EHLO" SP ( Domain / address-literal ) CRLF        ; RFC 5321 §4.1.1.1
/// helo = "HELO" SP Domain CRLF
/// lhlo = "LHLO" SP ( Domain / address-literal ) CRLF        ; RFC 2033 §4.1
/// mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF ; §4.1.1.2
/// rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
///        Forward-path ) [SP Rcpt-parameters] CRLF            ; §4.1.1.3
/// data = "DATA" CRLF                                         ; §4.1.1.4
/// bdat = "BDAT" SP chunk-size [ SP end-marker ] CRLF         ; RFC 3030 §2
/// end-marker = "LAST"
/// rset = "RSET" CRLF                                         ; §4.1.1.5
/// vrfy = "VRFY" SP String CRLF                               ; §4.1.1.6
/// expn = "EXPN" SP String CRLF                               ; §4.1.1.7
/// help = "HELP" [ SP String ] CRLF                           ; §4.1.1.8
/// noop = "NOOP" [ SP String ] CRLF                           ; §4.1.1.9
/// quit = "QUIT" CRLF                                         ; §4.1.1.10
/// starttls = "STARTTLS" CRLF                                 ; RFC 3207 §4
/// auth = "AUTH" SP sasl-mech [SP initial-response] CRLF      ; RFC 4954 §4
/// etrn = "ETRN" SP [ "@" / "#" ] node-name CRLF              ; RFC 1985 §5
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `EHLO host`
    Ehlo(Host),
    /// `HELO host`
    Helo(Host),
    /// `LHLO host` (LMTP)
    Lhlo(Host),
    /// `MAIL FROM:<path> params`
    Mail {
        /// The reverse path.
        from: ReversePath,
        /// The parameters.
        params: MailParameters,
    },
    /// `RCPT TO:<path> params`
    Rcpt {
        /// The forward path.
        to: ForwardPath,
        /// The parameters.
        params: RcptParameters,
    },
    /// `DATA`
    Data,
    /// `BDAT size [LAST]`: `size` octets of the body follow the CRLF.
    Bdat {
        /// The chunk size in octets.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET`
    Rset,
    /// `NOOP [string]`
    Noop(Option<String>),
    /// `QUIT`
    Quit,
    /// `VRFY string`
    Vrfy(String),
    /// `EXPN string`
    Expn(String),
    /// `HELP [string]`
    Help(Option<String>),
    /// `STARTTLS`
    StartTls,
    /// `AUTH mechanism [initial-response]`
    Auth {
        /// The mechanism name, upper-cased.
        mechanism: String,
        /// The base64 initial response (`=` for empty), if any.
        initial_response: Option<AuthData>,
    },
    /// `ETRN node`
    Etrn(String),
}

impl Command {
    /// The verb, upper-case.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Ehlo(_) => "EHLO",
            Command::Helo(_) => "HELO",
            Command::Lhlo(_) => "LHLO",
            Command::Mail { .. } => "MAIL",
            Command::Rcpt { .. } => "RCPT",
            Command::Data => "DATA",
            Command::Bdat { .. } => "BDAT",
            Command::Rset => "RSET",
            Command::Noop(_) => "NOOP",
            Command::Quit => "QUIT",
            Command::Vrfy(_) => "VRFY",
            Command::Expn(_) => "EXPN",
            Command::Help(_) => "HELP",
            Command::StartTls => "STARTTLS",
            Command::Auth { .. } => "AUTH",
            Command::Etrn(_) => "ETRN",
        }
    }
}
