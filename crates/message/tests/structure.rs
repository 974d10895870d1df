//! The MIME tree (RFC 2046 §5) and header blocks (RFC 5322 §2.2), in LF and
//! CRLF form.

use yubin_message::{Defect, Message, ParserConfig, TransferEncoding};

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// Runs `check` on the LF and the CRLF form of `text`.
fn both(text: &str, check: impl Fn(&Message<'_>, &str)) {
    let lf = text.as_bytes().to_vec();
    check(&Message::parse(&lf), "\n");
    let crlf = crlf(text);
    check(&Message::parse(&crlf), "\r\n");
}

#[test]
fn headers_in_order_with_offsets_and_folding() {
    both(
        "From: a@b.test\nSubject: one\n two\nX-A: 1\nx-a: 2\n\nbody\n",
        |m, nl| {
            let names: Vec<_> = m.headers().map(|h| h.name()).collect();
            assert_eq!(names, ["From", "Subject", "X-A", "x-a"]);
            let subject = m.header("subject").unwrap_or_else(|| unreachable!());
            assert_eq!(
                subject.raw(),
                format!("Subject: one{nl} two{nl}").as_bytes()
            );
            assert_eq!(&m.input()[subject.offsets()], subject.raw());
            assert_eq!(&subject.unfolded()[..], b"one two");
            let all: Vec<_> = m
                .root()
                .header_all("X-A")
                .map(|h| h.text().into_owned())
                .collect();
            assert_eq!(all, ["1", "2"]);
            assert_eq!(m.root().raw_body(), format!("body{nl}").as_bytes());
            assert!(m.root().defects().is_empty());
        },
    );
}

#[test]
fn header_defects() {
    // RFC 5322 §2.2: a line without a colon ends the header block.
    both("Subject: x\nnot a header\nmore\n", |m, _| {
        assert_eq!(m.root().defects(), [Defect::MissingHeaderBodySeparator]);
        assert!(m.root().raw_body().starts_with(b"not a header"));
    });
    both(" leading\nSubject: x\n\n", |m, _| {
        assert_eq!(m.root().defects(), [Defect::FirstLineIsContinuation]);
        assert_eq!(m.subject().as_deref(), Some("x"));
    });
    // mbox From_ line on the first line is skipped silently.
    both(
        "From someone Mon Jan  1 00:00:00 2001\nSubject: x\n\nb",
        |m, _| {
            assert!(m.root().defects().is_empty());
            assert_eq!(m.subject().as_deref(), Some("x"));
        },
    );
    // No body at all, no final line break.
    let m = Message::parse(b"Subject: x");
    assert_eq!(m.subject().as_deref(), Some("x"));
    assert_eq!(m.root().raw_body(), b"");
    let m = Message::parse(b"");
    assert_eq!(m.part_count(), 1);
    // Defects are errors too, with a readable message.
    let error: &dyn std::error::Error = &Defect::MissingHeaderBodySeparator;
    assert_eq!(error.to_string(), "missing header/body separator");
}

#[test]
fn header_limit_is_a_defect() {
    let mut text = String::new();
    for i in 0..100 {
        text.push_str(&format!("X-Filler-{i}: {}\n", "v".repeat(50)));
    }
    text.push_str("\nbody");
    let config = ParserConfig::default().with_max_header_bytes(1000);
    let m = Message::parse_with(text.as_bytes(), &config);
    assert!(m.root().defects().contains(&Defect::HeaderBlockTooLarge));
    assert!(m.headers().count() < 20);
    assert_eq!(m.root().raw_body(), b"body");
}

const NESTED: &str = "Content-Type: multipart/mixed; boundary=b1

preamble text
--b1
Content-Type: multipart/alternative; boundary=b10

--b10
Content-Type: text/plain

plain
--b10
Content-Type: text/html

<p>html</p>
--b10--
inner epilogue
--b1
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9
--b1--
outer epilogue
";

#[test]
fn nested_multipart_with_prefix_colliding_boundaries() {
    both(NESTED, |m, nl| {
        let root = m.root();
        assert!(root.is_multipart());
        assert_eq!(root.preamble(), Some(b"preamble text".as_slice()));
        assert_eq!(
            root.epilogue(),
            Some(format!("outer epilogue{nl}").as_bytes())
        );
        let children: Vec<_> = root.children().collect();
        assert_eq!(children.len(), 2);
        let alt = children[0];
        assert_eq!(alt.content_type().mime_type(), "multipart/alternative");
        assert_eq!(alt.epilogue(), Some(b"inner epilogue".as_slice()));
        let leaves: Vec<_> = alt.children().collect();
        assert_eq!(leaves.len(), 2);
        assert_eq!(leaves[0].text().as_deref(), Some("plain"));
        assert_eq!(leaves[1].content_type().mime_type(), "text/html");
        assert_eq!(leaves[1].text().as_deref(), Some("<p>html</p>"));
        assert_eq!(
            children[1].transfer_encoding(),
            TransferEncoding::QuotedPrintable
        );
        assert_eq!(children[1].text().as_deref(), Some("café"));
        assert!(
            m.parts().all(|p| p.defects().is_empty()),
            "{:?}",
            m.parts().map(|p| p.defects().to_vec()).collect::<Vec<_>>()
        );
    });
}

#[test]
fn missing_close_delimiters() {
    both(
        "Content-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\nContent-Type: multipart/mixed; boundary=inner\n\n--inner\n\na\n--outer\n\nb\n",
        |m, _| {
            let root = m.root();
            assert_eq!(root.defects(), [Defect::CloseBoundaryNotFound]);
            let children: Vec<_> = root.children().collect();
            assert_eq!(children.len(), 2);
            assert_eq!(children[0].defects(), [Defect::CloseBoundaryNotFound]);
            assert_eq!(
                children[0].children().next().map(|p| p.raw_body().to_vec()),
                Some(b"a".to_vec())
            );
            assert_eq!(children[1].text().as_deref().map(str::trim_end), Some("b"));
        },
    );
    both(
        "Content-Type: multipart/mixed; boundary=zz\n\nno delimiters here\n",
        |m, _| {
            assert_eq!(m.root().defects(), [Defect::StartBoundaryNotFound]);
            assert!(!m.root().is_multipart());
            assert!(m.root().raw_body().starts_with(b"no delimiters here"));
        },
    );
    both("Content-Type: multipart/mixed\n\nno boundary\n", |m, _| {
        assert_eq!(m.root().defects(), [Defect::MultipartWithoutBoundary]);
        assert!(!m.root().is_multipart());
    });
}

#[test]
fn delimiter_needs_only_padding_after_it() {
    // "--b1x" is not a delimiter of b1; "--b1 \t" is (transport padding).
    both(
        "Content-Type: multipart/mixed; boundary=b1\n\n--b1 \t\n\nx\n--b1x\ny\n--b1--\n",
        |m, _| {
            let children: Vec<_> = m.root().children().collect();
            assert_eq!(children.len(), 1);
            assert!(children[0].raw_body().starts_with(b"x"));
            assert!(children[0].raw_body().ends_with(b"y"));
        },
    );
}

#[test]
fn embedded_messages_plain_and_encoded() {
    let inner = "Subject: inner\nContent-Type: text/plain\n\nhello inner\n";
    let encoded = yubin_message::builder::encode_base64_lines(crlf(inner).as_slice());
    let text = format!(
        "Subject: outer\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\n{inner}--x\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{}\n--x\nContent-Type: message/global\nContent-Transfer-Encoding: quoted-printable\n\nSubject: =C3=BC\n\nq\n--x--\n",
        String::from_utf8_lossy(&encoded)
    );
    both(&text, |m, _| {
        let children: Vec<_> = m.root().children().collect();
        assert_eq!(children.len(), 3);
        for child in &children {
            let embedded = child
                .embedded()
                .unwrap_or_else(|| unreachable!("no embedded message"));
            assert!(embedded.parent().is_some_and(|p| p.id() == child.id()));
        }
        let first = children[0].embedded().unwrap_or_else(|| unreachable!());
        assert!(first.source_is_input());
        assert_eq!(first.header_text("Subject").as_deref(), Some("inner"));
        assert_eq!(
            first.text().as_deref().map(str::trim_end),
            Some("hello inner")
        );
        let second = children[1].embedded().unwrap_or_else(|| unreachable!());
        assert!(!second.source_is_input());
        assert_eq!(second.header_text("Subject").as_deref(), Some("inner"));
        assert_eq!(
            second.text().as_deref().map(str::trim_end),
            Some("hello inner")
        );
        let third = children[2].embedded().unwrap_or_else(|| unreachable!());
        assert_eq!(third.header_text("Subject").as_deref(), Some("ü"));
    });
}

#[test]
fn rfc2046_default_types() {
    // RFC 2046 §5.1.5: parts of a digest default to message/rfc822.
    both(
        "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody\n--d\nContent-Type: text/plain\n\nnot a message\n--d--\n",
        |m, _| {
            let children: Vec<_> = m.root().children().collect();
            assert_eq!(children[0].content_type().mime_type(), "message/rfc822");
            assert_eq!(
                children[0]
                    .embedded()
                    .and_then(|e| e.header_text("Subject"))
                    .as_deref(),
                Some("one")
            );
            assert_eq!(children[1].content_type().mime_type(), "text/plain");
        },
    );
    // RFC 2045 §5.2: no or invalid Content-Type is text/plain; charset=us-ascii.
    for text in [
        "Subject: x\n\nb",
        "Content-Type: garbage\n\nb",
        "Content-Type: /x\n\nb",
    ] {
        let m = Message::parse(text.as_bytes());
        assert_eq!(m.root().content_type().mime_type(), "text/plain");
        assert_eq!(m.root().content_type().param("charset"), Some("us-ascii"));
    }
}

fn nested(depth: usize) -> String {
    let mut text = String::new();
    for i in 0..depth {
        text.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n"
        ));
    }
    text.push_str("Content-Type: text/plain\n\ndeep\n");
    for i in (0..depth).rev() {
        text.push_str(&format!("--b{i}--\n"));
    }
    text
}

#[test]
fn ten_thousand_nested_multiparts_hit_the_depth_limit() {
    let text = nested(10_000);
    let m = Message::parse(text.as_bytes());
    let config = ParserConfig::default();
    assert!(m.part_count() <= config.max_depth);
    assert!(
        m.parts()
            .any(|p| p.defects().contains(&Defect::NestingTooDeep))
    );
    // Within the limit everything is structure.
    let shallow = nested(20);
    let m = Message::parse(shallow.as_bytes());
    assert_eq!(m.part_count(), 21);
    assert!(m.parts().all(|p| p.defects().is_empty()));
    assert_eq!(
        m.parts().last().and_then(|p| p.text()).as_deref(),
        Some("deep")
    );
}

#[test]
fn nested_embedded_messages_hit_the_depth_limit() {
    // Each level a QP-encoded message/rfc822: same size at every level.
    let mut text = "Subject: leaf\n\nx".to_owned();
    for _ in 0..100 {
        text = format!(
            "Content-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n\n{text}"
        );
    }
    let m = Message::parse(text.as_bytes());
    assert!(m.part_count() <= ParserConfig::default().max_depth);
    assert!(
        m.parts()
            .any(|p| p.defects().contains(&Defect::NestingTooDeep))
    );
}

#[test]
fn part_limit_is_a_defect() {
    let mut text = "Content-Type: multipart/mixed; boundary=p\n\n".to_owned();
    for _ in 0..100 {
        text.push_str("--p\n\nx\n");
    }
    text.push_str("--p--\n");
    let config = ParserConfig::default().with_max_parts(10);
    let m = Message::parse_with(text.as_bytes(), &config);
    assert_eq!(m.part_count(), 10);
    assert!(m.root().defects().contains(&Defect::TooManyParts));
}

#[test]
fn many_sibling_parts_parse() {
    let mut text = "Content-Type: multipart/mixed; boundary=p\n\n".to_owned();
    for i in 0..5000 {
        text.push_str(&format!("--p\nContent-Type: text/plain\n\npart {i}\n"));
    }
    text.push_str("--p--\n");
    let m = Message::parse(text.as_bytes());
    assert_eq!(m.root().children().count(), 5000);
    assert_eq!(
        m.root()
            .children()
            .nth(4999)
            .and_then(|p| p.text())
            .as_deref(),
        Some("part 4999")
    );
}

#[test]
fn nested_encoded_messages_stay_within_a_memory_budget() {
    // Quoted-printable keeps the size, so each level would copy ~100 KB.
    let mut text = format!("Subject: leaf\n\n{}", "a".repeat(100_000));
    for _ in 0..60 {
        text = format!(
            "Content-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n\n{text}"
        );
    }
    let m = Message::parse(text.as_bytes());
    assert!(
        m.parts()
            .any(|p| p.defects().contains(&Defect::EmbeddedTooLarge))
    );
    assert!(m.part_count() < 60);
}

#[test]
fn many_parameters_are_bounded() {
    let params: String = (0..20_000).map(|i| format!("; p{i}=v")).collect();
    let text = format!("Content-Type: text/plain{params}\n\nbody");
    let m = Message::parse(text.as_bytes());
    let ct = m.root().content_type();
    assert_eq!(ct.mime_type(), "text/plain");
    assert!(ct.params.len() <= 64);
    assert_eq!(ct.param("p0"), Some("v"));
}
