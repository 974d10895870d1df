//! Property tests: any bytes into either side give a value or an error,
//! never a panic; the framing round-trips any data.

use proptest::prelude::*;
use yubin_sasl::framing::{self, ClientLine};
use yubin_sasl::{
    ClientExchange, Credentials, Mechanism, ScramCredentials, Secret, ServerEvent, ServerExchange,
    ServerParams,
};

fn mechanism() -> impl Strategy<Value = Mechanism> {
    (0..Mechanism::ALL.len()).prop_map(|i| Mechanism::ALL[i])
}

fn params(mechanism: Mechanism) -> ServerParams {
    match mechanism {
        Mechanism::CramMd5 => ServerParams::new().with_nonce("<1.2@example.net>"),
        _ => ServerParams::new().with_nonce("3rfcNHYJY1ZVvWVs7j"),
    }
}

/// Feeds `messages` to a server that accepts every decision; returns how
/// many messages it took before finishing.
fn drive(mechanism: Mechanism, messages: &[Vec<u8>], as_lines: bool) -> usize {
    let mut server = ServerExchange::new(mechanism, params(mechanism)).unwrap();
    let creds = ScramCredentials::derive(&Secret::new("pencil"), b"salt", 1).unwrap();
    let mut fed = 0;
    let mut messages = messages.iter();
    for _ in 0..64 {
        match server.poll() {
            Some(ServerEvent::VerifyPassword { .. }) | Some(ServerEvent::VerifyToken { .. }) => {
                server.accept().unwrap();
            }
            Some(ServerEvent::CramSecretNeeded { .. }) => {
                server.provide_cram_secret(Some(&Secret::new("x"))).unwrap();
            }
            Some(ServerEvent::ScramCredentialsNeeded { .. }) => {
                server
                    .provide_scram_credentials(Some(creds.clone()))
                    .unwrap();
            }
            Some(ServerEvent::Success(_)) | Some(ServerEvent::Failure(_)) => {
                assert!(server.is_finished());
                assert!(server.poll().is_none());
                assert!(server.handle_response(b"").is_err());
                return fed;
            }
            Some(ServerEvent::Challenge(_)) | None => {
                let Some(message) = messages.next() else {
                    return fed;
                };
                fed += 1;
                if as_lines {
                    server.handle_line(message).unwrap();
                } else {
                    server.handle_response(message).unwrap();
                }
            }
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    panic!("exchange did not settle in 64 steps");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_into_a_server_never_panic(
        mechanism in mechanism(),
        messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..6),
        as_lines in any::<bool>(),
    ) {
        let fed = drive(mechanism, &messages, as_lines);
        prop_assert!(fed <= messages.len());
    }

    #[test]
    fn plausible_messages_into_a_server_never_panic(
        mechanism in mechanism(),
        messages in proptest::collection::vec("[nyp=,a-zA-Z0-9\\x00\\x01 +/]{0,80}", 0..5),
    ) {
        let messages: Vec<Vec<u8>> = messages.into_iter().map(String::into_bytes).collect();
        drive(mechanism, &messages, false);
    }

    #[test]
    fn any_bytes_into_a_client_never_panic(
        mechanism in mechanism(),
        challenges in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..120), 0..5),
        additional in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..60)),
    ) {
        let credentials = Credentials::new("user", "pencil");
        let mut client = ClientExchange::new(mechanism, credentials, Some("abcdef")).unwrap();
        client.initial_response();
        for challenge in &challenges {
            if client.handle_challenge(challenge).is_err() {
                break;
            }
        }
        let _ = client.finish(additional.as_deref());
    }

    #[test]
    fn framing_round_trips_any_response(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut line = Vec::new();
        framing::encode_response(&data, &mut line);
        prop_assert_eq!(framing::decode_client_line(&line, usize::MAX), Ok(ClientLine::Response(data.clone())));
        let mut arg = Vec::new();
        framing::encode_initial_response(&data, &mut arg);
        prop_assert_eq!(framing::decode_initial_response(&arg, usize::MAX), Ok(data.clone()));
        let mut challenge = Vec::new();
        framing::encode_challenge(&data, &mut challenge);
        prop_assert_eq!(framing::decode_challenge(&challenge), Ok(data));
    }

    #[test]
    fn framing_decoders_are_total(line in proptest::collection::vec(any::<u8>(), 0..100)) {
        let _ = framing::decode_client_line(&line, 64);
        let _ = framing::decode_initial_response(&line, 64);
        let _ = framing::decode_challenge(&line);
    }
}
