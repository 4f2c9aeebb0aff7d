//! The Confluent-compatible Schema Registry (REST on :8081, schemas stored in
//! the `_schemas` topic, Avro compatibility enforcement).
//!
//! Intentionally empty until the schema registry is built.
