//! Connect schemas and values ⇄ Avro, as Confluent's `AvroData`
//! (`avro-data/src/main/java/io/confluent/connect/avro/AvroData.java`).
//!
//! Schema rules (`AvroData.fromConnectSchema` / `toConnectSchema`):
//!
//! * `INT8`/`INT16` → `int` with `connect.type` `int8`/`int16`; `INT32` → `int`, `INT64` →
//!   `long`, `FLOAT32` → `float`, `FLOAT64` → `double`, `BOOLEAN`, `STRING`, `BYTES`.
//! * An optional schema is the union `["null", T]`, or `[T, "null"]` when it has a default
//!   (`maybeMakeOptional`); an optional struct is always `["null", record]`. A struct field
//!   that is optional without a default gets the Avro field default `null`.
//! * A struct is a record named after the Connect schema, or
//!   `io.confluent.connect.avro.ConnectDefault`, `ConnectDefault2`, … for unnamed structs in
//!   the order they are met (`getNameOrDefault`). An equal required schema met again is
//!   reused, so it is written as a reference to the first definition.
//! * Metadata on every non-union schema when `connect.meta.data` is on: `connect.doc`,
//!   `connect.version`, `connect.parameters`, `connect.default`, `connect.name`,
//!   `connect.type`.
//! * Maps with required string keys → Avro `map`; other maps → an array of records
//!   `io.confluent.connect.avro.MapEntry` with fields `key` and `value`.
//! * `Decimal` → `bytes` with `logicalType` `decimal`, `scale`, and `precision` from the
//!   `connect.decimal.precision` parameter (default 64); `Date` → `int`/`date`, `Time` →
//!   `int`/`time-millis`, `Timestamp` → `long`/`timestamp-millis`.
//! * Avro `enum` → Connect `STRING` with parameters `io.confluent.connect.avro.Enum` (the
//!   enum's full name) and `io.confluent.connect.avro.Enum.<symbol>`; written back as an
//!   Avro enum only with `enhanced.avro.schema.support`, as in Java.
//! * Avro unions other than `[null, T]` → a Connect struct named
//!   `io.confluent.connect.avro.Union` with one optional field per member.

use std::collections::{BTreeMap, HashMap, HashSet};

use apache_avro::schema::{Name, ResolvedSchema, Schema as Avro};
use apache_avro::types::Value as AvroValue;
use connect_api::data::{
    Decimal, Schema, SchemaBuilder, SchemaType, Struct, Value, DATE_LOGICAL_NAME,
    DECIMAL_LOGICAL_NAME, DECIMAL_SCALE_PARAMETER, TIMESTAMP_LOGICAL_NAME, TIME_LOGICAL_NAME,
};
use serde_json::{Map as JsonMap, Value as Json};

use super::{AvroError, Result};

/// `AvroData.NAMESPACE`.
pub const NAMESPACE: &str = "io.confluent.connect.avro";
/// `AvroData.DEFAULT_SCHEMA_NAME`.
pub const DEFAULT_SCHEMA_NAME: &str = "ConnectDefault";
/// `AvroData.DEFAULT_SCHEMA_FULL_NAME`.
pub const DEFAULT_SCHEMA_FULL_NAME: &str = "io.confluent.connect.avro.ConnectDefault";
/// `AvroData.MAP_ENTRY_TYPE_NAME`.
pub const MAP_ENTRY_TYPE_NAME: &str = "MapEntry";
/// `AvroData.KEY_FIELD`.
pub const KEY_FIELD: &str = "key";
/// `AvroData.VALUE_FIELD`.
pub const VALUE_FIELD: &str = "value";
/// `AvroData.CONNECT_NAME_PROP`.
pub const CONNECT_NAME_PROP: &str = "connect.name";
/// `AvroData.CONNECT_DOC_PROP`.
pub const CONNECT_DOC_PROP: &str = "connect.doc";
/// `AvroData.CONNECT_VERSION_PROP`.
pub const CONNECT_VERSION_PROP: &str = "connect.version";
/// `AvroData.CONNECT_DEFAULT_VALUE_PROP`.
pub const CONNECT_DEFAULT_VALUE_PROP: &str = "connect.default";
/// `AvroData.CONNECT_PARAMETERS_PROP`.
pub const CONNECT_PARAMETERS_PROP: &str = "connect.parameters";
/// `AvroData.CONNECT_INTERNAL_TYPE_NAME`.
pub const CONNECT_INTERNAL_TYPE_NAME: &str = "connect.internal.type";
/// `AvroData.CONNECT_TYPE_PROP`.
pub const CONNECT_TYPE_PROP: &str = "connect.type";
/// `AvroData.AVRO_RECORD_DOC_PROP`.
pub const AVRO_RECORD_DOC_PROP: &str = "io.confluent.connect.avro.record.doc";
/// `AvroData.AVRO_ENUM_DOC_PREFIX_PROP`.
pub const AVRO_ENUM_DOC_PREFIX_PROP: &str = "io.confluent.connect.avro.enum.doc.";
/// `AvroData.AVRO_FIELD_DOC_PREFIX_PROP`.
pub const AVRO_FIELD_DOC_PREFIX_PROP: &str = "io.confluent.connect.avro.field.doc.";
/// `AvroData.AVRO_FIELD_DEFAULT_FLAG_PROP`.
pub const AVRO_FIELD_DEFAULT_FLAG_PROP: &str = "io.confluent.connect.avro.field.default";
/// `AvroData.AVRO_ENUM_DEFAULT_PREFIX_PROP`.
pub const AVRO_ENUM_DEFAULT_PREFIX_PROP: &str = "io.confluent.connect.avro.enum.default.";
/// `AvroData.AVRO_TYPE_UNION`.
pub const AVRO_TYPE_UNION: &str = "io.confluent.connect.avro.Union";
/// `AvroData.AVRO_TYPE_ENUM`.
pub const AVRO_TYPE_ENUM: &str = "io.confluent.connect.avro.Enum";
/// `AvroData.CONNECT_AVRO_DECIMAL_PRECISION_PROP`.
pub const CONNECT_AVRO_DECIMAL_PRECISION_PROP: &str = "connect.decimal.precision";
/// `AvroData.CONNECT_AVRO_FIXED_SIZE_PROP`: the size of an Avro `fixed` mapped to `BYTES`.
pub const CONNECT_AVRO_FIXED_SIZE_PROP: &str = "connect.fixed.size";
/// `AvroData.CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT`.
pub const CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT: i64 = 64;

const AVRO_PROP: &str = "avro";
const LOGICAL_TYPE_PROP: &str = "logicalType";

/// The `AvroDataConfig` options this mapping honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvroDataConfig {
    /// `connect.meta.data` (default true): write and read the `connect.*` properties.
    pub connect_meta_data: bool,
    /// `enhanced.avro.schema.support` (default false): write Connect strings carrying
    /// `io.confluent.connect.avro.Enum` parameters back as Avro enums, and name union
    /// members of named types by full name.
    pub enhanced_avro_schema_support: bool,
}

impl Default for AvroDataConfig {
    fn default() -> Self {
        Self {
            connect_meta_data: true,
            enhanced_avro_schema_support: false,
        }
    }
}

/// An Avro schema: the JSON as Confluent writes it, and the `apache_avro` schema parsed from
/// that JSON (used for the binary encoding).
#[derive(Debug, Clone)]
pub struct AvroSchema {
    json: Json,
    schema: Avro,
}

impl AvroSchema {
    /// Parses a schema from its JSON (e.g. as stored in the schema registry).
    pub fn parse(json: Json) -> Result<Self> {
        let schema = Avro::parse(&json)?;
        Ok(Self { json, schema })
    }

    /// Parses a schema from JSON text.
    pub fn parse_str(text: &str) -> Result<Self> {
        let json: Json = serde_json::from_str(text)
            .map_err(|e| AvroError::ToConnectSchema(format!("schema is not valid JSON: {e}")))?;
        Self::parse(json)
    }

    /// The schema JSON, with every custom property.
    pub fn json(&self) -> &Json {
        &self.json
    }

    /// The parsed schema, for `apache_avro` encoding and decoding.
    pub fn schema(&self) -> &Avro {
        &self.schema
    }
}

impl std::fmt::Display for AvroSchema {
    /// The schema text Java's `Schema.toString()` writes for what `AvroData` builds: keys in
    /// Avro's order, not sorted (see [`write_schema_json`]). The registry identifies a schema by
    /// this text, so only the same text gets the id Confluent's converter registered.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        write_schema_json(&self.json, &mut text);
        f.write_str(&text)
    }
}

/// The keys Java's `Schema.toJson` writes first, in its order, per object kind. A field
/// object starts with `name`, a schema object with `type`.
const SCHEMA_KEYS: &[&str] = &[
    "type",
    "name",
    "namespace",
    "doc",
    "fields",
    "symbols",
    "default",
    "items",
    "values",
    "size",
];
const FIELD_KEYS: &[&str] = &["name", "type", "doc", "default", "order"];
/// The custom properties in the order `AvroData.fromConnectSchema` adds them (Avro keeps
/// insertion order): decimal `scale`/`precision` with the base schema, then the `connect.*`
/// metadata, then `logicalType`. Others follow, sorted; `aliases` comes last.
const PROPERTY_ORDER: &[&str] = &[
    "scale",
    "precision",
    CONNECT_DOC_PROP,
    CONNECT_VERSION_PROP,
    CONNECT_PARAMETERS_PROP,
    CONNECT_DEFAULT_VALUE_PROP,
    CONNECT_NAME_PROP,
    CONNECT_TYPE_PROP,
    LOGICAL_TYPE_PROP,
];

/// Writes a schema as Java's Avro `Schema.toString()` does: compact, the reserved keys in
/// [`SCHEMA_KEYS`] (fields in [`FIELD_KEYS`]) order, then the properties in
/// [`PROPERTY_ORDER`], then the rest sorted, then `aliases`. Nested schemas (`fields[].type`,
/// `items`, `values`, union members) follow the same rules; other values (defaults,
/// `connect.parameters`) are plain JSON.
fn write_schema_json(json: &Json, out: &mut String) {
    match json {
        Json::Array(members) => {
            out.push('[');
            for (i, member) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_schema_json(member, out);
            }
            out.push(']');
        }
        Json::Object(map) => {
            write_ordered_object(map, SCHEMA_KEYS, out, |key, value, out| {
                match (key, value) {
                    ("fields", Json::Array(fields)) => {
                        out.push('[');
                        for (i, field) in fields.iter().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            match field {
                                Json::Object(field) => {
                                    write_ordered_object(
                                        field,
                                        FIELD_KEYS,
                                        out,
                                        |key, value, out| {
                                            if key == "type" {
                                                write_schema_json(value, out);
                                            } else {
                                                out.push_str(&value.to_string());
                                            }
                                        },
                                    );
                                }
                                other => out.push_str(&other.to_string()),
                            }
                        }
                        out.push(']');
                    }
                    ("type" | "items" | "values", nested) => write_schema_json(nested, out),
                    (_, plain) => out.push_str(&plain.to_string()),
                }
            })
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Writes `map` with the keys of `first` in that order, then [`PROPERTY_ORDER`], then the
/// others sorted, then `aliases`; `value` writes each value.
fn write_ordered_object(
    map: &JsonMap<String, Json>,
    first: &[&str],
    out: &mut String,
    value: impl Fn(&str, &Json, &mut String),
) {
    let rank = |key: &str| -> (usize, usize) {
        if let Some(i) = first.iter().position(|k| *k == key) {
            (0, i)
        } else if let Some(i) = PROPERTY_ORDER.iter().position(|k| *k == key) {
            (1, i)
        } else if key == "aliases" {
            (3, 0)
        } else {
            (2, 0)
        }
    };
    let mut keys: Vec<&String> = map.keys().collect();
    // Stable: keys of equal rank keep the map's (sorted) order.
    keys.sort_by_key(|k| rank(k));
    out.push('{');
    for (i, key) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Json::String(key.clone()).to_string());
        out.push(':');
        value(key, &map[key.as_str()], out);
    }
    out.push('}');
}

/// Confluent's `AvroData`: the mapping with a configuration. The free functions of this
/// module use [`AvroDataConfig::default`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AvroData {
    config: AvroDataConfig,
}

/// `AvroData.fromConnectSchema` with the default configuration.
pub fn to_avro_schema(connect: &Schema) -> Result<AvroSchema> {
    AvroData::default().to_avro_schema(connect)
}

/// `AvroData.toConnectSchema` with the default configuration.
pub fn to_connect_schema(avro: &AvroSchema) -> Result<Schema> {
    AvroData::default().to_connect_schema(avro)
}

/// `AvroData.fromConnectData` with the default configuration; the Avro schema is derived
/// from `schema` (use [`AvroData::to_avro_value_with`] to reuse one).
pub fn to_avro_value(schema: &Schema, value: &Value) -> Result<AvroValue> {
    let data = AvroData::default();
    let avro = data.to_avro_schema(schema)?;
    data.to_avro_value_with(schema, &avro, value)
}

/// `AvroData.toConnectData` with the default configuration.
pub fn to_connect_value(
    avro_schema: &AvroSchema,
    avro_value: &AvroValue,
) -> Result<(Schema, Value)> {
    AvroData::default().to_connect_value(avro_schema, avro_value)
}

impl AvroData {
    /// An `AvroData` with `config`.
    pub fn new(config: AvroDataConfig) -> Self {
        Self { config }
    }

    /// The configuration.
    pub fn config(&self) -> AvroDataConfig {
        self.config
    }

    /// `AvroData.fromConnectSchema`: the Avro schema Confluent registers for `connect`.
    pub fn to_avro_schema(&self, connect: &Schema) -> Result<AvroSchema> {
        let mut ctx = FromConnect {
            config: self.config,
            name_index: 0,
            reused: HashMap::new(),
            defined: HashSet::new(),
        };
        let json = ctx.schema(connect, None, false)?;
        AvroSchema::parse(json)
    }

    /// `AvroData.toConnectSchema`: the Connect schema for an Avro schema, honouring the
    /// `connect.*` properties, so that a schema written by `to_avro_schema` (or by Java's
    /// `AvroConverter`) maps back to the same Connect schema.
    pub fn to_connect_schema(&self, avro: &AvroSchema) -> Result<Schema> {
        self.to_connect_schema_with_version(avro, None)
    }

    /// `AvroData.toConnectSchema(schema, version)`: as [`to_connect_schema`](Self::to_connect_schema),
    /// and the top-level schema gets `version` (the schema's version under its subject, as
    /// Confluent's deserializer looks it up) when it has no `connect.version` of its own.
    pub fn to_connect_schema_with_version(
        &self,
        avro: &AvroSchema,
        version: Option<i32>,
    ) -> Result<Schema> {
        let mut ctx = ToConnect {
            config: self.config,
            named: HashMap::new(),
            in_progress: HashSet::new(),
            registry_version: version,
        };
        ctx.collect_names(&avro.json, None)?;
        ctx.schema(&avro.json, None, false, None)
    }

    /// `AvroData.fromConnectData`: the Avro datum for `value`, to be encoded with
    /// `avro_schema` (which must be `to_avro_schema(schema)`).
    pub fn to_avro_value_with(
        &self,
        schema: &Schema,
        avro_schema: &AvroSchema,
        value: &Value,
    ) -> Result<AvroValue> {
        schema.validate_value(value)?;
        let resolved = ResolvedSchema::try_from(avro_schema.schema())?;
        let walk = ValueWalk {
            names: resolved.get_names(),
        };
        walk.to_avro(schema, avro_schema.schema(), value)
    }

    /// `AvroData.toConnectData`: the Connect schema and value for a decoded Avro datum.
    pub fn to_connect_value(
        &self,
        avro_schema: &AvroSchema,
        avro_value: &AvroValue,
    ) -> Result<(Schema, Value)> {
        self.to_connect_value_with_version(avro_schema, avro_value, None)
    }

    /// `AvroData.toConnectData(schema, value, version)`: as
    /// [`to_connect_value`](Self::to_connect_value), with the registry `version` of the
    /// writer schema (see [`to_connect_schema_with_version`](Self::to_connect_schema_with_version)).
    pub fn to_connect_value_with_version(
        &self,
        avro_schema: &AvroSchema,
        avro_value: &AvroValue,
        version: Option<i32>,
    ) -> Result<(Schema, Value)> {
        let schema = self.to_connect_schema_with_version(avro_schema, version)?;
        let resolved = ResolvedSchema::try_from(avro_schema.schema())?;
        let walk = ValueWalk {
            names: resolved.get_names(),
        };
        let value = walk.to_connect(&schema, avro_schema.schema(), avro_value)?;
        Ok((schema, value))
    }
}

fn from_err(message: impl Into<String>) -> AvroError {
    AvroError::FromConnectSchema(message.into())
}

fn to_err(message: impl Into<String>) -> AvroError {
    AvroError::ToConnectSchema(message.into())
}

fn data_err(message: impl Into<String>) -> AvroError {
    AvroError::Data(message.into())
}

/// `AvroData.splitName`: namespace (None without a dot) and simple name.
fn split_name(full: &str) -> (Option<&str>, &str) {
    match full.rfind('.') {
        Some(dot) => (Some(&full[..dot]), &full[dot + 1..]),
        None => (None, full),
    }
}

fn full_name(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) if !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_owned(),
    }
}

/// Kafka's `Decimal` scale of a Decimal schema, as `Integer.parseInt` would read it.
fn decimal_scale(schema: &Schema) -> Result<i64> {
    let raw = schema
        .parameters()
        .get(DECIMAL_SCALE_PARAMETER)
        .ok_or_else(|| from_err("Decimal schema has no scale parameter"))?;
    raw.parse().map_err(|_| {
        from_err(format!(
            "Decimal schema has an invalid scale parameter {raw:?}"
        ))
    })
}

fn is_logical(schema: &Schema, logical: &str) -> bool {
    schema
        .name()
        .is_some_and(|name| name.eq_ignore_ascii_case(logical))
}

fn is_enum(config: &AvroDataConfig, schema: &Schema) -> bool {
    config.enhanced_avro_schema_support
        && schema.schema_type() == SchemaType::String
        && schema.parameters().contains_key(AVRO_TYPE_ENUM)
}

fn is_union(schema: &Schema) -> bool {
    schema.schema_type() == SchemaType::Struct && schema.name() == Some(AVRO_TYPE_UNION)
}

/// `AvroData.nonOptional`: the same schema, required.
fn non_optional(schema: &Schema) -> Result<Schema> {
    if !schema.is_optional() {
        return Ok(schema.clone());
    }
    let mut builder = match schema.schema_type() {
        SchemaType::Array => SchemaBuilder::array(schema.value_schema()?.clone()),
        SchemaType::Map => {
            SchemaBuilder::map(schema.key_schema()?.clone(), schema.value_schema()?.clone())
        }
        other => SchemaBuilder::new(other),
    };
    if let Some(name) = schema.name() {
        builder = builder.name(name);
    }
    if let Some(version) = schema.version() {
        builder = builder.version(version);
    }
    if let Some(doc) = schema.doc() {
        builder = builder.doc(doc);
    }
    for (key, value) in schema.parameters() {
        builder = builder.parameter(key, value);
    }
    if schema.schema_type() == SchemaType::Struct {
        for field in schema.fields()? {
            builder = builder.field(field.name(), field.schema().clone());
        }
    }
    if let Some(default) = schema.default_value() {
        builder = builder.default_value(default.clone());
    }
    Ok(builder.build()?)
}

/// State of one `fromConnectSchema` call (Java's `FromConnectContext`).
struct FromConnect {
    config: AvroDataConfig,
    /// `incrementAndGetNameIndex` for `ConnectDefault`, `ConnectDefault2`, ...
    name_index: u32,
    /// `schemaMap`: required schemas already converted to a named type → its full name.
    reused: HashMap<Schema, String>,
    /// Full names defined so far; a second, different definition is Avro's
    /// "Can't redefine" error.
    defined: HashSet<String>,
}

impl FromConnect {
    /// `getNameOrDefault`.
    fn name_or_default(&mut self, name: Option<&str>) -> (Option<String>, String) {
        match name {
            Some(full) => {
                let (ns, simple) = split_name(full);
                (ns.map(str::to_owned), simple.to_owned())
            }
            None => {
                self.name_index += 1;
                let suffix = if self.name_index > 1 {
                    self.name_index.to_string()
                } else {
                    String::new()
                };
                (
                    Some(NAMESPACE.to_owned()),
                    format!("{DEFAULT_SCHEMA_NAME}{suffix}"),
                )
            }
        }
    }

    /// The name of a reference to `full` written inside `enclosing` (Avro's `writeNameRef`).
    fn reference(full: &str, enclosing: Option<&str>) -> Json {
        let (ns, simple) = split_name(full);
        if ns.is_some() && ns == enclosing {
            Json::String(simple.to_owned())
        } else {
            Json::String(full.to_owned())
        }
    }

    /// Starts a named type's JSON (`name`, and `namespace` when it differs from the
    /// enclosing one) and records its definition.
    fn define(
        &mut self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        enclosing: Option<&str>,
    ) -> Result<JsonMap<String, Json>> {
        let full = full_name(namespace, name);
        if !self.defined.insert(full.clone()) {
            return Err(from_err(format!(
                "Can't redefine: {full} (two different Connect schemas map to the same Avro \
                 name; give them distinct schema names)"
            )));
        }
        let mut map = JsonMap::new();
        map.insert("type".into(), Json::String(kind.into()));
        map.insert("name".into(), Json::String(name.into()));
        if namespace != enclosing {
            map.insert(
                "namespace".into(),
                Json::String(namespace.unwrap_or_default().into()),
            );
        }
        Ok(map)
    }

    /// `AvroData.fromConnectSchema(schema, ctx, ignoreOptional)`; `enclosing` is the
    /// namespace the JSON is written in.
    fn schema(
        &mut self,
        schema: &Schema,
        enclosing: Option<&str>,
        ignore_optional: bool,
    ) -> Result<Json> {
        if !is_union(schema) && !schema.is_optional() {
            if let Some(full) = self.reused.get(schema) {
                return Ok(Self::reference(full, enclosing));
            }
        }
        let mut connect_type = None;
        let mut base = JsonMap::new();
        let mut defines: Option<String> = None;
        match schema.schema_type() {
            SchemaType::Int8 => {
                connect_type = Some("int8");
                base.insert("type".into(), "int".into());
            }
            SchemaType::Int16 => {
                connect_type = Some("int16");
                base.insert("type".into(), "int".into());
            }
            SchemaType::Int32 => {
                base.insert("type".into(), "int".into());
            }
            SchemaType::Int64 => {
                base.insert("type".into(), "long".into());
            }
            SchemaType::Float32 => {
                base.insert("type".into(), "float".into());
            }
            SchemaType::Float64 => {
                base.insert("type".into(), "double".into());
            }
            SchemaType::Boolean => {
                base.insert("type".into(), "boolean".into());
            }
            SchemaType::String if is_enum(&self.config, schema) => {
                let params = schema.parameters();
                let prefix = format!("{AVRO_TYPE_ENUM}.");
                let symbols: Vec<Json> = params
                    .keys()
                    .filter_map(|k| k.strip_prefix(&prefix))
                    .map(|s| Json::String(s.to_owned()))
                    .collect();
                let (_, simple) = self.name_or_default(schema.name());
                let enum_full = params
                    .get(AVRO_TYPE_ENUM)
                    .map(String::as_str)
                    .unwrap_or_default();
                let (ns, enum_name) = split_name(enum_full);
                base = self.define("enum", ns, enum_name, enclosing)?;
                if let Some(doc) = params.get(&format!("{AVRO_ENUM_DOC_PREFIX_PROP}{simple}")) {
                    base.insert("doc".into(), doc.as_str().into());
                }
                base.insert("symbols".into(), Json::Array(symbols));
                if let Some(default) =
                    params.get(&format!("{AVRO_ENUM_DEFAULT_PREFIX_PROP}{simple}"))
                {
                    base.insert("default".into(), default.as_str().into());
                }
                defines = Some(enum_full.to_owned());
            }
            SchemaType::String => {
                base.insert("type".into(), "string".into());
            }
            SchemaType::Bytes => {
                match fixed_size(schema)? {
                    Some(size) => {
                        let (ns, name) = self.name_or_default(schema.name());
                        base = self.define("fixed", ns.as_deref(), &name, enclosing)?;
                        base.insert("size".into(), size.into());
                        defines = Some(full_name(ns.as_deref(), &name));
                    }
                    None => {
                        base.insert("type".into(), "bytes".into());
                    }
                }
                if is_logical(schema, DECIMAL_LOGICAL_NAME) {
                    base.insert("scale".into(), decimal_scale(schema)?.into());
                    base.insert("precision".into(), decimal_precision(schema)?.into());
                }
            }
            SchemaType::Array => {
                let items = self.schema(schema.value_schema()?, enclosing, false)?;
                base.insert("type".into(), "array".into());
                base.insert("items".into(), items);
            }
            SchemaType::Map => {
                let key = schema.key_schema()?;
                let value = schema.value_schema()?;
                if key.schema_type() == SchemaType::String && !key.is_optional() {
                    let values = self.schema(value, enclosing, false)?;
                    base.insert("type".into(), "map".into());
                    base.insert("values".into(), values);
                } else {
                    let (ns, name) = match schema.name() {
                        None => (Some(NAMESPACE.to_owned()), MAP_ENTRY_TYPE_NAME.to_owned()),
                        Some(_) => self.name_or_default(schema.name()),
                    };
                    let mut entry = self.define("record", ns.as_deref(), &name, enclosing)?;
                    let inner = ns.as_deref().or(enclosing);
                    let fields = vec![
                        self.field(KEY_FIELD, key, None, inner)?,
                        self.field(VALUE_FIELD, value, None, inner)?,
                    ];
                    entry.insert("fields".into(), Json::Array(fields));
                    if schema.name().is_some() {
                        entry.insert(
                            CONNECT_INTERNAL_TYPE_NAME.into(),
                            MAP_ENTRY_TYPE_NAME.into(),
                        );
                    }
                    base.insert("type".into(), "array".into());
                    base.insert("items".into(), Json::Object(entry));
                }
            }
            SchemaType::Struct if is_union(schema) => {
                let mut members = Vec::new();
                if schema.is_optional() {
                    members.push(Json::String("null".into()));
                }
                for field in schema.fields()? {
                    members.push(self.schema(&non_optional(field.schema())?, enclosing, true)?);
                }
                return Ok(Json::Array(members));
            }
            SchemaType::Struct if schema.is_optional() => {
                let inner = self.schema(&non_optional(schema)?, enclosing, false)?;
                return Ok(Json::Array(vec![Json::String("null".into()), inner]));
            }
            SchemaType::Struct => {
                let (ns, name) = self.name_or_default(schema.name());
                let mut record = self.define("record", ns.as_deref(), &name, enclosing)?;
                let params = schema.parameters();
                if let Some(doc) = params.get(AVRO_RECORD_DOC_PROP) {
                    record.insert("doc".into(), doc.as_str().into());
                }
                let inner = ns.as_deref().or(enclosing).map(str::to_owned);
                let mut fields = Vec::new();
                for field in schema.fields()? {
                    let doc = params.get(&format!("{AVRO_FIELD_DOC_PREFIX_PROP}{}", field.name()));
                    fields.push(self.field(
                        field.name(),
                        field.schema(),
                        doc.map(String::as_str),
                        inner.as_deref(),
                    )?);
                }
                record.insert("fields".into(), Json::Array(fields));
                base = record;
                defines = Some(full_name(ns.as_deref(), &name));
            }
        }

        if self.config.connect_meta_data {
            if let Some(doc) = schema.doc() {
                base.insert(CONNECT_DOC_PROP.into(), doc.into());
            }
            if let Some(version) = schema.version() {
                base.insert(CONNECT_VERSION_PROP.into(), version.into());
            }
            let params: JsonMap<String, Json> = schema
                .parameters()
                .iter()
                .filter(|(k, _)| k.as_str() != AVRO_FIELD_DEFAULT_FLAG_PROP)
                .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                .collect();
            if !params.is_empty() {
                base.insert(CONNECT_PARAMETERS_PROP.into(), Json::Object(params));
            }
            if let Some(default) = schema.default_value() {
                if !schema
                    .parameters()
                    .contains_key(AVRO_FIELD_DEFAULT_FLAG_PROP)
                {
                    base.insert(
                        CONNECT_DEFAULT_VALUE_PROP.into(),
                        default_from_connect(schema, default)?,
                    );
                }
            }
            if let Some(name) = schema.name() {
                base.insert(CONNECT_NAME_PROP.into(), name.into());
            }
            if let Some(connect_type) = connect_type {
                base.insert(CONNECT_TYPE_PROP.into(), connect_type.into());
            }
        }
        if is_logical(schema, DECIMAL_LOGICAL_NAME) {
            base.insert(LOGICAL_TYPE_PROP.into(), "decimal".into());
        } else if is_logical(schema, TIME_LOGICAL_NAME) {
            base.insert(LOGICAL_TYPE_PROP.into(), "time-millis".into());
        } else if is_logical(schema, TIMESTAMP_LOGICAL_NAME) {
            base.insert(LOGICAL_TYPE_PROP.into(), "timestamp-millis".into());
        } else if is_logical(schema, DATE_LOGICAL_NAME) {
            base.insert(LOGICAL_TYPE_PROP.into(), "date".into());
        }
        for (key, value) in schema.parameters() {
            if key.starts_with(AVRO_PROP) {
                base.insert(key.clone(), value.as_str().into());
            }
        }

        if let Some(full) = defines {
            if !schema.is_optional() {
                self.reused.insert(schema.clone(), full);
            }
        }
        let base = if base.len() == 1 {
            base.remove("type").unwrap_or(Json::Null)
        } else {
            Json::Object(base)
        };
        if ignore_optional || !schema.is_optional() {
            Ok(base)
        } else if schema.default_value().is_some() {
            Ok(Json::Array(vec![base, Json::String("null".into())]))
        } else {
            Ok(Json::Array(vec![Json::String("null".into()), base]))
        }
    }

    /// `AvroData.addAvroRecordField`.
    fn field(
        &mut self,
        name: &str,
        schema: &Schema,
        doc: Option<&str>,
        enclosing: Option<&str>,
    ) -> Result<Json> {
        let mut field = JsonMap::new();
        field.insert("name".into(), name.into());
        field.insert("type".into(), self.schema(schema, enclosing, false)?);
        if let Some(doc) = doc {
            field.insert("doc".into(), doc.into());
        }
        if let Some(default) = schema.default_value() {
            field.insert("default".into(), default_from_connect(schema, default)?);
        } else if schema.is_optional() {
            field.insert("default".into(), Json::Null);
        }
        Ok(Json::Object(field))
    }
}

/// `AvroData.isFixedSchema`: a named `BYTES` schema with `connect.fixed.size`.
fn fixed_size(schema: &Schema) -> Result<Option<u64>> {
    match (
        schema.name(),
        schema.parameters().get(CONNECT_AVRO_FIXED_SIZE_PROP),
    ) {
        (Some(_), Some(raw)) => raw.parse().map(Some).map_err(|_| {
            from_err(format!(
                "Bytes schema has an invalid {CONNECT_AVRO_FIXED_SIZE_PROP} parameter {raw:?}"
            ))
        }),
        _ => Ok(None),
    }
}

fn decimal_precision(schema: &Schema) -> Result<i64> {
    match schema.parameters().get(CONNECT_AVRO_DECIMAL_PRECISION_PROP) {
        None => Ok(CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT),
        Some(raw) => raw.parse().map_err(|_| {
            from_err(format!(
                "Decimal schema has an invalid {CONNECT_AVRO_DECIMAL_PRECISION_PROP} parameter \
                 {raw:?}"
            ))
        }),
    }
}

/// `AvroData.defaultValueFromConnect`: a Connect default as Avro default JSON (bytes as
/// ISO-8859-1 text, non-string-keyed maps as `[[key, value], ...]`).
fn default_from_connect(schema: &Schema, value: &Value) -> Result<Json> {
    let number = |f: f64| {
        serde_json::Number::from_f64(f)
            .map(Json::Number)
            .ok_or_else(|| from_err(format!("default value {f} is not representable in JSON")))
    };
    Ok(match value {
        Value::Null => Json::Null,
        Value::Int8(v) => (*v).into(),
        Value::Int16(v) => (*v).into(),
        Value::Int32(v) | Value::Date(v) | Value::Time(v) => (*v).into(),
        Value::Int64(v) | Value::Timestamp(v) => (*v).into(),
        // Through the shortest decimal text, as Jackson writes a float.
        Value::Float32(v) => number(v.to_string().parse().unwrap_or(f64::from(*v)))?,
        Value::Float64(v) => number(*v)?,
        Value::Boolean(v) => (*v).into(),
        Value::String(v) => v.as_str().into(),
        Value::Bytes(bytes) => latin1(bytes),
        Value::Decimal(d) => latin1(&Decimal::from_logical(schema, d)?),
        Value::Array(items) => {
            let element = schema.value_schema()?;
            Json::Array(
                items
                    .iter()
                    .map(|item| default_from_connect(element, item))
                    .collect::<Result<_>>()?,
            )
        }
        Value::Map(entries) => {
            let key_schema = schema.key_schema()?;
            let value_schema = schema.value_schema()?;
            if key_schema.schema_type() == SchemaType::String && !key_schema.is_optional() {
                let mut object = JsonMap::new();
                for (key, value) in entries {
                    let Value::String(key) = key else {
                        return Err(from_err("map default has a non-string key"));
                    };
                    object.insert(key.clone(), default_from_connect(value_schema, value)?);
                }
                Json::Object(object)
            } else {
                let mut array = Vec::new();
                for (key, value) in entries {
                    array.push(Json::Array(vec![
                        default_from_connect(key_schema, key)?,
                        default_from_connect(value_schema, value)?,
                    ]));
                }
                Json::Array(array)
            }
        }
        Value::Struct(st) => {
            let mut object = JsonMap::new();
            for field in schema.fields()? {
                object.insert(
                    field.name().to_owned(),
                    default_from_connect(field.schema(), st.get(field.name())?)?,
                );
            }
            Json::Object(object)
        }
    })
}

fn latin1(bytes: &[u8]) -> Json {
    Json::String(bytes.iter().map(|&b| char::from(b)).collect())
}

/// State of one `toConnectSchema` call.
struct ToConnect<'a> {
    config: AvroDataConfig,
    /// Named types by full name, with the namespace their definition encloses.
    named: HashMap<String, (&'a JsonMap<String, Json>, Option<String>)>,
    /// Named types being converted (a reference to one is a recursive schema).
    in_progress: HashSet<String>,
    /// The version of the schema under its subject in the registry, for the top-level schema
    /// when it has no `connect.version` (taken by the first schema converted).
    registry_version: Option<i32>,
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

fn type_name(map: &JsonMap<String, Json>) -> Result<&Json> {
    map.get("type").ok_or_else(|| {
        to_err(format!(
            "schema object without \"type\": {}",
            Json::Object(map.clone())
        ))
    })
}

/// The namespace and full name a named type's JSON defines inside `enclosing`.
fn defined_name(
    map: &JsonMap<String, Json>,
    enclosing: Option<&str>,
) -> Result<(Option<String>, String)> {
    let name = map
        .get("name")
        .and_then(Json::as_str)
        .ok_or_else(|| to_err("named type without a \"name\""))?;
    if name.contains('.') {
        let (ns, _) = split_name(name);
        return Ok((ns.map(str::to_owned), name.to_owned()));
    }
    let ns = match map.get("namespace").and_then(Json::as_str) {
        Some(ns) => Some(ns.to_owned()).filter(|ns| !ns.is_empty()),
        None => enclosing.map(str::to_owned),
    };
    let full = full_name(ns.as_deref(), name);
    Ok((ns, full))
}

impl<'a> ToConnect<'a> {
    /// Indexes every named type defined in `json`.
    fn collect_names(&mut self, json: &'a Json, enclosing: Option<&str>) -> Result<()> {
        match json {
            Json::Array(members) => {
                for member in members {
                    self.collect_names(member, enclosing)?;
                }
            }
            Json::Object(map) => match type_name(map)? {
                Json::String(kind)
                    if matches!(kind.as_str(), "record" | "error" | "enum" | "fixed") =>
                {
                    let (ns, full) = defined_name(map, enclosing)?;
                    self.named.insert(full, (map, ns.clone()));
                    if let Some(fields) = map.get("fields").and_then(Json::as_array) {
                        for field in fields {
                            if let Some(ty) = field.get("type") {
                                self.collect_names(ty, ns.as_deref())?;
                            }
                        }
                    }
                }
                Json::String(kind) if kind == "array" => {
                    if let Some(items) = map.get("items") {
                        self.collect_names(items, enclosing)?;
                    }
                }
                Json::String(kind) if kind == "map" => {
                    if let Some(values) = map.get("values") {
                        self.collect_names(values, enclosing)?;
                    }
                }
                Json::String(_) => {}
                nested => self.collect_names(nested, enclosing)?,
            },
            _ => {}
        }
        Ok(())
    }

    fn lookup(
        &self,
        name: &str,
        enclosing: Option<&str>,
    ) -> Option<(&'a JsonMap<String, Json>, Option<String>, String)> {
        let candidates = [
            (!name.contains('.')).then(|| full_name(enclosing, name)),
            Some(name.to_owned()),
        ];
        candidates.into_iter().flatten().find_map(|full| {
            self.named
                .get(&full)
                .map(|(map, ns)| (*map, ns.clone(), full.clone()))
        })
    }

    /// `AvroData.toConnectSchema(schema, forceOptional, fieldDefaultVal, docDefaultVal)`.
    fn schema(
        &mut self,
        json: &'a Json,
        enclosing: Option<&str>,
        force_optional: bool,
        field_default: Option<&Json>,
    ) -> Result<Schema> {
        match json {
            Json::String(name) if PRIMITIVES.contains(&name.as_str()) => {
                static EMPTY: std::sync::OnceLock<JsonMap<String, Json>> =
                    std::sync::OnceLock::new();
                let empty = EMPTY.get_or_init(JsonMap::new);
                self.object(empty, name, enclosing, force_optional, field_default)
            }
            Json::String(name) => {
                let (map, _, full) = self
                    .lookup(name, enclosing)
                    .ok_or_else(|| to_err(format!("unknown type name {name:?}")))?;
                if !self.in_progress.insert(full.clone()) {
                    return Err(to_err(format!(
                        "recursive schema {full} is not supported by this converter"
                    )));
                }
                let ns = split_name(&full).0.map(str::to_owned);
                let kind = type_name(map)?.as_str().unwrap_or_default().to_owned();
                let result = self.object(
                    map,
                    &kind,
                    ns.as_deref().or(enclosing),
                    force_optional,
                    field_default,
                );
                self.in_progress.remove(&full);
                result
            }
            Json::Array(members) => self.union(members, enclosing, force_optional),
            Json::Object(map) => match type_name(map)? {
                Json::String(kind) => {
                    let named = matches!(kind.as_str(), "record" | "error" | "enum" | "fixed");
                    if named {
                        let (ns, full) = defined_name(map, enclosing)?;
                        self.in_progress.insert(full.clone());
                        let result =
                            self.object(map, kind, ns.as_deref(), force_optional, field_default);
                        self.in_progress.remove(&full);
                        result
                    } else {
                        self.object(map, kind, enclosing, force_optional, field_default)
                    }
                }
                nested => self.schema(nested, enclosing, force_optional, field_default),
            },
            other => Err(to_err(format!("not an Avro schema: {other}"))),
        }
    }

    fn union(
        &mut self,
        members: &'a [Json],
        enclosing: Option<&str>,
        force_optional: bool,
    ) -> Result<Schema> {
        let is_null = |m: &Json| m == "null" || m.get("type").is_some_and(|t| t == "null");
        if members.len() == 2 && members.iter().any(is_null) {
            if let Some(member) = members.iter().find(|m| !is_null(m)) {
                return self.schema(member, enclosing, true, None);
            }
        }
        let mut builder = SchemaBuilder::struct_().name(AVRO_TYPE_UNION);
        let mut names = HashSet::new();
        for member in members {
            if is_null(member) {
                builder = builder.optional();
                continue;
            }
            let schema = self.schema(member, enclosing, true, None)?;
            let field_name = self.union_member_name(member, enclosing)?;
            if !names.insert(field_name.clone()) {
                return Err(to_err(format!(
                    "Multiple union schemas map to the Connect union field name {field_name}"
                )));
            }
            builder = builder.field(field_name, schema);
        }
        if force_optional {
            builder = builder.optional();
        }
        Ok(builder.build()?)
    }

    /// `AvroData.unionMemberFieldName(org.apache.avro.Schema)`.
    fn union_member_name(&self, member: &Json, enclosing: Option<&str>) -> Result<String> {
        let full = match member {
            Json::String(name) if PRIMITIVES.contains(&name.as_str()) => return Ok(name.clone()),
            Json::String(name) => match self.lookup(name, enclosing) {
                Some((_, _, full)) => full,
                None => return Err(to_err(format!("unknown type name {name:?}"))),
            },
            Json::Object(map) => match type_name(map)?.as_str() {
                Some("record" | "error" | "enum" | "fixed") => defined_name(map, enclosing)?.1,
                Some(kind) => return Ok(kind.to_owned()),
                None => return Err(to_err("a union member's type must be a name")),
            },
            other => return Err(to_err(format!("invalid union member {other}"))),
        };
        if self.config.enhanced_avro_schema_support {
            Ok(full)
        } else {
            Ok(split_name(&full).1.to_owned())
        }
    }

    fn object(
        &mut self,
        map: &'a JsonMap<String, Json>,
        kind: &str,
        enclosing: Option<&str>,
        force_optional: bool,
        field_default: Option<&Json>,
    ) -> Result<Schema> {
        let prop_str = |key: &str| map.get(key).and_then(Json::as_str);
        let connect_type = prop_str(CONNECT_TYPE_PROP);
        let logical = prop_str(LOGICAL_TYPE_PROP);
        let is = |l: &str| logical.is_some_and(|t| t.eq_ignore_ascii_case(l));
        let mut params: BTreeMap<String, String> = BTreeMap::new();
        let mut name: Option<String> = None;
        let mut version: Option<i32> = None;
        let registry_version = self.registry_version.take();
        let mut builder = match kind {
            "boolean" => SchemaBuilder::boolean(),
            "bytes" | "fixed" if is("decimal") => {
                // In Avro the scale is optional and defaults to 0.
                let scale = map.get("scale").and_then(Json::as_i64).unwrap_or(0);
                params.insert(DECIMAL_SCALE_PARAMETER.into(), scale.to_string());
                if let Some(precision) = map.get("precision") {
                    let precision = precision
                        .as_i64()
                        .ok_or_else(|| to_err("precision property must be a JSON Integer."))?;
                    if precision != CONNECT_AVRO_DECIMAL_PRECISION_DEFAULT {
                        params.insert(
                            CONNECT_AVRO_DECIMAL_PRECISION_PROP.into(),
                            precision.to_string(),
                        );
                    }
                }
                name = Some(DECIMAL_LOGICAL_NAME.into());
                version = Some(1);
                SchemaBuilder::bytes()
            }
            "bytes" | "fixed" => SchemaBuilder::bytes(),
            "double" => SchemaBuilder::float64(),
            "float" => SchemaBuilder::float32(),
            "int" if logical.is_some() => {
                if is("date") {
                    name = Some(DATE_LOGICAL_NAME.into());
                    version = Some(1);
                } else if is("time-millis") {
                    name = Some(TIME_LOGICAL_NAME.into());
                    version = Some(1);
                }
                SchemaBuilder::int32()
            }
            "int" => match connect_type {
                None => SchemaBuilder::int32(),
                Some("int8") => SchemaBuilder::int8(),
                Some("int16") => SchemaBuilder::int16(),
                Some(other) => {
                    return Err(to_err(format!(
                    "Connect type annotation for Avro int field is {other:?}; expected \"int8\" \
                         or \"int16\""
                )))
                }
            },
            "long" => {
                if is("timestamp-millis") {
                    name = Some(TIMESTAMP_LOGICAL_NAME.into());
                    version = Some(1);
                }
                SchemaBuilder::int64()
            }
            "string" => SchemaBuilder::string(),
            "array" => {
                let items = map
                    .get("items")
                    .ok_or_else(|| to_err("array without items"))?;
                match self.map_entry(items, enclosing)? {
                    Some((key, value)) => SchemaBuilder::map(
                        self.schema(key, enclosing, false, None)?,
                        self.schema(value, enclosing, false, None)?,
                    ),
                    None => SchemaBuilder::array(self.schema(items, enclosing, false, None)?),
                }
            }
            "map" => {
                let values = map
                    .get("values")
                    .ok_or_else(|| to_err("map without values"))?;
                SchemaBuilder::map(
                    Schema::string(),
                    self.schema(values, enclosing, false, None)?,
                )
            }
            "record" | "error" => {
                let mut builder = SchemaBuilder::struct_();
                if self.config.connect_meta_data {
                    if let Some(doc) = prop_str("doc") {
                        params.insert(AVRO_RECORD_DOC_PROP.into(), doc.into());
                    }
                }
                let fields = map
                    .get("fields")
                    .and_then(Json::as_array)
                    .ok_or_else(|| to_err("record without fields"))?;
                for field in fields {
                    let field_name = field
                        .get("name")
                        .and_then(Json::as_str)
                        .ok_or_else(|| to_err("record field without a name"))?;
                    if self.config.connect_meta_data {
                        if let Some(doc) = field.get("doc").and_then(Json::as_str) {
                            params.insert(
                                format!("{AVRO_FIELD_DOC_PREFIX_PROP}{field_name}"),
                                doc.into(),
                            );
                        }
                    }
                    let ty = field.get("type").ok_or_else(|| {
                        to_err(format!("record field {field_name} without a type"))
                    })?;
                    let schema = self.schema(ty, enclosing, false, field.get("default"))?;
                    builder = builder.field(field_name, schema);
                }
                builder
            }
            "enum" => {
                let (_, full) = defined_name(map, enclosing)?;
                let simple = split_name(&full).1.to_owned();
                if self.config.connect_meta_data {
                    if let Some(doc) = prop_str("doc") {
                        params.insert(format!("{AVRO_ENUM_DOC_PREFIX_PROP}{simple}"), doc.into());
                    }
                    if let Some(default) = prop_str("default") {
                        params.insert(
                            format!("{AVRO_ENUM_DEFAULT_PREFIX_PROP}{simple}"),
                            default.into(),
                        );
                    }
                }
                params.insert(AVRO_TYPE_ENUM.into(), full.clone());
                for symbol in map
                    .get("symbols")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    let symbol = symbol
                        .as_str()
                        .ok_or_else(|| to_err("enum symbol is not a string"))?;
                    params.insert(format!("{AVRO_TYPE_ENUM}.{symbol}"), symbol.into());
                }
                SchemaBuilder::string()
            }
            "null" => {
                return Err(to_err(
                    "Standalone null schemas are not supported by this converter",
                ))
            }
            other => {
                return Err(to_err(format!(
                    "Couldn't translate unsupported schema type {other}."
                )))
            }
        };
        if kind == "fixed" {
            let size = map
                .get("size")
                .and_then(Json::as_u64)
                .ok_or_else(|| to_err("fixed without a numeric size"))?;
            params.insert(CONNECT_AVRO_FIXED_SIZE_PROP.into(), size.to_string());
        }

        if self.config.connect_meta_data {
            if let Some(doc) = prop_str(CONNECT_DOC_PROP) {
                builder = builder.doc(doc);
            }
        }
        // "Included Kafka Connect version takes priority, fall back to schema registry
        // version" (the latter only for the top-level schema).
        let source_version = match map.get(CONNECT_VERSION_PROP) {
            Some(v) => Some(
                v.as_i64()
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(|| to_err(format!("Invalid Connect version found: {v}")))?,
            ),
            None => registry_version,
        };
        if let Some(v) = source_version {
            if version.is_some_and(|existing| existing != v) {
                return Err(to_err(format!(
                    "Mismatched versions: version already added to SchemaBuilder ({}) differs \
                     from version in source schema ({v})",
                    version.unwrap_or_default()
                )));
            }
            version = Some(v);
        }
        if self.config.connect_meta_data {
            if let Some(p) = map.get(CONNECT_PARAMETERS_PROP) {
                let p = p.as_object().ok_or_else(|| {
                    to_err(format!(
                        "Expected JSON object for schema parameters but found: {p}"
                    ))
                })?;
                for (key, value) in p {
                    let value = value.as_str().ok_or_else(|| {
                        to_err(format!(
                            "Expected schema parameter values to be strings but found: {value}"
                        ))
                    })?;
                    params.insert(key.clone(), value.into());
                }
            }
        }
        for (key, value) in map {
            if key.starts_with(AVRO_PROP) {
                let text = match value {
                    Json::String(s) => s.clone(),
                    other => other.to_string(),
                };
                params.insert(key.clone(), text);
            }
        }
        let connect_default = map.get(CONNECT_DEFAULT_VALUE_PROP);
        let default = match (field_default, connect_default) {
            (None, connect) => connect,
            (Some(field), None) => {
                if self.config.connect_meta_data {
                    params.insert(AVRO_FIELD_DEFAULT_FLAG_PROP.into(), "true".into());
                }
                Some(field)
            }
            (Some(field), Some(_)) => Some(field),
        };
        let schema_name = match prop_str(CONNECT_NAME_PROP) {
            Some(n) => Some(n.to_owned()),
            None if matches!(kind, "record" | "error" | "enum" | "fixed") => {
                Some(defined_name(map, enclosing)?.1)
            }
            None => None,
        };
        if let Some(n) = schema_name.filter(|n| !n.starts_with(DEFAULT_SCHEMA_FULL_NAME)) {
            if name.as_ref().is_some_and(|existing| existing != &n) {
                return Err(to_err(format!(
                    "Mismatched names: name already added to SchemaBuilder ({}) differs from \
                     name in source schema ({n})",
                    name.unwrap_or_default()
                )));
            }
            name = Some(n);
        }
        if let Some(name) = &name {
            builder = builder.name(name);
        }
        if let Some(version) = version {
            builder = builder.version(version);
        }
        for (key, value) in params {
            builder = builder.parameter(key, value);
        }
        if force_optional {
            builder = builder.optional();
        }
        if let Some(default) = default {
            // Java logs and ignores a default it cannot convert ("Ignoring invalid default").
            let without_default = builder.clone().build()?;
            match default_from_avro(&without_default, default) {
                Ok(Some(value)) if without_default.validate_value(&value).is_ok() => {
                    builder = builder.default_value(value);
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "Ignoring invalid default {default} for Avro schema");
                }
            }
        }
        Ok(builder.build()?)
    }

    /// `AvroData.isMapEntry`: the key and value schemas of a `MapEntry` record.
    fn map_entry(
        &self,
        items: &'a Json,
        enclosing: Option<&str>,
    ) -> Result<Option<(&'a Json, &'a Json)>> {
        let (map, full) = match items {
            Json::Object(map) if type_name(map)? == "record" => {
                (map, defined_name(map, enclosing)?.1)
            }
            Json::String(name) => match self.lookup(name, enclosing) {
                Some((map, _, full)) if type_name(map)? == "record" => (map, full),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        let internal = map.get(CONNECT_INTERNAL_TYPE_NAME).and_then(Json::as_str);
        if full != format!("{NAMESPACE}.{MAP_ENTRY_TYPE_NAME}")
            && internal != Some(MAP_ENTRY_TYPE_NAME)
        {
            return Ok(None);
        }
        let fields = map.get("fields").and_then(Json::as_array);
        let field = |name: &str| {
            fields
                .into_iter()
                .flatten()
                .find(|f| f.get("name").and_then(Json::as_str) == Some(name))
                .and_then(|f| f.get("type"))
        };
        match (fields.map(Vec::len), field(KEY_FIELD), field(VALUE_FIELD)) {
            (Some(2), Some(key), Some(value)) => Ok(Some((key, value))),
            _ => Err(to_err(
                "Found map encoded as array of key-value pairs, but array elements do not match \
                 the expected format.",
            )),
        }
    }
}

/// `AvroData.defaultValueFromAvro`: a default in Avro JSON as a Connect value (None where
/// Java yields null, including JSON of the wrong shape).
fn default_from_avro(schema: &Schema, json: &Json) -> Result<Option<Value>> {
    if json.is_null() {
        return Ok(None);
    }
    let value = match schema.schema_type() {
        // Java narrows with casts (`(byte) jsonValue.intValue()`), so out-of-range defaults wrap.
        #[allow(clippy::cast_possible_truncation)]
        SchemaType::Int8 => json.as_i64().map(|v| Value::Int8(v as i32 as i8)),
        #[allow(clippy::cast_possible_truncation)]
        SchemaType::Int16 => json.as_i64().map(|v| Value::Int16(v as i32 as i16)),
        #[allow(clippy::cast_possible_truncation)]
        SchemaType::Int32 => json.as_i64().map(|v| v as i32).map(|v| {
            if is_logical(schema, DATE_LOGICAL_NAME) {
                Value::Date(v)
            } else if is_logical(schema, TIME_LOGICAL_NAME) {
                Value::Time(v)
            } else {
                Value::Int32(v)
            }
        }),
        SchemaType::Int64 => json.as_i64().map(|v| {
            if is_logical(schema, TIMESTAMP_LOGICAL_NAME) {
                Value::Timestamp(v)
            } else {
                Value::Int64(v)
            }
        }),
        #[allow(clippy::cast_possible_truncation)]
        SchemaType::Float32 => json.as_f64().map(|v| Value::Float32(v as f32)),
        SchemaType::Float64 => json.as_f64().map(Value::Float64),
        SchemaType::Boolean => json.as_bool().map(Value::Boolean),
        SchemaType::String => json.as_str().map(|s| Value::String(s.to_owned())),
        SchemaType::Bytes => match json.as_str() {
            Some(text) => {
                let bytes: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
                match bytes {
                    Some(bytes) if is_logical(schema, DECIMAL_LOGICAL_NAME) => {
                        Some(Value::Decimal(Decimal::to_logical(schema, &bytes)?))
                    }
                    Some(bytes) => Some(Value::Bytes(bytes)),
                    None => None,
                }
            }
            None => None,
        },
        SchemaType::Array => match json.as_array() {
            Some(items) => {
                let element = schema.value_schema()?;
                let mut out = Vec::new();
                for item in items {
                    out.push(default_from_avro(element, item)?.unwrap_or(Value::Null));
                }
                Some(Value::Array(out))
            }
            None => None,
        },
        SchemaType::Map => {
            let key_schema = schema.key_schema()?;
            let value_schema = schema.value_schema()?;
            match json {
                Json::Object(object) => {
                    let mut entries = Vec::new();
                    for (key, value) in object {
                        entries.push((
                            Value::String(key.clone()),
                            default_from_avro(value_schema, value)?.unwrap_or(Value::Null),
                        ));
                    }
                    Some(Value::Map(entries))
                }
                Json::Array(items) => {
                    let mut entries = Vec::new();
                    for item in items {
                        let (key, value) = match item {
                            Json::Array(pair) if pair.len() == 2 => (&pair[0], &pair[1]),
                            Json::Object(o) => match (o.get(KEY_FIELD), o.get(VALUE_FIELD)) {
                                (Some(k), Some(v)) => (k, v),
                                _ => return Ok(None),
                            },
                            _ => return Ok(None),
                        };
                        entries.push((
                            default_from_avro(key_schema, key)?.unwrap_or(Value::Null),
                            default_from_avro(value_schema, value)?.unwrap_or(Value::Null),
                        ));
                    }
                    Some(Value::Map(entries))
                }
                _ => None,
            }
        }
        SchemaType::Struct if is_union(schema) => None,
        SchemaType::Struct => match json.as_object() {
            Some(object) => {
                let mut st = Struct::new(schema.clone())?;
                for field in schema.fields()? {
                    if let Some(value) = object.get(field.name()) {
                        if let Some(value) = default_from_avro(field.schema(), value)? {
                            st.put(field.name(), value)?;
                        }
                    }
                }
                Some(Value::Struct(st))
            }
            None => None,
        },
    };
    Ok(value)
}

/// Walks a Connect schema and the parsed Avro schema side by side to convert values.
struct ValueWalk<'s> {
    names: &'s HashMap<Name, &'s Avro>,
}

impl<'s> ValueWalk<'s> {
    fn resolve<'a>(&self, avro: &'a Avro) -> Result<&'a Avro>
    where
        's: 'a,
    {
        match avro {
            Avro::Ref { name } => self
                .names
                .get(name)
                .copied()
                .ok_or_else(|| data_err(format!("unresolved Avro type reference {name}"))),
            other => Ok(other),
        }
    }

    /// `AvroData.fromConnectData`.
    fn to_avro(&self, schema: &Schema, avro: &Avro, value: &Value) -> Result<AvroValue> {
        let avro = self.resolve(avro)?;
        if let Avro::Union(union) = avro {
            let variants = union.variants();
            let null_index = variants.iter().position(|v| matches!(v, Avro::Null));
            if value.is_null() {
                let index = null_index
                    .ok_or_else(|| data_err("Found null value for non-optional schema"))?;
                return Ok(AvroValue::Union(
                    index_u32(index)?,
                    Box::new(AvroValue::Null),
                ));
            }
            let non_null: Vec<usize> = (0..variants.len())
                .filter(|i| Some(*i) != null_index)
                .collect();
            if is_union(schema) {
                let Value::Struct(st) = value else {
                    return Err(data_err("a Connect union value must be a Struct"));
                };
                for (position, field) in schema.fields()?.iter().enumerate() {
                    let member = st.get(field.name())?;
                    if !member.is_null() {
                        let index = *non_null
                            .get(position)
                            .ok_or_else(|| data_err("union field without an Avro union member"))?;
                        let converted = self.to_avro(field.schema(), &variants[index], member)?;
                        return Ok(AvroValue::Union(index_u32(index)?, Box::new(converted)));
                    }
                }
                let index = null_index
                    .ok_or_else(|| data_err("Found null value for non-optional schema"))?;
                return Ok(AvroValue::Union(
                    index_u32(index)?,
                    Box::new(AvroValue::Null),
                ));
            }
            let index = *non_null
                .first()
                .ok_or_else(|| data_err("optional schema's Avro union has no non-null member"))?;
            let converted = self.to_avro(schema, &variants[index], value)?;
            return Ok(AvroValue::Union(index_u32(index)?, Box::new(converted)));
        }
        Ok(match value {
            Value::Null => return Err(data_err("Found null value for non-optional schema")),
            Value::Int8(v) => AvroValue::Int(i32::from(*v)),
            Value::Int16(v) => AvroValue::Int(i32::from(*v)),
            Value::Int32(v) => AvroValue::Int(*v),
            Value::Int64(v) => AvroValue::Long(*v),
            Value::Float32(v) => AvroValue::Float(*v),
            Value::Float64(v) => AvroValue::Double(*v),
            Value::Boolean(v) => AvroValue::Boolean(*v),
            Value::String(v) => match avro {
                Avro::Enum(e) => {
                    let index = e.symbols.iter().position(|s| s == v).ok_or_else(|| {
                        data_err(format!("{v:?} is not a symbol of enum {}", e.name))
                    })?;
                    AvroValue::Enum(index_u32(index)?, v.clone())
                }
                _ => AvroValue::String(v.clone()),
            },
            Value::Bytes(v) => match avro {
                Avro::Fixed(fixed) if fixed.size == v.len() => AvroValue::Fixed(v.len(), v.clone()),
                Avro::Fixed(fixed) => {
                    return Err(data_err(format!(
                        "{} bytes for Avro fixed {} of size {}",
                        v.len(),
                        fixed.name,
                        fixed.size
                    )))
                }
                _ => AvroValue::Bytes(v.clone()),
            },
            Value::Decimal(d) => {
                let bytes = Decimal::from_logical(schema, d)?;
                match avro {
                    Avro::Decimal(_) => AvroValue::Decimal(apache_avro::Decimal::from(bytes)),
                    _ => AvroValue::Bytes(bytes),
                }
            }
            Value::Date(v) => match avro {
                Avro::Date => AvroValue::Date(*v),
                _ => AvroValue::Int(*v),
            },
            Value::Time(v) => match avro {
                Avro::TimeMillis => AvroValue::TimeMillis(*v),
                _ => AvroValue::Int(*v),
            },
            Value::Timestamp(v) => match avro {
                Avro::TimestampMillis => AvroValue::TimestampMillis(*v),
                _ => AvroValue::Long(*v),
            },
            Value::Array(items) => {
                let Avro::Array(array) = avro else {
                    return Err(data_err("Connect array without an Avro array schema"));
                };
                let element = schema.value_schema()?;
                AvroValue::Array(
                    items
                        .iter()
                        .map(|item| self.to_avro(element, &array.items, item))
                        .collect::<Result<_>>()?,
                )
            }
            Value::Map(entries) => {
                let key_schema = schema.key_schema()?;
                let value_schema = schema.value_schema()?;
                match avro {
                    Avro::Map(map) => {
                        let mut out = HashMap::with_capacity(entries.len());
                        for (key, value) in entries {
                            let Value::String(key) = key else {
                                return Err(data_err("Avro map key must be a string"));
                            };
                            out.insert(key.clone(), self.to_avro(value_schema, &map.types, value)?);
                        }
                        AvroValue::Map(out)
                    }
                    Avro::Array(array) => {
                        let Avro::Record(entry) = self.resolve(&array.items)? else {
                            return Err(data_err("MapEntry array without a record"));
                        };
                        let field = |name: &str| {
                            entry
                                .fields
                                .iter()
                                .find(|f| f.name == name)
                                .map(|f| &f.schema)
                                .ok_or_else(|| data_err(format!("MapEntry record without {name}")))
                        };
                        let (key_avro, value_avro) = (field(KEY_FIELD)?, field(VALUE_FIELD)?);
                        let mut out = Vec::with_capacity(entries.len());
                        for (key, value) in entries {
                            out.push(AvroValue::Record(vec![
                                (
                                    KEY_FIELD.to_owned(),
                                    self.to_avro(key_schema, key_avro, key)?,
                                ),
                                (
                                    VALUE_FIELD.to_owned(),
                                    self.to_avro(value_schema, value_avro, value)?,
                                ),
                            ]));
                        }
                        AvroValue::Array(out)
                    }
                    _ => return Err(data_err("Connect map without an Avro map or array schema")),
                }
            }
            Value::Struct(st) => {
                if st.schema() != schema {
                    return Err(data_err("Mismatching struct schema"));
                }
                let Avro::Record(record) = avro else {
                    return Err(data_err("Connect struct without an Avro record schema"));
                };
                let mut fields = Vec::with_capacity(record.fields.len());
                for avro_field in &record.fields {
                    let field = schema.field(&avro_field.name)?.ok_or_else(|| {
                        data_err(format!(
                            "Avro field {} has no Connect field",
                            avro_field.name
                        ))
                    })?;
                    let converted =
                        self.to_avro(field.schema(), &avro_field.schema, st.get(field.name())?)?;
                    fields.push((avro_field.name.clone(), converted));
                }
                AvroValue::Record(fields)
            }
        })
    }

    /// `AvroData.toConnectData`.
    fn to_connect(&self, schema: &Schema, avro: &Avro, value: &AvroValue) -> Result<Value> {
        let avro = self.resolve(avro)?;
        if let AvroValue::Union(index, inner) = value {
            let Avro::Union(union) = avro else {
                return Err(data_err("Avro union value for a non-union schema"));
            };
            let variants = union.variants();
            let index =
                usize::try_from(*index).map_err(|_| data_err("union index out of range"))?;
            let variant = variants
                .get(index)
                .ok_or_else(|| data_err(format!("union index {index} out of range")))?;
            if matches!(**inner, AvroValue::Null) {
                return self.null(schema);
            }
            if is_union(schema) {
                let position = variants[..index]
                    .iter()
                    .filter(|v| !matches!(v, Avro::Null))
                    .count();
                let field = schema
                    .fields()?
                    .get(position)
                    .ok_or_else(|| data_err("union member without a Connect field"))?;
                let converted = self.to_connect(field.schema(), variant, inner)?;
                let mut st = Struct::new(schema.clone())?;
                st.put(field.name(), converted)?;
                return Ok(Value::Struct(st));
            }
            return self.to_connect(schema, variant, inner);
        }
        let mismatch = || {
            data_err(format!(
                "Avro value {value:?} does not match the Connect schema {schema}"
            ))
        };
        let converted = match (schema.schema_type(), value) {
            (_, AvroValue::Null) => return self.null(schema),
            (SchemaType::Int8, AvroValue::Int(v)) => {
                Value::Int8(i8::try_from(*v).map_err(|_| mismatch())?)
            }
            (SchemaType::Int16, AvroValue::Int(v)) => {
                Value::Int16(i16::try_from(*v).map_err(|_| mismatch())?)
            }
            (
                SchemaType::Int32,
                AvroValue::Int(v) | AvroValue::Date(v) | AvroValue::TimeMillis(v),
            ) => {
                if is_logical(schema, DATE_LOGICAL_NAME) {
                    Value::Date(*v)
                } else if is_logical(schema, TIME_LOGICAL_NAME) {
                    Value::Time(*v)
                } else {
                    Value::Int32(*v)
                }
            }
            (SchemaType::Int64, AvroValue::Long(v) | AvroValue::TimestampMillis(v)) => {
                if is_logical(schema, TIMESTAMP_LOGICAL_NAME) {
                    Value::Timestamp(*v)
                } else {
                    Value::Int64(*v)
                }
            }
            (SchemaType::Float32, AvroValue::Float(v)) => Value::Float32(*v),
            (SchemaType::Float64, AvroValue::Double(v)) => Value::Float64(*v),
            (SchemaType::Boolean, AvroValue::Boolean(v)) => Value::Boolean(*v),
            (SchemaType::String, AvroValue::String(v) | AvroValue::Enum(_, v)) => {
                Value::String(v.clone())
            }
            (SchemaType::Bytes, AvroValue::Bytes(bytes) | AvroValue::Fixed(_, bytes)) => {
                if is_logical(schema, DECIMAL_LOGICAL_NAME) {
                    Value::Decimal(Decimal::to_logical(schema, bytes)?)
                } else {
                    Value::Bytes(bytes.clone())
                }
            }
            (SchemaType::Bytes, AvroValue::Decimal(d)) => {
                let bytes = Vec::<u8>::try_from(d)?;
                Value::Decimal(Decimal::to_logical(schema, &bytes)?)
            }
            (SchemaType::Array, AvroValue::Array(items)) => {
                let Avro::Array(array) = avro else {
                    return Err(mismatch());
                };
                let element = schema.value_schema()?;
                Value::Array(
                    items
                        .iter()
                        .map(|item| self.to_connect(element, &array.items, item))
                        .collect::<Result<_>>()?,
                )
            }
            (SchemaType::Map, AvroValue::Map(map)) => {
                let Avro::Map(avro_map) = avro else {
                    return Err(mismatch());
                };
                let value_schema = schema.value_schema()?;
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut entries = Vec::with_capacity(map.len());
                for key in keys {
                    let converted = self.to_connect(value_schema, &avro_map.types, &map[key])?;
                    entries.push((Value::String(key.clone()), converted));
                }
                Value::Map(entries)
            }
            (SchemaType::Map, AvroValue::Array(items)) => {
                let Avro::Array(array) = avro else {
                    return Err(mismatch());
                };
                let Avro::Record(entry) = self.resolve(&array.items)? else {
                    return Err(mismatch());
                };
                let avro_field = |name: &str| {
                    entry
                        .fields
                        .iter()
                        .find(|f| f.name == name)
                        .map(|f| &f.schema)
                        .ok_or_else(|| data_err(format!("MapEntry record without {name}")))
                };
                let (key_avro, value_avro) = (avro_field(KEY_FIELD)?, avro_field(VALUE_FIELD)?);
                let mut entries = Vec::with_capacity(items.len());
                for item in items {
                    let AvroValue::Record(fields) = item else {
                        return Err(mismatch());
                    };
                    let get = |name: &str| {
                        fields
                            .iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, v)| v)
                            .ok_or_else(|| data_err(format!("MapEntry value without {name}")))
                    };
                    entries.push((
                        self.to_connect(schema.key_schema()?, key_avro, get(KEY_FIELD)?)?,
                        self.to_connect(schema.value_schema()?, value_avro, get(VALUE_FIELD)?)?,
                    ));
                }
                Value::Map(entries)
            }
            (SchemaType::Struct, AvroValue::Record(fields)) => {
                let Avro::Record(record) = avro else {
                    return Err(mismatch());
                };
                let mut st = Struct::new(schema.clone())?;
                for (name, field_value) in fields {
                    let field = schema.field(name)?.ok_or_else(|| {
                        data_err(format!("Avro field {name} has no Connect field"))
                    })?;
                    let avro_field =
                        record
                            .fields
                            .iter()
                            .find(|f| &f.name == name)
                            .ok_or_else(|| {
                                data_err(format!("Avro value field {name} not in the schema"))
                            })?;
                    let converted =
                        self.to_connect(field.schema(), &avro_field.schema, field_value)?;
                    st.put(name, converted)?;
                }
                Value::Struct(st)
            }
            _ => return Err(mismatch()),
        };
        Ok(converted)
    }

    fn null(&self, schema: &Schema) -> Result<Value> {
        if schema.is_optional() {
            Ok(Value::Null)
        } else {
            Err(data_err("Found null value for non-optional schema"))
        }
    }
}

fn index_u32(index: usize) -> Result<u32> {
    u32::try_from(index).map_err(|_| data_err("union index out of range"))
}
