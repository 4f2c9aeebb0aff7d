//! Fixed-width converters (Kafka's `converters.NumberConverter` subclasses and
//! `BooleanConverter`): the big-endian formats of Kafka's `ShortSerializer`,
//! `IntegerSerializer`, `LongSerializer`, `FloatSerializer`, `DoubleSerializer` and
//! `BooleanSerializer`. Reading yields the optional schema of the type.

use std::collections::BTreeMap;

use connect_api::config::ConfigDef;
use connect_api::data::{Schema, SchemaType, Value};
use connect_api::ConnectError;

use super::{
    converter_and_header_converter, converter_config_def, with_converter_type, ConverterType,
    SchemaAndValue,
};

macro_rules! number_converter {
    ($(#[$doc:meta])* $name:ident, $rust:ty, $variant:ident, $schema:ident, $size:literal,
     $type_name:literal, $deserializer:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default)]
        pub struct $name;

        impl $name {
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
                _schema: Option<&Schema>,
                value: &Value,
            ) -> Result<Option<Vec<u8>>, ConnectError> {
                match value {
                    Value::Null => Ok(None),
                    Value::$variant(v) => Ok(Some(v.to_be_bytes().to_vec())),
                    other => Err(ConnectError::Data(format!(
                        concat!("Failed to serialize to ", $type_name, " (was {}): "),
                        other.kind_name()
                    ))),
                }
            }

            fn deserialize(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue, ConnectError> {
                let schema = Some(Schema::$schema());
                let Some(bytes) = bytes else {
                    return Ok(SchemaAndValue::new(schema, Value::Null));
                };
                let array: [u8; $size] =
                    bytes.try_into().map_err(|_| {
                        ConnectError::data(concat!(
                            "Failed to deserialize ",
                            $type_name,
                            ": Size of data received by ",
                            $deserializer,
                            " is not ",
                            stringify!($size)
                        ))
                    })?;
                Ok(SchemaAndValue::new(
                    schema,
                    Value::$variant(<$rust>::from_be_bytes(array)),
                ))
            }
        }

        converter_and_header_converter!($name);
    };
}

number_converter!(
    /// `org.apache.kafka.connect.converters.ShortConverter`: `INT16` as 2 big-endian bytes.
    ShortConverter, i16, Int16, optional_int16, 2, "short", "ShortDeserializer");
number_converter!(
    /// `org.apache.kafka.connect.converters.IntegerConverter`: `INT32` as 4 big-endian bytes.
    IntegerConverter, i32, Int32, optional_int32, 4, "integer", "IntegerDeserializer");
number_converter!(
    /// `org.apache.kafka.connect.converters.LongConverter`: `INT64` as 8 big-endian bytes.
    LongConverter, i64, Int64, optional_int64, 8, "long", "LongDeserializer");
number_converter!(
    /// `org.apache.kafka.connect.converters.FloatConverter`: `FLOAT32` as the 4 big-endian
    /// bytes of its IEEE 754 bits.
    FloatConverter, f32, Float32, optional_float32, 4, "float", "FloatDeserializer");
number_converter!(
    /// `org.apache.kafka.connect.converters.DoubleConverter`: `FLOAT64` as the 8 big-endian
    /// bytes of its IEEE 754 bits.
    DoubleConverter, f64, Float64, optional_float64, 8, "double", "DoubleDeserializer");

/// `org.apache.kafka.connect.converters.BooleanConverter`: one byte, `0x01` or `0x00`.
#[derive(Debug, Clone, Default)]
pub struct BooleanConverter;

impl BooleanConverter {
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
        if let Some(schema) = schema.filter(|s| s.schema_type() != SchemaType::Boolean) {
            return Err(ConnectError::Data(format!(
                "Invalid schema type for BooleanConverter: {}",
                schema.schema_type()
            )));
        }
        match value {
            Value::Null => Ok(None),
            Value::Boolean(b) => Ok(Some(vec![u8::from(*b)])),
            other => Err(ConnectError::Data(format!(
                "BooleanConverter is not compatible with objects of type {}",
                other.kind_name()
            ))),
        }
    }

    fn deserialize(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue, ConnectError> {
        let schema = Some(Schema::optional_boolean());
        let value = match bytes {
            None => Value::Null,
            Some([1]) => Value::Boolean(true),
            Some([0]) => Value::Boolean(false),
            Some([other]) => {
                return Err(ConnectError::Data(format!(
                    "Failed to deserialize boolean: Unexpected byte received by \
                     BooleanDeserializer: {}",
                    *other as i8
                )))
            }
            Some(_) => {
                return Err(ConnectError::data(
                    "Failed to deserialize boolean: Size of data received by \
                     BooleanDeserializer is not 1",
                ))
            }
        };
        Ok(SchemaAndValue::new(schema, value))
    }
}

converter_and_header_converter!(BooleanConverter);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::converters::{Converter, HeaderConverter};
    use connect_api::record::Headers;
    use proptest::prelude::*;

    fn write(converter: &mut dyn Converter, value: Value) -> Result<Option<Vec<u8>>, String> {
        converter
            .from_connect_data("t", &mut Headers::new(), None, &value)
            .map_err(|e| e.to_string())
    }

    fn read(converter: &mut dyn Converter, bytes: &[u8]) -> Result<SchemaAndValue, String> {
        converter
            .to_connect_data("t", &Headers::new(), Some(bytes))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn big_endian_bytes_like_kafka_serializers() {
        assert_eq!(
            write(&mut ShortConverter, Value::Int16(0x1234)),
            Ok(Some(vec![0x12, 0x34]))
        );
        assert_eq!(
            write(&mut IntegerConverter, Value::Int32(-2)),
            Ok(Some(vec![0xFF, 0xFF, 0xFF, 0xFE]))
        );
        assert_eq!(
            write(&mut LongConverter, Value::Int64(1)),
            Ok(Some(vec![0, 0, 0, 0, 0, 0, 0, 1]))
        );
        assert_eq!(
            write(&mut FloatConverter, Value::Float32(1.0)),
            Ok(Some(vec![0x3F, 0x80, 0, 0]))
        );
        assert_eq!(
            write(&mut DoubleConverter, Value::Float64(-2.0)),
            Ok(Some(vec![0xC0, 0, 0, 0, 0, 0, 0, 0]))
        );
        assert_eq!(
            write(&mut BooleanConverter, Value::Boolean(true)),
            Ok(Some(vec![1]))
        );
        assert_eq!(write(&mut LongConverter, Value::Null), Ok(None));
    }

    #[test]
    fn reading_yields_optional_schemas_and_checks_sizes() {
        assert_eq!(
            read(&mut ShortConverter, &[0x12, 0x34]),
            Ok(SchemaAndValue::new(
                Some(Schema::optional_int16()),
                Value::Int16(0x1234)
            ))
        );
        assert_eq!(
            read(&mut IntegerConverter, &[1, 2]),
            Err("Failed to deserialize integer: Size of data received by \
                 IntegerDeserializer is not 4"
                .to_owned())
        );
        assert_eq!(
            read(&mut BooleanConverter, &[2]),
            Err(
                "Failed to deserialize boolean: Unexpected byte received by \
                 BooleanDeserializer: 2"
                    .to_owned()
            )
        );
        let null = LongConverter.to_connect_data("t", &Headers::new(), None);
        assert_eq!(
            null.ok(),
            Some(SchemaAndValue::new(
                Some(Schema::optional_int64()),
                Value::Null
            ))
        );
    }

    #[test]
    fn wrong_value_kinds_are_rejected() {
        assert_eq!(
            write(&mut ShortConverter, Value::Int32(1)),
            Err("Failed to serialize to short (was INT32): ".to_owned())
        );
        assert_eq!(
            BooleanConverter
                .from_connect_data(
                    "t",
                    &mut Headers::new(),
                    Some(&Schema::int8()),
                    &Value::Int8(1)
                )
                .map_err(|e| e.to_string()),
            Err("Invalid schema type for BooleanConverter: INT8".to_owned())
        );
    }

    #[test]
    fn header_converter_and_configuration() -> Result<(), ConnectError> {
        let mut converter = DoubleConverter::new();
        HeaderConverter::configure(&mut converter, &BTreeMap::new())?;
        let bytes = converter.from_connect_header("t", "h", None, &Value::Float64(0.5))?;
        let read = converter.to_connect_header("t", "h", bytes.as_deref())?;
        assert_eq!(read.value, Value::Float64(0.5));
        assert_eq!(
            Converter::config_def(&converter)
                .keys()
                .map(|k| k.name.as_str())
                .collect::<Vec<_>>(),
            ["converter.type"]
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn round_trips(i in any::<i16>(), j in any::<i32>(), k in any::<i64>(), f in any::<f32>(),
                       d in any::<f64>(), b in any::<bool>()) {
            let cases: [(&mut dyn Converter, Value); 6] = [
                (&mut ShortConverter, Value::Int16(i)),
                (&mut IntegerConverter, Value::Int32(j)),
                (&mut LongConverter, Value::Int64(k)),
                (&mut FloatConverter, Value::Float32(f)),
                (&mut DoubleConverter, Value::Float64(d)),
                (&mut BooleanConverter, Value::Boolean(b)),
            ];
            for (converter, value) in cases {
                let bytes = write(converter, value.clone());
                let bytes = bytes.ok().flatten().unwrap_or_default();
                prop_assert_eq!(read(converter, &bytes).map(|r| r.value), Ok(value));
            }
        }
    }
}
