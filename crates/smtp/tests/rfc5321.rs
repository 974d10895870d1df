//! RFC 5321 Appendix D transcripts and the seed session, replayed as bytes
//! through the server machine, each fed whole, byte by byte and split at
//! every index.

mod common;

use common::*;
use yubin_smtp::server::Event;
use yubin_smtp::{ForwardPath, Reply};

fn ehlo_d(extra: &[&str]) -> Reply {
    let mut r = Reply::new(250, None, "foo.com greets bar.com")
        .with_line("8BITMIME")
        .with_line("SIZE")
        .with_line("DSN");
    for e in extra {
        r = r.with_line(*e);
    }
    r.with_line("HELP")
}

/// The application side of Appendix D: Green is unknown, everything else OK.
fn appendix_d(extra: &'static [&'static str]) -> impl Fn(&Event) -> Option<Reply> {
    move |e| match e {
        Event::Hello { .. } => Some(ehlo_d(extra)),
        Event::RcptTo {
            to: ForwardPath::Mailbox(m),
            ..
        } if m.local_part.as_str() == "Green" => Some(Reply::new(550, None, "No such user here")),
        Event::Verify(who) if who == "Crispin" => {
            Some(Reply::new(250, None, "Mark Crispin <Admin.MRC@foo.com>"))
        }
        Event::DataStart => None,
        _ => Some(Reply::new(250, None, "OK")),
    }
}

#[test]
fn appendix_d1_typical_transaction() {
    let (client, server) = transcript(
        "S: 220 foo.com Simple Mail Transfer Service Ready
         C: EHLO bar.com
         S: 250-foo.com greets bar.com
         S: 250-8BITMIME
         S: 250-SIZE
         S: 250-DSN
         S: 250 HELP
         C: MAIL FROM:<Smith@bar.com>
         S: 250 OK
         C: RCPT TO:<Jones@foo.com>
         S: 250 OK
         C: RCPT TO:<Green@foo.com>
         S: 550 No such user here
         C: RCPT TO:<Brown@foo.com>
         S: 250 OK
         C: DATA
         S: 354 Start mail input; end with <CRLF>.<CRLF>
         C: Blah blah blah...
         C: ...etc. etc. etc.
         C: .
         S: 250 OK
         C: QUIT
         S: 221 foo.com Service closing transmission channel",
    );
    let cfg = rfc_config("foo.com", "Simple Mail Transfer Service Ready");
    let got = invariant(&cfg, &client, &appendix_d(&[]));
    assert_eq!(got.out_str(), String::from_utf8(server).unwrap());
    // The wire's "...etc." is a stuffed "..etc." (RFC 5321 §4.5.2).
    assert_eq!(got.body(), b"Blah blah blah...\r\n..etc. etc. etc.\r\n");
    let recipients = got.events.iter().find_map(|e| match e {
        Event::MessageEnd { recipients, .. } => Some(recipients.clone()),
        _ => None,
    });
    assert_eq!(recipients.map(|r| r.len()), Some(2), "Jones and Brown");
}

#[test]
fn appendix_d2_aborted_transaction() {
    let (client, server) = transcript(
        "S: 220 foo.com Simple Mail Transfer Service Ready
         C: EHLO bar.com
         S: 250-foo.com greets bar.com
         S: 250-8BITMIME
         S: 250-SIZE
         S: 250-DSN
         S: 250 HELP
         C: MAIL FROM:<Smith@bar.com>
         S: 250 OK
         C: RCPT TO:<Jones@foo.com>
         S: 250 OK
         C: RCPT TO:<Green@foo.com>
         S: 550 No such user here
         C: RSET
         S: 250 OK
         C: QUIT
         S: 221 foo.com Service closing transmission channel",
    );
    let cfg = rfc_config("foo.com", "Simple Mail Transfer Service Ready");
    let got = invariant(&cfg, &client, &appendix_d(&[]));
    assert_eq!(got.out_str(), String::from_utf8(server).unwrap());
    assert!(
        !got.events
            .iter()
            .any(|e| matches!(e, Event::MessageEnd { .. }))
    );
}

#[test]
fn appendix_d3_relayed_mail_second_hop() {
    // D.3: the relay xyz.com receives from foo.com, then forwards.
    let (client, server) = transcript(
        "S: 220 xyz.com Simple Mail Transfer Service Ready
         C: EHLO foo.com
         S: 250 xyz.com is on the air
         C: MAIL FROM:<JQP@bar.com>
         S: 250 OK
         C: RCPT TO:<Jones@XYZ.COM>
         S: 250 OK
         C: DATA
         S: 354 Start mail input; end with <CRLF>.<CRLF>
         C: Date: Thu, 21 May 1998 05:33:29 -0700
         C: From: John Q. Public <JQP@bar.com>
         C: Subject: The Next Meeting of the Board
         C: To: Jones@xyz.com
         C:
         C: Bill:
         C: The next meeting of the board of directors will be
         C: on Tuesday.
         C: John.
         C: .
         S: 250 OK
         C: QUIT
         S: 221 foo.com Service closing transmission channel",
    );
    // The transcript's 221 names foo.com (an erratum-level slip in the RFC);
    // the hostname here is set to match it and the greeting is custom.
    let mut cfg = rfc_config("foo.com", "Simple Mail Transfer Service Ready");
    cfg.greeting_text = None;
    let policy = |e: &Event| match e {
        Event::Hello { .. } => Some(Reply::new(250, None, "xyz.com is on the air")),
        Event::DataStart => None,
        _ => Some(Reply::new(250, None, "OK")),
    };
    let got = invariant(&cfg, &client, &policy);
    let want = String::from_utf8(server).unwrap();
    let got_out = got.out_str();
    // Everything after the greeting is byte-identical.
    let after = |s: &str| s.split_once("\r\n").unwrap().1.to_owned();
    assert_eq!(after(&got_out), after(&want));
    assert!(got.body().starts_with(b"Date: Thu, 21 May 1998"));
    assert!(got.body().ends_with(b"John.\r\n"));
}

#[test]
fn appendix_d4_verifying_and_sending() {
    let (client, server) = transcript(
        "S: 220 foo.com Simple Mail Transfer Service Ready
         C: EHLO bar.com
         S: 250-foo.com greets bar.com
         S: 250-8BITMIME
         S: 250-SIZE
         S: 250-DSN
         S: 250-VRFY
         S: 250 HELP
         C: VRFY Crispin
         S: 250 Mark Crispin <Admin.MRC@foo.com>
         C: MAIL FROM:<EAK@bar.com>
         S: 250 OK
         C: RCPT TO:<Admin.MRC@foo.com>
         S: 250 OK
         C: DATA
         S: 354 Start mail input; end with <CRLF>.<CRLF>
         C: Blah blah blah...
         C: ...etc. etc. etc.
         C: .
         S: 250 OK
         C: QUIT
         S: 221 foo.com Service closing transmission channel",
    );
    let cfg = rfc_config("foo.com", "Simple Mail Transfer Service Ready");
    let got = invariant(&cfg, &client, &appendix_d(&["VRFY"]));
    assert_eq!(got.out_str(), String::from_utf8(server).unwrap());
}

#[test]
fn seed_session() {
    // The seed's session: 220, HELO, RSET, MAIL FROM, RCPT TO, DATA, 354,
    // ".", 250, QUIT, 221 — answered by the machine's own defaults.
    let (client, _) = transcript(
        "C: HELO client.example
         C: RSET
         C: MAIL FROM:<alice@client.example>
         C: RCPT TO:<bob@server.example>
         C: DATA
         C: Subject: hi
         C:
         C: ..a stuffed line
         C: .
         C: QUIT",
    );
    let mut cfg = yubin_smtp::server::Config::default();
    cfg.hostname = "server.example".into();
    let got = invariant(&cfg, &client, &accept_all);
    assert_eq!(
        got.out_str(),
        "220 server.example ESMTP ready\r\n\
         250 server.example Hello\r\n\
         250 2.0.0 OK\r\n\
         250 2.1.0 Sender OK\r\n\
         250 2.1.5 Recipient OK\r\n\
         354 Start mail input; end with <CRLF>.<CRLF>\r\n\
         250 2.0.0 Message accepted for delivery\r\n\
         221 2.0.0 server.example Service closing transmission channel\r\n"
    );
    assert_eq!(got.body(), b"Subject: hi\r\n\r\n.a stuffed line\r\n");
}
