//! The mailbox store: where A's mail rests between the delivery agent and the
//! POP3 session.
//!
//! The [`MailStore`] trait is the seam embedders use to keep mail anywhere:
//! deliver a message durably to a user's mailbox ([`Delivery`]), and open a
//! mailbox's [`Maildrop`] with exclusive access for one POP3 session
//! (listing with unique ids and POP3 sizes, reading as a stream of chunks,
//! TOP, marking deleted, committing the deletions). [`MaildirStore`] is the
//! real default, read and written by other mail software too (Dovecot,
//! mutt, Python's `mailbox`); [`MemoryStore`] serves tests and embedders
//! who keep mail elsewhere. Both pass the same [`conformance`] suite.
//! A [`UserDirectory`] maps addresses to mailboxes. The Maildir store is
//! for Unix (it relies on atomic rename, directory fsync and file modes).
//!
//! # Call order
//!
//! 1. Resolve the recipient with [`UserDirectory::resolve`] (SMTP RCPT).
//! 2. [`MailStore::begin_delivery`], [`Delivery::write`] each chunk of the
//!    body, [`Delivery::commit`]; only after `commit` returns `Ok` is the
//!    message durable, and only then may the server say 250.
//! 3. A POP3 session, once authenticated, calls [`MailStore::open_maildrop`]
//!    (refused with [`StoreError::InUse`] while another session holds it),
//!    then [`Maildrop::messages`] for STAT/LIST/UIDL, [`Maildrop::read`] or
//!    [`Maildrop::read_top`] for RETR/TOP, [`Maildrop::mark_deleted`] for
//!    DELE and [`Maildrop::reset`] for RSET, and [`Maildrop::commit`] on
//!    QUIT. A session that ends otherwise just drops the maildrop.
//!
//! ```
//! use yubin_store::{
//!     Delivery, MailStore, MaildirConfig, MaildirStore, Maildrop, UserDirectory,
//! };
//!
//! # let tmp = tempfile::tempdir()?;
//! # let root = tmp.path();
//! let store = MaildirStore::new(root, MaildirConfig::default());
//! let mut directory = UserDirectory::new();
//! let alice = yubin_store::MailboxName::new("alice")?;
//! directory.add_user("alice@example.org", alice.clone())?;
//! store.create_mailbox(&alice)?;
//!
//! // SMTP: RCPT TO:<Alice@Example.ORG>, then the body in chunks.
//! let mailbox = directory.resolve("Alice@Example.ORG")?;
//! let mut delivery = store.begin_delivery(&mailbox)?;
//! delivery.write(b"Subject: hi\r\n\r\n")?;
//! delivery.write(b"Hello, Alice.\r\n")?;
//! let delivered = delivery.commit()?; // durable now: reply 250
//!
//! // POP3: USER/PASS, then STAT, UIDL, RETR 1, DELE 1, QUIT.
//! let mut maildrop = store.open_maildrop(&mailbox)?;
//! assert_eq!(maildrop.stat(), (1, delivered.size));
//! assert_eq!(maildrop.messages()[0].uid, delivered.uid);
//! let mut message = Vec::new();
//! for chunk in maildrop.read(0)? {
//!     message.extend_from_slice(&chunk?);
//! }
//! assert_eq!(message, b"Subject: hi\r\n\r\nHello, Alice.\r\n");
//! maildrop.mark_deleted(0)?;
//! maildrop.commit()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Blocking, and how to call it from async code
//!
//! The trait is **blocking**, on purpose. Storage in this crate is the file
//! system, and file I/O on every common OS is blocking (async runtimes run
//! it on a thread pool anyway: `tokio::fs` is `spawn_blocking` inside). A
//! blocking trait names no runtime, is simple to implement, and lets
//! concurrent deliveries share an fsync with plain threads. An async trait
//! would have forced every store to bring a thread pool of its own or to
//! name a runtime; a store whose backend is natively async (a database
//! client) pays one `block_on` per call instead.
//!
//! **The rule for async callers:** never call a method of [`MailStore`],
//! [`Delivery`] or [`Maildrop`], nor iterate [`MessageChunks`], nor drop a
//! delivery or a maildrop (dropping removes an abandoned delivery's file and
//! releases the maildrop lock, both file operations), on an async executor
//! thread. With tokio, run each call in
//! `tokio::task::spawn_blocking` (stores are `Send + Sync` and deliveries,
//! maildrops and chunk streams are `Send`, so they move into the closure and
//! back); other runtimes have their equivalent (`blocking::unblock`). Calls
//! are short (one file operation each; [`Delivery::commit`] waits for
//! fsyncs), so a pool of blocking threads serves many sessions.
//!
//! # Errors
//!
//! Every failure is a [`StoreError`] that says what failed; its
//! [`severity`](StoreError::severity) says whether to retry, and
//! [`smtp_code`](StoreError::smtp_code) and
//! [`pop3_response_code`](StoreError::pop3_response_code) give the reply.

mod crlf;
mod directory;
mod error;
mod maildir;
mod memory;
mod name;
mod quota;
mod store;
mod stream;

pub mod conformance;

pub use crlf::{CrlfCounter, CrlfToLf, LfToCrlf};
pub use directory::{LocalPartCase, UserDirectory};
pub use error::{QuotaKind, Severity, StoreError};
pub use maildir::{
    Maildir, MaildirConfig, MaildirDelivery, MaildirMaildrop, MaildirStore, StoredLineEndings,
};
pub use memory::{MemoryDelivery, MemoryMaildrop, MemoryStore};
pub use name::{MailboxName, Uid};
pub use quota::Quota;
pub use store::{CommitSummary, Delivered, Delivery, MailStore, Maildrop, MessageInfo};
pub use stream::MessageChunks;
