//! Names: the mailbox a user's mail goes to, and the stable unique id of a
//! message.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::StoreError;

/// The name of a mailbox in a store, e.g. `alice`.
///
/// A Maildir store makes it a directory name, so it is restricted to what is
/// safe there: 1 to 64 bytes of ASCII letters, digits and `.`, `_`, `+`,
/// `-`, not starting with `.` (no `..`, no hidden or Maildir++ folder names,
/// no `/`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailboxName(String);

impl MailboxName {
    /// The longest name accepted, in bytes.
    pub const MAX_LEN: usize = 64;

    /// Checks `name` and wraps it.
    pub fn new(name: impl Into<String>) -> Result<Self, StoreError> {
        let name = name.into();
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-');
        if name.is_empty()
            || name.len() > Self::MAX_LEN
            || name.starts_with('.')
            || !name.bytes().all(allowed)
        {
            return Err(StoreError::InvalidMailboxName(name));
        }
        Ok(MailboxName(name))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MailboxName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A message's unique id, stable across sessions and restarts: what POP3's
/// UIDL reports.
///
/// RFC 1939 §7: `unique-id = 1*70 (%x21-7E)`. A store's own name for a
/// message is used as it is when it fits that rule; a longer or odd one is
/// replaced by the hex SHA-256 of it (64 characters), which is as stable as
/// the name itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid(String);

impl Uid {
    /// The longest unique id RFC 1939 §7 allows.
    pub const MAX_LEN: usize = 70;

    /// The unique id for a store's own message name.
    pub fn from_name(name: &str) -> Uid {
        let printable = name.bytes().all(|b| (0x21..=0x7e).contains(&b));
        if printable && !name.is_empty() && name.len() <= Self::MAX_LEN {
            Uid(name.to_owned())
        } else {
            Uid(hex(&Sha256::digest(name.as_bytes())))
        }
    }

    /// The id as text: 1 to 70 characters in `%x21-7E`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_names_that_could_leave_the_store_are_refused() {
        for good in ["alice", "a.b", "bob+lists", "x_y-z", "A1"] {
            assert!(MailboxName::new(good).is_ok(), "{good}");
        }
        let long = "a".repeat(65);
        for bad in [
            "", ".", "..", ".hidden", "a/b", "../etc", "a b", "é", "a\0", &long,
        ] {
            assert!(MailboxName::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn uids_follow_rfc1939_section_7() {
        let short = "1234567890.M20046P2137.mailserver";
        assert_eq!(Uid::from_name(short).as_str(), short);
        // 74 characters: too long for UIDL, so hashed, stably.
        let long = "1491941793.M41850P8566V0000000000000015I0000000004F3030E_0.mx1.example.com";
        let uid = Uid::from_name(long);
        assert_eq!(uid.as_str().len(), 64);
        assert_eq!(uid, Uid::from_name(long));
        assert_ne!(uid, Uid::from_name(&long[1..]));
        // A space is outside %x21-7E.
        assert_ne!(Uid::from_name("a b").as_str(), "a b");
        assert_eq!(Uid::from_name("").as_str().len(), 64);
    }
}
