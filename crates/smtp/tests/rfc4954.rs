//! RFC 4954 (SMTP AUTH) through yubin-sasl: the RFC's examples replayed as
//! bytes, the 530/538/504/535/501/503 rules, the AUTH= parameter.

mod common;

use common::*;
use yubin_sasl::{Mechanism, Secret};
use yubin_smtp::server::{Config, Event, Server};
use yubin_smtp::{AuthParam, Reply};

/// RFC 2195 §2's CRAM-MD5 example values.
const CRAM_NONCE: &str = "<1896.697170952@postoffice.reston.mci.net>";

fn config(mechanisms: &[Mechanism]) -> Config {
    let mut c = Config::default();
    c.hostname = "smtp.example.com".into();
    c.auth_mechanisms = mechanisms.to_vec();
    c.auth_without_tls = true;
    c.auth_plaintext_without_tls = true;
    c
}

/// The application: user "test" with password "1234" (RFC 4954 §4's
/// example) and "tim" with CRAM secret "tanstaaftanstaaf" (RFC 2195 §2).
fn answer(server: &mut Server, event: &Event) {
    match event {
        Event::AuthStart {
            mechanism: Mechanism::CramMd5,
        } => server.start_auth(Some(CRAM_NONCE.into())).unwrap(),
        Event::AuthVerifyPassword {
            authcid, password, ..
        } => {
            server
                .auth_verify(authcid == "test" && password.expose() == "1234")
                .unwrap();
        }
        Event::AuthCramSecret { username } => {
            let secret = (username == "tim").then(|| Secret::new("tanstaaftanstaaf"));
            server.auth_cram_secret(secret.as_ref()).unwrap();
        }
        _ => server.accept().unwrap(),
    }
}

#[test]
fn section_4_plain_with_initial_response() {
    let (client, _) = transcript(
        "C: EHLO client.example.com
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
         C: MAIL FROM:<test@example.com> AUTH=test@example.com",
    );
    let got = invariant_with(&config(&[Mechanism::Plain]), &client, &answer);
    let out = got.out_str();
    assert!(out.contains("250-AUTH PLAIN\r\n"), "{out}");
    assert!(
        out.contains("\r\n235 2.7.0 Authentication successful\r\n"),
        "{out}"
    );
    assert!(
        got.events
            .iter()
            .any(|e| matches!(e, Event::Authenticated(a) if a.identity() == "test"))
    );
    // Authenticated: the AUTH= value is passed on as given (RFC 4954 §5).
    assert!(
        got.events
            .iter()
            .any(|e| matches!(e, Event::MailFrom { params, .. }
        if params.auth == Some(AuthParam::Mailbox(yubin_smtp::XText("test@example.com".into())))))
    );
}

#[test]
fn section_4_plain_with_empty_challenge() {
    let (client, _) = transcript(
        "C: EHLO client.example.com
         C: AUTH PLAIN
         C: dGVzdAB0ZXN0ADEyMzQ=",
    );
    let got = invariant_with(&config(&[Mechanism::Plain]), &client, &answer);
    // "334" SP [base64]: the empty challenge keeps its space.
    assert!(
        got.out_str()
            .ends_with("334 \r\n235 2.7.0 Authentication successful\r\n"),
        "{}",
        got.out_str()
    );
}

#[test]
fn section_4_unknown_mechanism_then_cram_md5() {
    // RFC 4954 §4's example, with RFC 2195 §2's challenge and response.
    let (client, _) = transcript(
        "C: EHLO jgm.example.com
         C: AUTH FOOBAR
         C: AUTH CRAM-MD5
         C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
    );
    let got = invariant_with(&config(&[Mechanism::CramMd5]), &client, &answer);
    let out = got.out_str();
    let tail = out.split_once("250 HELP\r\n").unwrap().1;
    assert_eq!(
        tail,
        "504 5.5.4 Unrecognized authentication type\r\n\
         334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n\
         235 2.7.0 Authentication successful\r\n"
    );
}

#[test]
fn login_cancel_and_failures() {
    let cfg = config(&[Mechanism::Plain, Mechanism::Login]);
    // "*" cancels with 501 (RFC 4954 §4); a wrong password is 535 5.7.8
    // (§6); bad base64 is 501 5.5.2; then a successful LOGIN.
    let (client, _) = transcript(
        "C: EHLO c.example
         C: AUTH LOGIN
         C: *
         C: AUTH PLAIN dGVzdAB0ZXN0AHdyb25n
         C: AUTH PLAIN !!!notbase64
         C: AUTH LOGIN
         C: dGVzdA==
         C: MTIzNA==
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=",
    );
    let got = invariant_with(&cfg, &client, &answer);
    let codes = got.codes();
    assert_eq!(
        codes,
        vec![220, 250, 334, 501, 535, 501, 334, 334, 235, 503],
        "{}",
        got.out_str()
    );
    assert!(got.out_str().contains("501 5.0.0 Authentication cancelled"));
    assert!(
        got.out_str()
            .contains("535 5.7.8 Authentication credentials invalid")
    );
    assert!(
        got.out_str().contains("334 VXNlcm5hbWU6\r\n"),
        "LOGIN asks Username:"
    );
}

#[test]
fn not_offered_before_tls_530_and_538() {
    // Default: AUTH is not offered in plaintext; with STARTTLS offered the
    // answer is 530 5.7.0 (RFC 3207 §4).
    let mut cfg = Config::default();
    cfg.auth_mechanisms = vec![Mechanism::Plain, Mechanism::ScramSha256];
    cfg.starttls = true;
    let mut server = Server::new(cfg.clone());
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    server.handle_input(b"EHLO c\r\nAUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\nSTARTTLS\r\n");
    while let Some(e) = server.poll_event() {
        if e.is_decision() {
            server.accept().unwrap();
        }
    }
    server.poll_transmit(&mut out);
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(!text.contains("AUTH"), "not advertised before TLS: {text}");
    assert!(text.contains("530 5.7.0 Must issue a STARTTLS command first\r\n"));
    server.tls_established();
    out.clear();
    server.handle_input(b"EHLO c\r\nAUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
    while let Some(e) = server.poll_event() {
        if e.is_decision() {
            answer(&mut server, &e);
        }
    }
    server.poll_transmit(&mut out);
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("250-AUTH PLAIN SCRAM-SHA-256\r\n"), "{text}");
    assert!(
        text.ends_with("235 2.7.0 Authentication successful\r\n"),
        "{text}"
    );

    // auth_without_tls: SCRAM is offered before TLS, PLAIN gets 538.
    let mut cfg = Config::default();
    cfg.auth_mechanisms = vec![Mechanism::Plain, Mechanism::ScramSha256];
    cfg.auth_without_tls = true;
    let got = invariant_with(
        &cfg,
        b"EHLO c\r\nAUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n",
        &answer,
    );
    assert!(
        got.out_str().contains("250-AUTH SCRAM-SHA-256\r\n"),
        "{}",
        got.out_str()
    );
    assert!(
        got.out_str()
            .ends_with("538 5.7.11 Encryption required for requested authentication mechanism\r\n")
    );
}

#[test]
fn sequence_rules_and_auth_parameter() {
    let mut cfg = config(&[Mechanism::Plain]);
    cfg.require_auth = true;
    let (client, _) = transcript(
        "C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
         C: HELO c
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
         C: EHLO c
         C: MAIL FROM:<a@c>
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=
         C: MAIL FROM:<a@c> AUTH=<>
         C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=",
    );
    let got = invariant_with(&cfg, &client, &answer);
    // 503 before EHLO, 503 after HELO, 530 MAIL before AUTH (RFC 4954 §6),
    // 235, MAIL ok, 503 AUTH in a transaction.
    assert_eq!(
        got.codes(),
        vec![220, 503, 250, 503, 250, 530, 235, 250, 503]
    );

    // Unauthenticated AUTH=mailbox is treated as AUTH=<> (RFC 4954 §5).
    let got = invariant_with(
        &config(&[Mechanism::Plain]),
        b"EHLO c\r\nMAIL FROM:<a@c> AUTH=a@c\r\n",
        &answer,
    );
    assert!(got.events.iter().any(
        |e| matches!(e, Event::MailFrom { params, .. } if params.auth == Some(AuthParam::Unknown))
    ));
    // Without AUTH offered the parameter is unknown: 555.
    let got = invariant(
        &Config::default(),
        b"EHLO c\r\nMAIL FROM:<a@c> AUTH=<>\r\n",
        &accept_all,
    );
    assert_eq!(got.codes(), vec![220, 250, 555]);
}

#[test]
fn failed_attempts_hit_the_error_limit() {
    let mut cfg = config(&[Mechanism::Plain]);
    cfg.hard_error_limit = 3;
    let wrong = "AUTH PLAIN dGVzdAB0ZXN0AHdyb25n\r\n".repeat(5);
    let got = invariant_with(&cfg, format!("EHLO c\r\n{wrong}").as_bytes(), &answer);
    assert_eq!(got.codes(), vec![220, 250, 535, 535, 535, 421]);
}

#[test]
fn misuse_of_auth_answers() {
    let mut server = Server::new(config(&[Mechanism::CramMd5]));
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    server.handle_input(b"EHLO c\r\nAUTH CRAM-MD5\r\n");
    assert!(matches!(server.poll_event(), Some(Event::Hello { .. })));
    server.accept().unwrap();
    assert!(matches!(server.poll_event(), Some(Event::AuthStart { .. })));
    assert!(server.accept().is_err(), "CRAM-MD5 needs a nonce");
    assert!(server.reply(Reply::new(235, None, "no")).is_err());
    assert!(server.auth_verify(true).is_err(), "nothing to verify yet");
    server
        .reply(Reply::new(
            454,
            Some((4, 7, 0)),
            "Temporary authentication failure",
        ))
        .unwrap();
    server.poll_transmit(&mut out);
    assert!(out.ends_with(b"454 4.7.0 Temporary authentication failure\r\n"));
}

/// DESIGN.md: credentials never show in `Debug`. A pipelined AUTH line held
/// back behind the EHLO decision sits in the server's input buffer, and the
/// client's AUTH response sits in its output until taken.
#[test]
fn debug_output_shows_no_credentials() {
    let mut server = Server::new(config(&[Mechanism::Plain]));
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    server.handle_input(b"EHLO client.example.com\r\nAUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
    let event = server.poll_event().expect("the EHLO decision");
    assert!(matches!(event, Event::Hello { .. }), "{event:?}");
    let shown = format!("{server:?}");
    assert!(!shown.contains("dGVzdAB0ZXN0ADEyMzQ"), "{shown}");
    assert!(!shown.contains("100, 71, 86"), "as byte numbers: {shown}");
    assert!(shown.contains("unparsed_input_len"), "{shown}");
}

/// The client side of the same rule: after `authenticate`, the AUTH PLAIN
/// initial response waits in the client's output and the exchange holds the
/// password; neither shows in `Debug`.
#[test]
fn client_debug_output_shows_no_credentials() {
    use yubin_sasl::Credentials;
    use yubin_smtp::{Client, ClientConfig, ClientEvent, Host};

    let mut client = Client::new(ClientConfig::new(Host::new("client.example").unwrap()));
    client.handle_input(b"220 mx.example ESMTP\r\n");
    client.handle_input(b"250-mx.example\r\n250 AUTH PLAIN\r\n");
    let mut ready = false;
    while let Some(event) = client.poll_event() {
        ready |= matches!(event, ClientEvent::Ready(_));
    }
    assert!(ready, "{client:?}");
    let mechanism = client
        .authenticate(
            Credentials::new("user", Secret::new("hunter2-pencil")),
            &[Mechanism::Plain],
            None,
        )
        .unwrap();
    assert_eq!(mechanism, Mechanism::Plain);
    // "\0user\0hunter2-pencil" in base64, as AUTH PLAIN sends it.
    let initial_response = "AHVzZXIAaHVudGVyMi1wZW5jaWw=";
    let shown = format!("{client:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(!shown.contains(initial_response), "{shown}");
    assert!(!shown.contains("65, 72, 86"), "as byte numbers: {shown}");
    let mut out = Vec::new();
    client.poll_transmit(&mut out);
    let sent = String::from_utf8(out).unwrap();
    assert!(
        sent.contains(initial_response),
        "the line itself is sent: {sent}"
    );
}
