//! yubin-smtp benchmarks, each beside a peer in the same run:
//!
//! - command parsing: `yubin_smtp::Command::parse` vs `smtp-proto`'s
//!   `Request::parse` on the same pipelined session lines;
//! - DATA unstuffing: a 10 MB body through the whole server machine vs
//!   `smtp-proto`'s `DataReceiver` (which only unstuffs into a Vec);
//! - client dot-stuffing: `yubin_smtp::client::stuff::dot_stuff` of 10 MB vs
//!   a plain copy of the same bytes (no crate offers a stuffer to compare
//!   with; the copy is the ceiling).
//!
//! Each group prints the ratio of medians. `cargo bench --bench smtp`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use yubin::smtp::server::{Config, Event, Server};
use yubin::smtp::{Command, client::stuff};

const LINES: &[&str] = &[
    "EHLO mail.example.com\r\n",
    "MAIL FROM:<sender.name@example.com> SIZE=12345 BODY=8BITMIME\r\n",
    "RCPT TO:<first.recipient@example.org>\r\n",
    "RCPT TO:<second@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;second@example.org\r\n",
    "RCPT TO:<\"quoted local\"@example.org>\r\n",
    "DATA\r\n",
    "BDAT 65536 LAST\r\n",
    "RSET\r\n",
    "NOOP\r\n",
    "QUIT\r\n",
];

fn session_bytes() -> Vec<u8> {
    LINES.iter().flat_map(|l| l.bytes()).collect()
}

/// 10 MB of mail-like text: 76-octet lines, some starting with a dot.
fn body_10mb() -> Vec<u8> {
    let mut b = Vec::with_capacity(10 * 1024 * 1024 + 100);
    let mut i = 0u32;
    while b.len() < 10 * 1024 * 1024 {
        if i.is_multiple_of(50) {
            b.push(b'.');
        }
        b.extend_from_slice(
            b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem",
        );
        b.extend_from_slice(b"\r\n");
        i += 1;
    }
    b
}

/// Runs both under criterion (for its report), then times them in
/// alternation for the printed ratio: the machine is shared, and timing one
/// side after the other lets a change in load pass for a difference in
/// speed. Returns the two medians of 21 alternating runs of `reps` calls.
fn paired_medians(
    c: &mut Criterion,
    names: [&str; 2],
    ours: &mut dyn FnMut(),
    peer: &mut dyn FnMut(),
    reps: u32,
) -> (Duration, Duration) {
    c.bench_function(names[0], |b| b.iter(&mut *ours));
    c.bench_function(names[1], |b| b.iter(&mut *peer));
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        t.elapsed() / reps
    };
    let (mut a, mut b): (Vec<Duration>, Vec<Duration>) = (0..21)
        .map(|_| (time(&mut *ours), time(&mut *peer)))
        .unzip();
    a.sort();
    b.sort();
    (a[10], b[10])
}

fn command_parsing(c: &mut Criterion) {
    let session = session_bytes();
    // Per-line breakdown (best of 30 runs of 20000 calls each, alternating),
    // to show where the two parsers differ.
    for line in LINES {
        let b = line.as_bytes();
        let mut best = [u128::MAX; 2];
        for _ in 0..30 {
            let t = Instant::now();
            for _ in 0..20000 {
                black_box(Command::parse(black_box(b)).ok());
            }
            best[0] = best[0].min(t.elapsed().as_nanos());
            let t = Instant::now();
            for _ in 0..20000 {
                let mut it = black_box(b).iter();
                black_box(smtp_proto::Request::parse(&mut it).ok());
            }
            best[1] = best[1].min(t.elapsed().as_nanos());
        }
        println!(
            "PER LINE ns: yubin {:>6.1} smtp-proto {:>6.1} {line:?}",
            best[0] as f64 / 20000.0,
            best[1] as f64 / 20000.0
        );
    }
    let mut g = c.benchmark_group("command_parsing");
    g.throughput(Throughput::Bytes(session.len() as u64));
    g.finish();
    let mut ours = || {
        let mut rest = &session[..];
        while let Ok(Some((n, cmd))) = Command::parse(rest) {
            black_box(cmd);
            rest = &rest[n..];
        }
    };
    let mut peer = || {
        let mut iter = session.iter();
        for _ in 0..LINES.len() {
            let _ = black_box(smtp_proto::Request::parse(&mut iter));
        }
    };
    // Both must parse every line for the comparison to mean anything.
    let mut iter = session.iter();
    for line in LINES {
        assert!(
            smtp_proto::Request::parse(&mut iter).is_ok(),
            "peer failed on {line:?}"
        );
    }
    let n = {
        let mut rest = &session[..];
        let mut n = 0;
        while let Ok(Some((len, _))) = Command::parse(rest) {
            rest = &rest[len..];
            n += 1;
        }
        n
    };
    assert_eq!(n, LINES.len());
    let (a, b) = paired_medians(
        c,
        ["command_parsing/yubin", "command_parsing/smtp-proto"],
        &mut ours,
        &mut peer,
        2000,
    );
    report("command parsing", "smtp-proto", a, b, None);
}

fn report(what: &str, peer: &str, ours: Duration, theirs: Duration, bytes: Option<usize>) {
    let ratio = theirs.as_secs_f64() / ours.as_secs_f64();
    let rate = bytes.map_or(String::new(), |n| {
        format!(", yubin {:.2} GB/s", n as f64 / ours.as_secs_f64() / 1e9)
    });
    println!("RATIO {what}: yubin {ours:?} vs {peer} {theirs:?} -> {ratio:.2}x{rate}");
}

fn data_unstuffing(c: &mut Criterion) {
    let body = body_10mb();
    let mut wire = body.clone();
    wire.extend_from_slice(b".\r\n");
    let mut ours = || {
        let mut config = Config::default();
        config.max_message_size = 64 << 20;
        let mut server = Server::new(config);
        let mut out = Vec::new();
        server.poll_transmit(&mut out);
        server.handle_input(b"EHLO a\r\nMAIL FROM:<a@a>\r\nRCPT TO:<b@b>\r\nDATA\r\n");
        let mut size = 0usize;
        let mut ended = false;
        for chunk in wire.chunks(64 * 1024) {
            server.handle_input(chunk);
            while let Some(e) = server.poll_event() {
                match e {
                    Event::BodyChunk(b) => size += b.len(),
                    Event::MessageEnd { .. } => ended = true,
                    e if e.is_decision() => server.accept().unwrap(),
                    _ => {}
                }
            }
        }
        assert!(ended);
        black_box(size);
    };
    let mut peer = || {
        let mut rx = smtp_proto::request::receiver::DataReceiver::new();
        let mut buf = Vec::new();
        let mut ended = false;
        for chunk in wire.chunks(64 * 1024) {
            let mut iter = chunk.iter();
            ended |= rx.ingest(&mut iter, &mut buf);
        }
        assert!(ended);
        black_box(buf.len());
    };
    let (a, b) = paired_medians(
        c,
        [
            "data_unstuffing_10mb/yubin_server",
            "data_unstuffing_10mb/smtp-proto_DataReceiver",
        ],
        &mut ours,
        &mut peer,
        1,
    );
    report(
        "DATA unstuffing 10 MB",
        "smtp-proto",
        a,
        b,
        Some(wire.len()),
    );
}

fn dot_stuffing(c: &mut Criterion) {
    let body = body_10mb();
    let mut out = Vec::with_capacity(body.len() + body.len() / 32);
    let mut ours = || {
        out.clear();
        stuff::dot_stuff(&body, &mut out).unwrap();
        black_box(out.len());
    };
    let mut copy = Vec::with_capacity(body.len());
    let mut peer = || {
        copy.clear();
        copy.extend_from_slice(&body);
        black_box(copy.len());
    };
    let (a, b) = paired_medians(
        c,
        ["dot_stuffing_10mb/yubin", "dot_stuffing_10mb/plain_copy"],
        &mut ours,
        &mut peer,
        1,
    );
    report(
        "client dot-stuffing 10 MB",
        "memcpy",
        a,
        b,
        Some(body.len()),
    );
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! { name = benches; config = config(); targets = command_parsing, data_unstuffing, dot_stuffing }
criterion_main!(benches);
