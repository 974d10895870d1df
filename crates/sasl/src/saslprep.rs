//! SASLprep (RFC 4013), the subset that matters for SCRAM passwords and names.
//!
//! Done: ASCII passes through unchanged except for the prohibited controls;
//! non-ASCII spaces (RFC 3454 table C.1.2) map to U+0020 (RFC 4013 §2.1);
//! "commonly mapped to nothing" characters (table B.1) are removed; and the
//! prohibited output of RFC 4013 §2.3 is refused: ASCII and non-ASCII controls
//! (C.2.1, C.2.2), private use (C.3), non-character code points (C.4),
//! surrogates (C.5, unrepresentable in `str` anyway), inappropriate for plain
//! text (C.6), for canonical representation (C.7), change display properties
//! (C.8) and tagging characters (C.9). Unassigned code points pass, as RFC
//! 4013 §2.5 allows for queries.
//!
//! Not done: Unicode normalisation form KC (RFC 4013 §2.2) and the
//! bidirectional check (§2.4), which need Unicode tables this crate does not
//! carry. A password already in NFKC (any ASCII password, and most typed
//! input) gives the same result as a full implementation; one that is not may
//! derive different keys than a peer that normalises, so the failure mode is a
//! refused login, never a wrong acceptance.

use thiserror::Error;

/// A character that SASLprep prohibits (RFC 4013 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("character U+{:04X} is prohibited by SASLprep (RFC 4013 §2.3)", *.0 as u32)]
pub struct SaslPrepError(pub char);

fn is_non_ascii_space(c: char) -> bool {
    // RFC 3454 table C.1.2.
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200B}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

fn is_mapped_to_nothing(c: char) -> bool {
    // RFC 3454 table B.1.
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{1806}'
            | '\u{180B}'..='\u{180D}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

fn is_prohibited(c: char) -> bool {
    let cp = c as u32;
    matches!(cp,
        // C.2.1 ASCII controls, C.2.2 non-ASCII controls.
        0x00..=0x1F | 0x7F | 0x80..=0x9F | 0x06DD | 0x070F | 0x180E | 0x200C | 0x200D
        | 0x2028 | 0x2029 | 0x2060..=0x2063 | 0x206A..=0x206F | 0xFEFF | 0xFFF9..=0xFFFC
        | 0x1D173..=0x1D17A
        // C.3 private use.
        | 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD
        // C.4 non-characters.
        | 0xFDD0..=0xFDEF
        // C.6, C.7, C.8.
        | 0xFFF9..=0xFFFD | 0x2FF0..=0x2FFB | 0x0340 | 0x0341 | 0x200E | 0x200F
        // C.9 tagging.
        | 0xE0001 | 0xE0020..=0xE007F
    ) || (cp & 0xFFFE) == 0xFFFE // C.4: U+xxFFFE and U+xxFFFF in every plane.
}

/// Applies the SASLprep subset described in the module docs.
pub fn saslprep(input: &str) -> Result<std::borrow::Cow<'_, str>, SaslPrepError> {
    use std::borrow::Cow;
    if input.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return Ok(Cow::Borrowed(input));
    }
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if is_mapped_to_nothing(c) {
            continue;
        }
        let c = if is_non_ascii_space(c) { ' ' } else { c };
        if is_prohibited(c) {
            return Err(SaslPrepError(c));
        }
        out.push(c);
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4013 §3 examples that do not need normalisation, plus the mapping rows.
    #[test]
    fn rfc4013_section_3_rows() {
        assert_eq!(saslprep("I\u{00AD}X").unwrap(), "IX"); // SOFT HYPHEN mapped to nothing
        assert_eq!(saslprep("user").unwrap(), "user"); // no transformation
        assert_eq!(saslprep("USER").unwrap(), "USER"); // case preserved
        assert_eq!(saslprep("\u{0007}"), Err(SaslPrepError('\u{0007}'))); // prohibited
        assert_eq!(saslprep("a\u{00A0}b").unwrap(), "a b"); // C.1.2 space mapped
        assert_eq!(saslprep("a\u{3000}b").unwrap(), "a b");
        assert_eq!(saslprep("p\u{E000}"), Err(SaslPrepError('\u{E000}'))); // C.3
        assert_eq!(saslprep("p\u{FFFF}"), Err(SaslPrepError('\u{FFFF}'))); // C.4
        assert_eq!(saslprep("p\u{E0041}"), Err(SaslPrepError('\u{E0041}'))); // C.9
        assert_eq!(saslprep("pässwörd").unwrap(), "pässwörd"); // already NFKC
        assert_eq!(saslprep("a\u{7F}"), Err(SaslPrepError('\u{7F}')));
    }
}
