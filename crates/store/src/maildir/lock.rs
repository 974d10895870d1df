//! The maildrop lock (RFC 1939 §8): a lock file in the Maildir that names
//! its holder, with a staleness rule so a crashed session does not lock the
//! mailbox forever.
//!
//! The file `yubin-pop3.lock` holds `<pid> <host>\n`. It is stale when
//! either
//! - its holder is a process of this host that no longer runs (checked in
//!   `/proc`, where there is one), or
//! - it was last refreshed longer ago than the configured age. A live holder
//!   refreshes it (its modification time) at least once a minute while it
//!   works, so only a dead or hung holder ages past the limit.
//!
//! Taking over a stale lock removes it only if it is still the same file
//! (same inode) that was judged stale, then creates a new one exclusively;
//! two sessions racing for a stale lock cannot both win the `O_EXCL` create.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::StoreError;

/// The lock file's name inside the Maildir.
pub(crate) const LOCK_FILE: &str = "yubin-pop3.lock";

/// How often a holder refreshes its lock.
const REFRESH_EVERY: Duration = Duration::from_secs(60);

/// A held maildrop lock; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct MaildropLock {
    path: PathBuf,
    file: File,
    inode: (u64, u64),
    refreshed: Instant,
}

fn inode(meta: &fs::Metadata) -> (u64, u64) {
    (meta.dev(), meta.ino())
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
        let mut holder = None;
        // Bounded: each round either takes the lock, refuses, or removes one
        // stale lock file.
        for _ in 0..4 {
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(mut file) => {
                    file.write_all(format!("{} {host}\n", std::process::id()).as_bytes())
                        .map_err(|e| StoreError::io("write lock", &path, e))?;
                    let meta = file
                        .metadata()
                        .map_err(|e| StoreError::io("stat lock", &path, e))?;
                    return Ok(MaildropLock {
                        path,
                        file,
                        inode: inode(&meta),
                        refreshed: Instant::now(),
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(StoreError::io("create lock", &path, e)),
            }
            let (contents, meta) = match (fs::read_to_string(&path), fs::metadata(&path)) {
                (Ok(c), Ok(m)) => (c, m),
                // Released between our create and our read: try again.
                (Err(e), _) | (_, Err(e)) if e.kind() == ErrorKind::NotFound => continue,
                (Err(e), _) | (_, Err(e)) => return Err(StoreError::io("read lock", &path, e)),
            };
            holder = holder_of(&contents);
            if !is_stale(&contents, &meta, host, stale_after) {
                break;
            }
            match fs::symlink_metadata(&path) {
                Ok(now) if inode(&now) == inode(&meta) => match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(StoreError::io("remove stale lock", &path, e)),
                },
                _ => {}
            }
        }
        Err(StoreError::InUse {
            mailbox: mailbox.to_owned(),
            holder,
        })
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
        // Only our own lock: if we were judged stale and another session
        // took over, its lock stays.
        if let Ok(meta) = fs::symlink_metadata(&self.path)
            && inode(&meta) == self.inode
        {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn holder_of(contents: &str) -> Option<String> {
    let mut words = contents.split_whitespace();
    let pid = words.next()?;
    let host = words.next().unwrap_or("?");
    Some(format!("pid {pid} on {host}"))
}

/// The staleness rule of the module doc.
fn is_stale(contents: &str, meta: &fs::Metadata, host: &str, stale_after: Duration) -> bool {
    let mut words = contents.split_whitespace();
    if let (Some(pid), Some(lock_host)) = (words.next(), words.next())
        && lock_host == host
        && pid.parse::<u32>().is_ok()
        && Path::new("/proc/self").exists()
        && !Path::new("/proc").join(pid).exists()
    {
        return true;
    }
    let age = meta
        .modified()
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .unwrap_or_default();
    age > stale_after
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_dead_holders_lock_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        // A pid above the kernel's pid_max (4194304) never runs.
        fs::write(dir.path().join(LOCK_FILE), "4194305 h\n").unwrap();
        let lock = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
        let contents = fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap();
        assert_eq!(contents, format!("{} h\n", std::process::id()));
        drop(lock);
    }

    #[test]
    fn another_hosts_lock_goes_stale_only_with_age() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        fs::write(&path, "4194305 elsewhere\n").unwrap();
        assert!(MaildropLock::acquire(dir.path(), "box", "h", HOUR).is_err());
        let old = SystemTime::now() - 2 * HOUR;
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap();
    }

    #[test]
    fn an_unreadable_lock_goes_stale_with_age() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        fs::write(&path, "").unwrap();
        let err = MaildropLock::acquire(dir.path(), "box", "h", HOUR).unwrap_err();
        assert!(matches!(err, StoreError::InUse { holder: None, .. }));
        std::thread::sleep(Duration::from_millis(20));
        MaildropLock::acquire(dir.path(), "box", "h", Duration::from_millis(1)).unwrap();
    }
}
