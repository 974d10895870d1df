//! The mailbox store: where A's mail rests between the delivery agent and the
//! POP3 session.
//!
//! The store trait is the seam embedders use to keep mail anywhere: deliver a
//! message durably to a user's mailbox, and open a maildrop with exclusive
//! access for one POP3 session (listing, reading, marking deleted, committing
//! the deletions atomically). Maildir is the real default, readable and
//! writable by other mail software; an in-memory store serves tests and
//! embedders who keep mail elsewhere.
