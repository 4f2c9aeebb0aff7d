//! `SetSchemaMetadata$Key` / `SetSchemaMetadata$Value`: set the schema name and/or version.
//!
//! Everything else about the schema (type, optionality, default, doc, parameters, fields,
//! element schemas) is kept. A struct value is rebuilt against the renamed schema, since a
//! struct refers to its schema; other values (including tombstones) are kept as they are.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{Schema, SchemaBuilder, SchemaType, Struct, Value};
use connect_api::ConnectError;

use super::util::{
    config_error, define_replace_null_with_default, struct_get, Side, REPLACE_NULL_WITH_DEFAULT,
};
use super::{ConnectRecord, Transformation};

const SCHEMA_NAME: &str = "schema.name";
const SCHEMA_VERSION: &str = "schema.version";

/// Kafka's `SetSchemaMetadata`.
#[derive(Debug, Clone)]
pub struct SetSchemaMetadata {
    side: Side,
    schema_name: Option<String>,
    schema_version: Option<i32>,
    replace_null_with_default: bool,
}

impl SetSchemaMetadata {
    /// An unconfigured transform for the key or the value.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            schema_name: None,
            schema_version: None,
            replace_null_with_default: true,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        define_replace_null_with_default(
            ConfigDef::new()
                .define(
                    ConfigKey::new(
                        SCHEMA_NAME,
                        ConfigType::String,
                        Importance::High,
                        "Schema name to set.",
                    )
                    .default_null(),
                )
                .define(
                    ConfigKey::new(
                        SCHEMA_VERSION,
                        ConfigType::Int,
                        Importance::High,
                        "Schema version to set.",
                    )
                    .default_null(),
                ),
        )
    }

    /// Kafka's `new ConnectSchema(...)` with the configured name and version.
    fn updated_schema(&self, schema: &Schema) -> Result<Schema, ConnectError> {
        let mut builder = match schema.schema_type() {
            SchemaType::Array => SchemaBuilder::array(schema.value_schema()?.clone()),
            SchemaType::Map => {
                SchemaBuilder::map(schema.key_schema()?.clone(), schema.value_schema()?.clone())
            }
            other => SchemaBuilder::new(other),
        };
        if schema.is_optional() {
            builder = builder.optional();
        }
        if let Some(default) = schema.default_value() {
            builder = builder.default_value(default.clone());
        }
        if let Some(name) = self.schema_name.as_deref().or(schema.name()) {
            builder = builder.name(name);
        }
        if let Some(version) = self.schema_version.or(schema.version()) {
            builder = builder.version(version);
        }
        if let Some(doc) = schema.doc() {
            builder = builder.doc(doc);
        }
        for (k, v) in schema.parameters() {
            builder = builder.parameter(k.clone(), v.clone());
        }
        if schema.schema_type() == SchemaType::Struct {
            for field in schema.fields()? {
                builder = builder.field(field.name(), field.schema().clone());
            }
        }
        builder.build()
    }

    /// Kafka's `updateSchemaIn`: a struct is copied onto the updated schema.
    fn update_schema_in(&self, value: &Value, updated: &Schema) -> Result<Value, ConnectError> {
        let Value::Struct(original) = value else {
            return Ok(value.clone());
        };
        let mut renamed = Struct::new(updated.clone())?;
        for field in updated.fields()? {
            renamed.put(
                field.name(),
                struct_get(original, field.name(), self.replace_null_with_default)?,
            )?;
        }
        Ok(Value::Struct(renamed))
    }
}

impl<R: ConnectRecord> Transformation<R> for SetSchemaMetadata {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.schema_name = config.get_string(SCHEMA_NAME)?.map(str::to_owned);
        self.schema_version = config.get_int(SCHEMA_VERSION)?;
        if self.schema_name.is_none() && self.schema_version.is_none() {
            return Err(config_error(
                None,
                "Neither schema name nor version configured",
            ));
        }
        self.replace_null_with_default = config
            .get_boolean(REPLACE_NULL_WITH_DEFAULT)?
            .unwrap_or(true);
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let Some(schema) = self.side.schema(&record) else {
            return Err(ConnectError::data(
                "Schema required for [updating schema metadata]",
            ));
        };
        let updated = self.updated_schema(schema)?;
        let value = self.update_schema_in(self.side.value(&record), &updated)?;
        Ok(Some(self.side.new_record(&record, Some(updated), value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::Decimal;
    use connect_api::record::SinkRecord;

    fn configured(side: Side, pairs: &[(&str, &str)]) -> Result<SetSchemaMetadata, ConnectError> {
        let mut t = SetSchemaMetadata::new(side);
        Transformation::<SinkRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    #[test]
    fn name_and_version_on_struct_value() -> Result<(), ConnectError> {
        let t = configured(
            Side::Value,
            &[("schema.name", "foo"), ("schema.version", "42")],
        )?;
        let out = t
            .apply(sink(Some(simple_schema()), Value::Struct(simple_struct())))?
            .expect("kept");
        let schema = out.value_schema.expect("schema");
        assert_eq!(schema.name(), Some("foo"));
        assert_eq!(schema.version(), Some(42));
        assert_eq!(schema.doc(), Some("doc"));
        assert_eq!(schema.fields()?, simple_schema().fields()?);
        let Value::Struct(v) = out.value else {
            panic!("struct expected")
        };
        assert_eq!(v.schema(), &schema, "the struct refers to the new schema");
        assert_eq!(v.get("magic")?, &Value::Int64(42));
        assert_eq!(v.get("name")?, &Value::from("x"));
        Ok(())
    }

    #[test]
    fn only_version_on_key_keeps_name_and_other_properties() -> Result<(), ConnectError> {
        let t = configured(Side::Key, &[("schema.version", "7")])?;
        let key_schema = Decimal::builder(2).optional().doc("amount").build()?;
        let key = Value::Decimal(Decimal::new(1234, 2));
        let record = sink(None, Value::Null).with_key(Some(key_schema.clone()), key.clone());
        let out = t.apply(record)?.expect("kept");
        let schema = out.key_schema.expect("schema");
        assert_eq!(schema.name(), key_schema.name());
        assert_eq!(schema.version(), Some(7));
        assert!(schema.is_optional());
        assert_eq!(schema.doc(), Some("amount"));
        assert_eq!(schema.parameters(), key_schema.parameters());
        assert_eq!(out.key, key);
        Ok(())
    }

    #[test]
    fn containers_and_tombstones() -> Result<(), ConnectError> {
        let t = configured(Side::Value, &[("schema.name", "m")])?;
        let map_schema = SchemaBuilder::map(Schema::string(), Schema::int32())
            .optional()
            .build()?;
        let out = t
            .apply(sink(Some(map_schema.clone()), Value::Null))?
            .expect("kept");
        let schema = out.value_schema.expect("schema");
        assert_eq!(schema.name(), Some("m"));
        assert_eq!(schema.key_schema()?, map_schema.key_schema()?);
        assert_eq!(schema.value_schema()?, map_schema.value_schema()?);
        assert_eq!(out.value, Value::Null);

        let array = SchemaBuilder::array(Schema::string()).build()?;
        let value = Value::Array(vec![Value::from("a")]);
        let out = t.apply(sink(Some(array), value.clone()))?.expect("kept");
        assert_eq!(
            out.value_schema.map(|s| s.schema_type()),
            Some(SchemaType::Array)
        );
        assert_eq!(out.value, value);
        Ok(())
    }

    #[test]
    fn replace_null_with_default() -> Result<(), ConnectError> {
        let schema = SchemaBuilder::struct_()
            .field(
                "f",
                SchemaBuilder::int32()
                    .optional()
                    .default_value(Value::Int32(5))
                    .build()?,
            )
            .build()?;
        let value = Value::Struct(Struct::new(schema.clone())?);
        let get = |pairs: &[(&str, &str)]| -> Result<Value, ConnectError> {
            let out = configured(Side::Value, pairs)?
                .apply(sink(Some(schema.clone()), value.clone()))?
                .expect("kept");
            match out.value {
                Value::Struct(s) => Ok(s.get_without_default("f")?.clone()),
                other => Ok(other),
            }
        };
        assert_eq!(get(&[("schema.name", "n")])?, Value::Int32(5));
        assert_eq!(
            get(&[("schema.name", "n"), ("replace.null.with.default", "false")])?,
            Value::Null
        );
        Ok(())
    }

    #[test]
    fn errors() -> Result<(), ConnectError> {
        let err = configured(Side::Value, &[])
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("invalid configuration: Neither schema name nor version configured".to_owned())
        );
        assert!(configured(Side::Value, &[("schema.version", "x")]).is_err());
        let t = configured(Side::Value, &[("schema.name", "n")])?;
        let err = t
            .apply(sink(None, map(&[])))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Schema required for [updating schema metadata]".to_owned())
        );
        Ok(())
    }
}
