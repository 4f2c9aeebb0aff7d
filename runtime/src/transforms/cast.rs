//! `Cast$Key` / `Cast$Value`: cast fields, or the whole key/value, to another primitive type.
//!
//! Differences from Kafka: a single-type spec naming an unknown type is reported as
//! `Invalid type found in casting spec: …` (Kafka lets `Schema.Type.valueOf` throw); dates
//! cast to string are formatted in UTC (Kafka uses the JVM default time zone); the default of
//! a *struct* schema is dropped instead of failing; updated schemas are not cached.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{
    Decimal, Schema, SchemaBuilder, SchemaType, Struct, Value, DATE_LOGICAL_NAME, MILLIS_PER_DAY,
    TIMESTAMP_LOGICAL_NAME, TIME_LOGICAL_NAME,
};
use connect_api::ConnectError;

use super::util::{
    base64_encode, config_error, copy_schema_basics, java_class_name, java_f32_string,
    java_f64_string, map_get, map_put, require_map, require_struct, struct_get, Side, UtcDateTime,
};
use super::{ConnectRecord, Transformation};

const PURPOSE: &str = "cast types";

const SUPPORTED_INPUT: &str =
    "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]";
const SUPPORTED_OUTPUT: &str = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";

/// Kafka's `Cast`.
#[derive(Debug, Clone)]
pub struct Cast {
    side: Side,
    /// `(field, type)` casts of struct/map fields, in spec order.
    casts: Vec<(String, SchemaType)>,
    /// The type of a whole-value cast (a spec with a single type).
    whole_value: Option<SchemaType>,
}

/// Kafka's `Schema.Type.valueOf(name.toUpperCase())`.
fn schema_type_named(name: &str) -> Option<SchemaType> {
    Some(match name.to_ascii_uppercase().as_str() {
        "INT8" => SchemaType::Int8,
        "INT16" => SchemaType::Int16,
        "INT32" => SchemaType::Int32,
        "INT64" => SchemaType::Int64,
        "FLOAT32" => SchemaType::Float32,
        "FLOAT64" => SchemaType::Float64,
        "BOOLEAN" => SchemaType::Boolean,
        "STRING" => SchemaType::String,
        "BYTES" => SchemaType::Bytes,
        "ARRAY" => SchemaType::Array,
        "MAP" => SchemaType::Map,
        "STRUCT" => SchemaType::Struct,
        _ => return None,
    })
}

/// Java's `Schema.Type` enum constant name (`INT8`, `STRING`, ...).
fn type_name(t: SchemaType) -> String {
    format!("{t:?}").to_ascii_uppercase()
}

fn valid_output_type(t: SchemaType) -> Result<SchemaType, ConnectError> {
    if t.is_primitive() && t != SchemaType::Bytes {
        Ok(t)
    } else {
        Err(config_error(
            Some("spec"),
            format!(
                "Cast transformation does not support casting to {}; supported types are {SUPPORTED_OUTPUT}",
                type_name(t)
            ),
        ))
    }
}

/// Kafka's `parseFieldTypes`.
type ParsedSpec = (Vec<(String, SchemaType)>, Option<SchemaType>);

fn parse_field_types(mappings: &[String]) -> Result<ParsedSpec, ConnectError> {
    if mappings.is_empty() {
        return Err(config_error(
            Some("spec"),
            "Must specify at least one field to cast.",
        ));
    }
    let mut casts: Vec<(String, SchemaType)> = Vec::new();
    let mut whole = None;
    for mapping in mappings {
        // Java's `String.split(":")` drops trailing empty parts.
        let mut parts: Vec<&str> = mapping.split(':').collect();
        while parts.len() > 1 && parts.last() == Some(&"") {
            parts.pop();
        }
        match parts.as_slice() {
            [single] => {
                let t = schema_type_named(single.trim()).ok_or_else(|| {
                    config_error(
                        Some("spec"),
                        format!("Invalid type found in casting spec: {}", single.trim()),
                    )
                })?;
                whole = Some(valid_output_type(t)?);
            }
            [field, t] => {
                let t = schema_type_named(t.trim()).ok_or_else(|| {
                    config_error(
                        Some("spec"),
                        format!("Invalid type found in casting spec: {}", t.trim()),
                    )
                })?;
                let t = valid_output_type(t)?;
                let field = field.trim().to_owned();
                match casts.iter_mut().find(|(f, _)| *f == field) {
                    Some(entry) => entry.1 = t,
                    None => casts.push((field, t)),
                }
            }
            _ => {
                // Kafka reports this under ReplaceField's `renames` key.
                return Err(config_error(
                    Some("renames"),
                    format!(
                        "Invalid value [{}] for configuration renames: Invalid rename mapping: {mapping}",
                        mappings.join(", ")
                    ),
                ));
            }
        }
    }
    if whole.is_some() && mappings.len() > 1 {
        return Err(config_error(
            Some("spec"),
            "Cast transformations that specify a type to cast the entire value to may ony specify a single cast in their spec",
        ));
    }
    Ok((casts, whole))
}

/// `SchemaBuilder` of a cast output type (Kafka's `convertFieldType`).
fn builder_for(t: SchemaType) -> SchemaBuilder {
    match t {
        SchemaType::Int8 => SchemaBuilder::int8(),
        SchemaType::Int16 => SchemaBuilder::int16(),
        SchemaType::Int32 => SchemaBuilder::int32(),
        SchemaType::Int64 => SchemaBuilder::int64(),
        SchemaType::Float32 => SchemaBuilder::float32(),
        SchemaType::Float64 => SchemaBuilder::float64(),
        SchemaType::Boolean => SchemaBuilder::boolean(),
        _ => SchemaBuilder::string(),
    }
}

/// A numeric view of a value, as Java's `Number` (`byteValue()`, `longValue()`, ...).
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
    Decimal(Decimal),
}

impl Num {
    /// Java's `Number.longValue()`.
    fn long(self) -> i64 {
        match self {
            Num::Int(i) => i,
            Num::Float(f) => f as i64,
            Num::Decimal(d) => {
                // BigDecimal.longValue(): integer part, low 64 bits.
                let scale = d.scale();
                let unscaled = d.unscaled();
                let int_part = if scale >= 0 {
                    10i128
                        .checked_pow(scale.unsigned_abs())
                        .map_or(0, |p| unscaled / p)
                } else {
                    10i128
                        .checked_pow(scale.unsigned_abs())
                        .map_or(0, |p| unscaled.wrapping_mul(p))
                };
                int_part as i64
            }
        }
    }

    /// Java's `Number.intValue()`.
    fn int(self) -> i32 {
        match self {
            Num::Float(f) => f as i32,
            other => other.long() as i32,
        }
    }

    /// Java's `Number.floatValue()` (one rounding step, like `(float) long`).
    fn float(self) -> f32 {
        match self {
            Num::Int(i) => i as f32,
            other => other.double() as f32,
        }
    }

    /// Java's `Number.doubleValue()`.
    fn double(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
            Num::Decimal(d) => d.unscaled() as f64 / 10f64.powi(d.scale()),
        }
    }
}

/// Java's `BigDecimal.toString()`.
fn decimal_string(d: Decimal) -> String {
    let unscaled = d.unscaled();
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    let scale = i64::from(d.scale());
    let adjusted = digits.len() as i64 - 1 - scale;
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    if scale > 0 && adjusted >= -6 {
        let scale = scale as usize;
        return if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            format!("{sign}{int}.{frac}")
        } else {
            format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
        };
    }
    let (first, rest) = digits.split_at(1);
    let mantissa = if rest.is_empty() {
        first.to_owned()
    } else {
        format!("{first}.{rest}")
    };
    let exp_sign = if adjusted >= 0 { "+" } else { "" };
    format!("{sign}{mantissa}E{exp_sign}{adjusted}")
}

/// Kafka's `Values.dateFormatFor(date).format(date)`, in UTC.
fn date_string(epoch_millis: i64) -> String {
    let t = UtcDateTime::from_epoch_millis(epoch_millis);
    if epoch_millis < i64::from(MILLIS_PER_DAY) {
        format!(
            "{:02}:{:02}:{:02}.{:03}Z",
            t.hour, t.minute, t.second, t.millis
        )
    } else if epoch_millis % i64::from(MILLIS_PER_DAY) == 0 {
        format!("{:04}-{:02}-{:02}", t.year, t.month, t.day)
    } else {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
        )
    }
}

/// The epoch millis of a logical date/time value (`java.util.Date`).
fn logical_millis(value: &Value) -> Option<i64> {
    match value {
        Value::Date(days) => Some(i64::from(*days) * i64::from(MILLIS_PER_DAY)),
        Value::Time(ms) => Some(i64::from(*ms)),
        Value::Timestamp(ms) => Some(*ms),
        _ => None,
    }
}

fn unexpected(value: &Value) -> ConnectError {
    ConnectError::data(format!(
        "Unexpected type in Cast transformation: class {}",
        java_class_name(value)
    ))
}

fn out_of_range(text: &str) -> ConnectError {
    ConnectError::data(format!(
        "Value ({text}) was out of range for requested data type"
    ))
}

/// Kafka's `castValueToType`.
fn cast_value(
    schema: Option<&Schema>,
    value: &Value,
    target: SchemaType,
) -> Result<Value, ConnectError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let inferred = match schema {
        Some(s) => s.schema_type(),
        None => match value {
            Value::Int8(_) => SchemaType::Int8,
            Value::Int16(_) => SchemaType::Int16,
            Value::Int32(_) => SchemaType::Int32,
            Value::Int64(_) => SchemaType::Int64,
            Value::Float32(_) => SchemaType::Float32,
            Value::Float64(_) => SchemaType::Float64,
            Value::Boolean(_) => SchemaType::Boolean,
            Value::String(_) => SchemaType::String,
            Value::Bytes(_) => SchemaType::Bytes,
            Value::Array(_) => SchemaType::Array,
            Value::Map(_) => SchemaType::Map,
            Value::Struct(_) => SchemaType::Struct,
            other => {
                return Err(ConnectError::data(format!(
                    "Cast transformation was passed a value of type class {} which is not supported by Connect's data API",
                    java_class_name(other)
                )))
            }
        },
    };
    if !inferred.is_primitive() {
        return Err(ConnectError::data(format!(
            "Cast transformation does not support casting from {}; supported types are {SUPPORTED_INPUT}",
            type_name(inferred)
        )));
    }
    // Logical date/time values are encoded to their INT32/INT64 form unless cast to string.
    let encoded;
    let value = match (schema.and_then(Schema::name), target) {
        (Some(name), t) if t != SchemaType::String => {
            encoded = match (name, value) {
                (DATE_LOGICAL_NAME, Value::Date(days)) => Value::Int32(*days),
                (TIME_LOGICAL_NAME, Value::Time(ms)) => Value::Int32(*ms),
                (TIMESTAMP_LOGICAL_NAME, Value::Timestamp(ms)) => Value::Int64(*ms),
                (_, other) => other.clone(),
            };
            &encoded
        }
        _ => value,
    };
    if target == SchemaType::String {
        return Ok(Value::String(match value {
            Value::Int8(v) => v.to_string(),
            Value::Int16(v) => v.to_string(),
            Value::Int32(v) => v.to_string(),
            Value::Int64(v) => v.to_string(),
            Value::Float32(v) => java_f32_string(*v),
            Value::Float64(v) => java_f64_string(*v),
            Value::Boolean(v) => v.to_string(),
            Value::String(s) => s.clone(),
            Value::Bytes(b) => base64_encode(b),
            Value::Decimal(d) => decimal_string(*d),
            other => match logical_millis(other) {
                Some(ms) => date_string(ms),
                None => return Err(unexpected(other)),
            },
        }));
    }
    let num = match value {
        Value::Int8(v) => Some(Num::Int(i64::from(*v))),
        Value::Int16(v) => Some(Num::Int(i64::from(*v))),
        Value::Int32(v) => Some(Num::Int(i64::from(*v))),
        Value::Int64(v) => Some(Num::Int(*v)),
        Value::Float32(v) => Some(Num::Float(f64::from(*v))),
        Value::Float64(v) => Some(Num::Float(*v)),
        Value::Decimal(d) => Some(Num::Decimal(*d)),
        _ => None,
    };
    if let Some(num) = num {
        // A float32 source narrows exactly like Java's `Float.xxxValue()` via its f64 widening.
        return Ok(match target {
            SchemaType::Int8 => Value::Int8(num.int() as i8),
            SchemaType::Int16 => Value::Int16(num.int() as i16),
            SchemaType::Int32 => Value::Int32(num.int()),
            SchemaType::Int64 => Value::Int64(num.long()),
            SchemaType::Float32 => Value::Float32(num.float()),
            SchemaType::Float64 => Value::Float64(num.double()),
            _ => Value::Boolean(num.long() != 0),
        });
    }
    match value {
        Value::Boolean(b) => Ok(match target {
            SchemaType::Int8 => Value::Int8(i8::from(*b)),
            SchemaType::Int16 => Value::Int16(i16::from(*b)),
            SchemaType::Int32 => Value::Int32(i32::from(*b)),
            SchemaType::Int64 => Value::Int64(i64::from(*b)),
            SchemaType::Float32 => Value::Float32(if *b { 1.0 } else { 0.0 }),
            SchemaType::Float64 => Value::Float64(if *b { 1.0 } else { 0.0 }),
            _ => Value::Boolean(*b),
        }),
        Value::String(s) => {
            let t = s.as_str();
            Ok(match target {
                SchemaType::Int8 => Value::Int8(t.parse().map_err(|_| out_of_range(t))?),
                SchemaType::Int16 => Value::Int16(t.parse().map_err(|_| out_of_range(t))?),
                SchemaType::Int32 => Value::Int32(t.parse().map_err(|_| out_of_range(t))?),
                SchemaType::Int64 => Value::Int64(t.parse().map_err(|_| out_of_range(t))?),
                // Java's parseFloat/parseDouble ignore surrounding whitespace.
                SchemaType::Float32 => {
                    Value::Float32(t.trim().parse().map_err(|_| out_of_range(t))?)
                }
                SchemaType::Float64 => {
                    Value::Float64(t.trim().parse().map_err(|_| out_of_range(t))?)
                }
                _ => Value::Boolean(t.eq_ignore_ascii_case("true")),
            })
        }
        other => Err(unexpected(other)),
    }
}

impl Cast {
    /// An unconfigured transform for the key or the value.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            casts: Vec::new(),
            whole_value: None,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new().define(ConfigKey::new(
            "spec",
            ConfigType::List,
            Importance::High,
            "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.",
        ))
    }

    fn cast_for(&self, field: &str) -> Option<SchemaType> {
        self.casts.iter().find(|(f, _)| f == field).map(|(_, t)| *t)
    }

    /// Kafka's `getOrBuildSchema`.
    fn updated_schema(&self, schema: &Schema) -> Result<Schema, ConnectError> {
        let mut builder = match self.whole_value {
            Some(t) => copy_schema_basics(schema, builder_for(t)),
            None => {
                let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
                for field in schema.fields()? {
                    let field_schema = field.schema();
                    match self.cast_for(field.name()) {
                        Some(t) => {
                            let mut fb = builder_for(t);
                            if field_schema.is_optional() {
                                fb = fb.optional();
                            }
                            if let Some(default) = field_schema.default_value() {
                                fb = fb.default_value(cast_value(Some(field_schema), default, t)?);
                            }
                            builder = builder.field(field.name(), fb.build()?);
                        }
                        None => builder = builder.field(field.name(), field_schema.clone()),
                    }
                }
                builder
            }
        };
        if schema.is_optional() {
            builder = builder.optional();
        }
        if let (Some(default), Some(t)) = (schema.default_value(), self.whole_value) {
            builder = builder.default_value(cast_value(Some(schema), default, t)?);
        }
        builder.build()
    }
}

impl<R: ConnectRecord> Transformation<R> for Cast {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        let (casts, whole) = parse_field_types(config.get_list("spec")?.unwrap_or_default())?;
        self.casts = casts;
        self.whole_value = whole;
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let value = self.side.value(&record);
        if value.is_null() {
            return Ok(Some(record));
        }
        match self.side.schema(&record) {
            None => {
                if let Some(t) = self.whole_value {
                    let cast = cast_value(None, value, t)?;
                    return Ok(Some(self.side.new_record(&record, None, cast)));
                }
                let entries = require_map(value, PURPOSE)?;
                let mut updated = entries.to_vec();
                for (field, t) in &self.casts {
                    let cast = cast_value(None, map_get(entries, field), *t)?;
                    map_put(&mut updated, field, cast);
                }
                Ok(Some(self.side.new_record(
                    &record,
                    None,
                    Value::Map(updated),
                )))
            }
            Some(schema) => {
                let updated_schema = self.updated_schema(schema)?;
                if let Some(t) = self.whole_value {
                    let cast = cast_value(Some(schema), value, t)?;
                    return Ok(Some(self.side.new_record(
                        &record,
                        Some(updated_schema),
                        cast,
                    )));
                }
                let value = require_struct(value, PURPOSE)?;
                let mut updated = Struct::new(updated_schema.clone())?;
                for field in value.schema().fields()? {
                    let orig = struct_get(value, field.name(), true)?;
                    let new = match self.cast_for(field.name()) {
                        Some(t) => cast_value(Some(field.schema()), &orig, t)?,
                        None => orig,
                    };
                    updated.put(field.name(), new)?;
                }
                Ok(Some(self.side.new_record(
                    &record,
                    Some(updated_schema),
                    Value::Struct(updated),
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::Timestamp;
    use connect_api::record::SinkRecord;

    fn configured(side: Side, spec: &str) -> Result<Cast, ConnectError> {
        let mut t = Cast::new(side);
        Transformation::<SinkRecord>::configure(&mut t, &props(&[("spec", spec)]))?;
        Ok(t)
    }

    fn config_err(spec: &str) -> String {
        configured(Side::Value, spec)
            .map(|_| ())
            .map_err(|e| e.to_string())
            .expect_err("must fail")
    }

    fn whole(spec: &str, value: Value) -> Result<Value, ConnectError> {
        let t = configured(Side::Value, spec)?;
        Ok(t.apply(sink(None, value))?.expect("kept").value)
    }

    #[test]
    fn config_errors() {
        assert_eq!(
            config_err(""),
            "invalid configuration: Must specify at least one field to cast."
        );
        assert_eq!(
            config_err("foo:faketype"),
            "invalid configuration: Invalid type found in casting spec: faketype"
        );
        assert_eq!(
            config_err("foo:int8:extra"),
            "invalid configuration: Invalid value [foo:int8:extra] for configuration renames: Invalid rename mapping: foo:int8:extra"
        );
        assert_eq!(
            config_err("int8,foo:int16"),
            "invalid configuration: Cast transformations that specify a type to cast the entire value to may ony specify a single cast in their spec"
        );
        assert_eq!(
            config_err("foo:bytes"),
            "invalid configuration: Cast transformation does not support casting to BYTES; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
        );
        assert_eq!(
            config_err("array"),
            "invalid configuration: Cast transformation does not support casting to ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
        );
    }

    #[test]
    fn schemaless_whole_value() -> Result<(), ConnectError> {
        assert_eq!(whole("int8", Value::Int32(42))?, Value::Int8(42));
        assert_eq!(whole("int8", Value::Int32(300))?, Value::Int8(44));
        assert_eq!(whole("int16", Value::Float64(42.9))?, Value::Int16(42));
        assert_eq!(whole("int32", Value::Boolean(true))?, Value::Int32(1));
        assert_eq!(whole("int64", Value::from("42"))?, Value::Int64(42));
        assert_eq!(whole("float32", Value::Int32(42))?, Value::Float32(42.0));
        assert_eq!(whole("float64", Value::from("1.5"))?, Value::Float64(1.5));
        assert_eq!(whole("boolean", Value::Int32(0))?, Value::Boolean(false));
        assert_eq!(whole("boolean", Value::from("TRUE"))?, Value::Boolean(true));
        assert_eq!(whole("boolean", Value::from("yes"))?, Value::Boolean(false));
        assert_eq!(whole("string", Value::Float32(32.5))?, Value::from("32.5"));
        assert_eq!(
            whole("string", Value::Float64(1e10))?,
            Value::from("1.0E10")
        );
        assert_eq!(whole("string", Value::Boolean(true))?, Value::from("true"));
        assert_eq!(
            whole("string", Value::Bytes(b"foobar".to_vec()))?,
            Value::from("Zm9vYmFy")
        );
        Ok(())
    }

    #[test]
    fn schemaless_errors() {
        let err = |spec: &str, value: Value| {
            whole(spec, value)
                .map_err(|e| e.to_string())
                .expect_err("must fail")
        };
        assert_eq!(
            err("int8", Value::from("300")),
            "Value (300) was out of range for requested data type"
        );
        assert_eq!(
            err("int32", Value::Bytes(vec![1])),
            "Unexpected type in Cast transformation: class [B"
        );
        assert_eq!(
            err("int32", Value::Array(vec![])),
            "Cast transformation does not support casting from ARRAY; supported types are [INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
        );
        assert_eq!(
            err("string", Value::Timestamp(0)),
            "Cast transformation was passed a value of type class java.util.Date which is not supported by Connect's data API"
        );
        assert_eq!(
            err("foo:int8", Value::Int32(1)),
            "Only Map objects supported in absence of schema for [cast types], found: java.lang.Integer"
        );
    }

    #[test]
    fn schemaless_fields_and_null() -> Result<(), ConnectError> {
        let t = configured(Side::Key, "a:int8,b:string,missing:int32")?;
        let record = sink(None, Value::Null).with_key(
            None,
            map(&[
                ("a", Value::Int64(5)),
                ("b", Value::Int32(7)),
                ("c", Value::Int32(9)),
            ]),
        );
        let out = t.apply(record)?.expect("kept");
        assert_eq!(
            out.key,
            map(&[
                ("a", Value::Int8(5)),
                ("b", Value::from("7")),
                ("c", Value::Int32(9)),
                ("missing", Value::Null),
            ])
        );
        let out = t.apply(sink(None, Value::Null))?.expect("kept");
        assert_eq!(out.key, Value::Null, "null key passes unchanged");
        Ok(())
    }

    #[test]
    fn with_schema_fields() -> Result<(), ConnectError> {
        let schema = SchemaBuilder::struct_()
            .name("rec")
            .field("int64", Schema::int64())
            .field(
                "opt",
                SchemaBuilder::int32()
                    .optional()
                    .default_value(Value::Int32(7))
                    .build()?,
            )
            .field("ts", Timestamp::schema())
            .field("bool", Schema::boolean())
            .field("keep", Schema::string())
            .build()?;
        let mut value = Struct::new(schema.clone())?;
        value.put("int64", 42i64)?;
        value.put("ts", Value::Timestamp(1_709_214_330_123))?;
        value.put("bool", true)?;
        value.put("keep", "k")?;
        let t = configured(Side::Value, "int64:int8,opt:string,ts:int64,bool:float64")?;
        let out = t
            .apply(sink(Some(schema), Value::Struct(value)))?
            .expect("kept");
        let out_schema = out.value_schema.clone().expect("schema");
        assert_eq!(out_schema.name(), Some("rec"));
        let field_schema = |n: &str| -> Result<Schema, ConnectError> {
            Ok(out_schema.field(n)?.expect("field").schema().clone())
        };
        assert_eq!(field_schema("int64")?, Schema::int8());
        let opt = field_schema("opt")?;
        assert_eq!(opt.schema_type(), SchemaType::String);
        assert!(opt.is_optional());
        assert_eq!(opt.default_value(), Some(&Value::from("7")));
        assert_eq!(field_schema("ts")?, Schema::int64());
        assert_eq!(field_schema("keep")?, Schema::string());
        let Value::Struct(s) = &out.value else {
            panic!("struct expected")
        };
        assert_eq!(s.get("int64")?, &Value::Int8(42));
        assert_eq!(
            s.get("opt")?,
            &Value::from("7"),
            "default applied then cast"
        );
        assert_eq!(s.get("ts")?, &Value::Int64(1_709_214_330_123));
        assert_eq!(s.get("bool")?, &Value::Float64(1.0));
        assert_eq!(s.get("keep")?, &Value::from("k"));
        Ok(())
    }

    #[test]
    fn with_schema_whole_value() -> Result<(), ConnectError> {
        let t = configured(Side::Value, "string")?;
        let out = t
            .apply(sink(Some(Schema::optional_int64()), Value::Int64(42)))?
            .expect("kept");
        assert_eq!(out.value_schema, Some(Schema::optional_string()));
        assert_eq!(out.value, Value::from("42"));

        let t = configured(Side::Value, "int32")?;
        let err = t
            .apply(sink(Some(Schema::string()), Value::from("abc")))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Value (abc) was out of range for requested data type".to_owned())
        );
        let err = t
            .apply(sink(Some(simple_schema()), Value::Struct(simple_struct())))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(err.is_err(), "a struct cannot be cast to int32: {err:?}");
        Ok(())
    }

    #[test]
    fn logical_and_decimal_strings() {
        assert_eq!(date_string(0), "00:00:00.000Z");
        assert_eq!(date_string(86_400_000 * 19_782), "2024-02-29");
        assert_eq!(date_string(1_709_214_330_123), "2024-02-29T13:45:30.123Z");
        assert_eq!(decimal_string(Decimal::new(12345, 2)), "123.45");
        assert_eq!(decimal_string(Decimal::new(-5, 3)), "-0.005");
        assert_eq!(decimal_string(Decimal::new(5, 0)), "5");
        assert_eq!(decimal_string(Decimal::new(5, -2)), "5E+2");
        assert_eq!(decimal_string(Decimal::new(12, 10)), "1.2E-9");
        assert_eq!(Num::Decimal(Decimal::new(-12345, 2)).long(), -123);
    }
}
