//! Sans-IO POP3 (RFC 1939) for the server and the client role, with CAPA
//! (RFC 2449), STLS (RFC 2595), AUTH (RFC 5034, through `yubin-sasl`) and the
//! response codes of RFC 2449 and RFC 3206.
//!
//! The machines follow the workspace's one shape: `handle_input`,
//! `poll_event`, decisions answered by the application, and `poll_transmit`
//! into a caller-owned buffer. Authentication and the maildrop listing are
//! decisions of the application; RETR and TOP stream the message bytes the
//! application supplies, dot-stuffed with exact octet counts.
