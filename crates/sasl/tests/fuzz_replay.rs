//! Replays `fuzz/regressions/sasl_server/` (every crash the `sasl_server`
//! target ever found) and a few hand-made seeds through the target's code.

use std::path::PathBuf;

use yubin_sasl::fuzzing::server_session;

#[test]
fn replay_sasl_server_regressions() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/sasl_server");
    let mut replayed = 0;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries {
            let path = entry.unwrap().path();
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if path.is_file() && !hidden {
                server_session(&std::fs::read(&path).unwrap());
                replayed += 1;
            }
        }
    }
    println!("replayed {replayed} files from {}", dir.display());
}

/// Hand-made seeds: one per mechanism and mode, including full successful
/// exchanges so the replay reaches every state.
#[test]
fn replay_hand_made_seeds() {
    let scram_first = b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    let mut raw_scram = vec![5, 0xff, 1];
    raw_scram.extend_from_slice(&(scram_first.len() as u16).to_be_bytes());
    raw_scram.extend_from_slice(scram_first);
    let seeds: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![1, 0xff, 2],
        [&[1u8, 0xff, 2][..], b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm"].concat(),
        [&[1u8, 0x00, 0][..], b"\nAHRpbQB0YW5zdGFhZnRhbnN0YWFm\n*"].concat(),
        [&[0u8, 0xff, 0][..], b"dGlt\ndGFuc3RhYWZ0YW5zdGFhZg==\n\n"].concat(),
        [
            &[2u8, 0xff, 0][..],
            b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw",
        ]
        .concat(),
        [
            &[5u8, 0xff, 2][..],
            b"biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=\n*",
        ]
        .concat(),
        raw_scram,
        [
            &[4u8, 0x00, 2][..],
            b"bixhPXVzZXJAZXhhbXBsZS5jb20sAWF1dGg9QmVhcmVyIGFiYwEB\nAQ==",
        ]
        .concat(),
        [&[3u8, 0x01, 6][..], b"dXNlcj1hAWF1dGg9QmVhcmVyIGFiYwEB\n"].concat(),
        [&[2u8, 0, 2][..], &[b'A'; 13000][..]].concat(),
    ];
    for seed in &seeds {
        server_session(seed);
    }
}
