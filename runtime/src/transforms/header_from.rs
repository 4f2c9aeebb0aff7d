//! `HeaderFrom$Key` / `HeaderFrom$Value`: copy or move fields of the key or value into
//! headers (KIP-145).
//!
//! The i-th entry of `fields` goes to the header named by the i-th entry of `headers`; a
//! field may feed several headers and several fields may feed one header name (headers are
//! always appended). With a schema the header carries the field's schema; without one it
//! has none. A missing schemaless field gives a null header.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::ConnectError;

use super::util::{
    config_error, copy_schema_basics, define_replace_null_with_default, map_get, non_empty_list,
    require_map, require_struct, struct_get, Side, REPLACE_NULL_WITH_DEFAULT,
};
use super::{ConnectRecord, Transformation};

const FIELDS: &str = "fields";
const HEADERS: &str = "headers";
const OPERATION: &str = "operation";

/// What happens to the field once its value is in a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    /// Removed from the key/value.
    Move,
    /// Kept in the key/value.
    Copy,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Move => "move",
            Operation::Copy => "copy",
        }
    }
}

/// Kafka's `HeaderFrom`.
#[derive(Debug, Clone)]
pub struct HeaderFrom {
    side: Side,
    fields: Vec<String>,
    headers: Vec<String>,
    operation: Operation,
    replace_null_with_default: bool,
}

impl HeaderFrom {
    /// An unconfigured transform for the key or the value.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            fields: Vec::new(),
            headers: Vec::new(),
            operation: Operation::Copy,
            replace_null_with_default: true,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        define_replace_null_with_default(
            ConfigDef::new()
                .define(
                    ConfigKey::new(
                        FIELDS,
                        ConfigType::List,
                        Importance::High,
                        "Field names in the record whose values are to be copied or moved to headers.",
                    )
                    .validator(non_empty_list()),
                )
                .define(
                    ConfigKey::new(
                        HEADERS,
                        ConfigType::List,
                        Importance::High,
                        "Header names, in the same order as the field names listed in the fields configuration property.",
                    )
                    .validator(non_empty_list()),
                )
                .define(
                    ConfigKey::new(
                        OPERATION,
                        ConfigType::String,
                        Importance::High,
                        "Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).",
                    )
                    .validator(Validator::one_of(["move", "copy"])),
                ),
        )
    }

    fn purpose(&self) -> String {
        format!("header {}", self.operation.name())
    }

    fn apply_schemaless<R: ConnectRecord>(&self, record: &R) -> Result<R, ConnectError> {
        let entries = require_map(self.side.value(record), &self.purpose())?;
        let mut headers = record.headers().clone();
        for (field, header) in self.fields.iter().zip(&self.headers) {
            headers.add(header.clone(), None, map_get(entries, field).clone())?;
        }
        let mut updated = entries.to_vec();
        if self.operation == Operation::Move {
            updated.retain(|(k, _)| !matches!(k, Value::String(s) if self.fields.contains(s)));
        }
        let mut out = self.side.new_record(record, None, Value::Map(updated));
        *out.headers_mut() = headers;
        Ok(out)
    }

    fn apply_with_schema<R: ConnectRecord>(
        &self,
        record: &R,
        schema: &Schema,
    ) -> Result<R, ConnectError> {
        let value = require_struct(self.side.value(record), &self.purpose())?;
        let mut headers = record.headers().clone();
        for (field, header) in self.fields.iter().zip(&self.headers) {
            let field_schema = schema
                .field(field)?
                .ok_or_else(|| ConnectError::data(format!("{field} is not a valid field name")))?
                .schema()
                .clone();
            let field_value = struct_get(value, field, self.replace_null_with_default)?;
            headers.add(header.clone(), Some(field_schema), field_value)?;
        }
        let mut out = match self.operation {
            Operation::Copy => {
                self.side
                    .new_record(record, Some(schema.clone()), Value::Struct(value.clone()))
            }
            Operation::Move => {
                let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
                for f in schema.fields()? {
                    if !self.fields.iter().any(|name| name == f.name()) {
                        builder = builder.field(f.name(), f.schema().clone());
                    }
                }
                let moved_schema = builder.build()?;
                let mut moved = Struct::new(moved_schema.clone())?;
                for f in moved_schema.fields()? {
                    moved.put(
                        f.name(),
                        struct_get(value, f.name(), self.replace_null_with_default)?,
                    )?;
                }
                self.side
                    .new_record(record, Some(moved_schema), Value::Struct(moved))
            }
        };
        *out.headers_mut() = headers;
        Ok(out)
    }
}

impl<R: ConnectRecord> Transformation<R> for HeaderFrom {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        let fields = config.get_list(FIELDS)?.unwrap_or_default().to_vec();
        let headers = config.get_list(HEADERS)?.unwrap_or_default().to_vec();
        if fields.len() != headers.len() {
            return Err(config_error(
                None,
                format!("'{FIELDS}' config must have the same number of elements as '{HEADERS}' config."),
            ));
        }
        self.operation = match config.get_string(OPERATION)? {
            Some("move") => Operation::Move,
            _ => Operation::Copy,
        };
        self.fields = fields;
        self.headers = headers;
        self.replace_null_with_default = config
            .get_boolean(REPLACE_NULL_WITH_DEFAULT)?
            .unwrap_or(true);
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
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
    use connect_api::record::{Headers, SourceRecord};

    fn configured(side: Side, pairs: &[(&str, &str)]) -> Result<HeaderFrom, ConnectError> {
        let mut t = HeaderFrom::new(side);
        Transformation::<SourceRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    fn existing_headers() -> Headers {
        let mut headers = Headers::new();
        headers.add_string("header1", "existing-value");
        headers
    }

    fn two_field_schema(default: Option<&str>) -> Result<Schema, ConnectError> {
        let mut field2 = SchemaBuilder::string().optional();
        if let Some(d) = default {
            field2 = field2.default_value(Value::from(d));
        }
        SchemaBuilder::struct_()
            .name("rec")
            .field("field1", Schema::string())
            .field("field2", field2.build()?)
            .build()
    }

    fn header_values(headers: &Headers, name: &str) -> Vec<Value> {
        headers
            .all_with_name(name)
            .map(|h| h.value.clone())
            .collect()
    }

    #[test]
    fn schemaless_copy_and_move() -> Result<(), ConnectError> {
        let value = map(&[
            ("field1", Value::from("field1-value")),
            ("field2", Value::from("field2-value")),
        ]);
        let copy = configured(
            Side::Value,
            &[
                ("fields", "field1"),
                ("headers", "inserted1"),
                ("operation", "copy"),
            ],
        )?;
        let out = copy
            .apply(source(None, value.clone()).with_headers(existing_headers()))?
            .expect("kept");
        assert_eq!(out.value, value);
        assert_eq!(out.headers.len(), 2);
        let inserted = out.headers.last_with_name("inserted1").expect("header");
        assert_eq!(inserted.schema, None);
        assert_eq!(inserted.value, Value::from("field1-value"));

        let mv = configured(
            Side::Key,
            &[
                ("fields", "field1,field2,missing"),
                ("headers", "inserted1,inserted1,gone"),
                ("operation", "move"),
            ],
        )?;
        let record = source(None, Value::Null).with_key(None, value);
        let out = mv.apply(record)?.expect("kept");
        assert_eq!(out.key, map(&[]));
        assert_eq!(
            header_values(&out.headers, "inserted1"),
            [Value::from("field1-value"), Value::from("field2-value")]
        );
        assert_eq!(header_values(&out.headers, "gone"), [Value::Null]);
        Ok(())
    }

    #[test]
    fn with_schema_copy_and_move() -> Result<(), ConnectError> {
        let schema = two_field_schema(None)?;
        let mut value = Struct::new(schema.clone())?;
        value
            .put("field1", "field1-value")?
            .put("field2", "field2-value")?;

        let copy = configured(
            Side::Value,
            &[
                ("fields", "field1,field1"),
                ("headers", "inserted1,inserted2"),
                ("operation", "copy"),
            ],
        )?;
        let out = copy
            .apply(source(Some(schema.clone()), Value::Struct(value.clone())))?
            .expect("kept");
        assert_eq!(out.value_schema.as_ref(), Some(&schema));
        assert_eq!(out.value, Value::Struct(value.clone()));
        for name in ["inserted1", "inserted2"] {
            let h = out.headers.last_with_name(name).expect("header");
            assert_eq!(h.schema, Some(Schema::string()));
            assert_eq!(h.value, Value::from("field1-value"));
        }

        let mv = configured(
            Side::Value,
            &[
                ("fields", "field1"),
                ("headers", "inserted1"),
                ("operation", "move"),
            ],
        )?;
        let out = mv
            .apply(source(Some(schema), Value::Struct(value)))?
            .expect("kept");
        let moved_schema = out.value_schema.expect("schema");
        assert_eq!(moved_schema.name(), Some("rec"));
        assert_eq!(moved_schema.fields()?.len(), 1);
        let Value::Struct(moved) = out.value else {
            panic!("struct expected")
        };
        assert_eq!(moved.get("field2")?, &Value::from("field2-value"));
        assert_eq!(
            header_values(&out.headers, "inserted1"),
            [Value::from("field1-value")]
        );
        Ok(())
    }

    #[test]
    fn struct_field_and_null_defaults() -> Result<(), ConnectError> {
        let schema = SchemaBuilder::struct_()
            .field("inner", simple_schema())
            .field(
                "opt",
                SchemaBuilder::string()
                    .optional()
                    .default_value(Value::from("dflt"))
                    .build()?,
            )
            .build()?;
        let mut value = Struct::new(schema.clone())?;
        value.put("inner", Value::Struct(simple_struct()))?;
        let record = source(Some(schema), Value::Struct(value));
        let pairs = [
            ("fields", "inner,opt"),
            ("headers", "h_inner,h_opt"),
            ("operation", "copy"),
        ];
        let out = configured(Side::Value, &pairs)?
            .apply(record.clone())?
            .expect("kept");
        let inner = out.headers.last_with_name("h_inner").expect("header");
        assert_eq!(inner.schema, Some(simple_schema()));
        assert_eq!(inner.value, Value::Struct(simple_struct()));
        assert_eq!(header_values(&out.headers, "h_opt"), [Value::from("dflt")]);

        let mut pairs = pairs.to_vec();
        pairs.push(("replace.null.with.default", "false"));
        let out = configured(Side::Value, &pairs)?
            .apply(record)?
            .expect("kept");
        assert_eq!(header_values(&out.headers, "h_opt"), [Value::Null]);
        Ok(())
    }

    #[test]
    fn errors() -> Result<(), ConnectError> {
        let err = |pairs: &[(&str, &str)]| {
            configured(Side::Value, pairs)
                .map(|_| ())
                .map_err(|e| e.to_string())
                .expect_err("must fail")
        };
        assert_eq!(
            err(&[("fields", "a,b"), ("headers", "a"), ("operation", "copy")]),
            "invalid configuration: 'fields' config must have the same number of elements as 'headers' config."
        );
        assert_eq!(
            err(&[("fields", "a"), ("headers", "a"), ("operation", "swap")]),
            "invalid configuration: Invalid value swap for configuration operation: String must be one of: move, copy"
        );
        assert_eq!(
            err(&[("fields", ""), ("headers", "a"), ("operation", "copy")]),
            "invalid configuration: Invalid value [] for configuration fields: Empty list"
        );
        assert!(err(&[("fields", "a"), ("headers", "a")])
            .contains("Missing required configuration \"operation\""));

        let t = configured(
            Side::Value,
            &[("fields", "a"), ("headers", "h"), ("operation", "move")],
        )?;
        let apply_err = |record: SourceRecord| {
            t.apply(record)
                .map(|_| ())
                .map_err(|e| e.to_string())
                .expect_err("must fail")
        };
        assert_eq!(
            apply_err(source(None, Value::Null)),
            "Only Map objects supported in absence of schema for [header move], found: null"
        );
        assert_eq!(
            apply_err(source(
                Some(simple_schema()),
                Value::Struct(simple_struct())
            )),
            "a is not a valid field name"
        );
        Ok(())
    }
}
