//! Pair tests: a client and a server connected in memory.

use proptest::prelude::*;
use yubin_smtp::client::{ClientClose, ClientConfig, ClientEvent, Envelope, TransactionResult};
use yubin_smtp::server::{Config, Event, HelloVerb};
use yubin_smtp::{
    BodyType, Client, ForwardPath, Host, MailParameters, Mailbox, Reply, ReversePath, Server,
};

/// How the test's server application answers a decision; `None` accepts.
type ServerPolicy = dyn Fn(&Event) -> Option<Reply>;

/// What the server side saw of one message.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Received {
    from: Option<ReversePath<'static>>,
    params: Option<MailParameters<'static>>,
    to: Vec<ForwardPath<'static>>,
    body: Vec<u8>,
}

struct Pair {
    client: Client,
    server: Server,
    received: Vec<Received>,
    current: Received,
    client_events: Vec<ClientEvent>,
    /// Server-side policy: `None` accepts.
    policy: Box<ServerPolicy>,
    /// Bytes on the wire client → server, for inspection.
    c2s: Vec<u8>,
}

impl Pair {
    fn new(server: Config, client: ClientConfig) -> Pair {
        Pair {
            client: Client::new(client),
            server: Server::new(server),
            received: Vec::new(),
            current: Received::default(),
            client_events: Vec::new(),
            policy: Box::new(|_| None),
            c2s: Vec::new(),
        }
    }

    fn with_policy(mut self, p: impl Fn(&Event) -> Option<Reply> + 'static) -> Pair {
        self.policy = Box::new(p);
        self
    }

    /// Moves bytes both ways until neither side has anything to say.
    fn run(&mut self) {
        for _ in 0..10_000 {
            let mut moved = false;
            let mut buf = Vec::new();
            self.server.poll_transmit(&mut buf);
            if !buf.is_empty() {
                moved = true;
                self.client.handle_input(&buf);
            }
            while let Some(e) = self.client.poll_event() {
                if e == ClientEvent::StartTls {
                    self.client.tls_established();
                }
                self.client_events.push(e);
                moved = true;
            }
            buf.clear();
            self.client.poll_transmit(&mut buf);
            if !buf.is_empty() {
                moved = true;
                self.c2s.extend_from_slice(&buf);
                self.server.handle_input(&buf);
            }
            while let Some(e) = self.server.poll_event() {
                moved = true;
                match &e {
                    Event::MailFrom { from, params } => {
                        self.current = Received {
                            from: Some(from.clone()),
                            params: Some(params.clone()),
                            ..Received::default()
                        };
                    }
                    Event::BodyChunk(c) => self.current.body.extend_from_slice(c),
                    Event::MessageEnd { recipients, .. } => {
                        self.current.to = recipients.clone();
                    }
                    _ => {}
                }
                if e.is_decision() {
                    let r = (self.policy)(&e);
                    let positive = r.as_ref().is_none_or(|r| r.code.get() < 400);
                    match r {
                        Some(r) => self.server.reply(r).unwrap(),
                        None => self.server.accept().unwrap(),
                    }
                    if matches!(e, Event::MessageEnd { .. }) && positive {
                        self.received.push(std::mem::take(&mut self.current));
                    }
                    if e == Event::StartTls {
                        self.server.tls_established();
                    }
                }
            }
            if !moved {
                return;
            }
        }
        panic!("pair did not settle");
    }

    fn results(&self) -> Vec<TransactionResult> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::TransactionDone(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }
}

fn client_config() -> ClientConfig {
    ClientConfig::new(Host::new("client.example").unwrap())
}

fn mailbox(s: &str) -> Mailbox<'static> {
    Mailbox::new(s).unwrap()
}

fn envelope(from: &str, to: &[&str]) -> Envelope {
    Envelope::new(
        ReversePath::Mailbox(mailbox(from)),
        to.iter().map(|t| ForwardPath::Mailbox(mailbox(t))),
    )
}

fn configs() -> Vec<(&'static str, Config, ClientConfig)> {
    let mut out = Vec::new();
    for (name, pipelining, chunking) in [
        ("pipelining+chunking", true, true),
        ("pipelining only", true, false),
        ("chunking only", false, true),
        ("neither", false, false),
    ] {
        let mut s = Config::default();
        s.pipelining = pipelining;
        s.chunking = chunking;
        out.push((name, s, client_config()));
    }
    out
}

#[test]
fn one_message_every_mode() {
    for (name, s, c) in configs() {
        let mut pair = Pair::new(s, c);
        pair.run();
        assert!(pair.client.is_ready(), "{name}");
        let body = b"Subject: hi\r\n\r\n.leading dot\r\nbare lf\nend";
        pair.client
            .send_mail(
                envelope("a@c.example", &["b@s.example", "c@s.example"]),
                body,
            )
            .unwrap();
        pair.run();
        assert_eq!(pair.received.len(), 1, "{name}");
        assert_eq!(
            pair.received[0].body, b"Subject: hi\r\n\r\n.leading dot\r\nbare lf\r\nend\r\n",
            "{name}"
        );
        assert_eq!(pair.received[0].to.len(), 2, "{name}");
        let results = pair.results();
        assert!(results[0].all_delivered(), "{name}: {results:?}");
        let uses_bdat = pair.c2s.windows(5).any(|w| w == b"BDAT ");
        assert_eq!(uses_bdat, name.contains("chunking"), "{name}");
        pair.client.quit().unwrap();
        pair.run();
        assert!(pair.client.is_closed() && pair.server.is_closed(), "{name}");
        assert_eq!(
            pair.client_events.last(),
            Some(&ClientEvent::Closed(ClientClose::Quit))
        );
    }
}

#[test]
fn per_recipient_results_and_rset_between_transactions() {
    for (name, s, c) in configs() {
        let mut pair = Pair::new(s, c).with_policy(|e| match e {
            Event::RcptTo { to, .. } if to.to_string().contains("nobody") => {
                Some(Reply::new(550, Some((5, 1, 1)), "no such user"))
            }
            Event::MailFrom { from, .. } if from.to_string().contains("banned") => {
                Some(Reply::new(550, Some((5, 7, 1)), "banned"))
            }
            _ => None,
        });
        pair.run();
        pair.client
            .send_mail(
                envelope("a@c.example", &["nobody@s.example", "b@s.example"]),
                b"one\r\n",
            )
            .unwrap();
        pair.run();
        pair.client
            .send_mail(envelope("banned@c.example", &["b@s.example"]), b"two\r\n")
            .unwrap();
        pair.run();
        pair.client
            .send_mail(envelope("a@c.example", &["nobody@s.example"]), b"three\r\n")
            .unwrap();
        pair.run();
        pair.client
            .send_mail(envelope("a@c.example", &["b@s.example"]), b"four\r\n")
            .unwrap();
        pair.run();
        let r = pair.results();
        assert_eq!(r.len(), 4, "{name}");
        assert_eq!(r[0].delivered().len(), 1, "{name}");
        assert_eq!(
            r[0].recipients[0].1.as_ref().unwrap().code.get(),
            550,
            "{name}"
        );
        assert!(r[1].delivered().is_empty(), "{name}");
        assert_eq!(r[1].mail.as_ref().unwrap().code.get(), 550, "{name}");
        assert!(r[2].delivered().is_empty(), "{name}");
        assert!(r[3].all_delivered(), "{name}");
        let bodies: Vec<_> = pair.received.iter().map(|m| m.body.clone()).collect();
        assert_eq!(
            bodies,
            vec![b"one\r\n".to_vec(), b"four\r\n".to_vec()],
            "{name}"
        );
    }
}

#[test]
fn helo_fallback() {
    let mut pair = Pair::new(Config::default(), client_config()).with_policy(|e| match e {
        Event::Hello {
            verb: HelloVerb::Ehlo,
            ..
        } => Some(Reply::new(502, None, "EHLO? never heard of it")),
        _ => None,
    });
    pair.run();
    assert!(pair.client.is_ready());
    assert!(
        pair.c2s
            .starts_with(b"EHLO client.example\r\nHELO client.example\r\n")
    );
    pair.client
        .send_mail(envelope("a@c.example", &["b@s.example"]), b"x\r\n")
        .unwrap();
    pair.run();
    assert_eq!(pair.received.len(), 1);
    assert!(
        !pair.c2s.windows(4).any(|w| w == b"BDAT"),
        "no extensions after HELO"
    );
}

#[test]
fn lmtp_per_recipient_results() {
    let mut s = Config::default();
    s.lmtp = true;
    let mut c = client_config();
    c.lmtp = true;
    for chunking in [false, true] {
        s.chunking = chunking;
        let mut server = Server::new(s.clone());
        let mut client = Client::new(c.clone());
        let mut events = Vec::new();
        for round in 0..200 {
            let mut buf = Vec::new();
            server.poll_transmit(&mut buf);
            client.handle_input(&buf);
            while let Some(e) = client.poll_event() {
                events.push(e);
            }
            if round == 3 {
                client
                    .send_mail(envelope("a@c", &["b@s", "c@s", "d@s"]), b"hi\r\n")
                    .unwrap();
            }
            buf.clear();
            client.poll_transmit(&mut buf);
            server.handle_input(&buf);
            while let Some(e) = server.poll_event() {
                match e {
                    Event::RcptTo { to, .. } if to.to_string().contains("c@s") => {
                        server.reply(Reply::new(550, None, "unknown")).unwrap();
                    }
                    Event::MessageEnd { .. } => server
                        .reply_per_recipient(vec![
                            Reply::new(250, None, "ok b"),
                            Reply::new(452, None, "d full"),
                        ])
                        .unwrap(),
                    e if e.is_decision() => server.accept().unwrap(),
                    _ => {}
                }
            }
        }
        let r = events.iter().find_map(|e| match e {
            ClientEvent::TransactionDone(r) => Some(r.clone()),
            _ => None,
        });
        let r = r.expect("transaction done");
        assert_eq!(r.data.len(), 2, "chunking={chunking}");
        let delivered: Vec<String> = r.delivered().iter().map(|p| p.to_string()).collect();
        assert_eq!(delivered, vec!["<b@s>"], "chunking={chunking}");
    }
}

#[test]
fn starttls_then_ehlo_again() {
    let mut s = Config::default();
    s.starttls = true;
    let mut pair = Pair::new(s, client_config());
    pair.run();
    pair.client.starttls().unwrap();
    pair.run();
    assert!(pair.client.is_tls() && pair.server.is_tls());
    let readies = pair
        .client_events
        .iter()
        .filter(|e| matches!(e, ClientEvent::Ready(_)))
        .count();
    assert_eq!(readies, 2);
    assert!(pair.client.starttls().is_err(), "not offered under TLS");
}

#[test]
fn client_refuses_what_cannot_be_sent() {
    let mut s = Config::default();
    s.max_message_size = 50;
    s.eight_bit_mime = false;
    s.smtputf8 = false;
    let mut pair = Pair::new(s, client_config());
    pair.run();
    let e = envelope("a@c.example", &["b@s.example"]);
    assert!(
        pair.client.send_mail(e.clone(), &[b'x'; 60]).is_err(),
        "SIZE pre-check"
    );
    assert!(
        pair.client
            .send_mail(e.clone(), "caf\u{e9}\r\n".as_bytes())
            .is_err(),
        "8-bit needs 8BITMIME"
    );
    let long = [vec![b'a'; 999], b"\r\n".to_vec()].concat();
    let mut big = Config::default();
    big.max_message_size = 1 << 20;
    let mut pair2 = Pair::new(big, client_config());
    pair2.run();
    assert!(
        pair2.client.send_mail(e.clone(), &long).is_err(),
        "998-octet line limit"
    );
    assert!(
        pair2.client.send_mail(e.clone(), &long[1..]).is_ok(),
        "998 is fine"
    );
    let utf8 = Envelope::new(
        ReversePath::Mailbox(mailbox("δοκιμή@παράδειγμα.δοκιμή")),
        [ForwardPath::Postmaster],
    );
    assert!(
        pair.client.send_mail(utf8, b"x\r\n").is_err(),
        "SMTPUTF8 not offered"
    );
    assert!(
        pair.c2s.windows(4).all(|w| w != b"MAIL"),
        "nothing was sent"
    );
}

#[test]
fn eight_bit_and_utf8_parameters_chosen() {
    let mut pair = Pair::new(Config::default(), client_config());
    pair.run();
    let e = Envelope::new(
        ReversePath::Mailbox(mailbox("δοκιμή@παράδειγμα.δοκιμή")),
        [ForwardPath::Postmaster],
    );
    pair.client
        .send_mail(e, "caf\u{e9}\r\n".as_bytes())
        .unwrap();
    pair.run();
    let p = pair.received[0].params.clone().unwrap();
    assert_eq!(p.body, Some(BodyType::EightBitMime));
    assert!(p.smtputf8);
    assert_eq!(p.size, Some(7));
}

#[test]
fn binarymime_body_goes_as_is() {
    let mut pair = Pair::new(Config::default(), client_config());
    pair.run();
    let mut e = envelope("a@c.example", &["b@s.example"]);
    e.params.body = Some(BodyType::BinaryMime);
    let body: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    pair.client.send_mail(e, &body).unwrap();
    pair.run();
    assert_eq!(pair.received[0].body, body);
}

#[test]
fn big_body_in_several_chunks() {
    let mut c = client_config();
    c.bdat_chunk_size = 1000;
    for pipelining in [true, false] {
        let mut s = Config::default();
        s.pipelining = pipelining;
        let mut pair = Pair::new(s, c.clone());
        pair.run();
        let body: Vec<u8> = b"0123456789abcdefghijklmnopqrstuvwxyz\r\n".repeat(200);
        pair.client
            .send_mail(envelope("a@c.example", &["b@s.example"]), &body)
            .unwrap();
        pair.run();
        assert_eq!(pair.received[0].body, body);
        let chunks = pair.c2s.windows(5).filter(|w| w == b"BDAT ").count();
        assert_eq!(chunks, body.len().div_ceil(1000));
    }
}

/// The documented line-ending rule: CRLF stays, a bare LF or bare CR becomes
/// CRLF, and a non-empty body gets a final CRLF if it lacks one.
fn normalized(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\r' if body.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
            }
            b'\r' | b'\n' => {
                out.extend_from_slice(b"\r\n");
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn any_mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    (
        "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,10}(\\.[a-z0-9]{1,5})?|\"[ a-z@.]{0,8}\"|用户",
        "[a-z0-9]{1,8}(\\.[a-z]{2,5}){0,2}|例子\\.广告",
    )
        .prop_map(|(l, d)| Mailbox::new(&format!("{l}@{d}")).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_envelope_and_body_arrive_exactly(
        from in prop::option::of(any_mailbox()),
        to in prop::collection::vec(any_mailbox(), 1..4),
        body in prop::collection::vec(prop_oneof![
            4 => any::<u8>(),
            1 => Just(b'.'),
            1 => Just(b'\r'),
            1 => Just(b'\n'),
        ], 0..400),
        mode in 0usize..4,
    ) {
        let (_, s, c) = configs().swap_remove(mode);
        let mut pair = Pair::new(s, c);
        pair.run();
        let from = from.map_or(ReversePath::Null, ReversePath::Mailbox);
        let to: Vec<ForwardPath<'static>> = to.into_iter().map(ForwardPath::Mailbox).collect();
        pair.client.send_mail(Envelope::new(from.clone(), to.clone()), &body).unwrap();
        pair.run();
        prop_assert_eq!(pair.received.len(), 1);
        let got = &pair.received[0];
        prop_assert_eq!(got.from.as_ref(), Some(&from));
        prop_assert_eq!(&got.to, &to);
        prop_assert_eq!(&got.body, &normalized(&body));
    }
}

/// A client authenticating against a server in memory, the server's user
/// being "user" with password "pencil".
fn auth_pair(
    offered: &[yubin_sasl::Mechanism],
    credentials: &yubin_sasl::Credentials,
    usable: &[yubin_sasl::Mechanism],
) -> (Vec<ClientEvent>, Option<String>) {
    use yubin_sasl::{Mechanism, ScramCredentials, Secret};
    let mut s = Config::default();
    s.auth_mechanisms = offered.to_vec();
    s.starttls = true;
    let stored =
        ScramCredentials::derive(&Secret::new("pencil"), b"salt of the earth", 4096).unwrap();
    let mut server = Server::new(s);
    let mut client = Client::new(client_config());
    let mut events = Vec::new();
    let mut started = false;
    for _ in 0..100 {
        let mut buf = Vec::new();
        server.poll_transmit(&mut buf);
        client.handle_input(&buf);
        while let Some(e) = client.poll_event() {
            match &e {
                ClientEvent::Ready(_) if !client.is_tls() => client.starttls().unwrap(),
                ClientEvent::StartTls => client.tls_established(),
                ClientEvent::Ready(_) if !started => {
                    started = true;
                    client
                        .authenticate(credentials.clone(), usable, Some("rOprNGfwEbeRWgbNEkqO"))
                        .unwrap();
                }
                _ => {}
            }
            events.push(e);
        }
        buf.clear();
        client.poll_transmit(&mut buf);
        server.handle_input(&buf);
        while let Some(e) = server.poll_event() {
            match e {
                Event::StartTls => {
                    server.accept().unwrap();
                    server.tls_established();
                }
                Event::AuthStart { mechanism } => {
                    let nonce = match mechanism {
                        Mechanism::CramMd5 => {
                            Some("<1896.697170952@postoffice.example>".to_owned())
                        }
                        _ => Some("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0".to_owned()),
                    };
                    server.start_auth(nonce).unwrap();
                }
                Event::AuthVerifyPassword {
                    authcid, password, ..
                } => {
                    server
                        .auth_verify(authcid == "user" && password.expose() == "pencil")
                        .unwrap();
                }
                Event::AuthVerifyToken { token, .. } => {
                    server.auth_verify(token.expose() == "pencil").unwrap();
                }
                Event::AuthCramSecret { username } => {
                    let secret = (username == "user").then(|| Secret::new("pencil"));
                    server.auth_cram_secret(secret.as_ref()).unwrap();
                }
                Event::AuthScramCredentials { username, .. } => {
                    server
                        .auth_scram_credentials((username == "user").then(|| stored.clone()))
                        .unwrap();
                }
                e if e.is_decision() => server.accept().unwrap(),
                _ => {}
            }
        }
    }
    (
        events,
        server.authenticated().map(|a| a.identity().to_owned()),
    )
}

#[test]
fn authenticate_with_each_mechanism() {
    use yubin_sasl::{Credentials, Mechanism};
    for m in [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
        Mechanism::XOAuth2,
        Mechanism::OAuthBearer,
    ] {
        let creds = Credentials::new("user", "pencil");
        let (events, who) = auth_pair(&[m], &creds, &[m]);
        assert!(
            events.contains(&ClientEvent::Authenticated(m)),
            "{m:?}: {events:?}"
        );
        assert_eq!(who.as_deref(), Some("user"), "{m:?}");
    }
    // The strongest common mechanism is chosen (SCRAM over PLAIN).
    let all = [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ];
    let (events, _) = auth_pair(&all, &Credentials::new("user", "pencil"), &all);
    assert!(events.contains(&ClientEvent::Authenticated(Mechanism::ScramSha256)));
}

#[test]
fn authentication_failure_reported() {
    use yubin_sasl::{Credentials, Mechanism};
    for m in [Mechanism::Plain, Mechanism::CramMd5, Mechanism::ScramSha256] {
        let (events, who) = auth_pair(&[m], &Credentials::new("user", "wrong"), &[m]);
        let failed = events.iter().find_map(|e| match e {
            ClientEvent::AuthFailed(r) => Some(r.code.get()),
            _ => None,
        });
        assert_eq!(failed, Some(535), "{m:?}: {events:?}");
        assert_eq!(who, None);
    }
}
