//! The protocol's values: commands, statuses, response codes, capabilities and
//! listings, each quoting its ABNF.

use std::fmt;

/// A credential (a PASS argument, an AUTH response) whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps bytes as a secret.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The secret bytes; call only where the secret is really needed.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value.as_bytes())
    }
}

/// A message number of the maildrop, counted from 1 (RFC 1939 §3, "msg").
pub type MessageNumber = u32;

/// A client command (RFC 1939 §5-§7, RFC 2449 §5, RFC 2595 §4, RFC 5034 §4,
/// RFC 6856 §2).
///
/// ```text
/// command  = keyword *(SP param) CRLF    ; RFC 2449 §9
/// keyword  = 3*4VCHAR
/// param    = 1*VCHAR
/// ```
///
/// Keywords are case-insensitive; arguments are kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `USER name` (RFC 1939 §7).
    User(String),
    /// `PASS string` (RFC 1939 §7): the rest of the line, spaces included.
    Pass(Secret),
    /// `APOP name digest` (RFC 1939 §7): `digest` is the hex MD5 of the
    /// greeting's timestamp followed by the shared secret.
    Apop {
        /// The mailbox name.
        name: String,
        /// 32 lowercase hex digits.
        digest: String,
    },
    /// `AUTH mechanism [initial-response]` (RFC 5034 §4); `=` as the initial
    /// response means an empty one.
    Auth {
        /// The SASL mechanism name, upper-cased.
        mechanism: String,
        /// The base64 initial response as sent (still encoded), if any.
        initial_response: Option<Secret>,
    },
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `CAPA` (RFC 2449 §5).
    Capa,
    /// `UTF8` (RFC 6856 §2).
    Utf8,
    /// `QUIT` (RFC 1939 §5, §6).
    Quit,
    /// `STAT` (RFC 1939 §5).
    Stat,
    /// `LIST [msg]` (RFC 1939 §5).
    List(Option<MessageNumber>),
    /// `RETR msg` (RFC 1939 §5).
    Retr(MessageNumber),
    /// `DELE msg` (RFC 1939 §5).
    Dele(MessageNumber),
    /// `NOOP` (RFC 1939 §5).
    Noop,
    /// `RSET` (RFC 1939 §5).
    Rset,
    /// `TOP msg n` (RFC 1939 §7).
    Top {
        /// The message.
        message: MessageNumber,
        /// How many lines of the body follow the header.
        lines: u32,
    },
    /// `UIDL [msg]` (RFC 1939 §7).
    Uidl(Option<MessageNumber>),
}

impl Command {
    /// The keyword, for correlating replies.
    pub fn kind(&self) -> CommandKind {
        match self {
            Self::User(_) => CommandKind::User,
            Self::Pass(_) => CommandKind::Pass,
            Self::Apop { .. } => CommandKind::Apop,
            Self::Auth { .. } => CommandKind::Auth,
            Self::Stls => CommandKind::Stls,
            Self::Capa => CommandKind::Capa,
            Self::Utf8 => CommandKind::Utf8,
            Self::Quit => CommandKind::Quit,
            Self::Stat => CommandKind::Stat,
            Self::List(_) => CommandKind::List,
            Self::Retr(_) => CommandKind::Retr,
            Self::Dele(_) => CommandKind::Dele,
            Self::Noop => CommandKind::Noop,
            Self::Rset => CommandKind::Rset,
            Self::Top { .. } => CommandKind::Top,
            Self::Uidl(_) => CommandKind::Uidl,
        }
    }

    /// Whether a `+OK` to this command is followed by a multi-line body
    /// (RFC 1939 §3).
    pub fn has_multiline_reply(&self) -> bool {
        matches!(
            self,
            Self::Capa | Self::List(None) | Self::Uidl(None) | Self::Retr(_) | Self::Top { .. }
        )
    }
}

/// The keyword of a [`Command`], without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is the command of the same name
pub enum CommandKind {
    User,
    Pass,
    Apop,
    Auth,
    Stls,
    Capa,
    Utf8,
    Quit,
    Stat,
    List,
    Retr,
    Dele,
    Noop,
    Rset,
    Top,
    Uidl,
}

impl CommandKind {
    /// The keyword as sent on the wire.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::User => "USER",
            Self::Pass => "PASS",
            Self::Apop => "APOP",
            Self::Auth => "AUTH",
            Self::Stls => "STLS",
            Self::Capa => "CAPA",
            Self::Utf8 => "UTF8",
            Self::Quit => "QUIT",
            Self::Stat => "STAT",
            Self::List => "LIST",
            Self::Retr => "RETR",
            Self::Dele => "DELE",
            Self::Noop => "NOOP",
            Self::Rset => "RSET",
            Self::Top => "TOP",
            Self::Uidl => "UIDL",
        }
    }
}

/// An extended response code (RFC 2449 §8, RFC 3206 §4, RFC 6856 §3).
///
/// ```text
/// resp-code  = "[" resp-level *("/" resp-level) "]"   ; RFC 2449 §9
/// resp-level = 1*rchar
/// rchar      = %x21-2E / %x30-5C / %x5E-7F
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseCode {
    /// `[IN-USE]`: the maildrop is locked by another session (RFC 2449 §8.1.1).
    InUse,
    /// `[LOGIN-DELAY]`: logged in too recently (RFC 2449 §8.1.2).
    LoginDelay,
    /// `[SYS/TEMP]`: a temporary system failure (RFC 3206 §4).
    SysTemp,
    /// `[SYS/PERM]`: a permanent system failure (RFC 3206 §4).
    SysPerm,
    /// `[AUTH]`: the credentials are wrong (RFC 3206 §5).
    Auth,
    /// `[UTF8]`: the mailbox needs UTF8 mode (RFC 6856 §3).
    Utf8,
    /// Any other code, kept as sent (without the brackets); clients treat it
    /// like no code (RFC 2449 §8).
    Other(String),
}

impl ResponseCode {
    /// The code as written between the brackets.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InUse => "IN-USE",
            Self::LoginDelay => "LOGIN-DELAY",
            Self::SysTemp => "SYS/TEMP",
            Self::SysPerm => "SYS/PERM",
            Self::Auth => "AUTH",
            Self::Utf8 => "UTF8",
            Self::Other(code) => code,
        }
    }

    /// The typed code for the text between the brackets (case-insensitive
    /// for the known codes).
    pub fn from_text(text: &str) -> Self {
        const KNOWN: [ResponseCode; 6] = [
            ResponseCode::InUse,
            ResponseCode::LoginDelay,
            ResponseCode::SysTemp,
            ResponseCode::SysPerm,
            ResponseCode::Auth,
            ResponseCode::Utf8,
        ];
        KNOWN
            .into_iter()
            .find(|code| code.as_str().eq_ignore_ascii_case(text))
            .unwrap_or_else(|| Self::Other(text.to_owned()))
    }
}

/// A single-line status (RFC 1939 §3, RFC 2449 §8).
///
/// ```text
/// single-line = status [SP text] CRLF        ; RFC 2449 §9
/// status      = "+OK" / "-ERR"
/// text        = *schar / resp-code *CHAR
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// `+OK` (true) or `-ERR` (false).
    pub ok: bool,
    /// The response code, if the text starts with one.
    pub code: Option<ResponseCode>,
    /// The human-readable text after the code (may be empty).
    pub text: String,
}

impl Status {
    /// A `+OK` with this text.
    pub fn ok(text: impl Into<String>) -> Self {
        Self {
            ok: true,
            code: None,
            text: text.into(),
        }
    }

    /// A `-ERR` with this text.
    pub fn err(text: impl Into<String>) -> Self {
        Self {
            ok: false,
            code: None,
            text: text.into(),
        }
    }

    /// A `-ERR [code]` with this text.
    pub fn err_with(code: ResponseCode, text: impl Into<String>) -> Self {
        Self {
            ok: false,
            code: Some(code),
            text: text.into(),
        }
    }
}

/// A server response line as the client reads it: a status, or an AUTH
/// continuation (RFC 5034 §4).
///
/// ```text
/// continue-req = "+" SP [base64] CRLF   ; RFC 5034 §4
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// `+OK ...` or `-ERR ...`.
    Status(Status),
    /// `+ challenge`: the base64 challenge as sent (still encoded).
    Continuation(Vec<u8>),
}

/// One line of a LIST reply (RFC 1939 §5).
///
/// ```text
/// scan-listing = msg SP size     ; RFC 1939 §5, sizes in octets
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanListing {
    /// The message number.
    pub message: MessageNumber,
    /// Its size in octets, as the server counts them (CRLF line endings).
    pub size: u64,
}

/// One line of a UIDL reply (RFC 1939 §7).
///
/// ```text
/// unique-id-listing = msg SP unique-id
/// unique-id         = 1*70 %x21-7E
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueIdListing {
    /// The message number.
    pub message: MessageNumber,
    /// Its unique id.
    pub uid: String,
}

/// The EXPIRE policy of a server (RFC 2449 §6.7).
///
/// ```text
/// expire-capa = "EXPIRE" SP expire-policy [SP "USER"]
/// expire-policy = 1*DIGIT / "NEVER"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expire {
    /// Messages are kept for this many days after retrieval.
    Days(u32),
    /// Messages are never deleted by the server.
    Never,
}

/// One capability of a CAPA reply (RFC 2449 §6, RFC 2595 §4, RFC 3206 §6,
/// RFC 5034 §3, RFC 6856 §2).
///
/// ```text
/// capability = capa-tag *(SP param) CRLF   ; RFC 2449 §9
/// capa-tag   = 1*cchar
/// cchar      = %x21-2D / %x2F-7F
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Capability {
    /// `TOP` (RFC 2449 §6.1).
    Top,
    /// `USER` (RFC 2449 §6.2).
    User,
    /// `SASL mech...` (RFC 2449 §6.3, RFC 5034 §3).
    Sasl(Vec<String>),
    /// `RESP-CODES` (RFC 2449 §6.4).
    RespCodes,
    /// `LOGIN-DELAY secs [USER]` (RFC 2449 §6.5).
    LoginDelay {
        /// Minimum seconds between logins.
        seconds: u32,
        /// The value may differ per user (only before login).
        per_user: bool,
    },
    /// `PIPELINING` (RFC 2449 §6.6).
    Pipelining,
    /// `EXPIRE policy [USER]` (RFC 2449 §6.7).
    Expire {
        /// The retention policy.
        policy: Expire,
        /// The value may differ per user (only before login).
        per_user: bool,
    },
    /// `UIDL` (RFC 2449 §6.8).
    Uidl,
    /// `IMPLEMENTATION text` (RFC 2449 §6.9).
    Implementation(String),
    /// `AUTH-RESP-CODE` (RFC 3206 §6).
    AuthRespCode,
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `UTF8 [USER]` (RFC 6856 §2).
    Utf8 {
        /// UTF-8 is also accepted in USER/PASS before the UTF8 command.
        user: bool,
    },
    /// Any other tag with its parameters, kept as sent.
    Other {
        /// The tag, as sent.
        tag: String,
        /// Its parameters.
        params: Vec<String>,
    },
}
