//! Per-mailbox quotas.

use crate::{QuotaKind, StoreError};

/// Limits on one mailbox, counted in octets as POP3 counts them (CRLF line
/// endings). `None` is no limit; [`Quota::default`] is no limit at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quota {
    /// The most octets the mailbox may hold.
    pub max_bytes: Option<u64>,
    /// The most messages the mailbox may hold.
    pub max_messages: Option<u64>,
}

impl Quota {
    /// No limit.
    pub fn unlimited() -> Self {
        Quota::default()
    }

    /// At most `max_bytes` octets.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = Some(max_bytes);
        self
    }

    /// At most `max_messages` messages.
    pub fn with_max_messages(mut self, max_messages: u64) -> Self {
        self.max_messages = Some(max_messages);
        self
    }

    /// Whether a mailbox holding `usage` can take one more message of
    /// `message_size` octets (so far).
    pub(crate) fn check(
        &self,
        mailbox: &str,
        usage: Usage,
        message_size: u64,
    ) -> Result<(), StoreError> {
        let refuse = |kind| {
            Err(StoreError::QuotaExceeded {
                mailbox: mailbox.to_owned(),
                kind,
            })
        };
        if let Some(max) = self.max_bytes {
            if message_size > max {
                return refuse(QuotaKind::MessageTooLarge);
            }
            if usage.bytes.saturating_add(message_size) > max {
                return refuse(QuotaKind::MailboxFull);
            }
        }
        if let Some(max) = self.max_messages
            && usage.messages >= max
        {
            return refuse(QuotaKind::MailboxFull);
        }
        Ok(())
    }
}

/// What a mailbox holds now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) bytes: u64,
    pub(crate) messages: u64,
}
