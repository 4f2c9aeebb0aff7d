//! The Confluent wire format (`AbstractKafkaSchemaSerDe.MAGIC_BYTE`, `idSize = 4`): byte 0 is
//! the magic byte `0x00`, bytes 1-4 the schema id as a big-endian `int32`, then the Avro
//! binary encoding of the datum. A Kafka null stays a null and never reaches this module.

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::writer::datum::GenericDatumWriter;

use super::data::{AvroData, AvroSchema};
use super::{AvroError, Result};
use connect_api::data::{Schema, Value};

/// The magic byte of Confluent's framing (`AbstractKafkaSchemaSerDe.MAGIC_BYTE`).
pub const MAGIC_BYTE: u8 = 0x0;
/// The size of the schema id (`AbstractKafkaSchemaSerDe.idSize`).
pub const ID_SIZE: usize = 4;
/// The size of the header: magic byte and schema id.
pub const HEADER_SIZE: usize = 1 + ID_SIZE;

/// Frames `payload` (an Avro binary datum) with the magic byte and `schema_id`.
pub fn encode(schema_id: i32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_SIZE + payload.len());
    out.push(MAGIC_BYTE);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Splits framed bytes into the schema id and the Avro payload.
///
/// Like Confluent's `AbstractKafkaAvroDeserializer.getByteBuffer`, a first byte other than
/// `0` is [`AvroError::UnknownMagicByte`]; input shorter than the header is
/// [`AvroError::TooShort`] (Java fails with a buffer underflow there). Never panics.
pub fn decode(bytes: &[u8]) -> Result<(i32, &[u8])> {
    match bytes.first() {
        Some(&MAGIC_BYTE) => {}
        Some(&found) => return Err(AvroError::UnknownMagicByte { found }),
        None => return Err(AvroError::TooShort { len: 0 }),
    }
    let Some((id, payload)) = bytes
        .get(1..)
        .and_then(|rest| rest.split_first_chunk::<ID_SIZE>())
    else {
        return Err(AvroError::TooShort { len: bytes.len() });
    };
    Ok((i32::from_be_bytes(*id), payload))
}

/// Converts a Connect value with `avro_data` and frames it for `schema_id`, whose registered
/// schema must be `avro_schema` (as returned by [`AvroData::to_avro_schema`] for `schema`).
pub fn serialize(
    avro_data: &AvroData,
    schema_id: i32,
    avro_schema: &AvroSchema,
    schema: &Schema,
    value: &Value,
) -> Result<Vec<u8>> {
    let avro_value = avro_data.to_avro_value_with(schema, avro_schema, value)?;
    let payload = GenericDatumWriter::builder(avro_schema.schema())
        .build()?
        .write_value_to_vec(avro_value)?;
    Ok(encode(schema_id, &payload))
}

/// Decodes the Avro payload of framed bytes with the writer schema `avro_schema` (looked up
/// by the returned id by the caller) into Connect data. Returns the schema id too.
///
/// Trailing bytes after the datum are an error (Confluent's decoder ignores them, but they
/// mean the id and schema do not match the data).
pub fn deserialize_payload(
    avro_data: &AvroData,
    avro_schema: &AvroSchema,
    payload: &[u8],
) -> Result<(Schema, Value)> {
    deserialize_payload_with_version(avro_data, avro_schema, payload, None)
}

/// [`deserialize_payload`] where the top-level Connect schema gets `version` (the writer
/// schema's version under its subject) unless the schema carries a `connect.version`.
pub fn deserialize_payload_with_version(
    avro_data: &AvroData,
    avro_schema: &AvroSchema,
    payload: &[u8],
    version: Option<i32>,
) -> Result<(Schema, Value)> {
    let mut reader = payload;
    let datum = GenericDatumReader::builder(avro_schema.schema())
        .build()?
        .read_value(&mut reader)?;
    if !reader.is_empty() {
        return Err(AvroError::Data(format!(
            "{} trailing byte(s) after the Avro datum: the schema does not match the data",
            reader.len()
        )));
    }
    avro_data.to_connect_value_with_version(avro_schema, &datum, version)
}
