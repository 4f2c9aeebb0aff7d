//! `HoistField$Key` / `HoistField$Value`: wrap the key or value in a single-field struct/map.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{SchemaBuilder, Struct, Value};
use connect_api::ConnectError;

use super::util::Side;
use super::{ConnectRecord, Transformation};

/// Kafka's `HoistField`.
#[derive(Debug, Clone)]
pub struct HoistField {
    side: Side,
    field: String,
}

impl HoistField {
    /// An unconfigured transform for the key or the value.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            field: String::new(),
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new().define(ConfigKey::new(
            "field",
            ConfigType::String,
            Importance::Medium,
            "Field name for the single field that will be created in the resulting Struct or Map.",
        ))
    }
}

impl<R: ConnectRecord> Transformation<R> for HoistField {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.field = config.get_string("field")?.unwrap_or_default().to_owned();
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let value = self.side.value(&record).clone();
        Ok(Some(match self.side.schema(&record) {
            None => {
                let map = Value::Map(vec![(Value::from(self.field.as_str()), value)]);
                self.side.new_record(&record, None, map)
            }
            Some(schema) => {
                let updated_schema = SchemaBuilder::struct_()
                    .field(&self.field, schema.clone())
                    .build()?;
                let mut updated = Struct::new(updated_schema.clone())?;
                updated.put(&self.field, value)?;
                self.side
                    .new_record(&record, Some(updated_schema), Value::Struct(updated))
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::Schema;
    use connect_api::record::SinkRecord;

    fn configured(side: Side) -> HoistField {
        let mut t = HoistField::new(side);
        Transformation::<SinkRecord>::configure(&mut t, &props(&[("field", "magic")]))
            .expect("valid");
        t
    }

    #[test]
    fn schemaless_key() -> Result<(), ConnectError> {
        let record = sink(None, Value::Null).with_key(None, Value::Int32(42));
        let out = configured(Side::Key).apply(record)?.expect("kept");
        assert_eq!(out.key, map(&[("magic", Value::Int32(42))]));
        Ok(())
    }

    #[test]
    fn with_schema_value() -> Result<(), ConnectError> {
        let out = configured(Side::Value)
            .apply(sink(Some(Schema::int32()), Value::Int32(42)))?
            .expect("kept");
        let schema = out.value_schema.clone().expect("schema");
        assert_eq!(
            schema.field("magic")?.map(|f| f.schema().clone()),
            Some(Schema::int32())
        );
        let Value::Struct(s) = &out.value else {
            panic!("struct expected")
        };
        assert_eq!(s.get("magic")?, &Value::Int32(42));
        let err = configured(Side::Value)
            .apply(sink(Some(Schema::int32()), Value::from("x")))
            .map(|_| ());
        assert!(err.is_err());
        Ok(())
    }
}
