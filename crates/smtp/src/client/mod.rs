//! The client role: a sans-IO SMTP/LMTP sender.
//!
//! Call order: [`Client::new`], then in a loop [`Client::handle_input`] with
//! bytes read, [`Client::poll_event`] until `None`, and
//! [`Client::poll_transmit`] for the bytes to write. The client greets by
//! itself (EHLO, falling back to HELO; LHLO for LMTP) and reports
//! [`ClientEvent::Ready`] with the server's capabilities; then
//! [`Client::send_mail`] runs one transaction (any number, one after
//! another), [`Client::starttls`] upgrades the channel and [`Client::quit`]
//! ends the session.
//!
//! Time: [`Client::poll_timeout`] gives the RFC 5321 §4.5.3.2 limit for the
//! reply the client waits for; the adapter measures it and calls
//! [`Client::handle_timeout`] when it passes.

pub mod stuff;

use std::collections::VecDeque;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};

use crate::address::{ForwardPath, Host, ReversePath};
use crate::capability::{Capabilities, Capability};
use crate::command::{AuthData, Command};
use crate::error::{ParseError, UsageError};
use crate::param::{BodyType, MailParameters, RcptParameters};
use crate::parse::{self, ReplyBuilder};
use crate::reply::Reply;

pub use stuff::BodyError;

/// Client settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The name the client gives in EHLO/HELO/LHLO (RFC 5321 §4.1.1.1).
    pub hello: Host<'static>,
    /// Speak LMTP (RFC 2033). Default off.
    pub lmtp: bool,
    /// Pipeline when the server offers PIPELINING (RFC 2920). Default on.
    pub use_pipelining: bool,
    /// Send bodies with BDAT when the server offers CHUNKING (RFC 3030).
    /// Default on.
    pub use_chunking: bool,
    /// Largest BDAT chunk: 1 MiB, so a big body goes in several chunks
    /// and a server can refuse early.
    pub bdat_chunk_size: usize,
}

impl ClientConfig {
    /// Defaults, greeting as `hello`.
    pub fn new(hello: Host<'static>) -> Self {
        ClientConfig {
            hello,
            lmtp: false,
            use_pipelining: true,
            use_chunking: true,
            bdat_chunk_size: 1 << 20,
        }
    }
}

/// What to send: the envelope of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// MAIL FROM.
    pub from: ReversePath<'static>,
    /// RCPT TO, each with its parameters (DSN NOTIFY/ORCPT).
    pub recipients: Vec<(ForwardPath<'static>, RcptParameters<'static>)>,
    /// MAIL parameters the application sets (RET, ENVID, AUTH=,
    /// REQUIRETLS, or `body: Some(BinaryMime)` to send a binary body as
    /// is). SIZE, and BODY/SMTPUTF8 when unset, are filled in by the client.
    pub params: MailParameters<'static>,
}

impl Envelope {
    /// An envelope with no parameters.
    pub fn new(
        from: ReversePath<'static>,
        to: impl IntoIterator<Item = ForwardPath<'static>>,
    ) -> Self {
        Envelope {
            from,
            recipients: to
                .into_iter()
                .map(|t| (t, RcptParameters::default()))
                .collect(),
            params: MailParameters::default(),
        }
    }
}

/// The outcome of one transaction, reply by reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionResult {
    /// The reply to MAIL, if one came.
    pub mail: Option<Reply>,
    /// Each recipient with the reply to its RCPT, in envelope order.
    pub recipients: Vec<(ForwardPath<'static>, Option<Reply>)>,
    /// The final replies: one (SMTP), or one per accepted recipient in
    /// their order (LMTP). Empty if the body was never accepted.
    pub data: Vec<Reply>,
}

impl TransactionResult {
    /// Recipients the message was delivered to: accepted at RCPT and (in
    /// LMTP, individually; in SMTP, by the one final reply) after the body.
    pub fn delivered(&self) -> Vec<&ForwardPath<'static>> {
        let accepted = self
            .recipients
            .iter()
            .filter(|(_, r)| r.as_ref().is_some_and(Reply::is_positive))
            .map(|(p, _)| p);
        if self.data.len() == 1 && !self.lmtp_like() {
            if self.data[0].is_positive() {
                return accepted.collect();
            }
            return Vec::new();
        }
        accepted
            .zip(&self.data)
            .filter(|(_, r)| r.is_positive())
            .map(|(p, _)| p)
            .collect()
    }

    fn lmtp_like(&self) -> bool {
        self.data.len() > 1
    }

    /// Whether the message went to every recipient.
    pub fn all_delivered(&self) -> bool {
        self.delivered().len() == self.recipients.len()
    }
}

/// Why the client closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientClose {
    /// QUIT answered.
    Quit,
    /// The server sent 421 or refused the session.
    ServerClosed(Reply),
    /// The server's reply could not be parsed.
    Protocol(ParseError),
    /// A reply took longer than `poll_timeout`.
    Timeout,
}

/// What the client reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The 220 greeting.
    Greeting(Reply),
    /// The server accepted EHLO/HELO/LHLO; these are its capabilities
    /// (empty after a HELO fallback). Again after STARTTLS.
    Ready(Capabilities),
    /// The server said 220 to STARTTLS: do the handshake, then call
    /// [`Client::tls_established`].
    StartTls,
    /// STARTTLS was refused; the session goes on in plaintext.
    StartTlsFailed(Reply),
    /// AUTH succeeded (235), and for SCRAM the server proved it knows the
    /// password.
    Authenticated(yubin_sasl::Mechanism),
    /// AUTH failed: the server's final reply (535, 501, 538, 504...); for a
    /// 235 whose server proof did not verify, the 235 itself.
    AuthFailed(Reply),
    /// A transaction finished (successfully or not).
    TransactionDone(TransactionResult),
    /// The session is over; close the connection.
    Closed(ClientClose),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Mail,
    Rcpt(usize),
    Data,
    /// The reply(ies) after the body (`.` or `BDAT LAST`).
    DataEnd,
    /// A non-last BDAT chunk.
    Bdat,
    Rset,
    Quit,
    Auth,
}

#[derive(Debug)]
struct Transaction {
    envelope: Envelope,
    /// The body ready for the wire (stuffed for DATA).
    wire: Bytes,
    bdat: bool,
    pipelined: bool,
    result: TransactionResult,
    /// For LMTP: how many final replies are still due.
    data_left: usize,
    /// The server has an open transaction (MAIL was accepted).
    open: bool,
    /// How much of `wire` has gone out in BDAT chunks.
    bdat_sent: usize,
    /// No more commands for this transaction: waiting to finish.
    failed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Greeting,
    Hello,
    Ready,
    AwaitTls,
    Closed,
}

/// A client-side SMTP or LMTP session. See the [module docs](self).
pub struct Client {
    config: ClientConfig,
    input: BytesMut,
    scanned: usize,
    builder: ReplyBuilder,
    out: Vec<u8>,
    events: VecDeque<ClientEvent>,
    expect: VecDeque<Expect>,
    phase: Phase,
    capabilities: Option<Capabilities>,
    tx: Option<Transaction>,
    tls: bool,
    sasl: Option<Box<yubin_sasl::ClientExchange>>,
    /// The client gave up on the exchange (sent `*`).
    sasl_cancelled: bool,
}

/// The byte buffers are shown by length only: unsent output may hold an
/// AUTH response with credentials.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("unparsed_input_len", &self.input.len())
            .field("output_len", &self.out.len())
            .field("events", &self.events)
            .field("expect", &self.expect)
            .field("phase", &self.phase)
            .field("capabilities", &self.capabilities)
            .field("tx", &self.tx)
            .field("tls", &self.tls)
            .field("sasl", &self.sasl)
            .field("sasl_cancelled", &self.sasl_cancelled)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A new session, waiting for the greeting.
    pub fn new(config: ClientConfig) -> Self {
        Client {
            config,
            input: BytesMut::new(),
            scanned: 0,
            builder: ReplyBuilder::default(),
            out: Vec::new(),
            events: VecDeque::new(),
            expect: VecDeque::from([Expect::Greeting]),
            phase: Phase::Greeting,
            capabilities: None,
            tx: None,
            tls: false,
            sasl: None,
            sasl_cancelled: false,
        }
    }

    /// Feeds bytes read from the server.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if matches!(self.phase, Phase::Closed | Phase::AwaitTls) {
            return;
        }
        self.input.extend_from_slice(bytes);
        self.read_replies();
    }

    /// The next event, or `None`.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Appends the bytes to send to `out`.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) {
        out.append(&mut self.out);
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// Whether the client can start a transaction, STARTTLS or QUIT now.
    pub fn is_ready(&self) -> bool {
        self.phase == Phase::Ready && self.tx.is_none() && self.expect.is_empty()
    }

    /// The server's capabilities from its last EHLO reply.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.capabilities.as_ref()
    }

    /// How long to wait for the awaited reply (RFC 5321 §4.5.3.2): 5
    /// minutes for the greeting, MAIL, RCPT and others, 2 for the 354 after
    /// DATA, 10 after the end of the body. `None` when nothing is awaited.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let minutes = match self.expect.front()? {
            Expect::Data => 2,
            Expect::DataEnd | Expect::Bdat => 10,
            _ => 5,
        };
        Some(Duration::from_secs(minutes * 60))
    }

    /// The wait from `poll_timeout` passed: the session is closed.
    pub fn handle_timeout(&mut self) {
        if self.phase != Phase::Closed && !self.expect.is_empty() {
            self.close(ClientClose::Timeout);
        }
    }

    /// Sends STARTTLS (RFC 3207); needs the capability.
    pub fn starttls(&mut self) -> Result<(), UsageError> {
        self.check_ready()?;
        if !self.caps_have(&Capability::StartTls) {
            return Err(UsageError::Unsendable("STARTTLS not offered".into()));
        }
        self.send_command(&Command::StartTls, Expect::StartTls);
        Ok(())
    }

    /// The TLS handshake is done: greet again (RFC 3207 §4.2).
    pub fn tls_established(&mut self) {
        if self.phase == Phase::AwaitTls {
            self.tls = true;
            self.input.clear();
            self.scanned = 0;
            self.capabilities = None;
            self.send_hello();
        }
    }

    /// Whether TLS is active.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Authenticates with the strongest mechanism both sides have (RFC 4954):
    /// `usable` lists what `credentials` allow; `nonce` is the SCRAM client
    /// nonce (18+ random printable characters, from the caller). Returns the
    /// mechanism chosen; [`ClientEvent::Authenticated`] or
    /// [`ClientEvent::AuthFailed`] follows.
    pub fn authenticate(
        &mut self,
        credentials: yubin_sasl::Credentials,
        usable: &[yubin_sasl::Mechanism],
        nonce: Option<&str>,
    ) -> Result<yubin_sasl::Mechanism, UsageError> {
        self.check_ready()?;
        let offered = self
            .capabilities
            .as_ref()
            .map(|c| c.auth_mechanisms().to_vec())
            .unwrap_or_default();
        let mechanism = yubin_sasl::strongest_common(offered.iter().map(String::as_str), usable)
            .ok_or_else(|| UsageError::Unsendable("no common AUTH mechanism".into()))?;
        let mut exchange = yubin_sasl::ClientExchange::new(mechanism, credentials, nonce)
            .map_err(|e| UsageError::Unsendable(e.to_string()))?;
        let initial_response = exchange.initial_response().map(|ir| {
            let mut text = Vec::new();
            yubin_sasl::framing::encode_initial_response(&ir, &mut text);
            AuthData(String::from_utf8_lossy(&text).into_owned().into())
        });
        let command = Command::Auth {
            mechanism: mechanism.name().into(),
            initial_response,
        };
        self.send_command(&command, Expect::Auth);
        self.sasl = Some(Box::new(exchange));
        self.sasl_cancelled = false;
        Ok(mechanism)
    }

    fn on_auth_reply(&mut self, reply: Reply) {
        let code = reply.code.get();
        if code == 334 && !self.sasl_cancelled {
            let response = self.sasl.as_mut().and_then(|x| {
                let challenge =
                    yubin_sasl::framing::decode_challenge(reply.lines[0].as_bytes()).ok()?;
                x.handle_challenge(&challenge).ok()
            });
            match response {
                Some(r) => yubin_sasl::framing::encode_response(&r, &mut self.out),
                None => {
                    // Cannot answer: cancel (RFC 4954 §4); the server says 501.
                    self.sasl_cancelled = true;
                    self.out.push(b'*');
                }
            }
            self.out.extend_from_slice(b"\r\n");
            self.expect.push_front(Expect::Auth);
            return;
        }
        let exchange = self.sasl.take();
        if code == 235
            && let Some(mut x) = exchange
            && x.finish(None).is_ok()
        {
            self.events
                .push_back(ClientEvent::Authenticated(x.mechanism()));
            return;
        }
        self.events.push_back(ClientEvent::AuthFailed(reply));
    }

    /// Sends QUIT.
    pub fn quit(&mut self) -> Result<(), UsageError> {
        if self.phase == Phase::Closed {
            return Err(UsageError::Closed);
        }
        self.send_command(&Command::Quit, Expect::Quit);
        Ok(())
    }

    /// Starts one transaction: MAIL, the RCPTs, then DATA or BDAT, pipelined
    /// when offered. The body is normalised to CRLF line endings (a bare LF
    /// or CR becomes CRLF, a final CRLF is added when missing) and
    /// dot-stuffed for DATA, unless `envelope.params.body` is `BinaryMime`,
    /// in which case it goes as is by BDAT.
    ///
    /// Errors (nothing is sent): not ready, a capability the message needs
    /// is missing (8BITMIME, SMTPUTF8, CHUNKING+BINARYMIME), the body is
    /// over the server's SIZE, or a line is over 998 octets.
    pub fn send_mail(&mut self, mut envelope: Envelope, body: &[u8]) -> Result<(), UsageError> {
        self.check_ready()?;
        if envelope.recipients.is_empty() {
            return Err(UsageError::Unsendable("no recipients".into()));
        }
        let caps = self.capabilities.clone().unwrap_or_default();
        let ehlo = !caps.list.is_empty() || !caps.domain.is_empty();
        let binary = envelope.params.body == Some(BodyType::BinaryMime);
        let chunking = self.config.use_chunking && caps.has(&Capability::Chunking);
        if binary && !(chunking && caps.has(&Capability::BinaryMime)) {
            return Err(UsageError::Unsendable(
                "BINARYMIME needs CHUNKING and BINARYMIME".into(),
            ));
        }
        let ascii_envelope =
            envelope.from.is_ascii() && envelope.recipients.iter().all(|(r, _)| r.is_ascii());
        if !ascii_envelope {
            if !caps.has(&Capability::SmtpUtf8) {
                return Err(UsageError::Unsendable(
                    "non-ASCII address needs SMTPUTF8".into(),
                ));
            }
            envelope.params.smtputf8 = true;
        }
        if stuff::has_8bit(body) && envelope.params.body.is_none() {
            if !caps.has(&Capability::EightBitMime) {
                return Err(UsageError::Unsendable("8-bit body needs 8BITMIME".into()));
            }
            envelope.params.body = Some(BodyType::EightBitMime);
        }
        let mut wire = Vec::new();
        let result = if binary {
            wire.extend_from_slice(body);
            Ok(())
        } else if chunking {
            stuff::normalize(body, &mut wire)
        } else {
            stuff::dot_stuff(body, &mut wire)
        };
        result.map_err(|e| UsageError::Unsendable(e.to_string()))?;
        // SIZE counts the message, not the stuffing (RFC 1870 §4).
        let size = if chunking { wire.len() } else { body.len() } as u64;
        if let Some(limit) = caps.size_limit()
            && size > limit
        {
            return Err(UsageError::Unsendable(format!(
                "message of {size} octets is over the server's SIZE {limit}"
            )));
        }
        if caps.list.iter().any(|c| matches!(c, Capability::Size(_))) {
            envelope.params.size = Some(size);
        }
        if !ehlo && envelope.params != MailParameters::default() {
            return Err(UsageError::Unsendable("parameters need EHLO".into()));
        }
        let pipelined = self.config.use_pipelining && caps.has(&Capability::Pipelining);
        let result = TransactionResult {
            mail: None,
            recipients: envelope
                .recipients
                .iter()
                .map(|(p, _)| (p.clone(), None))
                .collect(),
            data: Vec::new(),
        };
        self.tx = Some(Transaction {
            envelope,
            wire: Bytes::from(wire),
            bdat: chunking,
            pipelined,
            result,
            data_left: 0,
            open: false,
            bdat_sent: 0,
            failed: false,
        });
        self.send_mail_command();
        if pipelined {
            let n = self.tx.as_ref().map_or(0, |t| t.envelope.recipients.len());
            for i in 0..n {
                self.send_rcpt(i);
            }
            self.send_body_start();
        }
        Ok(())
    }

    // ---- internals ----

    fn check_ready(&self) -> Result<(), UsageError> {
        match self.phase {
            Phase::Closed => Err(UsageError::Closed),
            _ if !self.is_ready() => Err(UsageError::Busy("waiting for replies")),
            _ => Ok(()),
        }
    }

    fn caps_have(&self, c: &Capability) -> bool {
        self.capabilities.as_ref().is_some_and(|caps| caps.has(c))
    }

    fn send_command(&mut self, c: &Command<'_>, expect: Expect) {
        c.encode(&mut self.out);
        self.expect.push_back(expect);
    }

    fn send_hello(&mut self) {
        self.phase = Phase::Hello;
        let host = self.config.hello.clone();
        if self.config.lmtp {
            self.send_command(&Command::Lhlo(host), Expect::Ehlo);
        } else {
            self.send_command(&Command::Ehlo(host), Expect::Ehlo);
        }
    }

    fn send_mail_command(&mut self) {
        let Some(tx) = &self.tx else { return };
        let c = Command::Mail {
            from: tx.envelope.from.clone(),
            params: tx.envelope.params.clone(),
        };
        self.send_command(&c, Expect::Mail);
    }

    fn send_rcpt(&mut self, i: usize) {
        let Some(tx) = &self.tx else { return };
        let (to, params) = tx.envelope.recipients[i].clone();
        self.send_command(&Command::Rcpt { to, params }, Expect::Rcpt(i));
    }

    /// DATA, or the BDAT chunks: all of them when pipelining, else the
    /// first (each next one after the reply to the previous, RFC 3030 §4.2).
    fn send_body_start(&mut self) {
        let Some(tx) = &mut self.tx else { return };
        if !tx.bdat {
            Command::Data.encode(&mut self.out);
            self.expect.push_back(Expect::Data);
            return;
        }
        if tx.pipelined {
            while self.send_next_chunk() {}
        } else {
            self.send_next_chunk();
        }
    }

    /// Sends one BDAT chunk; false after the last.
    fn send_next_chunk(&mut self) -> bool {
        let Some(tx) = &mut self.tx else { return false };
        let size = self.config.bdat_chunk_size.max(1);
        let start = tx.bdat_sent;
        let end = (start + size).min(tx.wire.len());
        let last = end == tx.wire.len();
        Command::Bdat {
            size: (end - start) as u64,
            last,
        }
        .encode(&mut self.out);
        self.out.extend_from_slice(&tx.wire[start..end]);
        tx.bdat_sent = end;
        self.expect
            .push_back(if last { Expect::DataEnd } else { Expect::Bdat });
        !last
    }

    fn close(&mut self, why: ClientClose) {
        self.phase = Phase::Closed;
        self.expect.clear();
        self.input.clear();
        if let Some(tx) = self.tx.take() {
            self.events
                .push_back(ClientEvent::TransactionDone(tx.result));
        }
        self.events.push_back(ClientEvent::Closed(why));
    }

    fn read_replies(&mut self) {
        loop {
            if self.phase == Phase::Closed || self.phase == Phase::AwaitTls {
                return;
            }
            let len = match parse::find_line(&self.input, self.scanned, parse::MAX_REPLY_LINE) {
                Ok(Some(len)) => len,
                Ok(None) => {
                    self.scanned = self.input.len();
                    return;
                }
                Err(e) => return self.close(ClientClose::Protocol(e)),
            };
            self.scanned = 0;
            let line = self.input.split_to(len);
            match self.builder.push(parse::strip_eol(&line)) {
                Ok(None) => {}
                Ok(Some(reply)) => self.on_reply(reply),
                Err(e) => return self.close(ClientClose::Protocol(e)),
            }
        }
    }

    fn on_reply(&mut self, reply: Reply) {
        let Some(expect) = self.expect.pop_front() else {
            // A reply nobody asked for: only 421 makes sense (RFC 5321
            // §3.8); anything else is a broken server.
            let why = if reply.code.get() == 421 {
                ClientClose::ServerClosed(reply)
            } else {
                ClientClose::Protocol(ParseError::MalformedReply)
            };
            return self.close(why);
        };
        if reply.code.get() == 421 && expect != Expect::Quit {
            return self.close(ClientClose::ServerClosed(reply));
        }
        let ok = reply.is_positive();
        match expect {
            Expect::Greeting => {
                self.events.push_back(ClientEvent::Greeting(reply.clone()));
                if reply.code.get() == 220 {
                    self.send_hello();
                } else {
                    // 554: no service here (RFC 5321 §3.1); be polite.
                    self.send_command(&Command::Quit, Expect::Quit);
                    self.phase = Phase::Closed;
                    self.events
                        .push_back(ClientEvent::Closed(ClientClose::ServerClosed(reply)));
                }
            }
            Expect::Ehlo if ok => {
                let caps = Capabilities::from_reply(&reply);
                self.capabilities = Some(caps.clone());
                self.phase = Phase::Ready;
                self.events.push_back(ClientEvent::Ready(caps));
            }
            Expect::Ehlo if !self.config.lmtp && reply.code.get() >= 500 => {
                // RFC 5321 §3.2: an old server; fall back to HELO.
                let host = self.config.hello.clone();
                self.send_command(&Command::Helo(host), Expect::Helo);
            }
            Expect::Helo if ok => {
                let caps = Capabilities {
                    domain: reply.lines[0].split(' ').next().unwrap_or("").to_owned(),
                    list: Vec::new(),
                };
                self.capabilities = Some(caps.clone());
                self.phase = Phase::Ready;
                self.events.push_back(ClientEvent::Ready(caps));
            }
            Expect::Ehlo | Expect::Helo => {
                self.send_command(&Command::Quit, Expect::Quit);
                self.close(ClientClose::ServerClosed(reply));
            }
            Expect::StartTls if reply.code.get() == 220 => {
                self.phase = Phase::AwaitTls;
                self.input.clear();
                self.events.push_back(ClientEvent::StartTls);
            }
            Expect::StartTls => self.events.push_back(ClientEvent::StartTlsFailed(reply)),
            Expect::Rset | Expect::Quit => {
                if expect == Expect::Quit {
                    self.close(ClientClose::Quit);
                }
            }
            Expect::Auth => self.on_auth_reply(reply),
            Expect::Mail | Expect::Rcpt(_) | Expect::Data | Expect::DataEnd | Expect::Bdat => {
                self.on_transaction_reply(expect, reply);
            }
        }
    }

    fn on_transaction_reply(&mut self, expect: Expect, reply: Reply) {
        let lmtp = self.config.lmtp;
        let Some(tx) = &mut self.tx else {
            return self.close(ClientClose::Protocol(ParseError::MalformedReply));
        };
        let ok = reply.is_positive();
        match expect {
            Expect::Mail => {
                tx.open = ok;
                tx.failed = !ok;
                tx.result.mail = Some(reply);
                if !tx.pipelined {
                    if ok {
                        self.send_rcpt(0);
                    } else {
                        self.finish();
                    }
                }
            }
            Expect::Rcpt(i) => {
                tx.result.recipients[i].1 = Some(reply);
                if !tx.pipelined {
                    let n = tx.result.recipients.len();
                    if i + 1 < n {
                        self.send_rcpt(i + 1);
                    } else if accepted(tx) == 0 {
                        tx.failed = true;
                        self.finish();
                    } else {
                        self.send_body_start();
                    }
                }
            }
            Expect::Data if reply.code.get() == 354 => {
                if tx.failed || accepted(tx) == 0 {
                    // RFC 2920 §3.1: 354 after every RCPT failed; end the
                    // (empty) data so the server gets back to commands.
                    tx.failed = true;
                    self.out.extend_from_slice(b".\r\n");
                    self.expect.push_front(Expect::DataEnd);
                } else {
                    let wire = tx.wire.clone();
                    self.out.extend_from_slice(&wire);
                    self.expect.push_front(Expect::DataEnd);
                }
                tx.data_left = if lmtp { accepted(tx).max(1) } else { 1 };
            }
            Expect::Data => {
                tx.failed = true;
                self.finish();
            }
            Expect::Bdat => {
                if !ok {
                    tx.failed = true;
                    if !tx.pipelined {
                        // No LAST will follow: this is the final word.
                        tx.result.data.push(reply);
                    }
                }
                if !tx.pipelined {
                    if tx.failed {
                        self.finish();
                    } else {
                        self.send_next_chunk();
                    }
                }
            }
            Expect::DataEnd => {
                if tx.data_left == 0 {
                    tx.data_left = if lmtp && ok_so_far(tx) {
                        accepted(tx).max(1)
                    } else {
                        1
                    };
                }
                tx.result.data.push(reply);
                tx.data_left -= 1;
                if tx.data_left > 0 {
                    // LMTP: one more reply per recipient (RFC 2033 §4.2).
                    self.expect.push_front(Expect::DataEnd);
                } else {
                    if tx.result.data.iter().any(Reply::is_positive) || tx.failed {
                        tx.open = false;
                    }
                    self.finish();
                }
            }
            _ => {}
        }
    }

    /// Ends the transaction once no more of its replies are due.
    fn finish(&mut self) {
        let due = self.expect.iter().any(|e| {
            matches!(
                e,
                Expect::Mail | Expect::Rcpt(_) | Expect::Data | Expect::DataEnd | Expect::Bdat
            )
        });
        if due {
            return;
        }
        if let Some(tx) = self.tx.take() {
            if tx.open || tx.failed {
                // Leave the server with no half-open transaction.
                self.send_command(&Command::Rset, Expect::Rset);
            }
            self.events
                .push_back(ClientEvent::TransactionDone(tx.result));
        }
    }
}

fn accepted(tx: &Transaction) -> usize {
    tx.result
        .recipients
        .iter()
        .filter(|(_, r)| r.as_ref().is_some_and(Reply::is_positive))
        .count()
}

fn ok_so_far(tx: &Transaction) -> bool {
    !tx.failed && tx.result.mail.as_ref().is_some_and(Reply::is_positive)
}

impl Client {
    /// Drops buffered input that is not a reply (for tests of broken
    /// servers, and after a protocol error).
    pub fn clear_input(&mut self) {
        let n = self.input.len();
        self.input.advance(n);
        self.scanned = 0;
    }
}
