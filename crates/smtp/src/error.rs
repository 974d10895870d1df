//! Errors of the parse layer and of API misuse.

/// Why some bytes are not a valid SMTP command or reply.
///
/// The server turns each variant into the reply RFC 5321 §4.2.4 asks for
/// (see [`ParseError::reply_code`]); the message says what was wrong so a
/// human reading a transcript can tell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The line is longer than the limit (RFC 5321 §4.5.3.1.4 and the
    /// extensions that raise it).
    #[error("line too long (limit {limit} octets)")]
    LineTooLong {
        /// The limit that was exceeded, CRLF included.
        limit: usize,
    },
    /// A line ended in a bare LF or contains a bare CR (RFC 5321 §2.3.8).
    #[error("line not terminated by CRLF")]
    BareLineEnding,
    /// The verb is not a command this crate knows (RFC 5321 §4.2.4: 500).
    #[error("command not recognized")]
    UnknownCommand,
    /// The verb is known but its arguments do not match the grammar
    /// (RFC 5321 §4.2.2: 501).
    #[error("syntax error in {0}")]
    Syntax(&'static str),
    /// A parameter that must be given at most once was repeated, or one the
    /// command does not allow was given (RFC 5321 §4.1.1.11: 555).
    #[error("parameter not recognized or not implemented: {0}")]
    Parameter(&'static str),
    /// The bytes are not UTF-8 where RFC 6531 allows only UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A reply line does not start with a three-digit code (RFC 5321 §4.2).
    #[error("malformed reply")]
    MalformedReply,
}

impl ParseError {
    /// The reply code a server sends for this error (RFC 5321 §4.2.4 and
    /// §4.1.1.11).
    pub fn reply_code(&self) -> u16 {
        match self {
            ParseError::LineTooLong { .. }
            | ParseError::BareLineEnding
            | ParseError::UnknownCommand
            | ParseError::MalformedReply => 500,
            ParseError::Syntax(_) | ParseError::InvalidUtf8 => 501,
            ParseError::Parameter(_) => 555,
        }
    }

    /// The enhanced status code (RFC 3463) that goes with [`Self::reply_code`].
    pub fn enhanced_code(&self) -> (u8, u16, u16) {
        match self {
            ParseError::LineTooLong { .. } => (5, 5, 6),
            ParseError::BareLineEnding | ParseError::MalformedReply => (5, 5, 2),
            ParseError::UnknownCommand => (5, 5, 1),
            ParseError::Syntax(_) => (5, 5, 2),
            ParseError::InvalidUtf8 => (5, 6, 7),
            ParseError::Parameter(_) => (5, 5, 4),
        }
    }
}

/// A method was called when the machine was not in a state to take it.
///
/// This is a bug in the application, never the peer's doing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// A reply was given but no decision event is waiting for one.
    #[error("no decision is pending")]
    NoPendingDecision,
    /// The reply's code is not allowed for the decision (for example a 354
    /// answering RCPT).
    #[error("reply code {0} is not valid for this decision")]
    InvalidReplyCode(u16),
    /// The session is closed.
    #[error("session closed")]
    Closed,
    /// The machine is busy with another operation.
    #[error("busy: {0}")]
    Busy(&'static str),
    /// The operation needs a capability the server did not offer, or input
    /// that cannot be sent as it is.
    #[error("cannot send: {0}")]
    Unsendable(String),
}
