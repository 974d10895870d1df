//! Known-answer tables for the parsers, each row citing its RFC section.

use super::*;

fn cmd(line: &str) -> Result<Command<'_>, ParseError> {
    match Command::parse(line.as_bytes()) {
        Ok(Some((n, c))) => {
            assert_eq!(n, line.len(), "{line:?} consumed whole");
            Ok(c)
        }
        Ok(None) => panic!("{line:?} incomplete"),
        Err(e) => Err(e),
    }
}

fn mbox(s: &str) -> Mailbox<'static> {
    Mailbox::new(s).unwrap()
}

#[test]
fn commands_known_answers() {
    let d = |s: &str| Host::Domain(Domain::new(s).unwrap());
    let rows: Vec<(&str, &str, Command<'static>)> = vec![
        (
            "RFC 5321 §4.1.1.1",
            "EHLO bar.com\r\n",
            Command::Ehlo(d("bar.com")),
        ),
        (
            "RFC 5321 §4.1.1.1",
            "HELO bar.com\r\n",
            Command::Helo(d("bar.com")),
        ),
        (
            "RFC 5321 §4.1.1.1 address literal",
            "EHLO [192.0.2.1]\r\n",
            Command::Ehlo(Host::Literal(AddressLiteral::Ipv4(
                "192.0.2.1".parse().unwrap(),
            ))),
        ),
        (
            "RFC 5321 §4.1.3 IPv6",
            "EHLO [IPv6:2001:db8::1]\r\n",
            Command::Ehlo(Host::Literal(AddressLiteral::Ipv6(
                "2001:db8::1".parse().unwrap(),
            ))),
        ),
        (
            "RFC 2033 §4.1",
            "LHLO foo.edu\r\n",
            Command::Lhlo(d("foo.edu")),
        ),
        (
            "RFC 5321 §4.1.1 verbs are case-insensitive",
            "ehlo bar.com\r\n",
            Command::Ehlo(d("bar.com")),
        ),
        (
            "RFC 5321 §4.1.1.2",
            "MAIL FROM:<Smith@bar.com>\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("Smith@bar.com")),
                params: MailParameters::default(),
            },
        ),
        (
            "RFC 5321 §4.5.5 null reverse path",
            "MAIL FROM:<>\r\n",
            Command::Mail {
                from: ReversePath::Null,
                params: MailParameters::default(),
            },
        ),
        (
            "RFC 5321 §4.1.1.3 source route dropped",
            "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>\r\n",
            Command::Rcpt {
                to: ForwardPath::Mailbox(mbox("userc@d.bar.org")),
                params: RcptParameters::default(),
            },
        ),
        (
            "RFC 5321 §4.1.1.3 Postmaster",
            "RCPT TO:<Postmaster>\r\n",
            Command::Rcpt {
                to: ForwardPath::Postmaster,
                params: RcptParameters::default(),
            },
        ),
        (
            "RFC 5321 §4.1.2 quoted local part",
            "RCPT TO:<\"John Doe\"@example.com>\r\n",
            Command::Rcpt {
                to: ForwardPath::Mailbox(mbox("\"John Doe\"@example.com")),
                params: RcptParameters::default(),
            },
        ),
        (
            "RFC 5321 §4.1.2 quoted pair",
            "RCPT TO:<\"a\\\"b\"@example.com>\r\n",
            Command::Rcpt {
                to: ForwardPath::Mailbox(mbox("\"a\\\"b\"@example.com")),
                params: RcptParameters::default(),
            },
        ),
        (
            "RFC 5321 §4.1.3 literal in mailbox",
            "RCPT TO:<user@[192.0.2.7]>\r\n",
            Command::Rcpt {
                to: ForwardPath::Mailbox(mbox("user@[192.0.2.7]")),
                params: RcptParameters::default(),
            },
        ),
        (
            "RFC 6531 §3.3 UTF-8 mailbox",
            "MAIL FROM:<用户@例子.广告> SMTPUTF8\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("用户@例子.广告")),
                params: MailParameters {
                    smtputf8: true,
                    ..Default::default()
                },
            },
        ),
        (
            "RFC 1870 §6 SIZE, RFC 6152 §2 BODY",
            "MAIL FROM:<a@b.c> SIZE=1000 BODY=8BITMIME\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("a@b.c")),
                params: MailParameters {
                    size: Some(1000),
                    body: Some(BodyType::EightBitMime),
                    ..Default::default()
                },
            },
        ),
        (
            "RFC 3030 §3 BINARYMIME",
            "MAIL FROM:<a@b.c> BODY=BINARYMIME\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("a@b.c")),
                params: MailParameters {
                    body: Some(BodyType::BinaryMime),
                    ..Default::default()
                },
            },
        ),
        (
            "RFC 3461 §4.3/§4.4 RET ENVID xtext",
            "MAIL FROM:<a@b.c> RET=HDRS ENVID=QQ+2B314\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("a@b.c")),
                params: MailParameters {
                    ret: Some(Ret::Headers),
                    envid: Some(XText("QQ+314".into())),
                    ..Default::default()
                },
            },
        ),
        (
            "RFC 4954 §5 AUTH=<>",
            "MAIL FROM:<a@b.c> AUTH=<>\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("a@b.c")),
                params: MailParameters {
                    auth: Some(AuthParam::Unknown),
                    ..Default::default()
                },
            },
        ),
        (
            "RFC 4954 §5 AUTH=xtext",
            "MAIL FROM:<a@b.c> AUTH=e+3Dmc2@example.com\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("a@b.c")),
                params: MailParameters {
                    auth: Some(AuthParam::Mailbox(XText("e=mc2@example.com".into()))),
                    ..Default::default()
                },
            },
        ),
        (
            "RFC 8689 §4.1 REQUIRETLS",
            "MAIL FROM:<a@b.c> REQUIRETLS\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("a@b.c")),
                params: MailParameters {
                    requiretls: true,
                    ..Default::default()
                },
            },
        ),
        (
            "RFC 5321 §4.1.2 unknown parameter kept",
            "MAIL FROM:<a@b.c> X-FOO=bar X-FLAG\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("a@b.c")),
                params: MailParameters {
                    other: vec![
                        Parameter {
                            keyword: "X-FOO".into(),
                            value: Some("bar".into()),
                        },
                        Parameter {
                            keyword: "X-FLAG".into(),
                            value: None,
                        },
                    ],
                    ..Default::default()
                },
            },
        ),
        (
            "RFC 3461 §4.1/§4.2 NOTIFY ORCPT",
            "RCPT TO:<c@d.e> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;c+40d.e\r\n",
            Command::Rcpt {
                to: ForwardPath::Mailbox(mbox("c@d.e")),
                params: RcptParameters {
                    notify: Some(Notify {
                        success: true,
                        failure: false,
                        delay: true,
                    }),
                    orcpt: Some(Orcpt {
                        addr_type: "rfc822".into(),
                        address: XText("c@d.e".into()),
                    }),
                    other: vec![],
                },
            },
        ),
        (
            "RFC 3461 §4.1 NEVER",
            "RCPT TO:<c@d.e> NOTIFY=NEVER\r\n",
            Command::Rcpt {
                to: ForwardPath::Mailbox(mbox("c@d.e")),
                params: RcptParameters {
                    notify: Some(Notify::default()),
                    ..Default::default()
                },
            },
        ),
        ("RFC 5321 §4.1.1.4", "DATA\r\n", Command::Data),
        (
            "RFC 3030 §2",
            "BDAT 86 LAST\r\n",
            Command::Bdat {
                size: 86,
                last: true,
            },
        ),
        (
            "RFC 3030 §2",
            "BDAT 0\r\n",
            Command::Bdat {
                size: 0,
                last: false,
            },
        ),
        ("RFC 5321 §4.1.1.5", "RSET\r\n", Command::Rset),
        ("RFC 5321 §4.1.1.9", "NOOP\r\n", Command::Noop(None)),
        (
            "RFC 5321 §4.1.1.9",
            "NOOP hello\r\n",
            Command::Noop(Some("hello".into())),
        ),
        ("RFC 5321 §4.1.1.10", "QUIT\r\n", Command::Quit),
        (
            "RFC 5321 §4.1.1.6",
            "VRFY Smith\r\n",
            Command::Vrfy("Smith".into()),
        ),
        (
            "RFC 5321 §4.1.1.7",
            "EXPN Example-People\r\n",
            Command::Expn("Example-People".into()),
        ),
        ("RFC 5321 §4.1.1.8", "HELP\r\n", Command::Help(None)),
        ("RFC 3207 §4", "STARTTLS\r\n", Command::StartTls),
        (
            "RFC 4954 §4 initial response",
            "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n",
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(AuthData("dGVzdAB0ZXN0ADEyMzQ=".into())),
            },
        ),
        (
            "RFC 4954 §4 empty initial response",
            "AUTH plain =\r\n",
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(AuthData("=".into())),
            },
        ),
        (
            "RFC 4954 §4",
            "AUTH CRAM-MD5\r\n",
            Command::Auth {
                mechanism: "CRAM-MD5".into(),
                initial_response: None,
            },
        ),
        (
            "RFC 1985 §5",
            "ETRN @example.com\r\n",
            Command::Etrn("@example.com".into()),
        ),
        (
            "common leniency: space after colon",
            "MAIL FROM: <a@b.c>\r\n",
            Command::Mail {
                from: ReversePath::Mailbox(mbox("a@b.c")),
                params: MailParameters::default(),
            },
        ),
    ];
    for (section, line, want) in rows {
        assert_eq!(cmd(line), Ok(want), "{section}: {line:?}");
    }
}

#[test]
fn command_errors_known_answers() {
    let rows: Vec<(&str, &str, ParseError)> = vec![
        (
            "RFC 5321 §4.2.4 unknown verb",
            "FOO bar\r\n",
            ParseError::UnknownCommand,
        ),
        (
            "RFC 5321 §4.1.2 String: no control characters in VRFY",
            "VRFY a\x1b[2Jb\r\n",
            ParseError::Syntax("VRFY"),
        ),
        (
            "RFC 5321 §4.1.2 String: no control characters in EXPN",
            "EXPN list\x01\r\n",
            ParseError::Syntax("EXPN"),
        ),
        (
            "RFC 5321 §4.1.1.9 NOOP String: no control characters",
            "NOOP \x07\r\n",
            ParseError::Syntax("NOOP"),
        ),
        (
            "RFC 5321 §4.1.1.8 HELP String: no control characters",
            "HELP x\x7f\r\n",
            ParseError::Syntax("HELP"),
        ),
        (
            "RFC 1985 §5 ETRN: no control characters",
            "ETRN @example.org\x08\r\n",
            ParseError::Syntax("ETRN"),
        ),
        (
            "RFC 5321 §2.3.8 bare LF",
            "NOOP\n",
            ParseError::BareLineEnding,
        ),
        (
            "RFC 5321 §2.3.8 bare CR",
            "NO\rOP\r\n",
            ParseError::BareLineEnding,
        ),
        (
            "RFC 5321 §4.1.1.2 missing brackets",
            "MAIL FROM:a@b.c\r\n",
            ParseError::Syntax("path"),
        ),
        (
            "RFC 5321 §4.1.2 trailing dot",
            "RCPT TO:<a@b.c.>\r\n",
            ParseError::Syntax("forward path"),
        ),
        (
            "RFC 5321 §4.1.2 empty label",
            "RCPT TO:<a@b..c>\r\n",
            ParseError::Syntax("forward path"),
        ),
        (
            "RFC 5321 §4.1.2 label hyphen",
            "RCPT TO:<a@-b.c>\r\n",
            ParseError::Syntax("forward path"),
        ),
        (
            "RFC 5321 §4.1.2 no local part",
            "RCPT TO:<@b.c>\r\n",
            ParseError::Syntax("forward path"),
        ),
        (
            "RFC 5321 §4.1.2 double dot local",
            "RCPT TO:<a..b@c.d>\r\n",
            ParseError::Syntax("forward path"),
        ),
        (
            "RFC 5321 §4.1.3 bad IPv4",
            "RCPT TO:<a@[256.1.1.1]>\r\n",
            ParseError::Syntax("forward path"),
        ),
        (
            "RFC 5321 §4.1.1.1 HELO needs domain",
            "HELO\r\n",
            ParseError::Syntax("domain"),
        ),
        (
            "RFC 5321 §4.1.1.4 DATA takes no argument",
            "DATA x\r\n",
            ParseError::Syntax("DATA"),
        ),
        (
            "RFC 5321 §4.1.1.11 repeated parameter",
            "MAIL FROM:<a@b.c> SIZE=1 SIZE=2\r\n",
            ParseError::Parameter("SIZE"),
        ),
        (
            "RFC 1870 §6 SIZE digits",
            "MAIL FROM:<a@b.c> SIZE=12a\r\n",
            ParseError::Syntax("SIZE"),
        ),
        (
            "RFC 6152 §2 BODY value",
            "MAIL FROM:<a@b.c> BODY=9BIT\r\n",
            ParseError::Syntax("BODY"),
        ),
        (
            "RFC 3461 §4 xtext bad hex",
            "MAIL FROM:<a@b.c> ENVID=a+2g\r\n",
            ParseError::Syntax("xtext"),
        ),
        (
            "RFC 3461 §4.1 NOTIFY value",
            "RCPT TO:<a@b.c> NOTIFY=SOMETIMES\r\n",
            ParseError::Syntax("NOTIFY"),
        ),
        (
            "RFC 3030 §2 BDAT size",
            "BDAT -1\r\n",
            ParseError::Syntax("BDAT"),
        ),
        (
            "RFC 3030 §2 BDAT marker",
            "BDAT 1 FIRST\r\n",
            ParseError::Syntax("BDAT"),
        ),
        (
            "RFC 4954 §4 mechanism chars",
            "AUTH PL@IN\r\n",
            ParseError::Syntax("AUTH mechanism"),
        ),
        (
            "RFC 6531 §3.3 UTF-8 only",
            "MAIL FROM:<\u{fffd}@b.c>\r\n",
            ParseError::InvalidUtf8,
        ),
    ];
    for (section, line, want) in rows {
        let line = line.replace('\u{fffd}', "\u{0}");
        let bytes: Vec<u8> = if line.contains('\0') {
            line.bytes()
                .map(|b| if b == 0 { 0xff } else { b })
                .collect()
        } else {
            line.into_bytes()
        };
        assert_eq!(
            Command::parse(&bytes).map(|o| o.map(|(_, c)| c)),
            Err(want),
            "{section}"
        );
    }
}

#[test]
fn incomplete_and_too_long_lines() {
    // RFC 5321 §4.5.3.1.4: the parser waits for CRLF, but not forever.
    assert_eq!(Command::parse(b"MAIL FROM:<a@b"), Ok(None));
    assert_eq!(Command::parse(b""), Ok(None));
    let long = vec![b'A'; MAX_COMMAND_LINE];
    assert_eq!(
        Command::parse(&long),
        Err(ParseError::LineTooLong {
            limit: MAX_COMMAND_LINE
        })
    );
}

#[test]
fn replies_known_answers() {
    type Row<'a> = (&'a str, &'a str, u16, Option<(u8, u16, u16)>, Vec<&'a str>);
    let rows: Vec<Row<'_>> = vec![
        (
            "RFC 5321 §4.2 single line",
            "250 OK\r\n",
            250,
            None,
            vec!["OK"],
        ),
        ("RFC 5321 §4.2 code only", "250\r\n", 250, None, vec![""]),
        (
            "RFC 5321 §4.2 multi-line",
            "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250 HELP\r\n",
            250,
            None,
            vec!["foo.com greets bar.com", "8BITMIME", "HELP"],
        ),
        (
            "RFC 2034 §3 enhanced code",
            "550 5.1.1 User unknown\r\n",
            550,
            Some((5, 1, 1)),
            vec!["User unknown"],
        ),
        (
            "RFC 2034 §3 code on every line",
            "250-2.0.0 a\r\n250 2.0.0 b\r\n",
            250,
            Some((2, 0, 0)),
            vec!["a", "b"],
        ),
        (
            "RFC 3463 §2 class must match",
            "250 5.0.0 odd\r\n",
            250,
            None,
            vec!["5.0.0 odd"],
        ),
        (
            "RFC 4954 §4 334 challenge",
            "334 VXNlcm5hbWU6\r\n",
            334,
            None,
            vec!["VXNlcm5hbWU6"],
        ),
        (
            "RFC 5321 §4.2 bare LF from a server tolerated",
            "221 bye\n",
            221,
            None,
            vec!["bye"],
        ),
    ];
    for (section, text, code, enh, lines) in rows {
        let (n, r) = Reply::parse(text.as_bytes()).unwrap().unwrap();
        assert_eq!(n, text.len(), "{section}");
        assert_eq!(r.code.get(), code, "{section}");
        assert_eq!(
            r.enhanced,
            enh.and_then(|(a, b, c)| EnhancedCode::new(a, b, c)),
            "{section}"
        );
        assert_eq!(r.lines, lines, "{section}");
    }
}

#[test]
fn reply_errors_known_answers() {
    // RFC 5321 §4.2: three digits, then SP, "-" or CRLF; all lines one code.
    for bad in [
        "25 OK\r\n",
        "abc OK\r\n",
        "250xOK\r\n",
        "250-a\r\n251 b\r\n",
        "650 no\r\n",
        "260 no\r\n",
    ] {
        assert_eq!(
            Reply::parse(bad.as_bytes()),
            Err(ParseError::MalformedReply),
            "{bad:?}"
        );
    }
    assert_eq!(Reply::parse(b"250-a\r\n250 b"), Ok(None));
}

#[test]
fn reply_code_classification() {
    // RFC 5321 §4.2.1: first digit severity, second category.
    let c = ReplyCode::new(354).unwrap();
    assert_eq!(c.severity(), crate::reply::Severity::PositiveIntermediate);
    assert_eq!(
        ReplyCode::new(421).unwrap().category(),
        crate::reply::Category::Connections
    );
    assert_eq!(
        ReplyCode::new(550).unwrap().category(),
        crate::reply::Category::MailSystem
    );
    assert_eq!(
        ReplyCode::new(500).unwrap().category(),
        crate::reply::Category::Syntax
    );
    assert_eq!(
        ReplyCode::new(214).unwrap().category(),
        crate::reply::Category::Information
    );
    assert!(
        ReplyCode::new(199).is_none()
            && ReplyCode::new(600).is_none()
            && ReplyCode::new(260).is_none()
    );
}

#[test]
fn capabilities_known_answers() {
    // RFC 5321 §4.1.1.1 and each extension's EHLO keyword.
    let text = "250-mx.example.com hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n\
                250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-AUTH PLAIN login\r\n\
                250-DSN\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250-REQUIRETLS\r\n250 X-CUSTOM a b\r\n";
    let (_, r) = Reply::parse(text.as_bytes()).unwrap().unwrap();
    let caps = crate::Capabilities::from_reply(&r);
    use crate::Capability as C;
    assert_eq!(caps.domain, "mx.example.com");
    assert_eq!(
        caps.list,
        vec![
            C::Pipelining,
            C::Size(Some(10240000)),
            C::EightBitMime,
            C::SmtpUtf8,
            C::EnhancedStatusCodes,
            C::StartTls,
            C::Auth(vec!["PLAIN".into(), "LOGIN".into()]),
            C::Dsn,
            C::Chunking,
            C::BinaryMime,
            C::RequireTls,
            C::Other {
                keyword: "X-CUSTOM".into(),
                params: vec!["a".into(), "b".into()]
            },
        ]
    );
    assert_eq!(caps.size_limit(), Some(10240000));
    assert!(caps.has(&C::Pipelining) && !caps.has(&C::Etrn));
    for c in &caps.list {
        assert_eq!(&C::parse(&c.to_line()), c);
    }
}

/// The parse is zero-copy: every string of a parsed command borrows from the
/// input line (an xtext with `+` escapes is the one decoded copy).
#[test]
fn parsed_commands_borrow_the_input() {
    use std::borrow::Cow;
    let borrowed = |c: &Cow<'_, str>| matches!(c, Cow::Borrowed(_));
    let line = b"RCPT TO:<a.b@[tag:x]> ORCPT=rfc822;a@b X-K=v\r\n";
    let Ok(Some((_, Command::Rcpt { to, params }))) = Command::parse(line) else {
        panic!("RCPT parses");
    };
    let ForwardPath::Mailbox(m) = to else {
        panic!("mailbox");
    };
    assert!(matches!(m.local_part.0, Cow::Borrowed("a.b")));
    let Host::Literal(AddressLiteral::General { tag, content }) = &m.host else {
        panic!("general literal");
    };
    assert!(borrowed(tag) && borrowed(content));
    let orcpt = params.orcpt.expect("ORCPT");
    assert!(borrowed(&orcpt.addr_type) && borrowed(&orcpt.address.0));
    assert!(borrowed(&params.other[0].keyword));
    let line = b"MAIL FROM:<a@example.com> ENVID=x+2By\r\n";
    let Ok(Some((_, Command::Mail { from, params }))) = Command::parse(line) else {
        panic!("MAIL parses");
    };
    let ReversePath::Mailbox(m) = from else {
        panic!("mailbox");
    };
    let Host::Domain(d) = &m.host else {
        panic!("domain")
    };
    assert!(matches!(d.0, Cow::Borrowed("example.com")));
    // RFC 3461 §4: "+2B" is "+", decoded into an owned string.
    assert!(matches!(params.envid.expect("ENVID").0, Cow::Owned(ref s) if s == "x+y"));
    let line = b"AUTH plain dGVzdA==\r\n";
    let Ok(Some((
        _,
        Command::Auth {
            mechanism,
            initial_response,
        },
    ))) = Command::parse(line)
    else {
        panic!("AUTH parses");
    };
    assert_eq!(mechanism, "PLAIN");
    assert!(borrowed(&initial_response.expect("initial response").0));
}

/// The verb is matched as a packed integer: a NUL (which packs to nothing)
/// or any other non-letter must not turn a word into a known verb
/// (RFC 5321 §4.1.1: verbs are alphabetic).
#[test]
fn verbs_with_stray_octets_are_unknown() {
    for line in [
        &b"DATA\0\r\n"[..],
        b"\0DATA\r\n",
        b"DA\0TA\r\n",
        b"QUIT1\r\n",
        b"RSET\x7f\r\n",
        b"STARTTLSX\r\n",
    ] {
        assert_eq!(
            Command::parse(line),
            Err(ParseError::UnknownCommand),
            "{line:?}"
        );
    }
    assert_eq!(Command::parse(b"dAtA\r\n"), Ok(Some((6, Command::Data))));
}

#[test]
fn fast_paths_match_the_general_paths_on_edge_cases() {
    for line in [
        &b"DATA\r\n"[..],
        b"DATA\r",
        b"DATA\n",
        b"DA\rTA\r\n",
        b"DATA\r\r\n",
        b"\r\n",
        b"\n",
        b"RSET\r\nQUIT\r\n",
        b"MAIL FROM:<a@b>\rx\r\n",
        b"MAIL FROM:<a@b> SIZE=1\r\n",
        b"EHLO \xff\r\n",
        b"RCPT TO:<\"a>b\"@c.d>\r\n",
        b"RCPT TO:<a@b.>\r\n",
        b"RCPT TO:<a@[1.2.3.4]>\r\n",
        b"RCPT TO:<@x,@y:a@b>\r\n",
        b"RCPT TO:<Postmaster>\r\n",
        b"MAIL FROM:<>\r\n",
        b"MAIL FROM:<a@b>x\r\n",
    ] {
        assert_eq!(
            Command::parse(line),
            parse_by_general_parser(line),
            "{line:?}"
        );
    }
    let long = [b'a'; MAX_COMMAND_LINE + 8];
    assert_eq!(Command::parse(&long), parse_by_general_parser(&long));
    let mut cr_at_end = vec![b'N'; MAX_COMMAND_LINE - 1];
    cr_at_end.extend_from_slice(b"\r\n");
    assert_eq!(
        Command::parse(&cr_at_end),
        parse_by_general_parser(&cr_at_end)
    );
}

proptest::proptest! {
    // One case in twenty or so is a line the one-pass parser takes.
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

    #[test]
    fn one_pass_parser_matches_the_general_parser_on_paths(
        // Well-formed choices are repeated so that about a third of the
        // lines are ones the one-pass parser takes.
        verb in proptest::sample::select(&[
            "MAIL FROM:<", "mail from:<", "RCPT TO:<", "rcpt To:<", "MAIL FROM:<", "RCPT TO:<",
            "MAIL FROM: <", "RCPT TO:",
        ][..]),
        local in proptest::sample::select(&[
            "a", "first.last", "a+b_c", "\"q x\"", "\"a\\\"b\"", "\u{e9}", "Postmaster", "a",
            "a..b", ".a", "a.", "",
        ][..]),
        at in proptest::sample::select(&["@", "@", "@", "@", "@", "", "@@"][..]),
        domain in proptest::sample::select(&[
            "b", "example.com", "xn--x.y", "b\u{fc}cher.de", "b", "example.com", "b.", "-b", "b-",
            "[1.2.3.4]", "a..b", "", "a.-b",
        ][..]),
        close in proptest::sample::select(&[">", ">", ">", ">", ">", "", ">>", "> "][..]),
        params in proptest::collection::vec(proptest::sample::select(&[
            " SIZE=123", " size=0", " BODY=8BITMIME", " BODY=7bit", " BODY=binarymime",
            " SMTPUTF8", " NOTIFY=SUCCESS,FAILURE", " NOTIFY=never", " notify=Success",
            " ORCPT=rfc822;a@b", " ORCPT=utf-8;x", " SIZE=123", " BODY=8BITMIME",
            " NOTIFY=SUCCESS,FAILURE", " ORCPT=rfc822;a@b", " SIZE=99999999999999999999",
            " SIZE=1x", " SIZE=", " BODY=8bit", " SMTPUTF8=1", " NOTIFY=DELAY,DELAY", " NOTIFY=",
            " ORCPT=rfc822;a+2Bb", " ORCPT=;x", " ORCPT=utf-8;\u{e9}", " X-Y=z", " ENVID=e", " ",
            "x", "\t", " LAST",
        ][..]), 0..3),
    ) {
        let text = [verb, local, at, domain, close, &params.concat()].concat();
        one_pass_agrees(&text);
    }
}

proptest::proptest! {
    #[test]
    fn fast_line_path_matches_general_path(
        verb in proptest::sample::select(&["", "MAIL FROM:", "RCPT TO:", "EHLO ", "NOOP"][..]),
        tail in proptest::collection::vec(
            proptest::sample::select(&b"DATMILFROC:<>@.\"\\ \r\n\x80\xc3\xa9a1=-"[..]), 0..40),
    ) {
        let body = [verb.as_bytes(), &tail].concat();
        proptest::prop_assert_eq!(Command::parse(&body), parse_by_general_parser(&body));
    }

    #[test]
    fn one_pass_parser_matches_the_general_parser(
        verb in proptest::sample::select(&[
            "MAIL FROM:<", "mail from:<", "RCPT TO:<", "rcpt To:<", "EHLO ", "HELO ", "LHLO ",
            "BDAT ", "MAIL FROM:", "RCPT TO:",
        ][..]),
        words in proptest::collection::vec(proptest::sample::select(&[
            "a", "b.c", "x-y", "-", ".", "@", ">", "<", "\"q\"", "\\", "\u{e9}", "[1.2.3.4]",
            " ", " SIZE=", " size=", "12345", "99999999999999999999", " BODY=", "8BITMIME",
            "7bit", "BINARYMIME", "8BIT", " SMTPUTF8", " NOTIFY=", "SUCCESS", ",", "FAILURE",
            "delay", "NEVER", " ORCPT=", "rfc822;", "utf-8;", "+2B", "=", ";", "\t", "\u{7f}",
            " LAST", " last", "0", "65536", " X-Y=z", " ENVID=e", "Postmaster",
        ][..]), 0..12),
    ) {
        let text = [verb, &words.concat()].concat();
        one_pass_agrees(&text);
    }

    #[test]
    fn ascii_commands_match_the_general_parser(
        line in proptest::collection::vec(
            proptest::sample::select(&b"DATRSEQUINOPBdatrsequinopb\r\n \x00\x8005L"[..]), 6..14),
    ) {
        if let Some(parsed) = fast::ascii_command(&line) {
            proptest::prop_assert_eq!(Ok(Some(parsed)), parse_by_general_parser(&line));
        }
    }
}

/// Whatever the one-pass parser (`parse/fast.rs`) accepts, the general
/// parser accepts as the same command; what it declines is left to the
/// general parser, so it may decline anything.
fn one_pass_agrees(text: &str) {
    // What follows the line (a pipelined command, octets that are not
    // UTF-8, a character cut short, nothing) must not change the answer:
    // the UTF-8 check may look past the line's end.
    let after: [&[u8]; 5] = [
        b"",
        b"NOOP\r\n",
        b"\xff\xfe",
        b"\xc3",
        b"0123456789abcdef\xe2\x82",
    ];
    let mut taken = Vec::new();
    for after in after {
        let input = [text.as_bytes(), b"\r\n", after].concat();
        let parsed = fast::command(&input).or_else(|| fast::ascii_command(&input));
        taken.push(parsed.is_some());
        if let Some((len, command)) = parsed {
            assert_eq!(len, text.len() + 2, "{text:?}");
            assert_eq!(Ok(command), command_text(text, |c| c), "{text:?}");
        }
    }
    assert!(taken.iter().all(|&t| t == taken[0]), "{text:?} {taken:?}");
}

/// Whether the one-pass parser takes `text` (either of its entries).
fn one_pass(text: &str) -> bool {
    let line = [text.as_bytes(), b"\r\n"].concat();
    fast::command(&line).is_some() || fast::ascii_command(&line).is_some()
}

#[test]
fn one_pass_parser_takes_the_common_lines() {
    for text in [
        "EHLO mail.example.com",
        "helo a",
        "LHLO xn--bcher-kva.example",
        "EHLO b\u{fc}cher.example",
        "MAIL FROM:<a@b>",
        "mail from:<first.last+tag@sub.example.org> SIZE=12345 BODY=8BITMIME SMTPUTF8",
        "MAIL FROM:<a@b> body=7bit size=0",
        "MAIL FROM:<a@b> BODY=BINARYMIME",
        "MAIL FROM:<\"quoted local\"@example.org>",
        "MAIL FROM:<j\u{f6}rg@b\u{fc}cher.example> SMTPUTF8",
        "RCPT TO:<a@b>",
        "rcpt to:<a@b> NOTIFY=never",
        "RCPT TO:<a@b> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;a@b",
        "RCPT TO:<a@b> ORCPT=utf-8;a@b notify=delay",
        "BDAT 0",
        "BDAT 65536 LAST",
        "bdat 1 last",
        "BDAT 9999999999999999999",
    ] {
        assert!(one_pass(text), "{text:?}");
        one_pass_agrees(text);
    }
    for line in [&b"DATA\r\n"[..], b"rset\r\n", b"Quit\r\n", b"NOOP\r\n"] {
        assert!(fast::ascii_command(line).is_some(), "{line:?}");
    }
}

#[test]
fn one_pass_parser_declines_what_it_does_not_take() {
    for text in [
        "EHLO  a",
        "EHLO a ",
        "EHLO [192.0.2.1]",
        "EHLO -a",
        "EHLO a..b",
        "MAIL FROM: <a@b>",
        "MAIL FROM:<>",
        "MAIL FROM:<@x:a@b>",
        "MAIL FROM:<a@[192.0.2.1]>",
        "MAIL FROM:<a@b>  SIZE=1",
        "MAIL FROM:<a@b> SIZE=1 ",
        "MAIL FROM:<a@b> SIZE=1 SIZE=2",
        "MAIL FROM:<a@b> SIZE=12345678901234567890",
        "MAIL FROM:<a@b> SIZE=1x",
        "MAIL FROM:<a@b> SIZE",
        "MAIL FROM:<a@b> SIZE=",
        "MAIL FROM:<a@b> BODY=8BIT",
        "MAIL FROM:<a@b> SMTPUTF8=yes",
        "MAIL FROM:<a@b> ENVID=x",
        "MAIL FROM:<a@b> X-FOO=1",
        "MAIL FROM:<a@b> -X",
        "MAIL FROM:<a@b>x",
        "RCPT TO:<Postmaster>",
        "RCPT TO:<a@b> NOTIFY=",
        "RCPT TO:<a@b> NOTIFY=SUCCESS,,FAILURE",
        "RCPT TO:<a@b> NOTIFY=SUCCESS,SUCCESS",
        "RCPT TO:<a@b> NOTIFY=NEVER,SUCCESS",
        "RCPT TO:<a@b> ORCPT=rfc822;a+2Bb@c",
        "RCPT TO:<a@b> ORCPT=;a@b",
        "RCPT TO:<a@b> ORCPT=rfc822",
        "RCPT TO:<a@b> ORCPT=rfc822;a=b",
        "RCPT TO:<a@b> ORCPT=rfc822;j\u{f6}rg@b",
        "BDAT",
        "BDAT x",
        "BDAT 12345678901234567890",
        "BDAT 1  LAST",
        "BDAT 1 LAST ",
        "BDAT 1 FIRST",
        "NOOP x",
    ] {
        assert!(!one_pass(text), "{text:?}");
        one_pass_agrees(text);
    }
}

/// The esmtp-param grammar (RFC 5321 §4.1.2) written word by word, as a
/// model for the one-pass `each_param`.
fn params_by_words(s: &str) -> Result<Vec<(&str, Option<&str>)>, ParseError> {
    let mut out = Vec::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let (k, v) = match word.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (word, None),
        };
        if k.is_empty()
            || !k.as_bytes()[0].is_ascii_alphanumeric()
            || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(ParseError::Syntax("parameter keyword"));
        }
        if let Some(v) = v
            && (v.is_empty() || v.bytes().any(|b| b < 33 || b == b'=' || b == 127))
        {
            return Err(ParseError::Syntax("parameter value"));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn params_one_pass(s: &str) -> Result<Vec<(&str, Option<&str>)>, ParseError> {
    let mut out = Vec::new();
    each_param(s, |k, v| {
        out.push((k, v));
        Ok(())
    })?;
    Ok(out)
}

#[test]
fn one_pass_params_match_the_word_model_on_edge_cases() {
    for s in [
        "",
        "  ",
        "SIZE=1 BODY=8BITMIME",
        "A=B=C",
        "=x",
        "-A",
        "A-",
        "A=",
        "A\t=1",
        "A=\u{e9}",
        "\u{e9}=1",
        "A=1\x7f",
        "K  L=2  ",
    ] {
        assert_eq!(params_one_pass(s), params_by_words(s), "{s:?}");
    }
}

proptest::proptest! {
    #[test]
    fn one_pass_params_match_the_word_model(s in "[aZ9=\\- \t\u{7f}é;,+\u{1}!<>~]{0,48}") {
        proptest::prop_assert_eq!(params_one_pass(&s), params_by_words(&s));
    }
}

/// Sizes at the edge of `u64`: RFC 3030 §2 chunk-size = 1*DIGIT (a chunk
/// past `u64::MAX` is refused), RFC 1870 §6 size-value = 1*20DIGIT (a
/// declared size past it reads as "too big").
#[test]
fn sizes_at_the_u64_edge() {
    assert_eq!(
        cmd("BDAT 18446744073709551615 LAST\r\n"),
        Ok(Command::Bdat {
            size: u64::MAX,
            last: true
        })
    );
    assert_eq!(
        cmd("BDAT 0\r\n"),
        Ok(Command::Bdat {
            size: 0,
            last: false
        })
    );
    assert_eq!(
        cmd("BDAT 18446744073709551616\r\n"),
        Err(ParseError::Syntax("BDAT"))
    );
    for (value, want) in [
        ("0", 0),
        ("12345", 12345),
        ("18446744073709551615", u64::MAX),
        ("99999999999999999999", u64::MAX),
    ] {
        let line = format!("MAIL FROM:<a@b> SIZE={value}\r\n");
        let Ok(Command::Mail { params, .. }) = cmd(&line) else {
            panic!("{line:?} parses");
        };
        assert_eq!(params.size, Some(want), "{line:?}");
    }
    assert_eq!(decimal(b"12a"), None);
}

/// RFC 5321 §2.4: keywords are case-insensitive; a keyword that differs
/// from a known one in a digit or `-` is another (unknown) parameter.
#[test]
fn parameter_keywords_match_exactly_but_case_blind() {
    let Ok(Command::Mail { params, .. }) =
        cmd("MAIL FROM:<a@b> size=7 Body=7bit smtpUTF8 requiretls ret=hdrs envid=x\r\n")
    else {
        panic!("MAIL parses");
    };
    assert_eq!(params.size, Some(7));
    assert_eq!(params.body, Some(BodyType::SevenBit));
    assert!(params.smtputf8 && params.requiretls);
    assert_eq!(params.ret, Some(Ret::Headers));
    assert!(params.other.is_empty());
    let Ok(Command::Mail { params, .. }) = cmd("MAIL FROM:<a@b> SMTPUTF9 SIZ-E=1 R3T=x\r\n") else {
        panic!("MAIL parses");
    };
    let keywords: Vec<&str> = params.other.iter().map(|p| &*p.keyword).collect();
    assert_eq!(keywords, ["SMTPUTF9", "SIZ-E", "R3T"]);
    assert!(!params.smtputf8 && params.size.is_none() && params.ret.is_none());
    let Ok(Command::Rcpt { params, .. }) = cmd("RCPT TO:<a@b> notify=never orcpt=rfc822;a@b\r\n")
    else {
        panic!("RCPT parses");
    };
    assert!(params.notify.is_some_and(|n| n.is_never()) && params.orcpt.is_some());
}
