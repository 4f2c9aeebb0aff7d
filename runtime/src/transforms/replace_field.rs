//! `ReplaceField$Key` / `ReplaceField$Value`: filter (include/exclude) and rename fields.

use std::collections::{BTreeMap, HashMap, HashSet};

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, ParsedValue, Validator};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_api::ConnectError;

use super::util::{
    copy_schema_basics, define_replace_null_with_default, map_key, require_map, require_struct,
    struct_get, Side, REPLACE_NULL_WITH_DEFAULT,
};
use super::{ConnectRecord, Transformation};

const PURPOSE: &str = "field replacement";

/// Kafka's `ReplaceField`. The deprecated `whitelist` / `blacklist` keys are read as
/// `include` / `exclude` when the new key is absent (`ConfigUtils.translateDeprecatedConfigs`).
#[derive(Debug, Clone)]
pub struct ReplaceField {
    side: Side,
    exclude: HashSet<String>,
    include: HashSet<String>,
    renames: HashMap<String, String>,
    reverse_renames: HashMap<String, String>,
    replace_null_with_default: bool,
}

/// Java's `String.split(":")`: trailing empty strings are removed.
fn java_split_colon(s: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split(':').collect();
    while parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    if parts == [""] && !s.is_empty() {
        parts.clear();
    }
    parts
}

fn parse_rename_mappings(mappings: &[String]) -> Result<HashMap<String, String>, String> {
    let mut m = HashMap::new();
    for mapping in mappings {
        match java_split_colon(mapping).as_slice() {
            [old, new] => {
                m.insert((*old).to_owned(), (*new).to_owned());
            }
            _ => return Err(format!("Invalid rename mapping: {mapping}")),
        }
    }
    Ok(m)
}

impl ReplaceField {
    /// An unconfigured transform for the key or the value.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            exclude: HashSet::new(),
            include: HashSet::new(),
            renames: HashMap::new(),
            reverse_renames: HashMap::new(),
            replace_null_with_default: true,
        }
    }

    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        define_replace_null_with_default(
            ConfigDef::new()
                .define(
                    ConfigKey::new(
                        "exclude",
                        ConfigType::List,
                        Importance::Medium,
                        "Fields to exclude. This takes precedence over the fields to include.",
                    )
                    .default_value(""),
                )
                .define(
                    ConfigKey::new(
                        "blacklist",
                        ConfigType::List,
                        Importance::Low,
                        "Deprecated. Use exclude instead.",
                    )
                    .default_null(),
                )
                .define(
                    ConfigKey::new(
                        "include",
                        ConfigType::List,
                        Importance::Medium,
                        "Fields to include. If specified, only these fields will be used.",
                    )
                    .default_value(""),
                )
                .define(
                    ConfigKey::new(
                        "whitelist",
                        ConfigType::List,
                        Importance::Low,
                        "Deprecated. Use include instead.",
                    )
                    .default_null(),
                )
                .define(
                    ConfigKey::new(
                        "renames",
                        ConfigType::List,
                        Importance::Medium,
                        "Field rename mappings.",
                    )
                    .default_value("")
                    .validator(Validator::custom(|_, value| match value {
                        Some(ParsedValue::List(items)) => parse_rename_mappings(items).map(|_| ()),
                        _ => Ok(()),
                    })),
                ),
        )
    }

    fn filter(&self, name: &str) -> bool {
        !self.exclude.contains(name) && (self.include.is_empty() || self.include.contains(name))
    }

    fn renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.renames.get(name).map_or(name, String::as_str)
    }

    fn reverse_renamed<'a>(&'a self, name: &'a str) -> &'a str {
        self.reverse_renames.get(name).map_or(name, String::as_str)
    }

    fn apply_schemaless<R: ConnectRecord>(&self, record: &R) -> Result<R, ConnectError> {
        let value = require_map(self.side.value(record), PURPOSE)?;
        let mut updated: Vec<(Value, Value)> = Vec::with_capacity(value.len());
        for (key, field_value) in value {
            let keep = map_key(key).is_none_or(|name| self.filter(name));
            if keep {
                let key = match map_key(key) {
                    Some(name) => Value::from(self.renamed(name)),
                    None => key.clone(),
                };
                match updated.iter_mut().find(|(k, _)| *k == key) {
                    Some(entry) => entry.1 = field_value.clone(),
                    None => updated.push((key, field_value.clone())),
                }
            }
        }
        Ok(self.side.new_record(record, None, Value::Map(updated)))
    }

    fn updated_schema(&self, schema: &Schema) -> Result<Schema, ConnectError> {
        let mut builder = copy_schema_basics(schema, SchemaBuilder::struct_());
        for field in schema.fields()? {
            if self.filter(field.name()) {
                builder = builder.field(self.renamed(field.name()), field.schema().clone());
            }
        }
        builder.build()
    }

    fn apply_with_schema<R: ConnectRecord>(&self, record: &R) -> Result<R, ConnectError> {
        let value = require_struct(self.side.value(record), PURPOSE)?;
        let schema = self.updated_schema(value.schema())?;
        let mut updated = Struct::new(schema.clone())?;
        for field in schema.fields()? {
            let v = struct_get(
                value,
                self.reverse_renamed(field.name()),
                self.replace_null_with_default,
            )?;
            updated.put(field.name(), v)?;
        }
        Ok(self
            .side
            .new_record(record, Some(schema), Value::Struct(updated)))
    }
}

impl<R: ConnectRecord> Transformation<R> for ReplaceField {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let mut translated = props.clone();
        for (new, old) in [("include", "whitelist"), ("exclude", "blacklist")] {
            if let Some(v) = translated.remove(old) {
                translated.entry(new.to_owned()).or_insert(v);
            }
        }
        let config = Self::definition().parse(&translated)?;
        let list = |name: &str| -> Result<Vec<String>, ConnectError> {
            Ok(config
                .get_list(name)?
                .map(<[String]>::to_vec)
                .unwrap_or_default())
        };
        self.exclude = list("exclude")?.into_iter().collect();
        self.include = list("include")?.into_iter().collect();
        self.renames = parse_rename_mappings(&list("renames")?)
            .map_err(|m| super::util::config_error(Some("renames"), m))?;
        self.reverse_renames = self
            .renames
            .iter()
            .map(|(k, v)| (v.clone(), k.clone()))
            .collect();
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
    use connect_api::record::SinkRecord;

    fn configured(side: Side, pairs: &[(&str, &str)]) -> Result<ReplaceField, ConnectError> {
        let mut t = ReplaceField::new(side);
        Transformation::<SinkRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    #[test]
    fn schemaless_exclude_and_rename() -> Result<(), ConnectError> {
        let t = configured(
            Side::Value,
            &[("exclude", "dont"), ("renames", "abc:xyz,foo:bar")],
        )?;
        let value = map(&[
            ("dont", Value::from("whatever")),
            ("abc", Value::Int32(42)),
            ("foo", Value::Boolean(true)),
            ("etc", Value::from("etc")),
        ]);
        let out = t.apply(sink(None, value))?.expect("kept");
        assert_eq!(
            out.value,
            map(&[
                ("xyz", Value::Int32(42)),
                ("bar", Value::Boolean(true)),
                ("etc", Value::from("etc"))
            ])
        );
        Ok(())
    }

    #[test]
    fn schemaful_include_and_rename_on_key() -> Result<(), ConnectError> {
        let t = configured(Side::Key, &[("include", "magic"), ("renames", "magic:m")])?;
        let record =
            sink(None, Value::Null).with_key(Some(simple_schema()), Value::Struct(simple_struct()));
        let out = t.apply(record)?.expect("kept");
        let schema = out.key_schema.clone().expect("schema");
        let names: Vec<_> = schema
            .fields()?
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        assert_eq!(names, ["m"]);
        assert_eq!(schema.name(), Some("name"));
        let Value::Struct(k) = &out.key else {
            panic!("struct expected")
        };
        assert_eq!(k.get("m")?, &Value::Int64(42));
        Ok(())
    }

    #[test]
    fn deprecated_aliases() -> Result<(), ConnectError> {
        let t = configured(Side::Value, &[("whitelist", "a,b"), ("blacklist", "b")])?;
        let value = map(&[
            ("a", Value::Int32(1)),
            ("b", Value::Int32(2)),
            ("c", Value::Int32(3)),
        ]);
        let out = t.apply(sink(None, value))?.expect("kept");
        assert_eq!(out.value, map(&[("a", Value::Int32(1))]));
        // The new key wins over the deprecated one.
        let t = configured(Side::Value, &[("include", "c"), ("whitelist", "a")])?;
        let value = map(&[("a", Value::Int32(1)), ("c", Value::Int32(3))]);
        let out = t.apply(sink(None, value))?.expect("kept");
        assert_eq!(out.value, map(&[("c", Value::Int32(3))]));
        Ok(())
    }

    #[test]
    fn invalid_rename_and_wrong_types() -> Result<(), ConnectError> {
        let err = configured(Side::Value, &[("renames", "a:b:c")])
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("invalid configuration: Invalid value [a:b:c] for configuration renames: Invalid rename mapping: a:b:c".to_owned())
        );
        let t = configured(Side::Value, &[])?;
        let err = t
            .apply(sink(None, Value::Int32(1)))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Only Map objects supported in absence of schema for [field replacement], found: java.lang.Integer".to_owned())
        );
        let tombstone = sink(Some(simple_schema()), Value::Null);
        assert_eq!(t.apply(tombstone.clone())?, Some(tombstone));
        Ok(())
    }
}
