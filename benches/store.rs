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

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use yubin::store::{Maildir, MaildirConfig};

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
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    deliveries(&mut criterion);
    criterion.final_summary();
    report();
}
