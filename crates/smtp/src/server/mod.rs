//! The server role: a sans-IO SMTP/LMTP session.
//!
//! Call order: [`Server::new`] queues the greeting; then, in a loop,
//! [`Server::handle_input`] with bytes read, [`Server::poll_event`] until
//! `None` (answering each decision event with [`Server::accept`],
//! [`Server::reply`] or [`Server::reply_per_recipient`]), and
//! [`Server::poll_transmit`] to get the bytes to write. Close the connection
//! once [`Server::is_closed`] is true and the output has been written.
//!
//! Time: the core has no clock. [`Server::poll_timeout`] says how long the
//! adapter may wait for the client in the current stage (RFC 5321
//! §4.5.3.2.7; `None` while a decision is pending, since then the server is
//! the slow side); when it passes, the adapter calls
//! [`Server::handle_timeout`], which queues `421 4.4.2` and closes.
//!
//! Back-pressure: [`Server::handle_input`] always takes the bytes, but
//! [`Server::wants_input`] turns false while a decision is pending and more
//! than a few lines are buffered; an adapter stops reading until it is true
//! again, which bounds memory against a client that floods.

mod auth;
mod config;
mod data;
mod event;

use std::collections::VecDeque;
use std::time::Duration;

use bytes::{Buf, BytesMut};

pub use config::{Config, LineEndingPolicy};
pub use event::{AbortReason, CloseReason, Event, HelloVerb, ProtocolError};

use crate::address::{ForwardPath, ReversePath};
use crate::capability::Capability;
use crate::command::Command;
use crate::error::{ParseError, UsageError};
use crate::param::{BodyType, MailParameters};
use crate::parse;
use crate::reply::Reply;
use data::{DataStep, Unstuffer};

/// Buffered input beyond which `wants_input` asks the adapter to stop
/// reading while a decision is pending.
const BACKPRESSURE_BYTES: usize = 64 * 1024;

#[derive(Debug)]
enum Input {
    /// Reading command lines.
    Commands,
    /// Discarding the rest of an over-long line.
    SkipLine,
    /// Reading a DATA body.
    Data(Box<Unstuffer>),
    /// Reading a BDAT chunk: octets left, whether it is the last.
    Bdat {
        left: u64,
        chunk: u64,
        last: bool,
        discard: bool,
    },
    /// STARTTLS accepted: plaintext is ignored until the handshake is done.
    AwaitTls,
    /// In an AUTH exchange: the next line answers a 334 challenge.
    AuthLine,
    /// Nothing more is read.
    Closed,
}

#[derive(Debug, Clone)]
enum Pending {
    Hello(HelloVerb),
    Mail(ReversePath<'static>, MailParameters<'static>),
    Rcpt(ForwardPath<'static>),
    DataStart,
    MessageEnd,
    Verify,
    Expand,
    StartTls,
    AuthStart(
        yubin_sasl::Mechanism,
        Option<crate::command::AuthData<'static>>,
    ),
    /// A yubin-sasl decision, answered by the `auth_*` methods.
    AuthDecision,
}

#[derive(Debug, Default)]
struct Transaction {
    mail: Option<(ReversePath<'static>, MailParameters<'static>)>,
    recipients: Vec<ForwardPath<'static>>,
    /// Body octets so far (DATA or BDAT).
    size: u64,
    /// Some BDAT chunk of this transaction has been received.
    bdat_started: bool,
    /// The body is over the size limit; keep reading, then fail.
    too_big: bool,
}

/// A server-side SMTP or LMTP session. See the [module docs](self).
pub struct Server {
    config: Config,
    input: BytesMut,
    /// How far `input` was searched for an LF, so a line fed byte by byte
    /// is scanned once.
    scanned: usize,
    state: Input,
    out: Vec<u8>,
    events: VecDeque<Event>,
    pending: Option<Pending>,
    greeting_sent: bool,
    hello: Option<HelloVerb>,
    tls: bool,
    transaction: Transaction,
    errors: u32,
    /// The AUTH exchange in progress.
    auth: Option<Box<yubin_sasl::ServerExchange>>,
    authenticated: Option<yubin_sasl::Authenticated>,
}

/// The byte buffers are shown by length only: unparsed input may hold a
/// pipelined `AUTH PLAIN` line with its credentials.
impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .field("unparsed_input_len", &self.input.len())
            .field("state", &self.state)
            .field("output_len", &self.out.len())
            .field("events", &self.events)
            .field("pending", &self.pending)
            .field("greeting_sent", &self.greeting_sent)
            .field("hello", &self.hello)
            .field("tls", &self.tls)
            .field("transaction", &self.transaction)
            .field("errors", &self.errors)
            .field("auth", &self.auth)
            .field("authenticated", &self.authenticated)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A new session; the 220 greeting is queued for `poll_transmit`.
    pub fn new(config: Config) -> Self {
        let mut s = Server {
            input: BytesMut::new(),
            scanned: 0,
            state: Input::Commands,
            out: Vec::new(),
            events: VecDeque::new(),
            pending: None,
            greeting_sent: false,
            hello: None,
            tls: false,
            transaction: Transaction::default(),
            errors: 0,
            auth: None,
            authenticated: None,
            config,
        };
        let proto = if s.config.lmtp { "LMTP" } else { "ESMTP" };
        let text = match &s.config.greeting_text {
            Some(t) => format!("{} {t}", s.config.hostname),
            None => format!("{} {proto} ready", s.config.hostname),
        };
        let greeting = Reply::new(220, None, text);
        s.send(greeting);
        s
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Feeds bytes read from the client. Never fails: bad input becomes
    /// replies and events.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        match self.state {
            Input::Closed | Input::AwaitTls => return,
            _ => {}
        }
        if !bytes.is_empty() && !self.greeting_sent && self.config.reject_early_talkers {
            // Drop the greeting: a client that talks first gets no 220.
            self.out.clear();
            self.send(Reply::new(
                554,
                Some((5, 5, 0)),
                "Protocol error: client sent before the greeting",
            ));
            self.close(CloseReason::EarlyTalker);
            return;
        }
        self.input.extend_from_slice(bytes);
    }

    /// The next event, or `None` when more input (or an answer to a
    /// decision) is needed.
    pub fn poll_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.events.pop_front() {
                return Some(e);
            }
            if self.pending.is_some() || !self.step() {
                return None;
            }
        }
    }

    /// Appends the bytes to send to `out`.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.out);
        self.greeting_sent = true;
    }

    /// Whether there are bytes waiting for `poll_transmit`.
    pub fn has_output(&self) -> bool {
        !self.out.is_empty()
    }

    /// Whether the session is over (send the remaining output, then close).
    pub fn is_closed(&self) -> bool {
        matches!(self.state, Input::Closed)
    }

    /// Whether a decision event is waiting for an answer.
    pub fn decision_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Whether the adapter should read more input now (see the module docs).
    pub fn wants_input(&self) -> bool {
        !self.is_closed() && (self.pending.is_none() || self.input.len() < BACKPRESSURE_BYTES)
    }

    /// How long to wait for the client in the current stage: `None` while
    /// the application owes a decision or the session is closed.
    pub fn poll_timeout(&self) -> Option<Duration> {
        (!self.is_closed() && self.pending.is_none()).then_some(self.config.timeout)
    }

    /// The wait from `poll_timeout` passed without input: queues
    /// `421 4.4.2` and closes (RFC 5321 §4.5.3.2).
    pub fn handle_timeout(&mut self) {
        if self.is_closed() {
            return;
        }
        let text = format!(
            "{} Timeout, closing transmission channel",
            self.config.hostname
        );
        self.send(Reply::new(421, Some((4, 4, 2)), text));
        self.abort_body();
        self.close(CloseReason::Timeout);
    }

    /// Whether TLS is active.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The TLS handshake after an accepted STARTTLS is done: the session
    /// starts over, the client must greet again (RFC 3207 §4.2).
    pub fn tls_established(&mut self) {
        if matches!(self.state, Input::AwaitTls) {
            self.tls = true;
            self.hello = None;
            self.auth = None;
            self.authenticated = None;
            self.transaction = Transaction::default();
            self.input.clear();
            self.scanned = 0;
            self.state = Input::Commands;
        }
    }

    /// Answers the pending decision with its usual positive reply.
    pub fn accept(&mut self) -> Result<(), UsageError> {
        let pending = self.pending.clone().ok_or(UsageError::NoPendingDecision)?;
        let reply = match &pending {
            Pending::Hello(verb) => self.hello_reply(*verb),
            Pending::Mail(..) => Reply::new(250, Some((2, 1, 0)), "Sender OK"),
            Pending::Rcpt(_) => Reply::new(250, Some((2, 1, 5)), "Recipient OK"),
            Pending::DataStart => Reply::new(354, None, "Start mail input; end with <CRLF>.<CRLF>"),
            Pending::MessageEnd if self.config.lmtp => {
                let n = self.transaction.recipients.len();
                let replies = (0..n)
                    .map(|_| Reply::new(250, Some((2, 0, 0)), "Message accepted"))
                    .collect();
                return self.reply_per_recipient(replies);
            }
            Pending::MessageEnd => {
                Reply::new(250, Some((2, 0, 0)), "Message accepted for delivery")
            }
            Pending::Verify => Reply::new(
                252,
                Some((2, 1, 5)),
                "Cannot VRFY user, but will accept message and attempt delivery",
            ),
            Pending::Expand => Reply::new(502, Some((5, 5, 1)), "EXPN not implemented"),
            Pending::StartTls => Reply::new(220, Some((2, 0, 0)), "Ready to start TLS"),
            Pending::AuthStart(..) => return self.start_auth(None),
            Pending::AuthDecision => return self.auth_verify(true),
        };
        self.reply(reply)
    }

    /// Answers the pending decision with `reply`.
    ///
    /// The code must fit the decision: 354 or 4yz/5yz for DATA, 220 or
    /// 4yz/5yz for STARTTLS, 2yz/4yz/5yz otherwise.
    pub fn reply(&mut self, reply: Reply) -> Result<(), UsageError> {
        let pending = self.pending.take().ok_or(UsageError::NoPendingDecision)?;
        let code = reply.code.get();
        if matches!(pending, Pending::AuthDecision)
            || (matches!(pending, Pending::AuthStart(..)) && code < 400)
        {
            // SASL decisions are answered by the auth_* methods; AUTH is
            // started by start_auth.
            self.pending = Some(pending);
            return Err(UsageError::InvalidReplyCode(code));
        }
        let positive = match pending {
            Pending::DataStart => code == 354,
            Pending::StartTls => code == 220,
            _ => reply.code.is_positive(),
        };
        if !positive && code < 400 {
            self.pending = Some(pending);
            return Err(UsageError::InvalidReplyCode(code));
        }
        if matches!(pending, Pending::MessageEnd) && self.config.lmtp {
            // One reply per recipient in LMTP (RFC 2033 §4.2).
            let n = self.transaction.recipients.len();
            self.pending = Some(pending);
            return self.reply_per_recipient(vec![reply; n]);
        }
        self.send(reply);
        match pending {
            Pending::Hello(verb) if positive => {
                self.hello = Some(verb);
                self.transaction = Transaction::default();
            }
            Pending::Mail(from, params) if positive => {
                self.transaction = Transaction {
                    mail: Some((from, params)),
                    ..Transaction::default()
                };
            }
            Pending::Rcpt(to) if positive => self.transaction.recipients.push(to),
            Pending::DataStart if positive => {
                let max = self.config.max_text_line.min(4096);
                let policy = self.config.line_ending_policy;
                self.state = Input::Data(Box::new(Unstuffer::new(policy, max)));
            }
            Pending::MessageEnd => self.transaction = Transaction::default(),
            Pending::StartTls if positive => {
                // RFC 3207 §4.2: anything pipelined after STARTTLS was sent
                // in plaintext and must not be acted on.
                self.input.clear();
                self.scanned = 0;
                self.state = Input::AwaitTls;
            }
            _ => {}
        }
        Ok(())
    }

    /// LMTP: answers [`Event::MessageEnd`] with one reply per accepted
    /// recipient, in order (RFC 2033 §4.2).
    pub fn reply_per_recipient(&mut self, replies: Vec<Reply>) -> Result<(), UsageError> {
        if !matches!(self.pending, Some(Pending::MessageEnd)) || !self.config.lmtp {
            return Err(UsageError::NoPendingDecision);
        }
        if replies.len() != self.transaction.recipients.len() {
            return Err(UsageError::Busy(
                "one reply per accepted recipient is needed",
            ));
        }
        if let Some(r) = replies
            .iter()
            .find(|r| r.code.get() < 400 && !r.is_positive())
        {
            return Err(UsageError::InvalidReplyCode(r.code.get()));
        }
        self.pending = None;
        for r in replies {
            self.send(r);
        }
        self.transaction = Transaction::default();
        Ok(())
    }

    /// Ends the session with `421 4.3.2` (for example on shutdown).
    pub fn shutdown(&mut self) {
        if self.is_closed() {
            return;
        }
        let text = format!(
            "{} Service not available, closing channel",
            self.config.hostname
        );
        self.send(Reply::new(421, Some((4, 3, 2)), text));
        self.pending = None;
        self.abort_body();
        self.close(CloseReason::Application);
    }

    // ---- internals ----

    fn send(&mut self, mut reply: Reply) {
        if !self.config.enhanced_status_codes {
            reply.enhanced = None;
        }
        reply.encode(&mut self.out);
    }

    fn close(&mut self, reason: CloseReason) {
        self.state = Input::Closed;
        self.input.clear();
        self.events.push_back(Event::Closed(reason));
    }

    fn decide(&mut self, event: Event, pending: Pending) {
        self.events.push_back(event);
        self.pending = Some(pending);
    }

    fn abort_body(&mut self) {
        if self.transaction.bdat_started || matches!(self.state, Input::Data(_)) {
            self.events
                .push_back(Event::MessageAborted(AbortReason::Reset));
        }
        self.transaction = Transaction::default();
    }

    /// A protocol error: reply, count, maybe slow down or close.
    fn error(&mut self, error: ProtocolError) {
        let reply = match &error {
            ProtocolError::Parse(p) => {
                let (c, s, d) = p.enhanced_code();
                Reply::new(p.reply_code(), Some((c, s, d)), capitalize(&p.to_string()))
            }
            ProtocolError::BadSequence(what) => Reply::new(
                503,
                Some((5, 5, 1)),
                format!("Bad sequence of commands: {what}"),
            ),
            ProtocolError::NotOffered(what) => {
                Reply::new(502, Some((5, 5, 1)), format!("Not offered: {what}"))
            }
            ProtocolError::DeclaredSizeTooBig => Reply::new(
                552,
                Some((5, 3, 4)),
                "Message size exceeds fixed maximum message size",
            ),
            ProtocolError::TooManyRecipients => {
                Reply::new(452, Some((4, 5, 3)), "Too many recipients")
            }
            ProtocolError::NeedsSmtpUtf8 => Reply::new(
                553,
                Some((5, 6, 7)),
                "Non-ASCII address requires the SMTPUTF8 parameter",
            ),
            ProtocolError::NeedsTls => {
                Reply::new(530, Some((5, 7, 0)), "Must issue a STARTTLS command first")
            }
            ProtocolError::MechanismNeedsTls => Reply::new(
                538,
                Some((5, 7, 11)),
                "Encryption required for requested authentication mechanism",
            ),
            ProtocolError::UnknownMechanism => {
                Reply::new(504, Some((5, 5, 4)), "Unrecognized authentication type")
            }
            ProtocolError::AuthRequired => {
                Reply::new(530, Some((5, 7, 0)), "Authentication required")
            }
        };
        self.send(reply.clone());
        self.events.push_back(Event::ProtocolError { error, reply });
        self.count_error();
    }

    /// Counts one error against the soft and hard limits.
    fn count_error(&mut self) {
        self.errors += 1;
        if self.errors >= self.config.hard_error_limit {
            let text = format!("{} Too many errors, closing channel", self.config.hostname);
            self.send(Reply::new(421, Some((4, 7, 0)), text));
            self.abort_body();
            self.close(CloseReason::TooManyErrors);
        } else if self.errors >= self.config.soft_error_limit {
            self.events.push_back(Event::SlowDown {
                errors: self.errors,
            });
        }
    }

    /// Makes progress on buffered input; false when nothing more can be
    /// done without more input.
    fn step(&mut self) -> bool {
        match &mut self.state {
            Input::Closed | Input::AwaitTls => false,
            Input::SkipLine => match memchr::memchr(b'\n', &self.input) {
                Some(i) => {
                    self.input.advance(i + 1);
                    self.state = Input::Commands;
                    true
                }
                None => {
                    self.input.clear();
                    false
                }
            },
            Input::Data(unstuffer) => match unstuffer.step(&mut self.input) {
                DataStep::NeedMore => false,
                DataStep::Chunk(chunk) => {
                    self.body_chunk(chunk);
                    true
                }
                DataStep::End => {
                    let (bare, long) = (unstuffer.bare_line_ending, unstuffer.long_line);
                    self.state = Input::Commands;
                    self.end_of_body(bare, long);
                    true
                }
            },
            Input::Bdat {
                left,
                chunk,
                last,
                discard,
            } => {
                let (chunk_size, last, discard) = (*chunk, *last, *discard);
                if *left > 0 {
                    if self.input.is_empty() {
                        return false;
                    }
                    let n = (*left).min(self.input.len() as u64) as usize;
                    *left -= n as u64;
                    let chunk = self.input.split_to(n).freeze();
                    if !discard {
                        self.body_chunk(chunk);
                    }
                    return true;
                }
                self.state = Input::Commands;
                if discard {
                    return true;
                }
                // An oversized body ends at this chunk: RFC 3030 §2 lets
                // the server fail any BDAT, and the rest would be dropped.
                if self.transaction.too_big || last {
                    self.end_of_body(false, false);
                } else {
                    let text = format!("{chunk_size} octets received");
                    self.send(Reply::new(250, Some((2, 0, 0)), text));
                }
                true
            }
            Input::Commands => self.command_step(),
            Input::AuthLine => {
                let limit = self.config.max_auth_line;
                match parse::find_line(&self.input, self.scanned, limit) {
                    Ok(Some(len)) => {
                        self.scanned = 0;
                        let line = self.input.split_to(len);
                        self.auth_line(&line);
                    }
                    Ok(None) => {
                        self.scanned = self.input.len();
                        return false;
                    }
                    Err(e) => {
                        self.input.advance(limit.min(self.input.len()));
                        self.scanned = 0;
                        self.auth = None;
                        self.state = Input::SkipLine;
                        self.error(e.into());
                    }
                }
                true
            }
        }
    }

    fn body_chunk(&mut self, mut chunk: bytes::Bytes) {
        let t = &mut self.transaction;
        let room = self.config.max_message_size.saturating_sub(t.size);
        t.size = t.size.saturating_add(chunk.len() as u64);
        if t.size > self.config.max_message_size {
            // The part within the limit still goes out, so the events do
            // not depend on how the input was cut.
            chunk.truncate(room as usize);
            if !t.too_big && !chunk.is_empty() {
                self.events.push_back(Event::BodyChunk(chunk));
            }
            t.too_big = true;
        } else if !chunk.is_empty() {
            self.events.push_back(Event::BodyChunk(chunk));
        }
    }

    fn end_of_body(&mut self, bare: bool, long: bool) {
        let failure = if self.transaction.too_big {
            Some((
                AbortReason::TooBig,
                Reply::new(
                    552,
                    Some((5, 3, 4)),
                    "Message size exceeds fixed maximum message size",
                ),
            ))
        } else if bare {
            Some((
                AbortReason::BareLineEnding,
                Reply::new(
                    550,
                    Some((5, 6, 0)),
                    "Message contains bare CR or LF (RFC 5321 section 2.3.8)",
                ),
            ))
        } else if long {
            Some((
                AbortReason::LineTooLong,
                Reply::new(
                    554,
                    Some((5, 6, 0)),
                    "Message has a line over the length limit",
                ),
            ))
        } else {
            None
        };
        if let Some((reason, reply)) = failure {
            let n = if self.config.lmtp {
                self.transaction.recipients.len()
            } else {
                1
            };
            for _ in 0..n {
                self.send(reply.clone());
            }
            self.transaction = Transaction::default();
            self.events.push_back(Event::MessageAborted(reason));
            return;
        }
        let event = Event::MessageEnd {
            size: self.transaction.size,
            recipients: self.transaction.recipients.clone(),
        };
        self.decide(event, Pending::MessageEnd);
    }

    fn command_step(&mut self) -> bool {
        let limit = self.config.max_auth_line.max(self.max_line_for(b"MAIL"));
        let len = match parse::find_line(&self.input, self.scanned, limit) {
            Ok(Some(len)) => len,
            Ok(None) => {
                self.scanned = self.input.len();
                return false;
            }
            Err(e) => {
                // Drop what was scanned; the rest of the line goes in
                // SkipLine, and whatever follows its LF is read again.
                self.input.advance(limit.min(self.input.len()));
                self.scanned = 0;
                self.state = Input::SkipLine;
                self.error(e.into());
                return true;
            }
        };
        self.scanned = 0;
        let line = self.input.split_to(len);
        let verb_limit = self.max_line_for(&line);
        if len > verb_limit {
            self.error(ParseError::LineTooLong { limit: verb_limit }.into());
            return true;
        }
        match parse::command_line(&line) {
            Ok(cmd) => self.command(cmd),
            Err(e) => self.error(e.into()),
        }
        true
    }

    fn max_line_for(&self, line: &[u8]) -> usize {
        let verb = line.get(..4).unwrap_or(line);
        if verb.eq_ignore_ascii_case(b"MAIL") || verb.eq_ignore_ascii_case(b"RCPT") {
            self.config.max_command_line + self.config.parameter_allowance
        } else if verb.eq_ignore_ascii_case(b"AUTH") {
            self.config.max_auth_line
        } else {
            self.config.max_command_line
        }
    }

    fn hello_reply(&self, verb: HelloVerb) -> Reply {
        let first = format!("{} Hello", self.config.hostname);
        if verb == HelloVerb::Helo {
            return Reply::new(250, None, first);
        }
        let mut r = Reply::new(250, None, first);
        for cap in self.capabilities() {
            r = r.with_line(cap.to_line());
        }
        r
    }

    /// The capabilities advertised now (they change once TLS is active).
    pub fn capabilities(&self) -> Vec<Capability> {
        let c = &self.config;
        let mut caps = Vec::new();
        if c.pipelining {
            caps.push(Capability::Pipelining);
        }
        caps.push(Capability::Size(Some(c.max_message_size)));
        if c.eight_bit_mime {
            caps.push(Capability::EightBitMime);
        }
        if c.smtputf8 {
            caps.push(Capability::SmtpUtf8);
        }
        if c.enhanced_status_codes {
            caps.push(Capability::EnhancedStatusCodes);
        }
        if c.starttls && !self.tls {
            caps.push(Capability::StartTls);
        }
        let mechanisms = self.offered_mechanisms();
        if !mechanisms.is_empty() {
            caps.push(Capability::Auth(
                mechanisms.iter().map(|m| m.name().to_owned()).collect(),
            ));
        }
        if c.dsn {
            caps.push(Capability::Dsn);
        }
        if c.chunking {
            caps.push(Capability::Chunking);
            if c.binarymime {
                caps.push(Capability::BinaryMime);
            }
        }
        if c.requiretls && self.tls {
            caps.push(Capability::RequireTls);
        }
        caps.push(Capability::Help);
        caps
    }

    fn command(&mut self, cmd: Command<'_>) {
        use ProtocolError::{BadSequence, NotOffered};
        let lmtp = self.config.lmtp;
        match cmd {
            Command::Ehlo(host) | Command::Helo(host) if lmtp => {
                let _ = host;
                self.error(NotOffered("EHLO/HELO in LMTP; use LHLO"));
            }
            Command::Lhlo(_) if !lmtp => self.error(ParseError::UnknownCommand.into()),
            Command::Ehlo(host) => self.hello_decision(HelloVerb::Ehlo, host),
            Command::Helo(host) => self.hello_decision(HelloVerb::Helo, host),
            Command::Lhlo(host) => self.hello_decision(HelloVerb::Lhlo, host),
            Command::Mail { from, mut params } => {
                if self.hello.is_none() {
                    return self.error(BadSequence("send EHLO first"));
                }
                if self.config.require_auth && self.authenticated.is_none() {
                    return self.error(ProtocolError::AuthRequired);
                }
                if params.auth.is_some() {
                    if !self.auth_offered() && self.authenticated.is_none() {
                        return self.error(ParseError::Parameter("AUTH=").into());
                    }
                    if self.authenticated.is_none() {
                        // RFC 4954 §5: an unauthenticated client's AUTH=
                        // is treated as AUTH=<>.
                        params.auth = Some(crate::param::AuthParam::Unknown);
                    }
                }
                if self.transaction.mail.is_some() {
                    return self.error(BadSequence("nested MAIL command"));
                }
                if let Err(e) = self.check_mail(&from, &params) {
                    return self.error(e);
                }
                let (from, params) = (from.into_owned(), params.into_owned());
                let event = Event::MailFrom {
                    from: from.clone(),
                    params: params.clone(),
                };
                self.decide(event, Pending::Mail(from, params));
            }
            Command::Rcpt { to, params } => {
                let Some((_, mail)) = &self.transaction.mail else {
                    return self.error(BadSequence("need MAIL before RCPT"));
                };
                if !to.is_ascii() && !mail.smtputf8 {
                    return self.error(ProtocolError::NeedsSmtpUtf8);
                }
                if (params.notify.is_some() || params.orcpt.is_some()) && !self.config.dsn {
                    return self.error(ParseError::Parameter("DSN").into());
                }
                if !params.other.is_empty() && !self.config.accept_unknown_parameters {
                    return self.error(ParseError::Parameter("unknown RCPT parameter").into());
                }
                if self.transaction.recipients.len() >= self.config.max_recipients {
                    return self.error(ProtocolError::TooManyRecipients);
                }
                let to = to.into_owned();
                let event = Event::RcptTo {
                    to: to.clone(),
                    params: params.into_owned(),
                };
                self.decide(event, Pending::Rcpt(to));
            }
            Command::Data => {
                let Some((_, mail)) = &self.transaction.mail else {
                    return self.error(BadSequence("need MAIL before DATA"));
                };
                if mail.body == Some(BodyType::BinaryMime) {
                    // RFC 3030 §3: a BINARYMIME body only comes by BDAT.
                    return self.error(BadSequence("BODY=BINARYMIME needs BDAT"));
                }
                if self.transaction.bdat_started {
                    return self.error(BadSequence("DATA after BDAT"));
                }
                if self.transaction.recipients.is_empty() {
                    // RFC 5321 §3.3: no valid recipients.
                    self.send(Reply::new(554, Some((5, 5, 1)), "No valid recipients"));
                    return;
                }
                self.decide(Event::DataStart, Pending::DataStart);
            }
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                self.abort_body();
                self.send(Reply::new(250, Some((2, 0, 0)), "OK"));
            }
            Command::Noop(_) => self.send(Reply::new(250, Some((2, 0, 0)), "OK")),
            Command::Quit => {
                let text = format!(
                    "{} Service closing transmission channel",
                    self.config.hostname
                );
                self.send(Reply::new(221, Some((2, 0, 0)), text));
                self.abort_body();
                self.close(CloseReason::Quit);
            }
            Command::Vrfy(s) => self.decide(Event::Verify(s.into_owned()), Pending::Verify),
            Command::Expn(s) => self.decide(Event::Expand(s.into_owned()), Pending::Expand),
            Command::Help(_) => self.send(Reply::new(
                214,
                Some((2, 0, 0)),
                "See RFC 5321; commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP",
            )),
            Command::StartTls => {
                if !self.config.starttls || self.tls {
                    return self.error(NotOffered("STARTTLS"));
                }
                self.abort_body();
                self.decide(Event::StartTls, Pending::StartTls);
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth_command(&mechanism, initial_response),
            Command::Etrn(_) => self.error(NotOffered("ETRN")),
        }
    }

    fn hello_decision(&mut self, verb: HelloVerb, host: crate::address::Host<'_>) {
        // RFC 5321 §4.1.4: EHLO/HELO also resets any transaction.
        self.abort_body();
        let host = host.into_owned();
        self.decide(Event::Hello { verb, host }, Pending::Hello(verb));
    }

    fn check_mail(
        &self,
        from: &ReversePath<'_>,
        p: &MailParameters<'_>,
    ) -> Result<(), ProtocolError> {
        use ProtocolError::NotOffered;
        let c = &self.config;
        let ehlo = self.hello != Some(HelloVerb::Helo);
        let has_params = p != &MailParameters::default();
        if has_params && !ehlo {
            // RFC 1869 §6: parameters only after EHLO.
            return Err(ParseError::Parameter("parameters need EHLO").into());
        }
        if let Some(n) = p.size
            && n > c.max_message_size
        {
            return Err(ProtocolError::DeclaredSizeTooBig);
        }
        match p.body {
            Some(BodyType::EightBitMime) if !c.eight_bit_mime => {
                return Err(NotOffered("8BITMIME"));
            }
            Some(BodyType::BinaryMime) if !(c.chunking && c.binarymime) => {
                return Err(NotOffered("BINARYMIME"));
            }
            _ => {}
        }
        if p.smtputf8 && !c.smtputf8 {
            return Err(NotOffered("SMTPUTF8"));
        }
        if !from.is_ascii() && !p.smtputf8 {
            return Err(ProtocolError::NeedsSmtpUtf8);
        }
        if (p.ret.is_some() || p.envid.is_some()) && !c.dsn {
            return Err(ParseError::Parameter("DSN").into());
        }
        if p.requiretls && !(c.requiretls && self.tls) {
            return Err(ParseError::Parameter("REQUIRETLS").into());
        }
        if !p.other.is_empty() && !c.accept_unknown_parameters {
            return Err(ParseError::Parameter("unknown MAIL parameter").into());
        }
        Ok(())
    }

    fn bdat(&mut self, size: u64, last: bool) {
        use ProtocolError::{BadSequence, NotOffered};
        // The chunk follows the command whatever the answer, so it is
        // always read (and dropped on error): never parsed as commands.
        let problem = if !self.config.chunking {
            Some(NotOffered("CHUNKING"))
        } else if self.transaction.mail.is_none() {
            Some(BadSequence("need MAIL before BDAT"))
        } else if self.transaction.recipients.is_empty() {
            Some(BadSequence("no valid recipients"))
        } else {
            None
        };
        if let Some(p) = problem {
            self.abort_body();
            self.state = Input::Bdat {
                left: size,
                chunk: size,
                last,
                discard: true,
            };
            self.error(p);
            return;
        }
        self.transaction.bdat_started = true;
        self.state = Input::Bdat {
            left: size,
            chunk: size,
            last,
            discard: false,
        };
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
