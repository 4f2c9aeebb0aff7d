//! The Kafka Connect worker runtime: REST API on :8083, standalone and
//! distributed modes, converters, transforms and error handling.
//!
//! Built so far: [`converters`], the byte ⇄ Connect data converters a worker puts between
//! the broker and connectors (Kafka's `key.converter`, `value.converter` and
//! `header.converter`). Start reading at [`converters::Converter`]. The rest of the worker
//! (issue "The worker runtime") will talk to brokers only through the Kafka protocol.

pub mod converters;
