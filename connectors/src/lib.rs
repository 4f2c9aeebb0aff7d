//! Built-in connectors (file, JDBC, Jolokia sources; file, S3, Elasticsearch,
//! InfluxDB sinks), written against `connect-api` only.
//!
//! Intentionally empty until the connectors are built.
