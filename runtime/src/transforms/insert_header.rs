//! `InsertHeader`: add a header with a literal value to every record.
//!
//! Kafka parses `value.literal` with `Values.parseString`. This implementation covers the
//! common subset of that grammar:
//!
//! * `true` / `false` → `BOOLEAN`;
//! * an integer (`-?[0-9]+`) → the narrowest of `INT8`, `INT16`, `INT32`, `INT64`;
//! * a decimal with a non-zero fractional part and no exponent (`-?[0-9]+\.[0-9]+`) →
//!   `FLOAT32`, or `FLOAT64` when out of `float` range;
//! * everything else (including the empty string) → `STRING`.
//!
//! Gaps versus `Values.parseString`: integers beyond `INT64` and decimals with an exponent or
//! an all-zero fraction (`1.0`) stay `STRING` here (Kafka produces `Decimal` / whole numbers),
//! and the embedded `null`, array (`[…]`), map (`{…}`) and ISO date/time literals are not
//! interpreted (they stay `STRING`). Kafka 4.x's optional `value.type` key is not supported.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{Schema, Value};
use connect_api::ConnectError;

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

/// The supported subset of Kafka's `Values.parseString` (see the module documentation).
pub(crate) fn parse_literal(literal: &str) -> (Schema, Value) {
    match literal {
        "true" => return (Schema::boolean(), Value::Boolean(true)),
        "false" => return (Schema::boolean(), Value::Boolean(false)),
        _ => {}
    }
    let unsigned = literal.strip_prefix('-').unwrap_or(literal);
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if all_digits(unsigned) {
        if let Ok(i) = literal.parse::<i64>() {
            return if let Ok(v) = i8::try_from(i) {
                (Schema::int8(), Value::Int8(v))
            } else if let Ok(v) = i16::try_from(i) {
                (Schema::int16(), Value::Int16(v))
            } else if let Ok(v) = i32::try_from(i) {
                (Schema::int32(), Value::Int32(v))
            } else {
                (Schema::int64(), Value::Int64(i))
            };
        }
    }
    if let Some((int, frac)) = unsigned.split_once('.') {
        if all_digits(int) && all_digits(frac) && frac.bytes().any(|b| b != b'0') {
            if let Ok(f) = literal.parse::<f32>() {
                if f.is_finite() {
                    return (Schema::float32(), Value::Float32(f));
                }
            }
            if let Ok(d) = literal.parse::<f64>() {
                if d.is_finite() {
                    return (Schema::float64(), Value::Float64(d));
                }
            }
        }
    }
    (Schema::string(), Value::String(literal.to_owned()))
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
        let (schema, value) =
            parse_literal(config.get_string("value.literal")?.unwrap_or_default());
        self.schema = Some(schema);
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
    fn literal_parsing() {
        assert_eq!(parse_literal(""), (Schema::string(), Value::from("")));
        assert_eq!(
            parse_literal("true"),
            (Schema::boolean(), Value::Boolean(true))
        );
        assert_eq!(
            parse_literal("false"),
            (Schema::boolean(), Value::Boolean(false))
        );
        assert_eq!(parse_literal("42"), (Schema::int8(), Value::Int8(42)));
        assert_eq!(parse_literal("-300"), (Schema::int16(), Value::Int16(-300)));
        assert_eq!(
            parse_literal("70000"),
            (Schema::int32(), Value::Int32(70_000))
        );
        assert_eq!(
            parse_literal("9000000000"),
            (Schema::int64(), Value::Int64(9_000_000_000))
        );
        assert_eq!(
            parse_literal("1.5"),
            (Schema::float32(), Value::Float32(1.5))
        );
        assert_eq!(parse_literal("1.0"), (Schema::string(), Value::from("1.0")));
        assert_eq!(parse_literal("-"), (Schema::string(), Value::from("-")));
        assert_eq!(
            parse_literal("12ab"),
            (Schema::string(), Value::from("12ab"))
        );
        assert_eq!(
            parse_literal("[1,2]"),
            (Schema::string(), Value::from("[1,2]"))
        );
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
