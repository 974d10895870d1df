//! The store's one error type, and the replies the protocols give for it.

use std::io;
use std::path::PathBuf;

/// Why a quota refused a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuotaKind {
    /// The mailbox is full now; it may take the message once its owner
    /// removes mail, so the sender should retry (SMTP 452).
    MailboxFull,
    /// The message alone is larger than the whole quota; it will never fit
    /// (SMTP 552).
    MessageTooLarge,
}

/// Whether retrying the same operation later can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Retrying later may succeed (SMTP 4yz, POP3 `[SYS/TEMP]` or `[IN-USE]`).
    Temporary,
    /// Retrying will fail the same way (SMTP 5yz, POP3 `[SYS/PERM]`).
    Permanent,
}

/// What a store operation failed on, typed so a protocol can pick its reply:
/// [`StoreError::severity`], [`StoreError::smtp_code`] and
/// [`StoreError::pop3_response_code`] give the mapping.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No mailbox answers to this address or name (SMTP 550, RFC 5321 §4.2.2).
    #[error("no such mailbox: {0}")]
    NoSuchMailbox(String),
    /// The address could not be read as `local-part@domain` (SMTP 553).
    #[error("not a mailbox address: {0:?}")]
    InvalidAddress(String),
    /// The name cannot name a mailbox: empty, too long, or with characters
    /// that could escape the store's directory.
    #[error("invalid mailbox name: {0:?}")]
    InvalidMailboxName(String),
    /// Another session holds the maildrop (RFC 1939 §8, POP3 `[IN-USE]`,
    /// RFC 2449 §8.1.1).
    #[error("maildrop {mailbox} is in use{}", holder.as_ref().map(|h| format!(" by {h}")).unwrap_or_default())]
    InUse {
        /// The mailbox whose maildrop is locked.
        mailbox: String,
        /// Who holds the lock, as the lock says (e.g. `pid 42 on mx1`), if known.
        holder: Option<String>,
    },
    /// A quota refused the delivery.
    #[error("quota exceeded for {mailbox}: {kind:?}")]
    QuotaExceeded {
        /// The mailbox over quota.
        mailbox: String,
        /// Full now (temporary) or too large ever to fit (permanent).
        kind: QuotaKind,
    },
    /// The message number is outside the maildrop's listing.
    #[error("no such message: {0}")]
    NoSuchMessage(usize),
    /// The message is marked deleted in this session (RFC 1939 §5: a deleted
    /// message may not be referred to).
    #[error("message {0} is marked deleted")]
    MessageDeleted(usize),
    /// The message was removed behind the session's back (by another mail
    /// program sharing the Maildir) and cannot be read.
    #[error("message {0} has vanished from the mailbox")]
    MessageVanished(String),
    /// Committing a session removed only some of the messages marked deleted
    /// (RFC 1939 §6: "-ERR some deleted messages not removed"). The others stay
    /// and are listed again by the next session.
    #[error("{failed} of {marked} deleted messages could not be removed")]
    NotAllRemoved {
        /// Messages marked deleted.
        marked: usize,
        /// Of those, the ones still in the mailbox.
        failed: usize,
    },
    /// A write of this delivery failed before, so the message is incomplete:
    /// it cannot be committed, and further writes are refused (SMTP 451).
    #[error("an earlier write of this delivery failed; the message is incomplete")]
    DeliveryAborted,
    /// The operating system failed an operation; retrying later may succeed
    /// (SMTP 451, POP3 `[SYS/TEMP]`).
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What the store was doing, e.g. `fsync`.
        op: &'static str,
        /// The file or directory it was doing it to.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

impl StoreError {
    /// An I/O error on `path` while doing `op`.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        StoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// Whether retrying later may succeed.
    ///
    /// Quota: a full mailbox is temporary, a message larger than the whole
    /// quota is permanent. Every I/O error is temporary: a full disk or a
    /// permission an administrator fixes later must make the sender retry,
    /// never bounce the mail.
    pub fn severity(&self) -> Severity {
        match self {
            StoreError::InUse { .. }
            | StoreError::DeliveryAborted
            | StoreError::Io { .. }
            | StoreError::NotAllRemoved { .. }
            | StoreError::QuotaExceeded {
                kind: QuotaKind::MailboxFull,
                ..
            } => Severity::Temporary,
            StoreError::NoSuchMailbox(_)
            | StoreError::InvalidAddress(_)
            | StoreError::InvalidMailboxName(_)
            | StoreError::QuotaExceeded {
                kind: QuotaKind::MessageTooLarge,
                ..
            }
            | StoreError::NoSuchMessage(_)
            | StoreError::MessageDeleted(_)
            | StoreError::MessageVanished(_) => Severity::Permanent,
        }
    }

    /// `true` when [`severity`](Self::severity) is [`Severity::Temporary`].
    pub fn is_temporary(&self) -> bool {
        self.severity() == Severity::Temporary
    }

    /// The SMTP reply code for a delivery (RCPT or end of DATA) that failed
    /// with this error (RFC 5321 §4.2.2, §4.2.3).
    ///
    /// | error | code | meaning |
    /// |---|---|---|
    /// | no such mailbox, invalid name | 550 | mailbox unavailable |
    /// | invalid address | 553 | mailbox name not allowed |
    /// | mailbox full | 452 | insufficient system storage |
    /// | message larger than the quota | 552 | exceeded storage allocation |
    /// | in use | 450 | mailbox unavailable (busy) |
    /// | I/O and the rest temporary | 451 | local error in processing |
    pub fn smtp_code(&self) -> u16 {
        match self {
            StoreError::NoSuchMailbox(_) | StoreError::InvalidMailboxName(_) => 550,
            StoreError::InvalidAddress(_) => 553,
            StoreError::QuotaExceeded {
                kind: QuotaKind::MailboxFull,
                ..
            } => 452,
            StoreError::QuotaExceeded { .. } => 552,
            StoreError::InUse { .. } => 450,
            other if other.is_temporary() => 451,
            _ => 554,
        }
    }

    /// The POP3 extended response code (RFC 2449 §8, RFC 3206) for a session
    /// command that failed with this error, or `None` where a plain `-ERR`
    /// fits (a bad message number).
    pub fn pop3_response_code(&self) -> Option<&'static str> {
        match self {
            StoreError::InUse { .. } => Some("IN-USE"),
            StoreError::NoSuchMessage(_)
            | StoreError::MessageDeleted(_)
            | StoreError::MessageVanished(_) => None,
            other if other.is_temporary() => Some("SYS/TEMP"),
            _ => Some("SYS/PERM"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_maps_to_the_reply_its_rfc_names() {
        let io = StoreError::io("fsync", "/x", io::Error::other("boom"));
        let full = StoreError::QuotaExceeded {
            mailbox: "a".into(),
            kind: QuotaKind::MailboxFull,
        };
        let large = StoreError::QuotaExceeded {
            mailbox: "a".into(),
            kind: QuotaKind::MessageTooLarge,
        };
        let in_use = StoreError::InUse {
            mailbox: "a".into(),
            holder: None,
        };
        let none = StoreError::NoSuchMailbox("a@b".into());
        // (error, temporary, SMTP code per RFC 5321 §4.2.2, POP3 code per RFC 2449 §8 / RFC 3206)
        let rows: [(&StoreError, bool, u16, Option<&str>); 5] = [
            (&none, false, 550, Some("SYS/PERM")),
            (&full, true, 452, Some("SYS/TEMP")),
            (&large, false, 552, Some("SYS/PERM")),
            (&in_use, true, 450, Some("IN-USE")),
            (&io, true, 451, Some("SYS/TEMP")),
        ];
        for (error, temporary, smtp, pop3) in rows {
            assert_eq!(error.is_temporary(), temporary, "{error}");
            assert_eq!(error.smtp_code(), smtp, "{error}");
            assert_eq!(error.pop3_response_code(), pop3, "{error}");
        }
        assert_eq!(StoreError::NoSuchMessage(3).pop3_response_code(), None);
    }
}
