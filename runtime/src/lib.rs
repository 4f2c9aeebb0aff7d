//! The Kafka Connect worker runtime: REST API on :8083, standalone and
//! distributed modes, converters, transforms and error handling.
//!
//! Intentionally empty until the worker runtime is built (issue "The worker
//! runtime"). It will talk to brokers only through the Kafka protocol.
