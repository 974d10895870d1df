//! Known-answer tables for the encoders, each row citing its RFC section.

use crate::*;

#[test]
fn commands_encode_known_answers() {
    let m = |s: &str| Mailbox::new(s).unwrap();
    let rows: Vec<(&str, Command<'static>, &str)> = vec![
        (
            "RFC 5321 §4.1.1.1",
            Command::Ehlo(Host::new("client.example").unwrap()),
            "EHLO client.example\r\n",
        ),
        (
            "RFC 5321 §4.1.3",
            Command::Helo(Host::new("[IPv6:::1]").unwrap()),
            "HELO [IPv6:::1]\r\n",
        ),
        (
            "RFC 5321 §4.1.1.2",
            Command::Mail {
                from: ReversePath::Null,
                params: MailParameters::default(),
            },
            "MAIL FROM:<>\r\n",
        ),
        (
            "RFC 1870 §6, RFC 6152, RFC 6531, RFC 3461, RFC 4954 §5, RFC 8689",
            Command::Mail {
                from: ReversePath::Mailbox(m("a@b.c")),
                params: MailParameters {
                    size: Some(5),
                    body: Some(BodyType::EightBitMime),
                    smtputf8: true,
                    ret: Some(Ret::Full),
                    envid: Some(XText("x=y+z".into())),
                    auth: Some(AuthParam::Unknown),
                    requiretls: true,
                    other: vec![Parameter {
                        keyword: "X-A".into(),
                        value: None,
                    }],
                },
            },
            "MAIL FROM:<a@b.c> SIZE=5 BODY=8BITMIME SMTPUTF8 RET=FULL ENVID=x+3Dy+2Bz AUTH=<> REQUIRETLS X-A\r\n",
        ),
        (
            "RFC 3461 §4.1/§4.2",
            Command::Rcpt {
                to: ForwardPath::Mailbox(m("\"a b\"@c.d")),
                params: RcptParameters {
                    notify: Some(Notify {
                        success: false,
                        failure: true,
                        delay: true,
                    }),
                    orcpt: Some(Orcpt {
                        addr_type: "rfc822".into(),
                        address: XText("a b@c.d".into()),
                    }),
                    other: vec![],
                },
            },
            "RCPT TO:<\"a b\"@c.d> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+20b@c.d\r\n",
        ),
        (
            "RFC 5321 §4.1.1.3",
            Command::Rcpt {
                to: ForwardPath::Postmaster,
                params: RcptParameters::default(),
            },
            "RCPT TO:<Postmaster>\r\n",
        ),
        (
            "RFC 3030 §2",
            Command::Bdat {
                size: 1000,
                last: true,
            },
            "BDAT 1000 LAST\r\n",
        ),
        (
            "RFC 4954 §4",
            Command::Auth {
                mechanism: "PLAIN".into(),
                initial_response: Some(AuthData("=".into())),
            },
            "AUTH PLAIN =\r\n",
        ),
        (
            "RFC 5321 §4.1.1.9 no injection",
            Command::Noop(Some("a\r\nQUIT".into())),
            "NOOP a\r\n",
        ),
    ];
    for (section, c, want) in rows {
        assert_eq!(String::from_utf8(c.to_bytes()).unwrap(), want, "{section}");
        let (_, back) = Command::parse(want.as_bytes()).unwrap().unwrap();
        if !section.contains("injection") {
            assert_eq!(back, c, "{section} round trip");
        }
    }
}

#[test]
fn replies_encode_known_answers() {
    let rows: Vec<(&str, Reply, &str)> = vec![
        ("RFC 5321 §4.2", Reply::new(250, None, "OK"), "250 OK\r\n"),
        (
            "RFC 2034 §3",
            Reply::new(550, Some((5, 1, 1)), "no such user"),
            "550 5.1.1 no such user\r\n",
        ),
        (
            "RFC 2034 §3 every line",
            Reply::new(250, Some((2, 0, 0)), "a").with_line("b"),
            "250-2.0.0 a\r\n250 2.0.0 b\r\n",
        ),
        (
            "RFC 5321 §4.2 multi-line",
            Reply::new(214, None, "x").with_line("y"),
            "214-x\r\n214 y\r\n",
        ),
        (
            "RFC 5321 §4.2 no injection",
            Reply::new(250, None, "a\r\n250 b"),
            "250 a  250 b\r\n",
        ),
    ];
    for (section, r, want) in rows {
        assert_eq!(String::from_utf8(r.to_bytes()).unwrap(), want, "{section}");
        let (_, back) = Reply::parse(want.as_bytes()).unwrap().unwrap();
        assert_eq!(back, r, "{section} round trip");
    }
}
