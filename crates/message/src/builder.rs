//! Composing messages: [`MessageBuilder`] writes CRLF output with header
//! lines folded at 78 octets and never longer than 998 (RFC 5322 §2.1.1),
//! RFC 2047 encoded words where headers need non-ASCII text and RFC 2231
//! parameters for file names.

use crate::decode;
use crate::field::date::DateTime;
use crate::part::TransferEncoding;

/// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters.
const FOLD_AT: usize = 78;
/// RFC 2045 §6.7 (rule 5) and §6.8: encoded lines at most 76 characters.
const ENCODED_LINE: usize = 76;
/// Raw bytes per RFC 2047 B word: 45 bytes give 60 base64 characters, so
/// `=?utf-8?B?...?=` stays within the 75 octets of RFC 2047 §2.
const WORD_BYTES: usize = 45;

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// `type/subtype`, e.g. `application/pdf`.
    pub content_type: String,
    /// The file name, any Unicode (written with RFC 2231 when needed).
    pub filename: String,
    /// The file's bytes.
    pub data: Vec<u8>,
    /// The transfer encoding; `None` picks base64 unless the data is short
    /// 7bit-safe text.
    pub encoding: Option<TransferEncoding>,
}

/// Builds a message; call the setters in any order, then [`build`](Self::build).
#[derive(Debug, Clone, Default)]
pub struct MessageBuilder {
    from: Vec<(String, String)>,
    to: Vec<(String, String)>,
    cc: Vec<(String, String)>,
    reply_to: Vec<(String, String)>,
    subject: Option<String>,
    date: Option<DateTime>,
    message_id: Option<String>,
    in_reply_to: Vec<String>,
    extra: Vec<(String, String)>,
    text: Option<(String, Option<TransferEncoding>)>,
    html: Option<(String, Option<TransferEncoding>)>,
    attachments: Vec<Attachment>,
}

impl MessageBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a From mailbox (`name` may be empty or non-ASCII).
    pub fn from(mut self, name: &str, address: &str) -> Self {
        self.from.push((name.to_owned(), address.to_owned()));
        self
    }

    /// Adds a To mailbox.
    pub fn to(mut self, name: &str, address: &str) -> Self {
        self.to.push((name.to_owned(), address.to_owned()));
        self
    }

    /// Adds a Cc mailbox.
    pub fn cc(mut self, name: &str, address: &str) -> Self {
        self.cc.push((name.to_owned(), address.to_owned()));
        self
    }

    /// Adds a Reply-To mailbox.
    pub fn reply_to(mut self, name: &str, address: &str) -> Self {
        self.reply_to.push((name.to_owned(), address.to_owned()));
        self
    }

    /// Sets the Subject (RFC 2047-encoded when it is not plain ASCII words).
    pub fn subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_owned());
        self
    }

    /// Sets the Date from a UNIX timestamp and a zone offset in minutes (the
    /// caller supplies the clock).
    pub fn date(mut self, timestamp: i64, offset_minutes: i32) -> Self {
        self.date = Some(DateTime::from_timestamp(timestamp, offset_minutes));
        self
    }

    /// Sets the Message-ID (without angle brackets).
    pub fn message_id(mut self, id: &str) -> Self {
        self.message_id = Some(id.to_owned());
        self
    }

    /// Adds an In-Reply-To identifier (without angle brackets).
    pub fn in_reply_to(mut self, id: &str) -> Self {
        self.in_reply_to.push(id.to_owned());
        self
    }

    /// Adds an unstructured field (RFC 2047-encoded when needed). Names are
    /// written as given; one that is not a field-name is skipped.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':') {
            self.extra.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Sets the text/plain body (UTF-8; line breaks are written as CRLF).
    pub fn text(mut self, text: &str) -> Self {
        self.text = Some((text.to_owned(), None));
        self
    }

    /// Sets the text/plain body with a chosen transfer encoding (7bit is
    /// replaced by quoted-printable when the text is not 7bit-safe).
    pub fn text_with(mut self, text: &str, encoding: TransferEncoding) -> Self {
        self.text = Some((text.to_owned(), Some(encoding)));
        self
    }

    /// Sets the text/html alternative.
    pub fn html(mut self, html: &str) -> Self {
        self.html = Some((html.to_owned(), None));
        self
    }

    /// Sets the text/html alternative with a chosen transfer encoding.
    pub fn html_with(mut self, html: &str, encoding: TransferEncoding) -> Self {
        self.html = Some((html.to_owned(), Some(encoding)));
        self
    }

    /// Adds an attachment.
    pub fn attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// Writes the message: CRLF line endings, header lines folded at 78.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, list) in [
            ("From", &self.from),
            ("To", &self.to),
            ("Cc", &self.cc),
            ("Reply-To", &self.reply_to),
        ] {
            if !list.is_empty() {
                write_addresses(&mut out, name, list);
            }
        }
        if let Some(subject) = &self.subject {
            write_unstructured(&mut out, "Subject", subject);
        }
        if let Some(date) = &self.date {
            write_words(&mut out, "Date", &[date.to_rfc5322()]);
        }
        if let Some(id) = &self.message_id {
            write_words(&mut out, "Message-ID", &[format!("<{id}>")]);
        }
        if !self.in_reply_to.is_empty() {
            let ids: Vec<String> = self
                .in_reply_to
                .iter()
                .map(|id| format!("<{id}>"))
                .collect();
            write_words(&mut out, "In-Reply-To", &ids);
        }
        for (name, value) in &self.extra {
            write_unstructured(&mut out, name, value);
        }
        out.extend_from_slice(b"MIME-Version: 1.0\r\n");
        let mut leaves = Vec::new();
        let body = self.body_node(&mut leaves);
        let mut counter = 0;
        write_node(&mut out, &body, &leaves, &mut counter, true);
        out
    }

    fn body_node(&self, leaves: &mut Vec<Leaf>) -> Node {
        let mut alternatives = Vec::new();
        let texts = [(&self.text, "text/plain"), (&self.html, "text/html")];
        for (body, mime) in texts {
            if let Some((text, encoding)) = body {
                leaves.push(Leaf::text(mime, text, *encoding));
                alternatives.push(Node::Leaf(leaves.len() - 1));
            }
        }
        let main = match alternatives.len() {
            0 if self.attachments.is_empty() => {
                leaves.push(Leaf::text("text/plain", "", None));
                Some(Node::Leaf(leaves.len() - 1))
            }
            0 => None,
            1 => alternatives.pop(),
            _ => Some(Node::Multipart("alternative", alternatives)),
        };
        if self.attachments.is_empty() {
            return main.unwrap_or(Node::Multipart("mixed", Vec::new()));
        }
        let mut children: Vec<Node> = main.into_iter().collect();
        for attachment in &self.attachments {
            leaves.push(Leaf::attachment(attachment));
            children.push(Node::Leaf(leaves.len() - 1));
        }
        Node::Multipart("mixed", children)
    }
}

enum Node {
    Leaf(usize),
    Multipart(&'static str, Vec<Node>),
}

/// A leaf ready to write: its header lines and its encoded body.
struct Leaf {
    headers: Vec<u8>,
    body: Vec<u8>,
}

impl Leaf {
    fn text(mime: &str, text: &str, encoding: Option<TransferEncoding>) -> Self {
        let normalized = crlf(text);
        let safe = is_7bit_safe(&normalized);
        let encoding = match encoding {
            Some(TransferEncoding::Base64) => TransferEncoding::Base64,
            Some(TransferEncoding::QuotedPrintable) => TransferEncoding::QuotedPrintable,
            _ if safe => TransferEncoding::SevenBit,
            _ => TransferEncoding::QuotedPrintable,
        };
        let mut headers = Vec::new();
        write_words(
            &mut headers,
            "Content-Type",
            &[format!("{mime};"), "charset=utf-8".to_owned()],
        );
        write_words(
            &mut headers,
            "Content-Transfer-Encoding",
            &[encoding.as_str().to_owned()],
        );
        Self {
            headers,
            body: encode_body(&normalized, encoding),
        }
    }

    fn attachment(attachment: &Attachment) -> Self {
        let mime = if attachment.content_type.contains('/')
            && attachment
                .content_type
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b';' && b != b'"')
        {
            attachment.content_type.as_str()
        } else {
            "application/octet-stream"
        };
        let encoding = match attachment.encoding {
            Some(TransferEncoding::QuotedPrintable) => TransferEncoding::QuotedPrintable,
            Some(TransferEncoding::SevenBit) if is_7bit_safe(&attachment.data) => {
                TransferEncoding::SevenBit
            }
            _ => TransferEncoding::Base64,
        };
        let mut headers = Vec::new();
        let mut words = vec![format!("{mime};")];
        words.extend(param_words("name", &attachment.filename));
        write_words(&mut headers, "Content-Type", &words);
        let mut words = vec!["attachment;".to_owned()];
        words.extend(param_words("filename", &attachment.filename));
        write_words(&mut headers, "Content-Disposition", &words);
        write_words(
            &mut headers,
            "Content-Transfer-Encoding",
            &[encoding.as_str().to_owned()],
        );
        Self {
            headers,
            body: encode_body(&attachment.data, encoding),
        }
    }
}

fn write_node(out: &mut Vec<u8>, node: &Node, leaves: &[Leaf], counter: &mut usize, top: bool) {
    match node {
        Node::Leaf(index) => {
            let leaf = &leaves[*index];
            out.extend_from_slice(&leaf.headers);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&leaf.body);
            if top && !leaf.body.is_empty() && !leaf.body.ends_with(b"\r\n") {
                // A single-part body keeps its exact bytes: no CRLF is added,
                // which RFC 5322 §3.5 allows for the last line.
            }
        }
        Node::Multipart(subtype, children) => {
            let boundary = pick_boundary(counter, leaves);
            write_words(
                out,
                "Content-Type",
                &[
                    format!("multipart/{subtype};"),
                    format!("boundary=\"{boundary}\""),
                ],
            );
            out.extend_from_slice(b"\r\n");
            for child in children {
                out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                write_node(out, child, leaves, counter, false);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        }
    }
}

/// A boundary that occurs in no leaf: `=_` cannot appear in base64 or
/// quoted-printable output, and a counter settles the 7bit case.
fn pick_boundary(counter: &mut usize, leaves: &[Leaf]) -> String {
    loop {
        *counter += 1;
        let candidate = format!("=_yubin_{:04}", *counter);
        let bytes = candidate.as_bytes();
        if !leaves
            .iter()
            .any(|l| l.body.windows(bytes.len()).any(|w| w == bytes))
        {
            return candidate;
        }
    }
}

fn crlf(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => out.extend_from_slice(b"\r\n"),
            byte => out.push(byte),
        }
        i += 1;
    }
    out
}

/// RFC 2045 §2.7: ASCII, no NUL, no bare CR or LF, lines of at most 998.
fn is_7bit_safe(data: &[u8]) -> bool {
    let mut line = 0;
    let mut prev = 0u8;
    for &byte in data {
        if byte == 0
            || byte >= 128
            || (byte == b'\n' && prev != b'\r')
            || (prev == b'\r' && byte != b'\n')
        {
            return false;
        }
        line = if byte == b'\n' { 0 } else { line + 1 };
        if line > 998 {
            return false;
        }
        prev = byte;
    }
    prev != b'\r'
}

fn encode_body(data: &[u8], encoding: TransferEncoding) -> Vec<u8> {
    match encoding {
        TransferEncoding::Base64 => encode_base64_lines(data),
        TransferEncoding::QuotedPrintable => encode_qp(data),
        _ => data.to_vec(),
    }
}

/// Base64 (RFC 2045 §6.8) in lines of 76 characters.
pub fn encode_base64_lines(data: &[u8]) -> Vec<u8> {
    let encoded = encode_base64(data);
    let mut out = Vec::with_capacity(encoded.len() + encoded.len() / ENCODED_LINE * 2 + 2);
    for (i, line) in encoded.chunks(ENCODED_LINE).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(line);
    }
    out
}

/// Base64 (RFC 4648 §4) without line breaks.
pub fn encode_base64(data: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63]);
        out.push(ALPHABET[(n >> 12) as usize & 63]);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63]
        } else {
            b'='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63]
        } else {
            b'='
        });
    }
    out
}

/// Quoted-printable (RFC 2045 §6.7): CRLF pairs are hard line breaks,
/// everything else that is not plain printable ASCII is `=XX`, lines end
/// with a soft break before 76 characters, and a soft break ends the body
/// so no line break is added to it.
pub fn encode_qp(data: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(data.len() + data.len() / 8);
    let mut line = 0;
    let mut i = 0;
    while i < data.len() {
        let byte = data[i];
        if byte == b'\r' && data.get(i + 1) == Some(&b'\n') {
            out.extend_from_slice(b"\r\n");
            line = 0;
            i += 2;
            continue;
        }
        let at_line_end = matches!(data.get(i + 1), None | Some(b'\r'));
        let literal = (33..=126).contains(&byte) && byte != b'='
            || (byte == b' ' || byte == b'\t') && !at_line_end;
        let width = if literal { 1 } else { 3 };
        if line + width > ENCODED_LINE - 1 {
            out.extend_from_slice(b"=\r\n");
            line = 0;
        }
        if literal {
            out.push(byte);
        } else {
            out.extend_from_slice(&[
                b'=',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 15)],
            ]);
        }
        line += width;
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"=\r\n");
    }
    out
}

/// RFC 2047 B encoded words of UTF-8, each at most 75 octets, split on
/// character boundaries.
fn encoded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + WORD_BYTES).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let encoded = encode_base64(&text.as_bytes()[start..end]);
        words.push(format!("=?utf-8?B?{}?=", String::from_utf8_lossy(&encoded)));
        start = end;
    }
    words
}

/// Writes `Name: word word...` folding before a word that would pass 78.
fn write_words(out: &mut Vec<u8>, name: &str, words: &[String]) {
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    let mut line = name.len() + 1;
    for word in words {
        if line + 1 + word.len() > FOLD_AT && line > name.len() + 1 {
            out.extend_from_slice(b"\r\n");
            line = 0;
        }
        out.push(b' ');
        out.extend_from_slice(word.as_bytes());
        line += 1 + word.len();
    }
    out.extend_from_slice(b"\r\n");
}

/// Whether plain ASCII words survive folding and unfolding unchanged.
fn is_plain_words(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && !text.contains("=?")
        && text.split(' ').all(|w| w.len() < 900)
}

fn write_unstructured(out: &mut Vec<u8>, name: &str, value: &str) {
    if value.is_empty() {
        write_words(out, name, &[]);
    } else if is_plain_words(value) {
        let words: Vec<String> = value.split(' ').map(str::to_owned).collect();
        write_words(out, name, &words);
    } else {
        write_words(out, name, &encoded_words(value));
    }
}

fn is_atext_phrase(name: &str) -> bool {
    is_plain_words(name)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" !#$%&'*+-/=?^_`{|}~".contains(&b))
}

fn write_addresses(out: &mut Vec<u8>, name: &str, list: &[(String, String)]) {
    let mut words = Vec::new();
    for (i, (display, address)) in list.iter().enumerate() {
        let last = i + 1 == list.len();
        let addr = format!("<{address}>{}", if last { "" } else { "," });
        if display.is_empty() {
            words.push(addr);
            continue;
        }
        if is_atext_phrase(display) {
            words.extend(display.split(' ').map(str::to_owned));
        } else if display.is_ascii()
            && display.len() < 900
            && !display.bytes().any(|b| b.is_ascii_control())
            && !display.contains("=?")
        {
            let escaped = display.replace('\\', "\\\\").replace('"', "\\\"");
            words.push(format!("\"{escaped}\""));
        } else {
            words.extend(encoded_words(display));
        }
        words.push(addr);
    }
    write_words(out, name, &words);
}

/// A parameter as `name="value"`, or RFC 2231 `name*0*=utf-8''...` sections
/// when the value is not short printable ASCII.
fn param_words(name: &str, value: &str) -> Vec<String> {
    let simple = value.len() <= 60
        && !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && !value.contains("=?")
        && !value.starts_with(' ')
        && !value.ends_with(' ');
    if simple {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        return vec![format!("{name}=\"{escaped}\"")];
    }
    let mut encoded = String::new();
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    let chunks: Vec<&str> = {
        let mut chunks = Vec::new();
        let mut rest = encoded.as_str();
        while rest.len() > 50 {
            // Never split a %XX escape.
            let mut cut = 50;
            while rest.as_bytes()[cut - 1] == b'%' || rest.as_bytes()[cut - 2] == b'%' {
                cut -= 1;
            }
            chunks.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        chunks.push(rest);
        chunks
    };
    let count = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let prefix = if i == 0 { "utf-8''" } else { "" };
            let semi = if i + 1 < count { ";" } else { "" };
            format!("{name}*{i}*={prefix}{chunk}{semi}")
        })
        .collect()
}

/// Decodes what [`encode_base64`] wrote; kept here so tests of the builder
/// can check both directions without reaching into the parser.
pub fn decode_base64(data: &[u8]) -> Vec<u8> {
    decode::base64(data).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qp_lines_stay_short_and_decode_back() {
        let text = "x".repeat(200) + " \r\nünïcode = yes\t";
        let encoded = encode_qp(text.as_bytes());
        assert!(encoded.split(|&b| b == b'\n').all(|l| l.len() <= 77));
        assert_eq!(decode::quoted_printable(&encoded).0, text.as_bytes());
    }

    #[test]
    fn headers_fold_at_78() {
        let subject = "word ".repeat(60);
        let built = MessageBuilder::new()
            .subject(subject.trim())
            .text("x")
            .build();
        for line in built.split(|&b| b == b'\n') {
            assert!(line.len() <= 79, "{}", String::from_utf8_lossy(line));
        }
        let long = "y".repeat(3000);
        let quoted = "\"".repeat(1500);
        let built = MessageBuilder::new()
            .subject(&long)
            .from(&quoted, "a@example.test")
            .to(&long, "b@example.test")
            .build();
        assert!(built.split(|&b| b == b'\n').all(|l| l.len() <= 999));
        let parsed = crate::Message::parse(&built);
        assert_eq!(parsed.subject().as_deref(), Some(long.as_str()));
        let from = parsed.from();
        assert!(
            matches!(&from[..], [crate::Address::Mailbox(m)] if m.name.as_deref() == Some(quoted.as_str()))
        );
    }

    #[test]
    fn base64_round_trip() {
        for len in 0..20 {
            let data: Vec<u8> = (0..len as u8).collect();
            assert_eq!(decode_base64(&encode_base64_lines(&data)), data);
        }
    }
}
