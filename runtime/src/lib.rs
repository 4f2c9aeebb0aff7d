//! The Kafka Connect worker runtime: REST API on :8083, standalone and
//! distributed modes, converters, transforms and error handling.
//!
//! Built so far:
//! - [`config`]: worker (standalone and distributed) and connector configuration with
//!   Kafka's keys and defaults, `connector.class` alias resolution, and reading
//!   `.properties` / connector JSON files.
//! - [`converters`]: the byte ⇄ Connect data converters a worker puts between the broker
//!   and connectors (Kafka's `key.converter`, `value.converter` and `header.converter`).
//!   Start reading at [`converters::Converter`].
//! - [`herder`]: the [`herder::Herder`] trait, the interface between the REST layer and
//!   the worker (Kafka's `Herder`), with the REST entities in Kafka's JSON shapes.
//! - [`rest`]: the Kafka Connect REST API as an axum router over a `Herder`.
//! - [`transforms`]: Kafka's single message transforms and predicates behind object-safe
//!   `Transformation` / `Predicate` traits, and the `TransformationChain` built from a
//!   connector's `transforms` / `predicates` configuration.
//!
//! Still to come (issue "The worker runtime"): the standalone and distributed herders and
//! task execution. The worker will talk to brokers only through the Kafka protocol.

pub mod config;
pub mod converters;
pub mod herder;
pub mod rest;
pub mod transforms;
