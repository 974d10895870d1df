//! The client side of a SASL exchange.

use std::fmt;

use thiserror::Error;

use crate::base64;
use crate::cram;
use crate::mechanism::Mechanism;
use crate::saslprep::{SaslPrepError, saslprep};
use crate::scram::{self, KEY_LEN};
use crate::secret::{Secret, constant_time_eq};
use crate::token;

/// What a client authenticates with.
#[derive(Debug, Clone)]
pub struct Credentials {
    authcid: String,
    authzid: Option<String>,
    secret: Secret,
    host: Option<String>,
    port: Option<u16>,
}

impl Credentials {
    /// A user name (authentication identity) and a password, or for the
    /// token mechanisms the user and an OAuth 2.0 access token.
    pub fn new(authcid: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self {
            authcid: authcid.into(),
            authzid: None,
            secret: secret.into(),
            host: None,
            port: None,
        }
    }

    /// Asks to act as another identity (RFC 4422 §3.4.1); PLAIN, SCRAM and
    /// OAUTHBEARER carry it, LOGIN, CRAM-MD5 and XOAUTH2 cannot (the exchange
    /// refuses to start rather than drop it silently).
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = Some(authzid.into());
        self
    }

    /// The server's host name and port for OAUTHBEARER's `host=` and `port=`
    /// keys (RFC 7628 §3.1).
    pub fn with_host_port(mut self, host: impl Into<String>, port: u16) -> Self {
        self.host = Some(host.into());
        self.port = Some(port);
        self
    }
}

/// Why a client exchange could not go on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// SCRAM-SHA-256 needs a client nonce from the caller.
    #[error("{0} needs a caller-supplied nonce")]
    MissingNonce(Mechanism),
    /// The nonce is not 1*printable without `,` (RFC 5802 §7).
    #[error("the client nonce is not valid for {0}")]
    InvalidNonce(Mechanism),
    /// The credentials cannot be sent with this mechanism (a NUL in a PLAIN
    /// field, an authzid LOGIN cannot carry, an empty user...).
    #[error("credentials not usable with {mechanism}: {detail}")]
    UnusableCredentials {
        /// The mechanism.
        mechanism: Mechanism,
        /// What is wrong.
        detail: &'static str,
    },
    /// The password is refused by SASLprep (RFC 4013 §2.3).
    #[error(transparent)]
    SaslPrep(#[from] SaslPrepError),
    /// The server sent a challenge where the mechanism has none.
    #[error("unexpected challenge from the server")]
    UnexpectedChallenge,
    /// The server's challenge does not follow the mechanism's syntax.
    #[error("malformed server challenge: {0}")]
    MalformedChallenge(&'static str),
    /// The SCRAM iteration count is 0 or above [`scram::MAX_ITERATIONS`].
    #[error("SCRAM iteration count {0} out of range")]
    IterationCount(u32),
    /// The SCRAM server sent `e=` (RFC 5802 §7).
    #[error("SCRAM server error: {0}")]
    ServerError(String),
    /// The SCRAM server signature is wrong: the server does not know the
    /// password (or someone is in the middle).
    #[error("the SCRAM server signature does not verify")]
    ServerSignatureMismatch,
    /// The server reported success before proving itself (SCRAM).
    #[error("the server reported success without a verified server signature")]
    ServerNotVerified,
    /// The exchange is finished; no more challenges are expected.
    #[error("the exchange is finished")]
    Finished,
}

enum State {
    /// Nothing sent yet.
    Start,
    PlainSent,
    LoginUserSent,
    LoginPasswordSent,
    CramSent,
    ScramFirstSent {
        client_first_bare: Vec<u8>,
    },
    ScramFinalSent {
        server_signature: [u8; KEY_LEN],
    },
    ScramVerified,
    TokenSent,
    TokenErrorAnswered,
    Done,
}

/// The client side of one SASL exchange.
///
/// Call order: [`ClientExchange::initial_response`] once (send it with the
/// AUTH command if it is `Some`), then [`ClientExchange::handle_challenge`]
/// for each challenge, sending each returned response, and finally
/// [`ClientExchange::finish`] when the server reports success.
pub struct ClientExchange {
    mechanism: Mechanism,
    credentials: Credentials,
    nonce: String,
    state: State,
    server_error: Option<Vec<u8>>,
    /// The initial response handed out, until the first challenge: an empty
    /// first challenge means the caller could not send it with the command.
    unsent_initial: Option<Vec<u8>>,
}

impl fmt::Debug for ClientExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientExchange")
            .field("mechanism", &self.mechanism)
            .field("authcid", &self.credentials.authcid)
            .finish_non_exhaustive()
    }
}

impl ClientExchange {
    /// Starts an exchange. `nonce` is the SCRAM client nonce (at least 18
    /// random printable characters without `,`, drawn by the caller); the
    /// other mechanisms ignore it.
    pub fn new(
        mechanism: Mechanism,
        mut credentials: Credentials,
        nonce: Option<&str>,
    ) -> Result<Self, ClientError> {
        let unusable = |detail| ClientError::UnusableCredentials { mechanism, detail };
        let has_nul = |s: &str| s.contains('\0');
        if credentials.authcid.is_empty() && mechanism != Mechanism::OAuthBearer {
            return Err(unusable("empty user name"));
        }
        if has_nul(&credentials.authcid)
            || has_nul(credentials.secret.expose())
            || credentials.authzid.as_deref().is_some_and(has_nul)
        {
            return Err(unusable("NUL in a credential"));
        }
        if credentials.authzid.is_some()
            && matches!(
                mechanism,
                Mechanism::Login | Mechanism::CramMd5 | Mechanism::XOAuth2
            )
        {
            return Err(unusable("this mechanism cannot carry an authzid"));
        }
        if credentials.secret.is_empty() {
            return Err(unusable("empty password or token"));
        }
        if !mechanism.uses_password() {
            // b64token (RFC 6750 §2.1), and no %x01 that would end a field.
            let token_ok = credentials.secret.expose().bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
            });
            let fields_ok = [
                Some(&credentials.authcid),
                credentials.authzid.as_ref(),
                credentials.host.as_ref(),
            ]
            .into_iter()
            .flatten()
            .all(|field| !field.chars().any(char::is_control));
            if !token_ok || !fields_ok {
                return Err(unusable(
                    "token must be a b64token and fields free of controls (RFC 7628 §3.1)",
                ));
            }
        }
        let nonce = match mechanism {
            Mechanism::ScramSha256 => {
                let nonce = nonce.ok_or(ClientError::MissingNonce(mechanism))?;
                if !scram::is_valid_nonce(nonce.as_bytes()) {
                    return Err(ClientError::InvalidNonce(mechanism));
                }
                saslprep(credentials.secret.expose())?;
                // RFC 5802 §5.1: the client SHOULD prepare the user name too.
                credentials.authcid = saslprep(&credentials.authcid)?.into_owned();
                nonce.to_owned()
            }
            _ => String::new(),
        };
        Ok(Self {
            mechanism,
            credentials,
            nonce,
            state: State::Start,
            server_error: None,
            unsent_initial: None,
        })
    }

    /// The mechanism of this exchange.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// The error text a token server sent before failing (RFC 7628 §3.2.2
    /// JSON), if any.
    pub fn server_error(&self) -> Option<&[u8]> {
        self.server_error.as_deref()
    }

    /// The initial response to send with the AUTH command, for the
    /// client-first mechanisms; `None` for LOGIN and CRAM-MD5 (and after the
    /// first call). If the protocol cannot send it (line too long), send the
    /// AUTH command without it: the server's empty challenge then gets the
    /// same message back from [`Self::handle_challenge`].
    pub fn initial_response(&mut self) -> Option<Vec<u8>> {
        if !matches!(self.state, State::Start) || !self.mechanism.client_first() {
            return None;
        }
        let message = self.first_message();
        self.unsent_initial = Some(message.clone());
        Some(message)
    }

    fn first_message(&mut self) -> Vec<u8> {
        let c = &self.credentials;
        match self.mechanism {
            Mechanism::Plain => {
                let mut out = Vec::new();
                if let Some(authzid) = &c.authzid {
                    out.extend_from_slice(authzid.as_bytes());
                }
                out.push(0);
                out.extend_from_slice(c.authcid.as_bytes());
                out.push(0);
                out.extend_from_slice(c.secret.expose().as_bytes());
                self.state = State::PlainSent;
                out
            }
            Mechanism::ScramSha256 => {
                let mut gs2 = b"n,".to_vec();
                if let Some(authzid) = &c.authzid {
                    gs2.extend_from_slice(b"a=");
                    gs2.extend_from_slice(scram::encode_saslname(authzid).as_bytes());
                }
                gs2.push(b',');
                let bare = format!("n={},r={}", scram::encode_saslname(&c.authcid), self.nonce)
                    .into_bytes();
                let mut out = gs2;
                out.extend_from_slice(&bare);
                self.state = State::ScramFirstSent {
                    client_first_bare: bare,
                };
                out
            }
            Mechanism::OAuthBearer => {
                let user = c
                    .authzid
                    .as_deref()
                    .or((!c.authcid.is_empty()).then_some(c.authcid.as_str()));
                let out =
                    token::encode_oauthbearer(user, c.secret.expose(), c.host.as_deref(), c.port);
                self.state = State::TokenSent;
                out
            }
            Mechanism::XOAuth2 => {
                self.state = State::TokenSent;
                token::encode_xoauth2(&c.authcid, c.secret.expose())
            }
            Mechanism::Login => {
                self.state = State::LoginUserSent;
                c.authcid.clone().into_bytes()
            }
            Mechanism::CramMd5 => Vec::new(),
        }
    }

    /// Handles one decoded server challenge and returns the response to send.
    pub fn handle_challenge(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ClientError> {
        if let Some(initial) = self.unsent_initial.take()
            && challenge.is_empty()
        {
            // RFC 4422 §3.3: the empty challenge asks for the initial
            // response the AUTH command did not carry.
            return Ok(initial);
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::Start => match self.mechanism {
                Mechanism::CramMd5 => {
                    if challenge.is_empty() {
                        return Err(ClientError::MalformedChallenge(
                            "CRAM-MD5 challenge is empty (RFC 2195 §2)",
                        ));
                    }
                    let digest = cram::digest(self.credentials.secret.expose(), challenge);
                    let mut out = self.credentials.authcid.clone().into_bytes();
                    out.push(b' ');
                    for byte in digest {
                        out.extend_from_slice(format!("{byte:02x}").as_bytes());
                    }
                    self.state = State::CramSent;
                    Ok(out)
                }
                // A client-first mechanism whose initial response was not
                // sent: the server asks with an empty challenge (RFC 4422 §3.3).
                // LOGIN's first challenge ("Username:") asks for the user.
                _ if challenge.is_empty() || self.mechanism == Mechanism::Login => {
                    Ok(self.first_message())
                }
                _ => Err(ClientError::UnexpectedChallenge),
            },
            State::LoginUserSent => {
                self.state = State::LoginPasswordSent;
                Ok(self.credentials.secret.expose().as_bytes().to_vec())
            }
            State::ScramFirstSent { client_first_bare } => {
                self.scram_server_first(&client_first_bare, challenge)
            }
            State::ScramFinalSent { server_signature } => {
                self.verify_server_final(&server_signature, challenge)?;
                self.state = State::ScramVerified;
                Ok(Vec::new())
            }
            State::TokenSent => {
                // RFC 7628 §3.2.2: an error challenge; answer %x01 (XOAUTH2:
                // empty) and expect the failure reply.
                self.server_error = Some(challenge.to_vec());
                self.state = State::TokenErrorAnswered;
                Ok(match self.mechanism {
                    Mechanism::OAuthBearer => vec![0x01],
                    _ => Vec::new(),
                })
            }
            State::Done => Err(ClientError::Finished),
            _ => Err(ClientError::UnexpectedChallenge),
        }
    }

    fn scram_server_first(
        &mut self,
        client_first_bare: &[u8],
        challenge: &[u8],
    ) -> Result<Vec<u8>, ClientError> {
        let malformed = ClientError::MalformedChallenge;
        let attrs = scram::attributes(challenge)
            .ok_or(malformed("server-first attributes (RFC 5802 §7)"))?;
        let mut attrs = attrs.into_iter();
        let (Some((b'r', nonce)), Some((b's', salt)), Some((b'i', iterations))) =
            (attrs.next(), attrs.next(), attrs.next())
        else {
            return Err(malformed("server-first must be r=, s=, i= (RFC 5802 §7)"));
        };
        if !nonce.starts_with(self.nonce.as_bytes())
            || nonce.len() == self.nonce.len()
            || !scram::is_valid_nonce(nonce)
        {
            return Err(malformed(
                "server nonce must extend the client nonce (RFC 5802 §5.1)",
            ));
        }
        let salt =
            base64::decode(salt).map_err(|_| malformed("salt is not base64 (RFC 5802 §7)"))?;
        let iterations: u32 = std::str::from_utf8(iterations)
            .ok()
            .filter(|i| i.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|i| i.parse().ok())
            .ok_or(malformed("iteration count is not a number (RFC 5802 §7)"))?;
        if iterations == 0 || iterations > scram::MAX_ITERATIONS {
            return Err(ClientError::IterationCount(iterations));
        }
        let password = saslprep(self.credentials.secret.expose())?;
        let salted = scram::salted_password(password.as_bytes(), &salt, iterations);
        let client_key = scram::client_key(&salted);
        let stored_key = scram::sha256(&client_key);
        let mut gs2 = b"n,".to_vec();
        if let Some(authzid) = &self.credentials.authzid {
            gs2.extend_from_slice(b"a=");
            gs2.extend_from_slice(scram::encode_saslname(authzid).as_bytes());
        }
        gs2.push(b',');
        let mut without_proof = b"c=".to_vec();
        base64::encode_into(&gs2, &mut without_proof);
        without_proof.extend_from_slice(b",r=");
        without_proof.extend_from_slice(nonce);
        let auth_message: [&[u8]; 5] = [client_first_bare, b",", challenge, b",", &without_proof];
        let client_signature = scram::hmac_sha256(&stored_key, &auth_message);
        let proof = scram::xor(&client_key, &client_signature);
        let server_signature = scram::hmac_sha256(&scram::server_key(&salted), &auth_message);
        let mut out = without_proof;
        out.extend_from_slice(b",p=");
        base64::encode_into(&proof, &mut out);
        self.state = State::ScramFinalSent { server_signature };
        Ok(out)
    }

    fn verify_server_final(
        &mut self,
        expected: &[u8; KEY_LEN],
        message: &[u8],
    ) -> Result<(), ClientError> {
        let first = message.split(|&b| b == b',').next().unwrap_or_default();
        if let Some(error) = first.strip_prefix(b"e=") {
            return Err(ClientError::ServerError(
                String::from_utf8_lossy(error).into_owned(),
            ));
        }
        let Some(verifier) = first.strip_prefix(b"v=") else {
            return Err(ClientError::MalformedChallenge(
                "server-final must be v= or e= (RFC 5802 §7)",
            ));
        };
        let signature = base64::decode(verifier)
            .map_err(|_| ClientError::MalformedChallenge("verifier is not base64"))?;
        if !constant_time_eq(&signature, expected) {
            return Err(ClientError::ServerSignatureMismatch);
        }
        Ok(())
    }

    /// The server reported success, with its additional data if the protocol
    /// carries any. For SCRAM-SHA-256 this checks that the server proved
    /// itself (in a challenge or in `additional_data`); without that the
    /// client must not trust the session.
    pub fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), ClientError> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::ScramFinalSent { server_signature } => match additional_data {
                Some(data) => self.verify_server_final(&server_signature, data),
                None => Err(ClientError::ServerNotVerified),
            },
            State::ScramFirstSent { .. } => Err(ClientError::ServerNotVerified),
            State::Start if self.mechanism == Mechanism::ScramSha256 => {
                Err(ClientError::ServerNotVerified)
            }
            State::Done => Err(ClientError::Finished),
            _ => Ok(()),
        }
    }
}
