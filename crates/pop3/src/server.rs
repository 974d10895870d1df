//! The server machine: AUTHORIZATION → TRANSACTION → UPDATE (RFC 1939 §3).
//!
//! Input is parsed line by line as it arrives; commands that need nothing from
//! the application (STAT, LIST, UIDL, DELE, RSET, NOOP, CAPA, USER) are
//! answered at once from the maildrop listing, and a decision (a login, a
//! RETR or TOP, the UPDATE after QUIT, STLS) stops the parsing until the
//! application answers, so pipelined replies stay in order (RFC 2449 §6.6).

use std::collections::VecDeque;

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
    /// Default 8192: RFC 5034 §4 lets SASL responses be longer than 255
    /// octets, and a GSSAPI token in base64 needs several KiB (Dovecot's
    /// limit for AUTH lines is of the same order).
    pub max_auth_line: usize,
    /// Bad commands (unknown, malformed, out of state, refused logins) before
    /// the session is closed. Default 20, as Dovecot's
    /// `CLIENT_MAX_BAD_COMMANDS`; RFC 1939 §3 leaves the number to the server.
    pub max_bad_commands: u32,
    /// Unparsed input kept while a decision is pending, beyond which the
    /// session is closed. Default 64 KiB: some thousands of pipelined commands.
    pub max_buffered_input: usize,
    /// Offer USER/PASS on a connection that is not protected by TLS.
    /// Default `false`: RFC 2595 §2.1 and RFC 8314 §3 want cleartext
    /// passwords only inside TLS. Set it for a loopback or test server.
    pub allow_plaintext_auth: bool,
    /// Offer STLS (the adapter can start TLS). Default `false`.
    pub stls: bool,
    /// The transport is already TLS (port 995, RFC 8314 §3.3). Default `false`.
    pub implicit_tls: bool,
    /// Offer the UTF8 command and capability (RFC 6856). Default `false`.
    pub utf8: bool,
    /// The `IMPLEMENTATION` capability text (RFC 2449 §6.9). Default `None`.
    pub implementation: Option<String>,
    /// The `EXPIRE` capability (RFC 2449 §6.7). Default `None` (not announced).
    pub expire: Option<Expire>,
    /// The `LOGIN-DELAY` capability in seconds (RFC 2449 §6.5). Default `None`.
    pub login_delay: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            greeting: "POP3 server ready".to_owned(),
            max_command_line: 255,
            max_auth_line: 8192,
            max_bad_commands: 20,
            max_buffered_input: 64 * 1024,
            allow_plaintext_auth: false,
            stls: false,
            implicit_tls: false,
            utf8: false,
            implementation: None,
            expire: None,
            login_delay: None,
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
    /// Decision: RETR (`top` is `None`) or TOP. Stream the message with
    /// [`Server::send_message`], then [`Server::finish_message`]; or refuse
    /// with [`Server::fail_message`].
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
    /// [`Server::tls_started`]. Input after STLS in the same packet has been
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
}

/// A POP3 server session (sans-IO).
///
/// Call order: [`Server::new`] (the greeting is queued), then for each read
/// [`Server::handle_input`], [`Server::poll_event`] until `None` (answering
/// decisions), [`Server::poll_transmit`] and write the bytes out; close the
/// connection after [`Event::Closed`].
#[derive(Debug)]
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
    discarding_long_line: bool,
    overflowed: bool,
    bad_commands: u32,
    events: VecDeque<Event>,
    output: Vec<u8>,
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
            discarding_long_line: false,
            overflowed: false,
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
        if matches!(self.phase, Phase::Closed) || self.overflowed {
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
        }
    }

    /// The next event, or `None` until more input arrives or a pending
    /// decision is answered.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Moves the bytes to send into `out` (appending to what is there).
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) {
        if out.is_empty() {
            std::mem::swap(out, &mut self.output);
        } else {
            out.append(&mut self.output);
        }
    }

    /// Whether the session is over (after QUIT, too many errors ...).
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
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
    pub fn tls_started(&mut self) -> Result<(), UsageError> {
        self.expect(|p| matches!(p, Pending::Tls), "STLS")?;
        self.pending = None;
        self.tls = true;
        self.phase = Phase::Authorization { user: None };
        self.advance();
        Ok(())
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
            number, started, ..
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
            let size = self.maildrop[*number as usize - 1].size;
            Status::ok(format!("{size} octets")).encode(&mut self.output);
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

    /// The longest line accepted for what starts the unparsed input.
    fn line_limit(&self, rest: &[u8]) -> usize {
        let is_auth = rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"AUTH ");
        if is_auth {
            self.config.max_auth_line
        } else {
            self.config.max_command_line
        }
    }

    /// Parses and answers commands until input runs out or a decision waits.
    fn advance(&mut self) {
        while self.pending.is_none() && !self.is_closed() {
            if self.overflowed {
                self.events
                    .push_back(Event::Invalid(ProtocolError::InputOverflow));
                self.reply(&Status::err("too much pipelined input, closing"));
                self.close();
                break;
            }
            let rest = &self.input[self.input_pos..];
            let newline = memchr::memchr(b'\n', rest);
            if self.discarding_long_line {
                match newline {
                    Some(at) => {
                        self.input_pos += at + 1;
                        self.discarding_long_line = false;
                        self.protocol_error(ProtocolError::LineTooLong);
                        continue;
                    }
                    None => {
                        self.input_pos = self.input.len();
                        break;
                    }
                }
            }
            let limit = self.line_limit(rest);
            let Some(at) = newline else {
                if rest.len() >= limit {
                    self.discarding_long_line = true;
                    self.input_pos = self.input.len();
                }
                break;
            };
            if at + 1 > limit {
                self.input_pos += at + 1;
                self.protocol_error(ProtocolError::LineTooLong);
                continue;
            }
            let line = rest[..at]
                .strip_suffix(b"\r")
                .unwrap_or(&rest[..at])
                .to_vec();
            self.input_pos += at + 1;
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
                *user = None;
                if self.tls || self.config.allow_plaintext_auth {
                    if let Phase::Authorization { user } = &mut self.phase {
                        *user = Some(name);
                    }
                    self.reply(&Status::ok("send PASS"));
                } else {
                    self.protocol_error(ProtocolError::PlaintextRefused);
                }
            }
            (Phase::Authorization { user }, Command::Pass(password)) => match user.take() {
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
                self.pending = Some(Pending::Tls);
                self.events.push_back(Event::StartTls);
            }
            (Phase::Authorization { .. }, Command::Utf8) if self.config.utf8 => {
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
