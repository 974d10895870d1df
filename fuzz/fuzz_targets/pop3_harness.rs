//! What the pop3 fuzz targets run, shared with the stable replay test of
//! `yubin-pop3` (crates/pop3/tests/fuzz_replay.rs includes this file), so a
//! regression replays through exactly the code that found it.
// Each target binary uses one of these functions.
#![allow(dead_code)]

use yubin_pop3::client::{self, Client};
use yubin_pop3::sasl::{Credentials, Mechanism, ScramCredentials};
use yubin_pop3::server::{self, MaildropEntry, SaslRequest, Server};
use yubin_pop3::{
    Capability, Command, Response, ResponseCode, ScanListing, Secret, UniqueIdListing, Unstuffer,
    crlf_size, parse_multiline,
};

/// `pop3_command`: any bytes parse as a command or fail, and a parsed
/// command encodes to a line that parses back to itself.
pub fn command(data: &[u8]) {
    if let Ok(Some((consumed, command))) = Command::parse(data) {
        assert!(consumed <= data.len());
        let mut wire = Vec::new();
        command.encode(&mut wire);
        assert_eq!(Command::parse(&wire), Ok(Some((wire.len(), command))));
    }
}

/// `pop3_response`: every response-side parser on the same bytes; a status
/// without CR in its text round-trips; the unstuffer never reads past the end
/// of a body.
pub fn response(data: &[u8]) {
    if let Ok(Some((consumed, response))) = Response::parse(data) {
        assert!(consumed <= data.len());
        let clean = match &response {
            Response::Status(status) => !status.text.contains('\r'),
            Response::Continuation(challenge) => !challenge.contains(&b'\r'),
            _ => false,
        };
        if clean {
            let mut wire = Vec::new();
            response.encode(&mut wire);
            assert_eq!(Response::parse(&wire), Ok(Some((wire.len(), response))));
        }
    }
    let _ = Capability::parse(data);
    let _ = ScanListing::parse(data);
    let _ = UniqueIdListing::parse(data);
    if let Ok(Some((consumed, _))) = parse_multiline(data) {
        assert!(consumed <= data.len());
    }
    let mut unstuffer = Unstuffer::new();
    let mut out = Vec::new();
    let consumed = unstuffer.push(data, &mut out);
    assert!(consumed <= data.len() && out.len() <= data.len());
    assert!(consumed == data.len() || unstuffer.is_done());
    let size = crlf_size(data);
    assert!(size <= 2 * data.len() as u64 + 2);
}

const MESSAGES: [&[u8]; 3] = [b"A: b\r\n\r\nbody\r\n.\r\n", b"x", b"\n\n.\r..\r"];

/// `pop3_server_session`: the server machine fed the chunks as client
/// input, with an application that answers every decision (the choice drawn
/// from the input). Every line the server sends ends in CRLF.
pub fn server_session<'a>(chunks: impl Iterator<Item = &'a [u8]>) {
    let mut config = server::Config::default();
    config.allow_plaintext_auth = true;
    config.stls = true;
    config.utf8 = true;
    config.sasl_mechanisms = Mechanism::ALL.to_vec();
    let secret = yubin_pop3::sasl::Secret::new("secret");
    let scram = ScramCredentials::derive(&secret, b"salt", 1).unwrap();
    let listing: Vec<MaildropEntry> = MESSAGES
        .iter()
        .enumerate()
        .map(|(i, m)| MaildropEntry {
            uid: format!("m{i}"),
            size: crlf_size(m),
        })
        .collect();
    let mut server = Server::with_apop_timestamp(config, "<1.2@fuzz>").unwrap();
    let mut out = Vec::new();
    let mut previous = b'\n';
    for chunk in chunks {
        server.handle_input(chunk);
        while let Some(event) = server.poll_event() {
            let result = match event {
                server::Event::Login { user, credential } => {
                    let _ = credential.verify(b"secret");
                    if user.len() % 3 == 0 {
                        server.reject_login(ResponseCode::InUse, "locked")
                    } else {
                        let listing = MESSAGES
                            .iter()
                            .enumerate()
                            .map(|(i, m)| MaildropEntry {
                                uid: format!("m{i}"),
                                size: crlf_size(m) + (user.len() % 2) as u64,
                            })
                            .collect();
                        server.accept_login(listing)
                    }
                }
                server::Event::Retrieve { index, number, .. } => {
                    let message = MESSAGES[index];
                    if number % 5 == 4 {
                        server.fail_message(ResponseCode::SysTemp, "cannot")
                    } else {
                        let (a, b) = message.split_at(message.len() / 2);
                        server.send_message(a).unwrap();
                        server.send_message(b).unwrap();
                        server.finish_message()
                    }
                }
                server::Event::Update { deleted } => {
                    if deleted.len() == 2 {
                        server.update_failed()
                    } else {
                        server.update_done()
                    }
                }
                server::Event::StartTls => server.tls_established(),
                server::Event::Sasl(request) => match request {
                    SaslRequest::Nonce { .. } => {
                        server.provide_sasl_nonce("<fyko+d2lbbFgONRv9qkxdawL@x>")
                    }
                    SaslRequest::VerifyPassword { password, .. } => {
                        if password.expose() == b"secret" {
                            server.sasl_accept()
                        } else {
                            server.sasl_reject()
                        }
                    }
                    SaslRequest::CramSecret { .. } => server.provide_cram_secret(Some(&secret)),
                    SaslRequest::ScramCredentials { .. } => {
                        server.provide_scram_credentials(Some(scram.clone()))
                    }
                    _ => server.sasl_reject(),
                },
                server::Event::SaslLogin { .. } => server.accept_login(listing.clone()),
                _ => Ok(()),
            };
            result.unwrap();
        }
        server.poll_transmit(&mut out);
        for &byte in &out {
            assert!(byte != b'\n' || previous == b'\r', "bare LF sent");
            previous = byte;
        }
        out.clear();
    }
}

/// `pop3_client_session`: the client machine with a whole session queued,
/// fed the chunks as server input.
pub fn client_session<'a>(chunks: impl Iterator<Item = &'a [u8]>) {
    let mut client = Client::new(client::Config::default());
    let commands = [
        Command::Capa,
        Command::User("u".into()),
        Command::Pass(Secret::from("p")),
        Command::Stat,
        Command::List(None),
        Command::Uidl(None),
        Command::Retr(1),
        Command::Top {
            message: 1,
            lines: 0,
        },
        Command::List(Some(1)),
        Command::Uidl(Some(1)),
        Command::Stls,
        Command::Dele(1),
        Command::Quit,
    ];
    for command in commands {
        client.send(command).unwrap();
    }
    let mut out = Vec::new();
    for chunk in chunks {
        client.handle_input(chunk);
        let mut in_body = false;
        while let Some(event) = client.poll_event() {
            match event {
                client::Event::MessageStart { .. } => in_body = true,
                client::Event::MessageEnd => in_body = false,
                client::Event::MessageChunk(bytes) => assert!(!bytes.is_empty()),
                client::Event::Greeting { .. } => {
                    let _ = client.apop("u", b"p");
                }
                client::Event::Capabilities(_) => {
                    let credentials = Credentials::new("u", "p");
                    let _ = client.authenticate(
                        credentials,
                        &Mechanism::ALL,
                        Some("fyko+d2lbbFgONRv9qkxdawL"),
                    );
                }
                _ => {}
            }
        }
        let _ = in_body;
        if client.is_awaiting_tls() {
            client.tls_established().unwrap();
        }
        client.poll_transmit(&mut out);
        out.clear();
    }
}
