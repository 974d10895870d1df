//! smtp-sink: an SMTP server that accepts every message, on blocking
//! `std::net` and one thread per connection, driving the sans-IO
//! `yubin_smtp::Server` — the proof that the core needs no async runtime.
//!
//! ```sh
//! cargo run --example smtp-sink -- --listen 127.0.0.1:2525 [--maildir DIR] [--auth USER:PASSWORD]
//! ```
//!
//! The first line on stdout is the bound address (so `--listen
//! 127.0.0.1:0` works for tests). With `--maildir DIR` each message is
//! written to `DIR/tmp/NAME`, synced, then renamed into `DIR/new/NAME` before
//! the 250 is sent: a message is acknowledged only once it is durable.
//! With `--auth USER:PASSWORD` it offers AUTH (PLAIN, LOGIN, CRAM-MD5,
//! SCRAM-SHA-256) for that one user — in plaintext, since a sink has no TLS:
//! for tests on loopback only.
//!
//! A sink accepts every message, so by default it normalises bare CR and LF
//! in the body to CRLF (`curl -T file.eml` sends a file with LF line endings
//! as it is); `--reject-bare-line-endings` restores the library's default,
//! 550 5.6.0 after the body (RFC 5321 §2.3.8).

#![expect(
    clippy::print_stderr,
    reason = "an example server reports connection errors on stderr"
)]

use std::fs::{self, File};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use yubin::sasl::{Mechanism, ScramCredentials, Secret};
use yubin::smtp::Reply;
use yubin::smtp::server::{Config, Event, LineEndingPolicy, Server};

/// Accept every message; optionally store each as a file.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on, e.g. 127.0.0.1:2525 (port 0 picks one).
    #[arg(long)]
    listen: String,
    /// Store each message as a file under DIR/new (via DIR/tmp).
    #[arg(long, value_name = "DIR")]
    maildir: Option<PathBuf>,
    /// Name given in the greeting.
    #[arg(long, default_value = "smtp-sink.localhost")]
    hostname: String,
    /// Most connections served at once; more get 421.
    #[arg(long, default_value_t = 64)]
    max_connections: usize,
    /// Offer AUTH for this one user (plaintext: loopback tests only).
    #[arg(long, value_name = "USER:PASSWORD")]
    auth: Option<String>,
    /// Refuse bodies with a bare CR or LF (550 5.6.0) instead of normalising them.
    #[arg(long)]
    reject_bare_line_endings: bool,
}

/// The one user `--auth` names.
struct User {
    name: String,
    password: Secret,
    scram: ScramCredentials,
}

/// A nonce for CRAM-MD5 and SCRAM: 18 random octets from the OS, hex.
fn nonce() -> io::Result<String> {
    let mut bytes = [0u8; 18];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn main() -> io::Result<()> {
    let args = Args::parse();
    if let Some(dir) = &args.maildir {
        fs::create_dir_all(dir.join("tmp"))?;
        fs::create_dir_all(dir.join("new"))?;
    }
    let listener = TcpListener::bind(&args.listen)?;
    println!("{}", listener.local_addr()?);
    io::stdout().flush()?;
    let user = match &args.auth {
        Some(spec) => {
            let (name, password) = spec
                .split_once(':')
                .ok_or_else(|| io::Error::other("--auth wants USER:PASSWORD"))?;
            let password = Secret::new(password);
            let scram = ScramCredentials::derive(&password, nonce()?.as_bytes(), 4096)
                .map_err(io::Error::other)?;
            Some(User {
                name: name.to_owned(),
                password,
                scram,
            })
        }
        None => None,
    };
    let user = Arc::new(user);
    let active = Arc::new(AtomicUsize::new(0));
    let maildir = Arc::new(args.maildir);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let mut config = Config::default();
        config.hostname = args.hostname.clone();
        if !args.reject_bare_line_endings {
            config.line_ending_policy = LineEndingPolicy::Normalize;
        }
        if user.is_some() {
            config.auth_mechanisms = vec![
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::CramMd5,
                Mechanism::ScramSha256,
            ];
            config.auth_without_tls = true;
            config.auth_plaintext_without_tls = true;
        }
        if active.fetch_add(1, Ordering::SeqCst) >= args.max_connections {
            active.fetch_sub(1, Ordering::SeqCst);
            let mut server = Server::new(config);
            server.shutdown();
            let mut out = Vec::new();
            server.poll_transmit(&mut out);
            let _ = (&stream).write_all(&out);
            continue;
        }
        let (active, maildir, user) =
            (Arc::clone(&active), Arc::clone(&maildir), Arc::clone(&user));
        std::thread::spawn(move || {
            if let Err(e) = serve(stream, config, maildir.as_deref(), user.as_ref().as_ref()) {
                eprintln!("connection: {e}");
            }
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

/// One message being written: the file under tmp/ and its final name.
struct Spool {
    file: File,
    tmp: PathBuf,
    new: PathBuf,
}

fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!(
        "{}.{}_{n}.{}",
        now.as_secs(),
        std::process::id(),
        now.subsec_nanos()
    )
}

fn open_spool(dir: &Path) -> io::Result<Spool> {
    let name = unique_name();
    let tmp = dir.join("tmp").join(&name);
    let file = File::options().write(true).create_new(true).open(&tmp)?;
    Ok(Spool {
        file,
        tmp,
        new: dir.join("new").join(name),
    })
}

fn serve(
    mut stream: TcpStream,
    config: Config,
    maildir: Option<&Path>,
    user: Option<&User>,
) -> io::Result<()> {
    let mut server = Server::new(config);
    let mut spool: Option<Spool> = None;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        out.clear();
        server.poll_transmit(&mut out);
        stream.write_all(&out)?;
        if server.is_closed() {
            break;
        }
        stream.set_read_timeout(server.poll_timeout())?;
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => server.handle_input(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                server.handle_timeout();
            }
            Err(e) => return Err(e),
        }
        while let Some(event) = server.poll_event() {
            match event {
                Event::BodyChunk(chunk) => {
                    if let Some(dir) = maildir {
                        if spool.is_none() {
                            spool = Some(open_spool(dir)?);
                        }
                        if let Some(s) = &mut spool {
                            s.file.write_all(&chunk)?;
                        }
                    }
                }
                Event::MessageEnd { .. } => match store(maildir, spool.take()) {
                    Ok(()) => accept(&mut server),
                    Err(e) => {
                        eprintln!("store: {e}");
                        let r = Reply::new(451, Some((4, 3, 0)), "Local error in processing");
                        server.reply(r).map_err(io::Error::other)?;
                    }
                },
                Event::AuthStart { mechanism } => {
                    // CRAM-MD5's challenge is a msg-id (RFC 2195 §2).
                    let nonce = match mechanism {
                        Mechanism::CramMd5 => {
                            format!("<{}@{}>", nonce()?, server.config().hostname)
                        }
                        _ => nonce()?,
                    };
                    server.start_auth(Some(nonce)).map_err(io::Error::other)?;
                }
                Event::AuthVerifyPassword {
                    authcid, password, ..
                } => {
                    let ok = user.is_some_and(|u| u.name == authcid && u.password == password);
                    server.auth_verify(ok).map_err(io::Error::other)?;
                }
                Event::AuthCramSecret { username } => {
                    let secret = user.filter(|u| u.name == username).map(|u| &u.password);
                    server.auth_cram_secret(secret).map_err(io::Error::other)?;
                }
                Event::AuthScramCredentials { username, authzid } => {
                    let ok = user.filter(|u| {
                        u.name == username && authzid.as_ref().is_none_or(|a| *a == u.name)
                    });
                    server
                        .auth_scram_credentials(ok.map(|u| u.scram.clone()))
                        .map_err(io::Error::other)?;
                }
                Event::AuthVerifyToken { .. } => {
                    server.auth_verify(false).map_err(io::Error::other)?;
                }
                Event::MessageAborted(_) => {
                    if let Some(s) = spool.take() {
                        let _ = fs::remove_file(s.tmp);
                    }
                }
                e if e.is_decision() => accept(&mut server),
                _ => {}
            }
        }
    }
    if let Some(s) = spool.take() {
        let _ = fs::remove_file(s.tmp);
    }
    Ok(())
}

fn accept(server: &mut Server) {
    // A decision is pending whenever a decision event was just returned.
    let _ = server.accept();
}

/// Makes the message durable: sync the data, rename into new/, sync the
/// directory (an empty body still gets a file).
fn store(maildir: Option<&Path>, spool: Option<Spool>) -> io::Result<()> {
    let Some(dir) = maildir else { return Ok(()) };
    let spool = match spool {
        Some(s) => s,
        None => open_spool(dir)?,
    };
    spool.file.sync_all()?;
    fs::rename(&spool.tmp, &spool.new)?;
    File::open(dir.join("new"))?.sync_all()
}
