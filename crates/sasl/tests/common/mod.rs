//! A server driver shared by the integration tests: feeds wire lines, answers
//! decisions from a fixed directory, records the challenges it sent.

#![allow(dead_code, unreachable_pub)]

use yubin_sasl::{
    Authenticated, Failure, Mechanism, ScramCredentials, Secret, ServerEvent, ServerExchange,
    ServerParams, base64, framing,
};

/// RFC 2195 §2's challenge, used as the CRAM-MD5 nonce.
pub const CRAM_CHALLENGE: &str = "<1896.697170952@postoffice.reston.mci.net>";
/// RFC 7677 §3's server nonce part.
pub const SCRAM_SERVER_NONCE: &str = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
/// RFC 7677 §3's client nonce.
pub const SCRAM_CLIENT_NONCE: &str = "rOprNGfwEbeRWgbNEkqO";
/// RFC 7677 §3's salt.
pub const SCRAM_SALT_B64: &str = "W22ZaJ0SNY7soEsUEjb6gQ==";
/// RFC 7628 §4.1's token.
pub const TOKEN: &str = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

/// RFC 7677 §3's stored credentials for "user" / "pencil".
pub fn rfc7677_credentials() -> ScramCredentials {
    let salt = base64::decode(SCRAM_SALT_B64.as_bytes()).unwrap();
    ScramCredentials::derive(&Secret::new("pencil"), &salt, 4096).unwrap()
}

/// The password of a user in the test directory.
pub fn password_of(user: &str) -> Option<&'static str> {
    match user {
        "tim" | "Kurt" => Some(if user == "tim" {
            "tanstaaftanstaaf"
        } else {
            "xipj3plmq"
        }),
        "user" => Some("pencil"),
        _ => None,
    }
}

pub fn params_for(mechanism: Mechanism) -> ServerParams {
    match mechanism {
        Mechanism::CramMd5 => ServerParams::new().with_nonce(CRAM_CHALLENGE),
        Mechanism::ScramSha256 => ServerParams::new().with_nonce(SCRAM_SERVER_NONCE),
        _ => ServerParams::new(),
    }
}

/// Answers a decision event from the directory; returns false if the event
/// is not a decision.
pub fn answer(server: &mut ServerExchange, event: ServerEvent) -> Option<ServerEvent> {
    match event {
        ServerEvent::VerifyPassword {
            authcid, password, ..
        } => {
            if password_of(&authcid) == Some(password.expose()) {
                server.accept().unwrap();
            } else {
                server.reject().unwrap();
            }
            None
        }
        ServerEvent::CramSecretNeeded { username } => {
            let secret = password_of(&username).map(Secret::new);
            server.provide_cram_secret(secret.as_ref()).unwrap();
            None
        }
        ServerEvent::ScramCredentialsNeeded { username, .. } => {
            let credentials = (username == "user").then(rfc7677_credentials);
            server.provide_scram_credentials(credentials).unwrap();
            None
        }
        ServerEvent::VerifyToken { token, .. } => {
            if token.expose() == TOKEN {
                server.accept().unwrap();
            } else {
                server.reject().unwrap();
            }
            None
        }
        other => Some(other),
    }
}

/// What a driven exchange gave.
#[derive(Debug)]
pub struct Run {
    /// The challenges sent, base64 as on the wire.
    pub challenges: Vec<String>,
    /// The outcome, or `None` if the lines ran out first.
    pub outcome: Option<Result<Authenticated, Failure>>,
}

/// Runs `mechanism` with an optional initial response (wire form) and then
/// the client's continuation lines (wire form).
pub fn run(mechanism: Mechanism, initial: Option<&str>, lines: &[&str]) -> Run {
    run_with(
        ServerExchange::new(mechanism, params_for(mechanism)).unwrap(),
        initial,
        lines,
    )
}

pub fn run_with(mut server: ServerExchange, initial: Option<&str>, lines: &[&str]) -> Run {
    if let Some(initial) = initial {
        server.handle_initial_response(initial.as_bytes()).unwrap();
    }
    let mut lines = lines.iter();
    let mut challenges = Vec::new();
    // Bounded: no mechanism has more than a handful of steps.
    for _ in 0..32 {
        let Some(event) = server.poll() else {
            return Run {
                challenges,
                outcome: None,
            };
        };
        match answer(&mut server, event) {
            None => {}
            Some(ServerEvent::Challenge(data)) => {
                let mut text = Vec::new();
                framing::encode_challenge(&data, &mut text);
                challenges.push(String::from_utf8(text).unwrap());
                let Some(line) = lines.next() else {
                    return Run {
                        challenges,
                        outcome: None,
                    };
                };
                server.handle_line(line.as_bytes()).unwrap();
            }
            Some(ServerEvent::Success(ok)) => {
                assert!(server.poll().is_none());
                return Run {
                    challenges,
                    outcome: Some(Ok(ok)),
                };
            }
            Some(ServerEvent::Failure(why)) => {
                assert!(server.poll().is_none());
                return Run {
                    challenges,
                    outcome: Some(Err(why)),
                };
            }
            Some(other) => panic!("unexpected event {other:?}"),
        }
    }
    panic!("exchange did not end in 32 steps");
}

pub fn b64(data: &[u8]) -> String {
    base64::encode(data)
}
