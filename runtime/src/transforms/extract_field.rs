//! `ExtractField$Key` / `ExtractField$Value`: replace the key or value with one of its fields.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use connect_api::data::{Field, Schema, Struct, Value};
use connect_api::ConnectError;

use super::util::{
    define_replace_null_with_default, map_get, require_map, require_struct, struct_get, Side,
    REPLACE_NULL_WITH_DEFAULT,
};
use super::{ConnectRecord, Transformation};

const PURPOSE: &str = "field extraction";

/// Kafka's `ExtractField`, with `field.syntax.version` V1 (the field name as is) and V2
/// (KIP-821 dotted paths; a segment in backticks may contain dots, a doubled backtick inside
/// quotes is a literal backtick).
#[derive(Debug, Clone)]
pub struct ExtractField {
    side: Side,
    original_path: String,
    path: Vec<String>,
    replace_null_with_default: bool,
}

/// Splits a KIP-821 V2 field path into its segments.
fn parse_v2_path(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '`' if quoted && chars.peek() == Some(&'`') => {
                chars.next();
                current.push('`');
            }
            '`' if quoted => quoted = false,
            '`' if current.is_empty() => quoted = true,
            '.' if !quoted => segments.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    segments.push(current);
    segments
}

impl ExtractField {
    /// An unconfigured transform for the key or the value.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            original_path: String::new(),
            path: Vec::new(),
            replace_null_with_default: true,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        define_replace_null_with_default(
            ConfigDef::new()
                .define(ConfigKey::new(
                    "field",
                    ConfigType::String,
                    Importance::Medium,
                    "Field name to extract.",
                ))
                .define(
                    ConfigKey::new(
                        "field.syntax.version",
                        ConfigType::String,
                        Importance::High,
                        "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map the following format can be used to access its elements: \"`foo.bar`.baz\".",
                    )
                    .default_value("V1")
                    .validator(Validator::CaseInsensitiveValidString(vec!["V1".to_owned(), "V2".to_owned()])),
                ),
        )
    }

    fn field_from<'a>(&self, schema: &'a Schema) -> Result<Option<&'a Field>, ConnectError> {
        let mut current = schema;
        let mut found = None;
        for (i, segment) in self.path.iter().enumerate() {
            if i > 0 && current.schema_type() != connect_api::data::SchemaType::Struct {
                return Ok(None);
            }
            match current.field(segment)? {
                Some(field) => {
                    current = field.schema();
                    found = Some(field);
                }
                None => return Ok(None),
            }
        }
        Ok(found)
    }

    fn value_from_struct(&self, value: &Struct) -> Result<Value, ConnectError> {
        let mut current = value.clone();
        for (i, segment) in self.path.iter().enumerate() {
            if current.schema().field(segment)?.is_none() {
                return Ok(Value::Null);
            }
            let v = struct_get(&current, segment, self.replace_null_with_default)?;
            if i + 1 == self.path.len() {
                return Ok(v);
            }
            match v {
                Value::Struct(s) => current = s,
                _ => return Ok(Value::Null),
            }
        }
        Ok(Value::Null)
    }

    fn value_from_map(&self, entries: &[(Value, Value)]) -> Value {
        let mut current = entries;
        for (i, segment) in self.path.iter().enumerate() {
            let v = map_get(current, segment);
            if i + 1 == self.path.len() {
                return v.clone();
            }
            match v {
                Value::Map(inner) => current = inner,
                _ => return Value::Null,
            }
        }
        Value::Null
    }
}

impl<R: ConnectRecord> Transformation<R> for ExtractField {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.original_path = config.get_string("field")?.unwrap_or_default().to_owned();
        let v2 = config
            .get_string("field.syntax.version")?
            .is_some_and(|v| v.eq_ignore_ascii_case("V2"));
        self.path = if v2 {
            parse_v2_path(&self.original_path)
        } else {
            vec![self.original_path.clone()]
        };
        self.replace_null_with_default = config
            .get_boolean(REPLACE_NULL_WITH_DEFAULT)?
            .unwrap_or(true);
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let value = self.side.value(&record);
        match self.side.schema(&record) {
            None => {
                let extracted = if value.is_null() {
                    Value::Null
                } else {
                    self.value_from_map(require_map(value, PURPOSE)?)
                };
                Ok(Some(self.side.new_record(&record, None, extracted)))
            }
            Some(schema) => {
                let value = if value.is_null() {
                    None
                } else {
                    Some(require_struct(value, PURPOSE)?)
                };
                let Some(field) = self.field_from(schema)? else {
                    return Err(ConnectError::data(format!(
                        "Unknown field: {}",
                        self.original_path
                    )));
                };
                let extracted = match value {
                    Some(s) => self.value_from_struct(s)?,
                    None => Value::Null,
                };
                Ok(Some(self.side.new_record(
                    &record,
                    Some(field.schema().clone()),
                    extracted,
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::SchemaBuilder;
    use connect_api::record::SinkRecord;

    fn configured(side: Side, pairs: &[(&str, &str)]) -> Result<ExtractField, ConnectError> {
        let mut t = ExtractField::new(side);
        Transformation::<SinkRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    #[test]
    fn schemaless_key() -> Result<(), ConnectError> {
        let t = configured(Side::Key, &[("field", "magic")])?;
        let record = sink(None, Value::Null).with_key(None, map(&[("magic", Value::Int32(42))]));
        let out = t.apply(record)?.expect("kept");
        assert_eq!(out.key, Value::Int32(42));
        assert_eq!(out.key_schema, None);
        let null_key = sink(None, Value::Null);
        assert_eq!(t.apply(null_key)?.map(|r| r.key), Some(Value::Null));
        Ok(())
    }

    #[test]
    fn schemaful_value_and_unknown_field() -> Result<(), ConnectError> {
        let t = configured(Side::Value, &[("field", "magic")])?;
        let out = t
            .apply(sink(Some(simple_schema()), Value::Struct(simple_struct())))?
            .expect("kept");
        assert_eq!(out.value, Value::Int64(42));
        assert_eq!(out.value_schema, Some(Schema::int64()));
        let t = configured(Side::Value, &[("field", "nope")])?;
        let err = t
            .apply(sink(Some(simple_schema()), Value::Struct(simple_struct())))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(err, Err("Unknown field: nope".to_owned()));
        let err = t
            .apply(sink(None, Value::from("x")))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Only Map objects supported in absence of schema for [field extraction], found: java.lang.String".to_owned())
        );
        Ok(())
    }

    #[test]
    fn v2_nested_paths() -> Result<(), ConnectError> {
        assert_eq!(parse_v2_path("`foo.bar`.baz"), ["foo.bar", "baz"]);
        let t = configured(
            Side::Value,
            &[("field", "outer.magic"), ("field.syntax.version", "V2")],
        )?;
        let outer_schema = SchemaBuilder::struct_()
            .field("outer", simple_schema())
            .build()?;
        let mut outer = Struct::new(outer_schema.clone())?;
        outer.put("outer", simple_struct())?;
        let out = t
            .apply(sink(Some(outer_schema), Value::Struct(outer)))?
            .expect("kept");
        assert_eq!(out.value, Value::Int64(42));
        let nested = map(&[("outer", map(&[("magic", Value::Int32(7))]))]);
        let out = t.apply(sink(None, nested))?.expect("kept");
        assert_eq!(out.value, Value::Int32(7));
        let err = configured(
            Side::Value,
            &[("field", "a"), ("field.syntax.version", "V3")],
        )
        .map(|_| ())
        .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("invalid configuration: Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2".to_owned())
        );
        Ok(())
    }

    #[test]
    fn missing_field_config() {
        let err = configured(Side::Value, &[])
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("invalid configuration: Missing required configuration \"field\" which has no default value.".to_owned())
        );
    }
}
