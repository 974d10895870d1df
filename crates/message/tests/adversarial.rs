//! Hostile input: every reader stays total (no panic, in debug builds too, so
//! arithmetic overflow would show) and gives a sensible reading. The sizes are
//! large enough that a quadratic reader would take minutes instead of
//! milliseconds, without timing anything here (performance is measured in
//! `benches/message.rs`).

use yubin_message::{Address, Defect, Message, ParserConfig};

#[test]
fn many_encoded_words_in_subject_and_display_names() {
    let words = "=?utf-8?q?=C3=A9?= ".repeat(5_000);
    let raw = format!("From: {words}<a@example.test>\r\nSubject: {words}\r\n\r\nbody\r\n");
    let message = Message::parse(raw.as_bytes());
    assert_eq!(
        message.subject().as_deref(),
        Some("é".repeat(5_000).as_str())
    );
    let from = message.from();
    assert!(matches!(&from[..], [Address::Mailbox(m)]
        if m.name.as_deref() == Some("é".repeat(5_000).as_str())
            && m.address.as_deref() == Some("a@example.test")));
}

#[test]
fn openers_without_closers_everywhere() {
    let noise = "=?x".repeat(20_000);
    let raw = format!(
        "Subject: {noise}\r\nFrom: {noise} <a@example.test>\r\n\
         Content-Type: text/plain; name=\"{noise}\"\r\n\r\nbody\r\n"
    );
    let message = Message::parse(raw.as_bytes());
    assert_eq!(message.subject().as_deref(), Some(noise.as_str()));
    assert_eq!(
        message.root().content_type().param("name"),
        Some(noise.as_str())
    );
    assert!(!message.from().is_empty());
}

#[test]
fn one_huge_header_line_without_a_body() {
    let value = "x".repeat(4 << 20);
    let raw = format!("Subject: {value}");
    let message = Message::parse_with(
        raw.as_bytes(),
        &ParserConfig::default().with_max_header_bytes(8 << 20),
    );
    assert_eq!(message.subject().map(|s| s.len()), Some(value.len()));
    assert!(message.root().raw_body().is_empty());
    // With the default limit the field is dropped and the part says so.
    let message = Message::parse(raw.as_bytes());
    assert_eq!(message.subject(), None);
    assert!(
        message
            .root()
            .defects()
            .contains(&Defect::HeaderBlockTooLarge)
    );
}

#[test]
fn a_million_tiny_fields() {
    let raw = "a:b\n".repeat(1_000_000) + "\nbody";
    let message = Message::parse(raw.as_bytes());
    let kept = message.headers().count();
    assert!(kept > 0 && kept * 4 <= ParserConfig::default().max_header_bytes);
    assert!(
        message
            .root()
            .defects()
            .contains(&Defect::HeaderBlockTooLarge)
    );
    assert_eq!(message.root().raw_body(), b"body");
}

#[test]
fn unbalanced_address_syntax() {
    for junk in ["(", ")", "<", ">", "\"", "\\", ":", ";", ",", "@"] {
        let value = junk.repeat(200_000);
        let raw = format!("To: {value}\r\nFrom: a{value}b@example.test\r\n\r\n");
        let message = Message::parse(raw.as_bytes());
        // Any reading will do; it must come back, and a comma list cannot
        // hold more entries than it has commas.
        assert!(message.to().len() <= 200_001, "{junk}");
        let _ = message.from();
    }
}

#[test]
fn thousands_of_rfc2231_sections() {
    let mut value = String::from("application/octet-stream");
    for i in (0..100_000).rev() {
        value.push_str(&format!("; name*{i}*=%41"));
    }
    let raw = format!("Content-Type: {value}\r\n\r\n");
    let message = Message::parse_with(
        raw.as_bytes(),
        &ParserConfig::default().with_max_header_bytes(4 << 20),
    );
    let name = message.root().content_type().param("name").unwrap_or("");
    // Sections beyond the per-name bound are dropped, not accumulated.
    assert!(!name.is_empty() && name.len() <= 1024, "{}", name.len());
    assert!(name.bytes().all(|b| b == b'A'));
}

#[test]
fn long_boundaries_and_many_near_miss_delimiter_lines() {
    let depth = 60;
    let boundary = |k: usize| format!("{}{k}", "b".repeat(2_000));
    let mut raw = String::new();
    for k in 0..depth {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"{}\"\r\n\r\n--{}\r\n",
            boundary(k),
            boundary(k)
        ));
    }
    // Lines that share all but the last byte of every open boundary.
    let near_miss = format!("--{}\r\n", "b".repeat(2_000));
    raw.push_str("\r\n");
    raw.push_str(&near_miss.repeat(2_000));
    let message = Message::parse(raw.as_bytes());
    assert_eq!(message.part_count(), depth + 1);
    let leaf = message.parts().last().map(|p| p.raw_body().len());
    assert!(leaf.is_some_and(|len| len + 2 >= near_miss.len() * 2_000));
}

#[test]
fn hostile_dates_do_not_overflow() {
    for value in [
        "99999999999999999999 Jan 2026 10:00 +0000",
        "1 Jan 99999999999 10:00 +0000",
        "1 Jan 2026 99999999999:00 +0000",
        "1 Jan 2026 10:00:00 +99999999999",
        "1 Jan 2026 10:00:00 -9999",
        "31 Feb 2026 25:61:61 +2400",
        "Mon, 1 Jan 0 0:0 +0000",
        "",
        ",,,,",
    ] {
        let raw = format!("Date: {value}\r\n\r\n");
        let message = Message::parse(raw.as_bytes());
        if let Some(date) = message.date() {
            // Whatever is read must be a real calendar date and offset.
            assert!((1..=12).contains(&date.month), "{value}: {date:?}");
            assert!((1..=31).contains(&date.day), "{value}: {date:?}");
            let _ = date.timestamp();
        }
    }
}
