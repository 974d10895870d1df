//! proptest: anything the builder writes parses back to the same structure
//! and decoded bodies; the parser never panics on arbitrary bytes.

use proptest::prelude::*;
use yubin_message::{Address, Attachment, Message, MessageBuilder, Part, TransferEncoding};

#[derive(Debug, Clone)]
struct Input {
    from_name: String,
    from_addr: String,
    to_name: String,
    subject: String,
    timestamp: i64,
    offset: i32,
    text: Option<(String, Option<TransferEncoding>)>,
    html: Option<String>,
    attachments: Vec<Attachment>,
}

fn encoding() -> impl Strategy<Value = Option<TransferEncoding>> {
    prop_oneof![
        Just(None),
        Just(Some(TransferEncoding::SevenBit)),
        Just(Some(TransferEncoding::QuotedPrintable)),
        Just(Some(TransferEncoding::Base64)),
    ]
}

fn attachment() -> impl Strategy<Value = Attachment> {
    (
        prop_oneof![
            Just("application/octet-stream"),
            Just("image/png"),
            Just("text/csv")
        ],
        "\\PC{1,90}",
        prop::collection::vec(any::<u8>(), 0..600),
        encoding(),
    )
        .prop_map(|(content_type, filename, data, encoding)| Attachment {
            content_type: content_type.to_owned(),
            filename,
            data,
            encoding,
        })
}

fn input() -> impl Strategy<Value = Input> {
    (
        "\\PC{0,40}",
        "[a-z0-9.]{1,12}@[a-z]{1,10}\\.test",
        "[ -~]{0,30}",
        "\\PC{0,200}",
        0i64..4_000_000_000,
        -720i32..840,
        prop::option::of(("[\\PC\n]{0,400}", encoding())),
        prop::option::of("[\\PC\n]{0,200}"),
        prop::collection::vec(attachment(), 0..3),
    )
        .prop_map(
            |(
                from_name,
                from_addr,
                to_name,
                subject,
                timestamp,
                offset,
                text,
                html,
                attachments,
            )| {
                Input {
                    from_name,
                    from_addr,
                    to_name,
                    subject,
                    timestamp,
                    offset,
                    text,
                    html,
                    attachments,
                }
            },
        )
}

fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

fn leaves<'m>(part: Part<'m>, out: &mut Vec<Part<'m>>) {
    if part.is_multipart() {
        for child in part.children() {
            leaves(child, out);
        }
    } else {
        out.push(part);
    }
}

fn mailbox(list: &[Address]) -> (Option<String>, Option<String>) {
    match list {
        [Address::Mailbox(m)] => (m.name.clone(), m.address.clone()),
        other => panic!("expected one mailbox, got {other:?}"),
    }
}

fn check(input: &Input) -> Result<(), TestCaseError> {
    let mut builder = MessageBuilder::new()
        .from(&input.from_name, &input.from_addr)
        .to(&input.to_name, "to@example.test")
        .subject(&input.subject)
        .date(input.timestamp, input.offset)
        .message_id("id-1@example.test");
    if let Some((text, encoding)) = &input.text {
        builder = match encoding {
            Some(e) => builder.text_with(text, *e),
            None => builder.text(text),
        };
    }
    if let Some(html) = &input.html {
        builder = builder.html(html);
    }
    for a in &input.attachments {
        builder = builder.attachment(a.clone());
    }
    let bytes = builder.build();

    // RFC 5322 §2.1.1 / §2.3: CRLF only, no line over 998 octets.
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            prop_assert!(i > 0 && bytes[i - 1] == b'\r', "bare LF at {i}");
        }
    }
    prop_assert!(bytes.split(|&b| b == b'\n').all(|l| l.len() <= 999));

    let message = Message::parse(&bytes);
    prop_assert!(message.parts().all(|p| p.defects().is_empty()));
    prop_assert_eq!(
        message.subject().map(|s| s.into_owned()),
        Some(input.subject.clone())
    );
    let (name, addr) = mailbox(&message.from());
    let expected_name = (!input.from_name.is_empty()).then(|| input.from_name.clone());
    prop_assert_eq!(name, expected_name);
    prop_assert_eq!(addr, Some(input.from_addr.clone()));
    let (to_name, _) = mailbox(&message.to());
    prop_assert_eq!(
        to_name,
        (!input.to_name.is_empty()).then(|| input.to_name.clone())
    );
    let date = message.date().map(|d| (d.timestamp(), d.offset_minutes));
    prop_assert_eq!(date, Some((input.timestamp, input.offset)));
    prop_assert_eq!(message.message_id(), Some("id-1@example.test".to_owned()));

    let mut found = Vec::new();
    leaves(message.root(), &mut found);
    let mut expected_texts = Vec::new();
    if let Some((text, _)) = &input.text {
        expected_texts.push(("text/plain", crlf(text)));
    }
    if let Some(html) = &input.html {
        expected_texts.push(("text/html", crlf(html)));
    }
    if expected_texts.is_empty() && input.attachments.is_empty() {
        expected_texts.push(("text/plain", String::new()));
    }
    prop_assert_eq!(found.len(), expected_texts.len() + input.attachments.len());
    for (part, (mime, text)) in found.iter().zip(&expected_texts) {
        prop_assert_eq!(part.content_type().mime_type(), *mime);
        prop_assert_eq!(part.text().map(|t| t.into_owned()), Some(text.clone()));
    }
    for (part, attachment) in found[expected_texts.len()..].iter().zip(&input.attachments) {
        prop_assert_eq!(
            part.content_type().mime_type(),
            attachment.content_type.as_str()
        );
        prop_assert_eq!(part.filename(), Some(attachment.filename.clone()));
        prop_assert_eq!(&part.decoded_body()[..], &attachment.data[..]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn build_then_parse_round_trips(input in input()) {
        check(&input)?;
    }

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let message = Message::parse(&bytes);
        for part in message.parts() {
            let _ = part.decoded_body();
            let _ = part.text_with_defects();
            for header in part.headers() {
                let _ = (header.text(), header.addresses(), header.date(), header.content_type());
            }
        }
        prop_assert!(message.part_count() >= 1);
    }

    #[test]
    fn parse_never_panics_on_mime_shaped_input(
        lines in prop::collection::vec(prop_oneof![
            Just("--b".to_owned()),
            Just("--b--".to_owned()),
            Just("--c".to_owned()),
            Just(String::new()),
            Just("Content-Type: multipart/mixed; boundary=b".to_owned()),
            Just("Content-Type: multipart/digest; boundary=c".to_owned()),
            Just("Content-Type: message/rfc822".to_owned()),
            Just("Content-Transfer-Encoding: base64".to_owned()),
            Just("Content-Transfer-Encoding: quoted-printable".to_owned()),
            "[ -~]{0,20}",
        ], 0..60),
        crlf_form in any::<bool>(),
    ) {
        let text = lines.join(if crlf_form { "\r\n" } else { "\n" });
        let message = Message::parse(text.as_bytes());
        for part in message.parts() {
            let _ = (part.decoded_body(), part.text(), part.preamble(), part.epilogue());
        }
        prop_assert!(message.part_count() >= 1);
    }
}
