//! Confluent's JDBC source connector, `io.confluent.connect.jdbc.JdbcSourceConnector`, on
//! sqlx: PostgreSQL, MySQL/MariaDB and SQLite tables (or one custom query) into topics.
//!
//! Configuration keys, record layout, source partitions and offsets are Confluent's, so
//! a connector config written for Kafka Connect works unchanged and offsets look the same:
//! * [`config`]: the keys (`connection.url` in JDBC or native form, `mode`, table lists,
//!   `poll.interval.ms`, `batch.max.rows`, `numeric.mapping`, …) and URL parsing;
//! * [`dialect`]: per-database SQL (quoting, table discovery, column metadata, timestamp
//!   comparison) and value decoding;
//! * [`mapping`]: column type → Connect schema, as Confluent's `GenericDatabaseDialect`;
//! * [`querier`]: the query of each mode, offsets, and `incrementing.delay.interval.ms`
//!   (sluice's guard against rows committed out of id order);
//! * [`connector`]: table discovery and filtering, `tasks.max` splitting
//!   (`ConnectorUtils.groupPartitions`), `table.poll.interval.ms` monitoring;
//! * [`task`]: the poll loop and recovery when the database goes away.
//!
//! Records: a Struct per row named after the table (unnamed in query mode), no key, topic
//! `topic.prefix` + table name (just `topic.prefix` in query mode).

pub mod config;
pub mod connector;
pub mod dialect;
pub mod mapping;
pub mod querier;
pub mod task;
mod wire;

use std::future::Future;
use std::pin::Pin;

pub use connector::JdbcSourceConnector;
pub use task::JdbcSourceTask;

/// Confluent's class name of the connector.
pub const SOURCE_CONNECTOR_CLASS: &str = "io.confluent.connect.jdbc.JdbcSourceConnector";

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
