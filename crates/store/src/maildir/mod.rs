//! The Maildir store: one Maildir (`tmp/`, `new/`, `cur/`) per mailbox; the
//! rules it follows are on [`Maildir`].

mod journal;
mod lock;
mod name;
mod sync;

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::crlf::{CrlfCounter, CrlfToLf};
use crate::quota::Usage;
use crate::{
    CommitSummary, Delivered, Delivery, MailStore, MailboxName, Maildrop, MessageChunks,
    MessageInfo, Quota, StoreError, Uid,
};
use lock::MaildropLock;
use name::FileName;
use sync::DirSyncer;

/// How a Maildir store keeps line endings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoredLineEndings {
    /// CRLF becomes LF, as qmail and Dovecot store mail and as mutt and
    /// Python's `mailbox` expect it. Reads give CRLF back.
    #[default]
    Lf,
    /// The bytes are stored as delivered.
    AsDelivered,
}

/// How a Maildir store behaves; [`MaildirConfig::default`] documents each
/// default.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MaildirConfig {
    /// The host name in unique names; `None` reads the system's. Default
    /// `None`.
    pub hostname: Option<String>,
    /// Line endings on disk. Default [`StoredLineEndings::Lf`].
    pub line_endings: StoredLineEndings,
    /// Move the messages a POP3 session listed from `new/` to `cur/` when it
    /// commits. Default `true` (Dovecot does the same).
    pub move_seen_to_cur: bool,
    /// Add the `S` flag to messages a POP3 session retrieved whole (RETR)
    /// when it commits. Default `true`.
    pub mark_retrieved_seen: bool,
    /// A maildrop lock whose holder is alive but has not refreshed it for
    /// this long is broken (a hung session; a crashed one frees the lock at
    /// once, see [`Maildir::open_maildrop`]). Default 30 minutes: three times
    /// the shortest POP3 inactivity timer RFC 1939 §3 allows (10 minutes),
    /// while a working holder refreshes every minute. The refresh happens
    /// at session calls (RETR, TOP, DELE, QUIT), not while a message is
    /// streamed: one download longer than this can lose the lock, and the
    /// session's commit then removes nothing ([`StoreError::InUse`]).
    pub lock_stale_after: Duration,
    /// Limits per mailbox. Default none. Usage is counted from the names in
    /// `new/` and `cur/` at each delivery (a directory listing, no reads and
    /// no `maildirsize` file), so deliveries running at the same moment may
    /// overshoot the limit by what they carry.
    pub quota: Quota,
}

impl Default for MaildirConfig {
    fn default() -> Self {
        MaildirConfig {
            hostname: None,
            line_endings: StoredLineEndings::Lf,
            move_seen_to_cur: true,
            mark_retrieved_seen: true,
            lock_stale_after: Duration::from_secs(30 * 60),
            quota: Quota::default(),
        }
    }
}

impl MaildirConfig {
    /// Sets [`hostname`](Self::hostname).
    pub fn with_hostname(mut self, hostname: impl Into<String>) -> Self {
        self.hostname = Some(hostname.into());
        self
    }

    /// Sets [`line_endings`](Self::line_endings).
    pub fn with_line_endings(mut self, line_endings: StoredLineEndings) -> Self {
        self.line_endings = line_endings;
        self
    }

    /// Sets [`move_seen_to_cur`](Self::move_seen_to_cur).
    pub fn with_move_seen_to_cur(mut self, move_seen_to_cur: bool) -> Self {
        self.move_seen_to_cur = move_seen_to_cur;
        self
    }

    /// Sets [`mark_retrieved_seen`](Self::mark_retrieved_seen).
    pub fn with_mark_retrieved_seen(mut self, mark_retrieved_seen: bool) -> Self {
        self.mark_retrieved_seen = mark_retrieved_seen;
        self
    }

    /// Sets [`lock_stale_after`](Self::lock_stale_after).
    pub fn with_lock_stale_after(mut self, lock_stale_after: Duration) -> Self {
        self.lock_stale_after = lock_stale_after;
        self
    }

    /// Sets [`quota`](Self::quota).
    pub fn with_quota(mut self, quota: Quota) -> Self {
        self.quota = quota;
        self
    }
}

/// The two folders a message can rest in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sub {
    New,
    Cur,
}

impl Sub {
    fn dir(self) -> &'static str {
        match self {
            Sub::New => "new",
            Sub::Cur => "cur",
        }
    }
}

#[derive(Debug)]
struct Shared {
    path: PathBuf,
    /// The name used in errors.
    label: String,
    host: String,
    config: MaildirConfig,
    new_sync: DirSyncer,
    cur_sync: DirSyncer,
}

/// One Maildir directory, as qmail, Dovecot, mutt and Python's `mailbox`
/// read and write it. Cloning gives another handle on it, sharing the fsyncs
/// of concurrent deliveries.
///
/// - Delivery writes `tmp/<unique>`, fsyncs it, renames it to
///   `new/<unique>,S=<size>,W=<crlf size>` and fsyncs `new/` (shared between
///   concurrent deliveries, see [`Maildir::dir_fsyncs`]); only then does
///   [`Delivery::commit`] return. A delivery killed at any point leaves at
///   most a file in `tmp/`, never a partial message in `new/` or `cur/`;
///   [`Maildir::clean_tmp`] removes such leftovers.
/// - Messages are stored with LF line endings, the Maildir convention
///   ([`StoredLineEndings`]); `,S=` is the file's size and `,W=` its size
///   with CRLF, so a POP3 listing needs no reads (only a `stat` per file to
///   check that `S=` tells the truth; a name without them is counted by
///   reading the file).
/// - The unique id of a message is its unique part: the file name up to the
///   first `,` or info separator (`:`, or `;` as some Windows-friendly
///   software writes). It never changes when flags change or the message
///   moves from `new/` to `cur/`, so it is stable across sessions and
///   restarts; see [`Uid::from_name`] for names too long for UIDL.
/// - A POP3 session locks the Maildir (see [`Maildir::open_maildrop`]) and, on
///   commit, removes the deleted messages as one step that survives a crash
///   (a durable journal, `yubin-pop3.deletions`, names them first, and the
///   next session finishes what a crash cut short; see
///   [`Maildir::recover_deletions`]), moves the others it listed from
///   `new/` to `cur/` (so mail clients see them as no longer new) and adds
///   the `S` (seen) flag to those it retrieved; both are configurable.
#[derive(Debug, Clone)]
pub struct Maildir {
    shared: Arc<Shared>,
}

impl Maildir {
    /// Opens the Maildir at `path`, which must have `tmp/`, `new/` and
    /// `cur/` (else [`StoreError::NoSuchMailbox`]).
    pub fn open(path: impl Into<PathBuf>, config: MaildirConfig) -> Result<Maildir, StoreError> {
        let path = path.into();
        let label = path.display().to_string();
        Self::open_labelled(path, label, config)
    }

    /// Creates the Maildir at `path` (and its parents) if needed, and opens it.
    pub fn create(path: impl Into<PathBuf>, config: MaildirConfig) -> Result<Maildir, StoreError> {
        let path = path.into();
        create_dirs(&path)?;
        Self::open(path, config)
    }

    fn open_labelled(
        path: PathBuf,
        label: String,
        config: MaildirConfig,
    ) -> Result<Maildir, StoreError> {
        for sub in ["tmp", "new", "cur"] {
            if !path.join(sub).is_dir() {
                return Err(StoreError::NoSuchMailbox(label));
            }
        }
        let host = name::sanitize_host(&config.hostname.clone().unwrap_or_else(name::system_host));
        Ok(Maildir {
            shared: Arc::new(Shared {
                new_sync: DirSyncer::new(path.join("new")),
                cur_sync: DirSyncer::new(path.join("cur")),
                path,
                label,
                host,
                config,
            }),
        })
    }

    /// The Maildir's directory.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// How many fsyncs of `new/` deliveries have done: fewer than the
    /// deliveries when concurrent deliveries shared them (group commit).
    pub fn dir_fsyncs(&self) -> u64 {
        self.shared.new_sync.fsyncs()
    }

    /// Starts a delivery: creates `tmp/<unique>` exclusively.
    pub fn begin_delivery(&self) -> Result<MaildirDelivery, StoreError> {
        let shared = &self.shared;
        let quota = shared.config.quota;
        let usage = if quota == Quota::default() {
            Usage::default()
        } else {
            self.usage()?
        };
        quota.check(&shared.label, usage, 0)?;
        // Bounded: a clash means another process made the same name in the
        // same microsecond; the counter moves on each round.
        let mut last_error = None;
        for _ in 0..8 {
            let unique = name::new_unique(&shared.host);
            let tmp_path = shared.path.join("tmp").join(&unique);
            // Mail is private to its owner: 0600, as Dovecot and qmail make it.
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp_path)
            {
                Ok(file) => {
                    return Ok(MaildirDelivery {
                        maildir: self.clone(),
                        unique,
                        tmp_path,
                        file: Some(BufWriter::with_capacity(64 * 1024, file)),
                        stored: 0,
                        crlf: CrlfCounter::new(),
                        to_lf: match shared.config.line_endings {
                            StoredLineEndings::Lf => Some(CrlfToLf::new()),
                            StoredLineEndings::AsDelivered => None,
                        },
                        usage,
                        aborted: false,
                    });
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => last_error = Some(e),
                Err(e) => return Err(StoreError::io("create", tmp_path, e)),
            }
        }
        Err(StoreError::io(
            "create",
            shared.path.join("tmp"),
            last_error.unwrap_or_else(|| ErrorKind::AlreadyExists.into()),
        ))
    }

    /// Delivers a whole message; returns once it is durable.
    pub fn deliver(&self, message: &[u8]) -> Result<Delivered, StoreError> {
        let mut delivery = self.begin_delivery()?;
        delivery.write(message)?;
        delivery.commit()
    }

    /// Opens the maildrop for a POP3 session, exclusively (RFC 1939 §8).
    ///
    /// The lock is the file `yubin-pop3.lock` in the Maildir, holding
    /// `<pid> <host>`, on which the holder keeps an exclusive `flock`.
    /// Another session gets [`StoreError::InUse`] (POP3 `[IN-USE]`, naming
    /// the holder). Staleness: the kernel drops the `flock` of a process that
    /// ends, however it ends, so a crashed session's lock is free at once; a
    /// holder alive but hung, which stopped refreshing the file (done every
    /// minute while it works), loses its lock after
    /// [`MaildirConfig::lock_stale_after`]. Taking, breaking and releasing
    /// the lock happen under a brief `flock` on `yubin-pop3.lock.guard`
    /// (never removed), so two sessions breaking a hung holder's lock at the
    /// same moment cannot both win, and the hung holder, when it wakes up,
    /// finds it lost the lock and commits nothing.
    ///
    /// Before listing, a deletion journal left by a session whose commit
    /// was cut short is replayed (see [`Maildrop::commit`] on
    /// [`MaildirMaildrop`]).
    pub fn open_maildrop(&self) -> Result<MaildirMaildrop, StoreError> {
        let shared = &self.shared;
        let lock = MaildropLock::acquire(
            &shared.path,
            &shared.label,
            &shared.host,
            shared.config.lock_stale_after,
        )?;
        // A commit cut short by a crash is finished before anything is
        // listed, so the deletions it journaled are all gone.
        self.replay_journal()?;
        let mut scanned = self.scan()?;
        scanned.sort_by(|a, b| {
            let (na, nb) = (FileName::parse(&a.file_name), FileName::parse(&b.file_name));
            na.delivery_order().cmp(&nb.delivery_order())
        });
        let mut seen = HashSet::new();
        let mut entries = Vec::with_capacity(scanned.len());
        let mut listing = Vec::with_capacity(scanned.len());
        for found in scanned {
            let parsed = FileName::parse(&found.file_name);
            let size = match (parsed.size, parsed.crlf_size) {
                (Some(s), Some(w)) if s == found.len => w,
                _ => match self.count_crlf_size(found.sub, &found.file_name) {
                    Ok(size) => size,
                    // Removed by another program since the scan.
                    Err(StoreError::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                        continue;
                    }
                    Err(e) => return Err(e),
                },
            };
            let mut uid = Uid::from_name(parsed.unique);
            if !seen.insert(uid.clone()) {
                // Two files claim one unique part (copied by hand?): UIDL
                // must still be unique (RFC 1939 §7).
                uid = Uid::from_name(&format!("{}/{}", found.sub.dir(), found.file_name));
                seen.insert(uid.clone());
            }
            entries.push(Entry {
                unique: parsed.unique.to_owned(),
                sub: found.sub,
                file_name: found.file_name.clone(),
                retrieved: false,
            });
            listing.push(MessageInfo {
                uid,
                size,
                deleted: false,
            });
        }
        Ok(MaildirMaildrop {
            maildir: self.clone(),
            lock,
            entries,
            listing,
        })
    }

    /// Finishes the deletions of a POP3 session whose commit was cut short
    /// (by a crash or a kill), as [`Maildir::open_maildrop`] does before it
    /// lists anything; for a maintenance job that wants a Maildir in a
    /// settled state without opening a session. Takes the maildrop lock for
    /// the time it runs ([`StoreError::InUse`] while a session holds it:
    /// that session did the same when it opened). Returns how many
    /// messages were removed.
    pub fn recover_deletions(&self) -> Result<usize, StoreError> {
        let shared = &self.shared;
        let _lock = MaildropLock::acquire(
            &shared.path,
            &shared.label,
            &shared.host,
            shared.config.lock_stale_after,
        )?;
        Ok(self.replay_journal()?.map_or(0, |r| r.removed))
    }

    /// Replays the deletion journal if there is one (see the `journal`
    /// module); the caller holds the maildrop lock. Idempotent: the journal
    /// is removed only once its removals are durable, so a crash during the
    /// replay leaves it for the next one.
    fn replay_journal(&self) -> Result<Option<Replayed>, StoreError> {
        let root = &self.shared.path;
        let Some(doomed) = journal::read(root)? else {
            return Ok(None);
        };
        let (mut sync_new, mut sync_cur) = (false, false);
        let mut touch = |sub| match sub {
            Sub::New => sync_new = true,
            Sub::Cur => sync_cur = true,
        };
        let mut failed = 0;
        // Files another program renamed since the listing (new flags, moved
        // to cur/): found by their unique part in one scan, not one each.
        let mut moved = HashSet::new();
        for (sub, file_name) in &doomed {
            let path = root.join(sub.dir()).join(file_name);
            match fs::remove_file(&path) {
                Ok(()) => touch(*sub),
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    moved.insert(FileName::parse(file_name).unique);
                }
                Err(_) => failed += 1,
            }
        }
        if !moved.is_empty() {
            for found in self.scan()? {
                if moved.remove(FileName::parse(&found.file_name).unique) {
                    let path = root.join(found.sub.dir()).join(&found.file_name);
                    match fs::remove_file(&path) {
                        Ok(()) => touch(found.sub),
                        Err(e) if e.kind() == ErrorKind::NotFound => {}
                        Err(_) => failed += 1,
                    }
                }
            }
            // What is still in `moved` is gone already: the goal is reached.
        }
        let shared = &self.shared;
        if sync_new {
            shared.new_sync.sync()?;
        }
        if sync_cur {
            shared.cur_sync.sync()?;
        }
        // A removal that failed (not a crash: a permission, an I/O error)
        // is not retried for ever: the message stays listed and the caller
        // reports "some deleted messages not removed" (RFC 1939 §6).
        journal::remove(root)?;
        Ok(Some(Replayed {
            removed: doomed.len() - failed,
            failed,
        }))
    }

    /// Removes files in `tmp/` older than `older_than`: deliveries that were
    /// killed half-way. The Maildir specification suggests 36 hours. Returns
    /// how many were removed.
    pub fn clean_tmp(&self, older_than: Duration) -> Result<usize, StoreError> {
        let tmp = self.shared.path.join("tmp");
        let now = SystemTime::now();
        let mut removed = 0;
        for entry in fs::read_dir(&tmp).map_err(|e| StoreError::io("read_dir", &tmp, e))? {
            let entry = entry.map_err(|e| StoreError::io("read_dir", &tmp, e))?;
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age >= older_than);
            if old && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn scan(&self) -> Result<Vec<Found>, StoreError> {
        let mut found = Vec::new();
        for sub in [Sub::New, Sub::Cur] {
            let dir = self.shared.path.join(sub.dir());
            for entry in fs::read_dir(&dir).map_err(|e| StoreError::io("read_dir", &dir, e))? {
                let entry = entry.map_err(|e| StoreError::io("read_dir", &dir, e))?;
                // Not UTF-8: not a name any Maildir writer makes; skipped.
                let Ok(file_name) = entry.file_name().into_string() else {
                    continue;
                };
                // The Maildir specification: names starting with a dot are
                // not messages.
                if file_name.starts_with('.') {
                    continue;
                }
                // No Maildir writer puts a line break in a name, and the
                // deletion journal is one name per line.
                if file_name.contains(['\n', '\r']) {
                    continue;
                }
                match entry.metadata() {
                    Ok(meta) if meta.is_file() => found.push(Found {
                        sub,
                        file_name,
                        len: meta.len(),
                    }),
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(StoreError::io("stat", entry.path(), e)),
                }
            }
        }
        Ok(found)
    }

    fn usage(&self) -> Result<Usage, StoreError> {
        let mut usage = Usage::default();
        for found in self.scan()? {
            let parsed = FileName::parse(&found.file_name);
            usage.bytes += parsed.crlf_size.unwrap_or(found.len);
            usage.messages += 1;
        }
        Ok(usage)
    }

    fn count_crlf_size(&self, sub: Sub, file_name: &str) -> Result<u64, StoreError> {
        let path = self.shared.path.join(sub.dir()).join(file_name);
        let mut file = open_message(&path).map_err(|e| StoreError::io("open", &path, e))?;
        let mut counter = CrlfCounter::new();
        let mut buf = vec![0; 64 * 1024];
        loop {
            match file.read(&mut buf) {
                Ok(0) => return Ok(counter.size()),
                Ok(n) => counter.feed(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(StoreError::io("read", &path, e)),
            }
        }
    }

    /// Where a message with this unique part is now, if anywhere: another
    /// program may have moved it or changed its flags.
    fn locate(&self, unique: &str) -> Result<Option<(Sub, String)>, StoreError> {
        Ok(self
            .scan()?
            .into_iter()
            .find(|f| FileName::parse(&f.file_name).unique == unique)
            .map(|f| (f.sub, f.file_name)))
    }
}

/// Creates the Maildir's folders, private to their owner (0700), and makes
/// their creation durable: a message is durable only if the directories
/// leading to it are, so every directory made here, and the entry for the
/// topmost one in the directory that already existed, is fsynced before
/// this returns (a delivery acknowledged right after must not vanish with
/// its freshly made mailbox in a crash).
fn create_dirs(path: &Path) -> Result<(), StoreError> {
    let as_dir = |p: &Path| {
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p.to_owned()
        }
    };
    let mut existing = as_dir(path);
    while !existing.is_dir() {
        match existing.parent() {
            Some(parent) => existing = as_dir(parent),
            None => break,
        }
    }
    let mut made = existing != as_dir(path);
    for sub in ["tmp", "new", "cur"] {
        let dir = path.join(sub);
        if dir.is_dir() {
            continue;
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| StoreError::io("create directory", &dir, e))?;
        made = true;
    }
    if made {
        // The Maildir holds the entries of tmp/, new/ and cur/; each parent
        // up to the one that existed holds the entry of the one below.
        let mut dir = as_dir(path);
        loop {
            sync::fsync_dir(&dir)?;
            if dir == existing {
                break;
            }
            match dir.parent() {
                Some(parent) => dir = as_dir(parent),
                None => break,
            }
        }
    }
    Ok(())
}

/// What replaying a deletion journal did.
#[derive(Debug, Clone, Copy)]
struct Replayed {
    /// Messages gone now (also those someone else had removed already).
    removed: usize,
    /// Messages whose removal failed; they stay in the Maildir.
    failed: usize,
}

/// `O_NOFOLLOW`, for every file this store opens in a Maildir: whoever can
/// write the Maildir (its owner) must not make a server running with more
/// rights read, truncate or write another file through a symbolic link.
fn no_follow() -> i32 {
    rustix::fs::OFlags::NOFOLLOW.bits() as i32
}

/// Opens a message file for reading: not through a symbolic link, and only
/// a regular file (a FIFO swapped in after the listing would block the
/// reader for ever; `O_NONBLOCK` makes opening one return at once).
fn open_message(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(no_follow() | rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

struct Found {
    sub: Sub,
    file_name: String,
    len: u64,
}

/// A message being delivered into a [`Maildir`].
#[derive(Debug)]
pub struct MaildirDelivery {
    maildir: Maildir,
    unique: String,
    tmp_path: PathBuf,
    /// `None` once committed.
    file: Option<BufWriter<File>>,
    stored: u64,
    crlf: CrlfCounter,
    to_lf: Option<CrlfToLf>,
    usage: Usage,
    /// A write failed: the message is incomplete.
    aborted: bool,
}

impl MaildirDelivery {
    fn store(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        let file = self.file.as_mut().expect("written only before commit");
        file.write_all(bytes)
            .map_err(|e| StoreError::io("write", &self.tmp_path, e))?;
        self.stored += bytes.len() as u64;
        self.crlf.feed(bytes);
        Ok(())
    }

    fn convert(&mut self, chunk: &[u8], finish: bool) -> Result<(), StoreError> {
        match self.to_lf.take() {
            None => self.store(chunk),
            Some(mut to_lf) => {
                let mut sink = |b: &[u8]| self.store(b);
                let result = if finish {
                    to_lf.finish(&mut sink)
                } else {
                    to_lf.convert(chunk, &mut sink)
                };
                self.to_lf = Some(to_lf);
                result
            }
        }
    }
}

impl Delivery for MaildirDelivery {
    fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        if self.aborted {
            return Err(StoreError::DeliveryAborted);
        }
        let shared = &self.maildir.shared;
        let (quota, label, usage) = (shared.config.quota, shared.label.clone(), self.usage);
        let result = self
            .convert(chunk, false)
            .and_then(|()| quota.check(&label, usage, self.crlf.size()));
        self.aborted = result.is_err();
        result
    }

    fn commit(mut self) -> Result<Delivered, StoreError> {
        if self.aborted {
            return Err(StoreError::DeliveryAborted);
        }
        self.convert(&[], true)?;
        let file = self.file.take().expect("committed once");
        let file = file
            .into_inner()
            .map_err(|e| StoreError::io("write", &self.tmp_path, e.into_error()))?;
        file.sync_all()
            .map_err(|e| StoreError::io("fsync", &self.tmp_path, e))?;
        drop(file);
        let shared = &self.maildir.shared;
        let final_name = format!("{},S={},W={}", self.unique, self.stored, self.crlf.size());
        let new_path = shared.path.join("new").join(final_name);
        if let Err(e) = fs::rename(&self.tmp_path, &new_path) {
            let _ = fs::remove_file(&self.tmp_path);
            return Err(StoreError::io("rename", new_path, e));
        }
        // A failed directory fsync leaves the message in new/ but reports a
        // temporary failure: the sender retries, and a duplicate is better
        // than a lost message.
        shared.new_sync.sync()?;
        Ok(Delivered {
            uid: Uid::from_name(&self.unique),
            size: self.crlf.size(),
        })
    }
}

impl Drop for MaildirDelivery {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp_path);
        }
    }
}

#[derive(Debug)]
struct Entry {
    unique: String,
    sub: Sub,
    file_name: String,
    retrieved: bool,
}

/// A [`Maildir`] opened by one POP3 session; holds the maildrop lock until
/// committed or dropped.
#[derive(Debug)]
pub struct MaildirMaildrop {
    maildir: Maildir,
    lock: MaildropLock,
    entries: Vec<Entry>,
    listing: Vec<MessageInfo>,
}

impl MaildirMaildrop {
    /// Opens the message's file, following it if another program moved it.
    fn open_file(&mut self, index: usize) -> Result<(File, PathBuf), StoreError> {
        self.message(index)?;
        self.lock.refresh();
        let root = self.maildir.path().to_owned();
        let entry = &mut self.entries[index];
        let path = root.join(entry.sub.dir()).join(&entry.file_name);
        match open_message(&path) {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io("open", path, e)),
        }
        let Some((sub, file_name)) = self.maildir.locate(&entry.unique)? else {
            return Err(StoreError::MessageVanished(entry.unique.clone()));
        };
        entry.sub = sub;
        entry.file_name = file_name;
        let path = root.join(sub.dir()).join(&entry.file_name);
        let file = open_message(&path).map_err(|e| StoreError::io("open", &path, e))?;
        Ok((file, path))
    }

    /// Moves a kept message to `cur/` and flags it seen, as configured.
    /// Returns the folders it touched.
    fn settle(&self, entry: &Entry) -> Option<(Sub, Sub)> {
        let config = &self.maildir.shared.config;
        let parsed = FileName::parse(&entry.file_name);
        let add_seen = config.mark_retrieved_seen && entry.retrieved && !parsed.has_flag('S');
        let to_cur = config.move_seen_to_cur && entry.sub == Sub::New;
        let target = match (to_cur, add_seen) {
            (_, true) if to_cur || entry.sub == Sub::Cur => (Sub::Cur, parsed.with_flag('S')),
            (true, false) => (Sub::Cur, parsed.for_cur()),
            // Flags live in cur/ only; a message left in new/ keeps its name.
            _ => return None,
        };
        let root = self.maildir.path();
        let from = root.join(entry.sub.dir()).join(&entry.file_name);
        let to = root.join(target.0.dir()).join(&target.1);
        // Best effort: another program may have moved it already, and a
        // message left where it was is still listed correctly next time.
        fs::rename(from, to).ok().map(|()| (entry.sub, target.0))
    }
}

impl Maildrop for MaildirMaildrop {
    fn messages(&self) -> &[MessageInfo] {
        &self.listing
    }

    fn read(&mut self, index: usize) -> Result<MessageChunks, StoreError> {
        let (file, path) = self.open_file(index)?;
        self.entries[index].retrieved = true;
        Ok(MessageChunks::from_reader(
            file,
            path.display().to_string(),
            true,
        ))
    }

    fn read_top(&mut self, index: usize, body_lines: usize) -> Result<MessageChunks, StoreError> {
        let (file, path) = self.open_file(index)?;
        Ok(MessageChunks::from_reader(file, path.display().to_string(), true).top(body_lines))
    }

    fn mark_deleted(&mut self, index: usize) -> Result<(), StoreError> {
        self.message(index)?;
        self.lock.refresh();
        self.listing[index].deleted = true;
        Ok(())
    }

    fn reset(&mut self) {
        for m in &mut self.listing {
            m.deleted = false;
        }
    }

    /// Atomic across a crash: the files to remove are first written to a
    /// journal made durable in the Maildir, then removed, then the journal
    /// goes; a session that crashed (or was killed) half-way has its journal
    /// replayed by the next [`Maildir::open_maildrop`], so the next session
    /// sees none or all of the deletions. Returns once the removals are
    /// durable. A session whose lock was broken while it hung (see
    /// [`MaildirConfig::lock_stale_after`]) removes nothing and gets
    /// [`StoreError::InUse`]: another session may be using the listing.
    fn commit(mut self) -> Result<CommitSummary, StoreError> {
        self.lock.check_held(&self.maildir.shared.label)?;
        let root = self.maildir.path();
        let doomed = self
            .entries
            .iter()
            .zip(&self.listing)
            .filter(|(_, info)| info.deleted)
            .map(|(entry, _)| (entry.sub, entry.file_name.as_str()));
        let marked = self.listing.iter().filter(|m| m.deleted).count();
        let mut failed = 0;
        if marked > 0 {
            journal::write(root, doomed)?;
            failed = self.maildir.replay_journal()?.map_or(marked, |r| r.failed);
        }
        let (mut sync_new, mut sync_cur) = (false, false);
        let mut touch = |sub| match sub {
            Sub::New => sync_new = true,
            Sub::Cur => sync_cur = true,
        };
        for (entry, info) in self.entries.iter().zip(&self.listing) {
            if !info.deleted
                && let Some((from, to)) = self.settle(entry)
            {
                touch(from);
                touch(to);
            }
        }
        let shared = &self.maildir.shared;
        if sync_new {
            shared.new_sync.sync()?;
        }
        if sync_cur {
            shared.cur_sync.sync()?;
        }
        if failed > 0 {
            return Err(StoreError::NotAllRemoved { marked, failed });
        }
        // Dropping `self` now releases the lock.
        Ok(CommitSummary {
            removed: marked,
            kept: self.listing.len() - marked,
        })
    }
}

/// Many mailboxes, each a [`Maildir`] named after it under one root:
/// `<root>/<mailbox>/{tmp,new,cur}`.
#[derive(Debug)]
pub struct MaildirStore {
    root: PathBuf,
    config: MaildirConfig,
    open: Mutex<HashMap<MailboxName, Maildir>>,
}

impl MaildirStore {
    /// A store whose mailboxes live under `root`.
    pub fn new(root: impl Into<PathBuf>, config: MaildirConfig) -> MaildirStore {
        MaildirStore {
            root: root.into(),
            config,
            open: Mutex::default(),
        }
    }

    /// The Maildir of `mailbox`, which must exist.
    pub fn maildir(&self, mailbox: &MailboxName) -> Result<Maildir, StoreError> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(maildir) = open.get(mailbox) {
            return Ok(maildir.clone());
        }
        let maildir = Maildir::open_labelled(
            self.root.join(mailbox.as_str()),
            mailbox.to_string(),
            self.config.clone(),
        )?;
        open.insert(mailbox.clone(), maildir.clone());
        Ok(maildir)
    }
}

impl MailStore for MaildirStore {
    type Delivery = MaildirDelivery;
    type Maildrop = MaildirMaildrop;

    fn create_mailbox(&self, mailbox: &MailboxName) -> Result<(), StoreError> {
        create_dirs(&self.root.join(mailbox.as_str()))
    }

    fn begin_delivery(&self, mailbox: &MailboxName) -> Result<MaildirDelivery, StoreError> {
        self.maildir(mailbox)?.begin_delivery()
    }

    fn open_maildrop(&self, mailbox: &MailboxName) -> Result<MaildirMaildrop, StoreError> {
        self.maildir(mailbox)?.open_maildrop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(maildir: &Maildir) -> Vec<(Sub, String)> {
        let mut files: Vec<_> = maildir
            .scan()
            .unwrap()
            .into_iter()
            .map(|f| (f.sub, f.file_name))
            .collect();
        files.sort_by(|a, b| a.1.cmp(&b.1));
        files
    }

    fn three_messages() -> (tempfile::TempDir, Maildir, Vec<(Sub, String)>) {
        let tmp = tempfile::tempdir().unwrap();
        let maildir = Maildir::create(tmp.path().join("m"), MaildirConfig::default()).unwrap();
        for i in 0..3 {
            maildir
                .deliver(format!("Subject: {i}\r\n\r\nbody\r\n").as_bytes())
                .unwrap();
        }
        let files = files(&maildir);
        assert_eq!(files.len(), 3);
        (tmp, maildir, files)
    }

    #[test]
    fn a_journal_left_half_done_is_finished_by_the_next_session() {
        let (_tmp, maildir, files) = three_messages();
        // The crashed commit had journaled the first two and unlinked one.
        journal::write(
            maildir.path(),
            files[..2].iter().map(|(sub, name)| (*sub, name.as_str())),
        )
        .unwrap();
        fs::remove_file(maildir.path().join("new").join(&files[0].1)).unwrap();
        let session = maildir.open_maildrop().unwrap();
        assert_eq!(session.messages().len(), 1);
        assert_eq!(
            session.messages()[0].uid,
            Uid::from_name(FileName::parse(&files[2].1).unique)
        );
        assert!(!maildir.path().join(journal::JOURNAL).exists());
        drop(session);
        assert_eq!(self::files(&maildir), [files[2].clone()]);
    }

    #[test]
    fn replay_follows_messages_another_program_renamed() {
        let (_tmp, maildir, files) = three_messages();
        journal::write(maildir.path(), [(files[1].0, files[1].1.as_str())]).unwrap();
        // mutt saw it meanwhile: moved to cur/ and flagged.
        let flagged = format!("{}:2,S", files[1].1);
        fs::rename(
            maildir.path().join("new").join(&files[1].1),
            maildir.path().join("cur").join(&flagged),
        )
        .unwrap();
        assert_eq!(maildir.recover_deletions().unwrap(), 1);
        assert_eq!(self::files(&maildir), [files[0].clone(), files[2].clone()]);
        // Replaying is idempotent: nothing more to do.
        assert_eq!(maildir.recover_deletions().unwrap(), 0);
    }

    #[test]
    fn recovery_waits_for_a_session_holding_the_maildrop() {
        let (_tmp, maildir, files) = three_messages();
        let session = maildir.open_maildrop().unwrap();
        journal::write(maildir.path(), [(files[0].0, files[0].1.as_str())]).unwrap();
        assert!(matches!(
            maildir.recover_deletions(),
            Err(StoreError::InUse { .. })
        ));
        assert_eq!(self::files(&maildir).len(), 3);
        drop(session);
        assert_eq!(maildir.recover_deletions().unwrap(), 1);
    }

    #[test]
    fn a_journal_cannot_remove_files_outside_new_and_cur() {
        let (tmp, maildir, files) = three_messages();
        let victim = tmp.path().join("victim");
        fs::write(&victim, "keep me").unwrap();
        fs::write(maildir.path().join("tmp").join("in-tmp"), "keep me").unwrap();
        fs::write(
            maildir.path().join(journal::JOURNAL),
            "yubin-store deletions 1\nnew/../../victim\ncur/../tmp/in-tmp\ntmp/in-tmp\nend\n",
        )
        .unwrap();
        assert_eq!(maildir.recover_deletions().unwrap(), 0);
        assert!(victim.exists());
        assert!(maildir.path().join("tmp").join("in-tmp").exists());
        assert_eq!(self::files(&maildir), files);
    }

    #[test]
    fn creating_a_maildir_makes_every_missing_directory_and_is_idempotent() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a").join("b").join("c");
        create_dirs(&deep).unwrap();
        for sub in ["tmp", "new", "cur"] {
            assert!(deep.join(sub).is_dir(), "{sub}");
        }
        create_dirs(&deep).unwrap();
        // A Maildir missing one folder (made by hand) gets it.
        fs::remove_dir(deep.join("cur")).unwrap();
        create_dirs(&deep).unwrap();
        assert!(deep.join("cur").is_dir());
        // A file where a directory should be: an error, not a panic.
        fs::write(tmp.path().join("f"), "").unwrap();
        assert!(matches!(
            create_dirs(&tmp.path().join("f").join("m")),
            Err(StoreError::Io { .. })
        ));
    }

    #[test]
    fn names_with_line_breaks_are_not_messages() {
        let (_tmp, maildir, files) = three_messages();
        // Deleting this one would write "new/<one of the three>" into the
        // journal as a line of its own.
        let odd = format!("{}\nx", files[0].1);
        fs::write(maildir.path().join("new").join(&odd), "x").unwrap();
        let session = maildir.open_maildrop().unwrap();
        assert_eq!(session.messages().len(), 3);
    }

    #[test]
    fn a_commit_leaves_no_journal_behind() {
        let (_tmp, maildir, _files) = three_messages();
        let mut session = maildir.open_maildrop().unwrap();
        session.mark_deleted(0).unwrap();
        session.mark_deleted(2).unwrap();
        let summary = session.commit().unwrap();
        assert_eq!((summary.removed, summary.kept), (2, 1));
        let names: Vec<_> = fs::read_dir(maildir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        // Only the lock's guard, which is never removed, stays.
        let ours: Vec<_> = names
            .iter()
            .filter(|n| n.starts_with("yubin-pop3"))
            .collect();
        assert_eq!(ours, [lock::GUARD_FILE], "{names:?}");
        assert_eq!(files(&maildir).len(), 1);
    }

    #[test]
    fn a_session_whose_lock_was_broken_cannot_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let config = MaildirConfig::default().with_lock_stale_after(Duration::from_secs(3600));
        let maildir = Maildir::create(tmp.path().join("m"), config).unwrap();
        maildir.deliver(b"Subject: x\r\n\r\n").unwrap();
        let mut hung = maildir.open_maildrop().unwrap();
        hung.mark_deleted(0).unwrap();
        // Hung for two hours: its lock file was not refreshed.
        let lock = File::options()
            .write(true)
            .open(maildir.path().join(lock::LOCK_FILE))
            .unwrap();
        lock.set_modified(SystemTime::now() - Duration::from_secs(7200))
            .unwrap();
        let other = maildir.open_maildrop().unwrap();
        assert!(matches!(hung.commit(), Err(StoreError::InUse { .. })));
        assert_eq!(other.messages().len(), 1);
        assert_eq!(files(&maildir).len(), 1);
    }
}
