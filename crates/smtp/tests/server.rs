//! Server machine behaviour: SMTP smuggling, line-ending policies, limits,
//! STARTTLS, LMTP, early talkers, error limits, timeouts.

mod common;

use common::*;
use yubin_smtp::Reply;
use yubin_smtp::server::{AbortReason, CloseReason, Config, Event, LineEndingPolicy, Server};

const ENVELOPE: &[u8] =
    b"EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<b@s.example>\r\nDATA\r\n";

fn session(body: &[u8]) -> Vec<u8> {
    let mut v = ENVELOPE.to_vec();
    v.extend_from_slice(body);
    v
}

/// Every end-of-data variant used for SMTP smuggling (SEC Consult 2023 and
/// the follow-ups): none may end the data; only CRLF.CRLF does.
const SMUGGLING: &[(&str, &[u8])] = &[
    ("LF . LF", b"\n.\n"),
    ("LF . CRLF", b"\n.\r\n"),
    ("CR . CR", b"\r.\r"),
    ("CR . CRLF", b"\r.\r\n"),
    ("CRLF . LF", b"\r\n.\n"),
    ("CRLF . CR", b"\r\n.\r"),
    ("CRLF . CR CRLF", b"\r\n.\r\r\n"),
    ("CR LF . LF (bare LF after CR)", b"\r\r\n.\n"),
    ("LF LF . LF LF", b"\n\n.\n\n"),
];

fn smuggle(policy: LineEndingPolicy, vector: &[u8]) -> Outcome {
    let mut body = b"Subject: x\r\n\r\nfirst".to_vec();
    body.extend_from_slice(vector);
    body.extend_from_slice(b"MAIL FROM:<evil@c.example>\r\nRCPT TO:<victim@s.example>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n");
    let mut cfg = Config::default();
    cfg.line_ending_policy = policy;
    invariant(&cfg, &session(&body), &accept_all)
}

fn mail_froms(o: &Outcome) -> usize {
    o.events
        .iter()
        .filter(|e| matches!(e, Event::MailFrom { .. }))
        .count()
}

#[test]
fn smuggling_vectors_do_not_end_data_reject_policy() {
    for (name, v) in SMUGGLING {
        let o = smuggle(LineEndingPolicy::Reject, v);
        assert_eq!(
            mail_froms(&o),
            1,
            "{name}: smuggled MAIL was read as a command"
        );
        // 220 250 250 250 354, then one 550 for the whole body, then 221.
        assert_eq!(o.codes(), vec![220, 250, 250, 250, 354, 550, 221], "{name}");
        assert!(
            o.events
                .contains(&Event::MessageAborted(AbortReason::BareLineEnding)),
            "{name}"
        );
    }
}

#[test]
fn smuggling_vectors_do_not_end_data_normalize_policy() {
    for (name, v) in SMUGGLING {
        let o = smuggle(LineEndingPolicy::Normalize, v);
        assert_eq!(
            mail_froms(&o),
            1,
            "{name}: smuggled MAIL was read as a command"
        );
        assert_eq!(o.codes(), vec![220, 250, 250, 250, 354, 250, 221], "{name}");
        let body = o.body();
        // The smuggled commands are body text, every line ends in CRLF.
        assert!(body.windows(10).any(|w| w == b"MAIL FROM:"), "{name}");
        for (i, &b) in body.iter().enumerate() {
            if b == b'\n' {
                assert_eq!(body[i - 1], b'\r', "{name}: bare LF left at {i}");
            }
            if b == b'\r' {
                assert_eq!(body.get(i + 1), Some(&b'\n'), "{name}: bare CR left at {i}");
            }
        }
    }
}

#[test]
fn plain_crlf_dot_crlf_ends_data() {
    let o = invariant(
        &Config::default(),
        &session(b"hello\r\n.\r\nQUIT\r\n"),
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 250, 250, 250, 354, 250, 221]);
    assert_eq!(o.body(), b"hello\r\n");
    // An empty body: the DATA line's own CRLF starts the ".".
    let o = invariant(&Config::default(), &session(b".\r\n"), &accept_all);
    assert_eq!(o.codes(), vec![220, 250, 250, 250, 354, 250]);
    assert!(o.events.contains(&Event::MessageEnd {
        size: 0,
        recipients: vec![yubin_smtp::ForwardPath::Mailbox(
            yubin_smtp::Mailbox::new("b@s.example").unwrap()
        )]
    }));
}

#[test]
fn dot_unstuffing_rfc5321_4_5_2() {
    let o = invariant(
        &Config::default(),
        &session(b"..\r\n...x\r\n.y\r\n .z\r\n.\r\n"),
        &accept_all,
    );
    assert_eq!(o.body(), b".\r\n..x\r\ny\r\n .z\r\n");
}

#[test]
fn declared_size_rejected_early() {
    // RFC 1870 §6.1: SIZE= over the limit gets 552 at MAIL.
    let mut cfg = Config::default();
    cfg.max_message_size = 100;
    let o = invariant(
        &cfg,
        b"EHLO a\r\nMAIL FROM:<a@a> SIZE=101\r\nMAIL FROM:<a@a> SIZE=100\r\n",
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 250, 552, 250]);
    assert!(o.out_str().contains("552 5.3.4"));
}

#[test]
fn actual_size_enforced_after_reading_to_the_end() {
    let mut cfg = Config::default();
    cfg.max_message_size = 10;
    let o = invariant(
        &cfg,
        &session(b"0123456789abc\r\n.\r\nNOOP\r\n"),
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 250, 250, 250, 354, 552, 250]);
    assert!(
        o.events
            .contains(&Event::MessageAborted(AbortReason::TooBig))
    );
    // BDAT likewise.
    let o = invariant(
        &cfg,
        b"EHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nBDAT 11 LAST\r\n0123456789aNOOP\r\n",
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 250, 250, 250, 552, 250]);
}

#[test]
fn text_line_limit() {
    // RFC 5321 §4.5.3.1.6: 1000 octets with CRLF.
    let ok = [vec![b'a'; 998], b"\r\n.\r\n".to_vec()].concat();
    let o = drive(Config::default(), [session(&ok).as_slice()], &accept_all);
    assert_eq!(o.codes().last(), Some(&250));
    let long = [vec![b'a'; 999], b"\r\n.\r\n".to_vec()].concat();
    let o = drive(Config::default(), [session(&long).as_slice()], &accept_all);
    assert_eq!(o.codes().last(), Some(&554));
    assert!(
        o.events
            .contains(&Event::MessageAborted(AbortReason::LineTooLong))
    );
    let mut lenient = Config::default();
    lenient.max_text_line = 4096;
    let o = drive(lenient, [session(&long).as_slice()], &accept_all);
    assert_eq!(o.codes().last(), Some(&250));
}

#[test]
fn command_line_limits() {
    // RFC 5321 §4.5.3.1.4: 512 with CRLF; MAIL gets the parameter allowance.
    let noop = format!("NOOP {}\r\n", "x".repeat(505));
    assert_eq!(noop.len(), 512);
    let too_long = format!("NOOP {}\r\n", "x".repeat(506));
    let o = invariant(
        &Config::default(),
        format!("{noop}{too_long}NOOP\r\n").as_bytes(),
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 250, 500, 250]);
    // A line with no end at all is cut off and skipped to its LF.
    let endless = format!("NOOP {}\r\nNOOP\r\n", "y".repeat(20000));
    let o = drive(Config::default(), [endless.as_bytes()], &accept_all);
    assert_eq!(o.codes(), vec![220, 500, 250]);
}

#[test]
fn recipient_limit() {
    // RFC 5321 §4.5.3.1.10: 452 beyond the limit.
    let mut cfg = Config::default();
    cfg.max_recipients = 2;
    let o = invariant(
        &cfg,
        b"EHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nRCPT TO:<c@b>\r\nRCPT TO:<d@b>\r\n",
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 250, 250, 250, 250, 452]);
}

#[test]
fn hard_error_limit_closes_with_421() {
    let mut cfg = Config::default();
    cfg.soft_error_limit = 2;
    cfg.hard_error_limit = 3;
    let o = invariant(&cfg, b"FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n", &accept_all);
    assert_eq!(o.codes(), vec![220, 500, 500, 500, 421]);
    assert!(o.events.contains(&Event::SlowDown { errors: 2 }));
    assert!(
        o.events
            .contains(&Event::Closed(CloseReason::TooManyErrors))
    );
}

#[test]
fn early_talker_rejected() {
    let mut server = Server::new(Config::default());
    server.handle_input(b"EHLO eager\r\n");
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    assert!(
        out.starts_with(b"554 5.5.0"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    assert_eq!(
        server.poll_event(),
        Some(Event::Closed(CloseReason::EarlyTalker))
    );
    assert!(server.is_closed());
}

#[test]
fn starttls_discards_pipelined_plaintext() {
    let mut cfg = Config::default();
    cfg.starttls = true;
    let mut server = Server::new(cfg);
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    server.handle_input(b"EHLO a\r\n");
    assert!(matches!(server.poll_event(), Some(Event::Hello { .. })));
    server.accept().unwrap();
    server.poll_transmit(&mut out);
    assert!(String::from_utf8_lossy(&out).contains("250-STARTTLS"));
    out.clear();
    // RFC 3207 §5 / CVE-2011-0411: the injected MAIL must be dropped.
    server.handle_input(b"STARTTLS\r\nMAIL FROM:<injected@evil>\r\n");
    assert_eq!(server.poll_event(), Some(Event::StartTls));
    server.accept().unwrap();
    assert_eq!(server.poll_event(), None);
    server.handle_input(b"RCPT TO:<also@injected>\r\n");
    assert_eq!(server.poll_event(), None);
    server.poll_transmit(&mut out);
    assert_eq!(out, b"220 2.0.0 Ready to start TLS\r\n");
    out.clear();
    server.tls_established();
    server.handle_input(b"MAIL FROM:<a@a>\r\n");
    assert!(
        matches!(server.poll_event(), Some(Event::ProtocolError { .. })),
        "EHLO again first"
    );
    server.handle_input(b"EHLO a\r\n");
    assert!(matches!(server.poll_event(), Some(Event::Hello { .. })));
    server.accept().unwrap();
    server.poll_transmit(&mut out);
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("503"), "{text}");
    assert!(
        !text.contains("STARTTLS"),
        "not offered again under TLS: {text}"
    );
    assert!(server.is_tls());
}

#[test]
fn lmtp_one_reply_per_recipient() {
    let mut cfg = Config::default();
    cfg.lmtp = true;
    let client = b"LHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nRCPT TO:<c@b>\r\nRCPT TO:<d@b>\r\nDATA\r\nhi\r\n.\r\n";
    let mut server = Server::new(cfg.clone());
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    server.handle_input(client);
    while let Some(e) = server.poll_event() {
        match e {
            Event::RcptTo { to, .. } if to.to_string().contains("c@b") => {
                server
                    .reply(Reply::new(550, Some((5, 1, 1)), "no such user"))
                    .unwrap();
            }
            Event::MessageEnd { recipients, .. } => {
                assert_eq!(recipients.len(), 2);
                let replies = vec![
                    Reply::new(250, Some((2, 0, 0)), "delivered to b"),
                    Reply::new(452, Some((4, 2, 2)), "d is over quota"),
                ];
                server.reply_per_recipient(replies).unwrap();
            }
            e if e.is_decision() => server.accept().unwrap(),
            _ => {}
        }
    }
    server.poll_transmit(&mut out);
    let o = Outcome {
        out,
        events: vec![],
    };
    assert_eq!(o.codes(), vec![220, 250, 250, 250, 550, 250, 354, 250, 452]);
    // EHLO is not LMTP (RFC 2033 §4.1).
    let o = invariant(&cfg, b"EHLO a\r\n", &accept_all);
    assert_eq!(o.codes(), vec![220, 502]);
    // Accept gives one 250 per recipient.
    let o = invariant(
        &cfg,
        b"LHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nRCPT TO:<c@b>\r\nDATA\r\n.\r\n",
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 250, 250, 250, 250, 354, 250, 250]);
}

#[test]
fn smtputf8_and_parameters() {
    let cfg = Config::default();
    // RFC 6531 §3.4: a UTF-8 address needs the SMTPUTF8 parameter.
    let o = invariant(&cfg, "EHLO a\r\nMAIL FROM:<δοκιμή@παράδειγμα.δοκιμή>\r\nMAIL FROM:<δοκιμή@παράδειγμα.δοκιμή> SMTPUTF8\r\nRCPT TO:<用户@例子.广告>\r\n".as_bytes(), &accept_all);
    assert_eq!(o.codes(), vec![220, 250, 553, 250, 250]);
    // RFC 5321 §4.1.1.11: unknown parameters get 555 unless accepted.
    let o = invariant(&cfg, b"EHLO a\r\nMAIL FROM:<a@a> X-FOO=1\r\n", &accept_all);
    assert_eq!(o.codes(), vec![220, 250, 555]);
    let mut open = Config::default();
    open.accept_unknown_parameters = true;
    let o = invariant(&open, b"EHLO a\r\nMAIL FROM:<a@a> X-FOO=1\r\n", &accept_all);
    assert_eq!(o.codes(), vec![220, 250, 250]);
    // RFC 1869 §6: no parameters after HELO.
    let o = invariant(
        &cfg,
        b"HELO a\r\nMAIL FROM:<a@a> BODY=8BITMIME\r\n",
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 250, 555]);
    // RFC 3461: DSN parameters pass to the application.
    let o = invariant(&cfg, b"EHLO a\r\nMAIL FROM:<a@a> RET=HDRS ENVID=x\r\nRCPT TO:<b@b> NOTIFY=FAILURE ORCPT=rfc822;b@b\r\n", &accept_all);
    assert_eq!(o.codes(), vec![220, 250, 250, 250]);
    assert!(
        o.events
            .iter()
            .any(|e| matches!(e, Event::RcptTo { params, .. } if params.orcpt.is_some()))
    );
}

#[test]
fn vrfy_expn_help_defaults() {
    let o = invariant(
        &Config::default(),
        b"VRFY bob\r\nEXPN staff\r\nHELP\r\nNOOP\r\n",
        &accept_all,
    );
    assert_eq!(o.codes(), vec![220, 252, 502, 214, 250]);
}

#[test]
fn ehlo_advertises_configured_extensions() {
    let o = invariant(&Config::default(), b"EHLO a\r\n", &accept_all);
    let (_, r) = Reply::parse(&o.out[o.out.iter().position(|&b| b == b'\n').unwrap() + 1..])
        .unwrap()
        .unwrap();
    let caps = yubin_smtp::Capabilities::from_reply(&r);
    use yubin_smtp::Capability as C;
    for c in [
        C::Pipelining,
        C::Size(Some(10_240_000)),
        C::EightBitMime,
        C::SmtpUtf8,
        C::EnhancedStatusCodes,
        C::Dsn,
        C::Chunking,
        C::BinaryMime,
    ] {
        assert!(caps.list.contains(&c), "{c:?}");
    }
    assert!(!caps.has(&C::StartTls) && caps.auth_mechanisms().is_empty());
}

#[test]
fn timeout_and_shutdown() {
    let mut server = Server::new(Config::default());
    assert_eq!(
        server.poll_timeout(),
        Some(std::time::Duration::from_secs(300))
    );
    server.handle_timeout();
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    assert!(out.ends_with(b"421 4.4.2 localhost Timeout, closing transmission channel\r\n"));
    assert_eq!(
        server.poll_event(),
        Some(Event::Closed(CloseReason::Timeout))
    );
    assert_eq!(server.poll_timeout(), None);
    let mut server = Server::new(Config::default());
    server.shutdown();
    out.clear();
    server.poll_transmit(&mut out);
    assert!(out.ends_with(b"421 4.3.2 localhost Service not available, closing channel\r\n"));
}

#[test]
fn backpressure_while_a_decision_is_pending() {
    let mut server = Server::new(Config::default());
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    server.handle_input(b"EHLO a\r\n");
    assert!(server.poll_event().unwrap().is_decision());
    assert!(server.wants_input());
    server.handle_input(&vec![b'N'; 70_000]);
    assert!(!server.wants_input());
    assert_eq!(
        server.poll_timeout(),
        None,
        "the application is the slow side"
    );
    server.accept().unwrap();
    assert!(server.wants_input());
}

#[test]
fn misuse_is_an_error_not_a_panic() {
    let mut server = Server::new(Config::default());
    assert!(server.accept().is_err());
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    server.handle_input(b"EHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nDATA\r\n");
    while let Some(e) = server.poll_event() {
        if e == Event::DataStart {
            assert!(
                server.reply(Reply::new(250, None, "no")).is_err(),
                "DATA needs 354 or an error"
            );
            server.accept().unwrap();
        } else if e.is_decision() {
            server.accept().unwrap();
        }
    }
}
