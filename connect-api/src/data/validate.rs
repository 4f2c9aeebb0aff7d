//! `validate_value`: Kafka's `ConnectSchema.validateValue`.

use super::logical::{self, MILLIS_PER_DAY};
use super::schema::{Schema, SchemaType};
use super::value::Value;
use crate::error::{ConnectError, Result};

/// Checks that `value` may be used with `schema`: `null` only for optional schemas, the
/// value kind matching the schema type (or its logical type, chosen by schema name), struct
/// schemas equal and all required struct fields set, array elements and map entries valid.
///
/// Error messages follow Kafka's, with "Java object"/class names replaced by value kinds,
/// e.g. `Invalid value for schema "org.apache.kafka.connect.data.Date" with type INT32:
/// found INT32 for value`.
pub fn validate_value(schema: &Schema, value: &Value) -> Result<()> {
    validate_field_value(None, schema, value)
}

/// [`validate_value`] for the value of field `field` (named in error messages).
pub fn validate_field_value(field: Option<&str>, schema: &Schema, value: &Value) -> Result<()> {
    let location = match field {
        Some(name) => format!("field: \"{name}\""),
        None => "value".to_owned(),
    };
    validate_at(schema, value, &location)
}

fn kind_matches(schema: &Schema, value: &Value) -> bool {
    match schema.name() {
        Some(logical::DECIMAL_LOGICAL_NAME) => return matches!(value, Value::Decimal(_)),
        Some(logical::DATE_LOGICAL_NAME) => return matches!(value, Value::Date(_)),
        Some(logical::TIME_LOGICAL_NAME) => return matches!(value, Value::Time(_)),
        Some(logical::TIMESTAMP_LOGICAL_NAME) => return matches!(value, Value::Timestamp(_)),
        _ => {}
    }
    matches!(
        (schema.schema_type(), value),
        (SchemaType::Int8, Value::Int8(_))
            | (SchemaType::Int16, Value::Int16(_))
            | (SchemaType::Int32, Value::Int32(_))
            | (SchemaType::Int64, Value::Int64(_))
            | (SchemaType::Float32, Value::Float32(_))
            | (SchemaType::Float64, Value::Float64(_))
            | (SchemaType::Boolean, Value::Boolean(_))
            | (SchemaType::String, Value::String(_))
            | (SchemaType::Bytes, Value::Bytes(_))
            | (SchemaType::Array, Value::Array(_))
            | (SchemaType::Map, Value::Map(_))
            | (SchemaType::Struct, Value::Struct(_))
    )
}

fn validate_at(schema: &Schema, value: &Value, location: &str) -> Result<()> {
    if value.is_null() {
        if schema.is_optional() {
            return Ok(());
        }
        return Err(ConnectError::Data(format!(
            "Invalid value: null used for required {location}, schema type: {}",
            schema.schema_type()
        )));
    }

    if !kind_matches(schema, value) {
        let mut message = "Invalid value for schema".to_owned();
        if let Some(name) = schema.name() {
            message.push_str(&format!(" \"{name}\""));
        }
        message.push_str(&format!(
            " with type {}: found {} for {location}",
            schema.schema_type(),
            value.kind_name()
        ));
        return Err(ConnectError::Data(message));
    }

    match value {
        Value::Struct(s) => {
            if s.schema() != schema {
                return Err(ConnectError::data("Struct schemas do not match."));
            }
            s.validate()
        }
        Value::Array(items) => {
            let element_location = format!("element of array {location}");
            let element_schema = schema.value_schema()?;
            items
                .iter()
                .try_for_each(|item| validate_at(element_schema, item, &element_location))
        }
        Value::Map(entries) => {
            let key_location = format!("key of map {location}");
            let value_location = format!("value of map {location}");
            let key_schema = schema.key_schema()?;
            let value_schema = schema.value_schema()?;
            entries.iter().try_for_each(|(k, v)| {
                validate_at(key_schema, k, &key_location)?;
                validate_at(value_schema, v, &value_location)
            })
        }
        // Time is ms-of-day; anything outside one day would carry a date part, which Kafka's
        // Time.fromLogical rejects with this message.
        Value::Time(ms) if !(0..MILLIS_PER_DAY).contains(ms) => Err(ConnectError::data(
            "Kafka Connect Time type should not have any date fields set to non-zero values.",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::logical::{Date, Decimal, Time, Timestamp};
    use crate::data::schema::SchemaBuilder;
    use crate::data::value::Struct;

    fn err(schema: &Schema, value: Value) -> String {
        match validate_value(schema, &value) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn primitives_accept_their_own_kind_only() {
        let cases: Vec<(Schema, Value)> = vec![
            (Schema::int8(), Value::Int8(1)),
            (Schema::int16(), Value::Int16(1)),
            (Schema::int32(), Value::Int32(1)),
            (Schema::int64(), Value::Int64(1)),
            (Schema::float32(), Value::Float32(1.5)),
            (Schema::float64(), Value::Float64(1.5)),
            (Schema::boolean(), Value::Boolean(true)),
            (Schema::string(), Value::from("s")),
            (Schema::bytes(), Value::Bytes(vec![1])),
        ];
        for (i, (schema, value)) in cases.iter().enumerate() {
            assert_eq!(err(schema, value.clone()), "ok", "{schema}");
            let (_, other) = &cases[(i + 1) % cases.len()];
            assert_eq!(
                err(schema, other.clone()),
                format!(
                    "Invalid value for schema with type {}: found {} for value",
                    schema.schema_type(),
                    other.kind_name()
                )
            );
        }
    }

    #[test]
    fn null_only_for_optional() {
        assert_eq!(err(&Schema::optional_string(), Value::Null), "ok");
        assert_eq!(
            err(&Schema::string(), Value::Null),
            "Invalid value: null used for required value, schema type: STRING"
        );
    }

    #[test]
    fn logical_types() -> Result<()> {
        let decimal = Decimal::schema(2);
        assert_eq!(err(&decimal, Value::Decimal(Decimal::new(12345, 2))), "ok");
        assert_eq!(
            err(&decimal, Value::Bytes(vec![1])),
            "Invalid value for schema \"org.apache.kafka.connect.data.Decimal\" with type BYTES: \
             found BYTES for value"
        );
        assert_eq!(err(&Date::schema(), Value::Date(19_000)), "ok");
        assert_eq!(
            err(&Date::schema(), Value::Int32(19_000)),
            "Invalid value for schema \"org.apache.kafka.connect.data.Date\" with type INT32: \
             found INT32 for value"
        );
        assert_eq!(err(&Time::schema(), Value::Time(1_000)), "ok");
        assert_eq!(
            err(&Time::schema(), Value::Time(MILLIS_PER_DAY)),
            "Kafka Connect Time type should not have any date fields set to non-zero values."
        );
        assert_eq!(
            err(&Time::schema(), Value::Time(-1)),
            err(&Time::schema(), Value::Time(MILLIS_PER_DAY))
        );
        assert_eq!(err(&Timestamp::schema(), Value::Timestamp(-5)), "ok");
        assert_eq!(
            err(&Timestamp::schema(), Value::Date(1)),
            "Invalid value for schema \"org.apache.kafka.connect.data.Timestamp\" with type \
             INT64: found Date for value"
        );
        // A plain INT32 schema does not accept logical values.
        assert_eq!(
            err(&Schema::int32(), Value::Date(1)),
            "Invalid value for schema with type INT32: found Date for value"
        );
        Ok(())
    }

    #[test]
    fn arrays_and_maps_are_checked_element_wise() -> Result<()> {
        let array = SchemaBuilder::array(Schema::int32()).build()?;
        assert_eq!(err(&array, Value::Array(vec![Value::Int32(1)])), "ok");
        assert_eq!(
            err(&array, Value::Array(vec![Value::Int32(1), Value::Null])),
            "Invalid value: null used for required element of array value, schema type: INT32"
        );
        let map = SchemaBuilder::map(Schema::string(), Schema::optional_int64()).build()?;
        assert_eq!(
            err(&map, Value::Map(vec![(Value::from("a"), Value::Null)])),
            "ok"
        );
        assert_eq!(
            err(&map, Value::Map(vec![(Value::Int8(1), Value::Null)])),
            "Invalid value for schema with type STRING: found INT8 for key of map value"
        );
        assert_eq!(
            err(&map, Value::Map(vec![(Value::from("a"), Value::Int32(1))])),
            "Invalid value for schema with type INT64: found INT32 for value of map value"
        );
        Ok(())
    }

    #[test]
    fn structs_need_equal_schemas_and_required_fields() -> Result<()> {
        let inner = SchemaBuilder::struct_()
            .name("inner")
            .field("x", Schema::int32())
            .build()?;
        let outer = SchemaBuilder::struct_()
            .field("inner", inner.clone())
            .field(
                "tags",
                SchemaBuilder::array(Schema::string()).optional().build()?,
            )
            .build()?;
        let mut value = Struct::new(inner.clone())?;
        assert_eq!(
            err(&inner, Value::Struct(value.clone())),
            "Invalid value: null used for required field: \"x\", schema type: INT32"
        );
        value.put("x", 1)?;
        assert_eq!(err(&inner, Value::Struct(value.clone())), "ok");
        let other = SchemaBuilder::struct_()
            .name("other")
            .field("x", Schema::int32())
            .build()?;
        assert_eq!(
            err(&other, Value::Struct(value.clone())),
            "Struct schemas do not match."
        );

        let mut o = Struct::new(outer.clone())?;
        o.put("inner", value)?;
        assert_eq!(
            o.put("tags", Value::Array(vec![Value::Int8(1)]))
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(
                "Invalid value for schema with type STRING: found INT8 for element of array \
                 field: \"tags\""
                    .to_owned()
            )
        );
        assert_eq!(err(&outer, Value::Struct(o)), "ok");
        Ok(())
    }
}
