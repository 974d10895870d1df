//! The server machine: AUTHORIZATION → TRANSACTION → UPDATE (RFC 1939 §3).
//!
//! Input is parsed line by line as it arrives; commands that need nothing from
//! the application (STAT, LIST, UIDL, DELE, RSET, NOOP, CAPA, USER) are
//! answered at once from the maildrop listing, and a decision (a login, a
//! RETR or TOP, the UPDATE after QUIT, STLS) stops the parsing until the
//! application answers, so pipelined replies stay in order (RFC 2449 §6.6).

use std::collections::VecDeque;
use std::time::Duration;

use yubin_sasl::{Limits, Mechanism, ScramCredentials, ServerEvent, ServerExchange, ServerParams};

use crate::apop::{constant_time_eq, is_valid_apop_timestamp};
use crate::error::{ProtocolError, UsageError};
use crate::parse::{is_valid_uid, parse_command_line};
use crate::stuff::Stuffer;
use crate::types::{
    Capability, Command, Expire, MessageNumber, ResponseCode, ScanListing, Secret, Status,
    UniqueIdListing,
};

/// Limits and offers of a server session.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// The text of the greeting after `+OK` (and before the APOP timestamp).
    /// Default: `"POP3 server ready"`.
    pub greeting: String,
    /// Longest command line, CRLF included. Default 255: RFC 2449 §4 raises
    /// RFC 1939's 47 octets to 255 "including the terminating CRLF".
    pub max_command_line: usize,
    /// Longest AUTH command line or SASL response line, CRLF included.
    /// Default 12288 (`yubin_sasl::framing::DEFAULT_MAX_LINE`, the figure
    /// RFC 4954 §4 gives for SMTP AUTH lines): RFC 5034 §4 lifts the 255-octet
    /// limit for the lines of an AUTH exchange.
    pub max_auth_line: usize,
    /// Bad commands (unknown, malformed, out of state, refused logins) before
    /// the session is closed. Default 20, as Dovecot's
    /// `CLIENT_MAX_BAD_COMMANDS`; RFC 1939 §3 leaves the number to the server.
    pub max_bad_commands: u32,
    /// Unparsed input kept while a decision is pending, beyond which the
    /// session is closed. Default 64 KiB: some thousands of pipelined commands.
    pub max_buffered_input: usize,
    /// Output queued for [`Server::poll_transmit`] beyond which no further
    /// pipelined command is parsed until the output is taken. Default 256 KiB.
    /// Without it a few kilobytes of pipelined `LIST` or `UIDL` against a
    /// large maildrop would queue gigabytes of replies in one
    /// [`Server::handle_input`] call. One reply may pass it (a whole listing
    /// is written at once); the parsing pauses before the next command.
    pub max_buffered_output: usize,
    /// How long the client may stay silent, given to the adapter by
    /// [`Server::poll_timeout`]. Default 10 minutes, the least RFC 1939 §3
    /// allows for its inactivity autologout timer.
    pub idle_timeout: Duration,
    /// Offer USER/PASS on a connection that is not protected by TLS.
    /// Default `false`: RFC 2595 §2.1 and RFC 8314 §3 want cleartext
    /// passwords only inside TLS. Set it for a loopback or test server.
    pub allow_plaintext_auth: bool,
    /// Offer STLS (the adapter can start TLS). Default `false`.
    pub stls: bool,
    /// The transport is already TLS (port 995, RFC 8314 §3.3). Default `false`.
    pub implicit_tls: bool,
    /// Offer the UTF8 command and capability (RFC 6856). Default `false`.
    /// Without UTF-8 mode, USER, PASS and APOP with non-ASCII octets get
    /// `-ERR`; after the UTF8 command they are taken (normalising the name,
    /// which RFC 6856 §2 asks for, is the application's part), and
    /// [`Server::is_utf8_mode`] tells the application it may send raw UTF-8
    /// headers. The optional LANG command is not implemented.
    pub utf8: bool,
    /// The `IMPLEMENTATION` capability text (RFC 2449 §6.9). Default `None`.
    pub implementation: Option<String>,
    /// The `EXPIRE` capability (RFC 2449 §6.7). Default `None` (not announced).
    pub expire: Option<Expire>,
    /// The `LOGIN-DELAY` capability in seconds (RFC 2449 §6.5). Default `None`.
    pub login_delay: Option<u32>,
    /// SASL mechanisms offered by AUTH (RFC 5034) and CAPA `SASL`. Default
    /// none. Mechanisms that send the secret in the clear (PLAIN, LOGIN and
    /// the bearer tokens) are offered only where USER/PASS would be (TLS, or
    /// [`Config::allow_plaintext_auth`]).
    pub sasl_mechanisms: Vec<Mechanism>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            greeting: "POP3 server ready".to_owned(),
            max_command_line: 255,
            max_auth_line: yubin_sasl::framing::DEFAULT_MAX_LINE,
            max_bad_commands: 20,
            max_buffered_input: 64 * 1024,
            max_buffered_output: 256 * 1024,
            idle_timeout: Duration::from_secs(10 * 60),
            allow_plaintext_auth: false,
            stls: false,
            implicit_tls: false,
            utf8: false,
            implementation: None,
            expire: None,
            login_delay: None,
            sasl_mechanisms: Vec::new(),
        }
    }
}

/// One message of a maildrop, as the application lists it at login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildropEntry {
    /// The unique id UIDL reports (RFC 1939 §7: 1 to 70 octets of 0x21-0x7E,
    /// stable across sessions).
    pub uid: String,
    /// The size in octets **with CRLF line endings** (see [`crate::crlf_size`]):
    /// what LIST and STAT report, and what RETR sends before dot-stuffing.
    pub size: u64,
}

/// How the client proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// USER then PASS (RFC 1939 §7).
    Password(Secret),
    /// APOP (RFC 1939 §7): the digest over the greeting's timestamp.
    Apop {
        /// The digest the client sent, lowercase hex.
        digest: String,
        /// The timestamp of this session's greeting.
        timestamp: String,
    },
}

impl Credential {
    /// Whether the credential proves knowledge of `secret` (the password):
    /// compares the password, or recomputes the APOP digest, in constant time.
    pub fn verify(&self, secret: &[u8]) -> bool {
        match self {
            Self::Password(password) => constant_time_eq(password.expose(), secret),
            Self::Apop { digest, timestamp } => constant_time_eq(
                crate::apop::apop_digest(timestamp, secret).as_bytes(),
                digest.as_bytes(),
            ),
        }
    }
}

/// A message the client marked for deletion, reported by [`Event::Update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedMessage {
    /// Its position in the listing given at login (0-based).
    pub index: usize,
    /// Its unique id.
    pub uid: String,
}

/// What the server machine reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Decision: a login attempt. Answer with [`Server::accept_login`] (the
    /// maildrop listing, after locking it) or [`Server::reject_login`]
    /// (`[IN-USE]` when another session holds the lock, `[AUTH]` for wrong
    /// credentials, `[SYS/TEMP]` ...).
    Login {
        /// The mailbox name.
        user: String,
        /// The proof; check it with [`Credential::verify`].
        credential: Credential,
    },
    /// Decision: the SASL exchange of AUTH (RFC 5034) needs the
    /// application; each request names the method that answers it.
    Sasl(SaslRequest),
    /// Decision: AUTH succeeded for this identity. Answer like
    /// [`Event::Login`]: [`Server::accept_login`] with the maildrop, or
    /// [`Server::reject_login`].
    SaslLogin {
        /// The mechanism used.
        mechanism: Mechanism,
        /// Whose credentials were verified.
        authcid: String,
        /// The identity the client asked to act as, if any (the application
        /// has already allowed it when it answered the request).
        authzid: Option<String>,
    },
    /// Decision: RETR (`top` is `None`) or TOP. Stream the message with
    /// [`Server::send_message`], then [`Server::finish_message`]; or refuse
    /// with [`Server::fail_message`]. A message with a raw UTF-8 header goes
    /// out as stored only if [`Server::is_utf8_mode`] (RFC 6856 §2).
    Retrieve {
        /// The message number the client used.
        number: MessageNumber,
        /// Its position in the listing given at login (0-based).
        index: usize,
        /// Its unique id.
        uid: String,
        /// For TOP, how many body lines follow the header.
        top: Option<u32>,
    },
    /// Decision: QUIT in TRANSACTION (RFC 1939 §6). Remove these messages,
    /// then [`Server::update_done`]; `+OK` goes out only then. A connection
    /// dropped before this event deletes nothing.
    Update {
        /// The messages to remove (possibly none).
        deleted: Vec<DeletedMessage>,
    },
    /// Decision: the client sent STLS and `+OK` is queued. Write out
    /// [`Server::poll_transmit`], run the TLS handshake, then call
    /// [`Server::tls_established`]. Input after STLS in the same packet has been
    /// discarded (a plaintext injection, as CVE-2011-0411 did for SMTP).
    StartTls,
    /// For information: the bytes streamed for a RETR did not add up to the
    /// size in the listing. They were sent as streamed (the body ends at the
    /// terminating dot, so the session stays in step), but LIST and STAT
    /// were wrong for this message: fix the listing's sizes.
    SizeMismatch {
        /// The message number.
        number: MessageNumber,
        /// The size in the listing.
        listed: u64,
        /// The CRLF-normalised octets actually sent.
        sent: u64,
    },
    /// For information: the client sent something wrong and got `-ERR`.
    Invalid(ProtocolError),
    /// The session is over: write out what [`Server::poll_transmit`] gives,
    /// then close the connection.
    Closed,
}

/// What a SASL exchange needs from the application (see [`Event::Sasl`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaslRequest {
    /// CRAM-MD5 and SCRAM-SHA-256 need a fresh nonce (the core has no
    /// randomness): answer with [`Server::provide_sasl_nonce`] (for CRAM-MD5
    /// a unique msg-id such as `<pid.clock@host>`; for SCRAM at least 18
    /// random printable characters without `,`).
    Nonce {
        /// The mechanism.
        mechanism: Mechanism,
    },
    /// PLAIN or LOGIN: check the password (and that `authcid` may act as
    /// `authzid`); answer with [`Server::sasl_accept`] or [`Server::sasl_reject`].
    VerifyPassword {
        /// The identity to act as, if named.
        authzid: Option<String>,
        /// The user name.
        authcid: String,
        /// The password.
        password: Secret,
    },
    /// CRAM-MD5: give the user's shared secret with
    /// [`Server::provide_cram_secret`] (`None` for no such user).
    CramSecret {
        /// The user name.
        username: String,
    },
    /// SCRAM-SHA-256: give the stored credentials with
    /// [`Server::provide_scram_credentials`] (`None` for no such user).
    ScramCredentials {
        /// The identity to act as, if named.
        authzid: Option<String>,
        /// The user name.
        username: String,
    },
    /// OAUTHBEARER or XOAUTH2: validate the token; answer with
    /// [`Server::sasl_accept`] or [`Server::sasl_reject`].
    VerifyToken {
        /// Which token mechanism.
        mechanism: Mechanism,
        /// The user the client names, if any.
        user: Option<String>,
        /// The bearer token.
        token: Secret,
    },
}

#[derive(Debug)]
enum Phase {
    Authorization { user: Option<String> },
    Transaction,
    Closed,
}

#[derive(Debug)]
enum Pending {
    Login,
    Retrieve {
        number: MessageNumber,
        stuffer: Stuffer,
        /// Whether the `+OK` line is out.
        started: bool,
        is_top: bool,
    },
    Update,
    Tls,
    Sasl {
        mechanism: Mechanism,
        /// `None` until the nonce is given (CRAM-MD5, SCRAM-SHA-256).
        exchange: Option<Box<ServerExchange>>,
        initial_response: Option<Secret>,
        /// A challenge went out: the next input line is the client's answer.
        awaiting_line: bool,
    },
}

/// A POP3 server session (sans-IO).
///
/// Call order: [`Server::new`] (the greeting is queued), then for each read
/// [`Server::handle_input`], [`Server::poll_event`] until `None` (answering
/// decisions), [`Server::poll_transmit`] and write the bytes out, repeating
/// the events and `poll_transmit` until it gives nothing (taking the output
/// resumes pipelined commands held back by [`Config::max_buffered_output`]),
/// then read again; close the connection after [`Event::Closed`].
pub struct Server {
    config: Config,
    apop_timestamp: Option<String>,
    phase: Phase,
    pending: Option<Pending>,
    tls: bool,
    maildrop: Vec<MaildropEntry>,
    deleted: Vec<bool>,
    input: Vec<u8>,
    input_pos: usize,
    /// Octets after `input_pos` already searched for LF: a line that
    /// arrives an octet at a time is scanned once, not once per octet.
    scanned: usize,
    discarding_long_line: bool,
    overflowed: bool,
    /// The client sent UTF8 (RFC 6856 §2).
    utf8_mode: bool,
    bad_commands: u32,
    events: VecDeque<Event>,
    output: Vec<u8>,
}

/// The byte buffers are shown by length only: unparsed input may hold a
/// pipelined `PASS` line or AUTH response.
impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("apop_timestamp", &self.apop_timestamp)
            .field("phase", &self.phase)
            .field("pending", &self.pending)
            .field("tls", &self.tls)
            .field("utf8_mode", &self.utf8_mode)
            .field("maildrop_len", &self.maildrop.len())
            .field("unparsed_input_len", &(self.input.len() - self.input_pos))
            .field("bad_commands", &self.bad_commands)
            .field("events", &self.events)
            .field("output_len", &self.output.len())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A session whose greeting offers no APOP.
    pub fn new(config: Config) -> Self {
        Self::start(config, None)
    }

    /// A session whose greeting carries `timestamp` for APOP (RFC 1939 §7:
    /// `<` unique text `>`, for example `<pid.clock@host>`; the caller makes it
    /// unique, as the core has no clock).
    pub fn with_apop_timestamp(config: Config, timestamp: &str) -> Result<Self, UsageError> {
        if !is_valid_apop_timestamp(timestamp) {
            return Err(UsageError::InvalidArgument("APOP timestamp"));
        }
        Ok(Self::start(config, Some(timestamp.to_owned())))
    }

    fn start(config: Config, apop_timestamp: Option<String>) -> Self {
        let mut server = Self {
            tls: config.implicit_tls,
            config,
            apop_timestamp,
            phase: Phase::Authorization { user: None },
            pending: None,
            maildrop: Vec::new(),
            deleted: Vec::new(),
            input: Vec::new(),
            input_pos: 0,
            scanned: 0,
            discarding_long_line: false,
            overflowed: false,
            utf8_mode: false,
            bad_commands: 0,
            events: VecDeque::new(),
            output: Vec::new(),
        };
        server.greet();
        server
    }

    fn greet(&mut self) {
        let mut text = self.config.greeting.clone();
        if let Some(timestamp) = &self.apop_timestamp {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(timestamp);
        }
        Status::ok(text).encode(&mut self.output);
    }

    /// Feeds bytes read from the client. Never fails: bad input becomes an
    /// `-ERR` reply and an [`Event::Invalid`].
    pub fn handle_input(&mut self, bytes: &[u8]) {
        // Bytes that arrive between STLS and the handshake were sent in the
        // clear: never act on them.
        if matches!(self.phase, Phase::Closed)
            || self.overflowed
            || matches!(self.pending, Some(Pending::Tls))
        {
            return;
        }
        self.input.extend_from_slice(bytes);
        self.advance();
        if self.input.len() - self.input_pos > self.config.max_buffered_input {
            // Bounded memory: the excess is dropped and the session closes as
            // soon as the pending decision is answered.
            self.overflowed = true;
            self.input.clear();
            self.input_pos = 0;
            self.scanned = 0;
        }
    }

    /// The next event, or `None` until more input arrives or a pending
    /// decision is answered.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Moves the bytes to send into `out` (appending to what is there).
    ///
    /// If pipelined commands were left unparsed because the output had
    /// reached [`Config::max_buffered_output`], parsing resumes here, which
    /// may queue new events and output. So an adapter loops (events, then
    /// `poll_transmit`, then write) until `poll_transmit` gives nothing, and
    /// only then waits for input.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) {
        if out.is_empty() {
            std::mem::swap(out, &mut self.output);
        } else {
            out.append(&mut self.output);
        }
        self.advance();
    }

    /// Whether bytes are waiting for [`Server::poll_transmit`].
    pub fn has_output(&self) -> bool {
        !self.output.is_empty()
    }

    /// Whether the session is over (after QUIT, too many errors ...).
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// How long to wait for the client before [`Server::handle_timeout`]:
    /// `None` while the application owes a decision (its own time does not
    /// count against the client) or once the session is closed.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let waiting_for_client = self.pending.is_none() || self.awaiting_sasl_line();
        (waiting_for_client && !self.is_closed()).then_some(self.config.idle_timeout)
    }

    /// The wait from [`Server::poll_timeout`] passed with no input: the
    /// session ends without entering UPDATE, so nothing marked is deleted,
    /// and without a reply (RFC 1939 §3). [`Event::Closed`] follows.
    pub fn handle_timeout(&mut self) {
        if self.poll_timeout().is_some() {
            self.close();
        }
    }

    /// Whether a decision event waits for the application's answer (no
    /// further command is parsed until then).
    pub fn decision_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Whether the connection is protected by TLS (implicit, or after STLS).
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether the client enabled UTF-8 mode with the UTF8 command (RFC 6856
    /// §2; offered with [`Config::utf8`]). Only then may RETR and TOP send a
    /// message whose header holds raw UTF-8 (RFC 6532); outside it, give a
    /// downgraded form (RFC 6857) or refuse with
    /// [`ResponseCode::Utf8`] through [`Server::fail_message`].
    pub fn is_utf8_mode(&self) -> bool {
        self.utf8_mode
    }

    /// Whether the client has logged in.
    pub fn is_authenticated(&self) -> bool {
        matches!(self.phase, Phase::Transaction) || matches!(self.pending, Some(Pending::Update))
    }

    /// Answers [`Event::Login`]: the credentials are good and the maildrop is
    /// locked for this session; `maildrop` is its listing, in the order of
    /// the message numbers. Fails if an id is not a valid unique id (RFC 1939
    /// §7) or appears twice.
    pub fn accept_login(&mut self, maildrop: Vec<MaildropEntry>) -> Result<(), UsageError> {
        self.expect(|p| matches!(p, Pending::Login), "login")?;
        let mut seen = std::collections::HashSet::new();
        if maildrop
            .iter()
            .any(|e| !is_valid_uid(e.uid.as_bytes()) || !seen.insert(e.uid.as_str()))
        {
            return Err(UsageError::InvalidArgument("maildrop unique id"));
        }
        self.pending = None;
        self.deleted = vec![false; maildrop.len()];
        self.maildrop = maildrop;
        self.phase = Phase::Transaction;
        let (count, size) = self.totals();
        self.reply(&Status::ok(format!(
            "maildrop has {} ({size} octets)",
            messages(count)
        )));
        self.advance();
        Ok(())
    }

    /// Answers [`Event::Login`] with `-ERR [code] text` (RFC 2449 §8,
    /// RFC 3206); the session stays in AUTHORIZATION and the refusal counts
    /// as a bad command.
    pub fn reject_login(&mut self, code: ResponseCode, text: &str) -> Result<(), UsageError> {
        self.expect(|p| matches!(p, Pending::Login), "login")?;
        self.pending = None;
        self.bad(&Status::err_with(code, text), None);
        self.advance();
        Ok(())
    }

    /// Streams the next chunk of the message of [`Event::Retrieve`], as
    /// stored (any line endings: they go out as CRLF, dot-stuffed). Returns
    /// whether more is wanted: `false` once TOP has its lines, after which
    /// the application may call [`Server::finish_message`] at once.
    pub fn send_message(&mut self, chunk: &[u8]) -> Result<bool, UsageError> {
        self.start_message()?;
        let Some(Pending::Retrieve { stuffer, .. }) = &mut self.pending else {
            return Err(UsageError::NotPending("retrieve"));
        };
        stuffer.push(chunk, &mut self.output);
        Ok(stuffer.wants_more())
    }

    /// Ends the message of [`Event::Retrieve`]: the terminating line goes out.
    pub fn finish_message(&mut self) -> Result<(), UsageError> {
        self.start_message()?;
        let Some(Pending::Retrieve {
            number,
            mut stuffer,
            is_top,
            ..
        }) = self.pending.take()
        else {
            return Err(UsageError::NotPending("retrieve"));
        };
        stuffer.finish(&mut self.output);
        let listed = self.maildrop[number as usize - 1].size;
        if !is_top && stuffer.sent != listed {
            self.events.push_back(Event::SizeMismatch {
                number,
                listed,
                sent: stuffer.sent,
            });
        }
        self.advance();
        Ok(())
    }

    /// Refuses [`Event::Retrieve`] (the message cannot be read). Before any
    /// byte was streamed the client gets `-ERR [code] text` and the session
    /// goes on; after, the only honest end is to close the connection
    /// without the terminating line, which this does ([`Event::Closed`]).
    pub fn fail_message(&mut self, code: ResponseCode, text: &str) -> Result<(), UsageError> {
        let Some(Pending::Retrieve { started, .. }) = &self.pending else {
            return Err(UsageError::NotPending("retrieve"));
        };
        let started = *started;
        self.pending = None;
        if started {
            self.close();
        } else {
            self.reply(&Status::err_with(code, text));
            self.advance();
        }
        Ok(())
    }

    /// Answers [`Event::Update`]: the deletions are durable. `+OK` goes out
    /// and the session closes (RFC 1939 §6).
    pub fn update_done(&mut self) -> Result<(), UsageError> {
        self.expect(|p| matches!(p, Pending::Update), "update")?;
        self.pending = None;
        self.reply(&Status::ok("POP3 server signing off"));
        self.close();
        Ok(())
    }

    /// Answers [`Event::Update`]: some deletions failed. RFC 1939 §6's
    /// `-ERR some deleted messages not removed` (with `[SYS/TEMP]`) goes
    /// out and the session closes.
    pub fn update_failed(&mut self) -> Result<(), UsageError> {
        self.expect(|p| matches!(p, Pending::Update), "update")?;
        self.pending = None;
        self.reply(&Status::err_with(
            ResponseCode::SysTemp,
            "some deleted messages not removed",
        ));
        self.close();
        Ok(())
    }

    /// Answers [`Event::StartTls`]: the handshake is done. The session starts
    /// over in AUTHORIZATION with no user given (RFC 2595 §4).
    pub fn tls_established(&mut self) -> Result<(), UsageError> {
        self.expect(|p| matches!(p, Pending::Tls), "STLS")?;
        self.pending = None;
        self.tls = true;
        // Nothing negotiated in the clear carries over (RFC 2595 §4).
        self.utf8_mode = false;
        self.phase = Phase::Authorization { user: None };
        self.advance();
        Ok(())
    }

    /// Answers [`SaslRequest::Nonce`]: starts the exchange with this nonce.
    pub fn provide_sasl_nonce(&mut self, nonce: &str) -> Result<(), UsageError> {
        let Some(Pending::Sasl {
            mechanism,
            exchange: None,
            initial_response,
            ..
        }) = &mut self.pending
        else {
            return Err(UsageError::NotPending("SASL nonce"));
        };
        let mechanism = *mechanism;
        let initial_response = initial_response.take();
        self.start_sasl(mechanism, Some(nonce), initial_response.as_ref())?;
        self.advance();
        Ok(())
    }

    /// Answers [`SaslRequest::VerifyPassword`] or [`SaslRequest::VerifyToken`]:
    /// the credentials are good.
    pub fn sasl_accept(&mut self) -> Result<(), UsageError> {
        self.sasl_answer(ServerExchange::accept)
    }

    /// Answers [`SaslRequest::VerifyPassword`] or [`SaslRequest::VerifyToken`]:
    /// the credentials are wrong (`-ERR [AUTH]`).
    pub fn sasl_reject(&mut self) -> Result<(), UsageError> {
        self.sasl_answer(ServerExchange::reject)
    }

    /// Answers [`SaslRequest::CramSecret`].
    pub fn provide_cram_secret(
        &mut self,
        secret: Option<&yubin_sasl::Secret>,
    ) -> Result<(), UsageError> {
        self.sasl_answer(|exchange| exchange.provide_cram_secret(secret))
    }

    /// Answers [`SaslRequest::ScramCredentials`].
    pub fn provide_scram_credentials(
        &mut self,
        credentials: Option<ScramCredentials>,
    ) -> Result<(), UsageError> {
        self.sasl_answer(|exchange| exchange.provide_scram_credentials(credentials))
    }

    fn sasl_answer(
        &mut self,
        answer: impl FnOnce(&mut ServerExchange) -> Result<(), yubin_sasl::UsageError>,
    ) -> Result<(), UsageError> {
        let Some(Pending::Sasl {
            exchange: Some(exchange),
            awaiting_line: false,
            ..
        }) = &mut self.pending
        else {
            return Err(UsageError::NotPending("SASL decision"));
        };
        answer(exchange)?;
        self.drive_sasl();
        self.advance();
        Ok(())
    }

    /// The mechanisms AUTH accepts now.
    fn offered_mechanisms(&self) -> Vec<Mechanism> {
        let plaintext = self.plaintext_allowed();
        self.config
            .sasl_mechanisms
            .iter()
            .copied()
            .filter(|m| plaintext || !m.sends_secret_in_clear())
            .collect()
    }

    fn start_sasl(
        &mut self,
        mechanism: Mechanism,
        nonce: Option<&str>,
        initial_response: Option<&Secret>,
    ) -> Result<(), UsageError> {
        let mut limits = Limits::default();
        limits.max_line_len = self.config.max_auth_line;
        let mut params = ServerParams::new().with_limits(limits);
        if let Some(nonce) = nonce {
            params = params.with_nonce(nonce);
        }
        let mut exchange = ServerExchange::new(mechanism, params)?;
        if let Some(response) = initial_response {
            exchange.handle_initial_response(response.expose())?;
        }
        self.pending = Some(Pending::Sasl {
            mechanism,
            exchange: Some(Box::new(exchange)),
            initial_response: None,
            awaiting_line: false,
        });
        self.drive_sasl();
        Ok(())
    }

    /// Runs the exchange until it waits for the client or the application,
    /// or ends.
    fn drive_sasl(&mut self) {
        let Some(Pending::Sasl {
            mechanism,
            exchange: Some(exchange),
            awaiting_line,
            ..
        }) = &mut self.pending
        else {
            return;
        };
        let mechanism = *mechanism;
        let request = match exchange.poll() {
            None => return,
            Some(ServerEvent::Challenge(challenge)) => {
                self.output.extend_from_slice(b"+ ");
                yubin_sasl::framing::encode_challenge(&challenge, &mut self.output);
                self.output.extend_from_slice(b"\r\n");
                *awaiting_line = true;
                return;
            }
            Some(ServerEvent::VerifyPassword {
                authzid,
                authcid,
                password,
            }) => SaslRequest::VerifyPassword {
                authzid,
                authcid,
                password: Secret::new(password.expose().as_bytes()),
            },
            Some(ServerEvent::CramSecretNeeded { username }) => {
                SaslRequest::CramSecret { username }
            }
            Some(ServerEvent::ScramCredentialsNeeded { authzid, username }) => {
                SaslRequest::ScramCredentials { authzid, username }
            }
            Some(ServerEvent::VerifyToken {
                mechanism,
                user,
                token,
                ..
            }) => SaslRequest::VerifyToken {
                mechanism,
                user,
                token: Secret::new(token.expose().as_bytes()),
            },
            Some(ServerEvent::Success(who)) => {
                self.pending = Some(Pending::Login);
                self.events.push_back(Event::SaslLogin {
                    mechanism,
                    authcid: who.authcid,
                    authzid: who.authzid,
                });
                return;
            }
            Some(ServerEvent::Failure(failure)) => {
                self.pending = None;
                // RFC 5034 §4 and the table on `yubin_sasl::Failure`.
                let status = match failure {
                    yubin_sasl::Failure::Cancelled => Status::err("authentication cancelled"),
                    f if f.is_credentials_failure() => {
                        Status::err_with(ResponseCode::Auth, "authentication failed")
                    }
                    yubin_sasl::Failure::TooLong { .. } => Status::err("line too long"),
                    _ => Status::err("malformed SASL message"),
                };
                self.bad(&status, None);
                return;
            }
            Some(_) => {
                self.pending = None;
                self.bad(&Status::err("authentication failed"), None);
                return;
            }
        };
        self.events.push_back(Event::Sasl(request));
    }

    fn expect(&self, is: impl Fn(&Pending) -> bool, name: &'static str) -> Result<(), UsageError> {
        match &self.pending {
            Some(pending) if is(pending) => Ok(()),
            _ if self.is_closed() => Err(UsageError::Closed),
            _ => Err(UsageError::NotPending(name)),
        }
    }

    fn start_message(&mut self) -> Result<(), UsageError> {
        let Some(Pending::Retrieve {
            number,
            started,
            is_top,
            ..
        }) = &mut self.pending
        else {
            return Err(if self.is_closed() {
                UsageError::Closed
            } else {
                UsageError::NotPending("retrieve")
            });
        };
        if !*started {
            *started = true;
            // TOP sends part of the message: the size of the whole would
            // tell the client to expect octets that never come.
            let status = if *is_top {
                Status::ok("top of message follows")
            } else {
                let size = self.maildrop[*number as usize - 1].size;
                Status::ok(format!("{size} octets"))
            };
            status.encode(&mut self.output);
        }
        Ok(())
    }

    fn plaintext_allowed(&self) -> bool {
        self.tls || self.config.allow_plaintext_auth
    }

    fn totals(&self) -> (usize, u64) {
        self.live()
            .fold((0, 0), |(n, s), (_, e)| (n + 1, s + e.size))
    }

    /// The messages not marked deleted, with their numbers.
    fn live(&self) -> impl Iterator<Item = (MessageNumber, &MaildropEntry)> {
        self.maildrop
            .iter()
            .zip(&self.deleted)
            .enumerate()
            .filter(|(_, (_, deleted))| !**deleted)
            .map(|(i, (entry, _))| (i as MessageNumber + 1, entry))
    }

    fn reply(&mut self, status: &Status) {
        status.encode(&mut self.output);
    }

    fn close(&mut self) {
        self.phase = Phase::Closed;
        self.pending = None;
        self.input = Vec::new();
        self.input_pos = 0;
        self.scanned = 0;
        self.events.push_back(Event::Closed);
    }

    /// Replies to a bad command, reports it, and closes the session at the
    /// configured count.
    fn bad(&mut self, status: &Status, error: Option<ProtocolError>) {
        self.bad_commands += 1;
        if let Some(error) = error {
            self.events.push_back(Event::Invalid(error));
        }
        if self.bad_commands >= self.config.max_bad_commands {
            self.events
                .push_back(Event::Invalid(ProtocolError::TooManyErrors));
            self.reply(&Status::err("too many bad commands, closing"));
            self.close();
        } else {
            self.reply(status);
        }
    }

    fn protocol_error(&mut self, error: ProtocolError) {
        let status = match &error {
            ProtocolError::Syntax(e) => Status::err(e.to_string()),
            ProtocolError::WrongState(kind) => {
                Status::err(format!("{} not allowed now", kind.keyword()))
            }
            other => Status::err(other.to_string()),
        };
        self.bad(&status, Some(error));
    }

    /// A line over the limit: `-ERR`, and an AUTH exchange waiting for that
    /// line fails with it (its next line must not be taken as the answer).
    fn line_too_long(&mut self) {
        if self.awaiting_sasl_line() {
            self.pending = None;
        }
        self.protocol_error(ProtocolError::LineTooLong);
    }

    fn awaiting_sasl_line(&self) -> bool {
        matches!(
            self.pending,
            Some(Pending::Sasl {
                awaiting_line: true,
                ..
            })
        )
    }

    /// The longest line accepted for what starts the unparsed input.
    fn line_limit(&self, rest: &[u8]) -> usize {
        let is_auth = self.awaiting_sasl_line()
            || (rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"AUTH "));
        if is_auth {
            self.config.max_auth_line
        } else {
            self.config.max_command_line
        }
    }

    /// Parses and answers commands until input runs out or a decision waits.
    fn advance(&mut self) {
        while (self.pending.is_none() || self.awaiting_sasl_line()) && !self.is_closed() {
            if self.output.len() >= self.config.max_buffered_output {
                // Back-pressure: the rest waits for `poll_transmit`.
                break;
            }
            if self.overflowed {
                self.events
                    .push_back(Event::Invalid(ProtocolError::InputOverflow));
                self.reply(&Status::err("too much pipelined input, closing"));
                self.close();
                break;
            }
            let rest = &self.input[self.input_pos..];
            let from = self.scanned.min(rest.len());
            let newline = memchr::memchr(b'\n', &rest[from..]).map(|at| from + at);
            self.scanned = rest.len();
            if newline.is_some() {
                self.scanned = 0;
            }
            if self.discarding_long_line {
                match newline {
                    Some(at) => {
                        self.input_pos += at + 1;
                        self.discarding_long_line = false;
                        self.line_too_long();
                        continue;
                    }
                    None => {
                        self.input_pos = self.input.len();
                        self.scanned = 0;
                        break;
                    }
                }
            }
            let limit = self.line_limit(rest);
            let Some(at) = newline else {
                if rest.len() >= limit {
                    self.discarding_long_line = true;
                    self.input_pos = self.input.len();
                    self.scanned = 0;
                }
                break;
            };
            if at + 1 > limit {
                self.input_pos += at + 1;
                self.line_too_long();
                continue;
            }
            let line = rest[..at]
                .strip_suffix(b"\r")
                .unwrap_or(&rest[..at])
                .to_vec();
            self.input_pos += at + 1;
            if let Some(Pending::Sasl {
                exchange: Some(exchange),
                awaiting_line,
                ..
            }) = &mut self.pending
                && *awaiting_line
            {
                *awaiting_line = false;
                // `*` cancels; bad base64 fails the exchange: both come back
                // from the exchange as a Failure.
                if exchange.handle_line(&line).is_err() {
                    self.pending = None;
                    self.bad(&Status::err("authentication failed"), None);
                }
                self.drive_sasl();
                continue;
            }
            match parse_command_line(&line) {
                Ok(command) => self.command(command),
                Err(error) => self.protocol_error(ProtocolError::Syntax(error)),
            }
        }
        if self.input_pos == self.input.len() {
            self.input.clear();
            self.input_pos = 0;
        } else if self.input_pos > 4096 && self.input_pos * 2 > self.input.len() {
            self.input.drain(..self.input_pos);
            self.input_pos = 0;
        }
    }

    fn command(&mut self, command: Command) {
        let kind = command.kind();
        match (&mut self.phase, command) {
            (_, Command::Capa) => self.capabilities(),
            (Phase::Authorization { .. }, Command::Quit) => {
                self.reply(&Status::ok("POP3 server signing off"));
                self.close();
            }
            (Phase::Authorization { user }, Command::User(name)) => {
                if !self.utf8_mode && !name.is_ascii() {
                    *user = None;
                    self.protocol_error(ProtocolError::Utf8Required);
                } else if self.tls || self.config.allow_plaintext_auth {
                    *user = Some(name);
                    self.reply(&Status::ok("send PASS"));
                } else {
                    *user = None;
                    self.protocol_error(ProtocolError::PlaintextRefused);
                }
            }
            (Phase::Authorization { user }, Command::Pass(password)) => match user.take() {
                Some(_) if !self.utf8_mode && !password.expose().is_ascii() => {
                    self.protocol_error(ProtocolError::Utf8Required);
                }
                Some(user) if self.tls || self.config.allow_plaintext_auth => {
                    self.pending = Some(Pending::Login);
                    self.events.push_back(Event::Login {
                        user,
                        credential: Credential::Password(password),
                    });
                }
                Some(_) => self.protocol_error(ProtocolError::PlaintextRefused),
                None => self.protocol_error(ProtocolError::WrongState(kind)),
            },
            (Phase::Authorization { user }, Command::Apop { name, digest }) => {
                *user = None;
                if !self.utf8_mode && !name.is_ascii() {
                    self.protocol_error(ProtocolError::Utf8Required);
                    return;
                }
                match self.apop_timestamp.clone() {
                    Some(timestamp) => {
                        self.pending = Some(Pending::Login);
                        self.events.push_back(Event::Login {
                            user: name,
                            credential: Credential::Apop { digest, timestamp },
                        });
                    }
                    None => self.protocol_error(ProtocolError::WrongState(kind)),
                }
            }
            (Phase::Authorization { user }, Command::Stls) if self.config.stls && !self.tls => {
                *user = None;
                self.reply(&Status::ok("begin TLS negotiation"));
                // Nothing sent before the handshake may be acted on after it.
                self.input.clear();
                self.input_pos = 0;
                self.scanned = 0;
                self.pending = Some(Pending::Tls);
                self.events.push_back(Event::StartTls);
            }
            (
                Phase::Authorization { user },
                Command::Auth {
                    mechanism,
                    initial_response,
                },
            ) => {
                *user = None;
                let offered = self.offered_mechanisms();
                match Mechanism::from_name(mechanism.as_bytes()).filter(|m| offered.contains(m)) {
                    None => self.protocol_error(ProtocolError::UnsupportedMechanism),
                    Some(mechanism @ (Mechanism::CramMd5 | Mechanism::ScramSha256)) => {
                        self.pending = Some(Pending::Sasl {
                            mechanism,
                            exchange: None,
                            initial_response,
                            awaiting_line: false,
                        });
                        self.events
                            .push_back(Event::Sasl(SaslRequest::Nonce { mechanism }));
                    }
                    Some(mechanism) => {
                        if self
                            .start_sasl(mechanism, None, initial_response.as_ref())
                            .is_err()
                        {
                            self.pending = None;
                            self.bad(&Status::err("authentication failed"), None);
                        }
                    }
                }
            }
            (Phase::Authorization { .. }, Command::Utf8) if self.config.utf8 => {
                self.utf8_mode = true;
                self.reply(&Status::ok("UTF8 enabled"));
            }
            (Phase::Transaction, command) => self.transaction(command),
            _ => self.protocol_error(ProtocolError::WrongState(kind)),
        }
    }

    fn transaction(&mut self, command: Command) {
        match command {
            Command::Stat => {
                let (count, size) = self.totals();
                self.reply(&Status::ok(format!("{count} {size}")));
            }
            Command::List(None) => {
                let (count, size) = self.totals();
                self.reply(&Status::ok(format!("{} ({size} octets)", messages(count))));
                let mut body = Vec::new();
                for (message, entry) in self.live() {
                    ScanListing {
                        message,
                        size: entry.size,
                    }
                    .encode(&mut body);
                }
                body.extend_from_slice(b".\r\n");
                self.output.extend_from_slice(&body);
            }
            Command::List(Some(number)) => {
                if let Some(entry) = self.message(number) {
                    let size = entry.size;
                    self.reply(&Status::ok(format!("{number} {size}")));
                }
            }
            Command::Uidl(None) => {
                self.reply(&Status::ok("unique-id listing follows"));
                let mut body = Vec::new();
                for (message, entry) in self.live() {
                    UniqueIdListing {
                        message,
                        uid: entry.uid.clone(),
                    }
                    .encode(&mut body);
                }
                body.extend_from_slice(b".\r\n");
                self.output.extend_from_slice(&body);
            }
            Command::Uidl(Some(number)) => {
                if let Some(entry) = self.message(number) {
                    let uid = entry.uid.clone();
                    self.reply(&Status::ok(format!("{number} {uid}")));
                }
            }
            Command::Retr(number) => self.retrieve(number, None),
            Command::Top { message, lines } => self.retrieve(message, Some(lines)),
            Command::Dele(number) => {
                if self.message(number).is_some() {
                    self.deleted[number as usize - 1] = true;
                    self.reply(&Status::ok(format!("message {number} deleted")));
                }
            }
            Command::Noop => self.reply(&Status::ok("")),
            Command::Rset => {
                self.deleted.fill(false);
                let (count, size) = self.totals();
                self.reply(&Status::ok(format!(
                    "maildrop has {} ({size} octets)",
                    messages(count)
                )));
            }
            Command::Quit => {
                let deleted = self
                    .maildrop
                    .iter()
                    .zip(&self.deleted)
                    .enumerate()
                    .filter(|(_, (_, deleted))| **deleted)
                    .map(|(index, (entry, _))| DeletedMessage {
                        index,
                        uid: entry.uid.clone(),
                    })
                    .collect();
                self.pending = Some(Pending::Update);
                self.events.push_back(Event::Update { deleted });
            }
            other => self.protocol_error(ProtocolError::WrongState(other.kind())),
        }
    }

    /// The live message `number`, or `-ERR no such message` (RFC 1939 §5).
    fn message(&mut self, number: MessageNumber) -> Option<&MaildropEntry> {
        let index = number as usize - 1;
        if index < self.maildrop.len() && !self.deleted[index] {
            return Some(&self.maildrop[index]);
        }
        self.events
            .push_back(Event::Invalid(ProtocolError::NoSuchMessage));
        let text = if index < self.maildrop.len() {
            format!("message {number} already deleted")
        } else {
            "no such message".to_owned()
        };
        self.reply(&Status::err(text));
        None
    }

    fn retrieve(&mut self, number: MessageNumber, top: Option<u32>) {
        let Some(entry) = self.message(number) else {
            return;
        };
        let uid = entry.uid.clone();
        self.pending = Some(Pending::Retrieve {
            number,
            stuffer: Stuffer::new(top),
            started: false,
            is_top: top.is_some(),
        });
        self.events.push_back(Event::Retrieve {
            number,
            index: number as usize - 1,
            uid,
            top,
        });
    }

    fn capabilities(&mut self) {
        let mut capabilities = vec![
            Capability::Top,
            Capability::Uidl,
            Capability::RespCodes,
            Capability::AuthRespCode,
            Capability::Pipelining,
        ];
        let authorization = matches!(self.phase, Phase::Authorization { .. });
        if authorization && self.plaintext_allowed() {
            capabilities.push(Capability::User);
        }
        if authorization && self.config.stls && !self.tls {
            capabilities.push(Capability::Stls);
        }
        let mechanisms = self.offered_mechanisms();
        if authorization && !mechanisms.is_empty() {
            capabilities.push(Capability::Sasl(
                mechanisms.iter().map(|m| m.name().to_owned()).collect(),
            ));
        }
        if authorization && self.config.utf8 {
            capabilities.push(Capability::Utf8 { user: false });
        }
        if let Some(policy) = self.config.expire {
            capabilities.push(Capability::Expire {
                policy,
                per_user: false,
            });
        }
        if let Some(seconds) = self.config.login_delay {
            capabilities.push(Capability::LoginDelay {
                seconds,
                per_user: false,
            });
        }
        if let Some(text) = &self.config.implementation {
            capabilities.push(Capability::Implementation(text.clone()));
        }
        self.reply(&Status::ok("capability list follows"));
        for capability in capabilities {
            capability.encode(&mut self.output);
        }
        self.output.extend_from_slice(b".\r\n");
    }
}

fn messages(count: usize) -> String {
    format!("{count} message{}", if count == 1 { "" } else { "s" })
}
