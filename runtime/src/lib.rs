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
//! - [`worker`]: connector instances and the source and sink task loops.
//! - [`storage`]: source offsets (`offset.storage.file.filename`) and statuses.
//! - [`standalone`]: the standalone herder, Kafka's `connect-standalone`.
//! - [`loggers`]: logger levels for `/admin/loggers`.
//!
//! The worker talks to brokers only through the Kafka protocol (librdkafka), so it works
//! against sluice's broker and any Kafka cluster alike.

pub mod config;
pub mod converters;
pub mod distributed;
pub mod herder;
pub mod loggers;
pub mod rest;
pub mod standalone;
pub mod storage;
pub mod transforms;
pub mod worker;
