//! End-to-end: the `smtp-sink` example (blocking std::net driving the
//! sans-IO server) against clients nobody here wrote: Python's smtplib and
//! curl, plus a raw-socket Python client for PIPELINING and BDAT (smtplib
//! does neither). Everything binds 127.0.0.1:0; every wait is bounded.
#![cfg(all(feature = "smtp", feature = "sasl"))]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Sink {
    child: Child,
    addr: String,
    maildir: PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join(name)
}

fn start(test: &str) -> Sink {
    start_with(test, &[])
}

fn start_with(test: &str, extra: &[&str]) -> Sink {
    let maildir =
        std::env::temp_dir().join(format!("yubin-smtp-sink-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&maildir);
    let mut child = Command::new(example("smtp-sink"))
        .args(["--listen", "127.0.0.1:0", "--maildir"])
        .arg(&maildir)
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("smtp-sink example built by cargo test");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().to_owned();
    assert!(
        addr.starts_with("127.0.0.1:"),
        "first line is the address: {addr:?}"
    );
    Sink {
        child,
        addr,
        maildir,
    }
}

impl Sink {
    fn port(&self) -> &str {
        self.addr.rsplit(':').next().unwrap()
    }

    /// The stored messages, sorted by content.
    fn messages(&self) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = std::fs::read_dir(self.maildir.join("new"))
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        out.sort();
        assert!(
            std::fs::read_dir(self.maildir.join("tmp"))
                .unwrap()
                .next()
                .is_none(),
            "tmp/ left empty"
        );
        out
    }
}

/// Runs a program to completion within 60 s; returns stdout.
fn run(cmd: &mut Command) -> String {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                status.success(),
                "{cmd:?} failed: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            return stdout;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{cmd:?} timed out");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn python(script: &str, port: &str) -> String {
    run(Command::new("python3").arg("-c").arg(script).arg(port))
}

#[test]
fn python_smtplib_ehlo_without_pipelining_or_bdat() {
    let sink = start("ehlo");
    let out = python(
        r#"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
code, _ = s.ehlo("client.example")
assert code == 250
assert s.has_extn("pipelining") and s.has_extn("chunking") and s.has_extn("size")
msg = "Subject: hello\r\n\r\nline one\r\n.starts with a dot\r\n..two dots\r\n"
refused = s.sendmail("alice@client.example", ["bob@sink.example", "carol@sink.example"], msg)
assert refused == {}, refused
print(s.noop()[0])
s.quit()
"#,
        sink.port(),
    );
    assert_eq!(out.trim(), "250");
    assert_eq!(
        sink.messages(),
        vec![b"Subject: hello\r\n\r\nline one\r\n.starts with a dot\r\n..two dots\r\n".to_vec()]
    );
}

#[test]
fn python_smtplib_helo_only_two_messages() {
    let sink = start("helo");
    python(
        r#"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
assert s.helo("old.client.example")[0] == 250
s.sendmail("a@old.example", ["b@sink.example"], "Subject: one\r\n\r\nfirst\r\n")
s.rset()
s.sendmail("<>", ["postmaster"], "Subject: two\r\n\r\nsecond\r\n")
try:
    s.sendmail("a@old.example", ["bad address"], "x\r\n")
    raise SystemExit("bad address accepted")
except smtplib.SMTPRecipientsRefused as e:
    assert list(e.recipients.values())[0][0] == 501, e.recipients
s.quit()
"#,
        sink.port(),
    );
    assert_eq!(
        sink.messages(),
        vec![
            b"Subject: one\r\n\r\nfirst\r\n".to_vec(),
            b"Subject: two\r\n\r\nsecond\r\n".to_vec()
        ]
    );
}

#[test]
fn python_smtplib_8bitmime_and_smtputf8() {
    let sink = start("utf8");
    python(
        r#"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.ehlo()
msg = "Subject: caf\u00e9\r\n\r\nna\u00efve \u65e5\u672c\r\n".encode("utf-8")
s.sendmail("用户@例子.广告", ["δοκιμή@παράδειγμα.δοκιμή"], msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
# An oversized declared SIZE is refused at MAIL (RFC 1870).
code, _ = s.docmd("MAIL FROM:<a@b.example> SIZE=999999999999")
assert code == 552, code
s.quit()
"#,
        sink.port(),
    );
    assert_eq!(
        sink.messages(),
        vec!["Subject: café\r\n\r\nnaïve 日本\r\n".as_bytes().to_vec()]
    );
}

#[test]
fn python_raw_socket_pipelining_and_bdat() {
    let sink = start("bdat");
    let out = python(
        r#"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        line = f.readline()
        assert line, "connection closed"
        lines.append(line)
        if line[3:4] == b" ":
            return int(line[:3]), lines
assert reply()[0] == 220
s.sendall(b"EHLO raw.example\r\n")
code, lines = reply()
assert b"250-CHUNKING\r\n" in lines and b"250-PIPELINING\r\n" in lines
chunk1 = b"Subject: bdat\r\n\r\nbinary \x00\xff and \r\n.\r\n inside\r\n"
chunk2 = b"the end\r\n"
s.sendall(b"MAIL FROM:<raw@raw.example> BODY=BINARYMIME\r\nRCPT TO:<x@sink.example>\r\nRCPT TO:<y@sink.example>\r\n"
          + b"BDAT %d\r\n" % len(chunk1) + chunk1 + b"BDAT %d LAST\r\n" % len(chunk2) + chunk2
          + b"MAIL FROM:<raw@raw.example>\r\nRCPT TO:<z@sink.example>\r\nDATA\r\n")
codes = [reply()[0] for _ in range(7)]
assert codes == [250, 250, 250, 250, 250, 250, 250], codes
assert reply()[0] == 354
s.sendall(b"pipelined data\r\n.\r\nQUIT\r\n")
assert reply()[0] == 250
assert reply()[0] == 221
print("ok")
"#,
        sink.port(),
    );
    assert_eq!(out.trim(), "ok");
    assert_eq!(
        sink.messages(),
        vec![
            b"Subject: bdat\r\n\r\nbinary \x00\xff and \r\n.\r\n inside\r\nthe end\r\n".to_vec(),
            b"pipelined data\r\n".to_vec(),
        ]
    );
}

#[test]
fn curl_upload() {
    let sink = start("curl");
    let file = sink.maildir.with_extension("eml");
    let body =
        b"From: curl@client.example\r\nSubject: from curl\r\n\r\nHello from curl.\r\n.dot line\r\n";
    std::fs::File::create(&file)
        .unwrap()
        .write_all(body)
        .unwrap();
    run(Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "30"])
        .arg(format!("smtp://{}", sink.addr))
        .args([
            "--mail-from",
            "curl@client.example",
            "--mail-rcpt",
            "bob@sink.example",
        ])
        .arg("-T")
        .arg(&file));
    let _ = std::fs::remove_file(&file);
    assert_eq!(sink.messages(), vec![body.to_vec()]);
}

/// curl sends a file as it is; an LF-only file is normalised to CRLF by the
/// sink, and refused with 550 5.6.0 under `--reject-bare-line-endings`.
#[test]
fn curl_upload_of_an_lf_file() {
    let body = b"From: curl@client.example\nSubject: lf\n\nline one\n.dot line\n";
    // curl ends an upload that does not end in CRLF with CRLF "." CRLF, so the
    // final bare LF and curl's CRLF make an empty last line.
    let crlf = b"From: curl@client.example\r\nSubject: lf\r\n\r\nline one\r\n.dot line\r\n\r\n";
    for (name, extra, accepted) in [
        ("lf-normalise", &[][..], true),
        ("lf-reject", &["--reject-bare-line-endings"][..], false),
    ] {
        let sink = start_with(name, extra);
        let file = sink.maildir.with_extension("eml");
        std::fs::write(&file, body).unwrap();
        let status = Command::new("curl")
            .args(["--silent", "--max-time", "30"])
            .arg(format!("smtp://{}", sink.addr))
            .args(["--mail-from", "curl@client.example"])
            .args(["--mail-rcpt", "bob@sink.example"])
            .arg("-T")
            .arg(&file)
            .status()
            .unwrap();
        let _ = std::fs::remove_file(&file);
        assert_eq!(status.success(), accepted, "{name}");
        let want: Vec<Vec<u8>> = if accepted {
            vec![crlf.to_vec()]
        } else {
            vec![]
        };
        assert_eq!(sink.messages(), want, "{name}");
    }
}

#[test]
fn sink_prints_only_a_loopback_address() {
    let sink = start("addr");
    assert!(Path::new(&sink.maildir).join("new").is_dir());
    let stream = std::net::TcpStream::connect(&sink.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).unwrap();
    assert!(
        line.starts_with("220 smtp-sink.localhost ESMTP ready"),
        "{line:?}"
    );
}

#[test]
fn python_smtplib_auth_each_mechanism() {
    let sink = start_with("auth", &["--auth", "alice:s3cret pass"]);
    let out = python(
        r#"
import smtplib, sys
port = int(sys.argv[1])
for mech in ["CRAM-MD5", "PLAIN", "LOGIN"]:
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    s.ehlo()
    assert "SCRAM-SHA-256" in s.esmtp_features["auth"], s.esmtp_features
    s.user, s.password = "alice", "s3cret pass"
    obj = {"CRAM-MD5": s.auth_cram_md5, "PLAIN": s.auth_plain, "LOGIN": s.auth_login}[mech]
    code, _ = s.auth(mech, obj, initial_response_ok=(mech != "LOGIN"))
    assert code == 235, (mech, code)
    s.sendmail("alice@client.example", ["bob@sink.example"], "Subject: %s\r\n\r\nauthenticated\r\n" % mech)
    s.quit()
s = smtplib.SMTP("127.0.0.1", port, timeout=10)
try:
    s.login("alice", "wrong")
    raise SystemExit("wrong password accepted")
except smtplib.SMTPAuthenticationError as e:
    assert e.smtp_code == 535, e
s.quit()
print("ok")
"#,
        sink.port(),
    );
    assert_eq!(out.trim(), "ok");
    assert_eq!(sink.messages().len(), 3);
}

#[test]
fn curl_auth_plain_login_cram_md5() {
    let sink = start_with("curlauth", &["--auth", "alice:s3cret"]);
    let file = sink.maildir.with_extension("auth.eml");
    std::fs::write(&file, b"Subject: curl auth\r\n\r\nhi\r\n").unwrap();
    for mech in ["PLAIN", "LOGIN", "CRAM-MD5"] {
        run(Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "30"])
            .arg(format!("smtp://{}", sink.addr))
            .args(["--user", "alice:s3cret", "--login-options"])
            .arg(format!("AUTH={mech}"))
            .args([
                "--mail-from",
                "alice@client.example",
                "--mail-rcpt",
                "bob@sink.example",
                "-T",
            ])
            .arg(&file));
    }
    let status = Command::new("curl")
        .args(["--silent", "--max-time", "30"])
        .arg(format!("smtp://{}", sink.addr))
        .args([
            "--user",
            "alice:wrong",
            "--mail-from",
            "a@c.example",
            "--mail-rcpt",
            "b@s.example",
            "-T",
        ])
        .arg(&file)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(67), "curl's 'login denied'");
    let _ = std::fs::remove_file(&file);
    assert_eq!(sink.messages().len(), 3);
}
