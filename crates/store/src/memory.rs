//! The in-memory store: for tests, and for embedders who keep mail elsewhere
//! and want the same trait.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::{Bytes, BytesMut};

use crate::crlf::LfToCrlf;
use crate::quota::Usage;
use crate::{
    CommitSummary, Delivered, Delivery, MailStore, MailboxName, Maildrop, MessageChunks,
    MessageInfo, Quota, StoreError, Uid,
};

#[derive(Debug, Default)]
struct Mailbox {
    /// In delivery order, with CRLF line endings.
    messages: Vec<(Uid, Bytes)>,
    locked: bool,
    next_id: u64,
}

type Mailboxes = Arc<Mutex<HashMap<MailboxName, Mailbox>>>;

/// A store that keeps every mailbox in memory. Cloning it gives another
/// handle on the same mailboxes. Nothing survives the process.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    mailboxes: Mailboxes,
    quota: Quota,
}

impl MemoryStore {
    /// An empty store without quota.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `quota` to every mailbox.
    pub fn with_quota(mut self, quota: Quota) -> Self {
        self.quota = quota;
        self
    }
}

fn lock(mailboxes: &Mailboxes) -> MutexGuard<'_, HashMap<MailboxName, Mailbox>> {
    // A panic elsewhere while holding the lock leaves consistent data: every
    // change below is a single push, retain or flag write.
    mailboxes.lock().unwrap_or_else(|e| e.into_inner())
}

fn usage(mailbox: &Mailbox) -> Usage {
    Usage {
        bytes: mailbox.messages.iter().map(|(_, m)| m.len() as u64).sum(),
        messages: mailbox.messages.len() as u64,
    }
}

impl MailStore for MemoryStore {
    type Delivery = MemoryDelivery;
    type Maildrop = MemoryMaildrop;

    fn create_mailbox(&self, mailbox: &MailboxName) -> Result<(), StoreError> {
        lock(&self.mailboxes).entry(mailbox.clone()).or_default();
        Ok(())
    }

    fn begin_delivery(&self, mailbox: &MailboxName) -> Result<MemoryDelivery, StoreError> {
        let usage = match lock(&self.mailboxes).get(mailbox) {
            None => return Err(StoreError::NoSuchMailbox(mailbox.to_string())),
            Some(m) => usage(m),
        };
        self.quota.check(mailbox.as_str(), usage, 0)?;
        Ok(MemoryDelivery {
            mailboxes: self.mailboxes.clone(),
            mailbox: mailbox.clone(),
            quota: self.quota,
            usage,
            message: BytesMut::new(),
            to_crlf: LfToCrlf::new(),
            aborted: false,
        })
    }

    fn open_maildrop(&self, mailbox: &MailboxName) -> Result<MemoryMaildrop, StoreError> {
        let mut mailboxes = lock(&self.mailboxes);
        let Some(held) = mailboxes.get_mut(mailbox) else {
            return Err(StoreError::NoSuchMailbox(mailbox.to_string()));
        };
        if held.locked {
            return Err(StoreError::InUse {
                mailbox: mailbox.to_string(),
                holder: Some("another session in this process".into()),
            });
        }
        held.locked = true;
        let listing = held
            .messages
            .iter()
            .map(|(uid, m)| MessageInfo {
                uid: uid.clone(),
                size: m.len() as u64,
                deleted: false,
            })
            .collect();
        let bodies = held.messages.iter().map(|(_, m)| m.clone()).collect();
        Ok(MemoryMaildrop {
            mailboxes: self.mailboxes.clone(),
            mailbox: mailbox.clone(),
            listing,
            bodies,
        })
    }
}

/// A delivery into a [`MemoryStore`] mailbox.
#[derive(Debug)]
pub struct MemoryDelivery {
    mailboxes: Mailboxes,
    mailbox: MailboxName,
    quota: Quota,
    usage: Usage,
    message: BytesMut,
    to_crlf: LfToCrlf,
    aborted: bool,
}

impl Delivery for MemoryDelivery {
    fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        if self.aborted {
            return Err(StoreError::DeliveryAborted);
        }
        let converted = self.to_crlf.convert(Bytes::copy_from_slice(chunk));
        let size = (self.message.len() + converted.len()) as u64;
        if let Err(e) = self.quota.check(self.mailbox.as_str(), self.usage, size) {
            self.aborted = true;
            return Err(e);
        }
        self.message.extend_from_slice(&converted);
        Ok(())
    }

    fn commit(self) -> Result<Delivered, StoreError> {
        if self.aborted {
            return Err(StoreError::DeliveryAborted);
        }
        let mut mailboxes = lock(&self.mailboxes);
        let Some(mailbox) = mailboxes.get_mut(&self.mailbox) else {
            return Err(StoreError::NoSuchMailbox(self.mailbox.to_string()));
        };
        // Others may have delivered since this delivery began.
        self.quota.check(
            self.mailbox.as_str(),
            usage(mailbox),
            self.message.len() as u64,
        )?;
        mailbox.next_id += 1;
        let uid = Uid::from_name(&format!("m{}", mailbox.next_id));
        let size = self.message.len() as u64;
        mailbox.messages.push((uid.clone(), self.message.freeze()));
        Ok(Delivered { uid, size })
    }
}

/// A [`MemoryStore`] mailbox opened by a POP3 session.
#[derive(Debug)]
pub struct MemoryMaildrop {
    mailboxes: Mailboxes,
    mailbox: MailboxName,
    listing: Vec<MessageInfo>,
    bodies: Vec<Bytes>,
}

impl Maildrop for MemoryMaildrop {
    fn messages(&self) -> &[MessageInfo] {
        &self.listing
    }

    fn read(&mut self, index: usize) -> Result<MessageChunks, StoreError> {
        self.message(index)?;
        Ok(MessageChunks::from_bytes(self.bodies[index].clone()))
    }

    fn read_top(&mut self, index: usize, body_lines: usize) -> Result<MessageChunks, StoreError> {
        Ok(self.read(index)?.top(body_lines))
    }

    fn mark_deleted(&mut self, index: usize) -> Result<(), StoreError> {
        self.message(index)?;
        self.listing[index].deleted = true;
        Ok(())
    }

    fn reset(&mut self) {
        for m in &mut self.listing {
            m.deleted = false;
        }
    }

    /// Atomic: every marked message goes at once, under the store's lock.
    fn commit(self) -> Result<CommitSummary, StoreError> {
        let deleted: HashSet<&Uid> = self
            .listing
            .iter()
            .filter(|m| m.deleted)
            .map(|m| &m.uid)
            .collect();
        if let Some(mailbox) = lock(&self.mailboxes).get_mut(&self.mailbox) {
            mailbox.messages.retain(|(uid, _)| !deleted.contains(uid));
        }
        // Dropping `self` after this releases the maildrop.
        Ok(CommitSummary {
            removed: deleted.len(),
            kept: self.listing.len() - deleted.len(),
        })
    }
}

impl Drop for MemoryMaildrop {
    fn drop(&mut self) {
        if let Some(mailbox) = lock(&self.mailboxes).get_mut(&self.mailbox) {
            mailbox.locked = false;
        }
    }
}
