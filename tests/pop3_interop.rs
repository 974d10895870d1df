//! End-to-end: the `pop3-serve` example against clients nobody here wrote,
//! Python's `poplib` and curl's `pop3://`, on 127.0.0.1 only.
#![cfg(feature = "pop3")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The example server, killed when the test ends.
struct ServerProcess {
    child: Child,
    addr: String,
    dir: PathBuf,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.parent().unwrap().parent().unwrap();
    target
        .join("examples")
        .join(format!("pop3-serve{}", std::env::consts::EXE_SUFFIX))
}

/// The messages of the maildrop: LF and CRLF endings, a dot-stuffed line.
const MESSAGES: &[(&str, &[u8])] = &[
    ("a-first", b"From: b@example.org\nTo: a@example.org\nSubject: one\n\nHello A.\n.signature line\nBye.\n"),
    ("b-second", b"From: b@example.org\r\nSubject: two\r\n\r\nLine 1\r\nLine 2\r\n"),
    ("c-third", b"Subject: three\n\n..\n.\nend\n"),
];

fn start() -> ServerProcess {
    start_with(
        MESSAGES
            .iter()
            .map(|(name, body)| ((*name).to_owned(), body.to_vec())),
    )
}

fn start_with(messages: impl Iterator<Item = (String, Vec<u8>)>) -> ServerProcess {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "yubin-pop3-interop-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, body) in messages {
        std::fs::write(dir.join(name), body).unwrap();
    }
    let binary = example_binary();
    assert!(binary.exists(), "{} not built", binary.display());
    let mut child = Command::new(binary)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--user",
            "alice",
            "--password",
            "s3cret",
            "--dir",
        ])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first.trim().to_owned();
    assert!(addr.starts_with("127.0.0.1:"), "first line: {first:?}");
    ServerProcess { child, addr, dir }
}

fn crlf(body: &[u8]) -> String {
    String::from_utf8(body.to_vec())
        .unwrap()
        .replace("\r\n", "\n")
        .replace('\n', "\r\n")
}

fn python(script: &str, addr: &str) -> String {
    let (host, port) = addr.split_once(':').unwrap();
    let output = Command::new("python3")
        .args(["-c", script, host, port])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The seed session with poplib: user, pass_, stat, uidl, list, retr, dele, quit.
#[test]
fn poplib_seed_session() {
    let server = start();
    let script = r#"
import poplib, sys, json
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
out = {"welcome": p.getwelcome().decode()}
out["user"] = p.user("alice").decode()
out["pass"] = p.pass_("s3cret").decode()
out["stat"] = list(p.stat())
out["uidl"] = [l.decode() for l in p.uidl()[1]]
out["list"] = [l.decode() for l in p.list()[1]]
out["retr"] = []
for n in range(1, 4):
    resp, lines, octets = p.retr(n)
    out["retr"].append(b"".join(l + b"\r\n" for l in lines).decode())
out["dele"] = p.dele(1).decode()
out["quit"] = p.quit().decode()
print(json.dumps(out))
"#;
    let out = python(script, &server.addr);
    let sizes: Vec<usize> = MESSAGES.iter().map(|(_, b)| crlf(b).len()).collect();
    let total: usize = sizes.iter().sum();
    assert!(
        out.contains(r#""welcome": "+OK POP3 server ready <"#),
        "{out}"
    );
    assert!(out.contains(&format!(r#""stat": [3, {total}]"#)), "{out}");
    assert!(
        out.contains(r#""uidl": ["1 a-first", "2 b-second", "3 c-third"]"#),
        "{out}"
    );
    let list = format!(
        r#""list": ["1 {}", "2 {}", "3 {}"]"#,
        sizes[0], sizes[1], sizes[2]
    );
    assert!(out.contains(&list), "{out}");
    for (_, body) in MESSAGES {
        let json_body = crlf(body).replace("\r\n", "\\r\\n");
        assert!(out.contains(&json_body), "{json_body} in {out}");
    }
    assert!(
        out.contains(r#""quit": "+OK POP3 server signing off""#),
        "{out}"
    );
    assert!(
        !server.dir.join("a-first").exists(),
        "DELE + QUIT removed the file"
    );
    assert!(server.dir.join("b-second").exists());
}

/// RFC 2449 §8.1.1: a second concurrent login gets -ERR [IN-USE]; a
/// dropped connection deletes nothing and frees the maildrop.
#[test]
fn poplib_second_login_in_use() {
    let server = start();
    let script = r#"
import poplib, sys
a = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
a.user("alice"); a.pass_("s3cret")
a.dele(1)
b = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
b.user("alice")
try:
    b.pass_("s3cret")
    print("second login accepted")
except poplib.error_proto as e:
    print(e.args[0].decode())
a.close()  # dropped without QUIT
import time
for _ in range(50):
    c = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
    c.user("alice")
    try:
        c.pass_("s3cret"); break
    except poplib.error_proto:
        c.close(); time.sleep(0.1)
print(c.stat()[0])
c.quit()
"#;
    let out = python(script, &server.addr);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("-ERR [IN-USE] maildrop already locked"));
    assert_eq!(
        lines.next(),
        Some("3"),
        "the dropped session deleted nothing"
    );
    assert!(server.dir.join("a-first").exists());
}

fn curl(addr: &str, path: &str, extra: &[&str]) -> String {
    let output = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "10",
            "--user",
            "alice:s3cret",
        ])
        .args(extra)
        .arg(format!("pop3://{addr}/{path}"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// curl's pop3:// (it picks a login from CAPA SASL and the greeting):
/// LIST, RETR, UIDL and TOP 1 0.
#[test]
fn curl_list_retr_uidl_top() {
    let server = start();
    let sizes: Vec<usize> = MESSAGES.iter().map(|(_, b)| crlf(b).len()).collect();
    let list = curl(&server.addr, "", &[]);
    assert_eq!(
        list,
        format!("1 {}\r\n2 {}\r\n3 {}\r\n", sizes[0], sizes[1], sizes[2])
    );
    assert_eq!(curl(&server.addr, "1", &[]), crlf(MESSAGES[0].1));
    assert_eq!(curl(&server.addr, "3", &[]), crlf(MESSAGES[2].1));
    assert_eq!(
        curl(&server.addr, "", &["-X", "UIDL"]),
        "1 a-first\r\n2 b-second\r\n3 c-third\r\n"
    );
    assert_eq!(
        curl(&server.addr, "", &["-X", "TOP 1 0"]),
        "From: b@example.org\r\nTo: a@example.org\r\nSubject: one\r\n\r\n"
    );
    assert!(Path::new(&server.dir).join("a-first").exists());
}

/// The ways curl can be told to log in (`--login-options`): SASL PLAIN and
/// CRAM-MD5 (RFC 5034) and APOP (RFC 1939 §7; curl has no option forcing
/// USER/PASS, which poplib covers); each gets the listing, and curl's own
/// trace shows the command it used.
#[test]
fn curl_logins() {
    let server = start();
    for (option, command) in [
        ("AUTH=PLAIN", "> AUTH PLAIN"),
        ("AUTH=CRAM-MD5", "> AUTH CRAM-MD5"),
        ("AUTH=+APOP", "> APOP alice "),
    ] {
        let output = Command::new("curl")
            .args([
                "--verbose",
                "--silent",
                "--max-time",
                "10",
                "--user",
                "alice:s3cret",
            ])
            .args(["--login-options", option])
            .arg(format!("pop3://{}/", server.addr))
            .output()
            .unwrap();
        let trace = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{option}: {trace}");
        assert!(trace.contains(command), "{option}: {trace}");
        assert!(
            String::from_utf8_lossy(&output.stdout).starts_with("1 "),
            "{option}"
        );
    }
    let output = Command::new("curl")
        .args(["--silent", "--max-time", "10", "--user", "alice:wrong"])
        .args(["--login-options", "AUTH=PLAIN"])
        .arg(format!("pop3://{}/", server.addr))
        .output()
        .unwrap();
    assert!(!output.status.success(), "a wrong password is refused");
}

/// poplib's APOP (RFC 1939 §7) against the greeting's timestamp.
#[test]
fn poplib_apop() {
    let server = start();
    let script = r#"
import poplib, sys
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=10)
print(p.apop("alice", "s3cret").decode())
print(p.stat()[0])
p.quit()
"#;
    let out = python(script, &server.addr);
    let total: usize = MESSAGES.iter().map(|(_, b)| crlf(b).len()).sum();
    assert_eq!(
        out,
        format!("+OK maildrop has 3 messages ({total} octets)\n3\n")
    );
}

/// Pipelined LISTs against a maildrop of 3000 messages: far more replies
/// than the machine queues at once (its back-pressure), so the example must
/// keep taking output and resuming before it reads again. poplib reads every
/// reply in order.
#[test]
fn poplib_pipelined_listing_flood() {
    let server =
        start_with((0..3000).map(|i| (format!("m{i:04}"), b"Subject: x\n\nbody\n".to_vec())));
    let out = python(
        r#"
import poplib, sys
p = poplib.POP3(sys.argv[1], int(sys.argv[2]), timeout=20)
p.user("alice")
p.pass_("s3cret")
count = 200
p.sock.sendall(b"LIST\r\n" * count)
lines = 0
for _ in range(count):
    resp, listing, _ = p._getlongresp()
    assert resp.startswith(b"+OK 3000 messages"), resp
    lines += len(listing)
print(lines)
p.quit()
"#,
        &server.addr,
    );
    assert_eq!(out.trim(), (200 * 3000).to_string());
}
