//! The Confluent-compatible Schema Registry (REST on :8081, schemas stored in
//! the `_schemas` topic, Avro compatibility enforcement).
//!
//! Built so far: [`compatibility`], Avro reader/writer compatibility as Java
//! Avro's `org.apache.avro.SchemaCompatibility` computes it and the
//! compatibility levels of Confluent's `CompatibilityChecker`, with
//! Confluent's verbose messages. Start reading at [`compatibility::check`].
//! Schemas are parsed (and strictly validated) by the `apache-avro` crate.

pub mod compatibility;
mod error;

pub use error::Error;
