//! `Flatten$Key` / `Flatten$Value`: flatten nested structs (or schemaless maps) into one
//! level, joining field names with a delimiter.
//!
//! Like Kafka: tombstones pass through unchanged; arrays are kept as they are (not
//! flattened); a nested struct that is null contributes no values; with a schema, every
//! flattened field is optional when any of its ancestors is, and takes its default from the
//! field itself or else from the ancestor's default struct. Map fields are not supported in
//! schema'd records, nor structs or logical-type values inside schemaless maps.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{Schema, SchemaBuilder, SchemaType, Struct, Value};
use connect_api::ConnectError;

use super::util::{
    copy_schema_basics, copy_schema_basics_of, java_class_name, map_key, map_put, require_map,
    require_struct, Side,
};
use super::{ConnectRecord, Transformation};

const PURPOSE: &str = "flattening";
const DELIMITER: &str = "delimiter";

/// Kafka's `Flatten`.
#[derive(Debug, Clone)]
pub struct Flatten {
    side: Side,
    delimiter: String,
}

/// Whether a field of this type is copied as is (primitives and arrays).
fn is_leaf(schema_type: SchemaType) -> bool {
    schema_type.is_primitive() || schema_type == SchemaType::Array
}

fn unsupported_with_schema(schema_type: SchemaType, field: &str) -> ConnectError {
    ConnectError::data(format!(
        "Flatten transformation does not support {schema_type} for record with schemas (for field {field})."
    ))
}

impl Flatten {
    /// An unconfigured transform for the key or the value (delimiter `.`).
    pub fn new(side: Side) -> Self {
        Self {
            side,
            delimiter: ".".to_owned(),
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::new(
                DELIMITER,
                ConfigType::String,
                Importance::Medium,
                "Delimiter to insert between field names from the input record when generating field names for the output record",
            )
            .default_value("."),
        )
    }

    fn field_name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    fn flatten_map(
        &self,
        entries: &[(Value, Value)],
        prefix: &str,
        out: &mut Vec<(Value, Value)>,
    ) -> Result<(), ConnectError> {
        for (key, value) in entries {
            let Some(key) = map_key(key) else {
                return Err(ConnectError::data(format!(
                    "Flatten transformation requires string keys in maps without schemas, found: class {}",
                    java_class_name(key)
                )));
            };
            let name = self.field_name(prefix, key);
            match value {
                Value::Map(inner) => self.flatten_map(inner, &name, out)?,
                Value::Struct(_) => {
                    return Err(ConnectError::data(format!(
                        "Flatten transformation does not support class {} for record without schemas (for field {name}).",
                        java_class_name(value)
                    )))
                }
                Value::Decimal(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
                    return Err(ConnectError::data(format!(
                        "Flatten transformation was passed a value of type class {} which is not supported by Connect's data API",
                        java_class_name(value)
                    )))
                }
                // Null, primitives and arrays are kept as they are.
                other => map_put(out, &name, other.clone()),
            }
        }
        Ok(())
    }

    /// Adds the flattened fields of `schema` to `builder`; `optional` and `parent_default`
    /// come from the ancestors.
    fn build_updated_schema(
        &self,
        schema: &Schema,
        prefix: &str,
        mut builder: SchemaBuilder,
        optional: bool,
        parent_default: Option<&Struct>,
    ) -> Result<SchemaBuilder, ConnectError> {
        for field in schema.fields()? {
            let name = self.field_name(prefix, field.name());
            let field_schema = field.schema();
            let field_optional = optional || field_schema.is_optional();
            let default = match (field_schema.default_value(), parent_default) {
                (Some(default), _) => Some(default.clone()),
                (None, Some(parent)) => Some(parent.get(field.name())?.clone()),
                (None, None) => None,
            }
            .filter(|d| !d.is_null());
            let schema_type = field_schema.schema_type();
            if is_leaf(schema_type) {
                let mut converted = copy_schema_basics_of(field_schema)?;
                if field_optional {
                    converted = converted.optional();
                }
                if let Some(default) = default {
                    converted = converted.default_value(default);
                }
                builder = builder.field(name, converted.build()?);
            } else if schema_type == SchemaType::Struct {
                let nested_default = match &default {
                    Some(Value::Struct(s)) => Some(s),
                    _ => None,
                };
                builder = self.build_updated_schema(
                    field_schema,
                    &name,
                    builder,
                    field_optional,
                    nested_default,
                )?;
            } else {
                return Err(unsupported_with_schema(schema_type, &name));
            }
        }
        Ok(builder)
    }

    fn build_with_schema(
        &self,
        value: &Struct,
        prefix: &str,
        out: &mut Struct,
    ) -> Result<(), ConnectError> {
        for field in value.schema().fields()? {
            let name = self.field_name(prefix, field.name());
            let schema_type = field.schema().schema_type();
            if is_leaf(schema_type) {
                out.put(&name, value.get(field.name())?.clone())?;
            } else if schema_type == SchemaType::Struct {
                // A null nested struct leaves its flattened fields unset.
                if let Value::Struct(nested) = value.get(field.name())? {
                    self.build_with_schema(nested, &name, out)?;
                }
            } else {
                return Err(unsupported_with_schema(schema_type, &name));
            }
        }
        Ok(())
    }

    fn apply_schemaless<R: ConnectRecord>(&self, record: &R) -> Result<R, ConnectError> {
        let entries = require_map(self.side.value(record), PURPOSE)?;
        let mut flattened = Vec::with_capacity(entries.len());
        self.flatten_map(entries, "", &mut flattened)?;
        Ok(self.side.new_record(record, None, Value::Map(flattened)))
    }

    fn apply_with_schema<R: ConnectRecord>(
        &self,
        record: &R,
        schema: &Schema,
    ) -> Result<R, ConnectError> {
        let value = require_struct(self.side.value(record), PURPOSE)?;
        let parent_default = match schema.default_value() {
            Some(Value::Struct(s)) => Some(s),
            _ => None,
        };
        let builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        let updated_schema = self
            .build_updated_schema(schema, "", builder, schema.is_optional(), parent_default)?
            .build()?;
        let mut updated = Struct::new(updated_schema.clone())?;
        self.build_with_schema(value, "", &mut updated)?;
        Ok(self
            .side
            .new_record(record, Some(updated_schema), Value::Struct(updated)))
    }
}

impl<R: ConnectRecord> Transformation<R> for Flatten {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.delimiter = config.get_string(DELIMITER)?.unwrap_or(".").to_owned();
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        if self.side.value(&record).is_null() {
            return Ok(Some(record));
        }
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
    use connect_api::data::{Decimal, Timestamp};
    use connect_api::record::SourceRecord;

    fn configured(side: Side, pairs: &[(&str, &str)]) -> Flatten {
        let mut t = Flatten::new(side);
        Transformation::<SourceRecord>::configure(&mut t, &props(pairs)).expect("valid config");
        t
    }

    fn err(t: &Flatten, record: SourceRecord) -> String {
        t.apply(record)
            .map(|_| ())
            .map_err(|e| e.to_string())
            .expect_err("must fail")
    }

    fn supported_types() -> Result<(Schema, Struct), ConnectError> {
        let schema = SchemaBuilder::struct_()
            .field("int8", Schema::int8())
            .field("int16", Schema::int16())
            .field("int32", Schema::int32())
            .field("int64", Schema::int64())
            .field("float32", Schema::float32())
            .field("float64", Schema::float64())
            .field("boolean", Schema::boolean())
            .field("string", Schema::string())
            .field("bytes", Schema::bytes())
            .build()?;
        let mut s = Struct::new(schema.clone())?;
        s.put("int8", Value::Int8(8))?
            .put("int16", Value::Int16(16))?
            .put("int32", 32)?
            .put("int64", 64i64)?
            .put("float32", Value::Float32(32.0))?
            .put("float64", Value::Float64(64.0))?
            .put("boolean", true)?
            .put("string", "stringy")?
            .put("bytes", Value::Bytes(b"bytes".to_vec()))?;
        Ok((schema, s))
    }

    #[test]
    fn nested_struct() -> Result<(), ConnectError> {
        let (inner_schema, inner) = supported_types()?;
        let b_schema = SchemaBuilder::struct_().field("B", inner_schema).build()?;
        let a_schema = SchemaBuilder::struct_()
            .name("outer")
            .version(3)
            .field("A", b_schema.clone())
            .build()?;
        let mut b = Struct::new(b_schema)?;
        b.put("B", Value::Struct(inner))?;
        let mut a = Struct::new(a_schema.clone())?;
        a.put("A", Value::Struct(b))?;
        let t = configured(Side::Value, &[]);
        let out = t
            .apply(source(Some(a_schema), Value::Struct(a)))?
            .expect("kept");
        let schema = out.value_schema.expect("schema");
        assert_eq!(schema.name(), Some("outer"));
        assert_eq!(schema.version(), Some(3));
        assert_eq!(schema.fields()?.len(), 9);
        let Value::Struct(v) = out.value else {
            panic!("struct expected")
        };
        assert_eq!(v.get("A.B.int8")?, &Value::Int8(8));
        assert_eq!(v.get("A.B.float64")?, &Value::Float64(64.0));
        assert_eq!(v.get("A.B.string")?, &Value::from("stringy"));
        assert_eq!(v.get("A.B.bytes")?, &Value::Bytes(b"bytes".to_vec()));
        Ok(())
    }

    #[test]
    fn nested_map_with_delimiter_and_nulls() -> Result<(), ConnectError> {
        let t = configured(Side::Value, &[("delimiter", "#")]);
        let value = map(&[
            ("firstNull", Value::Null),
            (
                "A",
                map(&[(
                    "B",
                    map(&[
                        ("int8", Value::Int8(8)),
                        ("opt", Value::Null),
                        ("list", Value::Array(vec![map(&[("x", Value::Int32(1))])])),
                    ]),
                )]),
            ),
            ("last", Value::from("s")),
        ]);
        let out = t.apply(source(None, value))?.expect("kept");
        assert_eq!(out.value_schema, None);
        // Entries after a null are kept (Kafka before 2.x stopped at the first null).
        assert_eq!(
            out.value,
            map(&[
                ("firstNull", Value::Null),
                ("A#B#int8", Value::Int8(8)),
                ("A#B#opt", Value::Null),
                (
                    "A#B#list",
                    Value::Array(vec![map(&[("x", Value::Int32(1))])])
                ),
                ("last", Value::from("s")),
            ])
        );
        Ok(())
    }

    #[test]
    fn key_side() -> Result<(), ConnectError> {
        let t = configured(Side::Key, &[]);
        let record = source(None, Value::Int32(1))
            .with_key(None, map(&[("A", map(&[("B", Value::Int32(12))]))]));
        let out = t.apply(record)?.expect("kept");
        assert_eq!(out.key, map(&[("A.B", Value::Int32(12))]));
        assert_eq!(out.value, Value::Int32(1));
        Ok(())
    }

    #[test]
    fn optional_and_null_nested_structs() -> Result<(), ConnectError> {
        let inner = SchemaBuilder::struct_()
            .optional()
            .field("req", Schema::string())
            .field(
                "opt",
                SchemaBuilder::string()
                    .optional()
                    .default_value(Value::from("child_default"))
                    .build()?,
            )
            .build()?;
        let outer = SchemaBuilder::struct_()
            .field("B", inner)
            .field("n", Schema::int32())
            .build()?;
        let mut value = Struct::new(outer.clone())?;
        value.put("n", 7)?;
        let t = configured(Side::Value, &[]);
        let out = t
            .apply(source(Some(outer), Value::Struct(value)))?
            .expect("kept");
        let schema = out.value_schema.expect("schema");
        let field = |n: &str| schema.field(n).ok().flatten().map(|f| f.schema().clone());
        // Required below an optional struct becomes optional.
        assert_eq!(field("B.req"), Some(Schema::optional_string()));
        assert_eq!(
            field("B.opt"),
            Some(
                SchemaBuilder::string()
                    .optional()
                    .default_value(Value::from("child_default"))
                    .build()?
            )
        );
        assert_eq!(field("n"), Some(Schema::int32()));
        let Value::Struct(v) = out.value else {
            panic!("struct expected")
        };
        assert_eq!(v.get_without_default("B.req")?, &Value::Null);
        assert_eq!(v.get("B.opt")?, &Value::from("child_default"));
        assert_eq!(v.get("n")?, &Value::Int32(7));
        Ok(())
    }

    #[test]
    fn arrays_and_logical_types_are_kept_with_schema() -> Result<(), ConnectError> {
        let nested = SchemaBuilder::struct_()
            .field("lfg", Schema::string())
            .build()?;
        let array_schema = SchemaBuilder::array(nested.clone()).doc("durk").build()?;
        let schema = SchemaBuilder::struct_()
            .field("foo", array_schema)
            .field("amount", Decimal::schema(2))
            .field("at", Timestamp::schema())
            .build()?;
        let mut element = Struct::new(nested)?;
        element.put("lfg", "lfg")?;
        let mut value = Struct::new(schema.clone())?;
        value
            .put("foo", Value::Array(vec![Value::Struct(element)]))?
            .put("amount", Value::Decimal(Decimal::new(123, 2)))?
            .put("at", Value::Timestamp(5))?;
        let t = configured(Side::Value, &[]);
        let out = t
            .apply(source(Some(schema.clone()), Value::Struct(value.clone())))?
            .expect("kept");
        assert_eq!(out.value_schema, Some(schema));
        assert_eq!(out.value, Value::Struct(value));
        Ok(())
    }

    #[test]
    fn tombstones_pass_through() -> Result<(), ConnectError> {
        let t = configured(Side::Value, &[]);
        let record = source(None, Value::Null);
        assert_eq!(t.apply(record.clone())?, Some(record));
        let optional = SchemaBuilder::struct_()
            .optional()
            .field("x", Schema::optional_int32())
            .build()?;
        let record = source(Some(optional), Value::Null);
        assert_eq!(t.apply(record.clone())?, Some(record));
        Ok(())
    }

    #[test]
    fn unsupported_values() -> Result<(), ConnectError> {
        let t = configured(Side::Value, &[]);
        assert_eq!(
            err(&t, source(Some(Schema::int32()), Value::Int32(42))),
            "Only Struct objects supported for [flattening], found: java.lang.Integer"
        );
        assert_eq!(
            err(&t, source(None, Value::Int32(42))),
            "Only Map objects supported in absence of schema for [flattening], found: java.lang.Integer"
        );
        let map_schema = SchemaBuilder::struct_()
            .field(
                "m",
                SchemaBuilder::map(Schema::string(), Schema::string()).build()?,
            )
            .build()?;
        let mut value = Struct::new(map_schema.clone())?;
        value.put("m", Value::Map(vec![]))?;
        assert_eq!(
            err(&t, source(Some(map_schema), Value::Struct(value))),
            "Flatten transformation does not support MAP for record with schemas (for field m)."
        );
        assert_eq!(
            err(&t, source(None, map(&[("s", Value::Struct(simple_struct()))]))),
            "Flatten transformation does not support class org.apache.kafka.connect.data.Struct for record without schemas (for field s)."
        );
        assert_eq!(
            err(&t, source(None, map(&[("d", Value::Decimal(Decimal::new(1, 0)))]))),
            "Flatten transformation was passed a value of type class java.math.BigDecimal which is not supported by Connect's data API"
        );
        Ok(())
    }
}
