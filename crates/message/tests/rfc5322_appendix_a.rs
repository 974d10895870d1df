//! RFC 5322 Appendix A: the example messages, parsed whole (CRLF form).

use yubin_message::{Address, Group, Mailbox, Message};

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

fn mailbox(name: Option<&str>, address: &str) -> Address {
    Address::Mailbox(Mailbox {
        name: name.map(str::to_owned),
        address: Some(address.to_owned()),
    })
}

/// A.1.1: a message from one person to another with simple addressing.
#[test]
fn a_1_1_simple_addressing() {
    let raw = crlf(
        "From: John Doe <jdoe@machine.example>
To: Mary Smith <mary@example.net>
Subject: Saying Hello
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <1234@local.machine.example>

This is a message just to say hello.
So, \"Hello\".
",
    );
    let m = Message::parse(&raw);
    assert_eq!(
        m.from(),
        [mailbox(Some("John Doe"), "jdoe@machine.example")]
    );
    assert_eq!(m.to(), [mailbox(Some("Mary Smith"), "mary@example.net")]);
    assert_eq!(m.subject().as_deref(), Some("Saying Hello"));
    assert_eq!(m.date().map(|d| d.timestamp()), Some(880_127_706));
    assert_eq!(
        m.message_id().as_deref(),
        Some("1234@local.machine.example")
    );
    assert_eq!(
        m.body_text().as_deref(),
        Some("This is a message just to say hello.\r\nSo, \"Hello\".\r\n")
    );
    assert!(m.root().defects().is_empty());
}

/// A.1.3: group addresses.
#[test]
fn a_1_3_group_addresses() {
    let raw = crlf(
        "From: Pete <pete@silly.example>
To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;
Cc: Undisclosed recipients:;
Date: Thu, 13 Feb 1969 23:32:54 -0330
Message-ID: <testabcd.1234@silly.example>

Testing.
",
    );
    let m = Message::parse(&raw);
    assert_eq!(
        m.to(),
        [Address::Group(Group {
            name: Some("A Group".into()),
            members: vec![
                Mailbox {
                    name: Some("Ed Jones".into()),
                    address: Some("c@a.test".into())
                },
                Mailbox {
                    name: None,
                    address: Some("joe@where.test".into())
                },
                Mailbox {
                    name: Some("John".into()),
                    address: Some("jdoe@one.test".into())
                },
            ],
        })]
    );
    let cc = m.header("Cc").map(|h| h.addresses()).unwrap_or_default();
    assert_eq!(
        cc,
        [Address::Group(Group {
            name: Some("Undisclosed recipients".into()),
            members: vec![]
        })]
    );
    assert_eq!(m.date().map(|d| d.offset_minutes), Some(-210));
}

/// A.2: a reply, with In-Reply-To and References.
#[test]
fn a_2_reply_message() {
    let raw = crlf(
        "From: John Doe <jdoe@machine.example>
To: Mary Smith <mary@example.net>
Subject: Re: Saying Hello
Date: Fri, 21 Nov 1997 11:00:00 -0600
Message-ID: <abcd.1234@local.machine.test>
In-Reply-To: <3456@example.net>
References: <1234@local.machine.example> <3456@example.net>

This is a reply to your reply.
",
    );
    let m = Message::parse(&raw);
    let refs = m
        .header("References")
        .map(|h| h.message_ids())
        .unwrap_or_default();
    assert_eq!(refs, ["1234@local.machine.example", "3456@example.net"]);
    let irt = m
        .header("In-Reply-To")
        .map(|h| h.message_ids())
        .unwrap_or_default();
    assert_eq!(irt, ["3456@example.net"]);
}

/// A.3: resent fields keep their order and are all reachable.
#[test]
fn a_3_resent_fields() {
    let raw = crlf(
        "Resent-From: Mary Smith <mary@example.net>
Resent-To: Jane Brown <j-brown@other.example>
Resent-Date: Mon, 24 Nov 1997 14:22:01 -0800
Resent-Message-ID: <78910@example.net>
From: John Doe <jdoe@machine.example>
To: Mary Smith <mary@example.net>
Subject: Saying Hello
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <1234@local.machine.example>

This is a message just to say hello.
",
    );
    let m = Message::parse(&raw);
    let names: Vec<_> = m.headers().map(|h| h.name()).collect();
    assert_eq!(
        names[..4],
        [
            "Resent-From",
            "Resent-To",
            "Resent-Date",
            "Resent-Message-ID"
        ]
    );
    let resent = m
        .header("resent-date")
        .and_then(|h| h.date())
        .map(|d| d.offset_minutes);
    assert_eq!(resent, Some(-480));
}

/// A.4: trace fields.
#[test]
fn a_4_trace_fields() {
    let raw = crlf(
        "Received: from x.y.test
   by example.net
   via TCP
   with ESMTP
   id ABC12345
   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600
Received: from node.example by x.y.test; 21 Nov 1997 10:01:22 -0600
From: John Doe <jdoe@node.example>
To: Mary Smith <mary@example.net>
Subject: Hello
Date: Fri, 21 Nov 1997 09:55:06 -0600
Message-ID: <1234@local.node.example>

This is a message just to say hello.
",
    );
    let m = Message::parse(&raw);
    let received: Vec<_> = m
        .root()
        .header_all("Received")
        .map(|h| h.received())
        .collect();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].by.as_deref(), Some("example.net"));
    assert_eq!(received[0].for_path.as_deref(), Some("mary@example.net"));
    assert_eq!(received[1].from.as_deref(), Some("node.example"));
    assert_eq!(
        received[1].date.map(|d| (d.hour, d.minute, d.second)),
        Some((10, 1, 22))
    );
}

/// A.5: white space, comments, and other oddities.
#[test]
fn a_5_oddities() {
    let raw = crlf(
        "From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>
To:A Group(Some people)
     :Chris Jones <c@(Chris's host.)public.example>,
         joe@example.org,
  John <jdoe@one.test> (my dear friend); (the end of the group)
Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;
Date: Thu,
      13
        Feb
          1969
      23:32
               -0330 (Newfoundland Time)
Message-ID:              <testabcd.1234@silly.test>

Testing.
",
    );
    let m = Message::parse(&raw);
    assert_eq!(m.from(), [mailbox(Some("Pete"), "pete@silly.test")]);
    let to = m.to();
    let Some(Address::Group(group)) = to.first() else {
        panic!("{to:?}")
    };
    assert_eq!(group.name.as_deref(), Some("A Group (Some people)"));
    let addresses: Vec<_> = group
        .members
        .iter()
        .filter_map(|m| m.address.as_deref())
        .collect();
    assert_eq!(
        addresses,
        ["c@public.example", "joe@example.org", "jdoe@one.test"]
    );
    assert_eq!(
        m.date().map(|d| (d.year, d.month, d.day, d.offset_minutes)),
        Some((1969, 2, 13, -210))
    );
    assert_eq!(m.message_id().as_deref(), Some("testabcd.1234@silly.test"));
}

/// A.6.1-A.6.3: obsolete forms.
#[test]
fn a_6_obsolete_forms() {
    let raw = crlf(
        "From: Joe Q. Public <john.q.public@example.com>
To: Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example
Date: Tue, 1 Jul 2003 10:52:37 +0200
Message-ID: <5678.21-Nov-1997@example.com>
Subject : obsolete white space before the colon

Hi everyone.
",
    );
    let m = Message::parse(&raw);
    assert_eq!(
        m.from(),
        [mailbox(Some("Joe Q. Public"), "john.q.public@example.com")]
    );
    assert_eq!(
        m.to(),
        [
            mailbox(Some("Mary Smith"), "mary@example.net"),
            mailbox(None, "jdoe@test.example")
        ]
    );
    assert_eq!(
        m.subject().as_deref(),
        Some("obsolete white space before the colon")
    );
    let obsolete_date = Message::parse(b"Date: 21 Nov 97 09:55:06 GMT\r\n\r\n");
    assert_eq!(
        obsolete_date.date().map(|d| (d.year, d.offset_minutes)),
        Some((1997, 0))
    );
}

/// RFC 2045 §4 MIME-Version with a comment inside the version.
#[test]
fn mime_version_field() {
    let m = Message::parse(b"MIME-Version: 1.(produced by MetaSend Vx.x)0\r\nContent-Transfer-Encoding: Base64\r\n\r\n");
    assert_eq!(
        m.header("mime-version").and_then(|h| h.mime_version()),
        Some((1, 0))
    );
    assert_eq!(
        m.root().transfer_encoding(),
        yubin_message::TransferEncoding::Base64
    );
}
