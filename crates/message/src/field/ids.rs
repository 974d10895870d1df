//! Message identifiers (RFC 5322 §3.6.4): Message-ID, In-Reply-To, References.
//!
//! ```text
//! msg-id      = [CFWS] "<" id-left "@" id-right ">" [CFWS]
//! references  = "References:" 1*msg-id CRLF
//! ```

use super::unfold;

/// The identifiers in `value`, without angle brackets. Identifiers in angle
/// brackets are taken as written (obs-id-left/right of §4.5.4 may hold CFWS);
/// a value without any `<` is split on whitespace, since real mail has bare
/// identifiers. Empty `<>` is skipped.
pub fn parse(value: &[u8]) -> Vec<String> {
    let unfolded = unfold(value);
    let mut ids = Vec::new();
    if !unfolded.contains(&b'<') {
        for word in unfolded.split(|b| matches!(b, b' ' | b'\t')) {
            if !word.is_empty() {
                ids.push(String::from_utf8_lossy(word).into_owned());
            }
        }
        return ids;
    }
    let mut rest = &unfolded[..];
    while let Some(open) = rest.iter().position(|&b| b == b'<') {
        let after = &rest[open + 1..];
        let close = after.iter().position(|&b| b == b'>').unwrap_or(after.len());
        let id = super::trim_wsp(&after[..close]);
        if !id.is_empty() {
            ids.push(String::from_utf8_lossy(id).into_owned());
        }
        rest = &after[(close + 1).min(after.len())..];
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 5322 Appendix A.2 and A.6.3.
    #[test]
    fn known_answers() {
        let table: &[(&str, &[&str])] = &[
            (
                "<1234@local.machine.example>",
                &["1234@local.machine.example"],
            ),
            (
                "<1234@local.machine.example> <3456@example.net>",
                &["1234@local.machine.example", "3456@example.net"],
            ),
            (
                "\r\n <abcd.1234@local.machine.test>",
                &["abcd.1234@local.machine.test"],
            ),
            ("<>", &[]),
            ("bare@id.example", &["bare@id.example"]),
            ("", &[]),
        ];
        for (input, expected) in table {
            assert_eq!(parse(input.as_bytes()), *expected, "{input:?}");
        }
    }
}
