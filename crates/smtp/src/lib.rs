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
