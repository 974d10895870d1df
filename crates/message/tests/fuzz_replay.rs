//! Replays `fuzz/regressions/message_*` (every file, if the folder exists)
//! and hand-made seeds through the code the fuzz targets run.

use std::path::Path;

use yubin_message::fuzz_support::{base64_matches_reference, build_and_reparse, parse_everything};

fn replay(target: &str, run: impl Fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut count = 0;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                let bytes =
                    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                run(&bytes);
                count += 1;
            }
        }
    }
    count
}

const PARSE_SEEDS: &[&[u8]] = &[
    b"",
    b"\n",
    b"\r\n\r\n",
    b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n--\r\n",
    b"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nQ29udGVudC1UeXBlOiBtdWx0aXBhcnQvbWl4ZWQ7IGJvdW5kYXJ5PWEKCi0tYQo=\n--a--",
    b"Subject: =?utf-8?B?====?= =?x?q?=ZZ?= =?\r\nFrom: (((((\r\nTo: \"\\\r\nDate: 99:99:99\r\n\r\n",
    b"Content-Type: text/plain; charset=utf-7\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n+AAA-=\r\n+2D3-",
    b"Content-Type: a/b; x*0*=utf-8''%; x*99999999999=1; x*=''%ZZ\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n\xff\xff\r\nend",
];

#[test]
fn message_parse_regressions_and_seeds() {
    let replayed = replay("message_parse", |data| {
        parse_everything(data);
        base64_matches_reference(data);
    });
    let mut total = 0;
    for seed in PARSE_SEEDS {
        total += parse_everything(seed);
        base64_matches_reference(seed);
    }
    assert!(total > 0);
    // Every seed also parses in its CRLF form.
    for seed in PARSE_SEEDS {
        let crlf: Vec<u8> = seed
            .iter()
            .flat_map(|&b| {
                if b == b'\n' {
                    vec![b'\r', b'\n']
                } else {
                    vec![b]
                }
            })
            .collect();
        assert!(parse_everything(&crlf) >= 1);
    }
    let _ = replayed;
}

#[test]
fn message_roundtrip_regressions_and_seeds() {
    replay("message_roundtrip", build_and_reparse);
    let seeds: &[&[u8]] = &[
        b"",
        b"\x00Name\xffSubject\xfftext\r\nline\xfffile.bin\xff\x00\x01\x02",
        "\u{1}Jörg Müller\u{ff}Grüße =?utf-8?q?x?=\u{ff}ünïcode\n.\n\u{ff}€ rates.pdf\u{ff}".as_bytes(),
        b"\x02\"quoted\" \\ name\xff  spaced  subject \xff--=_yubin_0001\r\n\xff;;\xff--=_yubin_0001--",
    ];
    for seed in seeds {
        build_and_reparse(seed);
    }
}
