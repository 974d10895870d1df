//! The deletion journal: what makes committing a POP3 session's deletions
//! atomic across a crash.
//!
//! A commit first writes the files to remove into `yubin-pop3.deletions.tmp`
//! in the Maildir, fsyncs it, renames it to `yubin-pop3.deletions` and
//! fsyncs the Maildir; only then does it unlink the messages, fsync `new/`
//! and `cur/`, and remove the journal. Whoever next holds the maildrop lock
//! replays a journal it finds before listing anything. So after a crash
//! either no message was removed (the journal never became durable) or the
//! journal is there and the next session finishes the job: from the next
//! session's point of view none or all of the deletions happened.
//!
//! ```text
//! journal = header LF *(entry LF) end LF
//! header  = "yubin-store deletions 1"
//! entry   = ("new" / "cur") "/" file-name   ; a name in that folder
//! end     = "end"
//! ```
//!
//! A journal without its `end` line was never renamed into place by this
//! crate (the rename happens after the fsync), so it is treated as never
//! written. An entry is only ever used as a single file name inside `new/`
//! or `cur/`: one with a `/`, a leading `.`, a NUL or more than 255 bytes is
//! skipped, so a journal cannot reach outside the Maildir.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::Sub;
use super::sync::fsync_dir;
use crate::StoreError;

/// The journal's name inside the Maildir.
pub(crate) const JOURNAL: &str = "yubin-pop3.deletions";
/// Where it is written before it is renamed into place.
const JOURNAL_TMP: &str = "yubin-pop3.deletions.tmp";
const HEADER: &str = "yubin-store deletions 1";
const END: &str = "end";
/// The longest file name Unix file systems allow (`NAME_MAX`).
const NAME_MAX: usize = 255;

/// Writes and durably installs the journal of `doomed` files in `dir`.
/// Returns once a crash can no longer lose it.
pub(crate) fn write<'a>(
    dir: &Path,
    doomed: impl IntoIterator<Item = (Sub, &'a str)>,
) -> Result<(), StoreError> {
    let tmp = dir.join(JOURNAL_TMP);
    let io = |op, e| StoreError::io(op, &tmp, e);
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(super::no_follow())
        .open(&tmp)
        .map_err(|e| io("create journal", e))?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "{HEADER}").map_err(|e| io("write journal", e))?;
    for (sub, name) in doomed {
        writeln!(out, "{}/{name}", sub.dir()).map_err(|e| io("write journal", e))?;
    }
    writeln!(out, "{END}").map_err(|e| io("write journal", e))?;
    let file = out
        .into_inner()
        .map_err(|e| io("write journal", e.into_error()))?;
    file.sync_all().map_err(|e| io("fsync journal", e))?;
    drop(file);
    let path = dir.join(JOURNAL);
    fs::rename(&tmp, &path).map_err(|e| StoreError::io("rename journal", &path, e))?;
    fsync_dir(dir)
}

/// Reads the journal in `dir`: `None` when there is none, or only an
/// incomplete one (which is then removed: nothing was deleted under it).
pub(crate) fn read(dir: &Path) -> Result<Option<Vec<(Sub, String)>>, StoreError> {
    let path = dir.join(JOURNAL);
    let io = |op, e| StoreError::io(op, &path, e);
    // A journal left half-written by a crash before its rename: garbage.
    match fs::remove_file(dir.join(JOURNAL_TMP)) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(StoreError::io("remove journal", dir.join(JOURNAL_TMP), e)),
    }
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(super::no_follow())
        .open(&path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("open journal", e)),
    };
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut entries = Vec::new();
    let mut first = true;
    let mut complete = false;
    loop {
        line.clear();
        // One line at a time, never more than a file name's worth (plus
        // the folder and the newline) in memory: a longer line is skipped.
        let n = (&mut reader)
            .take(NAME_MAX as u64 + 6)
            .read_until(b'\n', &mut line)
            .map_err(|e| io("read journal", e))?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            if n < NAME_MAX + 6 {
                break; // the end of the file, without a newline
            }
            skip_rest_of_line(&mut reader).map_err(|e| io("read journal", e))?;
            continue;
        }
        line.pop();
        if first {
            first = false;
            if line != HEADER.as_bytes() {
                break;
            }
            continue;
        }
        if line == END.as_bytes() {
            complete = true;
            break;
        }
        if let Some(entry) = parse_entry(&line) {
            entries.push(entry);
        }
    }
    if !complete {
        remove(dir)?;
        return Ok(None);
    }
    Ok(Some(entries))
}

fn skip_rest_of_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    let mut sink = Vec::new();
    loop {
        sink.clear();
        let n = reader.take(4096).read_until(b'\n', &mut sink)?;
        if n == 0 || sink.last() == Some(&b'\n') {
            return Ok(());
        }
    }
}

/// One entry, if it names a plain file in `new/` or `cur/`.
fn parse_entry(line: &[u8]) -> Option<(Sub, String)> {
    let line = std::str::from_utf8(line).ok()?;
    let (sub, name) = line.split_once('/')?;
    let sub = match sub {
        "new" => Sub::New,
        "cur" => Sub::Cur,
        _ => return None,
    };
    let plain = !name.is_empty()
        && name.len() <= NAME_MAX
        && !name.starts_with('.')
        && !name.contains(['/', '\0']);
    plain.then(|| (sub, name.to_owned()))
}

/// Removes the journal once its deletions are durable.
///
/// Not followed by an fsync of the Maildir: if a crash brings the journal
/// back, replaying it again removes nothing (the unique parts of Maildir
/// names are never reused), it only costs a directory listing.
pub(crate) fn remove(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(JOURNAL);
    match fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io("remove journal", path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the file holds: no panic, and every entry used is one
        /// plain name in new/ or cur/.
        #[test]
        fn any_journal_reads_safely(
            body in proptest::collection::vec(
                prop_oneof![
                    Just(b"new/".to_vec()),
                    Just(b"cur/".to_vec()),
                    Just(b"../".to_vec()),
                    Just(b"\n".to_vec()),
                    Just(b"end\n".to_vec()),
                    proptest::collection::vec(any::<u8>(), 0..8),
                ],
                0..24,
            ),
            header in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut text = if header { format!("{HEADER}\n").into_bytes() } else { Vec::new() };
            text.extend(body.concat());
            fs::write(dir.path().join(JOURNAL), &text).unwrap();
            if let Some(entries) = read(dir.path()).unwrap() {
                prop_assert!(text.starts_with(HEADER.as_bytes()));
                for (_, name) in entries {
                    prop_assert!(!name.is_empty() && !name.starts_with('.'));
                    prop_assert!(!name.contains(['/', '\0']));
                }
            } else {
                prop_assert!(!dir.path().join(JOURNAL).exists());
            }
        }
    }

    #[test]
    fn a_written_journal_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).unwrap().is_none());
        write(
            dir.path(),
            [
                (Sub::New, "1.M1P1Q1.h,S=3,W=4"),
                (Sub::Cur, "2.M1P1Q2.h:2,S"),
            ],
        )
        .unwrap();
        assert!(!dir.path().join(JOURNAL_TMP).exists());
        let entries = read(dir.path()).unwrap().unwrap();
        assert_eq!(
            entries,
            [
                (Sub::New, "1.M1P1Q1.h,S=3,W=4".to_owned()),
                (Sub::Cur, "2.M1P1Q2.h:2,S".to_owned())
            ]
        );
        remove(dir.path()).unwrap();
        assert!(read(dir.path()).unwrap().is_none());
    }

    #[test]
    fn an_incomplete_journal_is_discarded() {
        let dir = tempfile::tempdir().unwrap();
        for text in [
            "yubin-store deletions 1\nnew/a\n",
            "yubin-store deletions 1\nnew/a\nen",
            "",
            "something else\nnew/a\nend\n",
        ] {
            fs::write(dir.path().join(JOURNAL), text).unwrap();
            assert!(read(dir.path()).unwrap().is_none(), "{text:?}");
            assert!(!dir.path().join(JOURNAL).exists());
        }
        // A temporary journal never renamed into place: removed, not used.
        fs::write(
            dir.path().join(JOURNAL_TMP),
            "yubin-store deletions 1\nend\n",
        )
        .unwrap();
        assert!(read(dir.path()).unwrap().is_none());
        assert!(!dir.path().join(JOURNAL_TMP).exists());
    }

    #[test]
    fn entries_that_leave_the_folder_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("new/{}\n", "x".repeat(10_000));
        let text = format!(
            "yubin-store deletions 1\nnew/../../etc/passwd\ncur/a/b\ntmp/x\nnew/.hidden\n\
             new/\n/abs\nnew\n{long}cur/ok:2,S\nnew/a\0b\nend\n"
        );
        fs::write(dir.path().join(JOURNAL), text).unwrap();
        let entries = read(dir.path()).unwrap().unwrap();
        assert_eq!(entries, [(Sub::Cur, "ok:2,S".to_owned())]);
    }
}
