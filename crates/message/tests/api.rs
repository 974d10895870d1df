//! The convenience readers of `Message` and `Part`: bodies, attachments and
//! the common address fields.

use yubin_message::{Address, Attachment, Message, MessageBuilder, TransferEncoding};

#[test]
fn bodies_and_attachments_of_a_built_message() {
    let bytes = MessageBuilder::new()
        .from("Ann", "ann@example.test")
        .to("", "bob@example.test")
        .subject("report")
        .text("plain body")
        .html("<p>html body</p>")
        .attachment(Attachment {
            content_type: "application/pdf".into(),
            filename: "report €.pdf".into(),
            data: vec![1, 2, 3],
            encoding: Some(TransferEncoding::Base64),
        })
        .build();
    let message = Message::parse(&bytes);
    assert_eq!(message.body_text().as_deref(), Some("plain body"));
    assert_eq!(message.body_html().as_deref(), Some("<p>html body</p>"));
    let attachments: Vec<_> = message.attachments().collect();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0].filename().as_deref(), Some("report €.pdf"));
    assert_eq!(&attachments[0].decoded_body()[..], &[1, 2, 3]);
    assert!(!message.root().is_attachment());
}

/// RFC 2183 §2.1-2.3: `inline` is not an attachment even with a file name;
/// a name without any disposition is; a multipart never is.
#[test]
fn attachment_rules() {
    let raw = b"Cc: Carol <carol@example.test>, dave@example.test\r\n\
Content-Type: multipart/mixed; boundary=x\r\n\
\r\n\
--x\r\n\
Content-Type: image/png; name=inline.png\r\n\
Content-Disposition: inline\r\n\
\r\n\
png\r\n\
--x\r\n\
Content-Type: application/octet-stream; name=old-style.bin\r\n\
\r\n\
bin\r\n\
--x\r\n\
Content-Type: text/plain\r\n\
Content-Disposition: attachment\r\n\
\r\n\
notes\r\n\
--x--\r\n";
    let message = Message::parse(raw);
    let flags: Vec<bool> = message
        .root()
        .children()
        .map(|p| p.is_attachment())
        .collect();
    assert_eq!(flags, [false, true, true]);
    // The only text/plain part is an attachment: no body text.
    assert_eq!(message.body_text(), None);
    assert_eq!(message.body_html(), None);
    let cc = message.cc();
    assert_eq!(cc.len(), 2);
    assert!(matches!(&cc[0], Address::Mailbox(m) if m.name.as_deref() == Some("Carol")));
}

#[test]
fn every_occurrence_of_a_field() {
    let raw = b"Received: from a by b; Thu, 26 Nov 2026 10:00:00 +0000\r\n\
received: from c by a; Thu, 26 Nov 2026 09:59:00 +0000\r\n\
Subject: x\r\n\r\n";
    let message = Message::parse(raw);
    let hops: Vec<_> = message
        .header_all("RECEIVED")
        .map(|h| h.received().from)
        .collect();
    assert_eq!(hops, [Some("a".to_owned()), Some("c".to_owned())]);
    assert_eq!(message.header_all("X-Missing").count(), 0);
}
