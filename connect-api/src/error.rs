//! The one error type of the connector API.

use crate::config::ConfigErrors;

/// Convenience alias used throughout the crate.
pub type Result<T, E = ConnectError> = std::result::Result<T, E>;

/// Errors raised by connectors, tasks and the data model.
///
/// The variant tells the runtime what to do: [`ConnectError::Retriable`] means "try the same
/// call again later", everything else fails the connector or task (or the single record, for
/// [`ConnectError::Data`] under `errors.tolerance=all`).
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A value does not match its schema, or a schema is malformed. Mirrors Kafka's
    /// `DataException`; the message is Kafka's where Kafka has one.
    #[error("{0}")]
    Data(String),
    /// The connector or task configuration is invalid; every problem is listed.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigErrors),
    /// A transient failure (e.g. the external system is unreachable); the runtime retries
    /// the operation after a back-off instead of failing the task.
    #[error("retriable error: {0}")]
    Retriable(String),
    /// Any other failure of a connector or task, with its cause when there is one.
    #[error("{message}")]
    Connector {
        /// What went wrong, phrased for the operator.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl ConnectError {
    /// A [`ConnectError::Data`] error.
    pub fn data(message: impl Into<String>) -> Self {
        Self::Data(message.into())
    }

    /// A [`ConnectError::Retriable`] error.
    pub fn retriable(message: impl Into<String>) -> Self {
        Self::Retriable(message.into())
    }

    /// A [`ConnectError::Connector`] error without an underlying cause.
    pub fn connector(message: impl Into<String>) -> Self {
        Self::Connector {
            message: message.into(),
            source: None,
        }
    }

    /// A [`ConnectError::Connector`] error wrapping `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Connector {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// Whether the runtime should retry the failed operation.
    pub fn is_retriable(&self) -> bool {
        matches!(self, Self::Retriable(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn messages_and_sources() {
        assert_eq!(ConnectError::data("bad").to_string(), "bad");
        assert_eq!(
            ConnectError::retriable("db down").to_string(),
            "retriable error: db down"
        );
        assert!(ConnectError::retriable("x").is_retriable());
        let io = std::io::Error::other("disk full");
        let err = ConnectError::with_source("cannot write file /tmp/x", io);
        assert_eq!(err.to_string(), "cannot write file /tmp/x");
        assert_eq!(
            err.source().map(|s| s.to_string()).as_deref(),
            Some("disk full")
        );
    }
}
