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
//! Every change to which file is at the lock's path (taking it, breaking a
//! hung holder's lock, unlinking it on release) happens while holding an
//! exclusive `flock` on a second file, `yubin-pop3.lock.guard`, which is
//! never removed and is held only for those few system calls. Without it, a
//! check ("is this still the stale file?") and the unlink that follows could
//! interleave with another session's, and two sessions would each hold a
//! lock on a different file. A holder checks, under the guard, that its lock
//! is still the one at the path before it commits (see
//! [`MaildropLock::check_held`]).

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use rustix::fs::{FlockOperation, flock};

use crate::StoreError;

/// The lock file's name inside the Maildir.
pub(crate) const LOCK_FILE: &str = "yubin-pop3.lock";

/// The guard file's name inside the Maildir.
pub(crate) const GUARD_FILE: &str = "yubin-pop3.lock.guard";

/// How long to wait for the guard before giving up: it is held for a few
/// system calls at a time, so only a stopped process holds it longer.
const GUARD_WAIT: Duration = Duration::from_secs(2);

/// How often a holder refreshes its lock.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

/// A held maildrop lock; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct MaildropLock {
    /// The Maildir.
    dir: PathBuf,
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

/// The guard: an exclusive `flock` on [`GUARD_FILE`], released when dropped.
struct Guard {
    _file: File,
}

impl Guard {
    /// Takes the guard of the Maildir at `dir`; `None` if another process
    /// kept it for longer than [`GUARD_WAIT`].
    fn take(dir: &Path) -> Result<Option<Guard>, StoreError> {
        let path = dir.join(GUARD_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(super::no_follow())
            .open(&path)
            .map_err(|e| StoreError::io("open lock guard", &path, e))?;
        let deadline = Instant::now() + GUARD_WAIT;
        loop {
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(Some(Guard { _file: file })),
                Err(e) if e == rustix::io::Errno::WOULDBLOCK || e == rustix::io::Errno::INTR => {}
                Err(e) => return Err(StoreError::io("flock", &path, e.into())),
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
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
        let in_use = |holder| StoreError::InUse {
            mailbox: mailbox.to_owned(),
            holder,
        };
        let Some(_guard) = Guard::take(dir)? else {
            return Err(in_use(None));
        };
        // Two rounds at most: the file at the path is free, held, or held by
        // a hung session, whose file is then unlinked so the second round
        // makes a new one nobody holds.
        for _ in 0..2 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .custom_flags(super::no_follow())
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
                        return Err(in_use(holder_of(&mut file)));
                    }
                    // A hung holder: break its lock. Under the guard, so
                    // the file unlinked is the one just found stale.
                    match fs::remove_file(&path) {
                        Ok(()) => continue,
                        Err(e) if e.kind() == ErrorKind::NotFound => continue,
                        Err(e) => return Err(io("break lock", e)),
                    }
                }
                Err(e) => return Err(io("flock", e.into())),
            }
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| {
                    file.write_all(format!("{} {host}\n", std::process::id()).as_bytes())
                })
                .map_err(|e| io("write lock", e))?;
            return Ok(MaildropLock {
                dir: dir.to_owned(),
                path,
                file,
                inode: inode(&meta),
                refreshed: Instant::now(),
            });
        }
        Err(in_use(None))
    }

    /// Checks that the lock is still ours, and refreshes it: a holder that
    /// hung past the age limit had its lock broken, and another session may
    /// hold the maildrop now, so it must not change the mailbox any more.
    /// Under the guard, so no one breaks the lock between the check and the
    /// refresh; once refreshed it is good for the whole age limit.
    pub(crate) fn check_held(&mut self, mailbox: &str) -> Result<(), StoreError> {
        let lost = || StoreError::InUse {
            mailbox: mailbox.to_owned(),
            holder: OpenOptions::new()
                .read(true)
                .custom_flags(super::no_follow())
                .open(&self.path)
                .ok()
                .and_then(|mut f| holder_of(&mut f)),
        };
        let Some(_guard) = Guard::take(&self.dir)? else {
            return Err(lost());
        };
        match fs::symlink_metadata(&self.path) {
            Ok(meta) if inode(&meta) == self.inode => {}
            _ => return Err(lost()),
        }
        self.refreshed = Instant::now();
        self.file
            .set_modified(SystemTime::now())
            .map_err(|e| StoreError::io("refresh lock", &self.path, e))
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
        // hung and our lock was broken, the new holder's file stays. Without
        // the guard, leave the file: a file nobody holds a flock on is free.
        if let Ok(Some(_guard)) = Guard::take(&self.dir)
            && let Ok(meta) = fs::symlink_metadata(&self.path)
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
        let mut hung = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
        let old = SystemTime::now() - 2 * HOUR;
        hung.file.set_modified(old).unwrap();
        assert!(MaildropLock::acquire(dir.path(), "box", "h", 3 * HOUR).is_err());
        let mut new = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
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
    fn a_guard_kept_too_long_refuses_rather_than_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let mut held = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
        let guard = Guard::take(dir.path()).unwrap().unwrap();
        let started = Instant::now();
        let err = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap_err();
        assert!(
            matches!(err, StoreError::InUse { holder: None, .. }),
            "{err:?}"
        );
        assert!(held.check_held("box").is_err());
        assert!(started.elapsed() >= 2 * GUARD_WAIT);
        // Released without the guard: the file stays, but nobody holds it.
        drop(held);
        drop(guard);
        assert!(dir.path().join(LOCK_FILE).exists());
        MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
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
