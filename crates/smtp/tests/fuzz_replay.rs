//! Replays every file in `fuzz/regressions/TARGET/` (if the folder exists)
//! and a few hand-made seeds through the code the fuzz targets run.

use std::path::PathBuf;

use yubin_smtp::fuzzing;

/// The same cut as `yubin_fuzz::chunks` (fuzz/src/lib.rs), so a session
/// regression replays with the splits that found it.
fn chunks(data: &[u8]) -> Vec<&[u8]> {
    let (seed, mut rest) = match data.split_first() {
        Some((seed, rest)) => (*seed, rest),
        None => (0, data),
    };
    let mut state = u32::from(seed) | 1;
    let mut out = Vec::new();
    while !rest.is_empty() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let len = (state as usize % 64 + 1).min(rest.len());
        let (chunk, tail) = rest.split_at(len);
        out.push(chunk);
        rest = tail;
    }
    out
}

fn regressions(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect()
}

fn server(data: &[u8]) {
    if let [flags, answers, rest @ ..] = data {
        fuzzing::server_session(*flags, *answers, &chunks(rest));
    }
}

fn client(data: &[u8]) {
    if let [flags, rest @ ..] = data {
        fuzzing::client_session(*flags, &chunks(rest));
    }
}

const SESSION: &[u8] = b"EHLO a\r\nMAIL FROM:<a@a> SIZE=10\r\nRCPT TO:<b@b>\r\nRCPT TO:<c@b>\r\nDATA\r\nx\r\n..y\n.\r\r\n.\r\nBDAT 3 LAST\r\nabcSTARTTLS\r\nQUIT\r\n";

#[test]
fn smtp_command() {
    let seeds: &[&[u8]] = &[
        b"MAIL FROM:<a@[x:>]> SIZE=1\r\n",
        b"RCPT TO:<\"a\\\"b\"@c> NOTIFY=NEVER\r\n",
        b"AUTH PLAIN =\r\n",
        b"\xff\r\n",
    ];
    for d in seeds
        .iter()
        .copied()
        .map(<[u8]>::to_vec)
        .chain(regressions("smtp_command"))
    {
        fuzzing::command(&d);
    }
}

#[test]
fn smtp_reply() {
    let seeds: &[&[u8]] = &[
        b"250-2.0.0 a\r\n250 b\r\n",
        b"550 5.1.1\r\n",
        b"250-\xff\r\n250 x\n",
        b"354\r\n",
    ];
    for d in seeds
        .iter()
        .copied()
        .map(<[u8]>::to_vec)
        .chain(regressions("smtp_reply"))
    {
        fuzzing::reply(&d);
    }
}

#[test]
fn smtp_server_session() {
    let mut seeds = Vec::new();
    for flags in 0..32u8 {
        for answers in [0u8, 0xff, 0x55] {
            let mut d = vec![flags, answers, flags.wrapping_mul(37)];
            d.extend_from_slice(SESSION);
            seeds.push(d);
        }
    }
    let auth: &[u8] = b"EHLO a\r\nAUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\nAUTH LOGIN\r\ndGVzdA==\r\n*\r\nAUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\nAUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\r\nMAIL FROM:<a@a> AUTH=<>\r\nQUIT\r\n";
    for flags in [32u8, 96, 224, 33] {
        for answers in [0u8, 0xff, 0x0f] {
            let mut d = vec![flags, answers, 7];
            d.extend_from_slice(auth);
            seeds.push(d);
        }
    }
    for d in seeds.into_iter().chain(regressions("smtp_server_session")) {
        server(&d);
    }
}

#[test]
fn smtp_client_session() {
    let replies: &[u8] = b"220 x\r\n250-x\r\n250-PIPELINING\r\n250-CHUNKING\r\n250-STARTTLS\r\n250 SIZE 100\r\n250 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n250 ok\r\n220 go\r\n250 x\r\n221 bye\r\n";
    let mut seeds = Vec::new();
    for flags in 0..8u8 {
        let mut d = vec![flags, 3];
        d.extend_from_slice(replies);
        seeds.push(d);
    }
    for d in seeds.into_iter().chain(regressions("smtp_client_session")) {
        client(&d);
    }
}
