//! Shared helpers mirroring Kafka's `transforms.util` package (`Requirements`, `SchemaUtil`)
//! and the `$Key` / `$Value` split every field transform has.

use connect_api::config::{ConfigError, ConfigErrors, ParsedValue, Validator};
use connect_api::data::{civil_from_days, Schema, SchemaBuilder, SchemaType, Struct, Value};
use connect_api::ConnectError;

use super::ConnectRecord;

/// Which part of the record a `$Key` / `$Value` transform operates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The record key (`…$Key`).
    Key,
    /// The record value (`…$Value`).
    Value,
}

impl Side {
    /// The operated-on schema.
    pub(crate) fn schema<R: ConnectRecord>(self, record: &R) -> Option<&Schema> {
        match self {
            Side::Key => record.key_schema(),
            Side::Value => record.value_schema(),
        }
    }

    /// The operated-on value.
    pub(crate) fn value<R: ConnectRecord>(self, record: &R) -> &Value {
        match self {
            Side::Key => record.key(),
            Side::Value => record.value(),
        }
    }

    /// A copy of `record` with the operated-on schema and value replaced.
    pub(crate) fn new_record<R: ConnectRecord>(
        self,
        record: &R,
        schema: Option<Schema>,
        value: Value,
    ) -> R {
        match self {
            Side::Key => record.new_record(
                record.topic().to_owned(),
                record.kafka_partition(),
                schema,
                value,
                record.value_schema().cloned(),
                record.value().clone(),
                record.timestamp(),
                record.headers().clone(),
            ),
            Side::Value => record.new_record(
                record.topic().to_owned(),
                record.kafka_partition(),
                record.key_schema().cloned(),
                record.key().clone(),
                schema,
                value,
                record.timestamp(),
                record.headers().clone(),
            ),
        }
    }
}

/// The Java class name Kafka would print for a value of this kind (`nullSafeClassName`).
pub(crate) fn java_class_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Int8(_) => "java.lang.Byte",
        Value::Int16(_) => "java.lang.Short",
        Value::Int32(_) => "java.lang.Integer",
        Value::Int64(_) => "java.lang.Long",
        Value::Float32(_) => "java.lang.Float",
        Value::Float64(_) => "java.lang.Double",
        Value::Boolean(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Bytes(_) => "[B",
        Value::Array(_) => "java.util.ArrayList",
        Value::Map(_) => "java.util.HashMap",
        Value::Struct(_) => "org.apache.kafka.connect.data.Struct",
        Value::Decimal(_) => "java.math.BigDecimal",
        Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => "java.util.Date",
    }
}

/// Kafka's `Requirements.requireMap`.
pub(crate) fn require_map<'a>(
    value: &'a Value,
    purpose: &str,
) -> Result<&'a [(Value, Value)], ConnectError> {
    match value {
        Value::Map(entries) => Ok(entries),
        other => Err(ConnectError::data(format!(
            "Only Map objects supported in absence of schema for [{purpose}], found: {}",
            java_class_name(other)
        ))),
    }
}

/// Kafka's `Requirements.requireStruct`.
pub(crate) fn require_struct<'a>(
    value: &'a Value,
    purpose: &str,
) -> Result<&'a Struct, ConnectError> {
    match value {
        Value::Struct(s) => Ok(s),
        other => Err(ConnectError::data(format!(
            "Only Struct objects supported for [{purpose}], found: {}",
            java_class_name(other)
        ))),
    }
}

/// Kafka's `Requirements.requireSinkRecord(...).kafkaOffset()`.
pub(crate) fn require_sink_offset<R: ConnectRecord>(
    record: &R,
    purpose: &str,
) -> Result<i64, ConnectError> {
    record.kafka_offset().ok_or_else(|| {
        ConnectError::data(format!(
            "Only SinkRecord supported for [{purpose}], found: {}",
            record.java_class_name()
        ))
    })
}

/// `map.get(key)` on a schemaless map with string keys; a missing key reads as null.
pub(crate) fn map_get<'a>(entries: &'a [(Value, Value)], key: &str) -> &'a Value {
    entries
        .iter()
        .find(|(k, _)| matches!(k, Value::String(s) if s == key))
        .map_or(&Value::Null, |(_, v)| v)
}

/// `map.put(key, value)`: replaces an existing entry in place or appends.
pub(crate) fn map_put(entries: &mut Vec<(Value, Value)>, key: &str, value: Value) {
    match entries
        .iter_mut()
        .find(|(k, _)| matches!(k, Value::String(s) if s == key))
    {
        Some(entry) => entry.1 = value,
        None => entries.push((Value::String(key.to_owned()), value)),
    }
}

/// The key of a schemaless map entry as Java's `String` key (non-string keys print as text).
pub(crate) fn map_key(key: &Value) -> Option<&str> {
    match key {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Kafka's `SchemaUtil.copySchemaBasics(source, builder)`: name, version, doc, parameters.
pub(crate) fn copy_schema_basics(source: &Schema, mut builder: SchemaBuilder) -> SchemaBuilder {
    if let Some(name) = source.name() {
        builder = builder.name(name);
    }
    if let Some(version) = source.version() {
        builder = builder.version(version);
    }
    if let Some(doc) = source.doc() {
        builder = builder.doc(doc);
    }
    for (k, v) in source.parameters() {
        builder = builder.parameter(k.clone(), v.clone());
    }
    builder
}

/// Kafka's `SchemaUtil.copySchemaBasics(source)`: a builder of the same type (with the same
/// element schemas for arrays and maps) carrying name, version, doc and parameters. Fields,
/// optionality and default are not copied.
pub(crate) fn copy_schema_basics_of(source: &Schema) -> Result<SchemaBuilder, ConnectError> {
    let builder = match source.schema_type() {
        SchemaType::Array => SchemaBuilder::array(source.value_schema()?.clone()),
        SchemaType::Map => {
            SchemaBuilder::map(source.key_schema()?.clone(), source.value_schema()?.clone())
        }
        other => SchemaBuilder::new(other),
    };
    Ok(copy_schema_basics(source, builder))
}

/// A struct field's value, with the field schema's default applied unless
/// `replace.null.with.default=false` (Kafka's `get` vs `getWithoutDefault`).
pub(crate) fn struct_get(
    value: &Struct,
    field: &str,
    replace_null_with_default: bool,
) -> Result<Value, ConnectError> {
    if replace_null_with_default {
        value.get(field).cloned()
    } else {
        value.get_without_default(field).cloned()
    }
}

/// One configuration error as a [`ConnectError::Config`].
pub(crate) fn config_error(name: Option<&str>, message: impl Into<String>) -> ConnectError {
    ConnectError::Config(ConfigErrors(vec![ConfigError {
        name: name.map(str::to_owned),
        message: message.into(),
    }]))
}

/// Kafka's `NonEmptyListValidator` (`Empty list`); a missing value is reported by the
/// required-key check instead.
pub(crate) fn non_empty_list() -> Validator {
    Validator::custom(|_, value| match value {
        Some(ParsedValue::List(items)) if items.is_empty() => Err("Empty list".to_owned()),
        _ => Ok(()),
    })
}

/// Kafka's `RegexValidator` (`Invalid regex: …`).
pub(crate) fn regex_validator() -> Validator {
    Validator::custom(|_, value| match value {
        Some(ParsedValue::String(s)) => regex::Regex::new(s)
            .map(|_| ())
            .map_err(|e| format!("Invalid regex: {e}")),
        _ => Ok(()),
    })
}

/// The `replace.null.with.default` key shared by the field transforms.
pub(crate) const REPLACE_NULL_WITH_DEFAULT: &str = "replace.null.with.default";

/// Defines `replace.null.with.default` (BOOLEAN, default true) on `def`.
pub(crate) fn define_replace_null_with_default(
    def: connect_api::config::ConfigDef,
) -> connect_api::config::ConfigDef {
    use connect_api::config::{ConfigKey, ConfigType, Importance};
    def.define(
        ConfigKey::new(
            REPLACE_NULL_WITH_DEFAULT,
            ConfigType::Boolean,
            Importance::Medium,
            "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
        )
        .default_value("true"),
    )
}

/// A regex that must match the whole input, like Java's `Matcher.matches()`.
pub(crate) fn full_match_regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
}

/// A UTC calendar breakdown of milliseconds since the epoch (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UtcDateTime {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) millis: u32,
}

impl UtcDateTime {
    /// Breaks `epoch_millis` down in UTC (days from connect-api's `civil_from_days`).
    pub(crate) fn from_epoch_millis(epoch_millis: i64) -> Self {
        const MILLIS_PER_DAY: i64 = 86_400_000;
        let days = epoch_millis.div_euclid(MILLIS_PER_DAY);
        let ms_of_day = epoch_millis.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Self {
            year,
            month,
            day,
            hour: (ms_of_day / 3_600_000) as u32,
            minute: (ms_of_day / 60_000 % 60) as u32,
            second: (ms_of_day / 1000 % 60) as u32,
            millis: (ms_of_day % 1000) as u32,
        }
    }
}

/// Java's `Double.toString` / `Float.toString` given Rust's shortest round-trip digits:
/// plain notation for `1e-3 <= |x| < 1e7`, otherwise `d.dddE±n`.
pub(crate) fn java_float_string(value: f64, debug: &str, exp: &str) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let abs = value.abs();
    if abs == 0.0 || (1e-3..1e7).contains(&abs) {
        return debug.to_owned();
    }
    // `exp` is Rust's `{:e}` form, e.g. `1e10` or `-1.5e-5`.
    let (mantissa, exponent) = exp.split_once('e').unwrap_or((exp, "0"));
    if mantissa.contains('.') {
        format!("{mantissa}E{exponent}")
    } else {
        format!("{mantissa}.0E{exponent}")
    }
}

/// Java's `Double.toString`.
pub(crate) fn java_f64_string(value: f64) -> String {
    java_float_string(value, &format!("{value:?}"), &format!("{value:e}"))
}

/// Java's `Float.toString`.
pub(crate) fn java_f32_string(value: f32) -> String {
    java_float_string(
        f64::from(value),
        &format!("{value:?}"),
        &format!("{value:e}"),
    )
}

/// Standard base64 with padding (Java's `Base64.getEncoder()`).
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_breakdown() {
        let at = |ms| UtcDateTime::from_epoch_millis(ms);
        assert_eq!(
            at(0),
            UtcDateTime {
                year: 1970,
                month: 1,
                day: 1,
                hour: 0,
                minute: 0,
                second: 0,
                millis: 0
            }
        );
        // 2024-02-29T13:45:30.123Z
        assert_eq!(
            at(1_709_214_330_123),
            UtcDateTime {
                year: 2024,
                month: 2,
                day: 29,
                hour: 13,
                minute: 45,
                second: 30,
                millis: 123
            }
        );
        // 1969-12-31T23:59:59.999Z
        assert_eq!(
            at(-1),
            UtcDateTime {
                year: 1969,
                month: 12,
                day: 31,
                hour: 23,
                minute: 59,
                second: 59,
                millis: 999
            }
        );
    }

    #[test]
    fn java_number_strings_and_base64() {
        assert_eq!(java_f64_string(1.0), "1.0");
        assert_eq!(java_f64_string(0.001), "0.001");
        assert_eq!(java_f64_string(1e10), "1.0E10");
        assert_eq!(java_f64_string(-1.5e-5), "-1.5E-5");
        assert_eq!(java_f32_string(32.5), "32.5");
        assert_eq!(java_f64_string(f64::NAN), "NaN");
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
    }
}
