//! proptest round trips: any value encodes and parses back to itself.

use proptest::prelude::*;
use yubin_smtp::*;

fn domain() -> impl Strategy<Value = Domain<'static>> {
    prop::collection::vec("[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?|例子|ñandú", 1..4)
        .prop_map(|labels| Domain::new(&labels.join(".")).unwrap())
}

fn host() -> impl Strategy<Value = Host<'static>> {
    prop_oneof![
        4 => domain().prop_map(Host::Domain),
        1 => any::<[u8; 4]>().prop_map(|o| Host::Literal(AddressLiteral::Ipv4(o.into()))),
        1 => any::<[u16; 8]>().prop_map(|o| Host::Literal(AddressLiteral::Ipv6(o.into()))),
        1 => ("[a-z][a-z0-9]{0,5}", "[!-Z^-~]{1,10}").prop_map(|(tag, content)|
            Host::Literal(AddressLiteral::General { tag: tag.into(), content: content.into() })),
    ]
}

fn local_part() -> impl Strategy<Value = LocalPart<'static>> {
    prop_oneof![
        prop::collection::vec("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,8}|用户", 1..3)
            .prop_map(|atoms| LocalPart::new(&atoms.join(".")).unwrap()),
        "([ !#-\\[\\]-~]|\\\\[ -~]){0,12}"
            .prop_map(|q| LocalPart::new(&format!("\"{q}\"")).unwrap()),
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    (local_part(), host()).prop_map(|(local_part, host)| Mailbox { local_part, host })
}

fn xtext() -> impl Strategy<Value = XText<'static>> {
    "[ -~]{1,20}".prop_map(|s| XText(s.into()))
}

fn other_params() -> impl Strategy<Value = Vec<Parameter<'static>>> {
    prop::collection::vec(
        ("X-[A-Z0-9]{1,6}", prop::option::of("[!-<>-~]{1,10}")).prop_map(|(keyword, value)| {
            Parameter {
                keyword: keyword.into(),
                value: value.map(Into::into),
            }
        }),
        0..3,
    )
}

fn mail_params() -> impl Strategy<Value = MailParameters<'static>> {
    (
        prop::option::of(any::<u64>()),
        prop::option::of(prop_oneof![
            Just(BodyType::SevenBit),
            Just(BodyType::EightBitMime),
            Just(BodyType::BinaryMime)
        ]),
        any::<bool>(),
        prop::option::of(prop_oneof![Just(Ret::Full), Just(Ret::Headers)]),
        prop::option::of(xtext()),
        prop::option::of(prop_oneof![
            Just(AuthParam::Unknown),
            xtext().prop_map(AuthParam::Mailbox)
        ]),
        any::<bool>(),
        other_params(),
    )
        .prop_map(
            |(size, body, smtputf8, ret, envid, auth, requiretls, other)| MailParameters {
                size,
                body,
                smtputf8,
                ret,
                envid,
                auth,
                requiretls,
                other,
            },
        )
}

fn rcpt_params() -> impl Strategy<Value = RcptParameters<'static>> {
    (
        prop::option::of(
            any::<(bool, bool, bool)>().prop_map(|(success, failure, delay)| Notify {
                success,
                failure,
                delay,
            }),
        ),
        prop::option::of(("rfc822|utf-8", xtext()).prop_map(|(t, address)| Orcpt {
            addr_type: t.into(),
            address,
        })),
        other_params(),
    )
        .prop_map(|(notify, orcpt, other)| RcptParameters {
            notify,
            orcpt,
            other,
        })
}

fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![
        host().prop_map(Command::Ehlo),
        host().prop_map(Command::Helo),
        host().prop_map(Command::Lhlo),
        (prop::option::of(mailbox()), mail_params()).prop_map(|(m, params)| Command::Mail {
            from: m.map_or(ReversePath::Null, ReversePath::Mailbox),
            params
        }),
        (prop::option::of(mailbox()), rcpt_params()).prop_map(|(m, params)| Command::Rcpt {
            to: m.map_or(ForwardPath::Postmaster, ForwardPath::Mailbox),
            params
        }),
        Just(Command::Data),
        (any::<u64>(), any::<bool>()).prop_map(|(size, last)| Command::Bdat { size, last }),
        Just(Command::Rset),
        Just(Command::Quit),
        Just(Command::StartTls),
        prop::option::of("[!-~]([ -~]{0,20}[!-~])?").prop_map(|s| Command::Noop(s.map(Into::into))),
        prop::option::of("[!-~]{1,10}").prop_map(|s| Command::Help(s.map(Into::into))),
        "[!-~]{1,20}".prop_map(|s| Command::Vrfy(s.into())),
        "[!-~]{1,20}".prop_map(|s| Command::Expn(s.into())),
        "[!-~]{1,20}".prop_map(|s| Command::Etrn(s.into())),
        (
            "[A-Z0-9_-]{1,20}",
            prop::option::of("=|[A-Za-z0-9+/]{1,40}={0,2}")
        )
            .prop_map(|(mechanism, r)| Command::Auth {
                mechanism: mechanism.into(),
                initial_response: r.map(|r| AuthData(r.into()))
            }),
    ]
}

fn reply() -> impl Strategy<Value = Reply> {
    (
        (2u16..=5, 0u16..=5, 0u16..=9),
        any::<bool>(),
        (0u16..=999, 0u16..=999),
        prop::collection::vec("([A-Za-z][ -~]{0,30})?", 1..5),
    )
        .prop_map(|((a, b, c), enh, (s, d), lines)| {
            let code = a * 100 + b * 10 + c;
            let enhanced = (enh && a != 3).then_some((a as u8, s, d));
            let mut r = Reply::new(code, enhanced, lines[0].clone());
            for l in &lines[1..] {
                r = r.with_line(l.clone());
            }
            r
        })
}

proptest! {
    #[test]
    fn any_command_round_trips(c in command()) {
        let bytes = c.to_bytes();
        let (n, back) = Command::parse(&bytes).unwrap().unwrap();
        prop_assert_eq!(n, bytes.len());
        prop_assert_eq!(back, c);
    }

    #[test]
    fn any_reply_round_trips(r in reply()) {
        let bytes = r.to_bytes();
        let (n, back) = Reply::parse(&bytes).unwrap().unwrap();
        prop_assert_eq!(n, bytes.len());
        prop_assert_eq!(back, r);
    }

    #[test]
    fn any_bytes_parse_without_panic(b in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Command::parse(&b);
        let _ = Reply::parse(&b);
    }
}
