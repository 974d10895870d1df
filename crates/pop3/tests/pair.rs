//! A client and a server connected in memory.

use proptest::prelude::*;
use yubin_pop3::client::{self, Client};
use yubin_pop3::server::{self, Credential, MaildropEntry, Server};
use yubin_pop3::{Capability, Command, CommandKind, ResponseCode, Secret, crlf_size};

struct Maildrop {
    password: &'static [u8],
    messages: Vec<Vec<u8>>,
    chunk: usize,
    removed: Vec<usize>,
}

impl Maildrop {
    fn new(messages: Vec<Vec<u8>>) -> Self {
        Self {
            password: b"secret",
            messages,
            chunk: 100,
            removed: Vec::new(),
        }
    }

    fn answer(&mut self, server: &mut Server, event: server::Event) {
        match event {
            server::Event::Login { credential, .. } => {
                if credential.verify(self.password) {
                    let listing = self
                        .messages
                        .iter()
                        .enumerate()
                        .map(|(i, m)| MaildropEntry {
                            uid: format!("u{i}"),
                            size: crlf_size(m),
                        })
                        .collect();
                    server.accept_login(listing).unwrap();
                } else {
                    server.reject_login(ResponseCode::Auth, "no").unwrap();
                }
            }
            server::Event::Retrieve { index, .. } => {
                let message = self.messages[index].clone();
                for chunk in message.chunks(self.chunk.max(1)) {
                    if !server.send_message(chunk).unwrap() {
                        break;
                    }
                }
                server.finish_message().unwrap();
            }
            server::Event::Update { deleted } => {
                self.removed.extend(deleted.iter().map(|d| d.index));
                server.update_done().unwrap();
            }
            server::Event::SizeMismatch { .. } => panic!("sizes must agree"),
            _ => {}
        }
    }
}

/// Moves bytes both ways until both sides are quiet; returns the client's
/// events and how many commands each client write carried at most.
fn pump(
    client: &mut Client,
    server: &mut Server,
    maildrop: &mut Maildrop,
) -> (Vec<client::Event>, usize) {
    let mut events = Vec::new();
    let mut most_commands = 0;
    for _ in 0..10_000 {
        let mut c2s = Vec::new();
        client.poll_transmit(&mut c2s);
        most_commands = most_commands.max(c2s.iter().filter(|&&b| b == b'\n').count());
        server.handle_input(&c2s);
        while let Some(event) = server.poll_event() {
            maildrop.answer(server, event);
        }
        let mut s2c = Vec::new();
        server.poll_transmit(&mut s2c);
        client.handle_input(&s2c);
        events.extend(std::iter::from_fn(|| client.poll_event()));
        if c2s.is_empty() && s2c.is_empty() {
            return (events, most_commands);
        }
    }
    panic!("the pair did not settle");
}

fn plaintext_server() -> Server {
    let mut config = server::Config::default();
    config.allow_plaintext_auth = true;
    Server::new(config)
}

/// The CRLF form of a message, computed byte by byte (the reference for the
/// machine's memchr-based normalisation).
fn crlf_form(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < message.len() {
        match message[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if message.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            b => out.push(b),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// RFC 1939 §7: the header, the blank line, then n lines of the body.
fn top_form(message: &[u8], n: usize) -> Vec<u8> {
    let crlf = crlf_form(message);
    let mut out = Vec::new();
    let mut in_body = false;
    let mut left = n;
    for line in crlf.split_inclusive(|&b| b == b'\n') {
        if in_body {
            if left == 0 {
                break;
            }
            left -= 1;
        }
        out.extend_from_slice(line);
        if !in_body && line == b"\r\n" {
            in_body = true;
        }
    }
    out
}

fn bodies(events: &[client::Event]) -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    for event in events {
        match event {
            client::Event::MessageStart { .. } => bodies.push(Vec::new()),
            client::Event::MessageChunk(chunk) => {
                bodies.last_mut().unwrap().extend_from_slice(chunk);
            }
            _ => {}
        }
    }
    bodies
}

fn message() -> impl Strategy<Value = Vec<u8>> {
    // Biased towards the bytes that matter: dots, CR, LF, line starts.
    proptest::collection::vec(
        prop_oneof![
            3 => Just(b'.'),
            3 => Just(b'\r'),
            3 => Just(b'\n'),
            1 => any::<u8>(),
            4 => b'a'..=b'z',
        ],
        0..300,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any maildrop of any bodies comes out byte-exact (after CRLF
    /// normalisation) through RETR, with LIST sizes equal to what arrived,
    /// and TOP n gives the header plus n lines.
    #[test]
    fn maildrops_survive_retr_and_top(
        messages in proptest::collection::vec(message(), 1..5),
        chunk in 1usize..64,
        lines in 0u32..5,
        pipelining: bool,
    ) {
        let mut maildrop = Maildrop::new(messages.clone());
        maildrop.chunk = chunk;
        let mut server = plaintext_server();
        let mut client = Client::new(client::Config::default());
        if pipelining {
            client.send(Command::Capa).unwrap();
        }
        client.login("u", Secret::from("secret")).unwrap();
        client.send(Command::List(None)).unwrap();
        for n in 1..=messages.len() as u32 {
            client.send(Command::Retr(n)).unwrap();
            client.send(Command::Top { message: n, lines }).unwrap();
        }
        client.send(Command::Quit).unwrap();
        let (events, _) = pump(&mut client, &mut server, &mut maildrop);
        let got = bodies(&events);
        prop_assert_eq!(got.len(), messages.len() * 2);
        let listing = events.iter().find_map(|e| match e {
            client::Event::Listing(l) => Some(l.clone()),
            _ => None,
        }).unwrap();
        for (i, message) in messages.iter().enumerate() {
            prop_assert_eq!(&got[2 * i], &crlf_form(message));
            prop_assert_eq!(listing[i].size, got[2 * i].len() as u64);
            prop_assert_eq!(&got[2 * i + 1], &top_form(message, lines as usize));
        }
        prop_assert_eq!(events.last(), Some(&client::Event::Closed));
        prop_assert!(client.is_closed() && server.is_closed());
    }
}

/// The seed session through the pair, with typed replies.
#[test]
fn seed_session_typed() {
    let mut maildrop = Maildrop::new(vec![
        b"A: b\n\nbody\n".to_vec(),
        b"C: d\r\n\r\n.dot\r\n".to_vec(),
    ]);
    let mut server = plaintext_server();
    let mut client = Client::new(client::Config::default());
    client.login("u", Secret::from("secret")).unwrap();
    for command in [
        Command::Stat,
        Command::Uidl(None),
        Command::List(Some(1)),
        Command::Uidl(Some(2)),
        Command::List(Some(3)),
        Command::Dele(2),
        Command::Noop,
        Command::Quit,
    ] {
        client.send(command).unwrap();
    }
    let (events, most) = pump(&mut client, &mut server, &mut maildrop);
    assert_eq!(most, 1, "no PIPELINING seen: one command at a time");
    use client::Event as E;
    assert!(matches!(&events[0], E::Greeting { status, apop_timestamp: None } if status.ok));
    assert!(matches!(&events[1], E::Reply { command: CommandKind::User, status } if status.ok));
    assert!(matches!(&events[2], E::Reply { command: CommandKind::Pass, status } if status.ok));
    assert_eq!(
        events[3],
        E::Stat {
            count: 2,
            size: 14 + 14
        }
    );
    assert!(matches!(&events[4], E::UniqueIds(ids) if ids.len() == 2 && ids[1].uid == "u1"));
    assert!(matches!(&events[5], E::Listing(l) if l.len() == 1 && l[0].size == 14));
    assert!(matches!(&events[6], E::UniqueIds(ids) if ids[0].message == 2));
    assert!(matches!(&events[7], E::Reply { command: CommandKind::List, status } if !status.ok));
    assert!(matches!(&events[8], E::Reply { command: CommandKind::Dele, status } if status.ok));
    assert_eq!(events.last(), Some(&E::Closed));
    assert_eq!(maildrop.removed, [1]);
}

/// RFC 2449 §6.6: once PIPELINING is seen, commands go out together; the
/// replies still come back in order.
#[test]
fn pipelining_after_capa() {
    let mut maildrop = Maildrop::new(vec![b"x\n".to_vec(); 3]);
    let mut server = plaintext_server();
    let mut client = Client::new(client::Config::default());
    client.send(Command::Capa).unwrap();
    let (events, _) = pump(&mut client, &mut server, &mut maildrop);
    assert!(
        matches!(&events[1], client::Event::Capabilities(c) if c.contains(&Capability::Pipelining))
    );
    assert!(client.is_pipelining());
    client.login("u", Secret::from("secret")).unwrap();
    for n in 1..=3 {
        client.send(Command::Retr(n)).unwrap();
    }
    client.send(Command::Quit).unwrap();
    let (events, most) = pump(&mut client, &mut server, &mut maildrop);
    assert_eq!(most, 6);
    assert_eq!(bodies(&events), vec![b"x\r\n".to_vec(); 3]);
}

/// RFC 1939 §7 APOP through the pair, and a wrong secret refused with the
/// typed [AUTH] code (RFC 3206 §5).
#[test]
fn apop_pair() {
    let mut maildrop = Maildrop::new(vec![]);
    let mut server =
        Server::with_apop_timestamp(server::Config::default(), "<1.2@example.org>").unwrap();
    let mut client = Client::new(client::Config::default());
    assert!(client.apop("u", b"secret").is_err(), "no greeting yet");
    pump(&mut client, &mut server, &mut maildrop);
    assert_eq!(client.apop_timestamp(), Some("<1.2@example.org>"));
    client.apop("u", b"wrong").unwrap();
    client.apop("u", b"secret").unwrap();
    let (events, _) = pump(&mut client, &mut server, &mut maildrop);
    assert!(
        matches!(&events[0], client::Event::Reply { command: CommandKind::Apop, status }
        if !status.ok && status.code == Some(ResponseCode::Auth))
    );
    assert!(
        matches!(&events[1], client::Event::Reply { command: CommandKind::Apop, status } if status.ok)
    );
    assert!(server.is_authenticated());
}

/// RFC 2595 §4 through the pair: STLS holds later commands back until the
/// handshake, and capabilities are asked again.
#[test]
fn stls_pair() {
    let mut maildrop = Maildrop::new(vec![]);
    let mut config = server::Config::default();
    config.stls = true;
    let mut server = Server::new(config);
    let mut client = Client::new(client::Config::default());
    client.send(Command::Capa).unwrap();
    client.send(Command::Stls).unwrap();
    client.login("u", Secret::from("secret")).unwrap();
    let (events, _) = pump(&mut client, &mut server, &mut maildrop);
    assert!(matches!(&events[1], client::Event::Capabilities(c) if c.contains(&Capability::Stls)));
    assert!(client.is_awaiting_tls());
    assert!(client.capabilities().is_some());
    // Both sides now run the handshake (here: nothing to do in memory).
    server.tls_established().unwrap();
    client.tls_established().unwrap();
    assert!(client.capabilities().is_none());
    let (events, _) = pump(&mut client, &mut server, &mut maildrop);
    assert!(
        matches!(&events[..], [
        client::Event::Reply { command: CommandKind::User, .. },
        client::Event::Reply { command: CommandKind::Pass, status },
    ] if status.ok),
        "{events:?}"
    );
    let _ = Credential::Password(Secret::from("x"));
}

/// A server that answers nonsense: the client reports it and closes.
#[test]
fn broken_server() {
    let mut client = Client::new(client::Config::default());
    client.handle_input(b"+OK hi\r\n* what\r\n");
    let events: Vec<_> = std::iter::from_fn(|| client.poll_event()).collect();
    assert!(matches!(&events[1], client::Event::Invalid(_)));
    assert_eq!(events[2], client::Event::Closed);
    let mut client = Client::new(client::Config::default());
    client.handle_input(&[b'+'; 5000]);
    assert!(client.is_closed());
}
