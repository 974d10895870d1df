//! yubin (郵便, "post"): Internet-mail libraries for the whole path a message
//! takes, from the sender's client through SMTP servers and a delivery agent
//! into a mailbox, and out again over POP3.
//!
//! This facade re-exports each crate of the workspace behind a feature of the
//! same name; all are on by default. Depend on a single crate (for example
//! `yubin-smtp`) when that is all you need.
//!
//! | module | crate | what it is |
//! |---|---|---|
//! | [`message`] | `yubin-message` | RFC 5322 + MIME parser and builder |
//! | [`sasl`] | `yubin-sasl` | sans-IO SASL mechanisms for SMTP and POP3 AUTH |
//! | [`smtp`] | `yubin-smtp` | sans-IO SMTP/LMTP, server and client |
//! | [`pop3`] | `yubin-pop3` | sans-IO POP3, server and client |
//! | [`store`] | `yubin-store` | mailbox-store trait; Maildir and in-memory stores |
//! | [`tokio`] | `yubin-tokio` | tokio adapters: listeners, connectors, TLS, timeouts |
//! | [`relay`] | `yubin-relay` | the delivery agent: durable queue, routing, retry, bounces |

#[cfg(feature = "message")]
#[doc(inline)]
pub use yubin_message as message;
#[cfg(feature = "pop3")]
#[doc(inline)]
pub use yubin_pop3 as pop3;
#[cfg(feature = "relay")]
#[doc(inline)]
pub use yubin_relay as relay;
#[cfg(feature = "sasl")]
#[doc(inline)]
pub use yubin_sasl as sasl;
#[cfg(feature = "smtp")]
#[doc(inline)]
pub use yubin_smtp as smtp;
#[cfg(feature = "store")]
#[doc(inline)]
pub use yubin_store as store;
#[cfg(feature = "tokio")]
#[doc(inline)]
pub use yubin_tokio as tokio;
