//! The Confluent-compatible Schema Registry (REST on :8081, schemas stored in
//! the `_schemas` topic, Avro compatibility enforcement).
//!
//! Where to start reading: [`start`] runs the whole thing. [`store`] is the state
//! rebuilt from the `_schemas` topic (Confluent's record formats), [`registry`] the
//! rules as pure functions of it (Confluent's `KafkaSchemaRegistry`), `kafka` reads
//! and writes the topic, `rest` serves the REST API, and [`leader`] elects the one
//! instance that writes when several share the topic (followers forward writes to it). [`compatibility`] is Avro
//! reader/writer compatibility as Java Avro's `SchemaCompatibility` computes it,
//! with the levels and verbose messages of Confluent's `CompatibilityChecker`.

pub mod compatibility;
mod error;
pub mod java_json;
mod kafka;
pub mod leader;
pub mod registry;
mod rest;
pub mod store;

pub use error::Error;
pub use kafka::{start, RegistryConfig, RunningRegistry};
