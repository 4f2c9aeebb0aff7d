//! `org.apache.kafka.connect.storage.SimpleHeaderConverter`, the default `header.converter`:
//! header values as UTF-8 strings in the format of Kafka's `Values.convertToString`, read
//! back with (a subset of) `Values.parseString`.
//!
//! Reading infers: `true`/`false` → `BOOLEAN`; whole numbers → the smallest of `INT8`,
//! `INT16`, `INT32`, `INT64` (`1.0` is `INT8`, as in Kafka); other numbers → `FLOAT32` when
//! finite as a float, else `FLOAT64`; whole numbers beyond `INT64` → `Decimal` with scale 0;
//! `yyyy-MM-dd` → `Date`, `HH:mm:ss.SSSZ` → `Time`, `yyyy-MM-dd'T'HH:mm:ss.SSSZ` →
//! `Timestamp`; anything else → `STRING`. Not parsed (read as `STRING`, where Kafka would
//! build `ARRAY`, `MAP` or `STRUCT`-less maps): `[…]` arrays and `{…}` maps, and quoted
//! strings inside them.

use std::collections::BTreeMap;

use connect_api::config::ConfigDef;
use connect_api::data::{Date, Decimal, Schema, Time, Timestamp, Value};
use connect_api::ConnectError;

use super::format::{
    base64_encode, iso_date, iso_time, iso_timestamp, java_big_decimal, java_double, java_float,
    parse_big_decimal, parse_iso_date, parse_iso_time, parse_iso_timestamp,
};
use super::SchemaAndValue;
use super::{converter_config_def, with_converter_type, ConverterType, HeaderConverter};

/// The default header converter; see the module documentation.
#[derive(Debug, Clone, Default)]
pub struct SimpleHeaderConverter;

impl SimpleHeaderConverter {
    /// A header converter; it has nothing to configure beyond `converter.type`.
    pub fn new() -> Self {
        Self
    }
}

impl HeaderConverter for SimpleHeaderConverter {
    fn config_def(&self) -> ConfigDef {
        converter_config_def()
    }

    fn configure(&mut self, configs: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        converter_config_def().parse(&with_converter_type(configs, ConverterType::Header))?;
        Ok(())
    }

    fn to_connect_header(
        &mut self,
        _topic: &str,
        _header_key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConnectError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        // Kafka falls back to the raw bytes when the value cannot be decoded.
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Ok(SchemaAndValue::new(
                Some(Schema::bytes()),
                Value::Bytes(bytes.to_vec()),
            ));
        };
        Ok(parse_string(text))
    }

    fn from_connect_header(
        &mut self,
        _topic: &str,
        _header_key: &str,
        _schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError> {
        if value.is_null() {
            return Ok(None);
        }
        let mut out = String::new();
        append(&mut out, value, false);
        Ok(Some(out.into_bytes()))
    }
}

/// Kafka's `Values.append`: containers as `[a,b]` and `{k:v}`, strings inside them quoted.
fn append(out: &mut String, value: &Value, embedded: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Int8(v) => out.push_str(&v.to_string()),
        Value::Int16(v) => out.push_str(&v.to_string()),
        Value::Int32(v) => out.push_str(&v.to_string()),
        Value::Int64(v) => out.push_str(&v.to_string()),
        Value::Float32(v) => out.push_str(&java_float(*v)),
        Value::Float64(v) => out.push_str(&java_double(*v)),
        Value::Boolean(v) => out.push_str(&v.to_string()),
        Value::Decimal(d) => out.push_str(&java_big_decimal(d)),
        Value::Date(days) => out.push_str(&iso_date(i64::from(*days))),
        Value::Time(ms) => out.push_str(&iso_time(i64::from(*ms))),
        Value::Timestamp(ms) => out.push_str(&iso_timestamp(*ms)),
        Value::String(s) if embedded => {
            out.push('"');
            out.push_str(&s.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
        }
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) if embedded => {
            out.push('"');
            out.push_str(&base64_encode(b));
            out.push('"');
        }
        Value::Bytes(b) => out.push_str(&base64_encode(b)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, item, true);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, k, true);
                out.push(':');
                append(out, v, true);
            }
            out.push('}');
        }
        Value::Struct(s) => {
            out.push('{');
            for (i, field) in s.schema().fields().unwrap_or(&[]).iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                append(out, &Value::String(field.name().to_owned()), true);
                out.push(':');
                append(out, s.get(field.name()).unwrap_or(&Value::Null), true);
            }
            out.push('}');
        }
    }
}

/// The supported subset of Kafka's `Values.parseString`.
fn parse_string(text: &str) -> SchemaAndValue {
    let string = || SchemaAndValue::new(Some(Schema::string()), Value::String(text.to_owned()));
    let token = text.trim();
    match token {
        "" => return string(),
        "true" => return SchemaAndValue::new(Some(Schema::boolean()), Value::Boolean(true)),
        "false" => return SchemaAndValue::new(Some(Schema::boolean()), Value::Boolean(false)),
        _ => {}
    }
    if token.starts_with(|c: char| c.is_ascii_digit()) {
        if let Some(days) = parse_iso_date(token).and_then(|d| i32::try_from(d).ok()) {
            return SchemaAndValue::new(Some(Date::schema()), Value::Date(days));
        }
        if let Some(ms) = parse_iso_time(token).and_then(|t| i32::try_from(t).ok()) {
            return SchemaAndValue::new(Some(Time::schema()), Value::Time(ms));
        }
        if let Some(ms) = parse_iso_timestamp(token) {
            return SchemaAndValue::new(Some(Timestamp::schema()), Value::Timestamp(ms));
        }
    }
    let looks_numeric = token.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    if !looks_numeric {
        return string();
    }
    match parse_big_decimal(token) {
        Some(decimal) => parse_number(decimal, token).unwrap_or_else(string),
        None => string(),
    }
}

/// Kafka's number inference: exact integers as the narrowest integer type, otherwise a
/// float when the value has a fraction, otherwise a scale-0 `Decimal`.
fn parse_number(decimal: Decimal, token: &str) -> Option<SchemaAndValue> {
    if let Some(integral) = whole_number(decimal) {
        return Some(if let Ok(v) = i8::try_from(integral) {
            SchemaAndValue::new(Some(Schema::int8()), Value::Int8(v))
        } else if let Ok(v) = i16::try_from(integral) {
            SchemaAndValue::new(Some(Schema::int16()), Value::Int16(v))
        } else if let Ok(v) = i32::try_from(integral) {
            SchemaAndValue::new(Some(Schema::int32()), Value::Int32(v))
        } else if let Ok(v) = i64::try_from(integral) {
            SchemaAndValue::new(Some(Schema::int64()), Value::Int64(v))
        } else {
            let decimal = Decimal::new(integral, 0);
            SchemaAndValue::new(Some(Decimal::schema(0)), Value::Decimal(decimal))
        });
    }
    if decimal.scale() != 0 {
        if let Ok(f) = token.parse::<f32>() {
            if f.is_finite() {
                return Some(SchemaAndValue::new(
                    Some(Schema::float32()),
                    Value::Float32(f),
                ));
            }
        }
        if let Ok(d) = token.parse::<f64>() {
            if d.is_finite() {
                return Some(SchemaAndValue::new(
                    Some(Schema::float64()),
                    Value::Float64(d),
                ));
            }
        }
    }
    let scale = decimal.scale();
    Some(SchemaAndValue::new(
        Some(Decimal::schema(scale)),
        Value::Decimal(decimal),
    ))
}

/// The value as an integer when it has no fractional part.
fn whole_number(decimal: Decimal) -> Option<i128> {
    let scale = decimal.scale();
    if scale <= 0 {
        return 10i128
            .checked_pow(scale.unsigned_abs())
            .and_then(|f| decimal.unscaled().checked_mul(f));
    }
    let divisor = 10i128.checked_pow(scale.unsigned_abs())?;
    (decimal.unscaled() % divisor == 0).then(|| decimal.unscaled() / divisor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::data::{SchemaBuilder, Struct};
    use proptest::prelude::*;

    fn write(value: Value) -> Option<String> {
        SimpleHeaderConverter
            .from_connect_header("t", "h", None, &value)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn read(text: &str) -> SchemaAndValue {
        SimpleHeaderConverter
            .to_connect_header("t", "h", Some(text.as_bytes()))
            .unwrap_or(SchemaAndValue::NULL)
    }

    #[test]
    fn writes_values_format() -> Result<(), ConnectError> {
        assert_eq!(write(Value::from("a \"b\"")).as_deref(), Some("a \"b\""));
        assert_eq!(write(Value::Float64(2.5)).as_deref(), Some("2.5"));
        assert_eq!(write(Value::Bytes(vec![1, 2, 3])).as_deref(), Some("AQID"));
        assert_eq!(write(Value::Date(19_000)).as_deref(), Some("2022-01-08"));
        assert_eq!(write(Value::Time(1)).as_deref(), Some("00:00:00.001Z"));
        assert_eq!(
            write(Value::Timestamp(0)).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(
            write(Value::Array(vec![Value::from("x"), Value::Int32(1)])).as_deref(),
            Some("[\"x\",1]")
        );
        assert_eq!(
            write(Value::Map(vec![(Value::from("k"), Value::Boolean(true))])).as_deref(),
            Some("{\"k\":true}")
        );
        let schema = SchemaBuilder::struct_()
            .field("a", Schema::string())
            .build()?;
        let mut s = Struct::new(schema)?;
        s.put("a", "v")?;
        assert_eq!(write(Value::Struct(s)).as_deref(), Some("{\"a\":\"v\"}"));
        assert_eq!(write(Value::Null), None);
        Ok(())
    }

    #[test]
    fn reads_primitives_like_values_parse_string() {
        let cases = [
            ("true", Schema::boolean(), Value::Boolean(true)),
            ("12", Schema::int8(), Value::Int8(12)),
            ("1.0", Schema::int8(), Value::Int8(1)),
            ("300", Schema::int16(), Value::Int16(300)),
            ("-70000", Schema::int32(), Value::Int32(-70_000)),
            ("5000000000", Schema::int64(), Value::Int64(5_000_000_000)),
            ("2.5", Schema::float32(), Value::Float32(2.5)),
            ("1e300", Schema::int64(), Value::Null),
            ("2022-01-08", Date::schema(), Value::Date(19_000)),
            ("00:00:00.001Z", Time::schema(), Value::Time(1)),
            ("hello world", Schema::string(), Value::from("hello world")),
            ("", Schema::string(), Value::from("")),
            ("[1,2]", Schema::string(), Value::from("[1,2]")),
        ];
        for (text, schema, value) in cases {
            if value.is_null() {
                continue;
            }
            assert_eq!(
                read(text),
                SchemaAndValue::new(Some(schema), value),
                "{text}"
            );
        }
        assert_eq!(read("1e300").schema, Some(Schema::float64()));
        assert_eq!(
            read("99999999999999999999"),
            SchemaAndValue::new(
                Some(Decimal::schema(0)),
                Value::Decimal(Decimal::new(99_999_999_999_999_999_999, 0))
            )
        );
        let invalid = SimpleHeaderConverter.to_connect_header("t", "h", Some(&[0xFF]));
        assert_eq!(
            invalid.ok(),
            Some(SchemaAndValue::new(
                Some(Schema::bytes()),
                Value::Bytes(vec![0xFF])
            ))
        );
    }

    proptest! {
        #[test]
        fn primitives_round_trip(i in any::<i64>(), f in any::<f64>().prop_filter("finite", |f| f.abs() > 1e-30 && f.abs() < 1e30 && f.fract() != 0.0)) {
            let text = write(Value::Int64(i)).unwrap_or_default();
            prop_assert_eq!(read(&text).value, parse_number(Decimal::new(i.into(), 0), &text).map(|s| s.value).unwrap_or(Value::Null));
            let text = write(Value::Float64(f)).unwrap_or_default();
            let read_back = match read(&text).value {
                Value::Float32(v) => f64::from(v),
                Value::Float64(v) => v,
                _ => f64::NAN,
            };
            // Kafka prefers FLOAT32 whenever the float is finite, which may round.
            prop_assert!((read_back - f).abs() <= f.abs() * 1e-6);
        }
    }
}
