//! `InsertField$Key` / `InsertField$Value`: insert record metadata and a static field.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::data::{Schema, SchemaBuilder, Struct, Timestamp, Value};
use connect_api::ConnectError;

use super::util::{
    copy_schema_basics, define_replace_null_with_default, map_put, require_map,
    require_sink_offset, require_struct, struct_get, Side, REPLACE_NULL_WITH_DEFAULT,
};
use super::{ConnectRecord, Transformation};

const PURPOSE: &str = "field insertion";
const OPTIONALITY_DOC: &str = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).";

/// A field name with its optionality (`name!` required, `name?` / `name` optional).
#[derive(Debug, Clone, PartialEq, Eq)]
struct InsertionSpec {
    name: String,
    optional: bool,
}

impl InsertionSpec {
    fn parse(spec: Option<&str>) -> Option<Self> {
        let spec = spec?;
        Some(if let Some(name) = spec.strip_suffix('?') {
            Self {
                name: name.to_owned(),
                optional: true,
            }
        } else if let Some(name) = spec.strip_suffix('!') {
            Self {
                name: name.to_owned(),
                optional: false,
            }
        } else {
            Self {
                name: spec.to_owned(),
                optional: true,
            }
        })
    }
}

/// Kafka's `InsertField`: adds topic, partition, offset (sink only), timestamp and a static
/// string field to a struct or schemaless map; tombstones pass through unchanged.
#[derive(Debug, Clone)]
pub struct InsertField {
    side: Side,
    topic_field: Option<InsertionSpec>,
    partition_field: Option<InsertionSpec>,
    offset_field: Option<InsertionSpec>,
    timestamp_field: Option<InsertionSpec>,
    static_field: Option<InsertionSpec>,
    static_value: Option<String>,
    replace_null_with_default: bool,
}

impl InsertField {
    /// An unconfigured transform for the key or the value.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            topic_field: None,
            partition_field: None,
            offset_field: None,
            timestamp_field: None,
            static_field: None,
            static_value: None,
            replace_null_with_default: true,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        let field = |name: &str, doc: &str| {
            ConfigKey::new(
                name,
                ConfigType::String,
                Importance::Medium,
                format!("{doc}\n{OPTIONALITY_DOC}"),
            )
            .default_null()
        };
        define_replace_null_with_default(
            ConfigDef::new()
                .define(field("topic.field", "Field name for Kafka topic."))
                .define(field("partition.field", "Field name for Kafka partition."))
                .define(field(
                    "offset.field",
                    "Field name for Kafka offset - only applicable to sink connectors.",
                ))
                .define(field("timestamp.field", "Field name for record timestamp."))
                .define(field("static.field", "Field name for static data field."))
                .define(
                    ConfigKey::new(
                        "static.value",
                        ConfigType::String,
                        Importance::Medium,
                        "Static field value, if field name configured.",
                    )
                    .default_null(),
                ),
        )
    }

    fn apply_schemaless<R: ConnectRecord>(&self, record: &R) -> Result<R, ConnectError> {
        let mut updated = require_map(self.side.value(record), PURPOSE)?.to_vec();
        if let Some(f) = &self.topic_field {
            map_put(&mut updated, &f.name, Value::from(record.topic()));
        }
        if let (Some(f), Some(p)) = (&self.partition_field, record.kafka_partition()) {
            map_put(&mut updated, &f.name, Value::Int32(p));
        }
        if let Some(f) = &self.offset_field {
            map_put(
                &mut updated,
                &f.name,
                Value::Int64(require_sink_offset(record, PURPOSE)?),
            );
        }
        if let (Some(f), Some(ts)) = (&self.timestamp_field, record.timestamp()) {
            map_put(&mut updated, &f.name, Value::Int64(ts));
        }
        if let (Some(f), Some(v)) = (&self.static_field, &self.static_value) {
            map_put(&mut updated, &f.name, Value::from(v.as_str()));
        }
        Ok(self.side.new_record(record, None, Value::Map(updated)))
    }

    fn updated_schema(&self, schema: &Schema) -> Result<Schema, ConnectError> {
        let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        for field in schema.fields()? {
            builder = builder.field(field.name(), field.schema().clone());
        }
        let pick = |spec: &InsertionSpec, optional: Schema, required: Schema| {
            if spec.optional {
                optional
            } else {
                required
            }
        };
        if let Some(f) = &self.topic_field {
            builder = builder.field(
                &f.name,
                pick(f, Schema::optional_string(), Schema::string()),
            );
        }
        if let Some(f) = &self.partition_field {
            builder = builder.field(&f.name, pick(f, Schema::optional_int32(), Schema::int32()));
        }
        if let Some(f) = &self.offset_field {
            builder = builder.field(&f.name, pick(f, Schema::optional_int64(), Schema::int64()));
        }
        if let Some(f) = &self.timestamp_field {
            let optional = Timestamp::builder().optional().build()?;
            builder = builder.field(&f.name, pick(f, optional, Timestamp::schema()));
        }
        if let Some(f) = &self.static_field {
            builder = builder.field(
                &f.name,
                pick(f, Schema::optional_string(), Schema::string()),
            );
        }
        builder.build()
    }

    fn apply_with_schema<R: ConnectRecord>(&self, record: &R) -> Result<R, ConnectError> {
        let value = require_struct(self.side.value(record), PURPOSE)?;
        let schema = self.updated_schema(value.schema())?;
        let mut updated = Struct::new(schema.clone())?;
        for field in value.schema().fields()? {
            updated.put(
                field.name(),
                struct_get(value, field.name(), self.replace_null_with_default)?,
            )?;
        }
        if let Some(f) = &self.topic_field {
            updated.put(&f.name, record.topic())?;
        }
        if let (Some(f), Some(p)) = (&self.partition_field, record.kafka_partition()) {
            updated.put(&f.name, p)?;
        }
        if let Some(f) = &self.offset_field {
            updated.put(&f.name, require_sink_offset(record, PURPOSE)?)?;
        }
        if let (Some(f), Some(ts)) = (&self.timestamp_field, record.timestamp()) {
            updated.put(&f.name, Value::Timestamp(ts))?;
        }
        if let (Some(f), Some(v)) = (&self.static_field, &self.static_value) {
            updated.put(&f.name, v.as_str())?;
        }
        Ok(self
            .side
            .new_record(record, Some(schema), Value::Struct(updated)))
    }
}

impl<R: ConnectRecord> Transformation<R> for InsertField {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.topic_field = InsertionSpec::parse(config.get_string("topic.field")?);
        self.partition_field = InsertionSpec::parse(config.get_string("partition.field")?);
        self.offset_field = InsertionSpec::parse(config.get_string("offset.field")?);
        self.timestamp_field = InsertionSpec::parse(config.get_string("timestamp.field")?);
        self.static_field = InsertionSpec::parse(config.get_string("static.field")?);
        self.static_value = config.get_string("static.value")?.map(str::to_owned);
        self.replace_null_with_default = config
            .get_boolean(REPLACE_NULL_WITH_DEFAULT)?
            .unwrap_or(true);
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        if self.side.value(&record).is_null() {
            Ok(Some(record))
        } else if self.side.schema(&record).is_none() {
            self.apply_schemaless(&record).map(Some)
        } else {
            self.apply_with_schema(&record).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::record::{SinkRecord, SourceRecord};

    fn configured(side: Side, pairs: &[(&str, &str)]) -> InsertField {
        let mut t = InsertField::new(side);
        Transformation::<SinkRecord>::configure(&mut t, &props(pairs)).expect("valid config");
        t
    }

    const ALL: &[(&str, &str)] = &[
        ("topic.field", "topic_field!"),
        ("partition.field", "partition_field"),
        ("offset.field", "offset_field?"),
        ("timestamp.field", "timestamp_field"),
        ("static.field", "instance_id"),
        ("static.value", "my-instance-id"),
    ];

    #[test]
    fn schemaful_value_insertion() -> Result<(), ConnectError> {
        let t = configured(Side::Value, ALL);
        let record = sink(Some(simple_schema()), Value::Struct(simple_struct()))
            .with_timestamp(1234, connect_api::record::TimestampType::CreateTime);
        let out = t.apply(record)?.expect("kept");
        let schema = out.value_schema.clone().expect("schema");
        assert_eq!(schema.name(), Some("name"));
        assert_eq!(schema.version(), Some(1));
        assert_eq!(schema.doc(), Some("doc"));
        let field = |n: &str| schema.field(n).ok().flatten().map(|f| f.schema().clone());
        assert_eq!(field("topic_field"), Some(Schema::string()));
        assert_eq!(field("partition_field"), Some(Schema::optional_int32()));
        assert_eq!(field("offset_field"), Some(Schema::optional_int64()));
        assert_eq!(
            field("timestamp_field")
                .and_then(|s| s.name().map(str::to_owned))
                .as_deref(),
            Some("org.apache.kafka.connect.data.Timestamp")
        );
        assert_eq!(field("instance_id"), Some(Schema::optional_string()));
        let Value::Struct(v) = &out.value else {
            panic!("struct expected")
        };
        assert_eq!(v.get("magic")?, &Value::Int64(42));
        assert_eq!(v.get("topic_field")?, &Value::from("test"));
        assert_eq!(v.get("partition_field")?, &Value::Int32(0));
        assert_eq!(v.get("offset_field")?, &Value::Int64(42));
        assert_eq!(v.get("timestamp_field")?, &Value::Timestamp(1234));
        assert_eq!(v.get("instance_id")?, &Value::from("my-instance-id"));
        Ok(())
    }

    #[test]
    fn schemaless_key_insertion() -> Result<(), ConnectError> {
        let t = configured(Side::Key, ALL);
        let record = sink(None, Value::Null)
            .with_key(None, map(&[("magic", Value::Int64(42))]))
            .with_timestamp(1234, connect_api::record::TimestampType::CreateTime);
        let out = t.apply(record)?.expect("kept");
        assert_eq!(
            out.key,
            map(&[
                ("magic", Value::Int64(42)),
                ("topic_field", Value::from("test")),
                ("partition_field", Value::Int32(0)),
                ("offset_field", Value::Int64(42)),
                ("timestamp_field", Value::Int64(1234)),
                ("instance_id", Value::from("my-instance-id")),
            ])
        );
        assert_eq!(out.value, Value::Null);
        Ok(())
    }

    #[test]
    fn tombstones_pass_through() -> Result<(), ConnectError> {
        let t = configured(Side::Value, ALL);
        let record = sink(Some(simple_schema()), Value::Null);
        assert_eq!(t.apply(record.clone())?, Some(record));
        Ok(())
    }

    #[test]
    fn offset_requires_sink_record() {
        let mut t = InsertField::new(Side::Value);
        Transformation::<SourceRecord>::configure(&mut t, &props(&[("offset.field", "off")]))
            .expect("valid");
        let err = t
            .apply(source(None, map(&[])))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord".to_owned())
        );
        let err = t
            .apply(source(Some(Schema::string()), Value::from("x")))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err(
                "Only Struct objects supported for [field insertion], found: java.lang.String"
                    .to_owned()
            )
        );
        let err = t
            .apply(source(None, Value::from("x")))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Only Map objects supported in absence of schema for [field insertion], found: java.lang.String".to_owned())
        );
    }

    #[test]
    fn source_record_without_partition_or_timestamp() -> Result<(), ConnectError> {
        let t = configured(
            Side::Value,
            &[
                ("partition.field", "p"),
                ("timestamp.field", "ts"),
                ("topic.field", "t"),
            ],
        );
        let mut record = source(None, map(&[]));
        record.kafka_partition = None;
        record.timestamp = None;
        let out = t.apply(record)?.expect("kept");
        assert_eq!(out.value, map(&[("t", Value::from("test"))]));
        Ok(())
    }
}
