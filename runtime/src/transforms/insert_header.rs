//! `InsertHeader`: add a header with a literal value to every record.
//!
//! Kafka parses `value.literal` with `Values.parseString` (see [`super::values`]): `true`,
//! `42` and `[1, 2]` become a `BOOLEAN`, an `INT8` and an `ARRAY` header, anything that is
//! not a number, boolean, temporal, array or map literal stays a `STRING`. Kafka 4.x's
//! optional `value.type` key is not supported.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{Schema, Value};
use connect_api::ConnectError;

use super::values::parse_string;
use super::{ConnectRecord, Transformation};

/// Kafka's `InsertHeader`.
#[derive(Debug, Clone)]
pub struct InsertHeader {
    header: String,
    schema: Option<Schema>,
    value: Value,
}

impl Default for InsertHeader {
    fn default() -> Self {
        Self {
            header: String::new(),
            schema: None,
            value: Value::Null,
        }
    }
}

impl InsertHeader {
    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new()
            .define(ConfigKey::new(
                "header",
                ConfigType::String,
                Importance::High,
                "The name of the header.",
            ))
            .define(ConfigKey::new(
                "value.literal",
                ConfigType::String,
                Importance::High,
                "The literal value that is to be set as the header value on all records.",
            ))
    }
}

impl<R: ConnectRecord> Transformation<R> for InsertHeader {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.header = config.get_string("header")?.unwrap_or_default().to_owned();
        let (schema, value) = parse_string(config.get_string("value.literal")?.unwrap_or_default());
        self.schema = schema;
        self.value = value;
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let mut headers = record.headers().clone();
        // Always added, even when a header with the same name exists.
        headers.add(self.header.clone(), self.schema.clone(), self.value.clone())?;
        Ok(Some(record.new_record(
            record.topic().to_owned(),
            record.kafka_partition(),
            record.key_schema().cloned(),
            record.key().clone(),
            record.value_schema().cloned(),
            record.value().clone(),
            record.timestamp(),
            headers,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::record::{Headers, SinkRecord};

    fn configured(pairs: &[(&str, &str)]) -> Result<InsertHeader, ConnectError> {
        let mut t = InsertHeader::default();
        Transformation::<SinkRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    #[test]
    fn adds_header_keeping_existing_ones() -> Result<(), ConnectError> {
        let t = configured(&[("header", "h"), ("value.literal", "hello world")])?;
        let mut headers = Headers::new();
        headers.add_string("h", "old");
        headers.add_string("other", "x");
        let out = t
            .apply(sink(None, Value::Int32(1)).with_headers(headers))?
            .expect("kept");
        let all: Vec<&Value> = out.headers.all_with_name("h").map(|h| &h.value).collect();
        assert_eq!(all, [&Value::from("old"), &Value::from("hello world")]);
        let last = out.headers.last_with_name("h").expect("header");
        assert_eq!(last.schema, Some(Schema::string()));
        assert_eq!(out.headers.len(), 3);
        assert_eq!(out.value, Value::Int32(1));
        Ok(())
    }

    #[test]
    fn typed_literals() -> Result<(), ConnectError> {
        let header = |literal: &str| -> Result<(Option<Schema>, Value), ConnectError> {
            let t = configured(&[("header", "h"), ("value.literal", literal)])?;
            let out = t.apply(sink(None, Value::Null))?.expect("kept");
            let h = out.headers.last_with_name("h").expect("header");
            Ok((h.schema.clone(), h.value.clone()))
        };
        assert_eq!(
            header("true")?,
            (Some(Schema::boolean()), Value::Boolean(true))
        );
        assert_eq!(header("-300")?, (Some(Schema::int16()), Value::Int16(-300)));
        assert_eq!(header("1.0")?, (Some(Schema::int8()), Value::Int8(1)));
        assert_eq!(header("")?, (Some(Schema::string()), Value::from("")));
        assert_eq!(header("null")?, (None, Value::Null));
        let (schema, value) = header("[1,2]")?;
        assert_eq!(
            schema.map(|s| s.schema_type()),
            Some(connect_api::data::SchemaType::Array)
        );
        assert_eq!(value, Value::Array(vec![Value::Int8(1), Value::Int8(2)]));
        Ok(())
    }

    #[test]
    fn missing_config() {
        let err = |pairs: &[(&str, &str)]| {
            configured(pairs)
                .map(|_| ())
                .map_err(|e| e.to_string())
                .expect_err("must fail")
        };
        assert_eq!(
            err(&[("value.literal", "x")]),
            "invalid configuration: Missing required configuration \"header\" which has no default value."
        );
        assert_eq!(
            err(&[("header", "h")]),
            "invalid configuration: Missing required configuration \"value.literal\" which has no default value."
        );
    }
}
