//! POP3 hot paths on a 10 MB message: the server machine's RETR output
//! (CRLF normalisation + dot-stuffing) and the client machine's unstuffing.
//!
//! Peer in the same run: a plain `memchr`-based copy of the same bytes (line
//! by line into a buffer, the floor any line-aware encoder pays). After the
//! criterion groups, a short timed loop prints machine / baseline ratios.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use yubin::pop3::client::{self, Client};
use yubin::pop3::server::{Config, Event, MaildropEntry, Server};
use yubin::pop3::{Command, crlf_size};

const SIZE: usize = 10 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// A 10 MB message stored with LF endings (as in a Maildir): 72-octet lines,
/// every 50th starting with a dot.
fn message() -> Vec<u8> {
    let mut message = b"From: a@example.org\nSubject: big\n\n".to_vec();
    let mut n = 0u64;
    while message.len() < SIZE {
        if n.is_multiple_of(50) {
            message.push(b'.');
        }
        message.extend_from_slice(&[b'a' + (n % 26) as u8; 71]);
        message.push(b'\n');
        n += 1;
    }
    message
}

fn logged_in(message: &[u8]) -> Server {
    let mut config = Config::default();
    config.allow_plaintext_auth = true;
    let mut server = Server::new(config);
    server.handle_input(b"USER a\r\nPASS b\r\n");
    while server.poll_event().is_some() {}
    server
        .accept_login(vec![MaildropEntry {
            uid: "m".into(),
            size: crlf_size(message),
        }])
        .unwrap();
    server.poll_transmit(&mut Vec::new());
    server
}

/// One RETR through the server machine; returns the octets sent.
fn server_retr(server: &mut Server, message: &[u8], out: &mut Vec<u8>) -> usize {
    server.handle_input(b"RETR 1\r\n");
    let Some(Event::Retrieve { .. }) = server.poll_event() else {
        panic!("retrieve expected")
    };
    let mut sent = 0;
    for chunk in message.chunks(CHUNK) {
        server.send_message(chunk).unwrap();
        server.poll_transmit(out);
        sent += out.len();
        out.clear();
    }
    server.finish_message().unwrap();
    server.poll_transmit(out);
    sent += out.len();
    out.clear();
    sent
}

/// The baseline: copy line by line (memchr for LF) into a buffer.
fn memchr_copy(input: &[u8], out: &mut Vec<u8>) -> usize {
    let mut sent = 0;
    for chunk in input.chunks(CHUNK) {
        let mut start = 0;
        for lf in memchr::memchr_iter(b'\n', chunk) {
            out.extend_from_slice(&chunk[start..=lf]);
            start = lf + 1;
        }
        out.extend_from_slice(&chunk[start..]);
        sent += out.len();
        out.clear();
    }
    sent
}

/// One RETR through the client machine; returns the unstuffed octets.
fn client_retr(wire: &[u8]) -> usize {
    let mut client = Client::new(client::Config::default());
    client.handle_input(b"+OK ready\r\n");
    client.send(Command::Retr(1)).unwrap();
    client.poll_transmit(&mut Vec::new());
    let mut received = 0;
    for chunk in wire.chunks(CHUNK) {
        client.handle_input(chunk);
        while let Some(event) = client.poll_event() {
            if let client::Event::MessageChunk(bytes) = event {
                received += bytes.len();
            }
        }
    }
    received
}

/// The server's wire bytes of a RETR of `message` (status line included).
fn wire(message: &[u8]) -> Vec<u8> {
    let mut server = logged_in(message);
    server.handle_input(b"RETR 1\r\n");
    server.poll_event();
    server.send_message(message).unwrap();
    server.finish_message().unwrap();
    let mut out = Vec::new();
    server.poll_transmit(&mut out);
    out
}

fn benches(c: &mut Criterion) {
    let message = message();
    let wire = wire(&message);
    let mut group = c.benchmark_group("pop3");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Bytes(message.len() as u64));
    let mut server = logged_in(&message);
    let mut out = Vec::with_capacity(2 * CHUNK);
    group.bench_function("server_retr_10MB", |b| {
        b.iter(|| server_retr(&mut server, black_box(&message), &mut out));
    });
    group.bench_function("baseline_memchr_copy_10MB", |b| {
        b.iter(|| memchr_copy(black_box(&message), &mut out));
    });
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("client_unstuff_10MB", |b| {
        b.iter(|| client_retr(black_box(&wire)));
    });
    group.bench_function("baseline_memchr_copy_wire_10MB", |b| {
        b.iter(|| memchr_copy(black_box(&wire), &mut out));
    });
    group.finish();
}

/// Median seconds of `runs` calls of `f`.
fn median(runs: usize, mut f: impl FnMut() -> usize) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn ratios() {
    let message = message();
    let wire = wire(&message);
    let mut server = logged_in(&message);
    let mut out = Vec::with_capacity(2 * CHUNK);
    let gb = |bytes: usize, secs: f64| bytes as f64 / secs / 1e9;
    let server_time = median(15, || server_retr(&mut server, &message, &mut out));
    let base_time = median(15, || memchr_copy(&message, &mut out));
    let client_time = median(15, || client_retr(&wire));
    let base_wire_time = median(15, || memchr_copy(&wire, &mut out));
    println!(
        "pop3 server RETR: {:.2} GB/s, memchr copy baseline {:.2} GB/s, ratio machine/baseline time {:.2}",
        gb(message.len(), server_time),
        gb(message.len(), base_time),
        server_time / base_time
    );
    println!(
        "pop3 client unstuff: {:.2} GB/s, memchr copy baseline {:.2} GB/s, ratio machine/baseline time {:.2}",
        gb(wire.len(), client_time),
        gb(wire.len(), base_wire_time),
        client_time / base_wire_time
    );
}

criterion_group!(pop3, benches);

fn main() {
    pop3();
    // `cargo test --benches` runs this binary with `--bench` absent: keep it quick.
    if std::env::args().any(|a| a == "--bench") {
        ratios();
    }
    Criterion::default().configure_from_args().final_summary();
}
