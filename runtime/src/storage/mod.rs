//! Where a worker keeps what must outlive a task: source offsets and connector/task
//! statuses.
//!
//! * [`OffsetStore`]: committed source offsets, keyed like Kafka's offsets topic —
//!   `["<connector>",{<source partition>}]` → `{<source offset>}`. Standalone mode keeps
//!   them in `offset.storage.file.filename` ([`FileOffsetStore`]).
//! * [`StatusStore`]: the current state of every connector and task, with the failure
//!   trace, as `GET /connectors/{n}/status` shows them.

pub mod kafka;
mod offsets;
mod status;

pub use offsets::{FileOffsetStore, MemoryOffsetStore, OffsetStore};
pub use status::{State, Status, StatusChange, StatusObserver, StatusStore};

/// Why a store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The offsets file could not be read or written.
    #[error("cannot {action} the offsets file {path}: {source}")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The offsets file exists but is not an offsets file sluice wrote.
    #[error(
        "the offsets file {path} is not valid ({reason}); move it away to start without \
         stored offsets (sources then re-read from the beginning)"
    )]
    Corrupt {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An internal topic exists with settings that would lose data (Kafka's
    /// `TopicAdmin.verifyTopicCleanupPolicyOnlyCompact` and `KafkaConfigBackingStore`'s
    /// partition check); the message is Kafka's and says which setting to change.
    #[error("{message}")]
    InternalTopicMisconfigured {
        /// The topic.
        topic: String,
        /// Kafka's message.
        message: String,
    },
    /// A Kafka client call on an internal topic failed.
    #[error(
        "cannot {action} the internal topic '{topic}': {message}; check that the brokers in \
         bootstrap.servers are reachable and that the worker may read, write and create the topic"
    )]
    Kafka {
        /// The topic.
        topic: String,
        /// What was being done (`create`, `write to`, `read`, ...).
        action: &'static str,
        /// The client's error.
        message: String,
    },
    /// A write or read of an internal topic did not complete in time.
    #[error(
        "timed out after {ms} ms trying to {action} the internal topic '{topic}'; check that the \
         brokers in bootstrap.servers are reachable and the topic's partitions have a leader"
    )]
    Timeout {
        /// The topic.
        topic: String,
        /// What was being done.
        action: &'static str,
        /// The time waited.
        ms: u64,
    },
    /// The store was closed (the worker is shutting down).
    #[error("the store of the internal topic '{topic}' is closed because the worker is stopping")]
    Closed {
        /// The topic.
        topic: String,
    },
}
