//! Sans-IO SMTP (RFC 5321) and LMTP (RFC 2033) for the server and the client
//! role.
//!
//! The cores are deterministic state machines: bytes go in through
//! `handle_input`, events come out of `poll_event`, decisions (EHLO, MAIL,
//! RCPT, DATA, the end of a body, VRFY, STARTTLS) are answered with `accept`
//! or `reply`, and bytes to send are written by `poll_transmit` into a buffer
//! the caller owns. No socket, no clock, no async runtime: the blocking
//! `smtp-sink` example and the `yubin-tokio` adapters drive the same
//! machines.
//!
//! Extensions: PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES,
//! STARTTLS, AUTH (through `yubin-sasl`), DSN, CHUNKING, BINARYMIME,
//! REQUIRETLS, and LMTP.
//!
//! Line endings: the server ends DATA only on CRLF.CRLF and rejects a body
//! with a bare CR or LF after reading it (or normalises them, see
//! [`server::LineEndingPolicy`]); the client sends every body with its line
//! endings normalised to CRLF (a bare CR or LF becomes CRLF, a missing final
//! CRLF is added) and dot-stuffed, so what the server delivers is exactly the
//! normalised body.
//!
//! # Call order
//!
//! A server and a client talking in memory; a real adapter moves the same
//! bytes over a socket.
//!
//! ```
//! use yubin_smtp::server::{Config, Event};
//! use yubin_smtp::{Client, ClientConfig, ClientEvent, Envelope, Host, Mailbox};
//! use yubin_smtp::{ForwardPath, ReversePath, Server};
//!
//! let mut server = Server::new(Config::default()); // queues the 220 greeting
//! let mut client = Client::new(ClientConfig::new(Host::new("client.example")?));
//! let mut body = Vec::new();
//! let mut sent = false;
//! for _ in 0..20 {
//!     let mut wire = Vec::new();
//!     server.poll_transmit(&mut wire); // server -> client
//!     client.handle_input(&wire);
//!     while let Some(event) = client.poll_event() {
//!         if let ClientEvent::TransactionDone(result) = event {
//!             assert!(result.all_delivered());
//!             client.quit()?;
//!         }
//!     }
//!     if client.is_ready() && !sent {
//!         let from = ReversePath::Mailbox(Mailbox::new("alice@client.example")?);
//!         let to = ForwardPath::Mailbox(Mailbox::new("bob@server.example")?);
//!         client.send_mail(Envelope::new(from, [to]), b"Subject: hi\r\n\r\nHello\r\n")?;
//!         sent = true;
//!     }
//!     wire.clear();
//!     client.poll_transmit(&mut wire); // client -> server
//!     server.handle_input(&wire);
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             Event::BodyChunk(chunk) => body.extend_from_slice(&chunk),
//!             // Make the message durable before accepting its end.
//!             e if e.is_decision() => server.accept()?,
//!             _ => {}
//!         }
//!     }
//!     if server.is_closed() && client.is_closed() {
//!         break;
//!     }
//! }
//! assert_eq!(body, b"Subject: hi\r\n\r\nHello\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Parsers
//!
//! [`Command::parse`] and [`Reply::parse`] follow httparse:
//! `Result<Option<(consumed, value)>, ParseError>`, `Ok(None)` meaning more
//! input is needed. Every type quotes its ABNF; encoders write what parses
//! back to the same value.

pub mod address;
pub mod capability;
mod clean;
pub mod command;
pub mod encode;
pub mod error;
pub mod param;
pub mod parse;
pub mod reply;

pub use address::{AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath};
pub use capability::{Capabilities, Capability};
pub use command::{AuthData, Command};
pub use error::{ParseError, UsageError};
pub use param::{
    AuthParam, BodyType, MailParameters, Notify, Orcpt, Parameter, RcptParameters, Ret, XText,
};
pub use reply::{Category, EnhancedCode, Reply, ReplyCode, Severity};

pub mod server;
pub use server::Server;

pub mod client;
pub use client::{Client, ClientConfig, ClientEvent, Envelope, TransactionResult};

#[doc(hidden)]
pub mod fuzzing;
