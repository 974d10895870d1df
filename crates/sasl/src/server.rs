//! The server side of a SASL exchange.

use std::fmt;

use md5::Md5;
use thiserror::Error;

use crate::base64;
use crate::framing::{self, ClientLine, FramingError};
use crate::mechanism::Mechanism;
use crate::scram::{self, KEY_LEN, ScramCredentials};
use crate::secret::{Secret, constant_time_eq};
use crate::token;

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

/// What the exchange waits for.
enum State {
    /// The client's next message. `first` is true until the client has sent
    /// anything and the first challenge has not gone out.
    Await(Awaiting),
    /// The application's answer.
    Decide(Decision),
    /// Success or failure has been queued.
    Done,
}

enum Awaiting {
    PlainMessage,
    LoginUser,
    LoginPassword { user: String },
    CramResponse,
    ScramFirst,
    ScramFinal(Box<ScramPending>),
    ScramFinalAck(Authenticated),
    TokenMessage,
    TokenErrorAck,
}

enum Decision {
    Password {
        authzid: Option<String>,
        authcid: String,
    },
    Token {
        user: Option<String>,
    },
    CramSecret {
        username: String,
        digest: [u8; 16],
    },
    ScramCredentials(Box<ScramFirst>),
}

struct ScramFirst {
    authzid: Option<String>,
    username: String,
    gs2_header: Vec<u8>,
    client_first_bare: Vec<u8>,
    client_nonce: Vec<u8>,
}

struct ScramPending {
    first: ScramFirst,
    credentials: ScramCredentials,
    server_first: Vec<u8>,
    nonce: Vec<u8>,
}

/// The server side of one SASL exchange (RFC 4422 §3): feed it the client's
/// messages, answer its decisions, and send the challenges it asks for.
///
/// See the crate docs for the call order. The client messages it parses:
///
/// ```text
/// ; PLAIN, RFC 4616 §2
/// message   = [authzid] UTF8NUL authcid UTF8NUL passwd
/// ; LOGIN, draft-murchison-sasl-login: the user name, then the password,
/// ; each answering a challenge ("Username:", "Password:")
/// ; CRAM-MD5, RFC 2195 §2: the reply to the challenge
/// response  = user SP 32(%x30-39 / %x61-66)     ; HMAC-MD5, lowercase hex
/// ; SCRAM-SHA-256, RFC 5802 §7 (see the `scram` module for the rest)
/// client-first-message = gs2-header client-first-message-bare
/// client-final-message = channel-binding "," nonce ["," extensions] "," proof
/// ; OAUTHBEARER, RFC 7628 §3.1
/// client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
/// ; XOAUTH2
/// xoauth2     = "user=" user %x01 "auth=Bearer " token %x01 %x01
/// ```
pub struct ServerExchange {
    mechanism: Mechanism,
    params: ServerParams,
    state: State,
    queued: Option<ServerEvent>,
    /// False until the first challenge went out or the client sent something.
    started: bool,
}

impl fmt::Debug for ServerExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Await(_) => "awaiting client",
            State::Decide(_) => "awaiting application",
            State::Done => "done",
        };
        f.debug_struct("ServerExchange")
            .field("mechanism", &self.mechanism)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl ServerExchange {
    /// Starts an exchange for `mechanism`. SCRAM-SHA-256 and CRAM-MD5 need
    /// [`ServerParams::nonce`].
    pub fn new(mechanism: Mechanism, params: ServerParams) -> Result<Self, UsageError> {
        let awaiting = match mechanism {
            Mechanism::Plain => Awaiting::PlainMessage,
            Mechanism::Login => Awaiting::LoginUser,
            Mechanism::CramMd5 => {
                let nonce = params
                    .nonce
                    .as_deref()
                    .ok_or(UsageError::MissingNonce(mechanism))?;
                if nonce.is_empty() || nonce.chars().any(char::is_control) {
                    return Err(UsageError::InvalidNonce(mechanism));
                }
                Awaiting::CramResponse
            }
            Mechanism::ScramSha256 => {
                let nonce = params
                    .nonce
                    .as_deref()
                    .ok_or(UsageError::MissingNonce(mechanism))?;
                if !scram::is_valid_nonce(nonce.as_bytes()) {
                    return Err(UsageError::InvalidNonce(mechanism));
                }
                Awaiting::ScramFirst
            }
            Mechanism::XOAuth2 | Mechanism::OAuthBearer => Awaiting::TokenMessage,
        };
        Ok(Self {
            mechanism,
            params,
            state: State::Await(awaiting),
            queued: None,
            started: false,
        })
    }

    /// The mechanism of this exchange.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// Whether success or failure has been reached (it may still be waiting
    /// in [`Self::poll`]).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// The next thing to do: a challenge to send, a decision to make, or the
    /// outcome. `None` means the exchange waits for the client (after a
    /// challenge), for the application (after a decision event), or is over.
    pub fn poll(&mut self) -> Option<ServerEvent> {
        if let Some(event) = self.queued.take() {
            return Some(event);
        }
        if !self.started {
            self.started = true;
            return match self.state {
                // Client-first mechanisms with no initial response: ask for it
                // with an empty challenge (RFC 4422 §3.3, RFC 4954 §4).
                State::Await(Awaiting::PlainMessage)
                | State::Await(Awaiting::ScramFirst)
                | State::Await(Awaiting::TokenMessage) => Some(ServerEvent::Challenge(Vec::new())),
                State::Await(Awaiting::LoginUser) => {
                    Some(ServerEvent::Challenge(b"Username:".to_vec()))
                }
                State::Await(Awaiting::CramResponse) => Some(ServerEvent::Challenge(
                    self.params.nonce.clone().unwrap_or_default().into_bytes(),
                )),
                _ => None,
            };
        }
        None
    }

    /// Feeds one base64 line of the client (a reply to a challenge, without
    /// or with its CRLF): `*` cancels, bad base64 or an overlong line fails
    /// the exchange. This is [`framing::decode_client_line`] followed by
    /// [`Self::handle_response`] or [`Self::handle_cancel`].
    pub fn handle_line(&mut self, line: &[u8]) -> Result<(), UsageError> {
        self.check_awaiting()?;
        match framing::decode_client_line(line, self.params.limits.max_line_len) {
            Ok(ClientLine::Response(data)) => self.handle_response(&data),
            Ok(ClientLine::Cancel) => self.handle_cancel(),
            Err(error) => {
                self.fail_framing(&error);
                Ok(())
            }
        }
    }

    /// Feeds the initial-response argument of the AUTH command as sent
    /// (base64, or `=` for an empty one). Bad base64 fails the exchange.
    pub fn handle_initial_response(&mut self, arg: &[u8]) -> Result<(), UsageError> {
        self.check_awaiting()?;
        match framing::decode_initial_response(arg, self.params.limits.max_line_len) {
            Ok(data) => self.handle_response(&data),
            Err(error) => {
                self.fail_framing(&error);
                Ok(())
            }
        }
    }

    fn fail_framing(&mut self, error: &FramingError) {
        let failure = match error {
            &FramingError::TooLong { len, limit } => Failure::TooLong { len, limit },
            _ => Failure::Malformed {
                mechanism: self.mechanism,
                detail: "not strict base64 (RFC 4648 §4, RFC 4954 §4)",
            },
        };
        self.fail(failure);
    }

    /// The client cancelled with `*` (RFC 4422 §3.5): the exchange fails
    /// with [`Failure::Cancelled`].
    pub fn handle_cancel(&mut self) -> Result<(), UsageError> {
        self.check_awaiting()?;
        self.fail(Failure::Cancelled);
        Ok(())
    }

    fn check_awaiting(&self) -> Result<(), UsageError> {
        if self.queued.is_some() {
            return Err(UsageError::EventPending);
        }
        match self.state {
            State::Await(_) => Ok(()),
            State::Decide(_) => Err(UsageError::NotAwaitingResponse),
            State::Done => Err(UsageError::Finished),
        }
    }

    fn fail(&mut self, failure: Failure) {
        self.state = State::Done;
        self.queued = Some(ServerEvent::Failure(failure));
    }

    fn malformed(&mut self, detail: &'static str) {
        self.fail(Failure::Malformed {
            mechanism: self.mechanism,
            detail,
        });
    }

    fn succeed(&mut self, authenticated: Authenticated) {
        self.state = State::Done;
        self.queued = Some(ServerEvent::Success(authenticated));
    }

    fn decide(&mut self, decision: Decision, event: ServerEvent) {
        self.state = State::Decide(decision);
        self.queued = Some(event);
    }

    fn challenge(&mut self, awaiting: Awaiting, challenge: Vec<u8>) {
        self.state = State::Await(awaiting);
        self.queued = Some(ServerEvent::Challenge(challenge));
    }

    /// Feeds one decoded client message: the initial response (possibly
    /// empty) or the reply to the last challenge. Malformed input fails the
    /// exchange (see [`Self::poll`]); only a call at the wrong time is an
    /// `Err`.
    pub fn handle_response(&mut self, data: &[u8]) -> Result<(), UsageError> {
        self.check_awaiting()?;
        let initial = !self.started;
        self.started = true;
        let limit = self.params.limits.max_response_len;
        if data.len() > limit {
            self.fail(Failure::TooLong {
                len: data.len(),
                limit,
            });
            return Ok(());
        }
        let State::Await(awaiting) = std::mem::replace(&mut self.state, State::Done) else {
            return Err(UsageError::NotAwaitingResponse);
        };
        match awaiting {
            Awaiting::PlainMessage => self.plain(data),
            Awaiting::LoginUser => self.login_user(data),
            Awaiting::LoginPassword { user } => self.login_password(user, data),
            Awaiting::CramResponse if initial => {
                self.malformed("CRAM-MD5 has no initial response (RFC 2195 §2, RFC 4422 §3.3)");
            }
            Awaiting::CramResponse => self.cram(data),
            Awaiting::ScramFirst => self.scram_first(data),
            Awaiting::ScramFinal(pending) => self.scram_final(*pending, data),
            Awaiting::ScramFinalAck(authenticated) => {
                if data.is_empty() {
                    self.succeed(authenticated);
                } else {
                    self.malformed("the reply to server-final must be empty (RFC 5802 §5)");
                }
            }
            Awaiting::TokenMessage => self.token(data),
            Awaiting::TokenErrorAck => {
                // RFC 7628 §3.2.3: the client answers the error with a lone
                // %x01; XOAUTH2 clients send an empty response. Either way
                // the exchange fails.
                self.fail(Failure::InvalidCredentials);
            }
        }
        Ok(())
    }

    fn plain(&mut self, data: &[u8]) {
        // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
        let mut parts = data.split(|&b| b == 0);
        let (Some(authzid), Some(authcid), Some(password), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return self.malformed("PLAIN needs exactly two NULs (RFC 4616 §2)");
        };
        let (Ok(authzid), Ok(authcid), Ok(password)) = (
            std::str::from_utf8(authzid),
            std::str::from_utf8(authcid),
            std::str::from_utf8(password),
        ) else {
            return self.malformed("PLAIN fields must be UTF-8 (RFC 4616 §2)");
        };
        if authcid.is_empty() || password.is_empty() {
            return self.malformed("PLAIN authcid and passwd must not be empty (RFC 4616 §2)");
        }
        let authzid = (!authzid.is_empty()).then(|| authzid.to_owned());
        self.decide(
            Decision::Password {
                authzid: authzid.clone(),
                authcid: authcid.to_owned(),
            },
            ServerEvent::VerifyPassword {
                authzid,
                authcid: authcid.to_owned(),
                password: Secret::new(password),
            },
        );
    }

    fn login_user(&mut self, data: &[u8]) {
        match std::str::from_utf8(data) {
            Ok(user) if !user.is_empty() && !user.contains('\0') => {
                self.challenge(
                    Awaiting::LoginPassword {
                        user: user.to_owned(),
                    },
                    b"Password:".to_vec(),
                );
            }
            _ => self.malformed("LOGIN user name must be non-empty UTF-8 without NUL"),
        }
    }

    fn login_password(&mut self, user: String, data: &[u8]) {
        match std::str::from_utf8(data) {
            Ok(password) if !password.contains('\0') => self.decide(
                Decision::Password {
                    authzid: None,
                    authcid: user.clone(),
                },
                ServerEvent::VerifyPassword {
                    authzid: None,
                    authcid: user,
                    password: Secret::new(password),
                },
            ),
            _ => self.malformed("LOGIN password must be UTF-8 without NUL"),
        }
    }

    fn cram(&mut self, data: &[u8]) {
        // RFC 2195 §2: the user name, a space, and the digest as 32 lowercase
        // hex digits. The name may contain spaces, so split at the last one.
        let Some(space) = data.iter().rposition(|&b| b == b' ') else {
            return self.malformed("CRAM-MD5 response needs `user SP digest` (RFC 2195 §2)");
        };
        let (user, hex) = (&data[..space], &data[space + 1..]);
        let Some(digest) = decode_hex_16(hex) else {
            return self.malformed("CRAM-MD5 digest must be 32 hex digits (RFC 2195 §2)");
        };
        match std::str::from_utf8(user) {
            Ok(username) if !username.is_empty() => self.decide(
                Decision::CramSecret {
                    username: username.to_owned(),
                    digest,
                },
                ServerEvent::CramSecretNeeded {
                    username: username.to_owned(),
                },
            ),
            _ => self.malformed("CRAM-MD5 user name must be non-empty UTF-8 (RFC 2195 §2)"),
        }
    }

    fn token(&mut self, data: &[u8]) {
        let parsed = match self.mechanism {
            Mechanism::OAuthBearer => token::parse_oauthbearer(data),
            _ => token::parse_xoauth2(data),
        };
        match parsed {
            Ok(message) => self.decide(
                Decision::Token {
                    user: message.user.clone(),
                },
                ServerEvent::VerifyToken {
                    mechanism: self.mechanism,
                    user: message.user,
                    token: message.token,
                    host: message.host,
                    port: message.port,
                },
            ),
            Err(token::TokenError::ChannelBinding) => {
                self.fail(Failure::ChannelBindingNotSupported);
            }
            Err(token::TokenError::Malformed(detail)) => self.malformed(detail),
        }
    }

    fn scram_first(&mut self, data: &[u8]) {
        match parse_scram_first(data) {
            Ok(first) => {
                let event = ServerEvent::ScramCredentialsNeeded {
                    authzid: first.authzid.clone(),
                    username: first.username.clone(),
                };
                self.decide(Decision::ScramCredentials(Box::new(first)), event);
            }
            Err(failure) => self.fail(failure.into_failure(self.mechanism)),
        }
    }

    fn scram_final(&mut self, pending: ScramPending, data: &[u8]) {
        // RFC 5802 §7: client-final-message-without-proof "," proof
        let Some(proof_at) = data.windows(3).rposition(|w| w == b",p=") else {
            return self.malformed("client-final needs a proof (RFC 5802 §7)");
        };
        let without_proof = &data[..proof_at];
        let Ok(proof) = base64::decode(&data[proof_at + 3..]) else {
            return self.malformed("proof is not base64 (RFC 5802 §7)");
        };
        let Ok(proof) = <[u8; KEY_LEN]>::try_from(proof) else {
            return self.malformed("proof must be 32 octets for SHA-256 (RFC 7677 §3)");
        };
        let Some(attrs) = scram::attributes(without_proof) else {
            return self.malformed("client-final attributes malformed (RFC 5802 §7)");
        };
        let (Some((b'c', binding)), Some((b'r', nonce))) = (attrs.first(), attrs.get(1)) else {
            return self.malformed("client-final must start with c= and r= (RFC 5802 §7)");
        };
        // Without channel binding, c= carries the gs2 header itself (RFC 5802 §7).
        if base64::decode(binding).ok().as_deref() != Some(&pending.first.gs2_header[..]) {
            return self
                .malformed("channel-binding c= does not match the gs2 header (RFC 5802 §7)");
        }
        if **nonce != pending.nonce[..] {
            return self.malformed("nonce r= does not match (RFC 5802 §5.1)");
        }
        let auth_message: [&[u8]; 5] = [
            &pending.first.client_first_bare,
            b",",
            &pending.server_first,
            b",",
            without_proof,
        ];
        let stored_key = pending.credentials.stored_key();
        let client_signature = scram::hmac_sha256(stored_key, &auth_message);
        let client_key = scram::xor(&proof, &client_signature);
        if !constant_time_eq(&scram::sha256(&client_key), stored_key) {
            return self.fail(Failure::InvalidCredentials);
        }
        let server_signature = scram::hmac_sha256(pending.credentials.server_key(), &auth_message);
        let mut server_final = b"v=".to_vec();
        base64::encode_into(&server_signature, &mut server_final);
        let mut authenticated = Authenticated {
            authcid: pending.first.username,
            authzid: pending.first.authzid,
            additional_data: None,
        };
        if self.params.success_data {
            authenticated.additional_data = Some(server_final);
            self.succeed(authenticated);
        } else {
            self.challenge(Awaiting::ScramFinalAck(authenticated), server_final);
        }
    }

    /// Accepts the pending PLAIN/LOGIN password or OAUTHBEARER/XOAUTH2 token:
    /// the exchange succeeds.
    pub fn accept(&mut self) -> Result<(), UsageError> {
        match self.take_decision("password or token")? {
            Decision::Password { authzid, authcid } => {
                self.succeed(Authenticated {
                    authcid,
                    authzid,
                    additional_data: None,
                });
                Ok(())
            }
            Decision::Token { user } => {
                self.succeed(Authenticated {
                    authcid: user.clone().unwrap_or_default(),
                    authzid: user,
                    additional_data: None,
                });
                Ok(())
            }
            other => {
                self.state = State::Decide(other);
                Err(UsageError::NoSuchDecision("password or token"))
            }
        }
    }

    /// Rejects the pending password or token. For the token mechanisms the
    /// client first gets an error challenge (RFC 7628 §3.2.2:
    /// `{"status":"invalid_token"}`) and the failure follows its reply.
    pub fn reject(&mut self) -> Result<(), UsageError> {
        let error = match self.mechanism {
            Mechanism::XOAuth2 => br#"{"status":"401","schemes":"bearer"}"#.to_vec(),
            _ => br#"{"status":"invalid_token"}"#.to_vec(),
        };
        self.reject_with(error)
    }

    /// Rejects the pending token with this error challenge (RFC 7628 §3.2.2
    /// JSON). For PLAIN/LOGIN it is the same as [`Self::reject`].
    pub fn reject_token_with(&mut self, error: impl Into<Vec<u8>>) -> Result<(), UsageError> {
        self.reject_with(error.into())
    }

    fn reject_with(&mut self, error: Vec<u8>) -> Result<(), UsageError> {
        match self.take_decision("password or token")? {
            Decision::Password { .. } => {
                self.fail(Failure::InvalidCredentials);
                Ok(())
            }
            Decision::Token { .. } => {
                self.challenge(Awaiting::TokenErrorAck, error);
                Ok(())
            }
            other => {
                self.state = State::Decide(other);
                Err(UsageError::NoSuchDecision("password or token"))
            }
        }
    }

    /// Answers [`ServerEvent::CramSecretNeeded`]: the user's shared secret,
    /// or `None` for an unknown user. The exchange then succeeds or fails.
    pub fn provide_cram_secret(&mut self, secret: Option<&Secret>) -> Result<(), UsageError> {
        match self.take_decision("CRAM-MD5 secret")? {
            Decision::CramSecret { username, digest } => {
                let challenge = self.params.nonce.as_deref().unwrap_or_default();
                let expected = secret.map(|s| cram_md5_digest(s.expose(), challenge.as_bytes()));
                match expected {
                    Some(expected) if constant_time_eq(&expected, &digest) => {
                        self.succeed(Authenticated {
                            authcid: username,
                            authzid: None,
                            additional_data: None,
                        });
                    }
                    _ => self.fail(Failure::InvalidCredentials),
                }
                Ok(())
            }
            other => {
                self.state = State::Decide(other);
                Err(UsageError::NoSuchDecision("CRAM-MD5 secret"))
            }
        }
    }

    /// Answers [`ServerEvent::ScramCredentialsNeeded`]: the stored
    /// credentials, or `None` for an unknown user (the exchange fails at
    /// once). To keep user names from being probed, give decoy credentials
    /// (a salt derived from the name with a server secret) instead of `None`:
    /// the exchange then fails at the proof like a wrong password.
    pub fn provide_scram_credentials(
        &mut self,
        credentials: Option<ScramCredentials>,
    ) -> Result<(), UsageError> {
        match self.take_decision("SCRAM credentials")? {
            Decision::ScramCredentials(first) => {
                let Some(credentials) = credentials else {
                    self.fail(Failure::InvalidCredentials);
                    return Ok(());
                };
                let server_nonce = self.params.nonce.as_deref().unwrap_or_default();
                let mut nonce = first.client_nonce.clone();
                nonce.extend_from_slice(server_nonce.as_bytes());
                let mut server_first = b"r=".to_vec();
                server_first.extend_from_slice(&nonce);
                server_first.extend_from_slice(b",s=");
                base64::encode_into(credentials.salt(), &mut server_first);
                server_first
                    .extend_from_slice(format!(",i={}", credentials.iterations()).as_bytes());
                let challenge = server_first.clone();
                self.challenge(
                    Awaiting::ScramFinal(Box::new(ScramPending {
                        first: *first,
                        credentials,
                        server_first,
                        nonce,
                    })),
                    challenge,
                );
                Ok(())
            }
            other => {
                self.state = State::Decide(other);
                Err(UsageError::NoSuchDecision("SCRAM credentials"))
            }
        }
    }

    fn take_decision(&mut self, wanted: &'static str) -> Result<Decision, UsageError> {
        if self.queued.is_some() {
            return Err(UsageError::EventPending);
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::Decide(decision) => Ok(decision),
            State::Done => Err(UsageError::Finished),
            other => {
                self.state = other;
                Err(UsageError::NoSuchDecision(wanted))
            }
        }
    }
}

/// HMAC-MD5 of the challenge keyed with the secret (RFC 2195 §2).
pub(crate) fn cram_md5_digest(secret: &str, challenge: &[u8]) -> [u8; 16] {
    use hmac::{KeyInit, Mac};
    match hmac::Hmac::<Md5>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(challenge);
            mac.finalize().into_bytes().into()
        }
        // HMAC takes keys of any length; unreachable in practice.
        Err(_) => [0; 16],
    }
}

fn decode_hex_16(hex: &[u8]) -> Option<[u8; 16]> {
    if hex.len() != 32 {
        return None;
    }
    let nibble = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

enum ScramFirstError {
    Malformed(&'static str),
    ChannelBinding,
    Extension,
}

impl ScramFirstError {
    fn into_failure(self, mechanism: Mechanism) -> Failure {
        match self {
            ScramFirstError::Malformed(detail) => Failure::Malformed { mechanism, detail },
            ScramFirstError::ChannelBinding => Failure::ChannelBindingNotSupported,
            ScramFirstError::Extension => Failure::UnsupportedExtension,
        }
    }
}

fn parse_scram_first(data: &[u8]) -> Result<ScramFirst, ScramFirstError> {
    use ScramFirstError::Malformed;
    // gs2-header = gs2-cbind-flag "," [ authzid ] ","
    let mut split = data.splitn(3, |&b| b == b',');
    let (Some(flag), Some(authzid), Some(bare)) = (split.next(), split.next(), split.next()) else {
        return Err(Malformed("client-first needs a gs2 header (RFC 5802 §7)"));
    };
    match flag {
        // 'y': the client could bind but thinks we cannot; we indeed do not
        // offer SCRAM-SHA-256-PLUS, so there is no downgrade (RFC 5802 §6).
        b"n" | b"y" => {}
        [b'p', b'=', ..] => return Err(ScramFirstError::ChannelBinding),
        _ => return Err(Malformed("gs2-cbind-flag must be n, y or p= (RFC 5802 §7)")),
    }
    let authzid = match authzid {
        [] => None,
        [b'a', b'=', name @ ..] => Some(
            scram::decode_saslname(name)
                .ok_or(Malformed("authzid is not a valid saslname (RFC 5802 §5.1)"))?,
        ),
        _ => return Err(Malformed("gs2 authzid must be a= (RFC 5802 §7)")),
    };
    let gs2_len = data.len() - bare.len();
    let attrs = scram::attributes(bare)
        .ok_or(Malformed("client-first attributes malformed (RFC 5802 §7)"))?;
    let mut attrs = attrs.into_iter();
    let mut next = attrs.next();
    if let Some((b'm', _)) = next {
        return Err(ScramFirstError::Extension);
    }
    let Some((b'n', name)) = next else {
        return Err(Malformed("client-first needs n= (RFC 5802 §7)"));
    };
    let username = scram::decode_saslname(name).ok_or(Malformed(
        "username is not a valid saslname (RFC 5802 §5.1)",
    ))?;
    next = attrs.next();
    let Some((b'r', nonce)) = next else {
        return Err(Malformed("client-first needs r= after n= (RFC 5802 §7)"));
    };
    if !scram::is_valid_nonce(nonce) {
        return Err(Malformed(
            "client nonce must be printable without `,` (RFC 5802 §7)",
        ));
    }
    Ok(ScramFirst {
        authzid,
        username,
        gs2_header: data[..gs2_len].to_vec(),
        client_first_bare: bare.to_vec(),
        client_nonce: nonce.to_vec(),
    })
}
