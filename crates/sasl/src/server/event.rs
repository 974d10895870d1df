//! What a server exchange reports and how it is configured.

use std::fmt;

use thiserror::Error;

#[cfg(doc)]
use super::ServerExchange;
use crate::framing;
use crate::mechanism::Mechanism;
use crate::secret::Secret;

/// Size limits for what a client may send in one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The longest decoded client message, in octets. Default 12288, the AUTH
    /// line length RFC 4954 §4 makes SMTP servers accept; it bounds every
    /// client message of every mechanism (a base64 line of that length
    /// decodes to 9216 octets, so the default never cuts a conforming line).
    pub max_response_len: usize,
    /// The longest encoded line [`ServerExchange::handle_line`] and
    /// [`ServerExchange::handle_initial_response`] accept. Default
    /// [`framing::DEFAULT_MAX_LINE`] (12288, RFC 4954 §4).
    pub max_line_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_response_len: 12288,
            max_line_len: framing::DEFAULT_MAX_LINE,
        }
    }
}

/// Parameters of a server exchange.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ServerParams {
    /// The nonce the caller drew (this crate has no randomness source).
    /// Required for SCRAM-SHA-256, where it is the server's nonce part (at
    /// least 18 random printable characters, no `,`; RFC 5802 §5.1), and for
    /// CRAM-MD5, where it is the whole challenge, conventionally a msg-id like
    /// `<1896.697170952@postoffice.example.net>` (RFC 2195 §2) that must never
    /// repeat.
    pub nonce: Option<String>,
    /// Size limits.
    pub limits: Limits,
    /// Whether to send "additional data with success" (RFC 4422 §5) with the
    /// success reply. If not (the default), the SCRAM server-final message
    /// goes out as one more challenge and the exchange waits for the
    /// client's empty response, which every SASL profile allows (RFC 4422
    /// §5) and every client handles; if so, it is returned in
    /// [`Authenticated::additional_data`] for the protocol to put in its
    /// success reply.
    pub success_data: bool,
}

impl ServerParams {
    /// Default parameters: no nonce, default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the nonce (see [`ServerParams::nonce`]).
    pub fn with_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets whether success may carry additional data (see
    /// [`ServerParams::success_data`]).
    pub fn with_success_data(mut self, allowed: bool) -> Self {
        self.success_data = allowed;
        self
    }
}

/// The outcome of a successful exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Authenticated {
    /// The authentication identity: whose credentials were verified (for the
    /// token mechanisms, the user the client named, possibly empty; the
    /// application knows the token's subject).
    pub authcid: String,
    /// The authorization identity the client asked to act as, if it named one
    /// (RFC 4422 §3.4.1); `None` means "the same as `authcid`".
    pub authzid: Option<String>,
    /// Additional data with success (the SCRAM server-final message) when
    /// [`ServerParams::success_data`] is set.
    pub additional_data: Option<Vec<u8>>,
}

impl Authenticated {
    /// The identity the session acts as: the authzid if given, else the authcid.
    pub fn identity(&self) -> &str {
        self.authzid.as_deref().unwrap_or(&self.authcid)
    }
}

/// Why an exchange failed, with the reply each protocol gives.
///
/// | reason | SMTP (RFC 4954 §6) | POP3 (RFC 5034 §4, RFC 3206) |
/// |---|---|---|
/// | `Cancelled` | 501 5.0.0 | `-ERR` |
/// | `Malformed` | 501 5.5.2 | `-ERR` |
/// | `TooLong` | 500 5.5.6 | `-ERR` |
/// | `InvalidCredentials` | 535 5.7.8 | `-ERR [AUTH]` |
/// | `ChannelBindingNotSupported` | 535 5.7.8 | `-ERR [AUTH]` |
/// | `UnsupportedExtension` | 535 5.7.8 | `-ERR [AUTH]` |
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Failure {
    /// The client sent `*` (RFC 4422 §3.5).
    #[error("authentication cancelled by the client")]
    Cancelled,
    /// A client message does not follow the mechanism's syntax.
    #[error("malformed {mechanism} message: {detail}")]
    Malformed {
        /// The mechanism.
        mechanism: Mechanism,
        /// What was wrong, citing the RFC.
        detail: &'static str,
    },
    /// A client message or line exceeds [`Limits`].
    #[error("client message of {len} octets exceeds the limit of {limit}")]
    TooLong {
        /// The length received.
        len: usize,
        /// The limit it exceeded.
        limit: usize,
    },
    /// Wrong password, unknown user, bad proof or digest, rejected token, or
    /// an authorization identity the application refused.
    #[error("authentication credentials invalid")]
    InvalidCredentials,
    /// The SCRAM client required channel binding (gs2 flag `p`, RFC 5802
    /// §6), which this implementation does not offer.
    #[error("channel binding is not supported")]
    ChannelBindingNotSupported,
    /// The SCRAM client used a mandatory extension (`m=`, RFC 5802 §5.1).
    #[error("unsupported mandatory SCRAM extension")]
    UnsupportedExtension,
}

impl Failure {
    /// Whether this is a credentials failure (SMTP 535 5.7.8, POP3
    /// `-ERR [AUTH]`) rather than a protocol error or a cancel.
    pub fn is_credentials_failure(&self) -> bool {
        matches!(
            self,
            Failure::InvalidCredentials
                | Failure::ChannelBindingNotSupported
                | Failure::UnsupportedExtension
        )
    }
}

/// What the server exchange needs next; see [`ServerExchange::poll`].
#[non_exhaustive]
pub enum ServerEvent {
    /// Send this challenge (raw octets; base64 them with
    /// [`framing::encode_challenge`], after `334 ` in SMTP or `+ ` in POP3),
    /// then pass the client's reply to [`ServerExchange::handle_line`] or
    /// [`ServerExchange::handle_response`].
    Challenge(Vec<u8>),
    /// PLAIN or LOGIN: check the password of `authcid`, and that `authcid`
    /// may act as `authzid` when one is given. Answer with
    /// [`ServerExchange::accept`] or [`ServerExchange::reject`].
    VerifyPassword {
        /// The authorization identity asked for, if any.
        authzid: Option<String>,
        /// The authentication identity (user name).
        authcid: String,
        /// The password.
        password: Secret,
    },
    /// CRAM-MD5: give the shared secret (the plaintext password) of
    /// `username` with [`ServerExchange::provide_cram_secret`], `None` if
    /// there is no such user.
    CramSecretNeeded {
        /// The user name.
        username: String,
    },
    /// SCRAM-SHA-256: give the stored credentials of `username` with
    /// [`ServerExchange::provide_scram_credentials`], `None` if there is no
    /// such user or `username` may not act as `authzid`.
    ScramCredentialsNeeded {
        /// The authorization identity asked for, if any.
        authzid: Option<String>,
        /// The user name (saslname-decoded; SASLprep is the client's job,
        /// RFC 5802 §5.1).
        username: String,
    },
    /// OAUTHBEARER or XOAUTH2: validate this bearer token. Answer with
    /// [`ServerExchange::accept`] or [`ServerExchange::reject`] (or
    /// [`ServerExchange::reject_token_with`] to choose the error sent).
    VerifyToken {
        /// Which token mechanism.
        mechanism: Mechanism,
        /// The user the client names: OAUTHBEARER's gs2 `a=` (RFC 7628 §3.1),
        /// XOAUTH2's `user=`.
        user: Option<String>,
        /// The bearer token.
        token: Secret,
        /// OAUTHBEARER's `host=` key, if sent.
        host: Option<String>,
        /// OAUTHBEARER's `port=` key, if sent.
        port: Option<u16>,
    },
    /// The exchange succeeded.
    Success(Authenticated),
    /// The exchange failed.
    Failure(Failure),
}

impl fmt::Debug for ServerEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerEvent::Challenge(data) => f
                .debug_tuple("Challenge")
                .field(&String::from_utf8_lossy(data))
                .finish(),
            ServerEvent::VerifyPassword {
                authzid,
                authcid,
                password,
            } => f
                .debug_struct("VerifyPassword")
                .field("authzid", authzid)
                .field("authcid", authcid)
                .field("password", password)
                .finish(),
            ServerEvent::CramSecretNeeded { username } => f
                .debug_struct("CramSecretNeeded")
                .field("username", username)
                .finish(),
            ServerEvent::ScramCredentialsNeeded { authzid, username } => f
                .debug_struct("ScramCredentialsNeeded")
                .field("authzid", authzid)
                .field("username", username)
                .finish(),
            ServerEvent::VerifyToken {
                mechanism,
                user,
                token,
                host,
                port,
            } => f
                .debug_struct("VerifyToken")
                .field("mechanism", mechanism)
                .field("user", user)
                .field("token", token)
                .field("host", host)
                .field("port", port)
                .finish(),
            ServerEvent::Success(ok) => f.debug_tuple("Success").field(ok).finish(),
            ServerEvent::Failure(why) => f.debug_tuple("Failure").field(why).finish(),
        }
    }
}

/// A call made at the wrong point of the exchange (a bug in the caller, not
/// the client's fault).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UsageError {
    /// SCRAM-SHA-256 and CRAM-MD5 need [`ServerParams::nonce`].
    #[error("{0} needs a caller-supplied nonce")]
    MissingNonce(Mechanism),
    /// The SCRAM nonce is not 1*printable without `,` (RFC 5802 §7), or the
    /// CRAM-MD5 challenge is empty or has a control character.
    #[error("the nonce is not valid for {0}")]
    InvalidNonce(Mechanism),
    /// An event is waiting in [`ServerExchange::poll`]; take it first.
    #[error("an event is waiting: call poll() first")]
    EventPending,
    /// The exchange is not waiting for a client message now.
    #[error("the exchange is not waiting for a client message")]
    NotAwaitingResponse,
    /// The answer does not match the decision asked for (or none is asked).
    #[error("no {0} decision is pending")]
    NoSuchDecision(&'static str),
    /// The exchange has already succeeded or failed.
    #[error("the exchange is finished")]
    Finished,
}
