//! Interop with Python's `mailbox.Maildir`, a Maildir implementation
//! nobody here wrote: it reads what we write, byte for byte, and we read
//! what it writes.

use std::path::Path;
use std::process::Command;

use yubin_store::{Maildir, MaildirConfig, Maildrop, Uid};

fn python(script: &str, maildir: &Path) -> String {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(maildir)
        .output()
        .expect("python3 is installed (see .ci/run)");
    assert!(
        output.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const MESSAGES: [&[u8]; 3] = [
    b"From: a@example.org\r\nSubject: one\r\n\r\nbody one\r\n",
    b"From: b@example.org\r\nSubject: two\r\n\r\nline\r\n\r\n.\r\n..dots\r\n",
    b"Subject: no final newline\r\n\r\nend",
];

#[test]
fn python_reads_what_we_write_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let maildir = Maildir::create(tmp.path(), MaildirConfig::default()).unwrap();
    let mut expected = Vec::new();
    for message in MESSAGES {
        let delivered = maildir.deliver(message).unwrap();
        let stored: Vec<u8> = String::from_utf8(message.to_vec())
            .unwrap()
            .replace("\r\n", "\n")
            .into_bytes();
        expected.push((delivered.uid, stored));
    }
    // A session retrieves the first message: it moves to cur/ flagged seen.
    let mut session = maildir.open_maildrop().unwrap();
    session.read(0).unwrap().read_to_vec().unwrap();
    session.commit().unwrap();

    let script = r#"
import mailbox, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
for key in sorted(md.keys()):
    msg = md.get_message(key)
    print(key, msg.get_subdir(), msg.get_flags() or '-', md.get_bytes(key).hex())
"#;
    let out = python(script, tmp.path());
    let mut lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    lines.sort_by_key(|l| {
        let key = l.split(' ').next().unwrap();
        expected
            .iter()
            .position(|(uid, _)| key.starts_with(uid.as_str()))
            .unwrap()
    });
    for (i, ((uid, stored), line)) in expected.iter().zip(lines).enumerate() {
        let fields: Vec<&str> = line.split(' ').collect();
        // Python's key is the name before ':2,': our unique part and the
        // size fields.
        assert_eq!(
            fields[0],
            format!("{uid},S={},W={}", stored.len(), MESSAGES[i].len())
        );
        let (subdir, flags) = if i == 0 { ("cur", "S") } else { ("cur", "-") };
        assert_eq!((fields[1], fields[2]), (subdir, flags), "{line}");
        assert_eq!(fields[3], hex(stored), "message {i}");
    }
}

#[test]
fn we_read_what_python_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("python");
    let script = r#"
import mailbox, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=True)
bodies = [
    b"From: p@example.org\nSubject: from python\n\nhello\n",
    b"Subject: flagged\n\nread and replied\n\n",
    b"Subject: crlf kept\r\n\r\nas written\r\n",
]
for i, body in enumerate(bodies):
    msg = mailbox.MaildirMessage(body)
    if i == 1:
        msg.set_subdir('cur')
        msg.set_flags('RS')
    key = md.add(msg)
    print(key, md.get_bytes(key).hex())
"#;
    let out = python(script, &path);
    let written: Vec<(String, Vec<u8>)> = out
        .lines()
        .map(|line| {
            let (key, hex_bytes) = line.split_once(' ').unwrap();
            let bytes = (0..hex_bytes.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex_bytes[i..i + 2], 16).unwrap())
                .collect();
            (key.to_owned(), bytes)
        })
        .collect();
    assert_eq!(written.len(), 3);
    let maildir = Maildir::open(&path, MaildirConfig::default()).unwrap();
    let mut session = maildir.open_maildrop().unwrap();
    let listing = session.messages().to_vec();
    assert_eq!(listing.len(), 3);
    for (key, bytes) in &written {
        let index = listing
            .iter()
            .position(|m| m.uid == Uid::from_name(key))
            .unwrap_or_else(|| panic!("{key} not listed"));
        let as_pop3 = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\r\n", "\n")
            .replace('\n', "\r\n")
            .into_bytes();
        assert_eq!(listing[index].size, as_pop3.len() as u64, "{key}");
        assert_eq!(session.read(index).unwrap().read_to_vec().unwrap(), as_pop3);
    }
    // Deleting through a session removes Python's files too.
    for i in 0..3 {
        session.mark_deleted(i).unwrap();
    }
    session.commit().unwrap();
    let left = python(
        "import mailbox, sys; print(len(mailbox.Maildir(sys.argv[1], create=False)))",
        &path,
    );
    assert_eq!(left.trim(), "0");
}
