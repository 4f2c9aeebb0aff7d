//! `org.apache.kafka.connect.json.JsonConverter`, byte for byte.
//!
//! With `schemas.enable=true` (the default) every record is the envelope
//! `{"schema":{…},"payload":…}`, the schema written in Kafka's JSON schema format; with
//! `schemas.enable=false` the payload alone is written, and reading infers Connect values
//! (integers → `INT64`, other numbers → `FLOAT64`, objects → `MAP`, arrays → `ARRAY`).
//!
//! Where Kafka's Jackson calls silently coerce a mismatched payload (`false` for a number
//! read as `BOOLEAN`, `0` for a string read as `INT32`, a wrapped value for an out-of-range
//! integer), this converter reports a data error instead. Trailing content after the JSON
//! document is also an error (Jackson ignores it). Non-finite floats are written as the
//! strings `"NaN"`, `"Infinity"`, `"-Infinity"` like Jackson, and read back from them.

#[cfg(test)]
mod tests;
mod text;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use parking_lot::Mutex;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator, Width};
use connect_api::data::{
    Date, Decimal, Schema, SchemaBuilder, SchemaType, Struct, Time, Timestamp, Value,
    DATE_LOGICAL_NAME, DECIMAL_LOGICAL_NAME, TIMESTAMP_LOGICAL_NAME, TIME_LOGICAL_NAME,
};
use connect_api::ConnectError;

use super::format::{
    base64_decode, base64_encode, java_big_decimal, java_double, java_float, parse_big_decimal,
};
use super::{
    converter_and_header_converter, converter_config_def, with_converter_type, ConverterType,
    SchemaAndValue,
};
use text::Json;

/// `schemas.enable`.
pub const SCHEMAS_ENABLE_CONFIG: &str = "schemas.enable";
/// `schemas.cache.size`.
pub const SCHEMAS_CACHE_SIZE_CONFIG: &str = "schemas.cache.size";
/// `decimal.format`.
pub const DECIMAL_FORMAT_CONFIG: &str = "decimal.format";
/// `replace.null.with.default`.
pub const REPLACE_NULL_WITH_DEFAULT_CONFIG: &str = "replace.null.with.default";

const ENVELOPE_ERROR: &str = "JsonConverter with schemas.enable requires \"schema\" and \
     \"payload\" fields and may not contain additional fields. If you are trying to \
     deserialize plain JSON data, set schemas.enable=false in your converter configuration.";

/// How `Decimal` values are written (`decimal.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalFormat {
    /// The unscaled value's two's complement bytes, base64-encoded (Kafka's default).
    #[default]
    Base64,
    /// A JSON number, e.g. `1.56`.
    Numeric,
}

/// Kafka's `JsonConverter`; see the module documentation.
#[derive(Debug, Clone)]
pub struct JsonConverter {
    schemas_enabled: bool,
    decimal_format: DecimalFormat,
    replace_null_with_default: bool,
    /// The envelope's `schema` text by Connect schema (Kafka's `fromConnectSchemaCache`,
    /// bounded by `schemas.cache.size`): rebuilding it took a sixth of a JDBC source's CPU.
    schema_cache: Arc<Mutex<SchemaCache>>,
}

/// Serialised envelope schemas, emptied when full.
#[derive(Debug)]
struct SchemaCache {
    limit: usize,
    texts: HashMap<Schema, Arc<str>>,
}

impl SchemaCache {
    fn new(limit: usize) -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(Self {
            limit,
            texts: HashMap::new(),
        }))
    }
}

/// Kafka's default `schemas.cache.size`.
const DEFAULT_SCHEMAS_CACHE_SIZE: usize = 1000;

impl Default for JsonConverter {
    fn default() -> Self {
        Self::new()
    }
}

fn data_error(message: impl Into<String>) -> ConnectError {
    ConnectError::data(message)
}

impl JsonConverter {
    /// A converter with Kafka's defaults: envelopes on, BASE64 decimals, nulls replaced by
    /// defaults.
    pub fn new() -> Self {
        Self {
            schemas_enabled: true,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
            schema_cache: SchemaCache::new(DEFAULT_SCHEMAS_CACHE_SIZE),
        }
    }

    /// Turns the `{"schema":…,"payload":…}` envelope on or off (`schemas.enable`).
    pub fn with_schemas_enabled(mut self, enabled: bool) -> Self {
        self.schemas_enabled = enabled;
        self
    }

    /// Sets how decimals are written (`decimal.format`).
    pub fn with_decimal_format(mut self, format: DecimalFormat) -> Self {
        self.decimal_format = format;
        self
    }

    /// Sets `replace.null.with.default`.
    pub fn with_replace_null_with_default(mut self, replace: bool) -> Self {
        self.replace_null_with_default = replace;
        self
    }

    fn definition() -> ConfigDef {
        converter_config_def()
            .define(
                ConfigKey::new(
                    SCHEMAS_ENABLE_CONFIG,
                    ConfigType::Boolean,
                    Importance::High,
                    "Include schemas within each of the serialized values and keys.",
                )
                .default_value("true")
                .group("Schemas", 0)
                .width(Width::Medium)
                .display_name("Enable Schemas"),
            )
            .define(
                ConfigKey::new(
                    SCHEMAS_CACHE_SIZE_CONFIG,
                    ConfigType::Int,
                    Importance::High,
                    "The maximum number of schemas that can be cached in this converter \
                     instance.",
                )
                .default_value("1000")
                .group("Schemas", 1)
                .width(Width::Medium)
                .display_name("Schema Cache Size"),
            )
            .define(
                ConfigKey::new(
                    DECIMAL_FORMAT_CONFIG,
                    ConfigType::String,
                    Importance::Low,
                    "Controls which format this converter will serialize decimals in. This \
                     value is case insensitive and can be either 'BASE64' (default) or \
                     'NUMERIC'",
                )
                .default_value("BASE64")
                .validator(Validator::CaseInsensitiveValidString(vec![
                    "BASE64".to_owned(),
                    "NUMERIC".to_owned(),
                ]))
                .group("Serialization", 0)
                .width(Width::Medium)
                .display_name("Decimal Format"),
            )
            .define(
                ConfigKey::new(
                    REPLACE_NULL_WITH_DEFAULT_CONFIG,
                    ConfigType::Boolean,
                    Importance::Low,
                    "Whether to replace fields that have a default value and that are null to \
                     the default value. When set to true, the default value is used, otherwise \
                     null is used.",
                )
                .default_value("true")
                .group("Serialization", 1)
                .width(Width::Medium)
                .display_name("Replace null with default"),
            )
    }

    fn configure_as(
        &mut self,
        configs: &BTreeMap<String, String>,
        converter_type: ConverterType,
    ) -> Result<(), ConnectError> {
        let parsed = Self::definition().parse(&with_converter_type(configs, converter_type))?;
        self.schemas_enabled = parsed.get_boolean(SCHEMAS_ENABLE_CONFIG)?.unwrap_or(true);
        self.replace_null_with_default = parsed
            .get_boolean(REPLACE_NULL_WITH_DEFAULT_CONFIG)?
            .unwrap_or(true);
        let format = parsed
            .get_string(DECIMAL_FORMAT_CONFIG)?
            .unwrap_or_default();
        self.decimal_format = if format.eq_ignore_ascii_case("NUMERIC") {
            DecimalFormat::Numeric
        } else {
            DecimalFormat::Base64
        };
        let limit = parsed
            .get_int(SCHEMAS_CACHE_SIZE_CONFIG)?
            .map_or(DEFAULT_SCHEMAS_CACHE_SIZE, |n| {
                usize::try_from(n).unwrap_or(0)
            });
        // A new configuration may write defaults differently (decimal.format): start afresh.
        self.schema_cache = SchemaCache::new(limit);
        Ok(())
    }

    fn serialize(
        &self,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError> {
        if schema.is_none() && value.is_null() {
            return Ok(None);
        }
        let payload = self.convert_to_json(schema, value)?;
        if !self.schemas_enabled {
            return Ok(Some(payload.to_bytes()));
        }
        // `{"schema":…,"payload":…}`, as `Json::Object` writes it, with the schema's text
        // from the cache.
        let mut out = String::from("{\"schema\":");
        match schema {
            Some(schema) => out.push_str(&self.schema_text(schema)?),
            None => out.push_str("null"),
        }
        out.push_str(",\"payload\":");
        payload.write(&mut out);
        out.push('}');
        Ok(Some(out.into_bytes()))
    }

    /// The envelope text of `schema`, cached.
    fn schema_text(&self, schema: &Schema) -> Result<Arc<str>, ConnectError> {
        if let Some(text) = self.schema_cache.lock().texts.get(schema) {
            return Ok(text.clone());
        }
        let mut text = String::new();
        self.as_json_schema(schema)?.write(&mut text);
        let text: Arc<str> = text.into();
        let mut cache = self.schema_cache.lock();
        if cache.limit > 0 {
            if cache.texts.len() >= cache.limit {
                cache.texts.clear();
            }
            cache.texts.insert(schema.clone(), text.clone());
        }
        Ok(text)
    }

    fn deserialize(&self, bytes: Option<&[u8]>) -> Result<SchemaAndValue, ConnectError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let json = text::parse(bytes).map_err(|e| {
            data_error(format!(
                "Converting byte[] to Kafka Connect data failed due to serialization error: {e}"
            ))
        })?;
        if !self.schemas_enabled {
            let value = self.convert_to_connect(None, json.as_ref())?;
            return Ok(SchemaAndValue::new(None, value));
        }
        let envelope = match &json {
            Some(Json::Object(members)) if members.len() == 2 => json.as_ref(),
            _ => None,
        };
        let (Some(schema_json), Some(payload)) = (
            envelope.and_then(|e| e.get("schema")),
            envelope.and_then(|e| e.get("payload")),
        ) else {
            return Err(data_error(ENVELOPE_ERROR));
        };
        let schema = self.as_connect_schema(schema_json)?;
        let value = self.convert_to_connect(schema.as_ref(), Some(payload))?;
        Ok(SchemaAndValue::new(schema, value))
    }

    /// Kafka's `asJsonSchema`: `type`, then `items` / `keys`+`values` / `fields`, then
    /// `optional`, `name`, `version`, `doc`, `parameters` and `default`.
    fn as_json_schema(&self, schema: &Schema) -> Result<Json, ConnectError> {
        let type_name = match schema.schema_type() {
            SchemaType::Boolean => "boolean",
            SchemaType::Int8 => "int8",
            SchemaType::Int16 => "int16",
            SchemaType::Int32 => "int32",
            SchemaType::Int64 => "int64",
            SchemaType::Float32 => "float",
            SchemaType::Float64 => "double",
            SchemaType::Bytes => "bytes",
            SchemaType::String => "string",
            SchemaType::Array => "array",
            SchemaType::Map => "map",
            SchemaType::Struct => "struct",
        };
        let mut members = vec![("type".to_owned(), Json::String(type_name.to_owned()))];
        match schema.schema_type() {
            SchemaType::Array => {
                members.push((
                    "items".to_owned(),
                    self.as_json_schema(schema.value_schema()?)?,
                ));
            }
            SchemaType::Map => {
                members.push((
                    "keys".to_owned(),
                    self.as_json_schema(schema.key_schema()?)?,
                ));
                members.push((
                    "values".to_owned(),
                    self.as_json_schema(schema.value_schema()?)?,
                ));
            }
            SchemaType::Struct => {
                let mut fields = Vec::new();
                for field in schema.fields()? {
                    let mut field_json = match self.as_json_schema(field.schema())? {
                        Json::Object(field_members) => field_members,
                        _ => Vec::new(),
                    };
                    Json::insert(
                        &mut field_json,
                        "field".to_owned(),
                        Json::String(field.name().to_owned()),
                    );
                    fields.push(Json::Object(field_json));
                }
                members.push(("fields".to_owned(), Json::Array(fields)));
            }
            _ => {}
        }
        members.push(("optional".to_owned(), Json::Bool(schema.is_optional())));
        if let Some(name) = schema.name() {
            members.push(("name".to_owned(), Json::String(name.to_owned())));
        }
        if let Some(version) = schema.version() {
            members.push(("version".to_owned(), Json::Number(version.to_string())));
        }
        if let Some(doc) = schema.doc() {
            members.push(("doc".to_owned(), Json::String(doc.to_owned())));
        }
        if !schema.parameters().is_empty() {
            let parameters = schema
                .parameters()
                .iter()
                .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                .collect();
            members.push(("parameters".to_owned(), Json::Object(parameters)));
        }
        if let Some(default) = schema.default_value() {
            members.push((
                "default".to_owned(),
                self.convert_to_json(Some(schema), default)?,
            ));
        }
        Ok(Json::Object(members))
    }

    /// Kafka's `asConnectSchema`; `null` is "no schema".
    fn as_connect_schema(&self, json: &Json) -> Result<Option<Schema>, ConnectError> {
        if *json == Json::Null {
            return Ok(None);
        }
        let Some(Json::String(type_name)) = json.get("type") else {
            return Err(data_error("Schema must contain 'type' field"));
        };
        let mut builder = match type_name.as_str() {
            "boolean" => SchemaBuilder::boolean(),
            "int8" => SchemaBuilder::int8(),
            "int16" => SchemaBuilder::int16(),
            "int32" => SchemaBuilder::int32(),
            "int64" => SchemaBuilder::int64(),
            "float" => SchemaBuilder::float32(),
            "double" => SchemaBuilder::float64(),
            "bytes" => SchemaBuilder::bytes(),
            "string" => SchemaBuilder::string(),
            "array" => {
                let items = json
                    .get("items")
                    .filter(|items| **items != Json::Null)
                    .ok_or_else(|| data_error("Array schema did not specify the element type"))?;
                SchemaBuilder::array(self.required_schema(items)?)
            }
            "map" => {
                let keys = json
                    .get("keys")
                    .ok_or_else(|| data_error("Map schema did not specify the key type"))?;
                let values = json
                    .get("values")
                    .ok_or_else(|| data_error("Map schema did not specify the value type"))?;
                SchemaBuilder::map(self.required_schema(keys)?, self.required_schema(values)?)
            }
            "struct" => {
                let Some(Json::Array(fields)) = json.get("fields") else {
                    return Err(data_error(
                        "Struct schema's \"fields\" argument is not an array.",
                    ));
                };
                let mut builder = SchemaBuilder::struct_();
                for field in fields {
                    let Some(Json::String(name)) = field.get("field") else {
                        return Err(data_error(
                            "Struct schema's field name not specified properly",
                        ));
                    };
                    builder = builder.field(name.clone(), self.required_schema(field)?);
                }
                builder
            }
            other => return Err(data_error(format!("Unknown schema type: {other}"))),
        };
        builder = match json.get("optional") {
            Some(Json::Bool(true)) => builder.optional(),
            _ => builder.required(),
        };
        if let Some(Json::String(name)) = json.get("name") {
            builder = builder.name(name.clone());
        }
        if let Some(Json::Number(text)) = json.get("version").filter(|v| v.is_integral()) {
            let version = text
                .parse()
                .map_err(|_| data_error(format!("Schema version out of range: {text}")))?;
            builder = builder.version(version);
        }
        if let Some(Json::String(doc)) = json.get("doc") {
            builder = builder.doc(doc.clone());
        }
        if let Some(Json::Object(parameters)) = json.get("parameters") {
            for (key, value) in parameters {
                let Json::String(value) = value else {
                    return Err(data_error("Schema parameters must have string values."));
                };
                builder = builder.parameter(key.clone(), value.clone());
            }
        }
        if let Some(default_json) = json.get("default") {
            // The default is read with the schema built so far, so logical types apply.
            let schema = builder.clone().build()?;
            let default = self.convert_to_connect(Some(&schema), Some(default_json))?;
            if !default.is_null() {
                builder = builder.default_value(default);
            }
        }
        Ok(Some(builder.build()?))
    }

    /// A nested schema: `null` is not allowed where Kafka would hit a null pointer.
    fn required_schema(&self, json: &Json) -> Result<Schema, ConnectError> {
        self.as_connect_schema(json)?
            .ok_or_else(|| data_error("Schema must contain 'type' field"))
    }

    /// Kafka's `convertToJson`.
    fn convert_to_json(
        &self,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Json, ConnectError> {
        if value.is_null() {
            let Some(schema) = schema else {
                return Ok(Json::Null);
            };
            if let Some(default) = schema
                .default_value()
                .filter(|_| self.replace_null_with_default)
            {
                return self.convert_to_json(Some(schema), default);
            }
            if schema.is_optional() {
                return Ok(Json::Null);
            }
            return Err(data_error(
                "Conversion error: null value for field that is required and has no default \
                 value",
            ));
        }
        if let Some(schema) = schema {
            if let Some(json) = self.logical_to_json(schema, value)? {
                return Ok(json);
            }
        }
        let schema_type = match schema {
            Some(schema) => schema.schema_type(),
            None => inferred_type(value)?,
        };
        let mismatch = || {
            let type_name = schema.map_or("unknown schema".to_owned(), |s| {
                s.schema_type().name().to_owned()
            });
            data_error(format!(
                "Invalid type for {type_name}: {}",
                value.kind_name()
            ))
        };
        Ok(match (schema_type, value) {
            (SchemaType::Int8, Value::Int8(v)) => Json::Number(v.to_string()),
            (SchemaType::Int16, Value::Int16(v)) => Json::Number(v.to_string()),
            (SchemaType::Int32, Value::Int32(v)) => Json::Number(v.to_string()),
            (SchemaType::Int64, Value::Int64(v)) => Json::Number(v.to_string()),
            (SchemaType::Float32, Value::Float32(v)) => float_json(java_float(*v), v.is_finite()),
            (SchemaType::Float64, Value::Float64(v)) => float_json(java_double(*v), v.is_finite()),
            (SchemaType::Boolean, Value::Boolean(v)) => Json::Bool(*v),
            (SchemaType::String, Value::String(v)) => Json::String(v.clone()),
            (SchemaType::Bytes, Value::Bytes(v)) => Json::String(base64_encode(v)),
            (SchemaType::Array, Value::Array(items)) => {
                let element_schema = schema.map(Schema::value_schema).transpose()?;
                let items = items
                    .iter()
                    .map(|item| self.convert_to_json(element_schema, item))
                    .collect::<Result<_, _>>()?;
                Json::Array(items)
            }
            (SchemaType::Map, Value::Map(entries)) => self.map_to_json(schema, entries)?,
            (SchemaType::Struct, Value::Struct(s)) => {
                let Some(schema) = schema.filter(|schema| *schema == s.schema()) else {
                    return Err(data_error("Mismatching schema."));
                };
                let mut members = Vec::new();
                for field in schema.fields()? {
                    let field_value = s.get_without_default(field.name())?;
                    let json = self.convert_to_json(Some(field.schema()), field_value)?;
                    Json::insert(&mut members, field.name().to_owned(), json);
                }
                Json::Object(members)
            }
            _ => return Err(mismatch()),
        })
    }

    /// Maps with string keys (by schema, or all keys strings without one) are JSON objects;
    /// any other map is an array of `[key, value]` pairs.
    fn map_to_json(
        &self,
        schema: Option<&Schema>,
        entries: &[(Value, Value)],
    ) -> Result<Json, ConnectError> {
        let (key_schema, value_schema) = match schema {
            Some(schema) => (Some(schema.key_schema()?), Some(schema.value_schema()?)),
            None => (None, None),
        };
        let object_mode = match key_schema {
            Some(key_schema) => key_schema.schema_type() == SchemaType::String,
            None => entries.iter().all(|(k, _)| matches!(k, Value::String(_))),
        };
        if object_mode {
            let mut members = Vec::new();
            for (key, value) in entries {
                let key = match self.convert_to_json(key_schema, key)? {
                    Json::String(s) | Json::Number(s) => s,
                    Json::Bool(b) => b.to_string(),
                    Json::Null => "null".to_owned(),
                    // Jackson's asText() of a container is empty.
                    Json::Array(_) | Json::Object(_) => String::new(),
                };
                let value = self.convert_to_json(value_schema, value)?;
                Json::insert(&mut members, key, value);
            }
            return Ok(Json::Object(members));
        }
        let pairs = entries
            .iter()
            .map(|(key, value)| {
                Ok(Json::Array(vec![
                    self.convert_to_json(key_schema, key)?,
                    self.convert_to_json(value_schema, value)?,
                ]))
            })
            .collect::<Result<_, ConnectError>>()?;
        Ok(Json::Array(pairs))
    }

    /// The JSON of a logical-type value, `None` when `schema` is not a logical type.
    fn logical_to_json(
        &self,
        schema: &Schema,
        value: &Value,
    ) -> Result<Option<Json>, ConnectError> {
        let expected = |kind: &str, class: &str| {
            data_error(format!(
                "Invalid type for {kind}, expected {class} but was {}",
                value.kind_name()
            ))
        };
        Ok(Some(match schema.name() {
            Some(DECIMAL_LOGICAL_NAME) => {
                let Value::Decimal(decimal) = value else {
                    return Err(expected("Decimal", "BigDecimal"));
                };
                match self.decimal_format {
                    DecimalFormat::Numeric => Json::Number(java_big_decimal(decimal)),
                    DecimalFormat::Base64 => {
                        Json::String(base64_encode(&Decimal::from_logical(schema, decimal)?))
                    }
                }
            }
            Some(DATE_LOGICAL_NAME) => {
                if !matches!(value, Value::Date(_)) {
                    return Err(expected("Date", "Date"));
                }
                Json::Number(Date::from_logical(schema, value)?.to_string())
            }
            Some(TIME_LOGICAL_NAME) => {
                if !matches!(value, Value::Time(_)) {
                    return Err(expected("Time", "Date"));
                }
                Json::Number(Time::from_logical(schema, value)?.to_string())
            }
            Some(TIMESTAMP_LOGICAL_NAME) => {
                if !matches!(value, Value::Timestamp(_)) {
                    return Err(expected("Timestamp", "Date"));
                }
                Json::Number(Timestamp::from_logical(schema, value)?.to_string())
            }
            _ => return Ok(None),
        }))
    }

    /// Kafka's `convertToConnect`; `json` is `None` for a missing struct field.
    fn convert_to_connect(
        &self,
        schema: Option<&Schema>,
        json: Option<&Json>,
    ) -> Result<Value, ConnectError> {
        let Some(schema) = schema else {
            return infer_value(json);
        };
        let json = match json {
            None | Some(Json::Null) => {
                if let Some(default) = schema
                    .default_value()
                    .filter(|_| self.replace_null_with_default)
                {
                    return Ok(default.clone());
                }
                if schema.is_optional() {
                    return Ok(Value::Null);
                }
                return Err(data_error(format!(
                    "Invalid null value for required {} field",
                    schema.schema_type()
                )));
            }
            Some(json) => json,
        };
        if let Some(value) = logical_to_connect(schema, json)? {
            return Ok(value);
        }
        let schema_type = schema.schema_type();
        let unexpected = || {
            data_error(format!(
                "Invalid JSON for schema type {schema_type}: found {}",
                json.node_type()
            ))
        };
        Ok(match (schema_type, json) {
            (SchemaType::Boolean, Json::Bool(b)) => Value::Boolean(*b),
            (SchemaType::Int8, Json::Number(text)) => Value::Int8(integer(text, schema_type)?),
            (SchemaType::Int16, Json::Number(text)) => Value::Int16(integer(text, schema_type)?),
            (SchemaType::Int32, Json::Number(text)) => Value::Int32(integer(text, schema_type)?),
            (SchemaType::Int64, Json::Number(text)) => Value::Int64(integer(text, schema_type)?),
            (SchemaType::Float32, Json::Number(text) | Json::String(text)) => {
                Value::Float32(float(text, schema_type)?)
            }
            (SchemaType::Float64, Json::Number(text) | Json::String(text)) => {
                Value::Float64(float(text, schema_type)?)
            }
            (SchemaType::String, Json::String(s)) => Value::String(s.clone()),
            (SchemaType::Bytes, Json::String(s)) => {
                Value::Bytes(base64_decode(s).ok_or_else(|| data_error("Invalid bytes field"))?)
            }
            (SchemaType::Array, Json::Array(items)) => {
                let element_schema = schema.value_schema()?;
                Value::Array(
                    items
                        .iter()
                        .map(|item| self.convert_to_connect(Some(element_schema), Some(item)))
                        .collect::<Result<_, _>>()?,
                )
            }
            (SchemaType::Map, json) => self.map_to_connect(schema, json)?,
            (SchemaType::Struct, Json::Object(_)) => {
                let mut result = Struct::new(schema.clone())?;
                for field in schema.fields()? {
                    let value =
                        self.convert_to_connect(Some(field.schema()), json.get(field.name()))?;
                    result.put(field.name(), value)?;
                }
                Value::Struct(result)
            }
            (SchemaType::Struct, other) => {
                return Err(data_error(format!(
                    "Structs should be encoded as JSON objects, but found {}",
                    other.node_type()
                )))
            }
            _ => return Err(unexpected()),
        })
    }

    fn map_to_connect(&self, schema: &Schema, json: &Json) -> Result<Value, ConnectError> {
        let key_schema = schema.key_schema()?;
        let value_schema = schema.value_schema()?;
        let mut entries = Vec::new();
        if key_schema.schema_type() == SchemaType::String {
            let Json::Object(members) = json else {
                return Err(data_error(format!(
                    "Maps with string fields should be encoded as JSON objects, but found {}",
                    json.node_type()
                )));
            };
            for (key, value) in members {
                let value = self.convert_to_connect(Some(value_schema), Some(value))?;
                entries.push((Value::String(key.clone()), value));
            }
            return Ok(Value::Map(entries));
        }
        let Json::Array(pairs) = json else {
            return Err(data_error(format!(
                "Maps with non-string fields should be encoded as JSON array of tuples, but \
                 found {}",
                json.node_type()
            )));
        };
        for pair in pairs {
            let Json::Array(pair) = pair else {
                return Err(data_error(format!(
                    "Found invalid map entry instead of array tuple: {}",
                    pair.node_type()
                )));
            };
            let [key, value] = pair.as_slice() else {
                return Err(data_error(format!(
                    "Found invalid map entry, expected length 2 but found :{}",
                    pair.len()
                )));
            };
            entries.push((
                self.convert_to_connect(Some(key_schema), Some(key))?,
                self.convert_to_connect(Some(value_schema), Some(value))?,
            ));
        }
        Ok(Value::Map(entries))
    }
}

converter_and_header_converter!(JsonConverter);

/// Kafka's `ConnectSchema.schemaType(value.getClass())` for schemaless writing.
fn inferred_type(value: &Value) -> Result<SchemaType, ConnectError> {
    Ok(match value {
        Value::Int8(_) => SchemaType::Int8,
        Value::Int16(_) => SchemaType::Int16,
        Value::Int32(_) => SchemaType::Int32,
        Value::Int64(_) => SchemaType::Int64,
        Value::Float32(_) => SchemaType::Float32,
        Value::Float64(_) => SchemaType::Float64,
        Value::Boolean(_) => SchemaType::Boolean,
        Value::String(_) => SchemaType::String,
        Value::Bytes(_) => SchemaType::Bytes,
        Value::Array(_) => SchemaType::Array,
        Value::Map(_) => SchemaType::Map,
        Value::Struct(_) => SchemaType::Struct,
        Value::Null | Value::Decimal(_) | Value::Date(_) | Value::Time(_) | Value::Timestamp(_) => {
            return Err(data_error(format!(
                "{} value does not have corresponding schema type.",
                value.kind_name()
            )))
        }
    })
}

/// Jackson writes non-finite floats as strings.
fn float_json(text: String, finite: bool) -> Json {
    if finite {
        Json::Number(text)
    } else {
        Json::String(text)
    }
}

fn integer<T: TryFrom<i64>>(text: &str, schema_type: SchemaType) -> Result<T, ConnectError> {
    let out_of_range = || data_error(format!("Number {text} is out of range for {schema_type}"));
    let value = match text.parse::<i64>() {
        Ok(value) => value,
        // 1.0 or 1e2: accepted when the value is a whole number, as Jackson's intValue() does.
        Err(_) => match text.parse::<f64>() {
            Ok(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => f as i64,
            _ => return Err(out_of_range()),
        },
    };
    T::try_from(value).map_err(|_| out_of_range())
}

fn float<T: std::str::FromStr>(text: &str, schema_type: SchemaType) -> Result<T, ConnectError> {
    text.parse().map_err(|_| {
        data_error(format!(
            "Invalid JSON for schema type {schema_type}: {text}"
        ))
    })
}

/// Kafka's `LOGICAL_CONVERTERS[..].toConnect`; `None` when `schema` is not a logical type.
fn logical_to_connect(schema: &Schema, json: &Json) -> Result<Option<Value>, ConnectError> {
    let int = |kind: &str, representation: &str| -> Result<i64, ConnectError> {
        let invalid = || {
            data_error(format!(
                "Invalid type for {kind}, underlying representation should be {representation} \
                 but was {}",
                json.node_type()
            ))
        };
        match json {
            Json::Number(text) if json.is_integral() => text.parse().map_err(|_| invalid()),
            _ => Err(invalid()),
        }
    };
    let int32 = |kind: &str| -> Result<i32, ConnectError> {
        i32::try_from(int(kind, "integer")?).map_err(|_| {
            data_error(format!(
                "Invalid type for {kind}, underlying representation should be integer but was \
                 NUMBER"
            ))
        })
    };
    Ok(Some(match schema.name() {
        Some(DECIMAL_LOGICAL_NAME) => match json {
            Json::Number(text) => {
                let parsed = parse_big_decimal(text).ok_or_else(|| {
                    data_error(format!("Invalid Decimal value {text}: more than 38 digits"))
                })?;
                Value::Decimal(rescale(parsed, Decimal::schema_scale(schema)?))
            }
            Json::String(text) => {
                let bytes = base64_decode(text)
                    .ok_or_else(|| data_error("Invalid bytes for Decimal field"))?;
                Value::Decimal(
                    Decimal::to_logical(schema, &bytes)
                        .map_err(|e| data_error(format!("Invalid bytes for Decimal field: {e}")))?,
                )
            }
            other => {
                return Err(data_error(format!(
                    "Invalid type for Decimal, underlying representation should be numeric or \
                     bytes but was {}",
                    other.node_type()
                )))
            }
        },
        Some(DATE_LOGICAL_NAME) => Date::to_logical(schema, int32("Date")?)?,
        Some(TIME_LOGICAL_NAME) => Time::to_logical(schema, int32("Time")?)?,
        Some(TIMESTAMP_LOGICAL_NAME) => {
            Timestamp::to_logical(schema, int("Timestamp", "integral")?)?
        }
        _ => return Ok(None),
    }))
}

/// `decimal` at `scale` when that loses nothing (`1.5` → `1.50` for scale 2); otherwise
/// unchanged, as Kafka keeps the parsed `BigDecimal`.
fn rescale(decimal: Decimal, scale: i32) -> Decimal {
    let Some(extra) = scale.checked_sub(decimal.scale()).filter(|e| *e > 0) else {
        return decimal;
    };
    10i128
        .checked_pow(extra.unsigned_abs())
        .and_then(|factor| decimal.unscaled().checked_mul(factor))
        .map_or(decimal, |unscaled| Decimal::new(unscaled, scale))
}

/// Schemaless reading: integers → `INT64`, other numbers → `FLOAT64`, objects → `MAP` with
/// string keys, arrays → `ARRAY`, null or missing → null.
fn infer_value(json: Option<&Json>) -> Result<Value, ConnectError> {
    let Some(json) = json else {
        return Ok(Value::Null);
    };
    Ok(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(text) if json.is_integral() => Value::Int64(integer(text, SchemaType::Int64)?),
        Json::Number(text) => Value::Float64(float(text, SchemaType::Float64)?),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| infer_value(Some(item)))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(members) => Value::Map(
            members
                .iter()
                .map(|(k, v)| Ok((Value::String(k.clone()), infer_value(Some(v))?)))
                .collect::<Result<_, ConnectError>>()?,
        ),
    })
}
