//! What the server machine reports to the application.

use bytes::Bytes;
use yubin_sasl::{Authenticated, Failure, Mechanism, Secret};

use crate::address::{ForwardPath, Host, ReversePath};
use crate::error::ParseError;
use crate::param::{MailParameters, RcptParameters};
use crate::reply::Reply;

/// Which greeting command the client used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelloVerb {
    /// `EHLO` (RFC 5321 §4.1.1.1)
    Ehlo,
    /// `HELO` (RFC 5321 §4.1.1.1)
    Helo,
    /// `LHLO` (RFC 2033 §4.1)
    Lhlo,
}

/// Why a message body was thrown away after the server itself answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AbortReason {
    /// The body was larger than `Config::max_message_size` (`552 5.3.4`).
    TooBig,
    /// The body had a bare CR or LF under `LineEndingPolicy::Reject`
    /// (`550 5.6.0`).
    BareLineEnding,
    /// A line was longer than `Config::max_text_line` (`554 5.6.0`).
    LineTooLong,
    /// RSET, a failed BDAT or the end of the session came before `BDAT
    /// LAST`.
    Reset,
}

/// A protocol error by the client, answered by the server itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The command line did not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The command is valid but not now (RFC 5321 §4.1.4: 503).
    #[error("bad sequence of commands: {0}")]
    BadSequence(&'static str),
    /// The command or parameter needs an extension that is not offered.
    #[error("not offered: {0}")]
    NotOffered(&'static str),
    /// The declared SIZE is over the limit (RFC 1870 §6.1: 552).
    #[error("declared message size exceeds the limit")]
    DeclaredSizeTooBig,
    /// Too many recipients (RFC 5321 §4.5.3.1.10: 452).
    #[error("too many recipients")]
    TooManyRecipients,
    /// A non-ASCII address without SMTPUTF8 (RFC 6531 §3.4: 553 5.6.7).
    #[error("non-ASCII address needs SMTPUTF8")]
    NeedsSmtpUtf8,
    /// AUTH before TLS where it is not offered (RFC 3207 §4: 530 5.7.0).
    #[error("must issue a STARTTLS command first")]
    NeedsTls,
    /// A mechanism that exposes the secret, before TLS (RFC 4954 §6: 538
    /// 5.7.11).
    #[error("encryption required for requested authentication mechanism")]
    MechanismNeedsTls,
    /// An unknown or not offered mechanism (RFC 4954 §4: 504 5.5.4).
    #[error("unrecognized authentication type")]
    UnknownMechanism,
    /// MAIL before AUTH when `Config::require_auth` (RFC 4954 §6: 530
    /// 5.7.0).
    #[error("authentication required")]
    AuthRequired,
}

/// Why the session closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client sent QUIT.
    Quit,
    /// The client sent before the greeting.
    EarlyTalker,
    /// Too many errors (`Config::hard_error_limit`).
    TooManyErrors,
    /// The adapter reported a timeout.
    Timeout,
    /// The application closed the session (for example a 421 reply).
    Application,
}

/// One thing the server reports; decision events wait for an answer
/// (`accept`, `reply`, or `reply_per_recipient`) before the machine reads on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Decision: EHLO/HELO/LHLO. `accept` replies 250 (with the
    /// capabilities for EHLO and LHLO).
    Hello {
        /// The verb used.
        verb: HelloVerb,
        /// The client's name for itself.
        host: Host<'static>,
    },
    /// Decision: MAIL FROM, parameters already checked against what is
    /// offered. `accept` replies `250 2.1.0`.
    MailFrom {
        /// The reverse path.
        from: ReversePath<'static>,
        /// The parameters (DSN's RET and ENVID, AUTH=, ... for the
        /// application to keep).
        params: MailParameters<'static>,
    },
    /// Decision: RCPT TO. `accept` replies `250 2.1.5`.
    RcptTo {
        /// The forward path.
        to: ForwardPath<'static>,
        /// The parameters (DSN's NOTIFY and ORCPT).
        params: RcptParameters<'static>,
    },
    /// Decision: DATA, with at least one accepted recipient. `accept`
    /// replies `354` and the body follows as [`Event::BodyChunk`]s.
    DataStart,
    /// Body bytes, dot-unstuffed for DATA, as sent for BDAT.
    BodyChunk(Bytes),
    /// Decision: the whole body has arrived (after `.` or `BDAT LAST`). Make
    /// the message durable, then `accept` (`250 2.0.0`, or one 250 per
    /// recipient in LMTP) or reply with an error; in LMTP use
    /// `reply_per_recipient` for mixed results.
    MessageEnd {
        /// Body octets received.
        size: u64,
        /// Accepted recipients, in order (what LMTP's replies refer to).
        recipients: Vec<ForwardPath<'static>>,
    },
    /// The body that was streamed is void; the server already replied.
    MessageAborted(AbortReason),
    /// Decision: VRFY. `accept` replies `252 2.1.5` (RFC 5321 §3.5.3).
    Verify(String),
    /// Decision: EXPN. `accept` replies `502 5.5.1` (not implemented).
    Expand(String),
    /// Decision: STARTTLS. `accept` replies `220 2.0.0`, drops any input
    /// already buffered (RFC 3207 §4.2) and ignores input until
    /// `tls_established`; the adapter sends the reply, then does the
    /// handshake.
    StartTls,
    /// Decision: AUTH with a mechanism that is offered (RFC 4954 §4).
    /// Answer with `Server::start_auth` (giving the nonce CRAM-MD5 and
    /// SCRAM-SHA-256 need; `accept` starts the others), or refuse with
    /// `reply` (for example `454 4.7.0` when the user store is down).
    AuthStart {
        /// The mechanism asked for.
        mechanism: Mechanism,
    },
    /// Decision: PLAIN or LOGIN credentials. Answer with
    /// `Server::auth_verify` (`accept` means `auth_verify(true)`).
    AuthVerifyPassword {
        /// The authorization identity asked for, if any.
        authzid: Option<String>,
        /// The user name.
        authcid: String,
        /// The password (Debug redacts it).
        password: Secret,
    },
    /// Decision: CRAM-MD5 needs the user's shared secret; answer with
    /// `Server::auth_cram_secret`.
    AuthCramSecret {
        /// The user name.
        username: String,
    },
    /// Decision: SCRAM-SHA-256 needs the user's stored keys; answer with
    /// `Server::auth_scram_credentials`.
    AuthScramCredentials {
        /// The authorization identity asked for, if any.
        authzid: Option<String>,
        /// The user name.
        username: String,
    },
    /// Decision: an OAUTHBEARER or XOAUTH2 token to validate; answer with
    /// `Server::auth_verify`.
    AuthVerifyToken {
        /// Which mechanism.
        mechanism: Mechanism,
        /// The user the client names, if any.
        user: Option<String>,
        /// The bearer token (Debug redacts it).
        token: Secret,
    },
    /// AUTH succeeded; `235 2.7.0` has been queued.
    Authenticated(Authenticated),
    /// AUTH failed (bad credentials: `535 5.7.8`; `*`: `501 5.0.0`;
    /// malformed: `501 5.5.2`); the reply has been queued.
    AuthFailed(Failure),
    /// The client made a protocol error; `reply` has been queued.
    ProtocolError {
        /// What was wrong.
        error: ProtocolError,
        /// What the server answered.
        reply: Reply,
    },
    /// The error count reached `Config::soft_error_limit`: the adapter
    /// should slow down (Postfix sleeps a second per reply from here on).
    SlowDown {
        /// Errors so far.
        errors: u32,
    },
    /// The session is over; send what `poll_transmit` gives, then close.
    Closed(CloseReason),
}

impl Event {
    /// Whether the machine waits for an answer to this event.
    pub fn is_decision(&self) -> bool {
        matches!(
            self,
            Event::Hello { .. }
                | Event::MailFrom { .. }
                | Event::RcptTo { .. }
                | Event::DataStart
                | Event::MessageEnd { .. }
                | Event::Verify(_)
                | Event::Expand(_)
                | Event::StartTls
                | Event::AuthStart { .. }
                | Event::AuthVerifyPassword { .. }
                | Event::AuthCramSecret { .. }
                | Event::AuthScramCredentials { .. }
                | Event::AuthVerifyToken { .. }
        )
    }
}
