//! Sans-IO SASL (RFC 4422) mechanisms for the server and the client role,
//! shared by SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034).
//!
//! The mechanisms are PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195),
//! SCRAM-SHA-256 (RFC 7677) and the OAUTHBEARER/XOAUTH2 pass-through
//! (RFC 7628). Each exchange is a state machine that takes the peer's decoded
//! message and returns the next challenge or the outcome; the protocol crates
//! do the base64 framing on their own lines. Credentials are held in a type
//! whose `Debug` redacts them.
//!
//! This crate depends on no other yubin crate and knows no socket or clock.
