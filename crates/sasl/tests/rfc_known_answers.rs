//! Known-answer tables from the RFCs, replayed as wire lines (base64 as sent).

mod common;

use common::*;
use yubin_sasl::{
    ClientExchange, Credentials, Failure, Limits, Mechanism, ServerEvent, ServerExchange,
    ServerParams, framing,
};

fn ok(run: &Run) -> &yubin_sasl::Authenticated {
    match &run.outcome {
        Some(Ok(who)) => who,
        other => panic!("expected success, got {other:?}"),
    }
}

fn failure(run: &Run) -> &Failure {
    match &run.outcome {
        Some(Err(why)) => why,
        other => panic!("expected failure, got {other:?}"),
    }
}

/// RFC 4616 §4 examples, sent as initial responses (RFC 4954 §4).
#[test]
fn rfc4616_section_4_plain_examples() {
    // "\0tim\0tanstaaftanstaaf": no authzid.
    let run = run(Mechanism::Plain, Some("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"), &[]);
    let who = ok(&run);
    assert_eq!(
        (who.authcid.as_str(), who.authzid.as_deref()),
        ("tim", None)
    );
    assert_eq!(who.identity(), "tim");
    assert!(run.challenges.is_empty());

    // "Ursel\0Kurt\0xipj3plmq": Kurt authenticates, acts as Ursel.
    let ir = b64(b"Ursel\0Kurt\0xipj3plmq");
    let run = common::run(Mechanism::Plain, Some(&ir), &[]);
    let who = ok(&run);
    assert_eq!(
        (who.authcid.as_str(), who.authzid.as_deref()),
        ("Kurt", Some("Ursel"))
    );
    assert_eq!(who.identity(), "Ursel");

    // The event carries exactly the three fields.
    let mut server = ServerExchange::new(Mechanism::Plain, ServerParams::new()).unwrap();
    server.handle_response(b"Ursel\0Kurt\0xipj3plmq").unwrap();
    match server.poll() {
        Some(ServerEvent::VerifyPassword {
            authzid,
            authcid,
            password,
        }) => {
            assert_eq!(authzid.as_deref(), Some("Ursel"));
            assert_eq!(authcid, "Kurt");
            assert_eq!(password.expose(), "xipj3plmq");
        }
        other => panic!("{other:?}"),
    }
    assert!(server.poll().is_none(), "waits for the decision");

    // Client side: the same octets.
    let mut client = ClientExchange::new(
        Mechanism::Plain,
        Credentials::new("Kurt", "xipj3plmq").with_authzid("Ursel"),
        None,
    )
    .unwrap();
    assert_eq!(
        client.initial_response().unwrap(),
        b"Ursel\0Kurt\0xipj3plmq"
    );
    assert!(client.initial_response().is_none(), "given once");
}

/// RFC 4954 §4: without an initial response the server sends an empty
/// challenge ("334 ") and the client sends the message on its own line.
#[test]
fn rfc4954_section_4_plain_without_initial_response() {
    let run = run(Mechanism::Plain, None, &["AHRpbQB0YW5zdGFhZnRhbnN0YWFm"]);
    assert_eq!(run.challenges, [""]);
    assert_eq!(ok(&run).authcid, "tim");
}

/// RFC 2195 §2 example: tim / tanstaaftanstaaf.
#[test]
fn rfc2195_section_2_cram_md5_example() {
    let run = run(
        Mechanism::CramMd5,
        None,
        &["dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"],
    );
    assert_eq!(
        run.challenges,
        ["PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"]
    );
    assert_eq!(ok(&run).authcid, "tim");

    let mut client = ClientExchange::new(
        Mechanism::CramMd5,
        Credentials::new("tim", "tanstaaftanstaaf"),
        None,
    )
    .unwrap();
    assert!(
        client.initial_response().is_none(),
        "CRAM-MD5 is server-first"
    );
    let response = client.handle_challenge(CRAM_CHALLENGE.as_bytes()).unwrap();
    assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
    client.finish(None).unwrap();

    // Upper-case hex is accepted too (the digest is a number).
    let upper = b64(b"tim B913A602C7EDA7A495B4E6E7334D3890");
    assert_eq!(
        ok(&common::run(Mechanism::CramMd5, None, &[&upper])).authcid,
        "tim"
    );
}

/// RFC 7677 §3: the SCRAM-SHA-256 exchange, byte for byte.
#[test]
fn rfc7677_section_3_scram_sha_256_exchange() {
    let c1 = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    let s1 =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    let c2 = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    let s2 = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    // Server side.
    let run = run(
        Mechanism::ScramSha256,
        Some(&b64(c1.as_bytes())),
        &[&b64(c2.as_bytes()), ""],
    );
    assert_eq!(run.challenges, [b64(s1.as_bytes()), b64(s2.as_bytes())]);
    let who = ok(&run);
    assert_eq!(
        (who.authcid.as_str(), who.authzid.as_deref()),
        ("user", None)
    );

    // Client side.
    let mut client = ClientExchange::new(
        Mechanism::ScramSha256,
        Credentials::new("user", "pencil"),
        Some(SCRAM_CLIENT_NONCE),
    )
    .unwrap();
    assert_eq!(client.initial_response().unwrap(), c1.as_bytes());
    assert_eq!(
        client.handle_challenge(s1.as_bytes()).unwrap(),
        c2.as_bytes()
    );
    assert_eq!(client.handle_challenge(s2.as_bytes()).unwrap(), b"");
    client.finish(None).unwrap();

    // With "additional data with success" (RFC 4422 §5) the server-final
    // message rides on the success and the client checks it there.
    let params = params_for(Mechanism::ScramSha256).with_success_data(true);
    let server = ServerExchange::new(Mechanism::ScramSha256, params).unwrap();
    let run = run_with(server, Some(&b64(c1.as_bytes())), &[&b64(c2.as_bytes())]);
    assert_eq!(run.challenges, [b64(s1.as_bytes())]);
    let who = ok(&run);
    assert_eq!(who.additional_data.as_deref(), Some(s2.as_bytes()));
    let mut client = ClientExchange::new(
        Mechanism::ScramSha256,
        Credentials::new("user", "pencil"),
        Some(SCRAM_CLIENT_NONCE),
    )
    .unwrap();
    client.initial_response();
    client.handle_challenge(s1.as_bytes()).unwrap();
    client.finish(Some(s2.as_bytes())).unwrap();
}

/// RFC 7628 §4.1 (success) and §4.3 (failure) OAUTHBEARER examples.
#[test]
fn rfc7628_section_4_oauthbearer_examples() {
    let ir = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
    let mut server = ServerExchange::new(Mechanism::OAuthBearer, ServerParams::new()).unwrap();
    server.handle_initial_response(ir.as_bytes()).unwrap();
    match server.poll() {
        Some(ServerEvent::VerifyToken {
            mechanism,
            user,
            token,
            host,
            port,
        }) => {
            assert_eq!(mechanism, Mechanism::OAuthBearer);
            assert_eq!(user.as_deref(), Some("user@example.com"));
            assert_eq!(token.expose(), TOKEN);
            assert_eq!(host.as_deref(), Some("server.example.com"));
            assert_eq!(port, Some(143));
        }
        other => panic!("{other:?}"),
    }
    server.accept().unwrap();
    match server.poll() {
        Some(ServerEvent::Success(who)) => assert_eq!(who.identity(), "user@example.com"),
        other => panic!("{other:?}"),
    }

    let mut client = ClientExchange::new(
        Mechanism::OAuthBearer,
        Credentials::new("user@example.com", TOKEN).with_host_port("server.example.com", 143),
        None,
    )
    .unwrap();
    let mut line = Vec::new();
    framing::encode_initial_response(&client.initial_response().unwrap(), &mut line);
    assert_eq!(line, ir.as_bytes());

    // §4.3: the server answers a bad token with a JSON error challenge, the
    // client replies %x01, and the exchange fails.
    let error = br#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#;
    let mut server = ServerExchange::new(Mechanism::OAuthBearer, ServerParams::new()).unwrap();
    server.handle_initial_response(ir.as_bytes()).unwrap();
    assert!(matches!(
        server.poll(),
        Some(ServerEvent::VerifyToken { .. })
    ));
    server.reject_token_with(&error[..]).unwrap();
    let Some(ServerEvent::Challenge(challenge)) = server.poll() else {
        panic!("expected the error challenge");
    };
    assert_eq!(challenge, error);
    let reply = client.handle_challenge(&challenge).unwrap();
    assert_eq!(reply, b"\x01");
    assert_eq!(client.server_error(), Some(&error[..]));
    server.handle_line(b"AQ==").unwrap();
    assert!(matches!(
        server.poll(),
        Some(ServerEvent::Failure(Failure::InvalidCredentials))
    ));
}

/// XOAUTH2 as Google documents it: `user=...^Aauth=Bearer ...^A^A`.
#[test]
fn xoauth2_documented_example() {
    let ir = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";
    let mut server = ServerExchange::new(Mechanism::XOAuth2, ServerParams::new()).unwrap();
    server.handle_initial_response(ir.as_bytes()).unwrap();
    match server.poll() {
        Some(ServerEvent::VerifyToken { user, token, .. }) => {
            assert_eq!(user.as_deref(), Some("someuser@example.com"));
            assert_eq!(
                token.expose(),
                "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
            );
        }
        other => panic!("{other:?}"),
    }
    let mut client = ClientExchange::new(
        Mechanism::XOAuth2,
        Credentials::new(
            "someuser@example.com",
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
        ),
        None,
    )
    .unwrap();
    let mut line = Vec::new();
    framing::encode_initial_response(&client.initial_response().unwrap(), &mut line);
    assert_eq!(line, ir.as_bytes());
}

/// draft-murchison-sasl-login §2: "Username:" and "Password:" challenges.
#[test]
fn login_draft_example() {
    let run = run(
        Mechanism::Login,
        None,
        &["dGlt", "dGFuc3RhYWZ0YW5zdGFhZg=="],
    );
    assert_eq!(run.challenges, ["VXNlcm5hbWU6", "UGFzc3dvcmQ6"]);
    assert_eq!(ok(&run).authcid, "tim");
    // Clients that send the user name as an initial response skip the first challenge.
    let run = common::run(
        Mechanism::Login,
        Some("dGlt"),
        &["dGFuc3RhYWZ0YW5zdGFhZg=="],
    );
    assert_eq!(run.challenges, ["UGFzc3dvcmQ6"]);
    assert_eq!(ok(&run).authcid, "tim");
}

/// Cancel rows: RFC 4422 §3.5, RFC 4954 §4 ("*" gets 501), RFC 5034 §4.
#[test]
fn cancel_rows() {
    let rows: &[(Mechanism, Option<&str>, &[&str])] = &[
        (Mechanism::Plain, None, &["*"]),
        (Mechanism::Login, None, &["*"]),
        (Mechanism::Login, None, &["dGlt", "*"]),
        (Mechanism::CramMd5, None, &["*\r\n"]),
        (Mechanism::ScramSha256, None, &["*"]),
        (
            Mechanism::ScramSha256,
            Some("biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8="),
            &["*"],
        ),
        (Mechanism::OAuthBearer, None, &["*"]),
        (Mechanism::XOAuth2, None, &["*"]),
    ];
    for (mechanism, initial, lines) in rows {
        let run = run(*mechanism, *initial, lines);
        assert_eq!(failure(&run), &Failure::Cancelled, "{mechanism} {lines:?}");
    }
}

fn malformed(failure: &Failure) -> bool {
    matches!(failure, Failure::Malformed { .. })
}

/// Malformed rows, each with the rule it breaks.
#[test]
fn malformed_rows() {
    type Check = fn(&Failure) -> bool;
    let invalid: Check = |f| *f == Failure::InvalidCredentials;
    let cb: Check = |f| *f == Failure::ChannelBindingNotSupported;
    let ext: Check = |f| *f == Failure::UnsupportedExtension;
    let scram_c1 = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    let nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    let proof = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    type Row<'a> = (&'a str, Mechanism, Option<String>, Vec<String>, Check);
    let rows: Vec<Row<'_>> = vec![
        (
            "RFC 4648 §3.3: bad base64",
            Mechanism::Plain,
            Some("AHRpbQB0YW5zdGFhZnRhbnN0YWFm=".into()),
            vec![],
            malformed,
        ),
        (
            "RFC 4648 §3.5: non-canonical base64",
            Mechanism::Plain,
            Some("AGJ=".into()),
            vec![],
            malformed,
        ),
        (
            "RFC 4954 §4: '=' is the empty response, PLAIN needs NULs",
            Mechanism::Plain,
            Some("=".into()),
            vec![],
            malformed,
        ),
        (
            "RFC 4616 §2: missing NULs",
            Mechanism::Plain,
            Some(b64(b"tim tanstaaf")),
            vec![],
            malformed,
        ),
        (
            "RFC 4616 §2: one NUL",
            Mechanism::Plain,
            Some(b64(b"tim\0tanstaaf")),
            vec![],
            malformed,
        ),
        (
            "RFC 4616 §2: three NULs",
            Mechanism::Plain,
            Some(b64(b"\0tim\0tans\0taaf")),
            vec![],
            malformed,
        ),
        (
            "RFC 4616 §2: empty authcid",
            Mechanism::Plain,
            Some(b64(b"\0\0tanstaaf")),
            vec![],
            malformed,
        ),
        (
            "RFC 4616 §2: empty passwd",
            Mechanism::Plain,
            Some(b64(b"\0tim\0")),
            vec![],
            malformed,
        ),
        (
            "RFC 4616 §2: not UTF-8",
            Mechanism::Plain,
            Some(b64(b"\0tim\0\xff\xfe")),
            vec![],
            malformed,
        ),
        (
            "RFC 4616 §2: wrong password",
            Mechanism::Plain,
            Some(b64(b"\0tim\0tanstaaf")),
            vec![],
            invalid,
        ),
        (
            "RFC 4954 §4: bad base64 continuation line",
            Mechanism::Plain,
            None,
            vec!["AHRpbQ B0".into()],
            malformed,
        ),
        (
            "LOGIN: empty user name",
            Mechanism::Login,
            None,
            vec!["".into()],
            malformed,
        ),
        (
            "LOGIN: password not UTF-8",
            Mechanism::Login,
            None,
            vec!["dGlt".into(), b64(b"\xc3\x28")],
            malformed,
        ),
        (
            "LOGIN: unknown user",
            Mechanism::Login,
            None,
            vec!["bm9ib2R5".into(), "eA==".into()],
            invalid,
        ),
        (
            "RFC 2195 §2: no space",
            Mechanism::CramMd5,
            None,
            vec![b64(b"timb913a602c7eda7a495b4e6e7334d3890")],
            malformed,
        ),
        (
            "RFC 2195 §2: short digest",
            Mechanism::CramMd5,
            None,
            vec![b64(b"tim b913a602c7eda7a495b4e6e7334d389")],
            malformed,
        ),
        (
            "RFC 2195 §2: non-hex digest",
            Mechanism::CramMd5,
            None,
            vec![b64(b"tim g913a602c7eda7a495b4e6e7334d3890")],
            malformed,
        ),
        (
            "RFC 2195 §2: empty user",
            Mechanism::CramMd5,
            None,
            vec![b64(b" b913a602c7eda7a495b4e6e7334d3890")],
            malformed,
        ),
        (
            "RFC 2195 §2: wrong digest",
            Mechanism::CramMd5,
            None,
            vec![b64(b"tim b913a602c7eda7a495b4e6e7334d3891")],
            invalid,
        ),
        (
            "RFC 2195 §2: unknown user",
            Mechanism::CramMd5,
            None,
            vec![b64(b"bob b913a602c7eda7a495b4e6e7334d3890")],
            invalid,
        ),
        (
            "RFC 4422 §3.3: CRAM-MD5 is server-first",
            Mechanism::CramMd5,
            Some(b64(b"tim b913a602c7eda7a495b4e6e7334d3890")),
            vec![],
            malformed,
        ),
        (
            "RFC 5802 §7: no gs2 header",
            Mechanism::ScramSha256,
            Some(b64(b"n=user,r=abc")),
            vec![],
            malformed,
        ),
        (
            "RFC 5802 §7: bad gs2 flag",
            Mechanism::ScramSha256,
            Some(b64(b"x,,n=user,r=abc")),
            vec![],
            malformed,
        ),
        (
            "RFC 5802 §6: channel binding 'p' refused",
            Mechanism::ScramSha256,
            Some(b64(b"p=tls-unique,,n=user,r=abc")),
            vec![],
            cb,
        ),
        (
            "RFC 5802 §5.1: mandatory extension m=",
            Mechanism::ScramSha256,
            Some(b64(b"n,,m=ext,n=user,r=abc")),
            vec![],
            ext,
        ),
        (
            "RFC 5802 §7: authzid not a=",
            Mechanism::ScramSha256,
            Some(b64(b"n,b=x,n=user,r=abc")),
            vec![],
            malformed,
        ),
        (
            "RFC 5802 §5.1: bad saslname escape",
            Mechanism::ScramSha256,
            Some(b64(b"n,,n=us=er,r=abc")),
            vec![],
            malformed,
        ),
        (
            "RFC 5802 §7: missing r=",
            Mechanism::ScramSha256,
            Some(b64(b"n,,n=user")),
            vec![],
            malformed,
        ),
        (
            "RFC 5802 §7: nonce with a space",
            Mechanism::ScramSha256,
            Some(b64(b"n,,n=user,r=a b")),
            vec![],
            malformed,
        ),
        (
            "RFC 5802 §7: empty nonce",
            Mechanism::ScramSha256,
            Some(b64(b"n,,n=user,r=")),
            vec![],
            malformed,
        ),
        (
            "RFC 5802 §5.1: unknown user",
            Mechanism::ScramSha256,
            Some(b64(b"n,,n=nobody,r=abc")),
            vec![],
            invalid,
        ),
        (
            "RFC 5802 §5.1: wrong nonce in client-final",
            Mechanism::ScramSha256,
            Some(b64(scram_c1.as_bytes())),
            vec![b64(format!("c=biws,r={nonce}X,{proof}").as_bytes())],
            malformed,
        ),
        (
            "RFC 5802 §7: c= does not match gs2 header",
            Mechanism::ScramSha256,
            Some(b64(scram_c1.as_bytes())),
            vec![b64(format!("c=eSws,r={nonce},{proof}").as_bytes())],
            malformed,
        ),
        (
            "RFC 5802 §7: missing proof",
            Mechanism::ScramSha256,
            Some(b64(scram_c1.as_bytes())),
            vec![b64(format!("c=biws,r={nonce}").as_bytes())],
            malformed,
        ),
        (
            "RFC 5802 §7: proof not base64",
            Mechanism::ScramSha256,
            Some(b64(scram_c1.as_bytes())),
            vec![b64(format!("c=biws,r={nonce},p=***").as_bytes())],
            malformed,
        ),
        (
            "RFC 7677 §3: proof of the wrong length",
            Mechanism::ScramSha256,
            Some(b64(scram_c1.as_bytes())),
            vec![b64(format!("c=biws,r={nonce},p=AAAA").as_bytes())],
            malformed,
        ),
        (
            "RFC 5802 §5.1: bad proof",
            Mechanism::ScramSha256,
            Some(b64(scram_c1.as_bytes())),
            vec![b64(format!(
                "c=biws,r={nonce},p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
            )
            .as_bytes())],
            invalid,
        ),
        (
            "RFC 5802 §5: reply to server-final must be empty",
            Mechanism::ScramSha256,
            Some(b64(scram_c1.as_bytes())),
            vec![
                b64(format!("c=biws,r={nonce},{proof}").as_bytes()),
                "eA==".into(),
            ],
            malformed,
        ),
        (
            "RFC 7628 §3.1: no auth key",
            Mechanism::OAuthBearer,
            Some(b64(b"n,,\x01host=a\x01\x01")),
            vec![],
            malformed,
        ),
        (
            "RFC 7628 §3.1: missing final kvsep",
            Mechanism::OAuthBearer,
            Some(b64(b"n,,\x01auth=Bearer abc\x01")),
            vec![],
            malformed,
        ),
        (
            "RFC 6750 §2.1: auth not Bearer",
            Mechanism::OAuthBearer,
            Some(b64(b"n,,\x01auth=Basic abc\x01\x01")),
            vec![],
            malformed,
        ),
        (
            "RFC 5801 §4: channel binding 'p' refused",
            Mechanism::OAuthBearer,
            Some(b64(b"p=tls-unique,,\x01auth=Bearer abc\x01\x01")),
            vec![],
            cb,
        ),
        (
            "RFC 7628 §3.1: data after the end",
            Mechanism::OAuthBearer,
            Some(b64(b"n,,\x01auth=Bearer abc\x01\x01x")),
            vec![],
            malformed,
        ),
        (
            "XOAUTH2: missing user=",
            Mechanism::XOAuth2,
            Some(b64(b"auth=Bearer abc\x01\x01")),
            vec![],
            malformed,
        ),
        (
            "XOAUTH2: rejected token then empty reply",
            Mechanism::XOAuth2,
            Some(b64(b"user=a\x01auth=Bearer abc\x01\x01")),
            vec!["".into()],
            invalid,
        ),
    ];
    for (rule, mechanism, initial, lines, check) in rows {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let run = run(mechanism, initial.as_deref(), &lines);
        let why = failure(&run);
        assert!(check(why), "{rule}: got {why:?}");
    }
}

/// Oversized input (Limits): a message over `max_response_len` or a line
/// over `max_line_len` fails with TooLong (SMTP 500 5.5.6).
#[test]
fn oversized_rows() {
    let mut limits = Limits::default();
    assert_eq!(
        (limits.max_response_len, limits.max_line_len),
        (12288, 12288)
    );
    limits.max_response_len = 16;
    limits.max_line_len = 32;
    let params = ServerParams::new().with_limits(limits);
    let server = ServerExchange::new(Mechanism::Plain, params.clone()).unwrap();
    let run = run_with(server, Some(&b64(b"\0tim\0tanstaaftanstaaf")), &[]);
    assert_eq!(failure(&run), &Failure::TooLong { len: 21, limit: 16 });
    let server = ServerExchange::new(Mechanism::Plain, params).unwrap();
    let line = "A".repeat(36);
    let run = run_with(server, None, &[&line]);
    assert_eq!(failure(&run), &Failure::TooLong { len: 36, limit: 32 });
    // The default accepts an AUTH line of 12288 octets and refuses one more.
    let long = "A".repeat(12288);
    let longer = "A".repeat(12292);
    let run = common::run(Mechanism::Plain, None, &[&longer]);
    assert!(matches!(failure(&run), Failure::TooLong { .. }));
    let run = common::run(Mechanism::Plain, None, &[&long]);
    assert!(malformed(failure(&run)), "decodes, then fails as PLAIN");
}
