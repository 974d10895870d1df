//! A small POP3 server over a directory: blocking `std::net`, a thread per
//! connection, and the sans-IO `yubin_pop3::server` machine doing the
//! protocol. Each regular file in DIR is a message, its file name the UIDL;
//! DELE + QUIT removes the files; a second concurrent login gets
//! `-ERR [IN-USE]`. Logins: USER/PASS, APOP, and AUTH PLAIN or CRAM-MD5.
//!
//! ```sh
//! cargo run --example pop3-serve -- --listen 127.0.0.1:1110 --user alice --password secret --dir ./mail
//! ```
//!
//! The first line on stdout is the bound address (so `--listen 127.0.0.1:0`
//! works for tests). There is no TLS here, so USER/PASS is allowed in the
//! clear: keep it on loopback.

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use yubin::pop3::sasl::{Mechanism, Secret};
use yubin::pop3::server::{Config, Event, MaildropEntry, SaslRequest, Server};
use yubin::pop3::{CrlfSizer, ResponseCode, is_valid_uid};

/// RFC 1939 §3: the inactivity autologout timer is at least 10 minutes.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

struct Options {
    listen: String,
    user: String,
    password: String,
    dir: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let (mut listen, mut user, mut password, mut dir) = (None, None, None, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--listen" => listen = Some(value),
            "--user" => user = Some(value),
            "--password" => password = Some(value),
            "--dir" => dir = Some(PathBuf::from(value)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let usage = "usage: pop3-serve --listen ADDR --user NAME --password PASS --dir DIR";
    Ok(Options {
        listen: listen.ok_or(usage)?,
        user: user.ok_or(usage)?,
        password: password.ok_or(usage)?,
        dir: dir.ok_or(usage)?,
    })
}

fn main() -> std::io::Result<()> {
    let options = match parse_args() {
        Ok(options) => Arc::new(options),
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            std::process::exit(2);
        }
    };
    let listener = TcpListener::bind(&options.listen)?;
    println!("{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    // The maildrop lock (RFC 1939 §8: one session at a time per maildrop).
    let locked = Arc::new(Mutex::new(false));
    for (n, stream) in listener.incoming().enumerate() {
        let Ok(stream) = stream else { continue };
        let options = Arc::clone(&options);
        let locked = Arc::clone(&locked);
        std::thread::spawn(move || {
            if let Err(error) = serve(stream, &options, &locked, n) {
                let _ = writeln!(std::io::stderr(), "connection {n}: {error}");
            }
        });
    }
    Ok(())
}

/// Releases the maildrop lock when the session ends, however it ends.
struct LockGuard<'a>(&'a Mutex<bool>);

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = false;
    }
}

fn serve(
    mut stream: TcpStream,
    options: &Options,
    locked: &Mutex<bool>,
    n: usize,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    // The adapter owns the clock: the APOP timestamp is made here.
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let timestamp = format!("<{}.{n}.{nanos}@localhost>", std::process::id());
    let mut config = Config::default();
    config.allow_plaintext_auth = true;
    config.implementation = Some("yubin pop3-serve".to_owned());
    config.sasl_mechanisms = vec![Mechanism::Plain, Mechanism::CramMd5];
    let cram_secret = Secret::new(options.password.as_str());
    let mut server = Server::with_apop_timestamp(config, &timestamp)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut guard = None;
    let mut auth_attempts = 0u32;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(event) = server.poll_event() {
            let result = match event {
                Event::Login { user, credential } => {
                    if user == options.user && credential.verify(options.password.as_bytes()) {
                        open_maildrop(&mut server, options, locked, &mut guard, &mut files)
                    } else {
                        server.reject_login(ResponseCode::Auth, "invalid login")
                    }
                }
                Event::Sasl(SaslRequest::Nonce { .. }) => {
                    // CRAM-MD5's challenge: unique, like the APOP timestamp.
                    let nonce = format!("<{}.{n}.{nanos}.{}@localhost>", std::process::id(), {
                        auth_attempts += 1;
                        auth_attempts
                    });
                    server.provide_sasl_nonce(&nonce)
                }
                Event::Sasl(SaslRequest::VerifyPassword {
                    authzid,
                    authcid,
                    password,
                }) => {
                    let same_identity = authzid.is_none_or(|z| z == authcid);
                    if authcid == options.user
                        && same_identity
                        && password.expose() == options.password.as_bytes()
                    {
                        server.sasl_accept()
                    } else {
                        server.sasl_reject()
                    }
                }
                Event::Sasl(SaslRequest::CramSecret { username }) => {
                    server.provide_cram_secret((username == options.user).then_some(&cram_secret))
                }
                Event::Sasl(_) => server.sasl_reject(),
                Event::SaslLogin { .. } => {
                    open_maildrop(&mut server, options, locked, &mut guard, &mut files)
                }
                Event::Retrieve { index, .. } => {
                    stream_file(&mut server, &files[index], &mut stream)
                }
                Event::Update { deleted } => {
                    let failed = deleted
                        .iter()
                        .filter(|d| fs::remove_file(&files[d.index]).is_err())
                        .count();
                    if failed == 0 {
                        server.update_done()
                    } else {
                        server.update_failed()
                    }
                }
                Event::SizeMismatch {
                    number,
                    listed,
                    sent,
                } => {
                    let _ = writeln!(
                        std::io::stderr(),
                        "message {number} changed: listed {listed}, sent {sent}"
                    );
                    Ok(())
                }
                _ => Ok(()),
            };
            result.map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        server.poll_transmit(&mut out);
        if !out.is_empty() {
            stream.write_all(&out)?;
            out.clear();
            // Taking the output may have resumed pipelined commands that
            // waited for it: look at the events again before reading.
            continue;
        }
        if server.is_closed() {
            break;
        }
        // The core has no clock: the adapter runs its autologout timer.
        stream.set_read_timeout(server.poll_timeout())?;
        let read = match stream.read(&mut buf) {
            Ok(read) => read,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                server.handle_timeout();
                continue;
            }
            Err(e) => return Err(e),
        };
        if read == 0 {
            // A dropped connection deletes nothing (RFC 1939 §6).
            break;
        }
        server.handle_input(&buf[..read]);
    }
    drop(guard);
    Ok(())
}

/// Locks and lists the maildrop for an authenticated session, answering
/// the login decision: `[IN-USE]` when another session holds the lock.
fn open_maildrop<'a>(
    server: &mut Server,
    options: &Options,
    locked: &'a Mutex<bool>,
    guard: &mut Option<LockGuard<'a>>,
    files: &mut Vec<PathBuf>,
) -> Result<(), yubin::pop3::UsageError> {
    if std::mem::replace(&mut *locked.lock().unwrap_or_else(|e| e.into_inner()), true) {
        return server.reject_login(ResponseCode::InUse, "maildrop already locked");
    }
    *guard = Some(LockGuard(locked));
    match list(&options.dir) {
        Ok((paths, listing)) => {
            *files = paths;
            server.accept_login(listing)
        }
        Err(_) => {
            *guard = None;
            server.reject_login(ResponseCode::SysTemp, "cannot read maildrop")
        }
    }
}

/// The maildrop: regular files with valid UIDL names, in name order, with
/// their CRLF sizes.
fn list(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<MaildropEntry>)> {
    let mut names: Vec<(String, PathBuf)> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            is_valid_uid(name.as_bytes()).then(|| (name, e.path()))
        })
        .collect();
    names.sort();
    let mut listing = Vec::with_capacity(names.len());
    for (uid, path) in &names {
        let mut sizer = CrlfSizer::default();
        let mut file = fs::File::open(path)?;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let read = file.read(&mut chunk)?;
            if read == 0 {
                break;
            }
            sizer.push(&chunk[..read]);
        }
        listing.push(MaildropEntry {
            uid: uid.clone(),
            size: sizer.finish(),
        });
    }
    Ok((names.into_iter().map(|(_, path)| path).collect(), listing))
}

/// Streams one file into the machine, writing out as it goes so a large
/// message never sits whole in memory.
fn stream_file(
    server: &mut Server,
    path: &Path,
    stream: &mut TcpStream,
) -> Result<(), yubin::pop3::UsageError> {
    let Ok(mut file) = fs::File::open(path) else {
        return server.fail_message(ResponseCode::SysTemp, "message cannot be read");
    };
    let mut chunk = vec![0u8; 64 * 1024];
    let mut out = Vec::new();
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => {
                let more = server.send_message(&chunk[..read])?;
                server.poll_transmit(&mut out);
                if stream.write_all(&out).is_err() {
                    return server.fail_message(ResponseCode::SysTemp, "write failed");
                }
                out.clear();
                if !more {
                    break;
                }
            }
            Err(_) => return server.fail_message(ResponseCode::SysTemp, "read failed"),
        }
    }
    server.finish_message()
}
