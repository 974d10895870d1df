//! The maildrop lock (RFC 1939 §8): a lock file in the Maildir that names
//! its holder, with a staleness rule so a crashed session does not lock the
//! mailbox forever.
//!
//! The file `yubin-pop3.lock` holds `<pid> <host>\n`, and its holder keeps
//! an exclusive `flock` on it while it holds the maildrop.
//! - The kernel drops the `flock` when the holder's process ends, however it
//!   ends, so the lock file of a crashed session is stale at once: the next
//!   session locks the same file and takes it over. No guessing from pids.
//! - A holder that is alive but hung keeps its `flock`; it also stops
//!   refreshing the file's modification time, which a working holder does at
//!   least once a minute. Once that is older than the configured age the
//!   lock is broken: the file is unlinked (only if it is still the same
//!   inode) and a new one is made, so a hung session blocks the mailbox at
//!   most that long.
//!
//! Locking the file that is at the path, not one unlinked meanwhile: after
//! the `flock`, the inode of the open file is compared with the one at the
//! path, and the attempt is made again if they differ. A holder unlinks the
//! file before it closes it, so it never removes another session's lock.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use rustix::fs::{FlockOperation, flock};

use crate::StoreError;

/// The lock file's name inside the Maildir.
pub(crate) const LOCK_FILE: &str = "yubin-pop3.lock";

/// How often a holder refreshes its lock.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

/// A held maildrop lock; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct MaildropLock {
    path: PathBuf,
    /// Holds the `flock`; closing it releases the lock.
    file: File,
    inode: (u64, u64),
    refreshed: Instant,
}

fn inode(meta: &fs::Metadata) -> (u64, u64) {
    (meta.dev(), meta.ino())
}

fn holder_of(file: &mut File) -> Option<String> {
    let mut contents = String::new();
    file.read_to_string(&mut contents).ok()?;
    let mut words = contents.split_whitespace();
    let pid = words.next()?;
    let host = words.next().unwrap_or("?");
    Some(format!("pid {pid} on {host}"))
}

impl MaildropLock {
    /// Takes the lock of the Maildir at `dir`, named `mailbox` in errors.
    pub(crate) fn acquire(
        dir: &Path,
        mailbox: &str,
        host: &str,
        stale_after: Duration,
    ) -> Result<MaildropLock, StoreError> {
        let path = dir.join(LOCK_FILE);
        let io = |op, e| StoreError::io(op, &path, e);
        // Bounded: each round takes the lock, refuses, or loses a race with
        // a session releasing or breaking the lock at that very moment.
        for _ in 0..8 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&path)
                .map_err(|e| io("open lock", e))?;
            let meta = file.metadata().map_err(|e| io("stat lock", e))?;
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => {}
                Err(e) if e == rustix::io::Errno::WOULDBLOCK => {
                    let age = meta
                        .modified()
                        .ok()
                        .and_then(|m| SystemTime::now().duration_since(m).ok())
                        .unwrap_or_default();
                    if age <= stale_after {
                        return Err(StoreError::InUse {
                            mailbox: mailbox.to_owned(),
                            holder: holder_of(&mut file),
                        });
                    }
                    // A hung holder: break its lock, then try again.
                    if fs::symlink_metadata(&path).is_ok_and(|now| inode(&now) == inode(&meta)) {
                        let _ = fs::remove_file(&path);
                    }
                    continue;
                }
                Err(e) => return Err(io("flock", e.into())),
            }
            // Still the file at the path? A holder releasing, or a breaker,
            // may have unlinked it since we opened it.
            match fs::symlink_metadata(&path) {
                Ok(now) if inode(&now) == inode(&meta) => {}
                Ok(_) => continue,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(io("stat lock", e)),
            }
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| {
                    file.write_all(format!("{} {host}\n", std::process::id()).as_bytes())
                })
                .map_err(|e| io("write lock", e))?;
            return Ok(MaildropLock {
                path,
                file,
                inode: inode(&meta),
                refreshed: Instant::now(),
            });
        }
        Err(StoreError::InUse {
            mailbox: mailbox.to_owned(),
            holder: None,
        })
    }

    /// Checks that the lock is still ours: a holder that hung past the age
    /// limit had its lock broken, and another session may hold the
    /// maildrop now, so it must not change the mailbox any more.
    pub(crate) fn check_held(&self, mailbox: &str) -> Result<(), StoreError> {
        match fs::symlink_metadata(&self.path) {
            Ok(meta) if inode(&meta) == self.inode => Ok(()),
            _ => Err(StoreError::InUse {
                mailbox: mailbox.to_owned(),
                holder: File::open(&self.path)
                    .ok()
                    .and_then(|mut f| holder_of(&mut f)),
            }),
        }
    }

    /// Tells others the holder is alive, at most once a minute.
    pub(crate) fn refresh(&mut self) {
        if self.refreshed.elapsed() >= REFRESH_EVERY {
            self.refreshed = Instant::now();
            // A failed refresh only shortens the lock's life; the session
            // goes on.
            let _ = self.file.set_modified(SystemTime::now());
        }
    }
}

impl Drop for MaildropLock {
    fn drop(&mut self) {
        // Unlink while still holding the flock, and only our own file: if we
        // hung and our lock was broken, the new holder's file stays.
        if let Ok(meta) = fs::symlink_metadata(&self.path)
            && inode(&meta) == self.inode
        {
            let _ = fs::remove_file(&self.path);
        }
        // Closing `file` after this releases the flock.
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_second_holder_is_refused_until_the_first_releases() {
        let dir = tempfile::tempdir().unwrap();
        let first = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
        let err = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap_err();
        assert!(matches!(err, StoreError::InUse { ref holder, .. }
            if holder.as_deref() == Some(&*format!("pid {} on h", std::process::id()))));
        drop(first);
        assert!(!dir.path().join(LOCK_FILE).exists());
        MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
    }

    #[test]
    fn a_lock_file_nobody_holds_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        // Left by a session that crashed: the file is there, its flock gone.
        fs::write(dir.path().join(LOCK_FILE), "4194305 elsewhere\n").unwrap();
        let lock = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
        let contents = fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert_eq!(contents, format!("{} h\n", std::process::id()));
        drop(lock);
    }

    #[test]
    fn a_killed_holder_process_releases_the_maildrop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        // Another process (Python, as another program would) takes the
        // flock and says so, then is killed.
        let script = "import fcntl, os, sys, time\n\
            f = open(sys.argv[1], 'a')\n\
            fcntl.flock(f, fcntl.LOCK_EX)\n\
            f.write(str(os.getpid()) + ' other\\n'); f.flush()\n\
            print('locked', flush=True)\n\
            time.sleep(60)";
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(&path)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = [0; 7];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut line)
            .unwrap();
        assert_eq!(&line, b"locked\n");
        let err = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap_err();
        let expected = format!("pid {} on other", child.id());
        assert!(
            matches!(&err, StoreError::InUse { holder: Some(h), .. } if *h == expected),
            "{err:?}"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
    }

    #[test]
    fn a_hung_holders_lock_is_broken_after_the_age_limit() {
        let dir = tempfile::tempdir().unwrap();
        let hung = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
        let old = SystemTime::now() - 2 * HOUR;
        hung.file.set_modified(old).unwrap();
        assert!(MaildropLock::acquire(dir.path(), "box", "h", 3 * HOUR).is_err());
        let new = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
        // The hung holder wakes up: its lock is no longer its own, and when
        // it leaves the new lock stays.
        assert!(new.check_held("box").is_ok());
        assert!(matches!(
            hung.check_held("box"),
            Err(StoreError::InUse {
                holder: Some(_),
                ..
            })
        ));
        drop(hung);
        assert!(dir.path().join(LOCK_FILE).exists());
        assert!(MaildropLock::acquire(dir.path(), "box", "h", HOUR).is_err());
        drop(new);
        assert!(!dir.path().join(LOCK_FILE).exists());
    }

    #[test]
    fn racing_sessions_never_both_hold_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let holders = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..200 {
                        if let Ok(lock) = MaildropLock::acquire(dir.path(), "box", "h", HOUR) {
                            let before = holders.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            assert_eq!(before, 0, "two holders at once");
                            holders.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                            drop(lock);
                        }
                    }
                });
            }
        });
    }
}
