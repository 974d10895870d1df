//! The store trait: delivering into a mailbox, and a POP3 session's
//! exclusive maildrop.

use std::io::Read;

use crate::{MailboxName, MessageChunks, StoreError, Uid};

/// Where mail rests: deliver into a mailbox, open a mailbox's maildrop.
///
/// Every method may block on storage (see the crate doc for how to call it
/// from an async runtime). The store is shared between threads: deliveries
/// into one mailbox may run while a POP3 session has its maildrop open.
pub trait MailStore: Send + Sync {
    /// A delivery in progress, see [`Delivery`].
    type Delivery: Delivery;
    /// An open maildrop, see [`Maildrop`].
    type Maildrop: Maildrop;

    /// Creates the mailbox if it does not exist (idempotent). Delivering to
    /// or opening a mailbox that was never created fails with
    /// [`StoreError::NoSuchMailbox`].
    fn create_mailbox(&self, mailbox: &MailboxName) -> Result<(), StoreError>;

    /// Starts a delivery into `mailbox`. Nothing is visible in the mailbox
    /// until [`Delivery::commit`] returns; dropping the delivery abandons it.
    fn begin_delivery(&self, mailbox: &MailboxName) -> Result<Self::Delivery, StoreError>;

    /// Opens `mailbox`'s maildrop for one POP3 session, exclusively (RFC 1939
    /// §8): while it is open another call fails with [`StoreError::InUse`].
    /// The listing is the mailbox as it was at this call; mail delivered
    /// later shows in the next session.
    fn open_maildrop(&self, mailbox: &MailboxName) -> Result<Self::Maildrop, StoreError>;

    /// Delivers a whole message held in memory; returns once it is durable.
    fn deliver(&self, mailbox: &MailboxName, message: &[u8]) -> Result<Delivered, StoreError> {
        let mut delivery = self.begin_delivery(mailbox)?;
        delivery.write(message)?;
        delivery.commit()
    }

    /// Delivers a message read from `reader` to its end, in chunks; returns
    /// once it is durable.
    fn deliver_from(
        &self,
        mailbox: &MailboxName,
        reader: &mut dyn Read,
    ) -> Result<Delivered, StoreError> {
        let mut delivery = self.begin_delivery(mailbox)?;
        let mut buf = vec![0; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => delivery.write(&buf[..n])?,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(StoreError::io("read message", "<input>", e)),
            }
        }
        delivery.commit()
    }
}

/// A message being delivered: write its bytes in chunks of any size (as the
/// SMTP server hands them over), then [`commit`](Self::commit).
///
/// Line endings may be CRLF (as SMTP carries them) or LF; the store keeps
/// them in its own form and gives them back with CRLF. Dropping a delivery
/// without committing abandons it and leaves nothing in the mailbox.
pub trait Delivery: Send + std::fmt::Debug {
    /// Appends a chunk of the message. Fails with
    /// [`StoreError::QuotaExceeded`] as soon as the message no longer fits.
    /// After any failed write the delivery is aborted: later writes and
    /// [`commit`](Self::commit) fail with [`StoreError::DeliveryAborted`], so
    /// an incomplete message is never committed.
    fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError>;

    /// Makes the message durable and visible in the mailbox. Only when this
    /// returns `Ok` may the server acknowledge the message (SMTP 250).
    fn commit(self) -> Result<Delivered, StoreError>;
}

/// A message that was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Its unique id, as the maildrop will list it.
    pub uid: Uid,
    /// Its size as POP3 counts it (CRLF line endings).
    pub size: u64,
}

/// One message of a maildrop's listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageInfo {
    /// Its unique id (POP3 UIDL), stable across sessions and restarts.
    pub uid: Uid,
    /// Its size in octets as POP3 counts them, with CRLF line endings
    /// (RFC 1939 §5 LIST), before dot-stuffing.
    pub size: u64,
    /// Whether this session marked it deleted.
    pub deleted: bool,
}

/// What committing a maildrop did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommitSummary {
    /// Messages removed.
    pub removed: usize,
    /// Messages kept, i.e. the listing minus the removed ones.
    pub kept: usize,
}

/// A mailbox opened by one POP3 session, exclusively.
///
/// Messages are addressed by their index in [`messages`](Self::messages),
/// starting at 0: POP3 message number `n` is index `n - 1`. Dropping a
/// maildrop without [`commit`](Self::commit) releases it and removes nothing
/// (RFC 1939 §6: a session that ends without QUIT deletes nothing).
pub trait Maildrop: Send + std::fmt::Debug {
    /// The listing, fixed when the maildrop was opened, in delivery order.
    fn messages(&self) -> &[MessageInfo];

    /// Reads a whole message as a stream of chunks, with CRLF line endings;
    /// the chunks add up to the size in the listing.
    fn read(&mut self, index: usize) -> Result<MessageChunks, StoreError>;

    /// Reads the header, the blank line and the first `body_lines` lines of
    /// the body (RFC 1939 §7, TOP).
    fn read_top(&mut self, index: usize, body_lines: usize) -> Result<MessageChunks, StoreError>;

    /// Marks a message deleted (RFC 1939 §5, DELE). Deleting it twice is an
    /// error, as RFC 1939 requires.
    fn mark_deleted(&mut self, index: usize) -> Result<(), StoreError>;

    /// Unmarks every message (RFC 1939 §5, RSET).
    fn reset(&mut self);

    /// Removes the messages marked deleted and releases the maildrop (RFC 1939
    /// §6, UPDATE state). Returns only once the removals are durable.
    ///
    /// The removals are one atomic step: if the process dies during the
    /// commit, the next session sees none or all of them removed, never
    /// some (the Maildir store journals them, see
    /// [`MaildirMaildrop`](crate::MaildirMaildrop); the memory store removes
    /// them under one lock). A removal that fails for another reason is
    /// reported as [`StoreError::NotAllRemoved`], and that message stays.
    fn commit(self) -> Result<CommitSummary, StoreError>;

    /// The number and total size of the messages not marked deleted (RFC
    /// 1939 §5, STAT).
    fn stat(&self) -> (usize, u64) {
        self.messages()
            .iter()
            .filter(|m| !m.deleted)
            .fold((0, 0), |(n, size), m| (n + 1, size + m.size))
    }

    /// The listing entry of a message that may be referred to: in range and
    /// not marked deleted.
    fn message(&self, index: usize) -> Result<&MessageInfo, StoreError> {
        match self.messages().get(index) {
            None => Err(StoreError::NoSuchMessage(index)),
            Some(m) if m.deleted => Err(StoreError::MessageDeleted(index)),
            Some(m) => Ok(m),
        }
    }
}
