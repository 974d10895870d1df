//! yubin-message against its peers, in the same run (`cargo bench --bench message`):
//!
//! - full parse, every header and body decoded: yubin vs `mail-parser`;
//! - structure only: yubin vs `mailparse::parse_mail`;
//! - base64 decoding of a 10 MB body in 76-character CRLF lines: yubin's
//!   lenient decoder vs the `base64` crate's STANDARD engine, which has no
//!   lenient mode, so the peer first strips the line breaks (memchr per line,
//!   timed as part of its job) and then decodes; the same engine on input
//!   stripped beforehand is reported too, as decoding alone;
//!
//! on the whole `../shared/corpus` (LF and CRLF forms) and on a generated
//! message with a 10 MB base64 attachment. After criterion's report the bench
//! prints the MB/s of each side and the ratios.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use yubin::message::{Attachment, Message, MessageBuilder, TransferEncoding, decode};

fn corpus_files() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        root.is_dir(),
        "the shared corpus is missing at {}",
        root.display()
    );
    let mut stack: Vec<PathBuf> = vec![root];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_owned();
            if path.is_dir() {
                // Hunny's original attachments are files, not messages.
                if name != "files" {
                    stack.push(path);
                }
            } else if !(name.ends_with(".json")
                || name == "SOURCE.txt"
                || name.starts_with("LICENSE")
                || name.ends_with(".md"))
                && let Ok(bytes) = std::fs::read(&path)
            {
                files.push(bytes);
            }
        }
    }
    files.sort();
    files
}

/// A message with a 10 MB base64 attachment (deterministic bytes).
fn big_attachment() -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let data: Vec<u8> = (0..7_500_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    MessageBuilder::new()
        .from("Bench", "bench@example.test")
        .to("", "to@example.test")
        .subject("10 MB attachment")
        .text("see attachment")
        .attachment(Attachment {
            content_type: "application/octet-stream".into(),
            filename: "big.bin".into(),
            data,
            encoding: Some(TransferEncoding::Base64),
        })
        .build()
}

/// yubin full parse: every header read as text (and typed where it has a
/// type), every body transfer-decoded, every text part converted to UTF-8.
fn yubin_full(bytes: &[u8]) -> usize {
    let message = Message::parse(bytes);
    let mut work = 0;
    for part in message.parts() {
        for header in part.headers() {
            work += header.text().len();
            if header.is("From") || header.is("To") || header.is("Cc") {
                work += header.addresses().len();
            } else if header.is("Date") {
                work += usize::from(header.date().is_some());
            }
        }
        work += part.decoded_body().len();
        if let Some(text) = part.text() {
            work += text.len();
        }
    }
    work
}

fn yubin_structure(bytes: &[u8]) -> usize {
    Message::parse(bytes).part_count()
}

fn mail_parser_full(bytes: &[u8]) -> usize {
    mail_parser::MessageParser::default()
        .parse(bytes)
        .map_or(0, |m| m.parts.len())
}

fn mailparse_structure(bytes: &[u8]) -> usize {
    mailparse::parse_mail(bytes).map_or(0, |m| m.subparts.len())
}

fn each(files: &[Vec<u8>], f: fn(&[u8]) -> usize) -> usize {
    files.iter().map(|b| f(black_box(b))).sum()
}

/// A base64 body without its line breaks, appended to `out`: what a strict
/// decoder needs first.
fn strip_line_breaks(body: &[u8], out: &mut Vec<u8>) {
    let mut start = 0;
    while start < body.len() {
        let end = memchr::memchr(b'\n', &body[start..]).map_or(body.len(), |k| start + k);
        let line = &body[start..end];
        out.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
        start = end + 1;
    }
}

/// The peer doing yubin's whole job: strip the line breaks, then decode with
/// the `base64` crate's STANDARD engine (bytes decoded).
fn base64_crate_strip_then_decode(body: &[u8]) -> usize {
    use base64::Engine as _;
    let mut stripped = Vec::with_capacity(body.len());
    strip_line_breaks(body, &mut stripped);
    base64::engine::general_purpose::STANDARD
        .decode(&stripped)
        .map_or(0, |d| d.len())
}

/// The peer's decoding alone, on input stripped beforehand.
fn base64_crate_decode(stripped: &[u8]) -> usize {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(stripped)
        .map_or(0, |d| d.len())
}

/// This thread's CPU time in seconds, where Linux reports it: on a machine
/// shared with other jobs it counts only the time the bench really ran.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

/// MB/s of `f` over `files`, best of a few runs of at least ~0.4 s each:
/// (wall clock, CPU time if known).
fn rate(files: &[Vec<u8>], f: impl Fn(&[u8]) -> usize) -> (f64, Option<f64>) {
    let bytes: usize = files.iter().map(Vec::len).sum();
    let mut best = f64::MAX;
    let mut best_cpu = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let cpu_start = thread_cpu_seconds();
        let mut rounds = 0u32;
        while start.elapsed() < Duration::from_millis(400) {
            black_box(files.iter().map(|b| f(black_box(b))).sum::<usize>());
            rounds += 1;
        }
        best = best.min(start.elapsed().as_secs_f64() / f64::from(rounds));
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu_seconds()) {
            best_cpu = best_cpu.min((b - a) / f64::from(rounds));
        }
    }
    let cpu = (best_cpu < f64::MAX).then(|| bytes as f64 / best_cpu / 1e6);
    (bytes as f64 / best / 1e6, cpu)
}

/// `wall MB/s (cpu MB/s)`.
fn show((wall, cpu): (f64, Option<f64>)) -> String {
    match cpu {
        Some(cpu) => format!("{wall:7.1} (cpu {cpu:7.1})"),
        None => format!("{wall:7.1}"),
    }
}

fn main() {
    let raw = corpus_files();
    let mut corpus = Vec::with_capacity(raw.len() * 2);
    for file in &raw {
        let lf: Vec<u8> = {
            let mut out = Vec::with_capacity(file.len());
            for (i, &b) in file.iter().enumerate() {
                if !(b == b'\r' && file.get(i + 1) == Some(&b'\n')) {
                    out.push(b);
                }
            }
            out
        };
        let mut crlf = Vec::with_capacity(lf.len() + lf.len() / 20);
        for &b in &lf {
            if b == b'\n' {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        corpus.push(lf);
        corpus.push(crlf);
    }
    let big = vec![big_attachment()];
    let big_message = Message::parse(&big[0]);
    let encoded = big_message
        .parts()
        .last()
        .map(|p| p.raw_body().to_vec())
        .unwrap_or_default();
    drop(big_message);
    let corpus_bytes: usize = corpus.iter().map(Vec::len).sum();

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (name, files, bytes) in [
        ("corpus", &corpus, corpus_bytes),
        ("base64_10mb", &big, big[0].len()),
    ] {
        let mut group = c.benchmark_group(format!("full_parse/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("yubin", |b| b.iter(|| each(files, yubin_full)));
        group.bench_function("mail-parser", |b| b.iter(|| each(files, mail_parser_full)));
        group.finish();
        let mut group = c.benchmark_group(format!("structure/{name}"));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("yubin", |b| b.iter(|| each(files, yubin_structure)));
        group.bench_function("mailparse", |b| b.iter(|| each(files, mailparse_structure)));
        group.finish();
    }
    let mut group = c.benchmark_group("base64_decode");
    group.throughput(Throughput::Bytes(encoded.len() as u64));
    group.bench_function("yubin", |b| {
        b.iter(|| decode::base64(black_box(&encoded)).0.len());
    });
    // The same decoder into a reused buffer: decoding alone, without the
    // fresh 7.5 MB allocation (and its page faults) of each call above.
    let mut reused = Vec::with_capacity(encoded.len());
    group.bench_function("yubin_reused_buffer", |b| {
        b.iter(|| {
            reused.clear();
            decode::base64_into(black_box(&encoded), &mut reused);
            reused.len()
        });
    });
    group.bench_function("base64_crate_strip_then_decode", |b| {
        b.iter(|| base64_crate_strip_then_decode(black_box(&encoded)));
    });
    let mut stripped = Vec::with_capacity(encoded.len());
    strip_line_breaks(&encoded, &mut stripped);
    assert_eq!(
        base64_crate_decode(&stripped),
        decode::base64(&encoded).0.len(),
        "the peer must decode the same body"
    );
    // Throughput counted in bytes of the original body, like the rest.
    group.bench_function("base64_crate_decode_prestripped", |b| {
        b.iter(|| base64_crate_decode(black_box(&stripped)));
    });
    group.finish();
    c.final_summary();

    println!(
        "\nyubin-message ratios (MB/s, best of 3 timed runs, wall clock and this thread's CPU \
         time; ratios from CPU time when known; >1 means yubin is faster):"
    );
    let ratio = |a: (f64, Option<f64>), b: (f64, Option<f64>)| match (a.1, b.1) {
        (Some(x), Some(y)) => x / y,
        _ => a.0 / b.0,
    };
    for (name, files) in [("corpus", &corpus), ("base64_10mb", &big)] {
        let full = rate(files, yubin_full);
        let peer_full = rate(files, mail_parser_full);
        let structure = rate(files, yubin_structure);
        let peer_structure = rate(files, mailparse_structure);
        println!(
            "  {name:12} full parse: yubin {} vs mail-parser {} = {:.2}x",
            show(full),
            show(peer_full),
            ratio(full, peer_full)
        );
        println!(
            "  {name:12} structure:  yubin {} vs mailparse   {} = {:.2}x",
            show(structure),
            show(peer_structure),
            ratio(structure, peer_structure)
        );
    }
    let encoded_files = vec![encoded];
    let b64 = rate(&encoded_files, |b| decode::base64(b).0.len());
    let buffer = std::cell::RefCell::new(Vec::new());
    let into = rate(&encoded_files, |b| {
        let mut buffer = buffer.borrow_mut();
        buffer.clear();
        decode::base64_into(b, &mut buffer);
        buffer.len()
    });
    let peer = rate(&encoded_files, base64_crate_strip_then_decode);
    // MB/s of the original body, so the ratio is a ratio of times.
    let peer_decode_only = rate(&encoded_files, |_| base64_crate_decode(&stripped));
    println!("  base64 decode (10 MB body, 76-char CRLF lines), MB/s of the body:");
    println!("    yubin                               {}", show(b64));
    println!("    yubin into a reused buffer          {}", show(into));
    println!("    base64 crate, strip + decode        {}", show(peer));
    println!(
        "    base64 crate, decode pre-stripped   {}",
        show(peer_decode_only)
    );
    println!(
        "  base64 decode RATIO: yubin vs base64 crate strip + decode = {:.2}x; vs its decoding alone = {:.2}x",
        ratio(b64, peer),
        ratio(b64, peer_decode_only)
    );
}
