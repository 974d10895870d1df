//! Encoders for commands and replies.
//!
//! Encoding never fails: every type is validated when built, so what it
//! writes parses back to the same value.

use std::io::Write;

use crate::command::Command;
use crate::param::{AuthParam, MailParameters, Parameter, RcptParameters, Ret};
use crate::reply::Reply;

impl Command<'_> {
    /// Appends the command line, CRLF included.
    pub fn encode(&self, out: &mut Vec<u8>) {
        command(self, out);
    }

    /// The command line as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        command(self, &mut out);
        out
    }
}

impl Reply {
    /// Appends the reply, every line CRLF-terminated, the enhanced code (if
    /// any) on every line as RFC 2034 §3 asks.
    pub fn encode(&self, out: &mut Vec<u8>) {
        reply(self, out);
    }

    /// The reply as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        reply(self, &mut out);
        out
    }
}

// Writing into a Vec<u8> cannot fail, hence the ignored results below.
pub(crate) fn command(c: &Command<'_>, out: &mut Vec<u8>) {
    let _ = match c {
        Command::Ehlo(h) => write!(out, "EHLO {h}"),
        Command::Helo(h) => write!(out, "HELO {h}"),
        Command::Lhlo(h) => write!(out, "LHLO {h}"),
        Command::Mail { from, params } => {
            let _ = write!(out, "MAIL FROM:{from}");
            mail_params(params, out);
            Ok(())
        }
        Command::Rcpt { to, params } => {
            let _ = write!(out, "RCPT TO:{to}");
            rcpt_params(params, out);
            Ok(())
        }
        Command::Data => write!(out, "DATA"),
        Command::Bdat { size, last: true } => write!(out, "BDAT {size} LAST"),
        Command::Bdat { size, last: false } => write!(out, "BDAT {size}"),
        Command::Rset => write!(out, "RSET"),
        Command::Noop(None) => write!(out, "NOOP"),
        Command::Noop(Some(s)) => write!(out, "NOOP {}", one_line(s)),
        Command::Quit => write!(out, "QUIT"),
        Command::Vrfy(s) => write!(out, "VRFY {}", one_line(s)),
        Command::Expn(s) => write!(out, "EXPN {}", one_line(s)),
        Command::Help(None) => write!(out, "HELP"),
        Command::Help(Some(s)) => write!(out, "HELP {}", one_line(s)),
        Command::StartTls => write!(out, "STARTTLS"),
        Command::Auth {
            mechanism,
            initial_response: None,
        } => write!(out, "AUTH {}", one_line(mechanism)),
        Command::Auth {
            mechanism,
            initial_response: Some(r),
        } => write!(out, "AUTH {} {}", one_line(mechanism), one_line(&r.0)),
        Command::Etrn(s) => write!(out, "ETRN {}", one_line(s)),
    };
    out.extend_from_slice(b"\r\n");
}

/// Free-text arguments are built by the application; a CR or LF in them
/// would inject a second command, so they are cut at the first one.
fn one_line(s: &str) -> &str {
    s.split(['\r', '\n']).next().unwrap_or("")
}

fn other_params(other: &[Parameter<'_>], out: &mut Vec<u8>) {
    for p in other {
        let _ = match &p.value {
            Some(v) => write!(out, " {}={}", p.keyword, one_line(v)),
            None => write!(out, " {}", p.keyword),
        };
    }
}

fn mail_params(p: &MailParameters<'_>, out: &mut Vec<u8>) {
    if let Some(n) = p.size {
        let _ = write!(out, " SIZE={n}");
    }
    if let Some(b) = p.body {
        let _ = write!(out, " BODY={}", b.as_str());
    }
    if p.smtputf8 {
        out.extend_from_slice(b" SMTPUTF8");
    }
    if let Some(r) = p.ret {
        out.extend_from_slice(match r {
            Ret::Full => b" RET=FULL",
            Ret::Headers => b" RET=HDRS",
        });
    }
    if let Some(e) = &p.envid {
        let _ = write!(out, " ENVID={e}");
    }
    match &p.auth {
        Some(AuthParam::Unknown) => out.extend_from_slice(b" AUTH=<>"),
        Some(AuthParam::Mailbox(x)) => {
            let _ = write!(out, " AUTH={x}");
        }
        None => {}
    }
    if p.requiretls {
        out.extend_from_slice(b" REQUIRETLS");
    }
    other_params(&p.other, out);
}

fn rcpt_params(p: &RcptParameters<'_>, out: &mut Vec<u8>) {
    if let Some(n) = p.notify {
        let _ = write!(out, " NOTIFY={n}");
    }
    if let Some(o) = &p.orcpt {
        let _ = write!(out, " ORCPT={};{}", o.addr_type, o.address);
    }
    other_params(&p.other, out);
}

pub(crate) fn reply(r: &Reply, out: &mut Vec<u8>) {
    let n = r.lines.len().max(1);
    for i in 0..n {
        let text = r.lines.get(i).map(String::as_str).unwrap_or("");
        let sep = if i + 1 == n { ' ' } else { '-' };
        let _ = match r.enhanced {
            Some(e) if text.is_empty() => write!(out, "{}{sep}{e}", r.code),
            Some(e) => write!(out, "{}{sep}{e} {text}", r.code),
            // continue-req = "334" SP [base64] CRLF (RFC 4954 §4) keeps its
            // space even when empty; other replies drop it.
            None if text.is_empty() && sep == ' ' && r.code.get() != 334 => {
                write!(out, "{}", r.code)
            }
            None => write!(out, "{}{sep}{text}", r.code),
        };
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests;
