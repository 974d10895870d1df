//! The bodies of the fuzz targets, here so the stable replay tests run
//! exactly what `fuzz/fuzz_targets/message_*.rs` run. Not a stable API.

use crate::builder::{Attachment, MessageBuilder};
use crate::message::Message;
use crate::part::TransferEncoding;

/// Parses `data` and reads every header (typed where it has a type) and
/// every body, as a client would. Returns a count so nothing is optimised
/// away. Panics only if a part's content type or boundary, which the
/// structure scan reads by a fast path when the field is plain, differs from
/// the full reading of its Content-Type field.
pub fn parse_everything(data: &[u8]) -> usize {
    let message = Message::parse(data);
    let mut work = message.part_count();
    for part in message.parts() {
        if let Some(field) = part.header("Content-Type") {
            let full = field
                .content_type()
                .filter(|ct| ct.subtype.is_some())
                .unwrap_or_else(crate::ContentType::text_plain);
            if let Some(boundary) = part.boundary() {
                assert_eq!(
                    full.param("boundary").map(str::as_bytes),
                    Some(boundary),
                    "part {}: boundary",
                    part.id()
                );
            }
            assert_eq!(part.content_type(), &full, "part {}", part.id());
        }
        for header in part.headers() {
            work += header.text().len() + header.unfolded().len();
            work += header.addresses().len() + header.message_ids().len() + header.list().len();
            work += usize::from(header.date().is_some());
            work += usize::from(header.content_type().is_some());
            work += usize::from(header.content_disposition().is_some());
            work += usize::from(header.received().by.is_some());
        }
        work += part.filename().map_or(0, |f| f.len());
        work += part.decoded_body().len();
        work += part.text_with_defects().0.len();
        work += part.preamble().map_or(0, <[u8]>::len) + part.epilogue().map_or(0, <[u8]>::len);
    }
    work
}

/// Decodes `data` as a base64 body with [`crate::decode::base64`] (SIMD
/// blocks, scalar path and their hand-overs) and with the byte-at-a-time
/// reference decoder, and panics if the bytes or the clean flag differ.
pub fn base64_matches_reference(data: &[u8]) {
    let fast = crate::decode::base64(data);
    let reference = crate::decode::base64_reference(data);
    assert!(
        fast == reference,
        "base64 of {} bytes: {} bytes (clean {}) vs the reference's {} (clean {})",
        data.len(),
        fast.0.len(),
        fast.1,
        reference.0.len(),
        reference.1
    );
}

/// Splits `data` into builder inputs, builds a message, parses it back and
/// panics if the subject, sender, text or attachment do not survive.
pub fn build_and_reparse(data: &[u8]) {
    let mut fields = data.splitn(5, |&b| b == 0xFF);
    let mut next = || String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let (name, subject, text, filename) = (next(), next(), next(), next());
    let attachment = fields.next().unwrap_or_default().to_vec();
    let encoding = match data.first().map(|b| b % 3) {
        Some(0) => TransferEncoding::QuotedPrintable,
        Some(1) => TransferEncoding::Base64,
        _ => TransferEncoding::SevenBit,
    };
    let filename = if filename.is_empty() {
        "file".to_owned()
    } else {
        filename
    };
    let built = MessageBuilder::new()
        .from(&name, "sender@example.test")
        .subject(&subject)
        .text_with(&text, encoding)
        .attachment(Attachment {
            content_type: "application/octet-stream".into(),
            filename: filename.clone(),
            data: attachment.clone(),
            encoding: Some(encoding),
        })
        .build();
    let message = Message::parse(&built);
    assert_eq!(
        message.subject().as_deref(),
        Some(subject.as_str()),
        "subject"
    );
    let from = message.from();
    let expected_name = (!name.is_empty()).then_some(name.as_str());
    match from.as_slice() {
        [crate::Address::Mailbox(m)] => assert_eq!(m.name.as_deref(), expected_name, "name"),
        other => panic!("from: {other:?}"),
    }
    let parts: Vec<_> = message.root().children().collect();
    assert_eq!(parts.len(), 2, "parts");
    let canonical = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n");
    assert_eq!(parts[0].text().as_deref(), Some(canonical.as_str()), "text");
    assert_eq!(
        parts[1].filename().as_deref(),
        Some(filename.as_str()),
        "filename"
    );
    assert_eq!(&parts[1].decoded_body()[..], &attachment[..], "attachment");
}
