//! Kafka's FileStream connectors: [`FileStreamSourceConnector`] reads lines from a file (or
//! stdin) into a topic, [`FileStreamSinkConnector`] writes record values to a file (or
//! stdout), one per line.
//!
//! Configuration keys, defaults, source partitions (`{"filename": <file>}`) and offsets
//! (`{"position": <byte position>}`) are Kafka's, so offsets written by Kafka's
//! `FileStreamSourceTask` resume here and vice versa. The source adds what Kafka lacks
//! (KAFKA-5046): it follows a rotated file; see [`source`] for the exact rules.

mod sink;
mod source;

use std::future::Future;
use std::pin::Pin;

use connect_api::{ConnectError, Result};

pub use sink::{
    sink_config_def, FileStreamSinkConnector, FileStreamSinkTask, SINK_CONNECTOR_CLASS,
    TOPICS_CONFIG, TOPICS_REGEX_CONFIG,
};
pub use source::{
    source_config_def, FileStreamSourceConnector, FileStreamSourceTask, DEFAULT_TASK_BATCH_SIZE,
    FILENAME_FIELD, INODE_FIELD, POSITION_FIELD, SOURCE_CONNECTOR_CLASS, TASK_BATCH_SIZE_CONFIG,
    TOPIC_CONFIG,
};

/// The `file` key shared by both connectors.
pub const FILE_CONFIG: &str = "file";

/// The future type of the connect-api traits (the same type as `futures::future::BoxFuture`).
type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The plugin version reported by both connectors and their tasks.
fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Runs blocking file I/O off the async worker threads.
async fn run_blocking<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ConnectError::with_source(format!("{what}: the I/O thread failed"), e))
}
