//! The code the `sasl_server` fuzz target runs, kept in the crate so the
//! stable replay test of `fuzz/regressions/sasl_server/` runs exactly it.
//! Not part of the public API.

use crate::{Mechanism, ScramCredentials, Secret, ServerEvent, ServerExchange, ServerParams};

/// Drives one server exchange with fuzz input and checks its invariants.
///
/// Layout: byte 0 picks the mechanism, byte 1 the application's answers
/// (one bit per decision), byte 2 the input mode; the rest is the client's
/// messages: in line mode split at `\n` and fed as wire lines (the first
/// one as the AUTH initial response when bit 1 of byte 2 is set), in raw
/// mode each message is prefixed by a big-endian `u16` length and fed
/// decoded.
pub fn server_session(data: &[u8]) {
    let [pick, answers, mode, rest @ ..] = data else {
        return;
    };
    let mechanism = Mechanism::ALL[usize::from(*pick) % Mechanism::ALL.len()];
    let params = ServerParams::new()
        .with_nonce(match mechanism {
            Mechanism::CramMd5 => "<1896.697170952@postoffice.reston.mci.net>",
            _ => "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        })
        .with_success_data(mode & 4 != 0);
    let Ok(mut server) = ServerExchange::new(mechanism, params) else {
        panic!("valid parameters must be accepted");
    };
    let messages: Vec<(bool, &[u8])> = if mode & 1 == 0 {
        rest.split(|&b| b == b'\n')
            .map(|line| (true, line))
            .collect()
    } else {
        let mut out = Vec::new();
        let mut tail = rest;
        while let [hi, lo, after @ ..] = tail {
            let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(after.len());
            out.push((false, &after[..len]));
            tail = &after[len..];
        }
        out
    };
    let mut messages = messages.into_iter().take(64);
    let mut bit = 0u32;
    let mut next_answer = || {
        let yes = answers >> (bit % 8) & 1 == 1;
        bit += 1;
        yes
    };
    if mode & 2 != 0
        && mode & 1 == 0
        && let Some((_, initial)) = messages.next()
    {
        assert!(server.handle_initial_response(initial).is_ok());
    }
    let mut finished = false;
    for _ in 0..256 {
        match server.poll() {
            Some(ServerEvent::Challenge(_)) | None => {
                if finished {
                    assert!(server.poll().is_none(), "nothing after the outcome");
                    return;
                }
                let Some((line, message)) = messages.next() else {
                    return;
                };
                let result = if line {
                    server.handle_line(message)
                } else {
                    server.handle_response(message)
                };
                // Feeding a message is refused only while a decision is
                // pending (None above can also mean that).
                if result.is_err() {
                    answer_any(&mut server, next_answer());
                }
            }
            Some(ServerEvent::VerifyPassword { .. }) | Some(ServerEvent::VerifyToken { .. }) => {
                let result = match (next_answer(), next_answer()) {
                    (true, _) => server.accept(),
                    (false, true) => server.reject(),
                    (false, false) => server.reject_token_with(&b"{}"[..]),
                };
                assert!(result.is_ok());
            }
            Some(ServerEvent::CramSecretNeeded { .. }) => {
                let secret = next_answer().then(|| Secret::new("tanstaaftanstaaf"));
                assert!(server.provide_cram_secret(secret.as_ref()).is_ok());
            }
            Some(ServerEvent::ScramCredentialsNeeded { .. }) => {
                let creds = next_answer().then(|| {
                    ScramCredentials::derive(&Secret::new("pencil"), b"salt", 1)
                        .unwrap_or_else(|_| panic!("ASCII passes SASLprep"))
                });
                assert!(server.provide_scram_credentials(creds).is_ok());
            }
            Some(ServerEvent::Success(_)) | Some(ServerEvent::Failure(_)) => {
                assert!(server.is_finished());
                finished = true;
            }
        }
    }
}

fn answer_any(server: &mut ServerExchange, yes: bool) {
    let _ = if yes {
        server.accept()
    } else {
        server.reject()
    };
    let _ = server.provide_cram_secret(None);
    let _ = server.provide_scram_credentials(None);
}
