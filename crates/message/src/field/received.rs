//! Received trace fields (RFC 5321 §4.4, RFC 5322 §3.6.7).
//!
//! ```text
//! Time-stamp-line = "Received:" FWS Stamp CRLF
//! Stamp           = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
//! Opt-info        = [Via] [With] [ID] [For] [Additional-Registered-Clauses]
//! ```

use super::{date, unfold};

/// The clauses of a Received field, each as written (comments dropped).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Received {
    /// The `from` domain (what the client said in HELO/EHLO).
    pub from: Option<String>,
    /// The first comment after `from`, usually the TCP-info (reverse DNS and
    /// IP address).
    pub from_info: Option<String>,
    /// The `by` domain (the receiving host).
    pub by: Option<String>,
    /// The `via` link.
    pub via: Option<String>,
    /// The `with` protocol (SMTP, ESMTP, ESMTPS, LMTP...).
    pub with: Option<String>,
    /// The `id` the receiving host gave the message.
    pub id: Option<String>,
    /// The `for` path, angle brackets removed.
    pub for_path: Option<String>,
    /// The date after the `;`.
    pub date: Option<date::DateTime>,
}

/// Reads a Received value; absent clauses are `None`.
pub fn parse(value: &[u8]) -> Received {
    let unfolded = unfold(value);
    let (stamp, when) = match unfolded.iter().rposition(|&b| b == b';') {
        Some(semi) => (&unfolded[..semi], Some(&unfolded[semi + 1..])),
        None => (&unfolded[..], None),
    };
    let mut received = Received {
        date: when.and_then(date::parse),
        ..Received::default()
    };
    // Split into words and comments.
    let mut words: Vec<(bool, String)> = Vec::new();
    let mut i = 0;
    while i < stamp.len() {
        match stamp[i] {
            b' ' | b'\t' => i += 1,
            b'(' => {
                let mut depth = 0usize;
                let start = i + 1;
                while i < stamp.len() {
                    match stamp[i] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                let end = i.min(stamp.len());
                words.push((
                    true,
                    String::from_utf8_lossy(&stamp[start.min(end)..end]).into_owned(),
                ));
                i += 1;
            }
            _ => {
                let start = i;
                while i < stamp.len() && !matches!(stamp[i], b' ' | b'\t' | b'(') {
                    i += 1;
                }
                words.push((
                    false,
                    String::from_utf8_lossy(&stamp[start..i]).into_owned(),
                ));
            }
        }
    }
    let mut iter = words.into_iter().peekable();
    while let Some((is_comment, word)) = iter.next() {
        if is_comment {
            continue;
        }
        let slot = match word.to_ascii_lowercase().as_str() {
            "from" => &mut received.from,
            "by" => &mut received.by,
            "via" => &mut received.via,
            "with" => &mut received.with,
            "id" => &mut received.id,
            "for" => &mut received.for_path,
            _ => continue,
        };
        if slot.is_some() {
            continue;
        }
        let Some((false, next)) = iter.peek().cloned() else {
            continue;
        };
        iter.next();
        let keyword_is_from = word.eq_ignore_ascii_case("from");
        *slot = Some(
            next.trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned(),
        );
        if keyword_is_from && let Some((true, comment)) = iter.peek().cloned() {
            received.from_info = Some(comment);
        }
    }
    received
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5322 Appendix A.4 (message with trace fields).
    #[test]
    fn known_answers() {
        let got = parse(b" from x.y.test\r\n   by example.net\r\n   via TCP\r\n   with ESMTP\r\n   id ABC12345\r\n   for <mary@example.net>;  21 Nov 1997 10:05:43 -0600");
        assert_eq!(got.from.as_deref(), Some("x.y.test"));
        assert_eq!(got.by.as_deref(), Some("example.net"));
        assert_eq!(got.via.as_deref(), Some("TCP"));
        assert_eq!(got.with.as_deref(), Some("ESMTP"));
        assert_eq!(got.id.as_deref(), Some("ABC12345"));
        assert_eq!(got.for_path.as_deref(), Some("mary@example.net"));
        assert_eq!(
            got.date.map(|d| (d.year, d.day, d.offset_minutes)),
            Some((1997, 21, -360))
        );

        let got =
            parse(b"from machine.example (host.example [192.0.2.1]) by mx.test with SMTP; bogus");
        assert_eq!(got.from_info.as_deref(), Some("host.example [192.0.2.1]"));
        assert_eq!(got.date, None);
        assert_eq!(parse(b""), Received::default());
    }
}
