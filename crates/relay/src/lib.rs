//! The yubin delivery agent: a durable queue of accepted messages, routing to
//! the next hop (falling back to another server when one cannot be reached),
//! retry with backoff when none can, local delivery into the store, and
//! delivery status notifications (bounces) when a message cannot be delivered.
//!
//! It composes every other yubin crate; nothing depends on it.
