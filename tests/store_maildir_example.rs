//! The `maildir` example driven as a user scripts it, checked against
//! Python's `mailbox`, killed mid-delivery to show that a partial message
//! never shows in new/ or cur/, and killed mid-commit to show that the next
//! session sees none or all of the deletions.
#![cfg(feature = "store")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples/maildir");
    assert!(path.exists(), "build the example first: {}", path.display());
    path
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(example())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

const MESSAGE: &[u8] =
    b"From: b@example.org\r\nTo: a@example.org\r\nSubject: hi\r\n\r\nHello.\r\n.\r\n";

#[test]
fn deliver_list_read_delete() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("Maildir");
    let dir_arg = dir.to_str().unwrap();
    let uid = stdout(&run(&["deliver", dir_arg], MESSAGE))
        .trim()
        .to_owned();
    let second = stdout(&run(&["deliver", dir_arg], b"Subject: 2\n\nbody\n"))
        .trim()
        .to_owned();
    assert_ne!(uid, second);
    let listing = stdout(&run(&["list", dir_arg], b""));
    assert_eq!(
        listing,
        format!(
            "{uid} {}\n{second} {}\n",
            MESSAGE.len(),
            "Subject: 2\r\n\r\nbody\r\n".len()
        )
    );
    assert_eq!(run(&["read", dir_arg, &uid], b"").stdout, MESSAGE);
    // Python's mailbox reads the same message, stored with LF endings.
    let script = "import mailbox, sys\n\
        md = mailbox.Maildir(sys.argv[1], create=False)\n\
        key = [k for k in md.keys() if k.startswith(sys.argv[2])][0]\n\
        sys.stdout.buffer.write(md.get_bytes(key))";
    let python = Command::new("python3")
        .args(["-c", script, dir_arg, &uid])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(stdout(&python).into_bytes()).unwrap(),
        String::from_utf8(MESSAGE.to_vec())
            .unwrap()
            .replace("\r\n", "\n")
    );
    stdout(&run(&["delete", dir_arg, &uid], b""));
    let listing = stdout(&run(&["list", dir_arg], b""));
    assert_eq!(listing, format!("{second} 20\n"));
}

#[test]
fn errors_have_clear_messages_and_sysexits_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("Maildir");
    let dir_arg = dir.to_str().unwrap();
    // (arguments, exit code per sysexits(3), a word of the message)
    let rows: [(&[&str], i32, &str); 3] = [
        (&["frobnicate"], 64, "usage"),
        (&["list", dir_arg], 67, "no such mailbox"),
        (&["read", dir_arg], 64, "usage"),
    ];
    for (args, code, words) in rows {
        let output = run(args, b"");
        assert_eq!(output.status.code(), Some(code), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(words),
            "{args:?}"
        );
    }
    stdout(&run(&["deliver", dir_arg], MESSAGE));
    let output = run(&["read", dir_arg, "no-such-id"], b"");
    assert_eq!(output.status.code(), Some(66));
    // A POP3 session holds the maildrop: temporary, try again later.
    let config = yubin::store::MaildirConfig::default().with_hostname("pop3-host");
    let session = yubin::store::Maildir::open(&dir, config)
        .unwrap()
        .open_maildrop()
        .unwrap();
    let output = run(&["list", dir_arg], b"");
    assert_eq!(output.status.code(), Some(75));
    let holder = format!("in use by pid {} on pop3-host", std::process::id());
    assert!(String::from_utf8_lossy(&output.stderr).contains(&holder));
    drop(session);
    stdout(&run(&["list", dir_arg], b""));
}

/// A small xorshift generator: the points where the child is killed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The files in new/ and cur/; none when the folder does not exist yet (a
/// child killed before it created the Maildir left nothing behind).
fn message_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in ["new", "cur"] {
        match std::fs::read_dir(dir.join(sub)) {
            Ok(entries) => files.extend(entries.map(|e| e.unwrap().path())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("{}: {e}", dir.join(sub).display()),
        }
    }
    files
}

#[test]
fn a_delivery_killed_at_any_point_never_leaves_a_partial_message() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("Maildir");
    let dir_arg = dir.to_str().unwrap().to_owned();
    let message: Vec<u8> = (0..60_000)
        .flat_map(|i| format!("line {i:06} of a message delivered slowly\r\n").into_bytes())
        .collect();
    let stored = String::from_utf8(message.clone())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let mut completed = 0;
    for round in 0..16 {
        let mut child = Command::new(example())
            .args(["deliver", &dir_arg])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer_message = message.clone();
        // Half the rounds are killed while writing, half after the whole
        // message went in (while the child fsyncs and renames).
        let kill_while_writing = round % 2 == 0;
        let writer = std::thread::spawn(move || {
            for piece in writer_message.chunks(64 * 1024) {
                if stdin.write_all(piece).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        let writer = if kill_while_writing {
            std::thread::sleep(Duration::from_millis(rng.below(60)));
            Some(writer)
        } else {
            writer.join().unwrap();
            std::thread::sleep(Duration::from_micros(rng.below(3000)));
            None
        };
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        if let Some(writer) = writer {
            writer.join().unwrap();
        }
        if output.status.success() {
            completed += 1;
            let uid = String::from_utf8(output.stdout).unwrap();
            let delivered = message_files(&dir).iter().any(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(uid.trim())
            });
            assert!(delivered, "seed {seed}: {uid} acknowledged but not in new/");
        }
        if !dir.join("new").exists() {
            continue;
        }
        let files = message_files(&dir);
        assert!(
            files.len() >= completed,
            "seed {seed}: acknowledged mail lost"
        );
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                bytes == stored,
                "seed {seed}, round {round}: partial message {} ({} of {} bytes)",
                file.display(),
                bytes.len(),
                stored.len()
            );
        }
    }
    // Writing takes longer than the latest kill of a writing round, so at
    // least those eight were cut short, leaving debris in tmp/ only.
    assert!(completed <= 8, "seed {seed}: {completed} completed");
    assert!(std::fs::read_dir(dir.join("tmp")).unwrap().count() > 0);
    let listing = stdout(&run(&["list", &dir_arg], b""));
    assert_eq!(listing.lines().count(), message_files(&dir).len());
}

/// The deletion journal's name in the Maildir (see the store's `journal`
/// module): while it exists, a commit was decided but may not be finished.
const JOURNAL: &str = "yubin-pop3.deletions";
/// Where the journal is written before it is renamed into place: its
/// appearance is the start of the commit.
const JOURNAL_TMP: &str = "yubin-pop3.deletions.tmp";

/// A Maildir of `count` small messages, written directly (the test is about
/// deleting them, and this is quick); returns their unique ids.
fn fill(dir: &Path, count: usize) -> Vec<String> {
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    (0..count)
        .map(|i| {
            let unique = format!("{}.M{i}P1Q{i}.crash-test", 1_700_000_000 + i);
            // Half already seen by a mail client: in cur/ with flags.
            let path = if i % 2 == 0 {
                dir.join("new").join(format!("{unique},S=16,W=17"))
            } else {
                dir.join("cur").join(format!("{unique},S=16,W=17:2,S"))
            };
            std::fs::write(path, format!("Subject: {:04}\n\n", i % 10_000)).unwrap();
            unique
        })
        .collect()
}

/// Starts `maildir delete DIR IDS...` and waits, polling, until its commit
/// starts (the journal appears) or it ends; bounded by a 30 s limit.
/// Returns the child, still running unless it ended.
fn delete_until_commit_starts(dir: &Path, ids: &[String]) -> std::process::Child {
    let mut child = Command::new(example())
        .arg("delete")
        .arg(dir)
        .args(ids)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let limit = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < limit {
        if dir.join(JOURNAL_TMP).exists()
            || dir.join(JOURNAL).exists()
            || child.try_wait().unwrap().is_some()
        {
            return child;
        }
        std::thread::yield_now();
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the delete command neither committed nor ended in 30 s");
}

#[test]
fn a_commit_killed_at_any_point_removes_none_or_all() {
    const COUNT: usize = 400;
    let tmp = tempfile::tempdir().unwrap();
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    // One uncut run: how long a commit of COUNT deletions takes here, from
    // the journal's appearance to the end of the process.
    let dir = tmp.path().join("uncut");
    let ids = fill(&dir, COUNT);
    let mut child = delete_until_commit_starts(&dir, &ids);
    let started = std::time::Instant::now();
    assert!(child.wait().unwrap().success());
    let commit = started.elapsed();
    assert_eq!(message_files(&dir).len(), 0);
    assert!(!dir.join(JOURNAL).exists());

    let (mut cut_mid_commit, mut none, mut all) = (0, 0, 0);
    let rounds = 16;
    for round in 0..rounds {
        let dir = tmp.path().join(format!("round{round}"));
        let ids = fill(&dir, COUNT);
        // A few rounds are killed before the commit (while the session
        // opens and lists), the others at a random point of the commit.
        let mut child;
        let delay = if round % 4 == 0 {
            child = Command::new(example())
                .arg("delete")
                .arg(&dir)
                .args(&ids)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            rng.below(20_000)
        } else {
            child = delete_until_commit_starts(&dir, &ids);
            rng.below(commit.as_micros() as u64 + 1)
        };
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let left = message_files(&dir).len();
        let journal = dir.join(JOURNAL).exists();
        let at = format!("seed {seed}, round {round}, killed after {delay} µs");
        if status.success() {
            assert_eq!(
                (left, journal),
                (0, false),
                "{at}: acknowledged but not done"
            );
        }
        // Some files gone, some not: only ever after the journal was
        // durable, and the journal stays until every removal is.
        if 0 < left && left < COUNT {
            assert!(
                journal,
                "{at}: {left} of {COUNT} left and no journal to finish"
            );
        }
        if journal {
            cut_mid_commit += 1;
        }
        // The next session (the example's `list`) finishes or ignores it.
        let listed = stdout(&run(&["list", dir.to_str().unwrap()], b""))
            .lines()
            .count();
        assert!(
            !dir.join(JOURNAL).exists(),
            "{at}: journal left after replay"
        );
        assert_eq!(listed, message_files(&dir).len(), "{at}");
        match listed {
            0 => all += 1,
            COUNT => {
                assert!(!journal, "{at}: a durable journal was not replayed");
                none += 1;
            }
            _ => panic!("{at}: {listed} of {COUNT} messages left: not all-or-nothing"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    assert_eq!(none + all, rounds);
    assert!(
        cut_mid_commit > 0,
        "seed {seed}: no round was cut mid-commit ({none} none, {all} all; a whole \
         commit takes {commit:?})"
    );
}
