//! Interop with SASL clients nobody here wrote: Python's smtplib (PLAIN,
//! LOGIN with its user-name initial response, CRAM-MD5) over a minimal SMTP
//! responder, and curl (PLAIN, LOGIN, CRAM-MD5, OAUTHBEARER, XOAUTH2) over a
//! minimal POP3 responder. Both listen on 127.0.0.1 on an ephemeral port;
//! every read has a timeout and every loop a bound.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::{TOKEN, answer, params_for};
use yubin_sasl::{Failure, Mechanism, ServerEvent, ServerExchange, framing};

#[derive(Clone, Copy, PartialEq)]
enum Protocol {
    Smtp,
    Pop3,
}

/// What the responder saw: the identity authenticated, or the failure
/// (`None`: the client hung up in the middle of the exchange).
type Seen = Vec<Result<String, Option<Failure>>>;

fn accept_one(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                return stream;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("no client connected: {e}"),
        }
    }
}

fn read_line(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    match reader.read_until(b'\n', &mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line),
    }
}

/// Runs one AUTH exchange on the connection, as the protocol frames it.
fn authenticate(
    protocol: Protocol,
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
    mechanism: Mechanism,
    initial: Option<&[u8]>,
) -> Result<String, Option<Failure>> {
    let mut server = ServerExchange::new(mechanism, params_for(mechanism)).unwrap();
    if let Some(initial) = initial {
        server.handle_initial_response(initial).unwrap();
    }
    for _ in 0..16 {
        let event = server.poll().expect("an event after every input");
        match answer(&mut server, event) {
            None => {}
            Some(ServerEvent::Challenge(data)) => {
                let mut line = match protocol {
                    Protocol::Smtp => b"334 ".to_vec(),
                    Protocol::Pop3 => b"+ ".to_vec(),
                };
                framing::encode_challenge(&data, &mut line);
                line.extend_from_slice(b"\r\n");
                out.write_all(&line).unwrap();
                let Some(reply) = read_line(reader) else {
                    return Err(None);
                };
                server.handle_line(&reply).unwrap();
            }
            Some(ServerEvent::Success(who)) => {
                let reply: &[u8] = match protocol {
                    Protocol::Smtp => b"235 2.7.0 Authentication successful\r\n",
                    Protocol::Pop3 => b"+OK authenticated\r\n",
                };
                out.write_all(reply).unwrap();
                return Ok(who.identity().to_owned());
            }
            Some(ServerEvent::Failure(why)) => {
                let reply: &[u8] = match (protocol, why.is_credentials_failure()) {
                    (Protocol::Smtp, true) => b"535 5.7.8 Authentication credentials invalid\r\n",
                    (Protocol::Smtp, false) => b"501 5.5.2 Syntax error in AUTH\r\n",
                    (Protocol::Pop3, true) => b"-ERR [AUTH] Authentication failed\r\n",
                    (Protocol::Pop3, false) => b"-ERR Syntax error in AUTH\r\n",
                };
                out.write_all(reply).unwrap();
                return Err(Some(why));
            }
            Some(other) => panic!("unexpected {other:?}"),
        }
    }
    panic!("AUTH did not end");
}

/// A minimal SMTP (or POP3) responder that offers `mechanism` and answers
/// everything else with success.
fn serve(protocol: Protocol, mechanism: Mechanism) -> (u16, thread::JoinHandle<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let stream = accept_one(&listener);
        let mut out = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut seen = Vec::new();
        let greeting: &[u8] = match protocol {
            Protocol::Smtp => b"220 localhost ESMTP sasl interop\r\n",
            Protocol::Pop3 => b"+OK POP3 sasl interop\r\n",
        };
        out.write_all(greeting).unwrap();
        for _ in 0..64 {
            let Some(line) = read_line(&mut reader) else {
                break;
            };
            let text = String::from_utf8_lossy(&line).trim_end().to_owned();
            let mut words = text.split(' ');
            let verb = words.next().unwrap_or_default().to_ascii_uppercase();
            let reply = match (protocol, verb.as_str()) {
                (_, "AUTH") => {
                    let name = words.next().unwrap_or_default();
                    let initial = words.next().map(str::as_bytes);
                    let Some(asked) = Mechanism::from_name(name.as_bytes()) else {
                        out.write_all(b"504 5.5.4 unknown mechanism\r\n").unwrap();
                        continue;
                    };
                    seen.push(authenticate(
                        protocol,
                        &mut reader,
                        &mut out,
                        asked,
                        initial,
                    ));
                    continue;
                }
                (Protocol::Smtp, "EHLO") => format!("250-localhost\r\n250 AUTH {mechanism}\r\n"),
                (Protocol::Smtp, "QUIT") | (Protocol::Pop3, "QUIT") => {
                    let bye = if protocol == Protocol::Smtp {
                        "221 bye\r\n"
                    } else {
                        "+OK bye\r\n"
                    };
                    out.write_all(bye.as_bytes()).unwrap();
                    break;
                }
                (Protocol::Smtp, _) => "250 ok\r\n".to_owned(),
                (Protocol::Pop3, "CAPA") => format!("+OK\r\nSASL {mechanism}\r\n.\r\n"),
                (Protocol::Pop3, "LIST") => "+OK 0 messages\r\n.\r\n".to_owned(),
                (Protocol::Pop3, _) => "+OK\r\n".to_owned(),
            };
            out.write_all(reply.as_bytes()).unwrap();
        }
        seen
    });
    (port, handle)
}

const SMTPLIB: &str = r#"
import smtplib, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
    s.ehlo("client.example")
    try:
        s.login(user, password)
        print("OK")
    except smtplib.SMTPAuthenticationError as e:
        print("FAIL", e.smtp_code)
"#;

fn smtplib(mechanism: Mechanism, user: &str, password: &str) -> (String, Seen) {
    let (port, server) = serve(Protocol::Smtp, mechanism);
    let output = Command::new("python3")
        .args(["-c", SMTPLIB, &port.to_string(), user, password])
        .output()
        .expect("python3 is installed (CI checks it)");
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(
        output.status.success(),
        "smtplib: {stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (stdout, server.join().unwrap())
}

#[test]
fn python_smtplib_authenticates() {
    for mechanism in [Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5] {
        let (said, seen) = smtplib(mechanism, "tim", "tanstaaftanstaaf");
        assert_eq!(said, "OK", "{mechanism}");
        assert_eq!(seen, [Ok("tim".to_owned())], "{mechanism}");

        let (said, seen) = smtplib(mechanism, "tim", "wrong");
        assert_eq!(said, "FAIL 535", "{mechanism}");
        assert_eq!(
            seen,
            [Err(Some(Failure::InvalidCredentials))],
            "{mechanism}"
        );
    }
}

fn curl_pop3(mechanism: Mechanism, user_password: &str, extra: &[&str]) -> (i32, Seen) {
    let (port, server) = serve(Protocol::Pop3, mechanism);
    let output = Command::new("curl")
        .args(["--silent", "--max-time", "10", "--user", user_password])
        .args(["--login-options", &format!("AUTH={mechanism}")])
        .args(extra)
        .arg(format!("pop3://127.0.0.1:{port}/"))
        .output()
        .expect("curl is installed (CI checks it)");
    (output.status.code().unwrap_or(-1), server.join().unwrap())
}

#[test]
fn curl_pop3_authenticates() {
    for mechanism in [Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5] {
        for sasl_ir in [&[][..], &["--sasl-ir"][..]] {
            let (code, seen) = curl_pop3(mechanism, "tim:tanstaaftanstaaf", sasl_ir);
            assert_eq!(
                (code, seen),
                (0, vec![Ok("tim".to_owned())]),
                "{mechanism} {sasl_ir:?}"
            );
        }
        let (code, seen) = curl_pop3(mechanism, "tim:wrong", &[]);
        assert_eq!(code, 67, "curl's 'login denied' for {mechanism}");
        assert_eq!(
            seen,
            [Err(Some(Failure::InvalidCredentials))],
            "{mechanism}"
        );
    }
    for mechanism in [Mechanism::OAuthBearer, Mechanism::XOAuth2] {
        let (code, seen) = curl_pop3(mechanism, "user@example.com:", &["--oauth2-bearer", TOKEN]);
        assert_eq!(
            (code, seen),
            (0, vec![Ok("user@example.com".to_owned())]),
            "{mechanism}"
        );
        // A rejected token: the error challenge goes out; for OAUTHBEARER
        // curl answers it with %x01 (RFC 7628 §3.2.3) and gets the failure,
        // for XOAUTH2 curl 7.88 gives up and hangs up.
        let (code, seen) = curl_pop3(
            mechanism,
            "user@example.com:",
            &["--oauth2-bearer", "expired"],
        );
        assert_eq!(code, 67, "curl's 'login denied' for {mechanism}");
        let expected = match mechanism {
            Mechanism::OAuthBearer => Some(Failure::InvalidCredentials),
            _ => None,
        };
        assert_eq!(seen, [Err(expected)], "{mechanism}");
    }
}
