//! RFC 2920 §3.2 examples: pipelined commands get their replies in order,
//! and commands after a failed one are handled right.

mod common;

use common::*;
use yubin_smtp::server::Event;
use yubin_smtp::{ForwardPath, Reply};

#[test]
fn section_3_2_pipelined_transaction() {
    let (client, server) = transcript(
        "C: EHLO dbc.mtview.ca.us
         C: MAIL FROM:<mrose@dbc.mtview.ca.us>
         C: RCPT TO:<ned@innosoft.com>
         C: RCPT TO:<dan@innosoft.com>
         C: RCPT TO:<kvc@innosoft.com>
         C: DATA
         C: Body text.
         C: .
         C: QUIT",
    );
    let _ = server;
    let policy = |e: &Event| match e {
        Event::Hello { .. } => Some(Reply::new(250, None, "innosoft.com").with_line("PIPELINING")),
        Event::MailFrom { from, .. } => Some(Reply::new(250, None, format!("sender {from} OK"))),
        Event::RcptTo { to, .. } => Some(Reply::new(250, None, format!("recipient {to} OK"))),
        Event::DataStart => Some(Reply::new(
            354,
            None,
            "enter mail, end with line containing only \".\"",
        )),
        Event::MessageEnd { .. } => Some(Reply::new(250, None, "message sent")),
        _ => None,
    };
    let cfg = rfc_config("innosoft.com", "SMTP service ready");
    let got = invariant(&cfg, &client, &policy);
    assert_eq!(
        got.out_str(),
        "220 innosoft.com SMTP service ready\r\n\
         250-innosoft.com\r\n250 PIPELINING\r\n\
         250 sender <mrose@dbc.mtview.ca.us> OK\r\n\
         250 recipient <ned@innosoft.com> OK\r\n\
         250 recipient <dan@innosoft.com> OK\r\n\
         250 recipient <kvc@innosoft.com> OK\r\n\
         354 enter mail, end with line containing only \".\"\r\n\
         250 message sent\r\n\
         221 innosoft.com Service closing transmission channel\r\n"
    );
}

#[test]
fn section_3_2_all_recipients_rejected() {
    let (client, _) = transcript(
        "C: EHLO dbc.mtview.ca.us
         C: MAIL FROM:<mrose@dbc.mtview.ca.us>
         C: RCPT TO:<ned@innosoft.com>
         C: RCPT TO:<dan@innosoft.com>
         C: RCPT TO:<kvc@innosoft.com>
         C: DATA
         C: QUIT",
    );
    let policy = |e: &Event| match e {
        Event::RcptTo {
            to: ForwardPath::Mailbox(m),
            ..
        } => Some(Reply::new(
            550,
            None,
            format!("remote mail to <{m}> not allowed"),
        )),
        _ => None,
    };
    let cfg = rfc_config("innosoft.com", "SMTP service ready");
    let got = invariant(&cfg, &client, &policy);
    // 220, 250 EHLO, 250 MAIL, 550 x3, 554 no valid recipients, 221.
    assert_eq!(got.codes(), vec![220, 250, 250, 550, 550, 550, 554, 221]);
    assert!(!got.events.iter().any(|e| matches!(e, Event::DataStart)));
}

#[test]
fn failed_mail_fails_the_pipelined_rest() {
    // RFC 2920 §3.1: a rejected MAIL makes the RCPTs and DATA behind it fail
    // with 503, and the body lines that follow are then read as commands
    // (which the client must not send before 354).
    let (client, _) = transcript(
        "C: EHLO a.example
         C: MAIL FROM:<spammer@a.example>
         C: RCPT TO:<x@b.example>
         C: DATA
         C: RSET
         C: MAIL FROM:<ok@a.example>
         C: RCPT TO:<x@b.example>
         C: DATA
         C: hi
         C: .
         C: QUIT",
    );
    let policy = |e: &Event| match e {
        Event::MailFrom { from, .. } if from.to_string().contains("spammer") => {
            Some(Reply::new(550, Some((5, 7, 1)), "go away"))
        }
        _ => None,
    };
    let got = invariant(&yubin_smtp::server::Config::default(), &client, &policy);
    assert_eq!(
        got.codes(),
        vec![220, 250, 550, 503, 503, 250, 250, 250, 354, 250, 221]
    );
    assert_eq!(got.body(), b"hi\r\n");
}
