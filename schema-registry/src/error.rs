//! The crate's error type.

/// Errors of the schema registry crate.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// An unknown compatibility level name (Confluent answers 42203).
    #[error("Invalid compatibility level: {0}")]
    InvalidCompatibilityLevel(String),
    /// Java's `SchemaCompatibility.lookupWriterField` throws when a reader field
    /// matches several writer fields (by name and aliases); the message is Java's.
    #[error(
        "Reader record field {field} matches multiple fields in writer record schema {writer}"
    )]
    AmbiguousReaderField {
        /// Java's `Field.toString()`: `name type:TYPE pos:N`.
        field: String,
        /// The writer record schema as JSON.
        writer: String,
    },
    /// A named type reference that is not defined in the schema it appears in.
    #[error("Unresolved named type '{0}'")]
    UnresolvedReference(String),
}
