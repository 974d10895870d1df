//! Conformance over real mail (`../shared/corpus`, read in place): every
//! message, in LF and in CRLF form, goes through the server machine's RETR
//! and the client machine's unstuffing and comes out as its CRLF form, with
//! the octet count LIST reported.

use std::path::{Path, PathBuf};

use yubin_pop3::client::{self, Client};
use yubin_pop3::server::{self, Event, MaildropEntry, Server};
use yubin_pop3::{Command, Secret, crlf_size};

fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(dir.is_dir(), "the corpus is required at {}", dir.display());
    dir
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

/// LF form: every CRLF and lone CR becomes LF.
fn lf_form(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    let mut i = 0;
    while i < message.len() {
        if message[i] == b'\r' {
            out.push(b'\n');
            if message.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(message[i]);
        }
        i += 1;
    }
    out
}

fn crlf_form(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 16);
    for &b in &lf_form(message) {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// RETR of `message` through both machines: (LIST size, body received).
fn retrieve(message: &[u8]) -> (u64, Vec<u8>) {
    let mut config = server::Config::default();
    config.allow_plaintext_auth = true;
    let mut server = Server::new(config);
    let mut client = Client::new(client::Config::default());
    client.login("u", Secret::from("p")).unwrap();
    client.send(Command::List(Some(1))).unwrap();
    client.send(Command::Retr(1)).unwrap();
    client.send(Command::Quit).unwrap();
    let (mut size, mut body) = (None, Vec::new());
    for _ in 0..100 {
        let mut wire = Vec::new();
        server.poll_transmit(&mut wire);
        for chunk in wire.chunks(1500) {
            client.handle_input(chunk);
        }
        while let Some(event) = client.poll_event() {
            match event {
                client::Event::Listing(listing) => size = Some(listing[0].size),
                client::Event::MessageChunk(bytes) => body.extend_from_slice(&bytes),
                _ => {}
            }
        }
        if client.is_closed() {
            return (size.expect("LIST answered"), body);
        }
        let mut wire = Vec::new();
        client.poll_transmit(&mut wire);
        server.handle_input(&wire);
        while let Some(event) = server.poll_event() {
            match event {
                Event::Login { .. } => server
                    .accept_login(vec![MaildropEntry {
                        uid: "m".into(),
                        size: crlf_size(message),
                    }])
                    .unwrap(),
                Event::Retrieve { .. } => {
                    for chunk in message.chunks(4096) {
                        server.send_message(chunk).unwrap();
                    }
                    server.finish_message().unwrap();
                }
                Event::Update { .. } => server.update_done().unwrap(),
                Event::SizeMismatch { .. } => panic!("size mismatch"),
                _ => {}
            }
        }
    }
    panic!("session did not end");
}

#[test]
fn every_corpus_message_survives_retr_in_lf_and_crlf_form() {
    let mut paths = Vec::new();
    files(&corpus(), &mut paths);
    paths.retain(|p| {
        !p.file_name()
            .is_some_and(|n| n.to_string_lossy().contains("LICENSE") || n == "SOURCE.txt")
    });
    assert!(paths.len() > 300, "corpus too small: {}", paths.len());
    for path in &paths {
        let original = std::fs::read(path).unwrap();
        let expected = crlf_form(&original);
        for form in [lf_form(&original), crlf_form(&original)] {
            let (size, body) = retrieve(&form);
            assert_eq!(body, expected, "{}", path.display());
            assert_eq!(size, body.len() as u64, "{}", path.display());
        }
    }
}
