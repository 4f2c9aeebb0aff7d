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
pub use status::{State, Status, StatusStore};

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
}
