//! Credentials whose `Debug` never shows them.

use std::fmt;

/// A password, bearer token or shared secret.
///
/// `Debug` prints `Secret(<redacted>)`, so a secret that ends up in a log line
/// through a `{:?}` of some event does not leak. The text is reachable only
/// through [`Secret::expose`], which makes every use greppable. The memory is
/// not wiped on drop (that would need a dependency this crate does not take).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

/// Compares two byte strings in time that depends only on their lengths, so a
/// peer cannot learn a proof or digest one byte at a time from response times.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts() {
        let secret = Secret::new("tanstaaftanstaaf");
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("tanstaaf"), "{shown}");
        assert!(shown.contains("redacted"));
        assert_eq!(secret.expose(), "tanstaaftanstaaf");
    }

    #[test]
    fn constant_time_eq_rows() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
