//! `org.apache.kafka.connect.storage.StringConverter`: values as their string form.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{Schema, Value};
use connect_api::ConnectError;

use super::format::{java_big_decimal, java_double, java_float};
use super::{converter_and_header_converter, converter_config_def, with_converter_type};
use super::{ConverterType, SchemaAndValue};

/// The `converter.encoding` key.
pub const ENCODING_CONFIG: &str = "converter.encoding";
const ENCODING_DEFAULT: &str = "UTF-8";

/// Writes any value as its string form (Java's `toString()` for primitives, strings as
/// they are) and reads every record as an optional `STRING`.
///
/// Only UTF-8 is supported as `converter.encoding`; other charsets fail at configuration.
/// Departures from Kafka where Java's `toString()` has no useful meaning: `BYTES` values are
/// written unchanged (Java would write `[B@1b6d3586`), `Date`/`Time`/`Timestamp` as their
/// integer encoding (Java would write `Thu Jan 01 …`, which depends on the JVM time zone).
/// Invalid UTF-8 is read with replacement characters, as Java's decoder does.
#[derive(Debug, Clone, Default)]
pub struct StringConverter;

impl StringConverter {
    /// A converter using UTF-8.
    pub fn new() -> Self {
        Self
    }

    fn definition() -> ConfigDef {
        converter_config_def().define(
            ConfigKey::new(
                ENCODING_CONFIG,
                ConfigType::String,
                Importance::High,
                "The name of the Java character set to use for encoding strings as byte arrays.",
            )
            .default_value(ENCODING_DEFAULT)
            .display_name("Encoding"),
        )
    }

    fn configure_as(
        &mut self,
        configs: &BTreeMap<String, String>,
        converter_type: ConverterType,
    ) -> Result<(), ConnectError> {
        let parsed = Self::definition().parse(&with_converter_type(configs, converter_type))?;
        let encoding = parsed.get_string(ENCODING_CONFIG)?.unwrap_or_default();
        let normalized = encoding.to_ascii_uppercase().replace('-', "");
        if normalized != "UTF8" {
            return Err(ConnectError::connector(format!(
                "Unsupported {ENCODING_CONFIG} '{encoding}': sluice's StringConverter only \
                 supports UTF-8"
            )));
        }
        Ok(())
    }

    fn serialize(
        &self,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError> {
        Ok(match value {
            Value::Null => None,
            Value::Bytes(bytes) => Some(bytes.clone()),
            other => Some(java_to_string(other).into_bytes()),
        })
    }

    fn deserialize(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue, ConnectError> {
        let value = bytes.map_or(Value::Null, |b| {
            Value::String(String::from_utf8_lossy(b).into_owned())
        });
        Ok(SchemaAndValue::new(Some(Schema::optional_string()), value))
    }
}

converter_and_header_converter!(StringConverter);

/// Java's `Object.toString()` of the Connect value (`List`/`Map` formatting for containers,
/// `Struct{…}` for structs).
fn java_to_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Int8(v) => v.to_string(),
        Value::Int16(v) => v.to_string(),
        Value::Int32(v) | Value::Date(v) | Value::Time(v) => v.to_string(),
        Value::Int64(v) | Value::Timestamp(v) => v.to_string(),
        Value::Float32(v) => java_float(*v),
        Value::Float64(v) => java_double(*v),
        Value::Boolean(v) => v.to_string(),
        Value::String(v) => v.clone(),
        Value::Bytes(v) => String::from_utf8_lossy(v).into_owned(),
        Value::Decimal(d) => java_big_decimal(d),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(java_to_string).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}={}", java_to_string(k), java_to_string(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        Value::Struct(s) => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::converters::Converter;
    use connect_api::data::{Decimal, SchemaBuilder, Struct};
    use connect_api::record::Headers;
    use proptest::prelude::*;

    fn write(value: Value) -> Option<String> {
        StringConverter
            .from_connect_data("t", &mut Headers::new(), None, &value)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    #[test]
    fn writes_java_to_string() -> Result<(), ConnectError> {
        assert_eq!(write(Value::from("héllo")).as_deref(), Some("héllo"));
        assert_eq!(write(Value::Int32(42)).as_deref(), Some("42"));
        assert_eq!(write(Value::Float64(1.0)).as_deref(), Some("1.0"));
        assert_eq!(write(Value::Boolean(true)).as_deref(), Some("true"));
        assert_eq!(
            write(Value::Decimal(Decimal::new(156, 2))).as_deref(),
            Some("1.56")
        );
        assert_eq!(
            write(Value::Array(vec![Value::Int8(1), Value::Int8(2)])).as_deref(),
            Some("[1, 2]")
        );
        assert_eq!(
            write(Value::Map(vec![(Value::from("a"), Value::Int8(1))])).as_deref(),
            Some("{a=1}")
        );
        let schema = SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .build()?;
        let mut s = Struct::new(schema)?;
        s.put("a", 1)?;
        assert_eq!(write(Value::Struct(s)).as_deref(), Some("Struct{a=1}"));
        assert_eq!(write(Value::Null), None);
        Ok(())
    }

    #[test]
    fn reads_optional_strings() -> Result<(), ConnectError> {
        let mut converter = StringConverter::new();
        let read = converter.to_connect_data("t", &Headers::new(), Some(b"abc"))?;
        assert_eq!(
            read,
            SchemaAndValue::new(Some(Schema::optional_string()), Value::from("abc"))
        );
        let lossy = converter.to_connect_data("t", &Headers::new(), Some(&[0x61, 0xFF]))?;
        assert_eq!(lossy.value, Value::from("a\u{FFFD}"));
        let null = converter.to_connect_data("t", &Headers::new(), None)?;
        assert_eq!(null.value, Value::Null);
        Ok(())
    }

    #[test]
    fn only_utf8_encodings_are_accepted() {
        let configure = |encoding: &str| {
            let configs = BTreeMap::from([(ENCODING_CONFIG.to_owned(), encoding.to_owned())]);
            Converter::configure(&mut StringConverter::new(), &configs, false)
                .map_err(|e| e.to_string())
        };
        assert_eq!(configure("UTF-8"), Ok(()));
        assert_eq!(configure("utf8"), Ok(()));
        assert_eq!(
            configure("ISO-8859-1"),
            Err(
                "Unsupported converter.encoding 'ISO-8859-1': sluice's StringConverter only \
                 supports UTF-8"
                    .to_owned()
            )
        );
        assert_eq!(
            Converter::configure(&mut StringConverter::new(), &BTreeMap::new(), true)
                .map_err(|e| e.to_string()),
            Ok(())
        );
    }

    proptest! {
        #[test]
        fn strings_round_trip(s in ".*") {
            let mut converter = StringConverter::new();
            let bytes = converter.from_connect_data("t", &mut Headers::new(), None, &Value::from(s.as_str()));
            let bytes = bytes.ok().flatten();
            let read = converter.to_connect_data("t", &Headers::new(), bytes.as_deref());
            prop_assert_eq!(read.ok().map(|r| r.value), Some(Value::String(s)));
        }
    }
}
