//! Thin tokio adapters for the yubin protocol cores.
//!
//! The SMTP and POP3 cores are sans-IO: they take bytes and give bytes and
//! events. This crate owns what they leave out: sockets, listeners and
//! connectors, TLS through `tokio-rustls`, and the timers that enforce the
//! protocols' deadlines. It is the only layer below `yubin-relay` that knows
//! an async runtime.
