//! RFC 3030 §4 examples: CHUNKING and BINARYMIME.

mod common;

use common::*;
use yubin_smtp::Reply;
use yubin_smtp::server::Event;

#[test]
fn section_4_1_simple_chunking() {
    let mut client = Vec::new();
    client.extend_from_slice(b"EHLO ymir.claremont.edu\r\nMAIL FROM:<Sam@Random.com>\r\n");
    client.extend_from_slice(b"RCPT TO:<Susan@Random.com>\r\nBDAT 86 LAST\r\n");
    let body: &[u8] = b"To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n";
    assert_eq!(body.len(), 86);
    client.extend_from_slice(body);
    client.extend_from_slice(b"QUIT\r\n");
    let policy = |e: &Event| match e {
        Event::Hello { .. } => {
            Some(Reply::new(250, None, "cnri.reston.va.us says hello").with_line("CHUNKING"))
        }
        Event::MailFrom { from, .. } => Some(Reply::new(250, None, format!("{from}... Sender ok"))),
        Event::RcptTo { to, .. } => Some(Reply::new(250, None, format!("{to}... Recipient ok"))),
        Event::MessageEnd { size, .. } => Some(Reply::new(
            250,
            None,
            format!("Message OK, {size} octets received"),
        )),
        _ => None,
    };
    let cfg = rfc_config("cnri.reston.va.us", "SMTP service ready");
    let got = invariant(&cfg, &client, &policy);
    assert_eq!(
        got.out_str(),
        "220 cnri.reston.va.us SMTP service ready\r\n\
         250-cnri.reston.va.us says hello\r\n250 CHUNKING\r\n\
         250 <Sam@Random.com>... Sender ok\r\n\
         250 <Susan@Random.com>... Recipient ok\r\n\
         250 Message OK, 86 octets received\r\n\
         221 cnri.reston.va.us Service closing transmission channel\r\n"
    );
    assert_eq!(got.body(), body);
}

#[test]
fn section_4_2_pipelined_binarymime() {
    // Binary data, bare CR/LF and "\r\n.\r\n" included: BDAT counts octets,
    // nothing inside a chunk is interpreted.
    let mut first: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    first.extend_from_slice(b"\r\n.\r\nQUIT\r\n\n.\n");
    let second = b"tail octets\x00\xff".to_vec();
    let mut client = Vec::new();
    client.extend_from_slice(
        b"EHLO ymir.claremont.edu\r\nMAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME\r\n",
    );
    client.extend_from_slice(
        b"RCPT TO:<gvaudre@cnri.reston.va.us>\r\nRCPT TO:<jstewart@cnri.reston.va.us>\r\n",
    );
    client.extend_from_slice(format!("BDAT {}\r\n", first.len()).as_bytes());
    client.extend_from_slice(&first);
    client.extend_from_slice(format!("BDAT {}\r\n", second.len()).as_bytes());
    client.extend_from_slice(&second);
    client.extend_from_slice(b"BDAT 0 LAST\r\nQUIT\r\n");
    let got = invariant(&yubin_smtp::server::Config::default(), &client, &accept_all);
    assert_eq!(
        got.codes(),
        vec![220, 250, 250, 250, 250, 250, 250, 250, 221]
    );
    let mut want = first.clone();
    want.extend_from_slice(&second);
    assert_eq!(got.body(), want);
    assert!(
        got.out_str()
            .contains(&format!("250 2.0.0 {} octets received", first.len()))
    );
}

#[test]
fn binarymime_refuses_data() {
    // RFC 3030 §3: BODY=BINARYMIME only with BDAT.
    let (client, _) = transcript(
        "C: EHLO a.example
         C: MAIL FROM:<a@a.example> BODY=BINARYMIME
         C: RCPT TO:<b@b.example>
         C: DATA
         C: QUIT",
    );
    let got = invariant(&yubin_smtp::server::Config::default(), &client, &accept_all);
    assert_eq!(got.codes(), vec![220, 250, 250, 250, 503, 221]);
}

#[test]
fn bdat_without_mail_is_read_and_dropped() {
    // The chunk's octets are consumed even when BDAT fails, so a body is
    // never read as commands (RFC 3030 §2).
    let client = b"EHLO a.example\r\nBDAT 13 LAST\r\nRCPT TO:<x>\r\nNOOP\r\n";
    let got = invariant(&yubin_smtp::server::Config::default(), client, &accept_all);
    assert_eq!(got.codes(), vec![220, 250, 503, 250]);
    assert!(got.body().is_empty());
}

#[test]
fn rset_during_chunks_aborts_the_body() {
    let client = b"EHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nBDAT 3\r\nabcRSET\r\n";
    let got = invariant(&yubin_smtp::server::Config::default(), client, &accept_all);
    assert_eq!(got.codes(), vec![220, 250, 250, 250, 250, 250]);
    assert!(got.events.contains(&Event::MessageAborted(
        yubin_smtp::server::AbortReason::Reset
    )));
}
