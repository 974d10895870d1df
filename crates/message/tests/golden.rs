//! Golden messages: hand-written `.eml` files in `tests/golden/` (stored with
//! LF line breaks) are parsed in LF and in CRLF form, rendered the way the
//! `inspect` example renders a part tree, and compared with the checked-in
//! `NAME.lf.json` and `NAME.crlf.json`.
//!
//! After a deliberate change of the parser's output, regenerate the expected
//! files and review the diff before committing:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p yubin-message --test golden
//! ```

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use yubin_message::{Address, Header, Mailbox, Message, Part};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 20);
    for &b in bytes {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

fn mailbox(m: &Mailbox) -> Value {
    json!({ "name": m.name, "address": m.address })
}

/// A header as the `inspect` example shows it, plus the typed reading of the
/// fields that have one (addresses, date, message identifiers).
fn header(h: Header<'_>) -> Value {
    let mut node = json!({
        "name": h.name(),
        "raw": String::from_utf8_lossy(h.raw()),
        "decoded": h.text(),
    });
    let typed = if ["From", "To", "Cc", "Bcc", "Reply-To", "Sender"]
        .iter()
        .any(|n| h.is(n))
    {
        let list: Vec<Value> = h
            .addresses()
            .iter()
            .map(|a| match a {
                Address::Mailbox(m) => mailbox(m),
                Address::Group(g) => json!({
                    "group": g.name,
                    "members": g.members.iter().map(mailbox).collect::<Vec<_>>(),
                }),
            })
            .collect();
        Some(Value::Array(list))
    } else if h.is("Date") {
        Some(json!(h.date().map(|d| format!("{d:?}"))))
    } else if ["Message-ID", "In-Reply-To", "References"]
        .iter()
        .any(|n| h.is(n))
    {
        Some(json!(h.message_ids()))
    } else {
        None
    };
    if let (Some(typed), Some(map)) = (typed, node.as_object_mut()) {
        map.insert("typed".into(), typed);
    }
    node
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `inspect` example's part object. Leaves show their decoded bytes in
/// hex (the golden messages are small) instead of a hash, so a reviewer can
/// read them.
fn render(part: Part<'_>) -> Value {
    let ct = part.content_type();
    let mut node = Map::new();
    node.insert("content_type".into(), json!(ct.mime_type()));
    let params: Map<String, Value> = ct
        .params
        .iter()
        .map(|p| (p.name.clone(), json!(p.value)))
        .collect();
    node.insert("params".into(), Value::Object(params));
    node.insert(
        "disposition".into(),
        json!(part.content_disposition().map(|d| d.kind)),
    );
    node.insert("filename".into(), json!(part.filename()));
    node.insert(
        "transfer_encoding".into(),
        json!(part.transfer_encoding().as_str()),
    );
    let headers: Vec<Value> = part.headers().map(header).collect();
    node.insert("headers".into(), Value::Array(headers));
    let mut defects: Vec<String> = part.defects().iter().map(|d| format!("{d:?}")).collect();
    if part.is_multipart() {
        let children: Vec<Value> = part.children().map(render).collect();
        node.insert("parts".into(), Value::Array(children));
        node.insert(
            "preamble".into(),
            json!(part.preamble().map(String::from_utf8_lossy)),
        );
        node.insert(
            "epilogue".into(),
            json!(part.epilogue().map(String::from_utf8_lossy)),
        );
    } else if let Some(embedded) = part.embedded() {
        node.insert("message".into(), render(embedded));
    } else {
        let (body, defect) = part.decoded_body_with_defects();
        defects.extend(defect.map(|d| format!("{d:?}")));
        node.insert("decoded_size".into(), json!(body.len()));
        node.insert("decoded_hex".into(), json!(hex(&body)));
        if part.is_text() {
            let (text, text_defects) = part.text_with_defects();
            defects.extend(
                text_defects
                    .into_iter()
                    .filter(|d| Some(*d) != defect)
                    .map(|d| format!("{d:?}")),
            );
            node.insert("text".into(), json!(text));
        }
    }
    node.insert("defects".into(), json!(defects));
    Value::Object(node)
}

fn golden_messages() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap_or_else(|e| panic!("reading {}: {e}", golden_dir().display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
}

#[test]
fn golden_messages_render_as_expected() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let files = golden_messages();
    assert!(files.len() >= 7, "golden messages missing: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let lf = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            !lf.contains(&b'\r'),
            "{} must be stored with LF line breaks",
            file.display()
        );
        for (form, bytes) in [("lf", lf.clone()), ("crlf", to_crlf(&lf))] {
            let message = Message::parse(&bytes);
            let mut rendered = serde_json::to_string_pretty(&render(message.root()))
                .unwrap_or_else(|e| panic!("{e}"));
            rendered.push('\n');
            let expected_path = file.with_extension(format!("{form}.json"));
            if update {
                std::fs::write(&expected_path, &rendered)
                    .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
                continue;
            }
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
                    expected_path.display()
                )
            });
            if expected != rendered {
                failures.push(format!(
                    "{} differs; got:\n{rendered}",
                    expected_path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The two forms must give the same tree and the same decoded content; only
/// the raw header bytes and the line breaks of 7bit/8bit bodies may differ.
#[test]
fn golden_forms_agree_on_structure() {
    fn shape(part: Part<'_>, out: &mut Vec<String>) {
        out.push(format!(
            "{} {:?} {:?} {:?}",
            part.content_type().mime_type(),
            part.content_type().params,
            part.filename(),
            part.defects()
        ));
        for header in part.headers() {
            out.push(header.text().into_owned());
        }
        if let Some(text) = part.text() {
            out.push(text.replace("\r\n", "\n"));
        }
        for child in part.children() {
            shape(child, out);
        }
        if let Some(embedded) = part.embedded() {
            shape(embedded, out);
        }
    }
    for file in golden_messages() {
        let lf = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let crlf = to_crlf(&lf);
        let (a, b) = (Message::parse(&lf), Message::parse(&crlf));
        let (mut x, mut y) = (Vec::new(), Vec::new());
        shape(a.root(), &mut x);
        shape(b.root(), &mut y);
        assert_eq!(x, y, "{}", file.display());
    }
}
