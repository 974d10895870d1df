//! Group commit of directory fsyncs.
//!
//! A rename into `new/` is durable once the directory is fsynced. One fsync
//! of the directory makes every rename done before it started durable, so
//! concurrent deliveries share it: the first to arrive runs the fsync, the
//! ones arriving meanwhile wait for the next one, which then covers them
//! all. The file fsyncs cannot be shared (each file's data needs its own),
//! the directory's can.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

use crate::StoreError;

#[derive(Debug, Default)]
struct State {
    /// Number of fsyncs started.
    started: u64,
    /// The highest fsync number that completed successfully.
    completed: u64,
    running: bool,
}

/// Shares fsyncs of one directory between concurrent callers.
#[derive(Debug)]
pub(crate) struct DirSyncer {
    path: PathBuf,
    state: Mutex<State>,
    done: Condvar,
    fsyncs: AtomicU64,
}

impl DirSyncer {
    pub(crate) fn new(path: PathBuf) -> Self {
        DirSyncer {
            path,
            state: Mutex::default(),
            done: Condvar::new(),
            fsyncs: AtomicU64::new(0),
        }
    }

    /// How many fsyncs this directory had.
    pub(crate) fn fsyncs(&self) -> u64 {
        self.fsyncs.load(Ordering::Relaxed)
    }

    /// Returns once an fsync of the directory that started after this call
    /// has completed, so every change made to the directory before the call
    /// is durable.
    pub(crate) fn sync(&self) -> Result<(), StoreError> {
        let lock = || self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut state = lock();
        // An fsync running now may have started before our change.
        let needed = state.started + 1;
        loop {
            if state.completed >= needed {
                return Ok(());
            }
            if state.running {
                state = self.done.wait(state).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            state.running = true;
            state.started += 1;
            let number = state.started;
            drop(state);
            let result = fsync_dir(&self.path);
            self.fsyncs.fetch_add(1, Ordering::Relaxed);
            state = lock();
            state.running = false;
            if result.is_ok() {
                state.completed = number;
            }
            self.done.notify_all();
            // On failure the waiters run their own fsync rather than trust
            // this one; this caller reports the failure.
            result?;
        }
    }
}

/// fsyncs a directory, making the renames and unlinks in it durable.
pub(crate) fn fsync_dir(path: &Path) -> Result<(), StoreError> {
    File::open(path)
        .and_then(|dir| dir.sync_all())
        .map_err(|e| StoreError::io("fsync directory", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn concurrent_callers_each_return_after_a_covering_fsync() {
        let dir = tempfile::tempdir().unwrap();
        let syncer = Arc::new(DirSyncer::new(dir.path().to_owned()));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let syncer = syncer.clone();
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        syncer.sync().unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let fsyncs = syncer.fsyncs();
        assert!((1..=160).contains(&fsyncs), "{fsyncs}");
        syncer.sync().unwrap();
        assert_eq!(syncer.fsyncs(), fsyncs + 1);
    }

    #[test]
    fn a_failed_fsync_is_reported() {
        let syncer = DirSyncer::new(PathBuf::from("/nonexistent/yubin-store"));
        assert!(matches!(syncer.sync(), Err(StoreError::Io { .. })));
    }
}
