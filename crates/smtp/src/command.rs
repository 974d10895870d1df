//! SMTP and LMTP commands (RFC 5321 §4.1.1 and the extensions).

use std::borrow::Cow;
use std::fmt;

use crate::address::{ForwardPath, Host, ReversePath};
use crate::param::{MailParameters, RcptParameters};

/// Base64 SASL data from the client: an initial response or an answer to a
/// 334 challenge, kept as sent (`=` for an empty initial response, RFC 4954
/// §4). Debug shows only its length, so logs never carry credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AuthData<'a>(pub Cow<'a, str>);

impl AuthData<'_> {
    /// The same data, owned.
    pub fn into_owned(self) -> AuthData<'static> {
        AuthData(Cow::Owned(self.0.into_owned()))
    }
}

impl fmt::Debug for AuthData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthData(<{} octets redacted>)", self.0.len())
    }
}

/// One command from the client, borrowing its text from the parsed line
/// (see [`Command::into_owned`]).
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
pub enum Command<'a> {
    /// `EHLO host`
    Ehlo(Host<'a>),
    /// `HELO host`
    Helo(Host<'a>),
    /// `LHLO host` (LMTP)
    Lhlo(Host<'a>),
    /// `MAIL FROM:<path> params`
    Mail {
        /// The reverse path.
        from: ReversePath<'a>,
        /// The parameters.
        params: MailParameters<'a>,
    },
    /// `RCPT TO:<path> params`
    Rcpt {
        /// The forward path.
        to: ForwardPath<'a>,
        /// The parameters.
        params: RcptParameters<'a>,
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
    Noop(Option<Cow<'a, str>>),
    /// `QUIT`
    Quit,
    /// `VRFY string`
    Vrfy(Cow<'a, str>),
    /// `EXPN string`
    Expn(Cow<'a, str>),
    /// `HELP [string]`
    Help(Option<Cow<'a, str>>),
    /// `STARTTLS`
    StartTls,
    /// `AUTH mechanism [initial-response]`
    Auth {
        /// The mechanism name, upper-cased.
        mechanism: Cow<'a, str>,
        /// The base64 initial response (`=` for empty), if any.
        initial_response: Option<AuthData<'a>>,
    },
    /// `ETRN node`
    Etrn(Cow<'a, str>),
}

impl Command<'_> {
    /// The same command, owning its text (for keeping it past the input
    /// buffer).
    pub fn into_owned(self) -> Command<'static> {
        let own = |s: Cow<'_, str>| Cow::Owned(s.into_owned());
        match self {
            Command::Ehlo(h) => Command::Ehlo(h.into_owned()),
            Command::Helo(h) => Command::Helo(h.into_owned()),
            Command::Lhlo(h) => Command::Lhlo(h.into_owned()),
            Command::Mail { from, params } => Command::Mail {
                from: from.into_owned(),
                params: params.into_owned(),
            },
            Command::Rcpt { to, params } => Command::Rcpt {
                to: to.into_owned(),
                params: params.into_owned(),
            },
            Command::Data => Command::Data,
            Command::Bdat { size, last } => Command::Bdat { size, last },
            Command::Rset => Command::Rset,
            Command::Noop(s) => Command::Noop(s.map(own)),
            Command::Quit => Command::Quit,
            Command::Vrfy(s) => Command::Vrfy(own(s)),
            Command::Expn(s) => Command::Expn(own(s)),
            Command::Help(s) => Command::Help(s.map(own)),
            Command::StartTls => Command::StartTls,
            Command::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: own(mechanism),
                initial_response: initial_response.map(AuthData::into_owned),
            },
            Command::Etrn(s) => Command::Etrn(own(s)),
        }
    }

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
