//! Prints the MIME tree of each message file as one JSON document per line.
//!
//! ```sh
//! cargo run --release --example inspect -- FILE...
//! ```
//!
//! Per part: `content_type` (defaults applied), `params`, `disposition`,
//! `filename`, `transfer_encoding`, `headers` (`name`, `raw`, `decoded`),
//! `defects`; `parts` for a multipart, `message` for an embedded message,
//! and for a leaf `decoded_size`, `decoded_sha256` and, for text, `text`.
//! Exits 0 on any input; 2 when a file cannot be read.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use sha2::{Digest, Sha256};
use yubin::message::{Defect, Message, Part};

fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn defects_json(out: &mut String, defects: &[Defect]) {
    out.push('[');
    for (i, defect) in defects.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(out, &format!("{defect:?}"));
    }
    out.push(']');
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn part_json(out: &mut String, part: Part<'_>) {
    let ct = part.content_type();
    out.push_str("{\"content_type\":");
    json_string(out, &ct.mime_type());
    out.push_str(",\"params\":{");
    for (i, param) in ct.params.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(out, &param.name);
        out.push(':');
        json_string(out, &param.value);
    }
    out.push_str("},\"disposition\":");
    match part.content_disposition() {
        Some(d) => json_string(out, &d.kind),
        None => out.push_str("null"),
    }
    out.push_str(",\"filename\":");
    match part.filename() {
        Some(name) => json_string(out, &name),
        None => out.push_str("null"),
    }
    out.push_str(",\"transfer_encoding\":");
    json_string(out, part.transfer_encoding().as_str());
    out.push_str(",\"headers\":[");
    for (i, header) in part.headers().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        json_string(out, header.name());
        out.push_str(",\"raw\":");
        json_string(out, &String::from_utf8_lossy(header.raw()));
        out.push_str(",\"decoded\":");
        json_string(out, &header.text());
        out.push('}');
    }
    out.push(']');
    let mut defects = part.defects().to_vec();
    if part.is_multipart() {
        out.push_str(",\"parts\":[");
        for (i, child) in part.children().enumerate() {
            if i > 0 {
                out.push(',');
            }
            part_json(out, child);
        }
        out.push(']');
    } else if let Some(embedded) = part.embedded() {
        out.push_str(",\"message\":");
        part_json(out, embedded);
    } else {
        let (body, defect) = part.decoded_body_with_defects();
        defects.extend(defect);
        let _ = write!(out, ",\"decoded_size\":{}", body.len());
        out.push_str(",\"decoded_sha256\":");
        json_string(out, &hex(&Sha256::digest(&body)));
        if part.is_text() {
            let (text, text_defects) = part.text_with_defects();
            defects.extend(text_defects.into_iter().filter(|d| Some(*d) != defect));
            out.push_str(",\"text\":");
            json_string(out, &text);
        }
    }
    out.push_str(",\"defects\":");
    defects_json(out, &defects);
    out.push('}');
}

fn main() -> ExitCode {
    let mut status = ExitCode::SUCCESS;
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    let mut stderr = std::io::stderr();
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        let _ = writeln!(stderr, "usage: inspect FILE...");
        return ExitCode::from(2);
    }
    for file in files {
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(error) => {
                let _ = writeln!(stderr, "inspect: cannot read {file}: {error}");
                status = ExitCode::from(2);
                continue;
            }
        };
        let message = Message::parse(&bytes);
        let mut out = String::with_capacity(bytes.len() / 2 + 256);
        out.push_str("{\"file\":");
        json_string(&mut out, &file);
        let _ = write!(out, ",\"size\":{},\"message\":", bytes.len());
        part_json(&mut out, message.root());
        out.push_str("}\n");
        if stdout.write_all(out.as_bytes()).is_err() {
            return ExitCode::from(2);
        }
    }
    status
}
