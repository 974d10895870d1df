//! Sans-IO SASL (RFC 4422) mechanisms for the server and the client role,
//! shared by SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034).
//!
//! The mechanisms are PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login),
//! CRAM-MD5 (RFC 2195), SCRAM-SHA-256 (RFC 5802, RFC 7677; no channel
//! binding) and the OAUTHBEARER (RFC 7628) and XOAUTH2 pass-through, where
//! the token goes to the application. Each exchange is a state machine with
//! no I/O, no clock and no randomness: the caller supplies nonces, feeds the
//! peer's messages in and answers decisions by method calls.
//!
//! Credentials are held in [`Secret`], whose `Debug` redacts them, and a
//! SCRAM server verifies against [`ScramCredentials`] (salt, iteration count,
//! StoredKey, ServerKey), never a plaintext password.
//!
//! # How a protocol crate uses this: the server side
//!
//! 1. On `AUTH <mech> [initial-response]` parse the name with
//!    [`Mechanism::from_name`] (case-insensitive) and start a
//!    [`ServerExchange`] with a fresh nonce for SCRAM-SHA-256 / CRAM-MD5.
//! 2. If the command carried an initial response, pass its text to
//!    [`ServerExchange::handle_initial_response`] (`=` means empty).
//! 3. Loop on [`ServerExchange::poll`]:
//!    - [`ServerEvent::Challenge`]: send `334 <base64>` (SMTP) or
//!      `+ <base64>` (POP3) using [`framing::encode_challenge`], read the
//!      client's next line and give it to [`ServerExchange::handle_line`]
//!      (it handles `*` and bad base64);
//!    - a decision event ([`ServerEvent::VerifyPassword`],
//!      [`ServerEvent::CramSecretNeeded`], [`ServerEvent::ScramCredentialsNeeded`],
//!      [`ServerEvent::VerifyToken`]): answer with the method it names;
//!    - [`ServerEvent::Success`]: reply 235 / `+OK`, the session is
//!      authenticated as [`Authenticated::identity`];
//!    - [`ServerEvent::Failure`]: reply as the table on [`Failure`] says
//!      (535 5.7.8 / `-ERR [AUTH]` for bad credentials, 501 for a cancel).
//!    - `None`: wait for the client line or your own answer.
//!
//! ```
//! use yubin_sasl::{framing, Mechanism, ServerEvent, ServerExchange, ServerParams};
//!
//! // C: AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm
//! let mechanism = Mechanism::from_name(b"plain").unwrap();
//! let mut server = ServerExchange::new(mechanism, ServerParams::new()).unwrap();
//! server.handle_initial_response(b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm").unwrap();
//! let mut reply = Vec::new();
//! while let Some(event) = server.poll() {
//!     match event {
//!         ServerEvent::Challenge(data) => {
//!             reply.extend_from_slice(b"334 ");
//!             framing::encode_challenge(&data, &mut reply);
//!             // ...send it, read the client's line, server.handle_line(line)
//!         }
//!         ServerEvent::VerifyPassword { authcid, password, .. } => {
//!             if authcid == "tim" && password.expose() == "tanstaaftanstaaf" {
//!                 server.accept().unwrap();
//!             } else {
//!                 server.reject().unwrap();
//!             }
//!         }
//!         ServerEvent::Success(who) => {
//!             assert_eq!(who.identity(), "tim");
//!             reply.extend_from_slice(b"235 2.7.0 Authentication successful\r\n");
//!         }
//!         ServerEvent::Failure(_) => reply.extend_from_slice(b"535 5.7.8 Authentication credentials invalid\r\n"),
//!         other => unreachable!("PLAIN never asks for {other:?}"),
//!     }
//! }
//! assert_eq!(reply, b"235 2.7.0 Authentication successful\r\n");
//! ```
//!
//! # The client side
//!
//! 1. Pick the mechanism with [`strongest_common`] from the server's list
//!    (EHLO `AUTH ...` or CAPA `SASL ...`) and the ones you have
//!    credentials for; start a [`ClientExchange`] (a fresh nonce for SCRAM).
//! 2. Send `AUTH <mech>` with [`ClientExchange::initial_response`] encoded by
//!    [`framing::encode_initial_response`] if it is `Some`.
//! 3. For every `334`/`+` challenge, decode it with [`framing::decode_challenge`],
//!    pass it to [`ClientExchange::handle_challenge`] and send the response
//!    encoded with [`framing::encode_response`] (or `*` to give up).
//! 4. On 235 / `+OK` call [`ClientExchange::finish`]: for SCRAM it fails
//!    unless the server proved it knows the password.
//!
//! ```
//! use yubin_sasl::{framing, ClientExchange, Credentials, Mechanism, ServerEvent, ServerExchange,
//!     ServerParams, ScramCredentials, Secret, strongest_common};
//!
//! let usable = [Mechanism::Plain, Mechanism::ScramSha256];
//! let mechanism = strongest_common("PLAIN LOGIN SCRAM-SHA-256".split(' '), &usable).unwrap();
//! assert_eq!(mechanism, Mechanism::ScramSha256);
//! let credentials = Credentials::new("user", "pencil");
//! let mut client = ClientExchange::new(mechanism, credentials, Some("rOprNGfwEbeRWgbNEkqO")).unwrap();
//!
//! // Provisioning, done once when the account is made:
//! let stored = ScramCredentials::derive(&Secret::new("pencil"), b"random salt", 4096).unwrap();
//!
//! let params = ServerParams::new().with_nonce("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
//! let mut server = ServerExchange::new(mechanism, params).unwrap();
//! let mut line = Vec::new();
//! framing::encode_initial_response(&client.initial_response().unwrap(), &mut line);
//! server.handle_initial_response(&line).unwrap();
//! loop {
//!     match server.poll() {
//!         Some(ServerEvent::ScramCredentialsNeeded { username, .. }) => {
//!             assert_eq!(username, "user");
//!             server.provide_scram_credentials(Some(stored.clone())).unwrap();
//!         }
//!         Some(ServerEvent::Challenge(challenge)) => {
//!             let response = client.handle_challenge(&challenge).unwrap();
//!             server.handle_response(&response).unwrap();
//!         }
//!         Some(ServerEvent::Success(who)) => {
//!             assert_eq!(who.authcid, "user");
//!             client.finish(who.additional_data.as_deref()).unwrap();
//!             break;
//!         }
//!         other => panic!("unexpected {other:?}"),
//!     }
//! }
//! ```
//!
//! # Choices
//!
//! - base64 is this crate's own small strict codec ([`base64`]): one
//!   alphabet, canonical only, total, no dependency.
//! - SASLprep is a documented subset ([`saslprep`]): no NFKC normalisation.
//! - Every client message is bounded by [`Limits`] (12288 octets by default,
//!   RFC 4954 §4); any bytes give a value or a [`Failure`], never a panic.
//!
//! This crate depends on no other yubin crate and knows no socket or clock.

pub mod base64;
mod client;
mod cram;
pub mod framing;
#[doc(hidden)]
pub mod fuzzing;
mod mechanism;
pub mod saslprep;
mod scram;
mod secret;
mod server;
mod token;

pub use client::{ClientError, ClientExchange, Credentials};
pub use mechanism::{Mechanism, UnknownMechanism, strongest_common};
pub use saslprep::SaslPrepError;
pub use scram::{KEY_LEN, MAX_ITERATIONS, MIN_ITERATIONS, ScramCredentials};
pub use secret::Secret;
pub use server::{
    Authenticated, Failure, Limits, ServerEvent, ServerExchange, ServerParams, UsageError,
};
