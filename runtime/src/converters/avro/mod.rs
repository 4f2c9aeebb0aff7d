//! The data-mapping core of Confluent's `io.confluent.connect.avro.AvroConverter`.
//!
//! * [`data`] maps Connect schemas and values to Avro and back exactly as Confluent's
//!   `AvroData` (`avro-data/src/main/java/io/confluent/connect/avro/AvroData.java`) does:
//!   the same record names (`io.confluent.connect.avro.ConnectDefault`), the same
//!   `connect.*` properties, `MapEntry` arrays for maps with non-string keys, logical types
//!   and optional schemas as unions with `null`.
//! * [`wire`] is the Confluent wire format: magic byte `0`, a 4-byte big-endian schema id,
//!   then the Avro binary encoding.
//!
//! Avro schemas are handled as [`AvroSchema`]: the schema JSON exactly as Confluent writes
//! it (which is what the schema registry stores) plus the `apache_avro` schema parsed from it
//! for the binary encoding. The JSON is the source of truth because `apache_avro` drops
//! custom properties of primitive schemas (`{"type":"int","connect.type":"int16"}`), which
//! the mapping back to Connect needs.
//!
//! * [`client`] is a caching client of the Confluent schema registry REST API (Confluent's
//!   `CachedSchemaRegistryClient`), over HTTP.
//! * [`converter`] is the converter class, [`AvroConverter`], with Confluent's subject name
//!   strategies.

pub mod client;
pub mod converter;
pub mod data;
#[cfg(test)]
mod tests;
pub mod wire;

use connect_api::ConnectError;

pub use client::SchemaRegistryClient;
pub use converter::{AvroConverter, SubjectNameStrategy};
pub use data::{
    to_avro_schema, to_avro_value, to_connect_schema, to_connect_value, AvroData, AvroDataConfig,
    AvroSchema,
};

/// Errors of the Avro data mapping and the Confluent wire format.
#[derive(Debug, thiserror::Error)]
pub enum AvroError {
    /// The first byte is not the Confluent magic byte `0` (Confluent's message, verbatim).
    #[error(
        "Unknown magic byte! Found 0x{found:02x}, expected 0x00: the data was not written by a \
         Confluent schema registry serializer (check the topic's producers and converter)"
    )]
    UnknownMagicByte {
        /// The byte found instead of `0`.
        found: u8,
    },
    /// The input is too short to hold the 5-byte header (magic byte and schema id).
    #[error(
        "Error deserializing Avro message: {len} byte(s) is shorter than the 5-byte Confluent \
         header (magic byte + 4-byte schema id)"
    )]
    TooShort {
        /// The length of the input.
        len: usize,
    },
    /// A Connect schema cannot be represented in Avro the way `AvroData` does it.
    #[error("Cannot convert Connect schema to Avro: {0}")]
    FromConnectSchema(String),
    /// An Avro schema cannot be mapped to a Connect schema.
    #[error("Cannot convert Avro schema to Connect: {0}")]
    ToConnectSchema(String),
    /// A value does not match its schema.
    #[error("Invalid data for Avro conversion: {0}")]
    Data(String),
    /// The Avro library rejected a schema or failed to encode/decode a datum.
    #[error("Avro error: {0}")]
    Avro(#[from] apache_avro::Error),
    /// The Connect data model rejected a schema or value built from Avro.
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

impl From<AvroError> for ConnectError {
    /// Every Avro mapping failure is a Kafka `DataException`.
    fn from(error: AvroError) -> Self {
        match error {
            AvroError::Connect(inner) => inner,
            other => ConnectError::Data(other.to_string()),
        }
    }
}

/// Result of this module.
pub type Result<T, E = AvroError> = std::result::Result<T, E>;
