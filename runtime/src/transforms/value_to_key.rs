//! `ValueToKey`: replace the key with a struct or map of fields taken from the value.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{SchemaBuilder, Struct, Value};
use connect_api::ConnectError;

use super::util::{
    define_replace_null_with_default, map_get, non_empty_list, require_map, require_struct,
    struct_get, REPLACE_NULL_WITH_DEFAULT,
};
use super::{ConnectRecord, Transformation};

const PURPOSE: &str = "copying fields from value to key";

/// Kafka's `ValueToKey`.
#[derive(Debug, Clone, Default)]
pub struct ValueToKey {
    fields: Vec<String>,
    replace_null_with_default: bool,
}

impl ValueToKey {
    /// An unconfigured transform.
    pub fn new() -> Self {
        Self {
            fields: Vec::new(),
            replace_null_with_default: true,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        define_replace_null_with_default(
            ConfigDef::new().define(
                ConfigKey::new(
                    "fields",
                    ConfigType::List,
                    Importance::High,
                    "Field names on the record value to extract as the record key.",
                )
                .validator(non_empty_list()),
            ),
        )
    }
}

impl<R: ConnectRecord> Transformation<R> for ValueToKey {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.fields = config
            .get_list("fields")?
            .map(<[String]>::to_vec)
            .unwrap_or_default();
        self.replace_null_with_default = config
            .get_boolean(REPLACE_NULL_WITH_DEFAULT)?
            .unwrap_or(true);
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let (key_schema, key) = match record.value_schema() {
            None => {
                let value = require_map(record.value(), PURPOSE)?;
                let key = self
                    .fields
                    .iter()
                    .map(|f| (Value::from(f.as_str()), map_get(value, f).clone()))
                    .collect();
                (None, Value::Map(key))
            }
            Some(_) => {
                let value = require_struct(record.value(), PURPOSE)?;
                let mut builder = SchemaBuilder::struct_();
                for name in &self.fields {
                    let Some(field) = value.schema().field(name)? else {
                        return Err(ConnectError::data(format!("Field does not exist: {name}")));
                    };
                    builder = builder.field(name, field.schema().clone());
                }
                let schema = builder.build()?;
                let mut key = Struct::new(schema.clone())?;
                for name in &self.fields {
                    key.put(
                        name,
                        struct_get(value, name, self.replace_null_with_default)?,
                    )?;
                }
                (Some(schema), Value::Struct(key))
            }
        };
        Ok(Some(record.new_record(
            record.topic().to_owned(),
            record.kafka_partition(),
            key_schema,
            key,
            record.value_schema().cloned(),
            record.value().clone(),
            record.timestamp(),
            record.headers().clone(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::record::SourceRecord;

    fn configured(pairs: &[(&str, &str)]) -> Result<ValueToKey, ConnectError> {
        let mut t = ValueToKey::new();
        Transformation::<SourceRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    #[test]
    fn schemaless() -> Result<(), ConnectError> {
        let t = configured(&[("fields", "a,b")])?;
        let value = map(&[
            ("a", Value::Int32(1)),
            ("b", Value::Int32(2)),
            ("c", Value::Int32(3)),
        ]);
        let out = t.apply(source(None, value.clone()))?.expect("kept");
        assert_eq!(
            out.key,
            map(&[("a", Value::Int32(1)), ("b", Value::Int32(2))])
        );
        assert_eq!(out.value, value);
        Ok(())
    }

    #[test]
    fn with_schema_and_errors() -> Result<(), ConnectError> {
        let t = configured(&[("fields", "magic")])?;
        let out = t
            .apply(source(
                Some(simple_schema()),
                Value::Struct(simple_struct()),
            ))?
            .expect("kept");
        let Value::Struct(key) = &out.key else {
            panic!("struct expected")
        };
        assert_eq!(key.get("magic")?, &Value::Int64(42));
        let t = configured(&[("fields", "missing")])?;
        let err = t
            .apply(source(
                Some(simple_schema()),
                Value::Struct(simple_struct()),
            ))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(err, Err("Field does not exist: missing".to_owned()));
        let err = configured(&[("fields", "")])
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err(
                "invalid configuration: Invalid value [] for configuration fields: Empty list"
                    .to_owned()
            )
        );
        let err = t
            .apply(source(None, Value::Null))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Only Map objects supported in absence of schema for [copying fields from value to key], found: null".to_owned())
        );
        Ok(())
    }
}
