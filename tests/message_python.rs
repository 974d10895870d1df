//! Differential test (yubin-message): the `inspect` example against Python's
//! `email` package (policy.default, tests/python/email_tree.py) on every
//! corpus message in CRLF (wire) form and in LF (Unix mailbox) form. Part
//! trees, content types and decoded body hashes must agree, or the
//! disagreement must be listed with its reason in tests/python/ADJUDICATED.md
//! as `file` `tree-path` `kind` (both forms) or `file` `tree-path` `kind`
//! `lf`/`crlf` (that form only). A listed disagreement that no longer occurs
//! fails the test too.
#![cfg(feature = "message")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn corpus() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        root.is_dir(),
        "the shared corpus is missing at {}",
        root.display()
    );
    root
}

fn message_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
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
                if name != "files" && name != "fields" {
                    stack.push(path);
                }
            } else if !(name.ends_with(".json")
                || name == "SOURCE.txt"
                || name.starts_with("LICENSE")
                || name.ends_with(".md"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The two stored forms of a message the parser must read alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Crlf,
    Lf,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Self::Crlf => "crlf",
            Self::Lf => "lf",
        }
    }

    fn convert(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Crlf => to_crlf(bytes),
            Self::Lf => to_lf(bytes),
        }
    }
}

fn to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 20);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn run_lines(command: &mut Command) -> Vec<Value> {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON {e}: {l}")))
        .collect()
}

fn kind(part: &Value) -> &'static str {
    if part["parts"].is_array() {
        "multipart"
    } else if part["message"].is_object() {
        "message"
    } else {
        "leaf"
    }
}

/// Walks both trees together, recording (tree-path, kind, detail).
fn compare(
    ours: &Value,
    theirs: &Value,
    path: &str,
    out: &mut Vec<(String, &'static str, String)>,
) {
    if theirs.get("error").is_some() {
        out.push((path.to_owned(), "python-error", theirs["error"].to_string()));
        return;
    }
    if ours["content_type"] != theirs["content_type"] {
        out.push((
            path.to_owned(),
            "content_type",
            format!("{} vs {}", ours["content_type"], theirs["content_type"]),
        ));
    }
    let (k1, k2) = (kind(ours), kind(theirs));
    if k1 != k2 {
        out.push((path.to_owned(), "structure", format!("{k1} vs {k2}")));
        return;
    }
    match k1 {
        "multipart" => {
            let (a, b) = (ours["parts"].as_array(), theirs["parts"].as_array());
            let (a, b) = (
                a.map_or(&[][..], Vec::as_slice),
                b.map_or(&[][..], Vec::as_slice),
            );
            if a.len() != b.len() {
                out.push((
                    path.to_owned(),
                    "structure",
                    format!("{} vs {} parts", a.len(), b.len()),
                ));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, &format!("{path}/{i}"), out);
            }
        }
        "message" => compare(
            &ours["message"],
            &theirs["message"],
            &format!("{path}/m"),
            out,
        ),
        _ => {
            if ours["decoded_sha256"] != theirs["decoded_sha256"] {
                // Quoted-printable decodes a hard line break to CRLF in
                // either form (see ADJUDICATED.md); a difference in line
                // breaks alone is its own, checked kind.
                let line_breaks_only = ours["transfer_encoding"] == "quoted-printable"
                    && ours["decoded_sha256"] == theirs["decoded_sha256_crlf"];
                out.push((
                    path.to_owned(),
                    if line_breaks_only {
                        "qp-line-breaks"
                    } else {
                        "body"
                    },
                    format!(
                        "{} vs {} bytes",
                        ours["decoded_size"], theirs["decoded_size"]
                    ),
                ));
            }
        }
    }
}

/// The adjudicated disagreements of one form: `- `file` `path` `kind`: reason`
/// lines hold for both forms, `- `file` `path` `kind` `form`: reason` lines
/// for that form only.
fn adjudicated(form: Form) -> BTreeSet<(String, String, String)> {
    adjudication_lines()
        .filter(|fields| fields[0] != "class")
        .filter_map(|fields| {
            let applies = match fields.get(3) {
                Some(only) => *only == form.name(),
                None => true,
            };
            (fields.len() >= 3 && applies).then(|| {
                (
                    fields[0].to_owned(),
                    fields[1].to_owned(),
                    fields[2].to_owned(),
                )
            })
        })
        .collect()
}

/// Kinds adjudicated as a whole class in one form:
/// `- class `kind` `form`: reason`. The test checks the class's own
/// condition (see `compare`), so only disagreements of exactly that shape
/// fall under it.
fn adjudicated_classes(form: Form) -> BTreeSet<String> {
    adjudication_lines()
        .filter(|fields| fields[0] == "class" && fields.len() >= 3 && fields[2] == form.name())
        .map(|fields| fields[1].to_owned())
        .collect()
}

/// The backquoted fields of each `- ` line of ADJUDICATED.md (a `class`
/// line starts with the word `class`), before the reason.
fn adjudication_lines() -> impl Iterator<Item = Vec<&'static str>> {
    include_str!("python/ADJUDICATED.md")
        .lines()
        .filter_map(|line| line.strip_prefix("- "))
        .map(|line| {
            let head = &line[..line.find("`:").map_or(line.len(), |i| i + 1)];
            let mut fields: Vec<&str> = head.split('`').skip(1).step_by(2).collect();
            if head.starts_with("class ") {
                fields.insert(0, "class");
            }
            fields
        })
}

#[test]
fn inspect_agrees_with_python_email_crlf() {
    differential(Form::Crlf);
}

#[test]
fn inspect_agrees_with_python_email_lf() {
    differential(Form::Lf);
}

fn differential(form: Form) {
    let root = corpus();
    let scratch =
        std::env::temp_dir().join(format!("yubin-diff-{}-{}", form.name(), std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap_or_else(|e| panic!("{e}"));
    let mut names = BTreeMap::new();
    let mut paths = Vec::new();
    for (i, file) in message_files(&root).iter().enumerate() {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let copy = scratch.join(format!("{i}.eml"));
        std::fs::write(&copy, form.convert(&bytes)).unwrap_or_else(|e| panic!("{e}"));
        let relative = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        names.insert(copy.to_string_lossy().into_owned(), relative);
        paths.push(copy);
    }
    assert!(paths.len() >= 300, "only {} corpus messages", paths.len());
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let inspect = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| {
            d.join("examples")
                .join(format!("inspect{}", std::env::consts::EXE_SUFFIX))
        })
        .unwrap_or_else(|| panic!("no target dir"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/email_tree.py");
    let ours = run_lines(Command::new(inspect).args(&paths));
    let theirs = run_lines(Command::new("python3").arg(script).args(&paths));
    assert_eq!(ours.len(), paths.len());
    assert_eq!(theirs.len(), paths.len());

    let listed = adjudicated(form);
    let classes = adjudicated_classes(form);
    let mut class_hits: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut unlisted = Vec::new();
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(a["file"], b["file"]);
        let file = names
            .get(a["file"].as_str().unwrap_or(""))
            .cloned()
            .unwrap_or_default();
        let mut found = Vec::new();
        compare(&a["message"], &b["message"], "", &mut found);
        for (path, kind, detail) in found {
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            let key = (file.clone(), path.clone(), kind.to_owned());
            if classes.contains(kind) {
                *class_hits.entry(kind.to_owned()).or_default() += 1;
            } else if listed.contains(&key) {
                seen.insert(key);
            } else {
                unlisted.push(format!(
                    "- `{file}` `{path}` `{kind}` `{}`: {detail}",
                    form.name()
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let stale_classes: Vec<_> = classes
        .iter()
        .filter(|c| !class_hits.contains_key(*c))
        .collect();
    assert!(
        stale_classes.is_empty(),
        "adjudicated classes that no longer occur in {} form: {stale_classes:?}",
        form.name()
    );
    let stale: Vec<_> = listed.difference(&seen).collect();
    assert!(
        stale.is_empty(),
        "adjudicated but no longer disagreeing in {} form: {stale:?}",
        form.name()
    );
    assert!(
        unlisted.is_empty(),
        "{} disagreements not adjudicated in {} form:\n{}",
        unlisted.len(),
        form.name(),
        unlisted.join("\n")
    );
}
