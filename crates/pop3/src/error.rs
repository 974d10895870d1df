//! Errors of each layer: parsing, the peer's protocol errors, API misuse.

use crate::types::CommandKind;

/// Why bytes did not parse as a command or a response line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The keyword is not a POP3 command this crate knows.
    #[error("unknown command")]
    UnknownCommand,
    /// A required argument is missing.
    #[error("missing argument")]
    MissingArgument,
    /// More arguments than the command takes.
    #[error("too many arguments")]
    TooManyArguments,
    /// A message number or count is not a decimal number in range.
    #[error("invalid number")]
    InvalidNumber,
    /// An argument is malformed (not UTF-8, bad characters, bad shape).
    #[error("invalid argument")]
    InvalidArgument,
    /// A response line does not start with `+OK`, `-ERR` or `+ `.
    #[error("invalid status indicator")]
    InvalidStatus,
    /// A line of a multi-line response is malformed.
    #[error("invalid listing line")]
    InvalidListing,
}

/// A protocol error of the peer, reported in an `Invalid` event; the machine
/// has already answered it (server) or given up on the reply (client).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A command line did not parse.
    #[error("bad command: {0}")]
    Syntax(ParseError),
    /// A command line is longer than the configured limit.
    #[error("line too long")]
    LineTooLong,
    /// The command is not valid in the current state.
    #[error("{0:?} not allowed in this state")]
    WrongState(CommandKind),
    /// USER/PASS refused because the connection is not yet protected.
    #[error("plaintext login refused before STLS")]
    PlaintextRefused,
    /// The message number does not exist or is deleted.
    #[error("no such message")]
    NoSuchMessage,
    /// Too many bad commands: the session is closed.
    #[error("too many bad commands")]
    TooManyErrors,
    /// More pipelined input was buffered than the configured limit.
    #[error("too much pipelined input")]
    InputOverflow,
    /// A response from the server did not parse (client side).
    #[error("bad response: {0}")]
    BadResponse(ParseError),
    /// The server sent data when no reply was expected (client side).
    #[error("unexpected response")]
    UnexpectedResponse,
    /// USER, PASS or APOP carried non-ASCII octets before the UTF8 command
    /// (RFC 6856 §2: UTF-8 user names and passwords only in UTF-8 mode).
    #[error("UTF-8 user name or password before the UTF8 command")]
    Utf8Required,
    /// AUTH named a SASL mechanism this server does not offer (now).
    #[error("unsupported SASL mechanism")]
    UnsupportedMechanism,
    /// The server reported AUTH success without proving it knows the
    /// password (SCRAM, RFC 5802 §9): the session is not trusted (client side).
    #[error("the server did not prove itself in SCRAM")]
    ServerNotVerified,
}

/// A call made out of order or with an impossible argument.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The method answers a decision that is not pending.
    #[error("no {0} decision is pending")]
    NotPending(&'static str),
    /// The session is closed.
    #[error("the session is closed")]
    Closed,
    /// An argument would put a line break or an invalid value on the wire.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// APOP needs the timestamp of the server's greeting, which had none.
    #[error("the greeting had no APOP timestamp")]
    NoApopTimestamp,
    /// No SASL mechanism is both advertised in CAPA and usable (or CAPA was
    /// not read yet).
    #[error("no common SASL mechanism")]
    NoCommonMechanism,
    /// The SASL exchange refused the call (server side).
    #[error("SASL: {0}")]
    Sasl(#[from] yubin_sasl::UsageError),
    /// The SASL client exchange could not start (client side).
    #[error("SASL client: {0}")]
    SaslClient(#[from] yubin_sasl::ClientError),
}
