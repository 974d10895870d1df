//! Every file of `../shared/corpus`, in LF and CRLF form, parses without
//! panic with every header and body decoded, and both forms give the same
//! tree; Hunny's attachments decode byte-exact to the original files.

mod common;

use std::path::Path;

use yubin_message::{Message, Part, TransferEncoding};

/// Reads every header and body the way a client would.
fn exercise(part: Part<'_>) -> usize {
    let mut work = 0;
    for header in part.headers() {
        work += header.text().len();
        work += header.unfolded().len();
        if header.is("From") || header.is("To") || header.is("Cc") || header.is("Reply-To") {
            work += header.addresses().len();
        }
        if header.is("Date") {
            work += usize::from(header.date().is_some());
        }
        if header.is("Received") {
            work += usize::from(header.received().by.is_some());
        }
        if header.is("Message-ID") || header.is("References") || header.is("In-Reply-To") {
            work += header.message_ids().len();
        }
    }
    work += part.filename().map_or(0, |f| f.len());
    work += part.decoded_body().len();
    if let Some(text) = part.text() {
        work += text.len();
    }
    work
}

/// The tree's shape: (depth, content type, children, decoded size) per part.
fn shape(message: &Message<'_>) -> Vec<(String, usize, usize)> {
    message
        .parts()
        .map(|p| {
            (
                p.content_type().mime_type(),
                p.children().count(),
                p.decoded_body().len(),
            )
        })
        .collect()
}

fn is_message_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !(name.ends_with(".json")
        || name == "SOURCE.txt"
        || name.starts_with("LICENSE")
        || name == "README.md")
}

#[test]
fn every_corpus_message_parses_in_lf_and_crlf_form() {
    let root = common::corpus();
    let mut count = 0;
    for path in common::files(&root)
        .into_iter()
        .filter(|p| is_message_file(p))
    {
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let lf = common::to_lf(&raw);
        let crlf = common::to_crlf(&raw);
        let mut shapes = Vec::new();
        for bytes in [&raw, &lf, &crlf] {
            let message = Message::parse(bytes);
            assert!(message.part_count() >= 1);
            let work: usize = message.parts().map(exercise).sum();
            assert!(
                work < bytes.len() * 8 + 1_000_000,
                "{}: decoded output out of proportion",
                path.display()
            );
            shapes.push(shape(&message));
        }
        // The same tree whatever the line ending (sizes differ by the CRs).
        let types = |s: &Vec<(String, usize, usize)>| {
            s.iter()
                .map(|(t, c, _)| (t.clone(), *c))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            types(&shapes[1]),
            types(&shapes[2]),
            "{}: LF and CRLF trees differ",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 300, "only {count} corpus files found");
}

/// Folds a file name from a message to the name of its original in
/// `hunny/.../files/`: the base name of a Windows path, ASCII-folded.
fn original_name(filename: &str) -> String {
    let base = filename.rsplit(['\\', '/']).next().unwrap_or(filename);
    base.replace('ö', "o")
        .replace("hareandtoroise", "hareandtortoise")
}

/// Samples whose encoder dropped the original's final CRLF.
fn lacks_final_break(path: &Path, filename: &str) -> bool {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    LACKS_FINAL_BREAK.contains(&(file, filename))
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

fn undouble_cr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'\r' && bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
            continue;
        }
        out.push(byte);
    }
    out
}

/// Samples whose encoded text has CR CR LF where the original has CRLF.
const DOUBLED_CR: &[(&str, &str)] = &[("m3004.txt", "HasenundFrösche.txt")];

const LACKS_FINAL_BREAK: &[(&str, &str)] = &[("m0022.txt", "aaa.txt")];

#[test]
fn hunny_attachments_decode_byte_exact() {
    let dir = common::corpus().join("hunny/tests/_data/emails");
    let files = dir.join("files");
    let mut compared = 0;
    let mut names = std::collections::BTreeSet::new();
    for path in common::files(&dir) {
        if path.parent() != Some(dir.as_path()) || path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (bytes, lf) in [(common::to_lf(&raw), true), (common::to_crlf(&raw), false)] {
            let message = Message::parse(&bytes);
            for part in message.parts() {
                let Some(filename) = part.filename() else {
                    continue;
                };
                // A 7bit/8bit body is stored as written: only the CRLF (wire)
                // form carries the canonical line breaks of RFC 2049 §4.
                let encoded = matches!(
                    part.transfer_encoding(),
                    TransferEncoding::Base64
                        | TransferEncoding::QuotedPrintable
                        | TransferEncoding::Uuencode
                );
                // BinHex 4.0 is a file format, not a transfer encoding: the
                // body is the BinHex text and decoding it is out of scope.
                if (lf && !encoded) || part.content_type().is("application", "mac-binhex40") {
                    continue;
                }
                let original = files.join(original_name(&filename));
                let Ok(expected) = std::fs::read(&original) else {
                    continue;
                };
                let decoded = part.decoded_body();
                if lacks_final_break(&path, &filename) {
                    // RFC 2046 §5.1.1: the CRLF before a delimiter belongs to
                    // the delimiter, and this sample's encoding has no other
                    // line break after the last line the original ends with.
                    assert_eq!(
                        [&decoded[..], b"\r\n"].concat(),
                        expected,
                        "{}",
                        path.display()
                    );
                    compared += 1;
                    continue;
                }
                if DOUBLED_CR.contains(&(file_name(&path), filename.as_str())) {
                    // PINE encoded this text with CR CR LF line ends; the base64
                    // decodes to exactly that, and to the original otherwise.
                    assert_eq!(undouble_cr(&decoded), expected, "{}", path.display());
                    compared += 1;
                    continue;
                }
                assert!(
                    decoded[..] == expected[..],
                    "{}: {filename} decodes to {} bytes, original has {}",
                    path.display(),
                    decoded.len(),
                    expected.len()
                );
                names.insert(original_name(&filename));
                compared += 1;
            }
        }
    }
    assert!(compared >= 40, "only {compared} attachments compared");
    assert!(names.len() >= 8, "only {names:?} compared");
}
