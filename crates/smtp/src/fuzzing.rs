//! The code the fuzz targets run, kept in the crate so the stable replay
//! test of `fuzz/regressions/` runs exactly it. Not part of the public API.

use crate::client::{ClientConfig, ClientEvent, Envelope};
use crate::server::{Config, Event, LineEndingPolicy, Server};
use crate::{Client, Command, ForwardPath, Host, Mailbox, Reply, ReversePath};

/// Any bytes into the command parser, which must answer as the general
/// parser alone does; a parsed command must encode to bytes that parse back
/// to the same command.
pub fn command(data: &[u8]) {
    let parsed = Command::parse(data);
    assert_eq!(parsed, crate::parse::parse_by_general_parser(data));
    if let Ok(Some((n, cmd))) = parsed {
        assert!(n <= data.len());
        let bytes = cmd.to_bytes();
        match Command::parse(&bytes) {
            Ok(Some((m, back))) => {
                assert_eq!(m, bytes.len());
                assert_eq!(
                    back,
                    cmd,
                    "re-encoded {:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            other => panic!("re-encoded command did not parse: {other:?}"),
        }
    }
}

/// Any bytes into the reply parser; a parsed reply must round-trip unless
/// invalid UTF-8, replaced by U+FFFD (3 octets for 1), grew a line past the
/// parser's limit.
pub fn reply(data: &[u8]) {
    if let Ok(Some((n, r))) = Reply::parse(data) {
        assert!(n <= data.len());
        let bytes = r.to_bytes();
        if bytes
            .split(|&b| b == b'\n')
            .any(|l| l.len() + 1 > crate::parse::MAX_REPLY_LINE)
        {
            return;
        }
        let back = Reply::parse(&bytes);
        assert_eq!(back, Ok(Some((bytes.len(), r))));
    }
}

fn server_config(flags: u8) -> Config {
    let mut c = Config {
        lmtp: flags & 1 != 0,
        ..Config::default()
    };
    if flags & 2 != 0 {
        c.line_ending_policy = LineEndingPolicy::Normalize;
    }
    c.starttls = flags & 4 != 0;
    c.pipelining = flags & 8 == 0;
    c.chunking = flags & 16 == 0;
    // Small limits so the fuzzer reaches them.
    c.max_message_size = 2000;
    c.max_recipients = 3;
    c.max_text_line = 200;
    if flags & 32 != 0 {
        c.auth_mechanisms = yubin_sasl::Mechanism::ALL.to_vec();
        c.auth_without_tls = true;
        c.auth_plaintext_without_tls = flags & 64 != 0;
        c.require_auth = flags & 128 != 0;
    }
    c
}

/// Runs the server over `chunks`, answering decision number `i` with a
/// rejection when bit `i % 8` of `answers` is set. Returns everything sent
/// and every event, adjacent body chunks merged.
fn run_server(flags: u8, answers: u8, chunks: &[&[u8]]) -> (Vec<u8>, Vec<Event>) {
    let mut server = Server::new(server_config(flags));
    let mut out = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut decisions = 0u32;
    server.poll_transmit(&mut out);
    for chunk in chunks {
        server.handle_input(chunk);
        while let Some(e) = server.poll_event() {
            if e.is_decision() {
                let reject = answers >> (decisions % 8) & 1 == 1;
                decisions += 1;
                if let Some(done) = answer_auth(&mut server, &e, reject) {
                    done.expect("an AUTH decision is answered");
                } else if reject {
                    server
                        .reply(Reply::new(550, Some((5, 7, 1)), "rejected"))
                        .expect("a 5yz fits every decision");
                } else if let Event::MessageEnd { recipients, .. } = &e
                    && server.config().lmtp
                {
                    let replies = vec![Reply::new(250, None, "ok"); recipients.len()];
                    server
                        .reply_per_recipient(replies)
                        .expect("one per recipient");
                } else {
                    server.accept().expect("decision pending");
                }
                // No tls_established(): bytes after an accepted STARTTLS
                // would come through TLS, so how they were cut relative to
                // the handshake is not something the input can say.
            }
            match (events.last_mut(), &e) {
                (Some(Event::BodyChunk(prev)), Event::BodyChunk(next)) => {
                    let mut joined = prev.to_vec();
                    joined.extend_from_slice(next);
                    *prev = joined.into();
                }
                _ => events.push(e),
            }
        }
        server.poll_transmit(&mut out);
    }
    (out, events)
}

/// Answers the AUTH decisions; `None` for any other event.
fn answer_auth(
    server: &mut Server,
    e: &Event,
    reject: bool,
) -> Option<Result<(), crate::UsageError>> {
    use yubin_sasl::{Mechanism, ScramCredentials, Secret};
    Some(match e {
        Event::AuthStart { mechanism } if !reject => server.start_auth(Some(match mechanism {
            Mechanism::CramMd5 => "<1.2@fuzz.example>".into(),
            _ => "fuzznonce0123456789".into(),
        })),
        Event::AuthStart { .. } => server.reply(Reply::new(454, Some((4, 7, 0)), "later")),
        Event::AuthVerifyPassword { .. } | Event::AuthVerifyToken { .. } => {
            server.auth_verify(!reject)
        }
        Event::AuthCramSecret { .. } => {
            server.auth_cram_secret((!reject).then(|| Secret::new("secret")).as_ref())
        }
        Event::AuthScramCredentials { .. } => {
            // Low iteration count: the fuzzer should spend its time on the
            // protocol, not on PBKDF2.
            let creds = ScramCredentials::derive(&Secret::new("secret"), b"salt", 4096).ok();
            server.auth_scram_credentials(creds.filter(|_| !reject))
        }
        _ => return None,
    })
}

/// Any client bytes, cut into `chunks`, into a server: no panic, the output
/// is well-formed replies, and the outcome equals that of the same bytes fed
/// whole. `flags` picks the configuration, `answers` the application's
/// decisions.
pub fn server_session(flags: u8, answers: u8, chunks: &[&[u8]]) {
    let (out, events) = run_server(flags, answers, chunks);
    let mut rest = &out[..];
    while !rest.is_empty() {
        match Reply::parse(rest) {
            Ok(Some((n, _))) => rest = &rest[n..],
            other => panic!("server sent a malformed reply: {other:?}"),
        }
    }
    let whole: Vec<u8> = chunks.concat();
    let (out2, events2) = run_server(flags, answers, &[&whole]);
    assert_eq!(out, out2, "output depends on how the input was cut");
    assert_eq!(events, events2, "events depend on how the input was cut");
}

/// Any server bytes, cut into `chunks`, into a client that sends one
/// message when ready and quits after it: no panic, bounded output.
pub fn client_session(flags: u8, chunks: &[&[u8]]) {
    let mut config = ClientConfig::new(Host::new("fuzz.example").expect("valid"));
    config.lmtp = flags & 1 != 0;
    config.bdat_chunk_size = 7;
    let mut client = Client::new(config);
    let mut out = Vec::new();
    let mut sent = false;
    let body: &[u8] = if flags & 2 != 0 {
        b"Subject: x\r\n\r\n.dot\nbare\r\ncaf\xc3\xa9\r\n"
    } else {
        b"hi\r\n"
    };
    for chunk in chunks {
        client.handle_input(chunk);
        while let Some(e) = client.poll_event() {
            match e {
                ClientEvent::Ready(_) if !sent => {
                    sent = true;
                    let from = ReversePath::Mailbox(Mailbox::new("a@b.example").expect("valid"));
                    let to = [
                        ForwardPath::Postmaster,
                        ForwardPath::Mailbox(Mailbox::new("c@d.example").expect("valid")),
                    ];
                    let _ = client.send_mail(Envelope::new(from, to), body);
                    if flags & 4 != 0 {
                        let _ = client.starttls();
                    }
                }
                ClientEvent::StartTls => client.tls_established(),
                ClientEvent::TransactionDone(_) => {
                    let _ = client.quit();
                }
                _ => {}
            }
        }
        client.poll_transmit(&mut out);
        assert!(out.len() < 1 << 20, "client output unbounded");
    }
    if client.poll_timeout().is_some() {
        client.handle_timeout();
        assert!(client.is_closed());
    }
}
