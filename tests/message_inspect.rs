//! The `inspect` example (yubin-message) driven as a user would: JSON per
//! file, exit 0 on malformed input, exit 2 on a missing file.
#![cfg(feature = "message")]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

fn inspect() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("no target dir"));
    dir.join("examples")
        .join(format!("inspect{}", std::env::consts::EXE_SUFFIX))
}

fn corpus() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        root.is_dir(),
        "the shared corpus is missing at {}",
        root.display()
    );
    root
}

fn run(args: &[&Path]) -> (i32, Vec<Value>, String) {
    let output = Command::new(inspect())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", inspect().display()));
    let docs = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON {e}: {line}")))
        .collect();
    (
        output.status.code().unwrap_or(-1),
        docs,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn leaves<'v>(part: &'v Value, out: &mut Vec<&'v Value>) {
    if let Some(parts) = part["parts"].as_array() {
        for child in parts {
            leaves(child, out);
        }
    } else if part["message"].is_object() {
        leaves(&part["message"], out);
    } else {
        out.push(part);
    }
}

#[test]
fn attachment_hashes_match_the_original_files() {
    let dir = corpus().join("hunny/tests/_data/emails");
    let (code, docs, _) = run(&[&dir.join("m1015.txt"), &dir.join("m0011.txt")]);
    assert_eq!(code, 0);
    assert_eq!(docs.len(), 2);
    let mut found = 0;
    for doc in &docs {
        let mut parts = Vec::new();
        leaves(&doc["message"], &mut parts);
        for part in parts {
            let Some(name) = part["filename"].as_str() else {
                continue;
            };
            let original = dir.join("files").join(name.replace('ö', "o"));
            let Ok(bytes) = std::fs::read(&original) else {
                continue;
            };
            let hash: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                part["decoded_sha256"].as_str(),
                Some(hash.as_str()),
                "{name}"
            );
            assert_eq!(part["decoded_size"].as_u64(), Some(bytes.len() as u64));
            found += 1;
        }
    }
    assert!(found >= 3, "only {found} attachments checked");
    let root = &docs[0]["message"];
    assert_eq!(root["content_type"], "multipart/mixed");
    assert!(
        root["headers"]
            .as_array()
            .is_some_and(|h| h.iter().any(|h| h["name"] == "Subject"))
    );
    let mut parts = Vec::new();
    leaves(root, &mut parts);
    assert!(parts[0]["text"].as_str().is_some_and(|t| !t.is_empty()));
}

#[test]
fn malformed_input_exits_zero_and_missing_file_exits_two() {
    let dir = std::env::temp_dir().join(format!("yubin-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let garbage = dir.join("garbage.eml");
    std::fs::write(
        &garbage,
        b"\xff\xfe: \r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n=?=",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, docs, _) = run(&[&garbage]);
    assert_eq!(code, 0);
    assert_eq!(docs.len(), 1);
    assert!(
        docs[0]["message"]["defects"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );

    let missing = dir.join("missing.eml");
    let (code, docs, stderr) = run(&[&garbage, &missing]);
    assert_eq!(code, 2);
    assert_eq!(docs.len(), 1, "the readable file is still printed");
    assert!(stderr.contains("missing.eml"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The inspect example's reading of the golden messages
/// (crates/message/tests/golden, LF form as stored) is the checked-in
/// expected one: every key the two share agrees, part by part, and the
/// golden `decoded_hex` hashes to inspect's `decoded_sha256`.
#[test]
fn inspect_agrees_with_the_golden_expectations() {
    fn agree(ours: &Value, golden: &Value, path: &str) {
        for key in [
            "content_type",
            "params",
            "disposition",
            "filename",
            "transfer_encoding",
            "defects",
            "decoded_size",
            "text",
        ] {
            assert_eq!(ours.get(key), golden.get(key), "{path}: {key}");
        }
        let names = |v: &Value| -> Vec<(Value, Value, Value)> {
            v["headers"]
                .as_array()
                .map(|hs| {
                    hs.iter()
                        .map(|h| (h["name"].clone(), h["raw"].clone(), h["decoded"].clone()))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(names(ours), names(golden), "{path}: headers");
        if let Some(hex) = golden["decoded_hex"].as_str() {
            let bytes: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0))
                .collect();
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(ours["decoded_sha256"], digest, "{path}: body");
        }
        match (ours["parts"].as_array(), golden["parts"].as_array()) {
            (Some(a), Some(b)) => {
                assert_eq!(a.len(), b.len(), "{path}: parts");
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    agree(x, y, &format!("{path}/{i}"));
                }
            }
            (None, None) => {}
            _ => panic!("{path}: multipart on one side only"),
        }
        match (ours.get("message"), golden.get("message")) {
            (Some(x), Some(y)) => agree(x, y, &format!("{path}/m")),
            (None, None) => {}
            _ => panic!("{path}: embedded message on one side only"),
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/message/tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 7,
        "golden messages missing in {}",
        dir.display()
    );
    let args: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let (code, docs, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(docs.len(), files.len());
    for (file, doc) in files.iter().zip(&docs) {
        let expected_path = file.with_extension("lf.json");
        let text = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let golden: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        agree(&doc["message"], &golden, &file.display().to_string());
    }
}
