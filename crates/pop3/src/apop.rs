//! APOP (RFC 1939 §7): the digest is the hex MD5 of the greeting's timestamp
//! followed by the shared secret. The caller supplies the timestamp (no clock
//! or randomness in the core).

use md5::{Digest, Md5};

/// The APOP digest for `timestamp` (as in the greeting, angle brackets
/// included) and `secret`: 32 lowercase hex digits.
///
/// ```
/// // RFC 1939 §7's example.
/// let digest = yubin_pop3::apop_digest("<1896.697170952@dbc.mtview.ca.us>", b"tanstaaf");
/// assert_eq!(digest, "c4c9334bac560ecc979e58001b3e22fb");
/// ```
pub fn apop_digest(timestamp: &str, secret: &[u8]) -> String {
    let mut md5 = Md5::new();
    md5.update(timestamp.as_bytes());
    md5.update(secret);
    let hash = md5.finalize();
    let mut hex = String::with_capacity(32);
    for byte in hash.iter() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
    }
    hex
}

/// Whether `timestamp` has the shape RFC 1939 §7 requires of a greeting's
/// timestamp: `<` printable ASCII without spaces or brackets `>`, as
/// `msg-id` of RFC 822 looks.
pub fn is_valid_apop_timestamp(timestamp: &str) -> bool {
    let Some(inner) = timestamp
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
    else {
        return false;
    };
    !inner.is_empty()
        && inner.len() <= 200
        && inner
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert!(is_valid_apop_timestamp("<1896.697170952@dbc.mtview.ca.us>"));
        assert!(!is_valid_apop_timestamp("1896@x"));
        assert!(!is_valid_apop_timestamp("<>"));
        assert!(!is_valid_apop_timestamp("<a b>"));
        assert!(!is_valid_apop_timestamp("<a\r\n>"));
    }

    #[test]
    fn comparisons() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
