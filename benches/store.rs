//! Durable deliveries per second into a Maildir (fsync of the file and of
//! `new/`), one writer and 8 concurrent writers, against a naive peer doing
//! the same durable sequence with plain `std::fs` calls (write tmp, fsync,
//! rename, fsync the directory) in the same run.
//!
//! ```text
//! cargo bench --bench store
//! ```
//!
//! The Maildirs live in Cargo's target tmp dir, on the repository's disk
//! (not a tmpfs where fsync costs nothing). After criterion's groups the
//! bench prints deliveries per second for each case, our rate as a ratio to
//! the peer's, and how many fsyncs of `new/` the concurrent deliveries
//! shared (group commit).
//!
//! A second group times a POP3 session's commit deleting 100 messages: ours
//! is atomic across a crash (a durable deletion journal, then the unlinks,
//! then the journal goes), the peer unlinks each file and fsyncs the
//! folders, which a crash can cut half-way. The ratio is the journal's cost.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use yubin::store::{Maildir, MaildirConfig, Maildrop};

const WRITERS: u64 = 8;

/// A 4 KiB message with CRLF endings, as SMTP hands it over.
fn message() -> Vec<u8> {
    let mut m = b"From: b@example.org\r\nTo: a@example.org\r\nSubject: bench\r\n\r\n".to_vec();
    while m.len() < 4096 {
        m.extend_from_slice(b"a line of a typical message body, sixty-odd octets long.\r\n");
    }
    m
}

fn bench_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tmp dir in target/")
}

/// The peer: the durable Maildir sequence, by hand.
struct NaiveMaildir {
    path: PathBuf,
    counter: AtomicU64,
}

impl NaiveMaildir {
    fn create(path: &Path) -> NaiveMaildir {
        for sub in ["tmp", "new", "cur"] {
            fs::create_dir_all(path.join(sub)).unwrap();
        }
        NaiveMaildir {
            path: path.to_owned(),
            counter: AtomicU64::new(0),
        }
    }

    fn deliver(&self, message: &[u8]) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("{n}.P{}.naive", std::process::id());
        let tmp = self.path.join("tmp").join(&name);
        let mut file = File::create_new(&tmp).unwrap();
        file.write_all(message).unwrap();
        file.sync_all().unwrap();
        drop(file);
        fs::rename(&tmp, self.path.join("new").join(&name)).unwrap();
        File::open(self.path.join("new"))
            .unwrap()
            .sync_all()
            .unwrap();
    }
}

/// Runs `iters` deliveries spread over `writers` threads; the wall time.
fn concurrently(iters: u64, writers: u64, deliver: &(dyn Fn() + Sync)) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for w in 0..writers {
            let share = iters / writers + u64::from(w < iters % writers);
            s.spawn(move || (0..share).for_each(|_| deliver()));
        }
    });
    start.elapsed()
}

fn deliveries(c: &mut Criterion) {
    let message = message();
    let mut group = c.benchmark_group("durable_delivery");
    group
        .throughput(Throughput::Elements(1))
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for writers in [1, WRITERS] {
        let tmp = bench_dir();
        let maildir = Maildir::create(tmp.path().join("yubin"), MaildirConfig::default()).unwrap();
        let naive = NaiveMaildir::create(&tmp.path().join("naive"));
        group.bench_function(format!("yubin_maildir/{writers}_writers"), |b| {
            b.iter_custom(|iters| {
                concurrently(iters, writers, &|| {
                    maildir.deliver(&message).unwrap();
                })
            });
        });
        group.bench_function(format!("naive_std_fs/{writers}_writers"), |b| {
            b.iter_custom(|iters| concurrently(iters, writers, &|| naive.deliver(&message)));
        });
    }
    group.finish();
}

/// Messages per deletion commit.
const DELETED: usize = 100;

/// `DELETED` small messages in `new/` (set-up, not timed: no fsync).
fn fill(dir: &Path, round: u64) -> Vec<PathBuf> {
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir_all(dir.join(sub)).unwrap();
    }
    (0..DELETED)
        .map(|i| {
            let path = dir.join("new").join(format!(
                "{}.M{i}P1Q{round}.bench,S=15,W=17",
                1_700_000_000 + i
            ));
            fs::write(&path, "Subject: x\n\nx\n").unwrap();
            path
        })
        .collect()
}

/// Our commit: open the maildrop, DELE every message, QUIT.
fn yubin_commit(dir: &Path) -> Duration {
    let config = MaildirConfig::default().with_move_seen_to_cur(false);
    let maildir = Maildir::open(dir, config).unwrap();
    let mut session = maildir.open_maildrop().unwrap();
    let start = Instant::now();
    for i in 0..session.messages().len() {
        session.mark_deleted(i).unwrap();
    }
    session.commit().unwrap();
    start.elapsed()
}

/// The peer's commit: unlink each file, fsync the folder.
fn naive_commit(dir: &Path, files: &[PathBuf]) -> Duration {
    let start = Instant::now();
    for file in files {
        fs::remove_file(file).unwrap();
    }
    File::open(dir.join("new")).unwrap().sync_all().unwrap();
    start.elapsed()
}

fn deletions(c: &mut Criterion) {
    let mut group = c.benchmark_group("commit_100_deletions");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let tmp = bench_dir();
    let round = AtomicU64::new(0);
    group.bench_function("yubin_maildir_journaled", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    fill(tmp.path(), round.fetch_add(1, Ordering::Relaxed));
                    yubin_commit(tmp.path())
                })
                .sum()
        });
    });
    group.bench_function("naive_std_fs_unlinks", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| {
                    let files = fill(tmp.path(), round.fetch_add(1, Ordering::Relaxed));
                    naive_commit(tmp.path(), &files)
                })
                .sum()
        });
    });
    group.finish();
}

/// The same four cases timed once more side by side (ours and the peer's
/// runs alternate, twice each, to spread the machine's noise over both), for
/// the ratio and the group-commit count criterion does not print.
fn report() {
    let message = message();
    println!("\ndurable deliveries of a 4 KiB message:");
    for writers in [1, WRITERS] {
        let deliveries = 100 * writers.max(2);
        let tmp = bench_dir();
        let maildir = Maildir::create(tmp.path().join("yubin"), MaildirConfig::default()).unwrap();
        let naive = NaiveMaildir::create(&tmp.path().join("naive"));
        let (mut ours, mut peer) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..2 {
            ours += concurrently(deliveries, writers, &|| {
                maildir.deliver(&message).unwrap();
            });
            peer += concurrently(deliveries, writers, &|| naive.deliver(&message));
        }
        let rate = |d: Duration| (2 * deliveries) as f64 / d.as_secs_f64();
        println!(
            "  {writers} writer(s): yubin {:.0}/s, naive std::fs {:.0}/s, ratio {:.2}; \
             new/ fsyncs: {} for {} deliveries (group commit: {:.2} deliveries per fsync)",
            rate(ours),
            rate(peer),
            rate(ours) / rate(peer),
            maildir.dir_fsyncs(),
            2 * deliveries,
            (2 * deliveries) as f64 / maildir.dir_fsyncs().max(1) as f64,
        );
    }
    let tmp = bench_dir();
    let (mut ours, mut peer) = (Duration::ZERO, Duration::ZERO);
    let rounds = 20;
    for round in 0..rounds {
        fill(tmp.path(), 2 * round);
        ours += yubin_commit(tmp.path());
        let files = fill(tmp.path(), 2 * round + 1);
        peer += naive_commit(tmp.path(), &files);
    }
    let per = |d: Duration| d / rounds as u32;
    println!(
        "\ncommit deleting {DELETED} messages: yubin (journaled, atomic) {:?}, \
         naive unlinks {:?}, ratio of times {:.2}",
        per(ours),
        per(peer),
        ours.as_secs_f64() / peer.as_secs_f64(),
    );
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    deliveries(&mut criterion);
    deletions(&mut criterion);
    criterion.final_summary();
    report();
}
