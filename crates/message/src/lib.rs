//! RFC 5322 and MIME messages: a zero-copy parser that never fails on malformed
//! mail, and a builder that writes what the parser reads back.
//!
//! This crate sits at the bottom of the yubin workspace: it depends on no other
//! yubin crate, and `yubin-store` and `yubin-relay` read and write mail with it.
//!
//! The parser borrows its input, records problems as typed [`Defect`]s instead
//! of failing, and decodes header values and bodies only when asked. The
//! builder composes a message (addresses, subject, text and HTML alternatives,
//! attachments) and writes CRLF output folded at 78 octets.
//!
//! # Reading a message
//!
//! Call order: [`Message::parse`] once, then walk [`Message::root`] and its
//! [`Part::children`], asking each part for what you need.
//!
//! ```
//! use yubin_message::Message;
//!
//! let raw = b"From: =?utf-8?q?J=C3=B6rg?= <jorg@example.org>\r\n\
//! Subject: Hello\r\n\
//! Content-Type: multipart/mixed; boundary=b1\r\n\
//! \r\n\
//! --b1\r\n\
//! Content-Type: text/plain; charset=utf-8\r\n\
//! \r\n\
//! Hi there\r\n\
//! --b1\r\n\
//! Content-Type: application/octet-stream\r\n\
//! Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.bin\r\n\
//! Content-Transfer-Encoding: base64\r\n\
//! \r\n\
//! AAEC\r\n\
//! --b1--\r\n";
//! let message = Message::parse(raw);
//! assert_eq!(message.subject().as_deref(), Some("Hello"));
//! let from = message.header("From").unwrap().addresses();
//! assert!(matches!(&from[0], yubin_message::Address::Mailbox(m) if m.name.as_deref() == Some("Jörg")));
//! let parts: Vec<_> = message.root().children().collect();
//! assert_eq!(parts[0].text().as_deref(), Some("Hi there"));
//! assert_eq!(parts[1].filename().as_deref(), Some("€.bin"));
//! assert_eq!(&parts[1].decoded_body()[..], &[0, 1, 2]);
//! // Shortcuts for the common questions:
//! assert_eq!(message.body_text().as_deref(), Some("Hi there"));
//! assert_eq!(message.attachments().count(), 1);
//! ```
//!
//! # Writing a message
//!
//! ```
//! use yubin_message::{Message, MessageBuilder};
//!
//! let bytes = MessageBuilder::new()
//!     .from("Jörg", "jorg@example.org")
//!     .to("", "ann@example.net")
//!     .subject("Grüße")
//!     .date(880_127_706, -360)
//!     .message_id("1@example.org")
//!     .text("Hello")
//!     .build();
//! let parsed = Message::parse(&bytes);
//! assert_eq!(parsed.subject().as_deref(), Some("Grüße"));
//! assert_eq!(parsed.body_text().as_deref(), Some("Hello"));
//! ```

pub mod builder;
pub mod charset;
mod config;
pub mod decode;
mod defect;
pub mod field;
#[doc(hidden)]
pub mod fuzz_support;
mod header;
mod message;
mod parser;
mod part;

pub use builder::{Attachment, MessageBuilder};
pub use config::ParserConfig;
pub use defect::Defect;
pub use field::address::{Address, Group, Mailbox};
pub use field::content_type::{ContentDisposition, ContentType, Param};
pub use field::date::DateTime;
pub use field::received::Received;
pub use header::Header;
pub use message::Message;
pub use part::{Part, TransferEncoding};
