//! The client machine: the mirror of the server. Commands are queued with
//! [`Client::send`]; replies are correlated with what was sent, typed, and
//! RETR/TOP bodies are streamed unstuffed.
//!
//! Commands go out one at a time until the server advertises PIPELINING in
//! its CAPA reply (RFC 2449 §6.6); then they go out back to back, except STLS
//! and AUTH, which always wait for every earlier reply and hold back every
//! later command until their own exchange is over.

use std::collections::VecDeque;

use bytes::Bytes;
use yubin_sasl::{ClientExchange, Credentials, Mechanism, framing, strongest_common};

use crate::apop::{apop_digest, is_valid_apop_timestamp};
use crate::error::{ParseError, ProtocolError, UsageError};
use crate::parse::{
    number, parse_capability_line, parse_response_line, parse_scan_listing,
    parse_unique_id_listing, split_line,
};
use crate::stuff::Unstuffer;
use crate::types::{
    Capability, Command, CommandKind, MessageNumber, Response, ScanListing, Secret, Status,
    UniqueIdListing,
};

/// Limits of a client session.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Longest response line, CRLF included. Default 4096: RFC 2449 §4 caps
    /// responses at 512 octets, but servers with long texts and SASL
    /// challenges exceed it, and a line is only buffered until it ends.
    pub max_line: usize,
    /// Largest LIST, UIDL or CAPA reply kept in memory, in octets, counting
    /// the bookkeeping of each line (24 octets on 64-bit targets) with its
    /// text. Default 16 MiB: about 350 000 UIDL lines of a maildrop. RETR
    /// and TOP bodies are streamed and not bounded here.
    pub max_listing: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_line: 4096,
            max_listing: 16 * 1024 * 1024,
        }
    }
}

/// What the client machine reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server's greeting (RFC 1939 §4), with the APOP timestamp if it
    /// has one (RFC 1939 §7).
    Greeting {
        /// `+OK` or `-ERR` (a server that refuses the connection).
        status: Status,
        /// The `<...>` timestamp, angle brackets included.
        apop_timestamp: Option<String>,
    },
    /// The reply to a command whose reply is one line, and every `-ERR`
    /// (the response code typed in `status.code`).
    Reply {
        /// What the reply answers.
        command: CommandKind,
        /// The status line.
        status: Status,
    },
    /// `+OK nn mm` to STAT (RFC 1939 §5).
    Stat {
        /// Messages in the maildrop.
        count: u32,
        /// Their total size in octets.
        size: u64,
    },
    /// The scan listings of LIST (one element for `LIST n`).
    Listing(Vec<ScanListing>),
    /// The unique-id listings of UIDL (one element for `UIDL n`).
    UniqueIds(Vec<UniqueIdListing>),
    /// The CAPA reply (RFC 2449 §5).
    Capabilities(Vec<Capability>),
    /// `+OK` to RETR or TOP: the body follows in [`Event::MessageChunk`]s.
    MessageStart {
        /// RETR or TOP.
        command: CommandKind,
        /// The message number asked for.
        message: MessageNumber,
        /// The status line (its text usually gives the size).
        status: Status,
    },
    /// Unstuffed bytes of the body, line endings as the server sent them.
    MessageChunk(Bytes),
    /// The body is complete (the terminating line was read).
    MessageEnd,
    /// An AUTH challenge (RFC 5034 §4), still base64-encoded, for an AUTH
    /// sent with [`Client::send`]: answer with [`Client::send_auth_line`].
    /// (AUTH started with [`Client::authenticate`] answers by itself.)
    Continuation(Vec<u8>),
    /// The SASL exchange of [`Client::authenticate`] could not answer a
    /// challenge, so it sent `*` (RFC 5034 §4); the `-ERR` follows as a
    /// [`Event::Reply`].
    AuthCancelled {
        /// Why.
        reason: String,
    },
    /// The server's reply did not parse or came unasked: the session cannot
    /// go on in step, and [`Event::Closed`] follows.
    Invalid(ProtocolError),
    /// The session is over (QUIT answered, or a broken reply): close the
    /// connection.
    Closed,
}

#[derive(Debug)]
enum Reading {
    Greeting,
    Status,
    Listing {
        lines: Vec<Vec<u8>>,
        bytes: usize,
    },
    Message(Unstuffer),
    /// STLS was accepted: nothing more is read until the handshake.
    Tls,
    Closed,
}

/// A POP3 client session (sans-IO).
///
/// Call order: [`Client::new`], then [`Client::send`] commands at any time
/// (they wait for the greeting and, without PIPELINING, for each reply);
/// for each read [`Client::handle_input`] and [`Client::poll_event`] until
/// `None`; [`Client::poll_transmit`] and write the bytes out.
pub struct Client {
    config: Config,
    reading: Reading,
    apop_timestamp: Option<String>,
    capabilities: Option<Vec<Capability>>,
    queued: VecDeque<Command>,
    in_flight: VecDeque<Command>,
    sasl: Option<ClientExchange>,
    input: Vec<u8>,
    input_pos: usize,
    events: VecDeque<Event>,
    output: Vec<u8>,
}

/// The byte buffers are shown by length only: the output holds an encoded
/// `PASS` line or AUTH response until it is taken.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("reading", &self.reading)
            .field("apop_timestamp", &self.apop_timestamp)
            .field("capabilities", &self.capabilities)
            .field("queued", &self.queued)
            .field("in_flight", &self.in_flight)
            .field("sasl", &self.sasl)
            .field("unparsed_input_len", &(self.input.len() - self.input_pos))
            .field("events", &self.events)
            .field("output_len", &self.output.len())
            .finish()
    }
}

impl Client {
    /// A session waiting for the server's greeting.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            reading: Reading::Greeting,
            apop_timestamp: None,
            capabilities: None,
            queued: VecDeque::new(),
            in_flight: VecDeque::new(),
            sasl: None,
            input: Vec::new(),
            input_pos: 0,
            events: VecDeque::new(),
            output: Vec::new(),
        }
    }

    /// Queues a command; it goes out as soon as the protocol allows.
    pub fn send(&mut self, command: Command) -> Result<(), UsageError> {
        if matches!(self.reading, Reading::Closed) {
            return Err(UsageError::Closed);
        }
        self.queued.push_back(command);
        self.flush();
        Ok(())
    }

    /// Queues USER and PASS (RFC 1939 §7).
    pub fn login(&mut self, user: &str, password: Secret) -> Result<(), UsageError> {
        self.send(Command::User(user.to_owned()))?;
        self.send(Command::Pass(password))
    }

    /// Queues APOP with the digest over the greeting's timestamp (RFC 1939
    /// §7). Needs the greeting to have been read and to carry a timestamp.
    pub fn apop(&mut self, user: &str, secret: &[u8]) -> Result<(), UsageError> {
        let timestamp = self
            .apop_timestamp
            .as_deref()
            .ok_or(UsageError::NoApopTimestamp)?;
        let digest = apop_digest(timestamp, secret);
        self.send(Command::Apop {
            name: user.to_owned(),
            digest,
        })
    }

    /// Queues AUTH (RFC 5034) with the strongest mechanism that the last
    /// CAPA reply lists under SASL and that is in `usable`, and runs the
    /// exchange by itself from there; the outcome is the [`Event::Reply`] to
    /// AUTH. `nonce` is the SCRAM client nonce (the core has no randomness).
    /// The initial response goes with the command unless the line would pass
    /// 255 octets (RFC 5034 §4), in which case it answers the first, empty
    /// challenge. Returns the mechanism chosen.
    pub fn authenticate(
        &mut self,
        credentials: Credentials,
        usable: &[Mechanism],
        nonce: Option<&str>,
    ) -> Result<Mechanism, UsageError> {
        let offered: Vec<String> = self
            .capabilities
            .iter()
            .flatten()
            .filter_map(|c| match c {
                Capability::Sasl(mechanisms) => Some(mechanisms.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        let mechanism = strongest_common(offered.iter().map(String::as_str), usable)
            .ok_or(UsageError::NoCommonMechanism)?;
        let mut exchange = ClientExchange::new(mechanism, credentials, nonce)?;
        let initial_response = exchange.initial_response().and_then(|response| {
            let mut encoded = Vec::new();
            framing::encode_initial_response(&response, &mut encoded);
            // "AUTH " mechanism SP response CRLF
            let line = 5 + mechanism.name().len() + 1 + encoded.len() + 2;
            (line <= 255).then(|| Secret::new(encoded))
        });
        self.send(Command::Auth {
            mechanism: mechanism.name().to_owned(),
            initial_response,
        })?;
        self.sasl = Some(exchange);
        Ok(mechanism)
    }

    /// Sends one line of an AUTH exchange started with [`Client::send`]
    /// (base64 of the response, or `*` to cancel), CRLF added.
    pub fn send_auth_line(&mut self, line: &[u8]) -> Result<(), UsageError> {
        if !matches!(self.in_flight.front(), Some(Command::Auth { .. })) {
            return Err(UsageError::NotPending("AUTH"));
        }
        if line.iter().any(|&b| b == b'\r' || b == b'\n') {
            return Err(UsageError::InvalidArgument("AUTH line"));
        }
        self.output.extend_from_slice(line);
        self.output.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// The greeting's APOP timestamp, once the greeting is read.
    pub fn apop_timestamp(&self) -> Option<&str> {
        self.apop_timestamp.as_deref()
    }

    /// The capabilities of the last CAPA reply (forgotten after STLS, as
    /// RFC 2595 §4 requires).
    pub fn capabilities(&self) -> Option<&[Capability]> {
        self.capabilities.as_deref()
    }

    /// Whether commands are pipelined (the server advertised PIPELINING).
    pub fn is_pipelining(&self) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|caps| caps.contains(&Capability::Pipelining))
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        matches!(self.reading, Reading::Closed)
    }

    /// Whether STLS was accepted and the TLS handshake is due: write out
    /// [`Client::poll_transmit`], run the handshake, then call
    /// [`Client::tls_established`].
    pub fn is_awaiting_tls(&self) -> bool {
        matches!(self.reading, Reading::Tls)
    }

    /// The TLS handshake after STLS is done: what the server sent in the
    /// clear after its `+OK` is dropped, and the capabilities are forgotten
    /// (RFC 2595 §4); send CAPA again to learn them.
    pub fn tls_established(&mut self) -> Result<(), UsageError> {
        if !self.is_awaiting_tls() {
            return Err(UsageError::NotPending("STLS"));
        }
        self.reading = Reading::Status;
        self.capabilities = None;
        self.flush();
        Ok(())
    }

    /// Feeds bytes read from the server.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if matches!(self.reading, Reading::Closed | Reading::Tls) {
            return;
        }
        let mut bytes = bytes;
        // A body streams straight from the caller's bytes: one copy, not two.
        if self.input.is_empty() && matches!(self.reading, Reading::Message(_)) {
            let consumed = self.stream_body(bytes);
            bytes = &bytes[consumed..];
        }
        self.input.extend_from_slice(bytes);
        self.advance();
    }

    /// The next event, or `None` until more input arrives.
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

    /// Sends as many queued commands as the protocol allows now.
    fn flush(&mut self) {
        if !matches!(
            self.reading,
            Reading::Status | Reading::Listing { .. } | Reading::Message(_)
        ) {
            return;
        }
        let barrier = |c: &Command| matches!(c, Command::Stls | Command::Auth { .. });
        while let Some(next) = self.queued.front() {
            let may_send = match self.in_flight.back() {
                None => true,
                Some(last) => self.is_pipelining() && !barrier(last) && !barrier(next),
            };
            if !may_send {
                break;
            }
            let command = self.queued.pop_front().expect("front exists");
            command.encode(&mut self.output);
            self.in_flight.push_back(command);
        }
    }

    fn fail(&mut self, error: ProtocolError) {
        self.events.push_back(Event::Invalid(error));
        self.close();
    }

    fn close(&mut self) {
        self.reading = Reading::Closed;
        self.input = Vec::new();
        self.input_pos = 0;
        self.queued.clear();
        self.events.push_back(Event::Closed);
    }

    /// Takes the next complete line (without CRLF), or fails the session if
    /// the line is too long; `None` when more input is needed.
    fn next_line(&mut self) -> Option<Vec<u8>> {
        let rest = &self.input[self.input_pos..];
        match split_line(rest) {
            Some((line, consumed)) if consumed <= self.config.max_line => {
                let line = line.to_vec();
                self.input_pos += consumed;
                Some(line)
            }
            Some(_) => {
                self.fail(ProtocolError::LineTooLong);
                None
            }
            None => {
                if rest.len() >= self.config.max_line {
                    self.fail(ProtocolError::LineTooLong);
                }
                None
            }
        }
    }

    fn advance(&mut self) {
        loop {
            match &mut self.reading {
                Reading::Closed | Reading::Tls => break,
                Reading::Message(_) => {
                    let input = std::mem::take(&mut self.input);
                    let consumed = self.stream_body(&input[self.input_pos..]);
                    self.input = input;
                    self.input_pos += consumed;
                    if matches!(self.reading, Reading::Message(_)) {
                        break;
                    }
                }
                Reading::Listing { .. } => {
                    let Some(line) = self.next_line() else { break };
                    let Reading::Listing { lines, bytes } = &mut self.reading else {
                        break;
                    };
                    if line == b"." {
                        let lines = std::mem::take(lines);
                        self.reading = Reading::Status;
                        let command = self.in_flight.pop_front().expect("listing in flight");
                        self.finish_listing(&command, &lines);
                        self.flush();
                        continue;
                    }
                    // Each line kept costs its own allocation too: counted,
                    // a listing of empty lines cannot take ten times the
                    // budget.
                    *bytes += line.len() + 2 + std::mem::size_of::<Vec<u8>>();
                    if *bytes > self.config.max_listing {
                        self.fail(ProtocolError::InputOverflow);
                        break;
                    }
                    let line = match line.strip_prefix(b".") {
                        Some(rest) => rest.to_vec(),
                        None => line,
                    };
                    lines.push(line);
                }
                Reading::Greeting => {
                    let Some(line) = self.next_line() else { break };
                    match parse_response_line(&line) {
                        Ok(Response::Status(status)) => {
                            let timestamp = apop_timestamp_of(&status.text);
                            self.apop_timestamp.clone_from(&timestamp);
                            self.reading = Reading::Status;
                            self.events.push_back(Event::Greeting {
                                status,
                                apop_timestamp: timestamp,
                            });
                            self.flush();
                        }
                        Ok(Response::Continuation(_)) => {
                            self.fail(ProtocolError::UnexpectedResponse);
                        }
                        Err(e) => self.fail(ProtocolError::BadResponse(e)),
                    }
                }
                Reading::Status => {
                    if self.input_pos == self.input.len() {
                        break;
                    }
                    if self.in_flight.is_empty() {
                        self.fail(ProtocolError::UnexpectedResponse);
                        break;
                    }
                    let Some(line) = self.next_line() else { break };
                    match parse_response_line(&line) {
                        Ok(response) => self.response(response),
                        Err(e) => self.fail(ProtocolError::BadResponse(e)),
                    }
                }
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

    /// Unstuffs body bytes into a chunk event; at the terminating line ends
    /// the body and sends what waited. Returns the bytes consumed.
    fn stream_body(&mut self, input: &[u8]) -> usize {
        let Reading::Message(unstuffer) = &mut self.reading else {
            return 0;
        };
        let mut body = Vec::with_capacity(input.len());
        let consumed = unstuffer.push(input, &mut body);
        let done = unstuffer.is_done();
        if !body.is_empty() {
            self.events
                .push_back(Event::MessageChunk(Bytes::from(body)));
        }
        if done {
            self.events.push_back(Event::MessageEnd);
            self.reading = Reading::Status;
            self.in_flight.pop_front();
            self.flush();
        }
        consumed
    }

    fn response(&mut self, response: Response) {
        let command = self.in_flight.front().expect("checked non-empty").clone();
        let status = match response {
            Response::Continuation(challenge) => {
                if !matches!(command, Command::Auth { .. }) {
                    self.fail(ProtocolError::UnexpectedResponse);
                } else if let Some(exchange) = &mut self.sasl {
                    let response = framing::decode_challenge(&challenge)
                        .map_err(|e| e.to_string())
                        .and_then(|c| exchange.handle_challenge(&c).map_err(|e| e.to_string()));
                    match response {
                        Ok(response) => {
                            framing::encode_response(&response, &mut self.output);
                            self.output.extend_from_slice(b"\r\n");
                        }
                        Err(reason) => {
                            self.output.extend_from_slice(b"*\r\n");
                            self.events.push_back(Event::AuthCancelled { reason });
                        }
                    }
                } else {
                    self.events.push_back(Event::Continuation(challenge));
                }
                return;
            }
            Response::Status(status) => status,
        };
        if status.ok && command.has_multiline_reply() {
            match command {
                Command::Retr(message) | Command::Top { message, .. } => {
                    self.events.push_back(Event::MessageStart {
                        command: command.kind(),
                        message,
                        status,
                    });
                    self.reading = Reading::Message(Unstuffer::new());
                }
                _ => {
                    self.reading = Reading::Listing {
                        lines: Vec::new(),
                        bytes: 0,
                    };
                }
            }
            return;
        }
        self.in_flight.pop_front();
        let event = match (&command, status.ok) {
            (Command::Stat, true) => match numbers(&status.text) {
                Ok((count, size)) => Event::Stat { count, size },
                Err(e) => return self.fail(ProtocolError::BadResponse(e)),
            },
            (Command::List(Some(_)), true) => match parse_scan_listing(status.text.as_bytes()) {
                Ok(listing) => Event::Listing(vec![listing]),
                Err(e) => return self.fail(ProtocolError::BadResponse(e)),
            },
            (Command::Uidl(Some(_)), true) => {
                match parse_unique_id_listing(status.text.as_bytes()) {
                    Ok(listing) => Event::UniqueIds(vec![listing]),
                    Err(e) => return self.fail(ProtocolError::BadResponse(e)),
                }
            }
            _ => Event::Reply {
                command: command.kind(),
                status: status.clone(),
            },
        };
        self.events.push_back(event);
        if matches!(command, Command::Auth { .. })
            && let Some(mut exchange) = self.sasl.take()
            && status.ok
            && exchange.finish(None).is_err()
        {
            // A SCRAM server that did not prove it knows the password is not
            // the server we meant to talk to (RFC 5802 §9).
            return self.fail(ProtocolError::ServerNotVerified);
        }
        match command {
            Command::Quit => self.close(),
            Command::Stls if status.ok => {
                // Anything after the +OK came before the handshake: a
                // plaintext injection, never to be read as protected.
                self.reading = Reading::Tls;
                self.input.clear();
                self.input_pos = 0;
            }
            _ => self.flush(),
        }
    }

    fn finish_listing(&mut self, command: &Command, lines: &[Vec<u8>]) {
        let event = match command {
            Command::Capa => {
                let capabilities: Result<Vec<_>, _> =
                    lines.iter().map(|l| parse_capability_line(l)).collect();
                match capabilities {
                    Ok(capabilities) => {
                        self.capabilities = Some(capabilities.clone());
                        Event::Capabilities(capabilities)
                    }
                    Err(e) => return self.fail(ProtocolError::BadResponse(e)),
                }
            }
            Command::List(_) => match lines.iter().map(|l| parse_scan_listing(l)).collect() {
                Ok(listings) => Event::Listing(listings),
                Err(e) => return self.fail(ProtocolError::BadResponse(e)),
            },
            _ => match lines.iter().map(|l| parse_unique_id_listing(l)).collect() {
                Ok(listings) => Event::UniqueIds(listings),
                Err(e) => return self.fail(ProtocolError::BadResponse(e)),
            },
        };
        self.events.push_back(event);
    }
}

/// `nn mm` at the start of a STAT reply (RFC 1939 §5).
fn numbers(text: &str) -> Result<(u32, u64), ParseError> {
    let mut words = text.split(' ').filter(|w| !w.is_empty());
    let count = number(words.next().ok_or(ParseError::InvalidNumber)?.as_bytes())?;
    let size = words
        .next()
        .ok_or(ParseError::InvalidNumber)?
        .parse()
        .map_err(|_| ParseError::InvalidNumber)?;
    Ok((count, size))
}

/// The `<...>` of a greeting (RFC 1939 §7), if well formed.
fn apop_timestamp_of(text: &str) -> Option<String> {
    let start = text.find('<')?;
    let end = start + text[start..].find('>')?;
    let timestamp = &text[start..=end];
    is_valid_apop_timestamp(timestamp).then(|| timestamp.to_owned())
}
