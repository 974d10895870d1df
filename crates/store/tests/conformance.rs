//! The shared conformance suite, run against both stores of this crate.

use std::sync::atomic::{AtomicUsize, Ordering};

use yubin_store::{MaildirConfig, MaildirStore, MemoryStore, conformance};

#[test]
fn memory_store_passes_the_conformance_suite() {
    conformance::run_all(MemoryStore::new);
}

#[test]
fn maildir_store_passes_the_conformance_suite() {
    let root = tempfile::tempdir().unwrap();
    let next = AtomicUsize::new(0);
    conformance::run_all(|| {
        let n = next.fetch_add(1, Ordering::Relaxed);
        MaildirStore::new(root.path().join(n.to_string()), MaildirConfig::default())
    });
}

#[test]
fn maildir_store_storing_crlf_passes_the_conformance_suite() {
    let root = tempfile::tempdir().unwrap();
    let next = AtomicUsize::new(0);
    conformance::run_all(|| {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let config = MaildirConfig::default()
            .with_line_endings(yubin_store::StoredLineEndings::AsDelivered)
            .with_move_seen_to_cur(false);
        MaildirStore::new(root.path().join(n.to_string()), config)
    });
}
