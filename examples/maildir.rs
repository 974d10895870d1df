//! Script a Maildir with yubin-store, and check it against other Maildir
//! software.
//!
//! ```text
//! cargo run --example maildir -- deliver DIR < message.eml   # prints the new unique id
//! cargo run --example maildir -- list DIR                    # "<unique id> <POP3 size>" per line
//! cargo run --example maildir -- read DIR ID                 # the message, CRLF, to stdout
//! cargo run --example maildir -- delete DIR ID...                # one commit for all
//! ```
//!
//! `deliver` creates DIR (with tmp/, new/, cur/) if needed and returns once
//! the message is durable. `list`, `read` and `delete` take the maildrop
//! lock like a POP3 session, so they wait for no one: while a session holds
//! it they fail with "in use". `delete` removes all the messages named, in
//! one commit: killed half-way, the next session sees none or all of them
//! removed. `read` prints the message as POP3 would send
//! it (CRLF line endings, no dot-stuffing), as many octets as `list` says.
//!
//! Exit codes follow sysexits(3), as mail delivery programs do: 0 done,
//! 64 bad usage, 66 no such message, 67 no such mailbox, 75 temporary
//! failure (in use, I/O: try again later), 70 any other failure.

use std::io::Write;
use std::process::ExitCode;

use yubin::store::{Maildir, MaildirConfig, Maildrop, StoreError};

const USAGE: &str =
    "usage: maildir deliver DIR < message | list DIR | read DIR ID | delete DIR ID...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["deliver", dir] => deliver(dir),
        ["list", dir] => list(dir),
        ["read", dir, id] => read(dir, id),
        ["delete", dir, ids @ ..] if !ids.is_empty() => delete(dir, ids),
        _ => {
            let _ = writeln!(std::io::stderr(), "{USAGE}");
            return ExitCode::from(64);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "maildir: {e}");
            ExitCode::from(match e {
                StoreError::NoSuchMessage(_) | StoreError::MessageVanished(_) => 66,
                StoreError::NoSuchMailbox(_) => 67,
                e if e.is_temporary() => 75,
                _ => 70,
            })
        }
    }
}

/// Only what the command asks for: no moving to cur/, no flags.
fn config() -> MaildirConfig {
    MaildirConfig::default()
        .with_move_seen_to_cur(false)
        .with_mark_retrieved_seen(false)
}

fn io_error(op: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    move |e| StoreError::io(op, "<stdout>", e)
}

fn deliver(dir: &str) -> Result<(), StoreError> {
    let maildir = Maildir::create(dir, config())?;
    let mut delivery = maildir.begin_delivery()?;
    let mut stdin = std::io::stdin().lock();
    let mut buf = vec![0; 64 * 1024];
    loop {
        match std::io::Read::read(&mut stdin, &mut buf) {
            Ok(0) => break,
            Ok(n) => yubin::store::Delivery::write(&mut delivery, &buf[..n])?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StoreError::io("read", "<stdin>", e)),
        }
    }
    let delivered = yubin::store::Delivery::commit(delivery)?;
    writeln!(std::io::stdout(), "{}", delivered.uid).map_err(io_error("write"))
}

fn list(dir: &str) -> Result<(), StoreError> {
    let maildrop = Maildir::open(dir, config())?.open_maildrop()?;
    let mut out = std::io::stdout().lock();
    for message in maildrop.messages() {
        writeln!(out, "{} {}", message.uid, message.size).map_err(io_error("write"))?;
    }
    Ok(())
}

fn find(maildrop: &impl Maildrop, id: &str) -> Result<usize, StoreError> {
    maildrop
        .messages()
        .iter()
        .position(|m| m.uid.as_str() == id)
        .ok_or_else(|| StoreError::MessageVanished(id.to_owned()))
}

fn read(dir: &str, id: &str) -> Result<(), StoreError> {
    let mut maildrop = Maildir::open(dir, config())?.open_maildrop()?;
    let index = find(&maildrop, id)?;
    let mut out = std::io::stdout().lock();
    for chunk in maildrop.read(index)? {
        out.write_all(&chunk?).map_err(io_error("write"))?;
    }
    out.flush().map_err(io_error("write"))
}

fn delete(dir: &str, ids: &[&str]) -> Result<(), StoreError> {
    let mut maildrop = Maildir::open(dir, config())?.open_maildrop()?;
    let index: std::collections::HashMap<&str, usize> = maildrop
        .messages()
        .iter()
        .enumerate()
        .map(|(i, m)| (m.uid.as_str(), i))
        .collect();
    let mut doomed = Vec::with_capacity(ids.len());
    for id in ids {
        let i = index
            .get(id)
            .copied()
            .ok_or_else(|| StoreError::MessageVanished((*id).to_owned()))?;
        doomed.push(i);
    }
    for i in doomed {
        // The same id named twice is deleted once.
        if !maildrop.messages()[i].deleted {
            maildrop.mark_deleted(i)?;
        }
    }
    maildrop.commit().map(drop)
}
