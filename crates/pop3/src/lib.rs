//! Sans-IO POP3 (RFC 1939) for the server and the client role, with CAPA
//! (RFC 2449), STLS (RFC 2595), AUTH (RFC 5034, through `yubin-sasl`) and the
//! response codes of RFC 2449 and RFC 3206.
//!
//! The machines follow the workspace's one shape: `handle_input`,
//! `poll_event`, decisions answered by the application, and `poll_transmit`
//! into a caller-owned buffer. Authentication and the maildrop listing are
//! decisions of the application; RETR and TOP stream the message bytes the
//! application supplies, dot-stuffed with exact octet counts.
//!
//! # A server session
//!
//! ```
//! use yubin_pop3::server::{Config, Event, MaildropEntry, Server};
//! use yubin_pop3::{ResponseCode, crlf_size};
//!
//! let message = b"Subject: hi\n\n.hello\n"; // as stored: any line endings
//! let mut config = Config::default();
//! config.allow_plaintext_auth = true; // a loopback test: no TLS here
//! let mut server = Server::new(config); // queues the greeting
//! let mut wire = Vec::new();
//!
//! // 1. bytes from the client in, 2. events out (answer the decisions),
//! // 3. bytes to the client out.
//! server.handle_input(b"USER alice\r\nPASS secret\r\nSTAT\r\nRETR 1\r\nQUIT\r\n");
//! while let Some(event) = server.poll_event() {
//!     match event {
//!         Event::Login { user, credential } => {
//!             if user == "alice" && credential.verify(b"secret") {
//!                 // Sizes are CRLF sizes: what RETR will send.
//!                 let entry = MaildropEntry { uid: "m1".into(), size: crlf_size(message) };
//!                 server.accept_login(vec![entry])?;
//!             } else {
//!                 server.reject_login(ResponseCode::Auth, "invalid login")?;
//!             }
//!         }
//!         Event::Retrieve { .. } => {
//!             server.send_message(message)?; // in chunks of any size
//!             server.finish_message()?;
//!         }
//!         Event::Update { deleted } => {
//!             assert!(deleted.is_empty()); // remove them durably first, then:
//!             server.update_done()?;
//!         }
//!         _ => {}
//!     }
//! }
//! server.poll_transmit(&mut wire);
//! assert_eq!(
//!     String::from_utf8(wire).unwrap(),
//!     "+OK POP3 server ready\r\n+OK send PASS\r\n\
//!      +OK maildrop has 1 message (23 octets)\r\n+OK 1 23\r\n\
//!      +OK 23 octets\r\nSubject: hi\r\n\r\n..hello\r\n.\r\n\
//!      +OK POP3 server signing off\r\n"
//! );
//! assert!(server.is_closed());
//! # Ok::<(), yubin_pop3::UsageError>(())
//! ```
//!
//! An adapter over a socket repeats steps 2 and 3 until `poll_transmit`
//! gives nothing before it reads again: once
//! [`server::Config::max_buffered_output`] octets of replies wait, further
//! pipelined commands are parsed only when the output is taken, so a small
//! flood of `LIST` against a large maildrop cannot queue gigabytes.
//!
//! # Octet counts
//!
//! RFC 1939 §5 wants LIST and STAT to give "the exact size" of each message,
//! and clients use it for progress and to check downloads. The sizes in the
//! listing the application gives at login must therefore be the sizes **with
//! CRLF line endings**, before dot-stuffing: what RETR sends after
//! normalising the stored bytes (CRLF stays, a bare LF or CR becomes CRLF, a
//! last line without an ending gets one). [`crlf_size`] and [`CrlfSizer`]
//! compute exactly that. The machine never pads or cuts a message to fit: if
//! the streamed bytes add up to another count, it sends them as they are
//! (the body still ends at the terminating dot, so the session stays in
//! step) and reports [`server::Event::SizeMismatch`] so the application can
//! fix its index.
//!
//! # A client session
//!
//! ```
//! use yubin_pop3::client::{Client, Config, Event};
//! use yubin_pop3::{Command, Secret};
//!
//! let mut client = Client::new(Config::default());
//! client.login("alice", Secret::from("secret"))?; // queued until the greeting
//! client.send(Command::Retr(1))?;
//! let mut body = Vec::new();
//! // Each round: the server's bytes in, events out, the client's bytes out.
//! let mut round = |client: &mut Client, from_server: &[u8]| {
//!     client.handle_input(from_server);
//!     while let Some(event) = client.poll_event() {
//!         if let Event::MessageChunk(bytes) = event {
//!             body.extend_from_slice(&bytes); // unstuffed, streamed
//!         }
//!     }
//!     let mut to_server = Vec::new();
//!     client.poll_transmit(&mut to_server);
//!     to_server
//! };
//! // No PIPELINING advertised: one command per round trip.
//! assert_eq!(round(&mut client, b"+OK POP3 server ready\r\n"), b"USER alice\r\n");
//! assert_eq!(round(&mut client, b"+OK\r\n"), b"PASS secret\r\n");
//! assert_eq!(round(&mut client, b"+OK logged in\r\n"), b"RETR 1\r\n");
//! assert_eq!(round(&mut client, b"+OK 5 octets\r\n..hi\r\n.\r\n"), b"");
//! assert_eq!(body, b".hi\r\n");
//! # Ok::<(), yubin_pop3::UsageError>(())
//! ```

mod apop;
pub mod client;
mod encode;
mod error;
mod parse;
pub mod server;
mod stuff;
mod types;

pub use apop::{apop_digest, is_valid_apop_timestamp};
pub use encode::encode_multiline;
pub use error::{ParseError, ProtocolError, UsageError};
pub use parse::{MultiLineBody, is_valid_uid, parse_multiline};
pub use stuff::{CrlfSizer, Unstuffer, crlf_size};
pub use types::{
    Capability, Command, CommandKind, Expire, MessageNumber, Response, ResponseCode, ScanListing,
    Secret, Status, UniqueIdListing,
};
/// The SASL mechanisms AUTH runs (`yubin-sasl`), re-exported for their types.
pub use yubin_sasl as sasl;
