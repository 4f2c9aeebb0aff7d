//! `TimestampConverter$Key` / `TimestampConverter$Value`: convert a timestamp (the whole
//! key/value, or one field of it) between formatted strings, Unix epoch numbers and the
//! `Date`, `Time` and `Timestamp` logical types (KIP-808 adds `unix.precision`).
//!
//! The source representation comes from the schema (logical name, else `STRING` means a
//! formatted string and `INT64` Unix time) or, without a schema, from the value itself
//! (`INT64` is Unix time, a string is formatted, a logical temporal value is a timestamp).
//! Conversions go through milliseconds since the epoch in UTC, so sub-millisecond precision
//! is lost, as in Kafka. `format` follows `SimpleDateFormat` for the subset described in
//! [`super::date_format`]; other pattern letters are rejected when configured.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use connect_api::data::{
    Date, Schema, SchemaBuilder, SchemaType, Struct, Time, Timestamp, Value, DATE_LOGICAL_NAME,
    TIMESTAMP_LOGICAL_NAME, TIME_LOGICAL_NAME,
};
use connect_api::ConnectError;

use super::date_format::DatePattern;
use super::util::{
    config_error, copy_schema_basics, define_replace_null_with_default, java_class_name, map_get,
    map_put, require_map, require_struct, struct_get, Side, REPLACE_NULL_WITH_DEFAULT,
};
use super::{ConnectRecord, Transformation};

const PURPOSE: &str = "converting timestamp formats";
const FIELD: &str = "field";
const TARGET_TYPE: &str = "target.type";
const FORMAT: &str = "format";
const UNIX_PRECISION: &str = "unix.precision";
const MILLIS_PER_DAY: i64 = 86_400_000;

/// A timestamp representation (`target.type`, or the inferred source type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimestampType {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

impl TimestampType {
    fn from_config(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Self::String,
            "unix" => Self::Unix,
            "Date" => Self::Date,
            "Time" => Self::Time,
            "Timestamp" => Self::Timestamp,
            _ => return None,
        })
    }

    /// Kafka's `timestampTypeFromSchema`.
    fn from_schema(schema: &Schema) -> Result<Self, ConnectError> {
        match schema.name() {
            Some(TIMESTAMP_LOGICAL_NAME) => return Ok(Self::Timestamp),
            Some(DATE_LOGICAL_NAME) => return Ok(Self::Date),
            Some(TIME_LOGICAL_NAME) => return Ok(Self::Time),
            _ => {}
        }
        match schema.schema_type() {
            SchemaType::String => Ok(Self::String),
            SchemaType::Int64 => Ok(Self::Unix),
            _ => Err(ConnectError::connector(format!(
                "Schema {schema} does not correspond to a known timestamp type format"
            ))),
        }
    }

    /// Kafka's `inferTimestampType` for schemaless values.
    fn infer(value: &Value) -> Result<Self, ConnectError> {
        match value {
            Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => Ok(Self::Timestamp),
            Value::Int64(_) => Ok(Self::Unix),
            Value::String(_) => Ok(Self::String),
            other => Err(ConnectError::data(format!(
                "TimestampConverter does not support class {} objects as timestamps",
                java_class_name(other)
            ))),
        }
    }

    /// The schema of this representation.
    fn schema(self, optional: bool) -> Result<Schema, ConnectError> {
        let builder = match self {
            Self::String => SchemaBuilder::string(),
            Self::Unix => SchemaBuilder::int64(),
            Self::Date => Date::builder(),
            Self::Time => Time::builder(),
            Self::Timestamp => Timestamp::builder(),
        };
        if optional {
            builder.optional().build()
        } else {
            builder.build()
        }
    }
}

/// `unix.precision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnixPrecision {
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

/// Kafka's `TimestampConverter`.
#[derive(Debug, Clone)]
pub struct TimestampConverter {
    side: Side,
    field: String,
    target: TimestampType,
    format: Option<DatePattern>,
    unix_precision: UnixPrecision,
    replace_null_with_default: bool,
}

impl TimestampConverter {
    /// An unconfigured transform for the key or the value (target `Timestamp`).
    pub fn new(side: Side) -> Self {
        Self {
            side,
            field: String::new(),
            target: TimestampType::Timestamp,
            format: None,
            unix_precision: UnixPrecision::Milliseconds,
            replace_null_with_default: true,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        define_replace_null_with_default(
            ConfigDef::new()
                .define(
                    ConfigKey::new(
                        FIELD,
                        ConfigType::String,
                        Importance::High,
                        "The field containing the timestamp, or empty if the entire value is a timestamp",
                    )
                    .default_value(""),
                )
                .define(
                    ConfigKey::new(
                        TARGET_TYPE,
                        ConfigType::String,
                        Importance::High,
                        "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
                    )
                    .validator(Validator::one_of([
                        "string",
                        "unix",
                        "Date",
                        "Time",
                        "Timestamp",
                    ])),
                )
                .define(
                    ConfigKey::new(
                        FORMAT,
                        ConfigType::String,
                        Importance::Medium,
                        "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.",
                    )
                    .default_value(""),
                )
                .define(
                    ConfigKey::new(
                        UNIX_PRECISION,
                        ConfigType::String,
                        Importance::Low,
                        "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.",
                    )
                    .default_value("milliseconds")
                    .validator(Validator::one_of([
                        "nanoseconds",
                        "microseconds",
                        "milliseconds",
                        "seconds",
                    ])),
                ),
        )
    }

    /// The value as milliseconds since the epoch (Kafka's `toRaw`, a `java.util.Date`).
    fn to_raw(&self, source: TimestampType, value: &Value) -> Result<i64, ConnectError> {
        let found = || format!("class {}", java_class_name(value));
        match source {
            TimestampType::String => {
                let Value::String(text) = value else {
                    return Err(ConnectError::data(format!(
                        "Expected string timestamp to be a String, but found {}",
                        found()
                    )));
                };
                let Some(format) = &self.format else {
                    return Err(ConnectError::data(
                        "TimestampConverter requires format option to be specified when using string timestamps",
                    ));
                };
                format.parse_millis(text).ok_or_else(|| {
                    ConnectError::data(format!(
                        "Could not parse timestamp: value ({text}) does not match pattern ({format})"
                    ))
                })
            }
            TimestampType::Unix => {
                let Value::Int64(unix) = value else {
                    return Err(ConnectError::data(format!(
                        "Expected Unix timestamp to be a Long, but found {}",
                        found()
                    )));
                };
                // Java's `TimeUnit` conversions: saturating up, truncating toward zero down.
                Ok(match self.unix_precision {
                    UnixPrecision::Seconds => unix.saturating_mul(1000),
                    UnixPrecision::Milliseconds => *unix,
                    UnixPrecision::Microseconds => unix / 1000,
                    UnixPrecision::Nanoseconds => unix / 1_000_000,
                })
            }
            TimestampType::Date | TimestampType::Time | TimestampType::Timestamp => match value {
                Value::Date(days) => Ok(i64::from(*days) * MILLIS_PER_DAY),
                Value::Time(ms) => Ok(i64::from(*ms)),
                Value::Timestamp(ms) => Ok(*ms),
                _ => {
                    let kind = match source {
                        TimestampType::Date => "Date",
                        TimestampType::Time => "Time",
                        _ => "Timestamp",
                    };
                    Err(ConnectError::data(format!(
                        "Expected {kind} to be a java.util.Date, but found {}",
                        found()
                    )))
                }
            },
        }
    }

    /// Milliseconds since the epoch in the target representation (Kafka's `toType`).
    fn to_type(&self, millis: i64) -> Result<Value, ConnectError> {
        Ok(match self.target {
            TimestampType::String => match &self.format {
                Some(format) => Value::String(format.format(millis)),
                None => {
                    return Err(ConnectError::data(
                        "TimestampConverter requires format option to be specified when using string timestamps",
                    ))
                }
            },
            TimestampType::Unix => Value::Int64(match self.unix_precision {
                UnixPrecision::Seconds => millis / 1000,
                UnixPrecision::Milliseconds => millis,
                UnixPrecision::Microseconds => millis.saturating_mul(1000),
                UnixPrecision::Nanoseconds => millis.saturating_mul(1_000_000),
            }),
            TimestampType::Date => {
                let days = i32::try_from(millis.div_euclid(MILLIS_PER_DAY)).map_err(|_| {
                    ConnectError::data(format!("Timestamp {millis} is out of range for Date"))
                })?;
                Value::Date(days)
            }
            TimestampType::Time => {
                // Always below 86 400 000, so it fits.
                Value::Time(i32::try_from(millis.rem_euclid(MILLIS_PER_DAY)).unwrap_or(0))
            }
            TimestampType::Timestamp => Value::Timestamp(millis),
        })
    }

    /// Kafka's `convertTimestamp`: null stays null; `source` is inferred when not given.
    fn convert(&self, value: &Value, source: Option<TimestampType>) -> Result<Value, ConnectError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let source = match source {
            Some(source) => source,
            None => TimestampType::infer(value)?,
        };
        self.to_type(self.to_raw(source, value)?)
    }

    fn apply_schemaless<R: ConnectRecord>(&self, record: &R) -> Result<R, ConnectError> {
        let value = self.side.value(record);
        if value.is_null() || self.field.is_empty() {
            return Ok(self
                .side
                .new_record(record, None, self.convert(value, None)?));
        }
        let entries = require_map(value, PURPOSE)?;
        let converted = self.convert(map_get(entries, &self.field), None)?;
        let mut updated = entries.to_vec();
        map_put(&mut updated, &self.field, converted);
        Ok(self.side.new_record(record, None, Value::Map(updated)))
    }

    fn apply_with_schema<R: ConnectRecord>(
        &self,
        record: &R,
        schema: &Schema,
    ) -> Result<R, ConnectError> {
        let value = self.side.value(record);
        if self.field.is_empty() {
            let updated_schema = self.target.schema(schema.is_optional())?;
            let converted = self.convert(value, Some(TimestampType::from_schema(schema)?))?;
            return Ok(self
                .side
                .new_record(record, Some(updated_schema), converted));
        }
        let original = if value.is_null() {
            None
        } else {
            Some(require_struct(value, PURPOSE)?)
        };
        let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        for field in schema.fields()? {
            let field_schema = if field.name() == self.field {
                self.target.schema(field.schema().is_optional())?
            } else {
                field.schema().clone()
            };
            builder = builder.field(field.name(), field_schema);
        }
        if schema.is_optional() {
            builder = builder.optional();
        }
        let updated_schema = builder.build()?;
        let updated = match original {
            None => Value::Null,
            Some(original) => {
                let mut updated = Struct::new(updated_schema.clone())?;
                for field in schema.fields()? {
                    let field_value =
                        struct_get(original, field.name(), self.replace_null_with_default)?;
                    let field_value = if field.name() == self.field {
                        let source = TimestampType::from_schema(field.schema())?;
                        self.convert(&field_value, Some(source))?
                    } else {
                        field_value
                    };
                    updated.put(field.name(), field_value)?;
                }
                Value::Struct(updated)
            }
        };
        Ok(self.side.new_record(record, Some(updated_schema), updated))
    }
}

impl<R: ConnectRecord> Transformation<R> for TimestampConverter {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        let target_name = config.get_string(TARGET_TYPE)?.unwrap_or_default();
        let target = TimestampType::from_config(target_name).ok_or_else(|| {
            config_error(
                Some(TARGET_TYPE),
                format!("Unknown timestamp type in TimestampConverter: {target_name}. Valid values are string, unix, Date, Time, Timestamp."),
            )
        })?;
        let pattern = config.get_string(FORMAT)?.unwrap_or_default();
        if target == TimestampType::String && pattern.trim().is_empty() {
            return Err(config_error(
                None,
                "TimestampConverter requires format option to be specified when using string timestamps",
            ));
        }
        self.format = if pattern.trim().is_empty() {
            None
        } else {
            Some(DatePattern::parse(pattern).map_err(|reason| {
                config_error(
                    Some(FORMAT),
                    format!("TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: {pattern} ({reason})"),
                )
            })?)
        };
        self.unix_precision = match config.get_string(UNIX_PRECISION)? {
            Some("seconds") => UnixPrecision::Seconds,
            Some("microseconds") => UnixPrecision::Microseconds,
            Some("nanoseconds") => UnixPrecision::Nanoseconds,
            _ => UnixPrecision::Milliseconds,
        };
        self.field = config.get_string(FIELD)?.unwrap_or_default().to_owned();
        self.target = target;
        self.replace_null_with_default = config
            .get_boolean(REPLACE_NULL_WITH_DEFAULT)?
            .unwrap_or(true);
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        match self.side.schema(&record) {
            None => self.apply_schemaless(&record).map(Some),
            Some(schema) => {
                let schema = schema.clone();
                self.apply_with_schema(&record, &schema).map(Some)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::record::SourceRecord;

    /// 2017-01-02T03:04:05.006Z, the instant Kafka's `TimestampConverterTest` uses.
    const MILLIS: i64 = 1_483_326_245_006;
    const DATE_DAYS: i32 = 17_168;
    const TIME_MILLIS: i32 = 11_045_006;
    const FORMAT: &str = "yyyy MM dd HH mm ss SSS z";
    const STRING_FORMAT: &str = "yyyy MM dd HH mm ss SSS";
    const STRING: &str = "2017 01 02 03 04 05 006";

    fn configured(side: Side, pairs: &[(&str, &str)]) -> Result<TimestampConverter, ConnectError> {
        let mut t = TimestampConverter::new(side);
        Transformation::<SourceRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    fn convert_value(
        pairs: &[(&str, &str)],
        schema: Option<Schema>,
        value: Value,
    ) -> Result<(Option<Schema>, Value), ConnectError> {
        let out = configured(Side::Value, pairs)?
            .apply(source(schema, value))?
            .expect("kept");
        Ok((out.value_schema, out.value))
    }

    fn config_err(pairs: &[(&str, &str)]) -> String {
        configured(Side::Value, pairs)
            .map(|_| ())
            .map_err(|e| e.to_string())
            .expect_err("must fail")
    }

    #[test]
    fn schemaless_conversions() -> Result<(), ConnectError> {
        let ts = Value::Timestamp(MILLIS);
        let target = |t: &'static str| vec![("target.type", t), ("format", STRING_FORMAT)];
        assert_eq!(
            convert_value(&target("Timestamp"), None, Value::Int64(MILLIS))?,
            (None, ts.clone())
        );
        assert_eq!(
            convert_value(&target("Date"), None, ts.clone())?,
            (None, Value::Date(DATE_DAYS))
        );
        assert_eq!(
            convert_value(&target("Time"), None, ts.clone())?,
            (None, Value::Time(TIME_MILLIS))
        );
        assert_eq!(
            convert_value(&target("unix"), None, ts.clone())?,
            (None, Value::Int64(MILLIS))
        );
        assert_eq!(
            convert_value(&target("string"), None, ts.clone())?,
            (None, Value::from(STRING))
        );
        assert_eq!(
            convert_value(&target("Timestamp"), None, Value::from(STRING))?,
            (None, ts)
        );
        assert_eq!(
            convert_value(&target("unix"), None, Value::Null)?,
            (None, Value::Null)
        );
        Ok(())
    }

    #[test]
    fn with_schema_whole_value() -> Result<(), ConnectError> {
        let (schema, value) = convert_value(
            &[("target.type", "Date")],
            Some(Timestamp::builder().optional().build()?),
            Value::Timestamp(MILLIS),
        )?;
        assert_eq!(schema, Some(Date::builder().optional().build()?));
        assert_eq!(value, Value::Date(DATE_DAYS));

        let (schema, value) = convert_value(
            &[("target.type", "Timestamp")],
            Some(Time::schema()),
            Value::Time(TIME_MILLIS),
        )?;
        assert_eq!(schema, Some(Timestamp::schema()));
        assert_eq!(value, Value::Timestamp(i64::from(TIME_MILLIS)));

        let (schema, value) = convert_value(
            &[("target.type", "string"), ("format", STRING_FORMAT)],
            Some(Date::schema()),
            Value::Date(DATE_DAYS),
        )?;
        assert_eq!(schema, Some(Schema::string()));
        assert_eq!(value, Value::from("2017 01 02 00 00 00 000"));

        // A null string needs no format to be converted.
        let (schema, value) = convert_value(
            &[("target.type", "unix")],
            Some(Schema::optional_string()),
            Value::Null,
        )?;
        assert_eq!(schema, Some(Schema::optional_int64()));
        assert_eq!(value, Value::Null);
        Ok(())
    }

    #[test]
    fn unix_precision() -> Result<(), ConnectError> {
        let cases = [
            ("seconds", MILLIS / 1000, (MILLIS / 1000) * 1000),
            ("milliseconds", MILLIS, MILLIS),
            ("microseconds", MILLIS * 1000, MILLIS),
            ("nanoseconds", MILLIS * 1_000_000, MILLIS),
        ];
        for (precision, unix, millis) in cases {
            let pairs = [("target.type", "Timestamp"), ("unix.precision", precision)];
            assert_eq!(
                convert_value(&pairs, Some(Schema::int64()), Value::Int64(unix))?.1,
                Value::Timestamp(millis),
                "{precision}"
            );
            let pairs = [("target.type", "unix"), ("unix.precision", precision)];
            assert_eq!(
                convert_value(&pairs, None, Value::Timestamp(MILLIS))?.1,
                Value::Int64(unix),
                "{precision}"
            );
        }
        // Sub-millisecond digits are truncated toward zero, as Java's TimeUnit does.
        let pairs = [
            ("target.type", "Timestamp"),
            ("unix.precision", "microseconds"),
        ];
        assert_eq!(
            convert_value(&pairs, None, Value::Int64(-1_500))?.1,
            Value::Timestamp(-1)
        );
        Ok(())
    }

    #[test]
    fn field_in_struct_and_map() -> Result<(), ConnectError> {
        let schema = SchemaBuilder::struct_()
            .name("rec")
            .field("ts", Schema::int64())
            .field(
                "other",
                SchemaBuilder::string()
                    .optional()
                    .default_value(Value::from("d"))
                    .build()?,
            )
            .build()?;
        let mut value = Struct::new(schema.clone())?;
        value.put("ts", MILLIS)?;
        let pairs = [("field", "ts"), ("target.type", "Timestamp")];
        let (out_schema, out) =
            convert_value(&pairs, Some(schema.clone()), Value::Struct(value.clone()))?;
        let out_schema = out_schema.expect("schema");
        assert_eq!(out_schema.name(), Some("rec"));
        assert_eq!(
            out_schema.field("ts")?.map(|f| f.schema().clone()),
            Some(Timestamp::schema())
        );
        let Value::Struct(out) = out else {
            panic!("struct expected")
        };
        assert_eq!(out.get("ts")?, &Value::Timestamp(MILLIS));
        assert_eq!(out.get_without_default("other")?, &Value::from("d"));

        let mut pairs = pairs.to_vec();
        pairs.push(("replace.null.with.default", "false"));
        let (_, out) = convert_value(&pairs, Some(schema.clone()), Value::Struct(value))?;
        let Value::Struct(out) = out else {
            panic!("struct expected")
        };
        assert_eq!(out.get_without_default("other")?, &Value::Null);

        let (out_schema, out) = convert_value(&pairs, Some(schema), Value::Null)?;
        assert!(out_schema.is_some());
        assert_eq!(out, Value::Null);

        let (_, out) = convert_value(
            &[("field", "ts"), ("target.type", "Date")],
            None,
            map(&[("ts", Value::Int64(MILLIS)), ("x", Value::Int32(1))]),
        )?;
        assert_eq!(
            out,
            map(&[("ts", Value::Date(DATE_DAYS)), ("x", Value::Int32(1))])
        );
        Ok(())
    }

    #[test]
    fn key_side() -> Result<(), ConnectError> {
        let t = configured(Side::Key, &[("target.type", "Timestamp")])?;
        let record = source(None, Value::from("v")).with_key(None, Value::Int64(MILLIS));
        let out = t.apply(record)?.expect("kept");
        assert_eq!(out.key, Value::Timestamp(MILLIS));
        assert_eq!(out.value, Value::from("v"));
        Ok(())
    }

    #[test]
    fn data_errors() -> Result<(), ConnectError> {
        let err = |pairs: &[(&str, &str)], schema: Option<Schema>, value: Value| {
            convert_value(pairs, schema, value)
                .map(|_| ())
                .map_err(|e| e.to_string())
                .expect_err("must fail")
        };
        let string = [("target.type", "Timestamp"), ("format", "yyyy-MM-dd")];
        assert_eq!(
            err(&string, None, Value::from("2017/01/02")),
            "Could not parse timestamp: value (2017/01/02) does not match pattern (yyyy-MM-dd)"
        );
        assert_eq!(
            err(&string, None, Value::Int32(5)),
            "TimestampConverter does not support class java.lang.Integer objects as timestamps"
        );
        assert_eq!(
            err(&string, Some(Schema::int32()), Value::Int32(5)),
            "Schema Schema{INT32} does not correspond to a known timestamp type format"
        );
        assert_eq!(
            err(&string, Some(Timestamp::schema()), Value::Int64(5)),
            "Expected Timestamp to be a java.util.Date, but found class java.lang.Long"
        );
        assert_eq!(
            err(&string, Some(Schema::int64()), Value::from("x")),
            "Expected Unix timestamp to be a Long, but found class java.lang.String"
        );
        assert_eq!(
            err(&[("field", "f"), ("target.type", "Date")], None, Value::Int64(1)),
            "Only Map objects supported in absence of schema for [converting timestamp formats], found: java.lang.Long"
        );
        Ok(())
    }

    #[test]
    fn config_errors() {
        assert!(config_err(&[]).contains("Missing required configuration \"target.type\""));
        assert_eq!(
            config_err(&[("target.type", "invalid")]),
            "invalid configuration: Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp"
        );
        assert_eq!(
            config_err(&[("target.type", "string")]),
            "invalid configuration: TimestampConverter requires format option to be specified when using string timestamps"
        );
        assert_eq!(
            config_err(&[("target.type", "string"), ("format", FORMAT)]),
            "invalid configuration: TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: yyyy MM dd HH mm ss SSS z (Unsupported pattern 'z'; supported letters are yyyy, yy, MM, dd, HH, mm, ss, SSS (UTC))"
        );
        assert_eq!(
            config_err(&[("target.type", "unix"), ("unix.precision", "minutes")]),
            "invalid configuration: Invalid value minutes for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds"
        );
    }
}
