//! Server machine rules beyond the transcripts: limits, refusals, STLS,
//! TOP, RSET, sizes.

use yubin_pop3::server::{Config, Event, MaildropEntry, Server};
use yubin_pop3::{ProtocolError, ResponseCode};

fn config() -> Config {
    let mut config = Config::default();
    config.allow_plaintext_auth = true;
    config
}

/// Feeds `input`, returns the events (without answering) and the output.
fn feed(server: &mut Server, input: &[u8]) -> (Vec<Event>, String) {
    server.handle_input(input);
    let events = std::iter::from_fn(|| server.poll_event()).collect();
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    (events, String::from_utf8_lossy(&out).into_owned())
}

fn logged_in(entries: &[(&str, u64)]) -> Server {
    let mut server = Server::new(config());
    feed(&mut server, b"USER u\r\nPASS p\r\n");
    server
        .accept_login(
            entries
                .iter()
                .map(|(uid, size)| MaildropEntry {
                    uid: (*uid).into(),
                    size: *size,
                })
                .collect(),
        )
        .unwrap();
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    server
}

/// RFC 2595 §2.1: no USER/PASS in the clear unless configured; CAPA then
/// does not list USER (RFC 2449 §6.2).
#[test]
fn plaintext_refused_before_tls() {
    let mut server = Server::new(Config::default());
    let (events, out) = feed(&mut server, b"CAPA\r\nUSER u\r\n");
    assert!(!out.contains("\r\nUSER\r\n"), "{out}");
    assert!(
        out.ends_with("-ERR plaintext login refused before STLS\r\n"),
        "{out}"
    );
    assert_eq!(events, [Event::Invalid(ProtocolError::PlaintextRefused)]);
}

/// RFC 2595 §4: STLS, input sent with it is discarded, and after the
/// handshake USER is offered.
#[test]
fn stls_discards_injected_input_and_then_allows_user() {
    let mut config = Config::default();
    config.stls = true;
    let mut server = Server::new(config);
    let (events, out) = feed(&mut server, b"CAPA\r\nSTLS\r\nUSER evil\r\n");
    assert!(out.contains("\r\nSTLS\r\n"));
    assert!(out.ends_with("+OK begin TLS negotiation\r\n"), "{out}");
    assert_eq!(events, [Event::StartTls]);
    server.tls_established().unwrap();
    let (events, out) = feed(&mut server, b"CAPA\r\nUSER u\r\nPASS p\r\n");
    assert!(
        out.contains("\r\nUSER\r\n") && !out.contains("STLS"),
        "{out}"
    );
    assert!(matches!(&events[..], [Event::Login { user, .. }] if user == "u"));
}

/// RFC 2449 §4: 255 octets including CRLF; longer lines get -ERR and the
/// session goes on.
#[test]
fn long_lines() {
    let mut server = Server::new(config());
    let ok = format!("USER {}\r\n", "a".repeat(255 - 7));
    let (_, out) = feed(&mut server, ok.as_bytes());
    assert!(out.ends_with("+OK send PASS\r\n"));
    let long = format!("USER {}\r\nNOOP\r\n", "a".repeat(255 - 6));
    let (events, out) = feed(&mut server, long.as_bytes());
    assert_eq!(events[0], Event::Invalid(ProtocolError::LineTooLong));
    assert!(
        out.ends_with("-ERR line too long\r\n-ERR NOOP not allowed now\r\n"),
        "{out}"
    );
    // A line far longer than the limit, in pieces, is not buffered.
    for _ in 0..100 {
        feed(&mut server, &[b'x'; 1000]);
    }
    let (events, out) = feed(&mut server, b"\r\nQUIT\r\n");
    assert_eq!(
        events,
        [Event::Invalid(ProtocolError::LineTooLong), Event::Closed]
    );
    assert!(out.ends_with("-ERR line too long\r\n+OK POP3 server signing off\r\n"));
}

/// Dovecot's 20 bad commands, then the session closes.
#[test]
fn too_many_bad_commands_close_the_session() {
    let mut server = Server::new(config());
    let (events, out) = feed(&mut server, &b"BOGUS\r\n".repeat(25));
    assert_eq!(out.matches("-ERR").count(), 20);
    assert!(out.ends_with("-ERR too many bad commands, closing\r\n"));
    assert_eq!(events.last(), Some(&Event::Closed));
    assert!(server.is_closed());
}

/// RFC 2449 §8.1.1: a locked maildrop is refused with [IN-USE].
#[test]
fn in_use() {
    let mut server = Server::new(config());
    feed(&mut server, b"USER u\r\nPASS p\r\n");
    server
        .reject_login(ResponseCode::InUse, "maildrop locked")
        .unwrap();
    let (_, out) = feed(&mut server, b"");
    assert_eq!(out, "-ERR [IN-USE] maildrop locked\r\n");
    assert!(server.accept_login(Vec::new()).is_err());
}

/// RFC 1939 §5: DELE marks, marked messages vanish from STAT/LIST/UIDL and
/// cannot be retrieved; RSET unmarks.
#[test]
fn dele_and_rset() {
    let mut server = logged_in(&[("a", 10), ("b", 20)]);
    let (events, out) = feed(
        &mut server,
        b"DELE 1\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nDELE 1\r\nRSET\r\nSTAT\r\n",
    );
    assert_eq!(
        out,
        "+OK message 1 deleted\r\n+OK 1 20\r\n+OK 1 message (20 octets)\r\n2 20\r\n.\r\n\
         +OK unique-id listing follows\r\n2 b\r\n.\r\n-ERR message 1 already deleted\r\n\
         -ERR message 1 already deleted\r\n+OK maildrop has 2 messages (30 octets)\r\n+OK 2 30\r\n"
    );
    assert_eq!(events.len(), 2);
}

/// RFC 1939 §7: TOP sends the header and n lines; the machine says when it
/// has enough. Its `+OK` gives no octet count: that of the whole message
/// would be wrong for the part sent (RFC 1939 §7's TOP example has none).
#[test]
fn top_stops_early() {
    let mut server = logged_in(&[("a", 30)]);
    let (events, _) = feed(&mut server, b"TOP 1 1\r\n");
    assert_eq!(
        events,
        [Event::Retrieve {
            number: 1,
            index: 0,
            uid: "a".into(),
            top: Some(1)
        }]
    );
    assert!(server.send_message(b"H: v\n\nli").unwrap());
    assert!(!server.send_message(b"ne 1\nline 2\n.line 3\n").unwrap());
    server.finish_message().unwrap();
    let (events, out) = feed(&mut server, b"NOOP\r\n");
    assert!(events.is_empty());
    assert_eq!(
        out,
        "+OK top of message follows\r\nH: v\r\n\r\nline 1\r\n.\r\n+OK\r\n"
    );
}

/// Sizes that disagree with the streamed bytes are reported, the bytes are
/// sent as streamed.
#[test]
fn size_mismatch_is_reported() {
    let mut server = logged_in(&[("a", 3)]);
    feed(&mut server, b"RETR 1\r\n");
    server.send_message(b"abc\n").unwrap();
    server.finish_message().unwrap();
    let (events, out) = feed(&mut server, b"");
    assert_eq!(
        events,
        [Event::SizeMismatch {
            number: 1,
            listed: 3,
            sent: 5
        }]
    );
    assert_eq!(out, "+OK 3 octets\r\nabc\r\n.\r\n");
}

/// A message that cannot be read: -ERR before any byte, a closed
/// connection after.
#[test]
fn failed_messages() {
    let mut server = logged_in(&[("a", 3)]);
    feed(&mut server, b"RETR 1\r\nNOOP\r\n");
    server
        .fail_message(ResponseCode::SysTemp, "cannot read")
        .unwrap();
    let (_, out) = feed(&mut server, b"");
    assert_eq!(out, "-ERR [SYS/TEMP] cannot read\r\n+OK\r\n");
    feed(&mut server, b"RETR 1\r\n");
    server.send_message(b"ab").unwrap();
    server
        .fail_message(ResponseCode::SysTemp, "cannot read")
        .unwrap();
    let (events, out) = feed(&mut server, b"NOOP\r\n");
    assert_eq!(events, [Event::Closed]);
    assert_eq!(out, "+OK 3 octets\r\nab");
}

/// Pipelined input beyond the limit while a decision waits closes the
/// session once the decision is answered, with bounded memory.
#[test]
fn input_overflow() {
    let mut server = logged_in(&[("a", 3)]);
    feed(&mut server, b"RETR 1\r\n");
    for _ in 0..100 {
        feed(&mut server, &b"NOOP\r\n".repeat(1000));
    }
    server.send_message(b"abc\r\n").unwrap();
    server.finish_message().unwrap();
    let (events, out) = feed(&mut server, b"");
    assert!(events.contains(&Event::Invalid(ProtocolError::InputOverflow)));
    assert!(out.ends_with("-ERR too much pipelined input, closing\r\n"));
}

/// Decisions answered out of turn are refused.
#[test]
fn usage_errors() {
    let mut server = Server::new(config());
    assert!(server.send_message(b"x").is_err());
    assert!(server.update_done().is_err());
    assert!(server.tls_established().is_err());
    assert!(Server::with_apop_timestamp(config(), "no brackets").is_err());
    feed(&mut server, b"USER u\r\nPASS p\r\n");
    assert!(
        server
            .accept_login(vec![MaildropEntry {
                uid: "bad uid".into(),
                size: 1
            }])
            .is_err()
    );
    assert!(
        server
            .accept_login(vec![MaildropEntry {
                uid: "ok".into(),
                size: 1
            }])
            .is_ok()
    );
}

/// Credentials never show in Debug output (events are often logged).
#[test]
fn credentials_are_redacted() {
    let mut server = Server::new(config());
    let (events, _) = feed(&mut server, b"USER u\r\nPASS hunter2 x\r\n");
    let debug = format!("{events:?}");
    assert!(
        debug.contains("redacted") && !debug.contains("hunter2"),
        "{debug}"
    );
    let debug = format!("{:?}", yubin_pop3::Command::Pass("hunter2".into()));
    assert!(!debug.contains("hunter2"));
}

/// The machines' own Debug shows no credential either: the server's
/// unparsed input (a PASS pipelined behind a pending login) and the
/// client's unsent output (an encoded PASS line) appear by length only.
#[test]
fn machines_debug_redacts_buffered_credentials() {
    let mut server = Server::new(config());
    server.handle_input(b"USER u\r\nPASS hunter2\r\nUSER v\r\nPASS s3cret\r\n");
    assert!(server.decision_pending());
    // A derived Debug would list the bytes as numbers.
    let leaks = |debug: &str| {
        let as_numbers = format!("{:?}", b"s3cret")
            .trim_matches(['[', ']'])
            .to_owned();
        debug.contains("hunter2") || debug.contains("s3cret") || debug.contains(&as_numbers)
    };
    let debug = format!("{server:?}");
    assert!(debug.contains("unparsed_input_len"), "{debug}");
    assert!(!leaks(&debug), "{debug}");

    let mut client = yubin_pop3::client::Client::new(yubin_pop3::client::Config::default());
    client.handle_input(b"+OK ready\r\n");
    client.login("u", "s3cret".into()).unwrap();
    client.poll_transmit(&mut Vec::new()); // USER u
    client.handle_input(b"+OK\r\n");
    let debug = format!("{client:?}");
    assert!(debug.contains("output_len"), "{debug}");
    assert!(!leaks(&debug), "{debug}");
    let mut out = Vec::new();
    client.poll_transmit(&mut out);
    assert!(String::from_utf8_lossy(&out).contains("PASS s3cret"));
}

/// RFC 2595 §4: bytes fed between STLS and the handshake are ignored.
#[test]
fn nothing_between_stls_and_the_handshake() {
    let mut config = Config::default();
    config.stls = true;
    let mut server = Server::new(config);
    feed(&mut server, b"STLS\r\n");
    let (events, out) = feed(&mut server, b"USER evil\r\n");
    assert!(events.is_empty() && out.is_empty());
    server.tls_established().unwrap();
    let (events, out) = feed(&mut server, b"NOOP\r\n");
    assert_eq!(out, "-ERR NOOP not allowed now\r\n");
    assert_eq!(events.len(), 1);
}

/// A pipelined flood of LIST against a large maildrop: each handle_input
/// queues at most about `max_buffered_output` (plus one reply) instead of
/// every reply at once, and taking the output resumes the parsing until
/// every command is answered, in order.
#[test]
fn pipelined_listing_flood_is_bounded_by_back_pressure() {
    let entries: Vec<(String, u64)> = (0..2000).map(|i| (format!("u{i}"), 1000 + i)).collect();
    let refs: Vec<(&str, u64)> = entries.iter().map(|(u, s)| (u.as_str(), *s)).collect();
    let mut server = logged_in(&refs);
    let commands = 300;
    let flood = b"LIST\r\n".repeat(commands);
    server.handle_input(&flood);
    let limit = Config::default().max_buffered_output;
    let mut replies = 0;
    let mut largest = 0;
    let mut out = Vec::new();
    for _ in 0..10 * commands {
        assert_eq!(server.poll_event(), None);
        server.poll_transmit(&mut out);
        if out.is_empty() {
            break;
        }
        largest = largest.max(out.len());
        replies += out.windows(13).filter(|w| w == b"+OK 2000 mess").count();
        out.clear();
    }
    assert_eq!(replies, commands);
    let one_listing = 2000 * "2000 2999\r\n".len() + 64;
    assert!(
        largest <= limit + one_listing,
        "{largest} octets queued at once"
    );
    assert!(!server.is_closed());
}

/// RFC 6856 §2: UTF8 in AUTHORIZATION enables UTF-8 mode; before it a
/// non-ASCII USER or PASS is refused (the capability is announced without
/// the USER argument); STLS starts over without it; UTF8 is refused in
/// TRANSACTION and when not offered.
#[test]
fn utf8_mode() {
    let mut config = config();
    config.utf8 = true;
    let mut server = Server::new(config.clone());
    let (_, out) = feed(&mut server, "CAPA\r\nUSER jörg\r\n".as_bytes());
    assert!(out.contains("\r\nUTF8\r\n"), "{out}");
    assert!(
        out.ends_with("-ERR UTF-8 user name or password before the UTF8 command\r\n"),
        "{out}"
    );
    assert!(!server.is_utf8_mode());
    let (events, out) = feed(&mut server, "USER u\r\nPASS pässword\r\n".as_bytes());
    assert_eq!(events, [Event::Invalid(ProtocolError::Utf8Required)]);
    assert!(
        out.ends_with("-ERR UTF-8 user name or password before the UTF8 command\r\n"),
        "{out}"
    );
    let (events, out) = feed(
        &mut server,
        "UTF8\r\nUSER jörg\r\nPASS pässword\r\n".as_bytes(),
    );
    assert_eq!(out, "+OK UTF8 enabled\r\n+OK send PASS\r\n");
    assert!(server.is_utf8_mode());
    let [Event::Login { user, credential }] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(user, "jörg");
    assert!(credential.verify("pässword".as_bytes()));
    assert!(server.decision_pending());
    server.accept_login(Vec::new()).unwrap();
    assert!(!server.decision_pending());
    let (events, out) = feed(&mut server, b"UTF8\r\n");
    assert!(out.ends_with("-ERR UTF8 not allowed now\r\n"), "{out}");
    assert!(matches!(
        events[..],
        [Event::Invalid(ProtocolError::WrongState(_))]
    ));

    // Not offered: UTF8 is refused and UTF-8 names stay refused.
    let mut server = Server::new(self::config());
    let (_, out) = feed(&mut server, "UTF8\r\nUSER jörg\r\n".as_bytes());
    assert!(out.contains("-ERR UTF8 not allowed now\r\n"), "{out}");
    assert!(out.ends_with("before the UTF8 command\r\n"), "{out}");
    assert!(!server.is_utf8_mode());

    // STLS: UTF-8 mode negotiated in the clear does not survive.
    config.stls = true;
    let mut server = Server::new(config);
    feed(&mut server, b"UTF8\r\n");
    assert!(server.is_utf8_mode());
    let (events, _) = feed(&mut server, b"STLS\r\n");
    assert_eq!(events, [Event::StartTls]);
    assert!(!server.is_tls());
    server.tls_established().unwrap();
    assert!(server.is_tls());
    assert!(!server.is_utf8_mode());
}

/// Long AUTH lines (RFC 5034 §4 lifts the 255-octet limit), one under and
/// one over `max_auth_line`, give the same replies fed whole and an octet
/// at a time (each octet only extends the search for LF), and the command
/// after them is answered.
#[test]
fn long_auth_lines_octet_by_octet() {
    let limit = Config::default().max_auth_line;
    for (length, first_reply) in [
        (limit - 20, "-ERR unsupported SASL mechanism\r\n"),
        (limit + 20, "-ERR line too long\r\n"),
    ] {
        let mut input = b"AUTH X-NONE ".to_vec();
        input.resize(length, b'A');
        input.extend_from_slice(b"\r\nCAPA\r\n");
        let mut whole = Server::new(config());
        let (_, whole_out) = feed(&mut whole, &input);
        let mut bytewise = Server::new(config());
        let mut bytewise_out = String::new();
        for byte in &input {
            bytewise_out += &feed(&mut bytewise, std::slice::from_ref(byte)).1;
        }
        assert_eq!(whole_out, bytewise_out);
        let replies = whole_out.strip_prefix("+OK POP3 server ready\r\n").unwrap();
        assert!(replies.starts_with(first_reply), "{replies}");
        assert!(replies[first_reply.len()..].starts_with("+OK capability list follows\r\n"));
    }
}

/// RFC 1939 §3: the autologout timer is at least 10 minutes; when it fires
/// the session closes without UPDATE (the marked message is not reported
/// for deletion) and without a reply. No timer runs while the application
/// owes a decision.
#[test]
fn idle_timeout_closes_without_update() {
    let mut server = logged_in(&[("a", 10), ("b", 20)]);
    assert_eq!(
        server.poll_timeout(),
        Some(std::time::Duration::from_secs(600))
    );
    let (events, out) = feed(&mut server, b"DELE 1\r\nRETR 2\r\n");
    assert!(matches!(events[..], [Event::Retrieve { .. }]), "{events:?}");
    assert_eq!(out, "+OK message 1 deleted\r\n");
    assert_eq!(server.poll_timeout(), None);
    server.handle_timeout(); // the application's time: nothing happens
    assert!(!server.is_closed());
    server.send_message(b"012345678901234567").unwrap();
    server.finish_message().unwrap();
    assert!(server.poll_timeout().is_some());
    server.handle_timeout();
    let (events, out) = feed(&mut server, b"QUIT\r\n");
    assert_eq!(events, [Event::Closed]);
    assert!(!out.contains("signing off"), "{out}");
    assert!(server.is_closed());
    assert_eq!(server.poll_timeout(), None);
}
