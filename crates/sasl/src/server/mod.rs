//! The server side of a SASL exchange.

mod event;
mod scram_steps;

use std::fmt;

use crate::cram;
use crate::framing::{self, ClientLine, FramingError};
use crate::mechanism::Mechanism;
use crate::scram::{self, ScramCredentials};
use crate::secret::{Secret, constant_time_eq};
use crate::token;

pub use event::{Authenticated, Failure, Limits, ServerEvent, ServerParams, UsageError};
use scram_steps::{ScramFirst, ScramPending, parse_scram_first};

enum State {
    /// The client's next message, of the kind named.
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
/// ; SCRAM-SHA-256, RFC 5802 §7
/// gs2-header           = gs2-cbind-flag "," [ authzid ] ","
/// gs2-cbind-flag       = ("p=" cb-name) / "n" / "y"      ; "p" is refused
/// client-first-message = gs2-header [reserved-mext ","] username "," nonce
///                        ["," extensions]
/// client-final-message = channel-binding "," nonce ["," extensions] "," proof
/// ; the server-final message, or an empty reply to it when it went out
/// ; as a challenge (ServerParams::success_data unset)
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
        let Some(digest) = cram::decode_hex_digest(hex) else {
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
            Err(failure) => self.fail(failure),
        }
    }

    fn scram_final(&mut self, pending: ScramPending, data: &[u8]) {
        match pending.verify_client_final(data) {
            Ok((server_final, mut authenticated)) if self.params.success_data => {
                authenticated.additional_data = Some(server_final);
                self.succeed(authenticated);
            }
            Ok((server_final, authenticated)) => {
                self.challenge(Awaiting::ScramFinalAck(authenticated), server_final);
            }
            Err(failure) => self.fail(failure),
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
                // An unknown user costs the same HMAC as a known one, so the
                // reply time does not tell which user names exist.
                let key = secret.map_or("", Secret::expose);
                let expected = cram::digest(key, challenge.as_bytes());
                match secret {
                    Some(_) if constant_time_eq(&expected, &digest) => {
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
    /// once). To keep user names from being probed, give
    /// [`ScramCredentials::decoy`] instead of `None`: the exchange then fails
    /// at the proof like a wrong password.
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
                let pending = ScramPending::new(*first, credentials, server_nonce);
                let challenge = pending.server_first().to_vec();
                self.challenge(Awaiting::ScramFinal(Box::new(pending)), challenge);
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
