//! AUTH (RFC 4954) on the server, through yubin-sasl's exchanges.

use yubin_sasl::{
    Failure, Mechanism, ScramCredentials, Secret, ServerEvent, ServerExchange, ServerParams,
    framing,
};

use super::{Event, HelloVerb, Input, Pending, ProtocolError, Server};
use crate::command::AuthData;
use crate::error::UsageError;
use crate::reply::Reply;

/// Mechanisms that put the secret itself on the wire.
pub(super) fn exposes_secret(m: Mechanism) -> bool {
    !matches!(m, Mechanism::CramMd5 | Mechanism::ScramSha256)
}

impl Server {
    /// The mechanisms offered now (they depend on TLS).
    pub(super) fn offered_mechanisms(&self) -> Vec<Mechanism> {
        let c = &self.config;
        if !(self.tls || c.auth_without_tls) {
            return Vec::new();
        }
        c.auth_mechanisms
            .iter()
            .copied()
            .filter(|m| self.tls || c.auth_plaintext_without_tls || !exposes_secret(*m))
            .collect()
    }

    /// Whether AUTH is offered now.
    pub(super) fn auth_offered(&self) -> bool {
        !self.offered_mechanisms().is_empty()
    }

    /// The identity the client authenticated as, if it did.
    pub fn authenticated(&self) -> Option<&yubin_sasl::Authenticated> {
        self.authenticated.as_ref()
    }

    pub(super) fn auth_command(&mut self, mechanism: &str, initial: Option<AuthData<'_>>) {
        use ProtocolError::{BadSequence, NotOffered};
        let c = &self.config;
        if c.auth_mechanisms.is_empty() {
            return self.error(NotOffered("AUTH"));
        }
        if !self.tls && !c.auth_without_tls {
            let error = if c.starttls {
                ProtocolError::NeedsTls
            } else {
                NotOffered("AUTH")
            };
            return self.error(error);
        }
        if self.hello != Some(HelloVerb::Ehlo) && self.hello != Some(HelloVerb::Lhlo) {
            return self.error(BadSequence("send EHLO first"));
        }
        if self.authenticated.is_some() {
            // RFC 4954 §4: once authenticated, AUTH is refused.
            return self.error(BadSequence("already authenticated"));
        }
        if self.transaction.mail.is_some() {
            return self.error(BadSequence("AUTH not permitted during a mail transaction"));
        }
        let Some(m) = Mechanism::from_name(mechanism.as_bytes())
            .filter(|m| self.config.auth_mechanisms.contains(m))
        else {
            return self.error(ProtocolError::UnknownMechanism);
        };
        if !self.tls && exposes_secret(m) && !self.config.auth_plaintext_without_tls {
            return self.error(ProtocolError::MechanismNeedsTls);
        }
        self.decide(
            Event::AuthStart { mechanism: m },
            Pending::AuthStart(m, initial.map(AuthData::into_owned)),
        );
    }

    /// Answers [`Event::AuthStart`]: starts the exchange. `nonce` is needed
    /// for CRAM-MD5 (the challenge, `<random.timestamp@host>`) and
    /// SCRAM-SHA-256 (the server nonce), drawn by the caller since the core
    /// has no randomness.
    pub fn start_auth(&mut self, nonce: Option<String>) -> Result<(), UsageError> {
        let Some(Pending::AuthStart(m, initial)) = self.pending.clone() else {
            return Err(UsageError::NoPendingDecision);
        };
        let mut params = ServerParams::new();
        if let Some(n) = nonce {
            params = params.with_nonce(n);
        }
        let mut limits = yubin_sasl::Limits::default();
        limits.max_line_len = self.config.max_auth_line;
        params = params.with_limits(limits);
        let mut exchange =
            ServerExchange::new(m, params).map_err(|e| UsageError::Unsendable(e.to_string()))?;
        self.pending = None;
        if let Some(AuthData(ir)) = initial {
            // A usage error cannot happen on a fresh exchange; a bad
            // initial response fails the exchange, reported by poll.
            let _ = exchange.handle_initial_response(ir.as_bytes());
        }
        self.auth = Some(Box::new(exchange));
        self.auth_pump();
        Ok(())
    }

    /// Answers [`Event::AuthVerifyPassword`] or [`Event::AuthVerifyToken`].
    pub fn auth_verify(&mut self, ok: bool) -> Result<(), UsageError> {
        self.auth_answer(|x| if ok { x.accept() } else { x.reject() })
    }

    /// Answers [`Event::AuthCramSecret`]: the user's shared secret, `None`
    /// for no such user.
    pub fn auth_cram_secret(&mut self, secret: Option<&Secret>) -> Result<(), UsageError> {
        self.auth_answer(|x| x.provide_cram_secret(secret))
    }

    /// Answers [`Event::AuthScramCredentials`]: the user's stored keys,
    /// `None` for no such user.
    pub fn auth_scram_credentials(
        &mut self,
        credentials: Option<ScramCredentials>,
    ) -> Result<(), UsageError> {
        self.auth_answer(|x| x.provide_scram_credentials(credentials))
    }

    fn auth_answer(
        &mut self,
        f: impl FnOnce(&mut ServerExchange) -> Result<(), yubin_sasl::UsageError>,
    ) -> Result<(), UsageError> {
        if !matches!(self.pending, Some(Pending::AuthDecision)) {
            return Err(UsageError::NoPendingDecision);
        }
        let exchange = self.auth.as_mut().ok_or(UsageError::NoPendingDecision)?;
        f(exchange).map_err(|e| UsageError::Unsendable(e.to_string()))?;
        self.pending = None;
        self.auth_pump();
        Ok(())
    }

    /// A client line during the exchange (a response to a 334, or `*`).
    pub(super) fn auth_line(&mut self, line: &[u8]) {
        if let Some(x) = &mut self.auth {
            let _ = x.handle_line(line);
        }
        self.auth_pump();
    }

    /// Runs the exchange until it needs the client, the application, or is
    /// over.
    pub(super) fn auth_pump(&mut self) {
        let Some(x) = &mut self.auth else {
            self.state = Input::Commands;
            return;
        };
        let Some(event) = x.poll() else {
            return;
        };
        match event {
            ServerEvent::Challenge(data) => {
                let mut text = Vec::new();
                framing::encode_challenge(&data, &mut text);
                // Base64 is ASCII; a 334 carries no enhanced code.
                let text = String::from_utf8_lossy(&text).into_owned();
                self.send(Reply::new(334, None, text));
                self.state = Input::AuthLine;
            }
            ServerEvent::VerifyPassword {
                authzid,
                authcid,
                password,
            } => {
                let e = Event::AuthVerifyPassword {
                    authzid,
                    authcid,
                    password,
                };
                self.decide(e, Pending::AuthDecision);
            }
            ServerEvent::CramSecretNeeded { username } => {
                self.decide(Event::AuthCramSecret { username }, Pending::AuthDecision);
            }
            ServerEvent::ScramCredentialsNeeded { authzid, username } => {
                let e = Event::AuthScramCredentials { authzid, username };
                self.decide(e, Pending::AuthDecision);
            }
            ServerEvent::VerifyToken {
                mechanism,
                user,
                token,
                ..
            } => {
                let e = Event::AuthVerifyToken {
                    mechanism,
                    user,
                    token,
                };
                self.decide(e, Pending::AuthDecision);
            }
            ServerEvent::Success(who) => {
                self.auth = None;
                self.state = Input::Commands;
                self.send(Reply::new(
                    235,
                    Some((2, 7, 0)),
                    "Authentication successful",
                ));
                self.authenticated = Some(who.clone());
                self.events.push_back(Event::Authenticated(who));
            }
            ServerEvent::Failure(why) => {
                self.auth = None;
                self.state = Input::Commands;
                self.send(failure_reply(&why));
                self.events.push_back(Event::AuthFailed(why));
                // Failed attempts count toward the error limits, which
                // slows down and then ends password guessing.
                self.count_error();
            }
            _ => {
                // A newer yubin-sasl event this crate does not know:
                // fail safe.
                self.auth = None;
                self.state = Input::Commands;
                self.send(failure_reply(&Failure::InvalidCredentials));
            }
        }
    }
}

/// The RFC 4954 §6 reply for each failure (the table on
/// `yubin_sasl::Failure`).
fn failure_reply(why: &Failure) -> Reply {
    match why {
        Failure::Cancelled => Reply::new(501, Some((5, 0, 0)), "Authentication cancelled"),
        Failure::Malformed { .. } => Reply::new(
            501,
            Some((5, 5, 2)),
            format!("Authentication failed: {why}"),
        ),
        Failure::TooLong { .. } => Reply::new(
            500,
            Some((5, 5, 6)),
            "Authentication exchange line is too long",
        ),
        _ => Reply::new(535, Some((5, 7, 8)), "Authentication credentials invalid"),
    }
}
