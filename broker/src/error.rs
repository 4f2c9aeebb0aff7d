//! The broker's error type.

use std::path::PathBuf;

/// Everything that can go wrong inside the broker, worded for the operator who reads the log.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot bind listener {addr}: {source} (is another broker already running on that port?)"
    )]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid broker configuration: {0}")]
    Config(String),
    #[error("corrupt metadata file {path}: {reason}")]
    Metadata { path: PathBuf, reason: String },
    #[error("invalid record batch: {0}")]
    InvalidBatch(#[from] crate::batch::BatchError),
    #[error("data directory {path} is locked by another broker process")]
    Locked { path: PathBuf },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
