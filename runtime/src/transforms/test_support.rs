//! Record and schema fixtures shared by the transform tests.

use std::collections::BTreeMap;

use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::record::{SinkRecord, SourceMap, SourceRecord};

/// A string-to-string property map.
pub(crate) fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A schemaless map value.
pub(crate) fn map(pairs: &[(&str, Value)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (Value::from(*k), v.clone()))
            .collect(),
    )
}

/// A source record with the given value, topic `test`, partition 0, timestamp 1000.
pub(crate) fn source(value_schema: Option<Schema>, value: Value) -> SourceRecord {
    SourceRecord::new(
        SourceMap::new(),
        SourceMap::new(),
        "test",
        value_schema,
        value,
    )
    .with_kafka_partition(0)
    .with_timestamp(1000)
}

/// A sink record with the given value, topic `test`, partition 0, offset 42.
pub(crate) fn sink(value_schema: Option<Schema>, value: Value) -> SinkRecord {
    SinkRecord::new("test", 0, 42, value_schema, value)
}

/// `{magic: int64, name: optional string}` named `name`, version 1.
pub(crate) fn simple_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("name")
        .version(1)
        .doc("doc")
        .field("magic", Schema::int64())
        .field("name", Schema::optional_string())
        .build()
        .expect("valid schema")
}

/// A `simple_schema` struct with `magic=42`, `name="x"`.
pub(crate) fn simple_struct() -> Struct {
    let mut s = Struct::new(simple_schema()).expect("struct schema");
    s.put("magic", 42i64).expect("valid");
    s.put("name", "x").expect("valid");
    s
}
