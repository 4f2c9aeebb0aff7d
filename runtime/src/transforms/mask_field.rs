//! `MaskField$Key` / `MaskField$Value`: replace fields with a type-appropriate "empty" value
//! (`0`, `0.0`, `false`, `""`, empty array/map) or with a configured replacement.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, ParsedValue, Validator};
use connect_api::data::{Decimal, Struct, Value};
use connect_api::ConnectError;

use super::util::{
    java_class_name, map_get, map_put, non_empty_list, require_map, require_struct, struct_get,
    Side,
};
use super::{ConnectRecord, Transformation};

const PURPOSE: &str = "mask fields";

/// Kafka's `MaskField`.
#[derive(Debug, Clone)]
pub struct MaskField {
    side: Side,
    fields: Vec<String>,
    replacement: Option<String>,
}

/// Kafka's `ConfigDef.NonEmptyString` (`String must be non-empty`); null is allowed.
fn non_empty_string() -> Validator {
    Validator::custom(|_, value| match value {
        Some(ParsedValue::String(s)) if s.is_empty() => Err("String must be non-empty".to_owned()),
        _ => Ok(()),
    })
}

/// Kafka's error for a replacement that does not parse as a number.
fn not_a_number(replacement: &str) -> ConnectError {
    ConnectError::data(format!(
        "Unable to convert {replacement} (class java.lang.String) to a number"
    ))
}

/// A number parsed from the replacement the way Kafka's `Values.parseString` reads numbers:
/// an integer when it is one, otherwise a floating-point value.
#[derive(Debug, Clone, Copy)]
enum Number {
    Integer(i128),
    Float(f64),
}

impl Number {
    fn parse(replacement: &str) -> Result<Self, ConnectError> {
        let s = replacement.trim();
        if let Ok(i) = s.parse::<i128>() {
            return Ok(Number::Integer(i));
        }
        let looks_numeric = s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
        match s.parse::<f64>() {
            Ok(f) if looks_numeric && !s.is_empty() => Ok(Number::Float(f)),
            _ => Err(not_a_number(replacement)),
        }
    }

    /// Java's `Number.longValue()` (saturating for floats, like `(long) double`).
    fn as_i64(self) -> i64 {
        match self {
            Number::Integer(i) => i as i64,
            Number::Float(f) => f as i64,
        }
    }

    /// Java's `Number.intValue()`: floats go through `(int) double`, integers truncate.
    fn as_i32(self) -> i32 {
        match self {
            Number::Integer(i) => i as i32,
            Number::Float(f) => f as i32,
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Number::Integer(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// Java's `new BigDecimal(String)`: `[+-]digits[.digits][(e|E)[+-]digits]`.
fn parse_decimal(replacement: &str) -> Result<Decimal, ConnectError> {
    let err = || not_a_number(replacement);
    let (mantissa, exponent) = match replacement.find(['e', 'E']) {
        Some(i) => (
            &replacement[..i],
            replacement[i + 1..].parse::<i32>().map_err(|_| err())?,
        ),
        None => (replacement, 0),
    };
    let (negative, digits) = match mantissa.as_bytes().first() {
        Some(b'-') => (true, &mantissa[1..]),
        Some(b'+') => (false, &mantissa[1..]),
        _ => (false, mantissa),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err());
    }
    let unscaled: i128 = format!("{int_part}{frac_part}")
        .parse()
        .map_err(|_| err())?;
    let scale = i32::try_from(frac_part.len())
        .ok()
        .and_then(|s| s.checked_sub(exponent))
        .ok_or_else(err)?;
    Ok(Decimal::new(
        if negative { -unscaled } else { unscaled },
        scale,
    ))
}

impl MaskField {
    /// An unconfigured transform for the key or the value.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            fields: Vec::new(),
            replacement: None,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new(
                    "fields",
                    ConfigType::List,
                    Importance::High,
                    "Names of fields to mask.",
                )
                .validator(non_empty_list()),
            )
            .define(
                ConfigKey::new(
                    "replacement",
                    ConfigType::String,
                    Importance::Low,
                    "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
                )
                .default_null()
                .validator(non_empty_string()),
            )
    }

    fn masked(&self, value: &Value) -> Result<Value, ConnectError> {
        match (value, &self.replacement) {
            (Value::Null, _) => Ok(Value::Null),
            (value, None) => mask_with_null_value(value),
            (value, Some(replacement)) => mask_with_custom_replacement(value, replacement),
        }
    }
}

/// Kafka's `maskWithNullValue` (`PRIMITIVE_VALUE_MAPPING` plus empty list/map). A decimal
/// keeps its scale so it still fits a `Decimal` schema.
fn mask_with_null_value(value: &Value) -> Result<Value, ConnectError> {
    Ok(match value {
        Value::Boolean(_) => Value::Boolean(false),
        Value::Int8(_) => Value::Int8(0),
        Value::Int16(_) => Value::Int16(0),
        Value::Int32(_) => Value::Int32(0),
        Value::Int64(_) => Value::Int64(0),
        Value::Float32(_) => Value::Float32(0.0),
        Value::Float64(_) => Value::Float64(0.0),
        Value::Decimal(d) => Value::Decimal(Decimal::new(0, d.scale())),
        Value::Date(_) => Value::Date(0),
        Value::Time(_) => Value::Time(0),
        Value::Timestamp(_) => Value::Timestamp(0),
        Value::String(_) => Value::String(String::new()),
        Value::Array(_) => Value::Array(Vec::new()),
        Value::Map(_) => Value::Map(Vec::new()),
        other => {
            return Err(ConnectError::data(format!(
                "Cannot mask value of type: class {}",
                java_class_name(other)
            )))
        }
    })
}

/// Kafka's `maskWithCustomReplacement` (`REPLACEMENT_MAPPING_FUNC`): numbers are parsed and
/// narrowed like Java's `Number.xxxValue()`, strings are used as is.
fn mask_with_custom_replacement(value: &Value, replacement: &str) -> Result<Value, ConnectError> {
    Ok(match value {
        Value::Int8(_) => Value::Int8(Number::parse(replacement)?.as_i32() as i8),
        Value::Int16(_) => Value::Int16(Number::parse(replacement)?.as_i32() as i16),
        Value::Int32(_) => Value::Int32(Number::parse(replacement)?.as_i32()),
        Value::Int64(_) => Value::Int64(Number::parse(replacement)?.as_i64()),
        Value::Float32(_) => Value::Float32(Number::parse(replacement)?.as_f64() as f32),
        Value::Float64(_) => Value::Float64(Number::parse(replacement)?.as_f64()),
        Value::String(_) => Value::String(replacement.to_owned()),
        Value::Decimal(_) => Value::Decimal(parse_decimal(replacement)?),
        other => {
            return Err(ConnectError::data(format!(
                "Cannot mask value of type class {} with custom replacement.",
                java_class_name(other)
            )))
        }
    })
}

impl<R: ConnectRecord> Transformation<R> for MaskField {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        let mut fields: Vec<String> = Vec::new();
        for f in config.get_list("fields")?.unwrap_or_default() {
            if !fields.contains(f) {
                fields.push(f.clone());
            }
        }
        self.fields = fields;
        self.replacement = config.get_string("replacement")?.map(str::to_owned);
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        match self.side.schema(&record) {
            None => {
                let value = require_map(self.side.value(&record), PURPOSE)?;
                let mut updated = value.to_vec();
                for field in &self.fields {
                    // Like Java's `HashMap.put`, a missing field is added with a null value.
                    map_put(&mut updated, field, self.masked(map_get(value, field))?);
                }
                Ok(Some(self.side.new_record(
                    &record,
                    None,
                    Value::Map(updated),
                )))
            }
            Some(schema) => {
                let value = require_struct(self.side.value(&record), PURPOSE)?;
                let mut updated = Struct::new(value.schema().clone())?;
                for field in value.schema().fields()? {
                    let orig = struct_get(value, field.name(), true)?;
                    let new = if self.fields.iter().any(|f| f == field.name()) {
                        self.masked(&orig)?
                    } else {
                        orig
                    };
                    updated.put(field.name(), new)?;
                }
                Ok(Some(self.side.new_record(
                    &record,
                    Some(schema.clone()),
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
    use connect_api::data::{Schema, SchemaBuilder};
    use connect_api::record::SinkRecord;

    fn configured(side: Side, pairs: &[(&str, &str)]) -> Result<MaskField, ConnectError> {
        let mut t = MaskField::new(side);
        Transformation::<SinkRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    fn all_types() -> Value {
        map(&[
            ("int8", Value::Int8(8)),
            ("int16", Value::Int16(16)),
            ("int32", Value::Int32(32)),
            ("int64", Value::Int64(64)),
            ("float32", Value::Float32(32.5)),
            ("float64", Value::Float64(64.5)),
            ("bool", Value::Boolean(true)),
            ("string", Value::from("secret")),
            ("date", Value::Date(3)),
            ("decimal", Value::Decimal(Decimal::new(12345, 2))),
            ("array", Value::Array(vec![Value::Int32(1)])),
            ("map", map(&[("k", Value::from("v"))])),
            ("keep", Value::from("kept")),
        ])
    }

    const ALL_FIELDS: &str =
        "int8,int16,int32,int64,float32,float64,bool,string,date,decimal,array,map";

    #[test]
    fn schemaless_null_values() -> Result<(), ConnectError> {
        let t = configured(Side::Value, &[("fields", ALL_FIELDS)])?;
        let out = t.apply(sink(None, all_types()))?.expect("kept");
        assert_eq!(
            out.value,
            map(&[
                ("int8", Value::Int8(0)),
                ("int16", Value::Int16(0)),
                ("int32", Value::Int32(0)),
                ("int64", Value::Int64(0)),
                ("float32", Value::Float32(0.0)),
                ("float64", Value::Float64(0.0)),
                ("bool", Value::Boolean(false)),
                ("string", Value::from("")),
                ("date", Value::Date(0)),
                ("decimal", Value::Decimal(Decimal::new(0, 2))),
                ("array", Value::Array(vec![])),
                ("map", Value::Map(vec![])),
                ("keep", Value::from("kept")),
            ])
        );
        Ok(())
    }

    #[test]
    fn schemaless_missing_field_becomes_null_and_null_stays_null() -> Result<(), ConnectError> {
        let t = configured(Side::Key, &[("fields", "a,missing")])?;
        let record = sink(None, Value::Null).with_key(None, map(&[("a", Value::Null)]));
        let out = t.apply(record)?.expect("kept");
        assert_eq!(
            out.key,
            map(&[("a", Value::Null), ("missing", Value::Null)])
        );
        Ok(())
    }

    #[test]
    fn custom_replacements() -> Result<(), ConnectError> {
        let mask = |value: Value, replacement: &str| -> Result<Value, ConnectError> {
            let t = configured(
                Side::Value,
                &[("fields", "f"), ("replacement", replacement)],
            )?;
            let out = t.apply(sink(None, map(&[("f", value)])))?.expect("kept");
            Ok(map_get(require_map(&out.value, "test")?, "f").clone())
        };
        assert_eq!(mask(Value::Int8(1), "123")?, Value::Int8(123));
        assert_eq!(mask(Value::Int8(1), "300")?, Value::Int8(44));
        assert_eq!(mask(Value::Int16(1), "-7")?, Value::Int16(-7));
        assert_eq!(mask(Value::Int32(1), "12.9")?, Value::Int32(12));
        assert_eq!(
            mask(Value::Int64(1), "9000000000")?,
            Value::Int64(9_000_000_000)
        );
        assert_eq!(mask(Value::Float32(1.0), "1.5")?, Value::Float32(1.5));
        assert_eq!(mask(Value::Float64(1.0), "2e3")?, Value::Float64(2000.0));
        assert_eq!(mask(Value::from("s"), "***")?, Value::from("***"));
        assert_eq!(
            mask(Value::Decimal(Decimal::new(1, 0)), "-12.50")?,
            Value::Decimal(Decimal::new(-1250, 2))
        );
        assert_eq!(mask(Value::Null, "x")?, Value::Null);

        let err = |value: Value, replacement: &str| {
            mask(value, replacement)
                .map_err(|e| e.to_string())
                .expect_err("must fail")
        };
        assert_eq!(
            err(Value::Int32(1), "foo"),
            "Unable to convert foo (class java.lang.String) to a number"
        );
        assert_eq!(
            err(Value::Decimal(Decimal::new(1, 0)), "1.2.3"),
            "Unable to convert 1.2.3 (class java.lang.String) to a number"
        );
        assert_eq!(
            err(Value::Boolean(true), "false"),
            "Cannot mask value of type class java.lang.Boolean with custom replacement."
        );
        assert_eq!(
            err(Value::Array(vec![]), "x"),
            "Cannot mask value of type class java.util.ArrayList with custom replacement."
        );
        Ok(())
    }

    #[test]
    fn with_schema() -> Result<(), ConnectError> {
        let schema = SchemaBuilder::struct_()
            .field("magic", Schema::int64())
            .field("name", Schema::optional_string())
            .field("flag", Schema::boolean())
            .field("other", Schema::int32())
            .build()?;
        let mut value = Struct::new(schema.clone())?;
        value.put("magic", 42i64)?;
        value.put("name", "x")?;
        value.put("flag", true)?;
        value.put("other", 7i32)?;
        let t = configured(Side::Value, &[("fields", "magic,name,flag")])?;
        let out = t
            .apply(sink(Some(schema.clone()), Value::Struct(value.clone())))?
            .expect("kept");
        assert_eq!(out.value_schema, Some(schema.clone()));
        let Value::Struct(s) = &out.value else {
            panic!("struct expected")
        };
        assert_eq!(s.get("magic")?, &Value::Int64(0));
        assert_eq!(s.get("name")?, &Value::from(""));
        assert_eq!(s.get("flag")?, &Value::Boolean(false));
        assert_eq!(s.get("other")?, &Value::Int32(7));

        let t = configured(Side::Value, &[("fields", "magic"), ("replacement", "99")])?;
        let out = t
            .apply(sink(Some(schema), Value::Struct(value)))?
            .expect("kept");
        let Value::Struct(s) = &out.value else {
            panic!("struct expected")
        };
        assert_eq!(s.get("magic")?, &Value::Int64(99));
        Ok(())
    }

    #[test]
    fn unsupported_values_and_config_errors() -> Result<(), ConnectError> {
        let t = configured(Side::Value, &[("fields", "b")])?;
        let err = t
            .apply(sink(None, map(&[("b", Value::Bytes(vec![1]))])))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(err, Err("Cannot mask value of type: class [B".to_owned()));
        let err = t
            .apply(sink(Some(Schema::int32()), Value::Int32(1)))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err(
                "Only Struct objects supported for [mask fields], found: java.lang.Integer"
                    .to_owned()
            )
        );
        let err = t
            .apply(sink(None, Value::Int32(1)))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Only Map objects supported in absence of schema for [mask fields], found: java.lang.Integer".to_owned())
        );

        let config_err = |pairs: &[(&str, &str)]| {
            configured(Side::Key, pairs)
                .map(|_| ())
                .map_err(|e| e.to_string())
                .expect_err("must fail")
        };
        assert_eq!(
            config_err(&[]),
            "invalid configuration: Missing required configuration \"fields\" which has no default value."
        );
        assert_eq!(
            config_err(&[("fields", "a"), ("replacement", "")]),
            "invalid configuration: Invalid value  for configuration replacement: String must be non-empty"
        );
        Ok(())
    }
}
