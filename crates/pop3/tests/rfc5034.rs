//! AUTH (RFC 5034) through yubin-sasl: the RFC's exchanges replayed as
//! bytes on the server machine, and client/server pairs in memory for each
//! kind of mechanism.

use yubin_pop3::client::{self, Client};
use yubin_pop3::sasl::{Credentials, Mechanism, ScramCredentials};
use yubin_pop3::server::{self, Event, SaslRequest, Server};
use yubin_pop3::{Capability, Command, CommandKind, ResponseCode};

fn config(mechanisms: &[Mechanism], plaintext: bool) -> server::Config {
    let mut config = server::Config::default();
    config.sasl_mechanisms = mechanisms.to_vec();
    config.allow_plaintext_auth = plaintext;
    config
}

/// The application: user "test" with password "test"; answers every request.
fn answer(server: &mut Server, event: &Event) {
    match event {
        Event::Sasl(SaslRequest::Nonce { .. }) => {
            server
                .provide_sasl_nonce("<1896.697170952@postoffice.example.net>")
                .unwrap();
        }
        Event::Sasl(SaslRequest::VerifyPassword {
            authcid, password, ..
        }) => {
            if authcid == "test" && password.expose() == b"test" {
                server.sasl_accept().unwrap();
            } else {
                server.sasl_reject().unwrap();
            }
        }
        Event::Sasl(SaslRequest::CramSecret { username }) => {
            let secret = yubin_pop3::sasl::Secret::new("test");
            server
                .provide_cram_secret((username == "test").then_some(&secret))
                .unwrap();
        }
        Event::Sasl(SaslRequest::ScramCredentials { username, .. }) => {
            let stored =
                ScramCredentials::derive(&yubin_pop3::sasl::Secret::new("test"), b"salt", 4096)
                    .unwrap();
            server
                .provide_scram_credentials((username == "test").then_some(stored))
                .unwrap();
        }
        Event::SaslLogin { .. } => server.accept_login(Vec::new()).unwrap(),
        _ => {}
    }
}

fn feed(server: &mut Server, input: &[u8]) -> (Vec<Event>, String) {
    server.handle_input(input);
    let mut events = Vec::new();
    while let Some(event) = server.poll_event() {
        answer(server, &event);
        events.push(event);
    }
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    (events, String::from_utf8_lossy(&out).into_owned())
}

/// RFC 5034 §6 (examples): PLAIN without and with an initial response,
/// and a cancelled exchange.
#[test]
fn rfc5034_plain_examples() {
    let mut server = Server::new(config(&[Mechanism::Plain], true));
    let (_, greeting) = feed(&mut server, b"");
    assert_eq!(greeting, "+OK POP3 server ready\r\n");
    let (_, out) = feed(&mut server, b"AUTH PLAIN\r\n");
    assert_eq!(out, "+ \r\n");
    let (events, out) = feed(&mut server, b"dGVzdAB0ZXN0AHRlc3Q=\r\n");
    assert_eq!(out, "+OK maildrop has 0 messages (0 octets)\r\n");
    assert!(matches!(&events[..], [
        Event::Sasl(SaslRequest::VerifyPassword { authzid: Some(z), authcid, .. }),
        Event::SaslLogin { mechanism: Mechanism::Plain, .. },
    ] if z == "test" && authcid == "test"));
    assert!(server.is_authenticated());

    let mut server = Server::new(config(&[Mechanism::Plain], true));
    let (_, out) = feed(&mut server, b"AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\nSTAT\r\n");
    assert_eq!(
        out,
        "+OK POP3 server ready\r\n+OK maildrop has 0 messages (0 octets)\r\n+OK 0 0\r\n"
    );

    let mut server = Server::new(config(&[Mechanism::Plain], true));
    let (_, out) = feed(&mut server, b"AUTH PLAIN\r\n*\r\nNOOP\r\n");
    assert_eq!(
        out,
        "+OK POP3 server ready\r\n+ \r\n-ERR authentication cancelled\r\n-ERR NOOP not allowed now\r\n"
    );
}

/// RFC 3206 §5 / RFC 5034 §4: wrong credentials give -ERR [AUTH]; bad
/// base64 gives -ERR; the session stays in AUTHORIZATION.
#[test]
fn failures() {
    let mut server = Server::new(config(&[Mechanism::Plain], true));
    // "test\0test\0nope"
    let (_, out) = feed(
        &mut server,
        b"AUTH PLAIN dGVzdAB0ZXN0AG5vcGU=\r\nAUTH PLAIN !!!\r\nAUTH X\r\n",
    );
    assert!(out.ends_with("-ERR [AUTH] authentication failed\r\n-ERR malformed SASL message\r\n-ERR unsupported SASL mechanism\r\n"), "{out}");
    assert!(!server.is_authenticated());
}

/// RFC 5034 §3 with RFC 2595: PLAIN is not offered (CAPA or AUTH) in the
/// clear unless configured; CRAM-MD5 is.
#[test]
fn plaintext_mechanisms_need_tls() {
    let mut server = Server::new(config(&[Mechanism::Plain, Mechanism::CramMd5], false));
    let (_, out) = feed(&mut server, b"CAPA\r\nAUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    assert!(out.contains("\r\nSASL CRAM-MD5\r\n"), "{out}");
    assert!(
        out.ends_with("-ERR unsupported SASL mechanism\r\n"),
        "{out}"
    );
}

/// RFC 2195 §2's CRAM-MD5 example exchange, with the nonce from the
/// application.
#[test]
fn cram_md5_rfc2195_example() {
    let mut server = Server::new(config(&[Mechanism::CramMd5], false));
    feed(&mut server, b"");
    let (events, out) = feed(&mut server, b"AUTH CRAM-MD5\r\n");
    assert_eq!(
        events,
        [Event::Sasl(SaslRequest::Nonce {
            mechanism: Mechanism::CramMd5
        })]
    );
    // base64 of <1896.697170952@postoffice.example.net>
    assert_eq!(
        out,
        "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n"
    );
    let (events, out) = feed(
        &mut server,
        b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n",
    );
    // RFC 2195's user is "tim" with secret "tanstaaftanstaaf"; ours knows only "test".
    assert!(
        matches!(&events[..], [Event::Sasl(SaslRequest::CramSecret { username })] if username == "tim")
    );
    assert_eq!(out, "-ERR [AUTH] authentication failed\r\n");
}

fn pump(client: &mut Client, server: &mut Server) -> Vec<client::Event> {
    let mut events = Vec::new();
    for _ in 0..100 {
        let mut c2s = Vec::new();
        client.poll_transmit(&mut c2s);
        server.handle_input(&c2s);
        while let Some(event) = server.poll_event() {
            answer(server, &event);
        }
        let mut s2c = Vec::new();
        server.poll_transmit(&mut s2c);
        client.handle_input(&s2c);
        events.extend(std::iter::from_fn(|| client.poll_event()));
        if c2s.is_empty() && s2c.is_empty() {
            return events;
        }
    }
    panic!("pair did not settle");
}

fn auth_reply(events: &[client::Event]) -> &yubin_pop3::Status {
    events
        .iter()
        .find_map(|e| match e {
            client::Event::Reply {
                command: CommandKind::Auth,
                status,
            } => Some(status),
            _ => None,
        })
        .expect("AUTH answered")
}

/// The client picks the strongest mechanism CAPA offers and runs the
/// exchange by itself: SCRAM-SHA-256, CRAM-MD5, PLAIN in turn.
#[test]
fn client_authenticates_with_the_strongest_common_mechanism() {
    let all = [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::CramMd5,
        Mechanism::ScramSha256,
    ];
    for (offered, expected) in [
        (&all[..], Mechanism::ScramSha256),
        (&all[..3], Mechanism::CramMd5),
        (&all[..2], Mechanism::Plain),
        (&all[1..2], Mechanism::Login),
    ] {
        let mut server = Server::new(config(offered, true));
        let mut client = Client::new(client::Config::default());
        client.send(Command::Capa).unwrap();
        let events = pump(&mut client, &mut server);
        assert!(
            matches!(&events[1], client::Event::Capabilities(c) if c.iter().any(|c| matches!(c, Capability::Sasl(_))))
        );
        let chosen = client
            .authenticate(
                Credentials::new("test", "test"),
                &all,
                Some("fyko+d2lbbFgONRv9qkxdawL"),
            )
            .unwrap();
        assert_eq!(chosen, expected);
        client.send(Command::Stat).unwrap();
        let events = pump(&mut client, &mut server);
        assert!(auth_reply(&events).ok, "{expected:?}: {events:?}");
        assert!(
            events.contains(&client::Event::Stat { count: 0, size: 0 }),
            "{events:?}"
        );
        assert!(server.is_authenticated());
    }
}

/// A wrong password through the client: -ERR [AUTH], typed.
#[test]
fn client_wrong_password() {
    for mechanism in [Mechanism::Plain, Mechanism::CramMd5, Mechanism::ScramSha256] {
        let mut server = Server::new(config(&[mechanism], true));
        let mut client = Client::new(client::Config::default());
        client.send(Command::Capa).unwrap();
        pump(&mut client, &mut server);
        client
            .authenticate(
                Credentials::new("test", "wrong"),
                &[mechanism],
                Some("fyko+d2lbbFgONRv9qkxdawL"),
            )
            .unwrap();
        let events = pump(&mut client, &mut server);
        let status = auth_reply(&events);
        assert!(
            !status.ok && status.code == Some(ResponseCode::Auth),
            "{mechanism:?}: {events:?}"
        );
        assert!(!server.is_authenticated());
    }
}

/// Without CAPA, or with nothing in common, the client refuses to guess.
#[test]
fn client_needs_a_common_mechanism() {
    let mut client = Client::new(client::Config::default());
    assert!(
        client
            .authenticate(Credentials::new("a", "b"), &[Mechanism::Plain], None)
            .is_err()
    );
}

/// RFC 5034 §4: an initial response that would make the AUTH line longer
/// than 255 octets is sent after the server's empty challenge instead.
#[test]
fn long_initial_response_waits_for_the_challenge() {
    let mut server = Server::new(config(&[Mechanism::Plain], true));
    let mut client = Client::new(client::Config::default());
    client.send(Command::Capa).unwrap();
    pump(&mut client, &mut server);
    let long_user = "u".repeat(300);
    client
        .authenticate(
            Credentials::new(long_user.as_str(), "test"),
            &[Mechanism::Plain],
            None,
        )
        .unwrap();
    let mut wire = Vec::new();
    client.poll_transmit(&mut wire);
    assert_eq!(wire, b"AUTH PLAIN\r\n");
    server.handle_input(&wire);
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    assert_eq!(out, b"+ \r\n");
    client.handle_input(&out);
    let mut wire = Vec::new();
    client.poll_transmit(&mut wire);
    assert!(wire.len() > 255 && wire.ends_with(b"\r\n"));
    server.handle_input(&wire);
    let event = server.poll_event();
    assert!(
        matches!(event, Some(Event::Sasl(SaslRequest::VerifyPassword { authcid, .. })) if authcid == long_user)
    );
}

/// The RFC 5034 exchanges fed whole, byte by byte and split at every index
/// give the same events and bytes.
#[test]
fn auth_chunking_invariance() {
    let input: &[u8] = b"AUTH PLAIN\r\ndGVzdAB0ZXN0AG5vcGU=\r\nAUTH CRAM-MD5\r\n*\r\n\
AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\nSTAT\r\nQUIT\r\n";
    let run = |pieces: &[&[u8]]| {
        let mut server = Server::new(config(&[Mechanism::Plain, Mechanism::CramMd5], true));
        let mut all = (Vec::new(), String::new());
        for piece in pieces {
            let (events, out) = feed(&mut server, piece);
            all.0.extend(events);
            all.1.push_str(&out);
        }
        all
    };
    let whole = run(&[input]);
    assert!(whole.1.ends_with("+OK 0 0\r\n"), "{}", whole.1);
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(run(&bytes), whole);
    for split in 0..=input.len() {
        let (a, b) = input.split_at(split);
        assert_eq!(run(&[a, b]), whole, "split at {split}");
    }
}

/// A SASL line over `max_auth_line` fails the exchange; the session goes on.
#[test]
fn overlong_sasl_line_fails_the_exchange() {
    let mut server = Server::new(config(&[Mechanism::Plain], true));
    feed(&mut server, b"AUTH PLAIN\r\n");
    let long = vec![b'A'; 20_000];
    let (_, out) = feed(&mut server, &long);
    assert_eq!(out, "");
    let (_, out) = feed(&mut server, b"\r\nAGEAc2VjcmV0\r\n");
    assert_eq!(out, "-ERR line too long\r\n-ERR unknown command\r\n");
}

/// AUTH sent by hand with `send`: the client hands out the challenge and
/// sends the lines it is given (RFC 5034 §4), `*` included.
#[test]
fn manual_auth_exchange() {
    let mut server = Server::new(config(&[Mechanism::Plain], true));
    let mut client = Client::new(client::Config::default());
    assert!(client.send_auth_line(b"x").is_err(), "no AUTH in flight");
    client
        .send(Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: None,
        })
        .unwrap();
    let events = pump(&mut client, &mut server);
    assert_eq!(events[1], client::Event::Continuation(Vec::new()));
    assert!(client.send_auth_line(b"a\r\nb").is_err());
    client.send_auth_line(b"*").unwrap();
    let events = pump(&mut client, &mut server);
    assert!(
        matches!(&events[..], [client::Event::Reply { command: CommandKind::Auth, status }]
        if !status.ok && status.text == "authentication cancelled")
    );
    client
        .send(Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: None,
        })
        .unwrap();
    pump(&mut client, &mut server);
    client.send_auth_line(b"dGVzdAB0ZXN0AHRlc3Q=").unwrap();
    let events = pump(&mut client, &mut server);
    assert!(
        matches!(&events[..], [client::Event::Reply { command: CommandKind::Auth, status }] if status.ok)
    );
}
