//! Pair tests: a client and a server exchange connected in memory through
//! the wire framing, for every mechanism, success and failure.

mod common;

use common::*;
use yubin_sasl::{
    Authenticated, ClientError, ClientExchange, Credentials, Failure, Mechanism, ScramCredentials,
    Secret, ServerEvent, ServerExchange, ServerParams, framing,
};

struct Outcome {
    server: Result<Authenticated, Failure>,
    /// `finish` of the client, called on server success.
    client: Option<Result<(), ClientError>>,
    round_trips: usize,
}

/// Runs a whole exchange over base64 lines, the server answering from the
/// test directory (or from `scram` when given).
fn pair(
    mechanism: Mechanism,
    credentials: Credentials,
    params: ServerParams,
    send_initial: bool,
    scram: Option<&ScramCredentials>,
) -> Outcome {
    let nonce = "fyko+d2lbbFgONRv9qkxdawL";
    let mut client = ClientExchange::new(mechanism, credentials, Some(nonce)).unwrap();
    let mut server = ServerExchange::new(mechanism, params).unwrap();
    let initial = client.initial_response();
    if send_initial && let Some(initial) = initial.clone() {
        let mut line = Vec::new();
        framing::encode_initial_response(&initial, &mut line);
        server.handle_initial_response(&line).unwrap();
    }
    let mut initial_pending = if send_initial { None } else { initial };
    let mut round_trips = 0;
    for _ in 0..16 {
        let event = server
            .poll()
            .expect("the server always has a next step here");
        let event = match (event, scram) {
            (ServerEvent::ScramCredentialsNeeded { .. }, Some(creds)) => {
                server
                    .provide_scram_credentials(Some(creds.clone()))
                    .unwrap();
                continue;
            }
            (event, _) => answer(&mut server, event),
        };
        match event {
            None => {}
            Some(ServerEvent::Challenge(data)) => {
                round_trips += 1;
                let mut text = Vec::new();
                framing::encode_challenge(&data, &mut text);
                let challenge = framing::decode_challenge(&text).unwrap();
                let response = match initial_pending.take() {
                    // The initial response was held back: the empty
                    // challenge asks for it (RFC 4422 §3.3).
                    Some(initial) if challenge.is_empty() => {
                        assert_eq!(client.handle_challenge(&challenge).unwrap(), initial);
                        initial
                    }
                    _ => client.handle_challenge(&challenge).unwrap(),
                };
                let mut line = Vec::new();
                framing::encode_response(&response, &mut line);
                line.extend_from_slice(b"\r\n");
                server.handle_line(&line).unwrap();
            }
            Some(ServerEvent::Success(who)) => {
                let finish = client.finish(who.additional_data.as_deref());
                return Outcome {
                    server: Ok(who),
                    client: Some(finish),
                    round_trips,
                };
            }
            Some(ServerEvent::Failure(why)) => {
                return Outcome {
                    server: Err(why),
                    client: None,
                    round_trips,
                };
            }
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    panic!("no outcome in 16 steps");
}

fn params(mechanism: Mechanism) -> ServerParams {
    params_for(mechanism)
}

#[test]
fn every_mechanism_succeeds_with_good_credentials() {
    let rows: &[(Mechanism, &str, &str, usize)] = &[
        (Mechanism::Plain, "tim", "tanstaaftanstaaf", 0),
        (Mechanism::Login, "tim", "tanstaaftanstaaf", 2),
        (Mechanism::CramMd5, "tim", "tanstaaftanstaaf", 1),
        (Mechanism::ScramSha256, "user", "pencil", 2),
        (Mechanism::OAuthBearer, "user@example.com", TOKEN, 0),
        (Mechanism::XOAuth2, "user@example.com", TOKEN, 0),
    ];
    for &(mechanism, user, secret, trips) in rows {
        for send_initial in [true, false] {
            let out = pair(
                mechanism,
                Credentials::new(user, secret),
                params(mechanism),
                send_initial,
                None,
            );
            let who = out.server.unwrap_or_else(|e| panic!("{mechanism}: {e}"));
            assert_eq!(who.identity(), user, "{mechanism}");
            assert_eq!(out.client, Some(Ok(())), "{mechanism}");
            // Without the initial response, client-first mechanisms take one
            // more round trip (the empty challenge).
            let extra = usize::from(!send_initial && mechanism.client_first());
            assert_eq!(
                out.round_trips,
                trips + extra,
                "{mechanism} initial={send_initial}"
            );
        }
    }
}

#[test]
fn every_mechanism_fails_with_bad_credentials() {
    let rows: &[(Mechanism, &str, &str)] = &[
        (Mechanism::Plain, "tim", "wrong"),
        (Mechanism::Plain, "nobody", "x"),
        (Mechanism::Login, "tim", "wrong"),
        (Mechanism::CramMd5, "tim", "wrong"),
        (Mechanism::CramMd5, "nobody", "x"),
        (Mechanism::ScramSha256, "user", "pen"),
        (Mechanism::ScramSha256, "nobody", "pencil"),
        (Mechanism::OAuthBearer, "user@example.com", "expired"),
        (Mechanism::XOAuth2, "user@example.com", "expired"),
    ];
    for &(mechanism, user, secret) in rows {
        let out = pair(
            mechanism,
            Credentials::new(user, secret),
            params(mechanism),
            true,
            None,
        );
        assert_eq!(
            out.server.unwrap_err(),
            Failure::InvalidCredentials,
            "{mechanism} {user}"
        );
        assert!(out.client.is_none());
    }
}

#[test]
fn authzid_travels_with_plain_scram_and_oauthbearer() {
    for mechanism in [Mechanism::Plain, Mechanism::ScramSha256] {
        let (user, secret) = if mechanism == Mechanism::Plain {
            ("Kurt", "xipj3plmq")
        } else {
            ("user", "pencil")
        };
        let credentials = Credentials::new(user, secret).with_authzid("Ursel,=admin");
        let who = pair(mechanism, credentials, params(mechanism), true, None)
            .server
            .unwrap();
        assert_eq!(who.authcid, user);
        assert_eq!(who.authzid.as_deref(), Some("Ursel,=admin"), "{mechanism}");
    }
    let credentials = Credentials::new("someone", TOKEN).with_authzid("Ursel");
    let who = pair(
        Mechanism::OAuthBearer,
        credentials,
        ServerParams::new(),
        true,
        None,
    )
    .server
    .unwrap();
    assert_eq!(who.identity(), "Ursel");
    for mechanism in [Mechanism::Login, Mechanism::CramMd5, Mechanism::XOAuth2] {
        let credentials = Credentials::new("tim", "x").with_authzid("Ursel");
        assert!(matches!(
            ClientExchange::new(mechanism, credentials, None),
            Err(ClientError::UnusableCredentials { .. })
        ));
    }
}

#[test]
fn scram_non_ascii_password_and_names_go_through_saslprep() {
    // U+00A0 maps to a space on both sides (RFC 4013 §2.1).
    let stored =
        ScramCredentials::derive(&Secret::new("p\u{a0}ss wörd"), b"salt-salt-salt", 4096).unwrap();
    let out = pair(
        Mechanism::ScramSha256,
        Credentials::new("user", "p ss\u{a0}wörd"),
        params(Mechanism::ScramSha256),
        true,
        Some(&stored),
    );
    assert_eq!(out.server.unwrap().authcid, "user");
    assert_eq!(out.client, Some(Ok(())));
    // Prohibited characters are refused before anything is sent.
    assert!(matches!(
        ClientExchange::new(
            Mechanism::ScramSha256,
            Credentials::new("user", "a\u{7}"),
            Some("abc")
        ),
        Err(ClientError::SaslPrep(_))
    ));
    // A name with ',' and '=' is escaped (RFC 5802 §5.1) and decoded.
    let out = pair(
        Mechanism::ScramSha256,
        Credentials::new("a,b=c", "p ss wörd"),
        params(Mechanism::ScramSha256),
        true,
        Some(&stored),
    );
    assert_eq!(out.server.unwrap().authcid, "a,b=c");
}

#[test]
fn scram_with_success_data() {
    let params = params(Mechanism::ScramSha256).with_success_data(true);
    let out = pair(
        Mechanism::ScramSha256,
        Credentials::new("user", "pencil"),
        params,
        true,
        None,
    );
    let who = out.server.unwrap();
    assert!(who.additional_data.as_deref().unwrap().starts_with(b"v="));
    assert_eq!(out.client, Some(Ok(())));
    assert_eq!(out.round_trips, 1);
}

/// The SCRAM client refuses a server that cannot prove it knows the password.
#[test]
fn scram_client_verifies_the_server() {
    let s1 =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    let start = || {
        let mut client = ClientExchange::new(
            Mechanism::ScramSha256,
            Credentials::new("user", "pencil"),
            Some(SCRAM_CLIENT_NONCE),
        )
        .unwrap();
        client.initial_response().unwrap();
        client
    };
    let mut client = start();
    client.handle_challenge(s1.as_bytes()).unwrap();
    assert_eq!(
        client.handle_challenge(b"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
        Err(ClientError::ServerSignatureMismatch)
    );
    let mut client = start();
    client.handle_challenge(s1.as_bytes()).unwrap();
    assert_eq!(client.finish(None), Err(ClientError::ServerNotVerified));
    let mut client = start();
    client.handle_challenge(s1.as_bytes()).unwrap();
    assert_eq!(
        client.handle_challenge(b"e=invalid-proof"),
        Err(ClientError::ServerError("invalid-proof".into()))
    );
    let mut client = start();
    assert_eq!(client.finish(None), Err(ClientError::ServerNotVerified));

    // Malformed server-first messages (RFC 5802 §5.1, §7).
    let rows: &[&str] = &[
        "r=other%hvYDpWUa2RaTCAfuxFIlj,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=rOprNGfwEbeRWgbNEkqOx,s=***,i=4096",
        "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1",
        "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==",
        "m=x,r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x",
    ];
    for row in rows {
        assert!(
            matches!(
                start().handle_challenge(row.as_bytes()),
                Err(ClientError::MalformedChallenge(_))
            ),
            "{row}"
        );
    }
    for count in ["0", "4294967295"] {
        let row = format!("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i={count}");
        assert!(matches!(
            start().handle_challenge(row.as_bytes()),
            Err(ClientError::IterationCount(_))
        ));
    }
}

#[test]
fn usage_errors_are_errors_not_panics() {
    use yubin_sasl::UsageError;
    assert_eq!(
        ServerExchange::new(Mechanism::ScramSha256, ServerParams::new()).unwrap_err(),
        UsageError::MissingNonce(Mechanism::ScramSha256)
    );
    assert_eq!(
        ServerExchange::new(
            Mechanism::ScramSha256,
            ServerParams::new().with_nonce("a,b")
        )
        .unwrap_err(),
        UsageError::InvalidNonce(Mechanism::ScramSha256)
    );
    assert_eq!(
        ServerExchange::new(Mechanism::CramMd5, ServerParams::new().with_nonce("")).unwrap_err(),
        UsageError::InvalidNonce(Mechanism::CramMd5)
    );
    let mut server = ServerExchange::new(Mechanism::Plain, ServerParams::new()).unwrap();
    assert_eq!(
        server.accept(),
        Err(UsageError::NoSuchDecision("password or token"))
    );
    server.handle_response(b"\0tim\0x").unwrap();
    assert_eq!(
        server.handle_response(b"again"),
        Err(UsageError::EventPending)
    );
    assert!(matches!(
        server.poll(),
        Some(ServerEvent::VerifyPassword { .. })
    ));
    assert_eq!(
        server.handle_response(b"again"),
        Err(UsageError::NotAwaitingResponse)
    );
    assert_eq!(
        server.provide_cram_secret(None),
        Err(UsageError::NoSuchDecision("CRAM-MD5 secret"))
    );
    server.reject().unwrap();
    assert!(server.is_finished());
    assert_eq!(server.accept(), Err(UsageError::EventPending));
    assert!(matches!(
        server.poll(),
        Some(ServerEvent::Failure(Failure::InvalidCredentials))
    ));
    assert_eq!(server.poll().map(|_| ()), None);
    assert_eq!(server.handle_line(b"*"), Err(UsageError::Finished));
    assert_eq!(server.accept(), Err(UsageError::Finished));

    assert_eq!(
        ClientExchange::new(Mechanism::ScramSha256, Credentials::new("u", "p"), None).unwrap_err(),
        ClientError::MissingNonce(Mechanism::ScramSha256)
    );
    assert!(ClientExchange::new(Mechanism::Plain, Credentials::new("", "p"), None).is_err());
    assert!(ClientExchange::new(Mechanism::Plain, Credentials::new("u\0", "p"), None).is_err());
    let mut client =
        ClientExchange::new(Mechanism::Plain, Credentials::new("u", "p"), None).unwrap();
    client.initial_response().unwrap();
    assert_eq!(
        client.handle_challenge(b"surprise"),
        Err(ClientError::UnexpectedChallenge)
    );
}

#[test]
fn debug_output_never_shows_secrets() {
    let mut server = ServerExchange::new(Mechanism::Plain, ServerParams::new()).unwrap();
    server.handle_response(b"\0tim\0tanstaaftanstaaf").unwrap();
    let event = server.poll().unwrap();
    let shown = format!("{event:?} {server:?}");
    assert!(
        shown.contains("tim") && !shown.contains("tanstaaf"),
        "{shown}"
    );
    let credentials = Credentials::new("tim", "tanstaaftanstaaf");
    let client = ClientExchange::new(Mechanism::Plain, credentials.clone(), None).unwrap();
    let shown = format!("{credentials:?} {client:?}");
    assert!(!shown.contains("tanstaaf"), "{shown}");
}

/// RFC 5802 §5.1: an unknown user given decoy credentials fails at the
/// proof, after the same round trip as a known user with a wrong password.
#[test]
fn scram_decoy_hides_unknown_users() {
    let decoy = ScramCredentials::decoy(b"server secret", "nobody", 4096);
    assert_eq!(
        decoy,
        ScramCredentials::decoy(b"server secret", "nobody", 4096),
        "stable salt"
    );
    assert_ne!(
        decoy.salt(),
        ScramCredentials::decoy(b"server secret", "other", 4096).salt()
    );
    let unknown = pair(
        Mechanism::ScramSha256,
        Credentials::new("nobody", "pencil"),
        params(Mechanism::ScramSha256),
        true,
        Some(&decoy),
    );
    let wrong = pair(
        Mechanism::ScramSha256,
        Credentials::new("user", "pen"),
        params(Mechanism::ScramSha256),
        true,
        None,
    );
    assert_eq!(unknown.server.unwrap_err(), Failure::InvalidCredentials);
    assert_eq!(wrong.server.unwrap_err(), Failure::InvalidCredentials);
    assert_eq!((unknown.round_trips, wrong.round_trips), (1, 1));
}

#[test]
fn token_clients_refuse_tokens_that_would_break_the_message() {
    for mechanism in [Mechanism::OAuthBearer, Mechanism::XOAuth2] {
        for (user, token) in [("u", "a\u{1}b"), ("u", "a b"), ("u\u{1}", "abc"), ("u", "")] {
            assert!(
                matches!(
                    ClientExchange::new(mechanism, Credentials::new(user, token), None),
                    Err(ClientError::UnusableCredentials { .. })
                ),
                "{mechanism} {user:?} {token:?}"
            );
        }
    }
}
