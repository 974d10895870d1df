//! Sans-IO SMTP (RFC 5321) and LMTP (RFC 2033) for the server and the client
//! role.
//!
//! The cores are deterministic state machines: bytes go in through
//! `handle_input`, events come out of `poll_event`, decisions (MAIL, RCPT,
//! DATA, the end of a body, AUTH) are answered with `reply`, and bytes to send
//! are written by `poll_transmit` into a buffer the caller owns. No socket, no
//! clock, no async runtime: the `yubin-tokio` adapters and the blocking
//! examples drive the same machines.
//!
//! Extensions: PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES,
//! STARTTLS, AUTH (through `yubin-sasl`), DSN, CHUNKING and BINARYMIME.

pub mod address;
pub mod capability;
pub mod command;
pub mod encode;
pub mod error;
pub mod param;
pub mod parse;
pub mod reply;

pub use address::{AddressLiteral, Domain, ForwardPath, Host, LocalPart, Mailbox, ReversePath};
pub use capability::{Capabilities, Capability};
pub use command::{AuthData, Command};
pub use error::{MisuseError, ParseError};
pub use param::{
    AuthParam, BodyType, MailParameters, Notify, Orcpt, Parameter, RcptParameters, Ret, XText,
};
pub use reply::{Category, EnhancedCode, Reply, ReplyCode, Severity};

pub mod server;
pub use server::Server;

pub mod client;
pub use client::{Client, ClientConfig, ClientEvent, Envelope, TransactionResult};
