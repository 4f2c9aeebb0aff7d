//! The crate's error type, with Confluent's HTTP status and `error_code` for each
//! (`io.confluent.kafka.schemaregistry.rest.exceptions.Errors`).

/// Errors of the schema registry crate.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// An unknown compatibility level name (Confluent answers 42203 with
    /// `RestInvalidCompatibilityException`'s fixed text; the name is kept for logs).
    #[error("Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive")]
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
    /// 40401.
    #[error("Subject '{0}' not found.")]
    SubjectNotFound(String),
    /// 40402.
    #[error("Version {0} not found.")]
    VersionNotFound(String),
    /// 40403, `None`: the lookup variant without an id.
    #[error("{}", match .0 { Some(id) => format!("Schema {id} not found"), None => "Schema not found".to_owned() })]
    SchemaNotFound(Option<i32>),
    /// 40404.
    #[error("Subject '{0}' was soft deleted.Set permanent=true to delete permanently")]
    SubjectSoftDeleted(String),
    /// 40405.
    #[error("Subject '{0}' was not deleted first before being permanently deleted")]
    SubjectNotSoftDeleted(String),
    /// 40406.
    #[error("Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently")]
    VersionSoftDeleted {
        /// The subject.
        subject: String,
        /// The version.
        version: i32,
    },
    /// 40407.
    #[error("Subject '{subject}' Version {version} was not deleted first before being permanently deleted")]
    VersionNotSoftDeleted {
        /// The subject.
        subject: String,
        /// The version.
        version: i32,
    },
    /// 40408.
    #[error("Subject '{0}' does not have subject-level compatibility configured")]
    SubjectLevelCompatibilityNotConfigured(String),
    /// 40409.
    #[error("Subject '{0}' does not have subject-level mode configured")]
    SubjectLevelModeNotConfigured(String),
    /// 409 (see [`Error::status`]): the verbose messages of `compatibility::check`.
    #[error("Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{}]", .messages.join(", "))]
    Incompatible {
        /// The subject.
        subject: String,
        /// Confluent's verbose messages.
        messages: Vec<String>,
    },
    /// 42201 (also `Empty schema`).
    #[error("{0}")]
    InvalidSchema(String),
    /// 42202.
    #[error("The specified version '{0}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"")]
    InvalidVersion(String),
    /// 42204.
    #[error("Invalid mode {0}. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT")]
    InvalidMode(String),
    /// 42205.
    #[error("{0}")]
    OperationNotPermitted(String),
    /// 42206.
    #[error("One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={subject},version={version}}}.")]
    ReferenceExists {
        /// The subject.
        subject: String,
        /// The version.
        version: i32,
    },
    /// 50001: the `_schemas` topic could not be read or written.
    #[error("Error in the backend data store: {0}")]
    Store(String),
    /// 50002.
    #[error("Operation timed out: {0}")]
    Timeout(String),
    /// 50003: a follower could not reach the leader with a write.
    #[error("{0}")]
    Forward(String),
    /// 50004: no leader to send a write to (an election is in progress or no instance is
    /// eligible).
    #[error("Leader not known. {0}")]
    UnknownLeader(String),
    /// 400: a request body that is not the expected JSON (Jersey's answer to a
    /// Jackson parse error).
    #[error("Unexpected request body: {0}")]
    BadRequest(String),
    /// 415: a request Content-Type the API does not read.
    #[error("HTTP 415 Unsupported Media Type")]
    UnsupportedMediaType,
    /// 406: no acceptable response type.
    #[error("HTTP 406 Not Acceptable")]
    NotAcceptable,
    /// 405: the endpoint has no such method.
    #[error("HTTP 405 Method Not Allowed")]
    MethodNotAllowed,
    /// 404: no such endpoint.
    #[error("HTTP 404 Not Found")]
    NotFound,
}

impl Error {
    /// The HTTP status (Confluent's `RestException` subclasses).
    ///
    /// An incompatible schema answers 409 with error code 409, as Confluent up to
    /// 8.0.3 and Karapace do (8.0.4+ answer 40901): every released client accepts 409,
    /// and the message carries the verbose details either way.
    pub fn status(&self) -> u16 {
        let code = self.error_code();
        if code >= 10_000 {
            (code / 100) as u16
        } else {
            code as u16
        }
    }

    /// Confluent's `error_code`.
    pub fn error_code(&self) -> u32 {
        match self {
            Self::SubjectNotFound(_) => 40401,
            Self::VersionNotFound(_) => 40402,
            Self::SchemaNotFound(_) => 40403,
            Self::SubjectSoftDeleted(_) => 40404,
            Self::SubjectNotSoftDeleted(_) => 40405,
            Self::VersionSoftDeleted { .. } => 40406,
            Self::VersionNotSoftDeleted { .. } => 40407,
            Self::SubjectLevelCompatibilityNotConfigured(_) => 40408,
            Self::SubjectLevelModeNotConfigured(_) => 40409,
            Self::Incompatible { .. } => 409,
            Self::InvalidSchema(_)
            | Self::AmbiguousReaderField { .. }
            | Self::UnresolvedReference(_) => 42201,
            Self::InvalidVersion(_) => 42202,
            Self::InvalidCompatibilityLevel(_) => 42203,
            Self::InvalidMode(_) => 42204,
            Self::OperationNotPermitted(_) => 42205,
            Self::ReferenceExists { .. } => 42206,
            Self::BadRequest(_) => 400,
            Self::UnsupportedMediaType => 415,
            Self::NotAcceptable => 406,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Store(_) => 50001,
            Self::Timeout(_) => 50002,
            Self::Forward(_) => 50003,
            Self::UnknownLeader(_) => 50004,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_error_codes() {
        assert_eq!(Error::SubjectNotFound("s".into()).status(), 404);
        assert_eq!(Error::InvalidVersion("x".into()).status(), 422);
        assert_eq!(Error::Store("x".into()).status(), 500);
        let incompatible = Error::Incompatible {
            subject: "s".into(),
            messages: vec![],
        };
        assert_eq!(
            (incompatible.status(), incompatible.error_code()),
            (409, 409)
        );
        assert_eq!(Error::BadRequest("x".into()).status(), 400);
        assert_eq!(Error::UnsupportedMediaType.status(), 415);
        assert_eq!(
            Error::SchemaNotFound(Some(3)).to_string(),
            "Schema 3 not found"
        );
    }
}
