//! Encoders: each value writes itself in wire form, CRLF included.
//!
//! Text that came from the application (status text, capability parameters)
//! has CR and LF replaced by spaces so it can never end a line early.

use crate::types::{Capability, Command, Expire, Response, ScanListing, Status, UniqueIdListing};

fn push_text(out: &mut Vec<u8>, text: &str) {
    out.extend(
        text.bytes()
            .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
}

impl Command {
    /// Appends the command line, CRLF included.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.kind().keyword().as_bytes());
        match self {
            Self::User(name) => {
                out.push(b' ');
                push_text(out, name);
            }
            Self::Pass(secret) => {
                out.push(b' ');
                out.extend(
                    secret
                        .expose()
                        .iter()
                        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
                );
            }
            Self::Apop { name, digest } => {
                out.push(b' ');
                push_text(out, name);
                out.push(b' ');
                push_text(out, digest);
            }
            Self::Auth {
                mechanism,
                initial_response,
            } => {
                out.push(b' ');
                push_text(out, mechanism);
                if let Some(response) = initial_response {
                    out.push(b' ');
                    out.extend(
                        response
                            .expose()
                            .iter()
                            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
                    );
                }
            }
            Self::List(Some(n)) | Self::Uidl(Some(n)) | Self::Retr(n) | Self::Dele(n) => {
                out.push(b' ');
                out.extend_from_slice(n.to_string().as_bytes());
            }
            Self::Top { message, lines } => {
                out.extend_from_slice(format!(" {message} {lines}").as_bytes());
            }
            Self::Stls
            | Self::Capa
            | Self::Utf8
            | Self::Quit
            | Self::Stat
            | Self::List(None)
            | Self::Noop
            | Self::Rset
            | Self::Uidl(None) => {}
        }
        out.extend_from_slice(b"\r\n");
    }
}

impl Status {
    /// Appends the status line, CRLF included.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if self.ok { b"+OK" } else { b"-ERR" });
        if let Some(code) = &self.code {
            out.extend_from_slice(b" [");
            push_text(out, code.as_str());
            out.push(b']');
        }
        if !self.text.is_empty() {
            out.push(b' ');
            push_text(out, &self.text);
        }
        out.extend_from_slice(b"\r\n");
    }
}

impl Response {
    /// Appends the response line, CRLF included.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Status(status) => status.encode(out),
            Self::Continuation(challenge) => {
                out.extend_from_slice(b"+ ");
                out.extend(
                    challenge
                        .iter()
                        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
                );
                out.extend_from_slice(b"\r\n");
            }
        }
    }
}

impl Capability {
    /// Appends the CAPA line, CRLF included.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let line = match self {
            Self::Top => "TOP".to_owned(),
            Self::User => "USER".to_owned(),
            Self::Uidl => "UIDL".to_owned(),
            Self::Stls => "STLS".to_owned(),
            Self::Pipelining => "PIPELINING".to_owned(),
            Self::RespCodes => "RESP-CODES".to_owned(),
            Self::AuthRespCode => "AUTH-RESP-CODE".to_owned(),
            Self::Sasl(mechs) => {
                let mut line = "SASL".to_owned();
                for mech in mechs {
                    line.push(' ');
                    line.push_str(mech);
                }
                line
            }
            Self::Utf8 { user } => if *user { "UTF8 USER" } else { "UTF8" }.to_owned(),
            Self::Implementation(text) => format!("IMPLEMENTATION {text}"),
            Self::LoginDelay { seconds, per_user } => {
                format!(
                    "LOGIN-DELAY {seconds}{}",
                    if *per_user { " USER" } else { "" }
                )
            }
            Self::Expire { policy, per_user } => {
                let policy = match policy {
                    Expire::Days(days) => days.to_string(),
                    Expire::Never => "NEVER".to_owned(),
                };
                format!("EXPIRE {policy}{}", if *per_user { " USER" } else { "" })
            }
            Self::Other { tag, params } => {
                let mut line = tag.clone();
                for param in params {
                    line.push(' ');
                    line.push_str(param);
                }
                line
            }
        };
        push_text(out, &line);
        out.extend_from_slice(b"\r\n");
    }
}

impl ScanListing {
    /// Appends `msg SP size CRLF`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{} {}\r\n", self.message, self.size).as_bytes());
    }
}

impl UniqueIdListing {
    /// Appends `msg SP unique-id CRLF`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{} ", self.message).as_bytes());
        push_text(out, &self.uid);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends a multi-line body (RFC 1939 §3): each line dot-stuffed and ended by
/// CRLF, then the terminating ".". Lines must not contain CR or LF (they are
/// replaced by spaces).
pub fn encode_multiline<L: AsRef<[u8]>>(lines: &[L], out: &mut Vec<u8>) {
    for line in lines {
        let line = line.as_ref();
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend(
            line.iter()
                .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ResponseCode;

    fn bytes(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut out);
        out
    }

    /// Wire forms of RFC 1939 §5-§7, RFC 2449 §5, RFC 5034 §4.
    #[test]
    fn command_encodings() {
        let rows: Vec<(Command, &[u8])> = vec![
            (Command::User("mrose".into()), b"USER mrose\r\n"),
            (Command::Pass("tan ie".into()), b"PASS tan ie\r\n"),
            (Command::Stat, b"STAT\r\n"),
            (Command::List(None), b"LIST\r\n"),
            (Command::List(Some(2)), b"LIST 2\r\n"),
            (
                Command::Top {
                    message: 1,
                    lines: 0,
                },
                b"TOP 1 0\r\n",
            ),
            (Command::Uidl(Some(7)), b"UIDL 7\r\n"),
            (
                Command::Auth {
                    mechanism: "PLAIN".into(),
                    initial_response: Some("=".into()),
                },
                b"AUTH PLAIN =\r\n",
            ),
            (Command::User("a\r\nDELE 1".into()), b"USER a  DELE 1\r\n"),
        ];
        for (command, expected) in rows {
            assert_eq!(bytes(|o| command.encode(o)), expected, "{command:?}");
        }
    }

    /// RFC 1939 §3 status lines, RFC 2449 §8 codes.
    #[test]
    fn status_encodings() {
        assert_eq!(bytes(|o| Status::ok("").encode(o)), b"+OK\r\n");
        assert_eq!(bytes(|o| Status::ok("2 320").encode(o)), b"+OK 2 320\r\n");
        assert_eq!(
            bytes(|o| Status::err_with(ResponseCode::InUse, "locked").encode(o)),
            b"-ERR [IN-USE] locked\r\n"
        );
        assert_eq!(bytes(|o| Status::err("a\nb").encode(o)), b"-ERR a b\r\n");
        assert_eq!(
            bytes(|o| Response::Continuation(b"abc=".to_vec()).encode(o)),
            b"+ abc=\r\n"
        );
    }

    /// RFC 1939 §3: multi-line bodies are dot-stuffed and end with ".".
    #[test]
    fn multiline_encoding() {
        assert_eq!(
            bytes(|o| encode_multiline(&[&b"1 120"[..], b".x", b""], o)),
            b"1 120\r\n..x\r\n\r\n.\r\n"
        );
        assert_eq!(bytes(|o| encode_multiline::<&[u8]>(&[], o)), b".\r\n");
        assert_eq!(
            bytes(|o| Capability::Sasl(vec!["PLAIN".into()]).encode(o)),
            b"SASL PLAIN\r\n"
        );
    }
}
