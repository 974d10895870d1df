//! RFC 1939's example session (§10), the APOP example (§7) and the seed
//! session (USER, PASS, STAT, UIDL, LIST n, RETR n ... QUIT) replayed as bytes
//! through the server machine, and the same transcripts fed whole, byte by
//! byte and split at every index giving the same events and bytes.

use yubin_pop3::server::{Config, Credential, Event, MaildropEntry, Server};
use yubin_pop3::{ResponseCode, crlf_size};

/// The application side of a test: a maildrop and a password.
struct App {
    user: &'static str,
    password: &'static [u8],
    messages: Vec<(String, Vec<u8>)>,
    removed: Vec<String>,
    chunk: usize,
}

impl App {
    fn answer(&mut self, server: &mut Server, event: &Event) {
        match event {
            Event::Login { user, credential } => {
                if user == self.user && credential.verify(self.password) {
                    let listing = self
                        .messages
                        .iter()
                        .map(|(uid, body)| MaildropEntry {
                            uid: uid.clone(),
                            size: crlf_size(body),
                        })
                        .collect();
                    server.accept_login(listing).unwrap();
                } else {
                    server
                        .reject_login(ResponseCode::Auth, "invalid login")
                        .unwrap();
                }
            }
            Event::Retrieve { index, .. } => {
                let body = self.messages[*index].1.clone();
                for chunk in body.chunks(self.chunk) {
                    if !server.send_message(chunk).unwrap() {
                        break;
                    }
                }
                server.finish_message().unwrap();
            }
            Event::Update { deleted } => {
                self.removed.extend(deleted.iter().map(|d| d.uid.clone()));
                server.update_done().unwrap();
            }
            _ => {}
        }
    }
}

/// Feeds `pieces` one at a time, answering decisions; returns the events
/// and every byte the server sent.
fn drive(server: &mut Server, app: &mut App, pieces: &[&[u8]]) -> (Vec<Event>, Vec<u8>) {
    let mut events = Vec::new();
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    for piece in pieces {
        server.handle_input(piece);
        while let Some(event) = server.poll_event() {
            app.answer(server, &event);
            events.push(event);
        }
        server.poll_transmit(&mut out);
    }
    (events, out)
}

/// RFC 1939 §10: messages of 120 and 200 octets.
fn rfc_app(chunk: usize) -> App {
    let body = |size: usize, n: u8| {
        let mut body = format!("Subject: message {n}\r\n\r\n").into_bytes();
        while body.len() < size - 2 {
            body.push(b'a' + n);
        }
        body.extend_from_slice(b"\r\n");
        body
    };
    App {
        user: "mrose",
        password: b"tanstaaf",
        messages: vec![
            ("uid-1".into(), body(120, 1)),
            ("uid-2".into(), body(200, 2)),
        ],
        removed: Vec::new(),
        chunk,
    }
}

const RFC_TIMESTAMP: &str = "<1896.697170952@dbc.mtview.ca.us>";

const RFC_SESSION: &[u8] = b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n\
STAT\r\n\
LIST\r\n\
RETR 1\r\n\
DELE 1\r\n\
RETR 2\r\n\
DELE 2\r\n\
QUIT\r\n";

fn rfc_server() -> Server {
    Server::with_apop_timestamp(Config::default(), RFC_TIMESTAMP).unwrap()
}

/// RFC 1939 §10, line by line: the status lines' numbers and every data line.
#[test]
fn rfc1939_example_session() {
    let mut app = rfc_app(4096);
    let (events, out) = drive(&mut rfc_server(), &mut app, &[RFC_SESSION]);
    let expected = [
        "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
        "+OK maildrop has 2 messages (320 octets)\r\n",
        "+OK 2 320\r\n",
        "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
        "+OK 120 octets\r\n",
        &String::from_utf8(app.messages[0].1.clone()).unwrap(),
        ".\r\n+OK message 1 deleted\r\n",
        "+OK 200 octets\r\n",
        &String::from_utf8(app.messages[1].1.clone()).unwrap(),
        ".\r\n+OK message 2 deleted\r\n",
        "+OK POP3 server signing off\r\n",
    ]
    .concat();
    assert_eq!(String::from_utf8(out).unwrap(), expected);
    assert_eq!(app.removed, ["uid-1", "uid-2"]);
    assert!(matches!(
        &events[0],
        Event::Login { user, credential: Credential::Apop { timestamp, .. } }
            if user == "mrose" && timestamp == RFC_TIMESTAMP
    ));
    assert_eq!(events.last(), Some(&Event::Closed));
}

/// RFC 1939 §7: a wrong APOP digest is refused, with [AUTH] (RFC 3206 §5).
#[test]
fn rfc1939_apop_refused() {
    let mut app = rfc_app(4096);
    let (_, out) = drive(
        &mut rfc_server(),
        &mut app,
        &[b"APOP mrose 00000000000000000000000000000000\r\nSTAT\r\n"],
    );
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.ends_with("-ERR [AUTH] invalid login\r\n-ERR STAT not allowed now\r\n"),
        "{out}"
    );
}

/// The seed: five real messages from the corpus.
fn seed_app(chunk: usize) -> App {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let messages = (1..=5)
        .map(|n| {
            let path = corpus.join(format!("cpython/data/msg_0{n}.txt"));
            let body = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("the corpus is required: {}: {e}", path.display()));
            (format!("msg-{n}"), body)
        })
        .collect();
    App {
        user: "alice",
        password: b"wonderland",
        messages,
        removed: Vec::new(),
        chunk,
    }
}

fn plaintext_config() -> Config {
    let mut config = Config::default();
    config.allow_plaintext_auth = true;
    config
}

fn seed_session() -> Vec<u8> {
    let mut session = b"USER alice\r\nPASS wonderland\r\nSTAT\r\nUIDL\r\n".to_vec();
    for n in 1..=5 {
        session.extend_from_slice(format!("LIST {n}\r\nRETR {n}\r\n").as_bytes());
    }
    session.extend_from_slice(b"LIST 6\r\nRETR 5\r\nQUIT\r\n");
    session
}

/// Dot-stuffed, CRLF-normalised form of a message, as RETR sends it.
fn on_the_wire(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body).replace("\r\n", "\n");
    let mut wire = Vec::new();
    for line in text.lines() {
        if line.starts_with('.') {
            wire.push(b'.');
        }
        wire.extend_from_slice(line.as_bytes());
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b".\r\n");
    wire
}

/// The seed session: USER, PASS, STAT, UIDL, LIST n and RETR n for each
/// message, LIST 6 (no such message), RETR 5 again, QUIT (RFC 1939 §5-§7).
#[test]
fn seed_session_replayed() {
    let mut app = seed_app(1000);
    let mut server = Server::new(plaintext_config());
    let (events, out) = drive(&mut server, &mut app, &[&seed_session()]);
    let sizes: Vec<u64> = app.messages.iter().map(|(_, b)| crlf_size(b)).collect();
    let total: u64 = sizes.iter().sum();
    let mut expected = format!(
        "+OK POP3 server ready\r\n+OK send PASS\r\n+OK maildrop has 5 messages ({total} octets)\r\n\
         +OK 5 {total}\r\n+OK unique-id listing follows\r\n"
    )
    .into_bytes();
    for n in 1..=5 {
        expected.extend_from_slice(format!("{n} msg-{n}\r\n").as_bytes());
    }
    expected.extend_from_slice(b".\r\n");
    for n in 1..=5 {
        let size = sizes[n - 1];
        expected.extend_from_slice(format!("+OK {n} {size}\r\n+OK {size} octets\r\n").as_bytes());
        expected.extend_from_slice(&on_the_wire(&app.messages[n - 1].1));
    }
    expected.extend_from_slice(b"-ERR no such message\r\n");
    expected.extend_from_slice(format!("+OK {} octets\r\n", sizes[4]).as_bytes());
    expected.extend_from_slice(&on_the_wire(&app.messages[4].1));
    expected.extend_from_slice(b"+OK POP3 server signing off\r\n");
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&expected)
    );
    assert!(app.removed.is_empty());
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::SizeMismatch { .. }))
    );
}

fn assert_chunking_invariant(make: impl Fn() -> (Server, App), input: &[u8]) {
    let (mut server, mut app) = make();
    let whole = drive(&mut server, &mut app, &[input]);
    let (mut server, mut app) = make();
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(drive(&mut server, &mut app, &bytes), whole, "byte by byte");
    for split in 0..=input.len() {
        let (mut server, mut app) = make();
        let (a, b) = input.split_at(split);
        assert_eq!(
            drive(&mut server, &mut app, &[a, b]),
            whole,
            "split at {split}"
        );
    }
}

#[test]
fn rfc1939_session_chunking_invariance() {
    assert_chunking_invariant(|| (rfc_server(), rfc_app(7)), RFC_SESSION);
}

#[test]
fn seed_session_chunking_invariance() {
    let config = plaintext_config();
    assert_chunking_invariant(
        || (Server::new(config.clone()), seed_app(333)),
        &seed_session(),
    );
}

/// RFC 1939 §6: QUIT in TRANSACTION, `+OK` only after the application's
/// confirmation; a dropped connection (the machine dropped) deletes nothing.
#[test]
fn update_waits_for_the_application() {
    let mut server = rfc_server();
    let mut out = Vec::new();
    server.handle_input(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    let Some(Event::Login { .. }) = server.poll_event() else {
        panic!("login")
    };
    server
        .accept_login(vec![MaildropEntry {
            uid: "a".into(),
            size: 3,
        }])
        .unwrap();
    server.handle_input(b"DELE 1\r\nQUIT\r\n");
    let Some(Event::Update { deleted }) = server.poll_event() else {
        panic!("update")
    };
    assert_eq!(deleted.len(), 1);
    server.poll_transmit(&mut out);
    assert!(!String::from_utf8_lossy(&out).contains("signing off"));
    server.update_done().unwrap();
    server.poll_transmit(&mut out);
    assert!(String::from_utf8_lossy(&out).ends_with("+OK POP3 server signing off\r\n"));
    assert_eq!(server.poll_event(), Some(Event::Closed));
}

/// RFC 1939 §10 from the client's side: the RFC's own server lines (its
/// wording, not ours) fed to the client machine give typed events; APOP uses
/// the greeting's timestamp (§7's digest).
#[test]
fn rfc1939_example_session_client_side() {
    use yubin_pop3::client::{Client, Config, Event as C};
    use yubin_pop3::{Command, ScanListing};
    let mut client = Client::new(Config::default());
    client.handle_input(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    client.apop("mrose", b"tanstaaf").unwrap();
    for command in [
        Command::Stat,
        Command::List(None),
        Command::Retr(1),
        Command::Dele(1),
        Command::Quit,
    ] {
        client.send(command).unwrap();
    }
    let mut wire = Vec::new();
    client.poll_transmit(&mut wire);
    assert_eq!(wire, b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n");
    let server_lines: &[&[u8]] = &[
        b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
        b"+OK 2 320\r\n",
        b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
        b"+OK 120 octets\r\nSubject: one\r\n\r\n..body\r\n.\r\n",
        b"+OK message 1 deleted\r\n",
        b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
    ];
    let expected_out: &[&[u8]] = &[
        b"STAT\r\n",
        b"LIST\r\n",
        b"RETR 1\r\n",
        b"DELE 1\r\n",
        b"QUIT\r\n",
        b"",
    ];
    let mut events = Vec::new();
    for (lines, out) in server_lines.iter().zip(expected_out) {
        client.handle_input(lines);
        events.extend(std::iter::from_fn(|| client.poll_event()));
        let mut wire = Vec::new();
        client.poll_transmit(&mut wire);
        assert_eq!(&wire, out);
    }
    assert!(
        matches!(&events[0], C::Greeting { apop_timestamp: Some(t), .. } if t == "<1896.697170952@dbc.mtview.ca.us>")
    );
    assert!(matches!(&events[1], C::Reply { status, .. } if status.ok));
    assert_eq!(
        events[2],
        C::Stat {
            count: 2,
            size: 320
        }
    );
    assert_eq!(
        events[3],
        C::Listing(vec![
            ScanListing {
                message: 1,
                size: 120
            },
            ScanListing {
                message: 2,
                size: 200
            }
        ])
    );
    assert!(matches!(&events[4], C::MessageStart { message: 1, .. }));
    let body: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            C::MessageChunk(b) => Some(b.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(body, b"Subject: one\r\n\r\n.body\r\n");
    assert_eq!(events.last(), Some(&C::Closed));
    assert!(client.is_closed());
}

/// The client side is chunking-invariant too (body chunks merged, since
/// their boundaries follow the input's).
#[test]
fn client_chunking_invariance() {
    use yubin_pop3::client::{Client, Config, Event as C};
    use yubin_pop3::{Command, Secret};
    let server: &[u8] = b"+OK ready <1.2@x>\r\n+OK\r\n+OK in\r\n+OK 1 9\r\n+OK 1 messages\r\n1 9\r\n.\r\n\
+OK\r\n1 uid-1\r\n.\r\n+OK 9 octets\r\n..a\r\nb\r\n.\r\n+OK\r\nX: y\r\n\r\n.\r\n-ERR [SYS/TEMP] busy\r\n+OK bye\r\n";
    let run = |pieces: &[&[u8]]| {
        let mut client = Client::new(Config::default());
        client.login("u", Secret::from("p")).unwrap();
        for command in [
            Command::Stat,
            Command::List(None),
            Command::Uidl(None),
            Command::Retr(1),
            Command::Top {
                message: 1,
                lines: 0,
            },
            Command::Dele(1),
            Command::Quit,
        ] {
            client.send(command).unwrap();
        }
        let mut events: Vec<C> = Vec::new();
        let mut wire = Vec::new();
        for piece in pieces {
            client.handle_input(piece);
            while let Some(event) = client.poll_event() {
                if let (C::MessageChunk(new), Some(C::MessageChunk(last))) =
                    (&event, events.last_mut())
                {
                    *last = [&last[..], &new[..]].concat().into();
                } else {
                    events.push(event);
                }
            }
            client.poll_transmit(&mut wire);
        }
        (events, wire)
    };
    let whole = run(&[server]);
    assert_eq!(whole.0.len(), 15, "{:?}", whole.0);
    let bytes: Vec<&[u8]> = server.chunks(1).collect();
    assert_eq!(run(&bytes), whole);
    for split in 0..=server.len() {
        let (a, b) = server.split_at(split);
        assert_eq!(run(&[a, b]), whole, "split at {split}");
    }
}

/// RFC 1939 §3: only CRLF "." CRLF ends a body. A server that passes a
/// message's bare LFs through cannot be made to end it early by a message
/// holding LF "." LF, with the rest read as forged replies.
#[test]
fn client_body_ends_only_at_crlf_dot_crlf() {
    use yubin_pop3::Command;
    use yubin_pop3::client::{Client, Config, Event as C};
    let mut client = Client::new(Config::default());
    client.send(Command::Retr(1)).unwrap();
    client.send(Command::Dele(1)).unwrap();
    client.handle_input(b"+OK hi\r\n+OK 40 octets\r\nline\n.\n+OK forged\r\n.\r\n+OK deleted\r\n");
    let events: Vec<C> = std::iter::from_fn(|| client.poll_event()).collect();
    let body: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            C::MessageChunk(b) => Some(b.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(body, b"line\n.\n+OK forged\r\n");
    assert_eq!(events.iter().filter(|e| **e == C::MessageEnd).count(), 1);
    assert!(matches!(events.last(), Some(C::Reply { status, .. }) if status.text == "deleted"));
}
