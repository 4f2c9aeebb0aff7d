//! `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through unchanged.

use std::collections::BTreeMap;

use connect_api::config::ConfigDef;
use connect_api::data::{Schema, SchemaType, Value};
use connect_api::ConnectError;

use super::{
    converter_and_header_converter, converter_config_def, with_converter_type, ConverterType,
    SchemaAndValue,
};

/// Passes record bytes through: writing accepts only `BYTES` values (or null), reading
/// yields the optional `BYTES` schema.
#[derive(Debug, Clone, Default)]
pub struct ByteArrayConverter;

impl ByteArrayConverter {
    /// A converter; it has nothing to configure beyond `converter.type`.
    pub fn new() -> Self {
        Self
    }

    fn definition() -> ConfigDef {
        converter_config_def()
    }

    fn configure_as(
        &mut self,
        configs: &BTreeMap<String, String>,
        converter_type: ConverterType,
    ) -> Result<(), ConnectError> {
        Self::definition().parse(&with_converter_type(configs, converter_type))?;
        Ok(())
    }

    fn serialize(
        &self,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError> {
        if let Some(schema) = schema.filter(|s| s.schema_type() != SchemaType::Bytes) {
            return Err(ConnectError::Data(format!(
                "Invalid schema type for ByteArrayConverter: {}",
                schema.schema_type()
            )));
        }
        match value {
            Value::Null => Ok(None),
            Value::Bytes(bytes) => Ok(Some(bytes.clone())),
            other => Err(ConnectError::Data(format!(
                "ByteArrayConverter is not compatible with objects of type {}",
                other.kind_name()
            ))),
        }
    }

    fn deserialize(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue, ConnectError> {
        let value = bytes.map_or(Value::Null, |b| Value::Bytes(b.to_vec()));
        Ok(SchemaAndValue::new(Some(Schema::optional_bytes()), value))
    }
}

converter_and_header_converter!(ByteArrayConverter);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::converters::Converter;
    use connect_api::data::Decimal;
    use connect_api::record::Headers;

    fn write(schema: Option<&Schema>, value: Value) -> Result<Option<Vec<u8>>, String> {
        ByteArrayConverter
            .from_connect_data("t", &mut Headers::new(), schema, &value)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn bytes_pass_through() -> Result<(), ConnectError> {
        let mut converter = ByteArrayConverter::new();
        Converter::configure(&mut converter, &BTreeMap::new(), true)?;
        assert_eq!(
            write(Some(&Schema::bytes()), Value::Bytes(vec![1, 2])),
            Ok(Some(vec![1, 2]))
        );
        assert_eq!(write(None, Value::Bytes(vec![])), Ok(Some(vec![])));
        assert_eq!(
            write(Some(&Schema::optional_bytes()), Value::Null),
            Ok(None)
        );
        let read = converter.to_connect_data("t", &Headers::new(), Some(&[9]))?;
        assert_eq!(
            read,
            SchemaAndValue::new(Some(Schema::optional_bytes()), Value::Bytes(vec![9]))
        );
        let null = converter.to_connect_data("t", &Headers::new(), None)?;
        assert_eq!(null.value, Value::Null);
        Ok(())
    }

    #[test]
    fn other_types_are_rejected() {
        assert_eq!(
            write(Some(&Schema::string()), Value::from("x")),
            Err("Invalid schema type for ByteArrayConverter: STRING".to_owned())
        );
        assert_eq!(
            write(None, Value::from("x")),
            Err("ByteArrayConverter is not compatible with objects of type STRING".to_owned())
        );
        // A Decimal is BYTES-based but not bytes, as in Kafka (BigDecimal is not byte[]).
        assert!(write(
            Some(&Decimal::schema(2)),
            Value::Decimal(Decimal::new(1, 2))
        )
        .is_err());
    }
}
