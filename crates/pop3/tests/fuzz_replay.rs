//! Stable replay of the pop3 fuzz targets: every file kept in
//! `fuzz/regressions/TARGET/` (if the folder exists) and a few hand-made
//! seeds, through the same harness the targets run.

#[allow(unreachable_pub)]
#[path = "../../../fuzz/fuzz_targets/pop3_harness.rs"]
mod pop3_harness;

#[allow(unreachable_pub, dead_code)]
#[path = "../../../fuzz/src/lib.rs"]
mod yubin_fuzz;

use std::path::Path;

fn regressions(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect()
}

fn replay(target: &str, seeds: &[&[u8]], run: impl Fn(&[u8])) -> usize {
    let mut inputs: Vec<Vec<u8>> = seeds.iter().map(|s| s.to_vec()).collect();
    inputs.extend(regressions(target));
    for input in &inputs {
        run(input);
    }
    inputs.len()
}

const CLIENT_SESSION: &[u8] = b"+OK POP3 ready <1.2@x>\r\n+OK caps\r\nPIPELINING\r\nTOP\r\n.\r\n\
+OK\r\n+OK\r\n+OK 2 30\r\n+OK\r\n1 10\r\n2 20\r\n.\r\n+OK\r\n1 a\r\n2 b\r\n.\r\n\
+OK 10 octets\r\n..x\r\nbody\r\n.\r\n+OK\r\nH: v\r\n\r\n.\r\n+OK 1 10\r\n+OK 1 a\r\n\
+OK begin TLS\r\n+OK deleted\r\n+OK bye\r\n";

const SERVER_SESSION: &[u8] = b"CAPA\r\nUSER ab\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\n\
RETR 1\r\nTOP 3 1\r\nRETR 4\r\nDELE 1\r\nRSET\r\nDELE 2\r\nNOOP\r\nQUIT\r\n";

#[test]
fn pop3_command() {
    let seeds: &[&[u8]] = &[
        b"USER a\r\n",
        b"TOP 1 0\r\n",
        b"AUTH PLAIN =\r\n",
        b"PASS \r\n",
    ];
    assert!(replay("pop3_command", seeds, pop3_harness::command) >= seeds.len());
}

#[test]
fn pop3_response() {
    let seeds: &[&[u8]] = &[
        b"+OK\r\n",
        b"-ERR [IN-USE] x\r\n",
        b"+ abc\r\n",
        b"..x\r\n.\r\n",
    ];
    assert!(replay("pop3_response", seeds, pop3_harness::response) >= seeds.len());
}

#[test]
fn pop3_server_session() {
    let seeds: &[&[u8]] = &[
        SERVER_SESSION,
        b"\x07STLS\r\nUSER x\r\n",
        b"\x01APOP a 0\r\n",
    ];
    let run = |data: &[u8]| {
        pop3_harness::server_session(yubin_fuzz::chunks(data));
        // The whole input as one chunk, too.
        pop3_harness::server_session(std::iter::once(data));
    };
    assert!(replay("pop3_server_session", seeds, run) >= seeds.len());
}

#[test]
fn pop3_client_session() {
    let seeds: &[&[u8]] = &[CLIENT_SESSION, b"\x03+OK\r\n* bad\r\n"];
    let run = |data: &[u8]| {
        pop3_harness::client_session(yubin_fuzz::chunks(data));
        pop3_harness::client_session(std::iter::once(data));
    };
    assert!(replay("pop3_client_session", seeds, run) >= seeds.len());
}
