//! Confluent's `io.confluent.connect.avro.AvroConverter`
//! (`avro-converter/src/main/java/io/confluent/connect/avro/AvroConverter.java`): Connect
//! data ⇄ Avro in the Confluent wire format, schemas in a schema registry.
//!
//! Writing (`fromConnectData`): the Connect schema is mapped to Avro by [`AvroData`], the
//! subject is chosen by the subject name strategy, the schema id is obtained from the
//! registry (registered when `auto.register.schemas=true`, the default; the latest version
//! of the subject when `use.latest.version=true`; otherwise looked up, which fails when it
//! is not registered), and the datum is framed as magic byte `0`, id, Avro binary.
//!
//! Reading (`toConnectData`): the id is taken from the frame, the writer schema fetched by
//! id, and the datum mapped back to Connect.
//!
//! The registry is reached over HTTP through [`SchemaRegistryClient`], which caches ids and
//! schemas like Confluent's `CachedSchemaRegistryClient`; see its documentation for how the
//! synchronous converter blocks on a cache miss.

use std::collections::{BTreeMap, HashMap};

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Width};
use connect_api::data::{Schema, Value};
use connect_api::record::Headers;
use connect_api::ConnectError;
use serde_json::Value as Json;

use super::client::SchemaRegistryClient;
use super::data::{AvroData, AvroDataConfig, AvroSchema};
use super::wire;
use crate::converters::{
    converter_config_def, with_converter_type, Converter, ConverterType, SchemaAndValue,
};

/// `schema.registry.url` (`AbstractKafkaSchemaSerDeConfig.SCHEMA_REGISTRY_URL_CONFIG`).
pub const SCHEMA_REGISTRY_URL_CONFIG: &str = "schema.registry.url";
/// `auto.register.schemas` (`AbstractKafkaSchemaSerDeConfig.AUTO_REGISTER_SCHEMAS`).
pub const AUTO_REGISTER_SCHEMAS_CONFIG: &str = "auto.register.schemas";
/// `use.latest.version` (`AbstractKafkaSchemaSerDeConfig.USE_LATEST_VERSION`).
pub const USE_LATEST_VERSION_CONFIG: &str = "use.latest.version";
/// `key.subject.name.strategy` (`AbstractKafkaSchemaSerDeConfig.KEY_SUBJECT_NAME_STRATEGY`).
pub const KEY_SUBJECT_NAME_STRATEGY_CONFIG: &str = "key.subject.name.strategy";
/// `value.subject.name.strategy`
/// (`AbstractKafkaSchemaSerDeConfig.VALUE_SUBJECT_NAME_STRATEGY`).
pub const VALUE_SUBJECT_NAME_STRATEGY_CONFIG: &str = "value.subject.name.strategy";
/// `connect.meta.data` (`AvroDataConfig.CONNECT_META_DATA_CONFIG`).
pub const CONNECT_META_DATA_CONFIG: &str = "connect.meta.data";
/// `enhanced.avro.schema.support` (`AvroDataConfig.ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG`).
pub const ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG: &str = "enhanced.avro.schema.support";

const TOPIC_NAME_STRATEGY: &str = "io.confluent.kafka.serializers.subject.TopicNameStrategy";

/// How the registry subject of a record's schema is named (Confluent's
/// `io.confluent.kafka.serializers.subject.*` `SubjectNameStrategy` classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubjectNameStrategy {
    /// `TopicNameStrategy` (the default): `<topic>-key` / `<topic>-value`.
    #[default]
    TopicName,
    /// `RecordNameStrategy`: the record's full name.
    RecordName,
    /// `TopicRecordNameStrategy`: `<topic>-<record full name>`.
    TopicRecordName,
}

impl SubjectNameStrategy {
    /// The strategy for a class name, full (`io.confluent.kafka.serializers.subject.
    /// RecordNameStrategy`) or simple (`RecordNameStrategy`).
    pub fn for_class(name: &str) -> Option<Self> {
        let simple = match name.strip_prefix("io.confluent.kafka.serializers.subject.") {
            Some(simple) => simple,
            None if !name.contains('.') => name,
            None => return None,
        };
        match simple {
            "TopicNameStrategy" => Some(Self::TopicName),
            "RecordNameStrategy" => Some(Self::RecordName),
            "TopicRecordNameStrategy" => Some(Self::TopicRecordName),
            _ => None,
        }
    }

    /// The subject for a record of `topic` with schema `schema` (`SubjectNameStrategy.
    /// subjectName(topic, isKey, schema)`).
    pub fn subject(self, topic: &str, is_key: bool, schema: &AvroSchema) -> String {
        match self {
            Self::TopicName => format!("{topic}-{}", if is_key { "key" } else { "value" }),
            Self::RecordName => record_name(schema.json()),
            Self::TopicRecordName => format!("{topic}-{}", record_name(schema.json())),
        }
    }
}

/// The name Confluent's `AvroSchema.name()` gives a schema: the full name of a named type
/// (record, enum, fixed), the type name otherwise.
fn record_name(json: &Json) -> String {
    match json {
        Json::String(primitive) => primitive.clone(),
        Json::Object(object) => {
            let name = object.get("name").and_then(Json::as_str);
            let namespace = object
                .get("namespace")
                .and_then(Json::as_str)
                .filter(|ns| !ns.is_empty());
            match (name, namespace) {
                (Some(name), Some(ns)) if !name.contains('.') => format!("{ns}.{name}"),
                (Some(name), _) => name.to_owned(),
                (None, _) => match object.get("type") {
                    Some(inner) => record_name(inner),
                    None => "unknown".to_owned(),
                },
            }
        }
        Json::Array(_) => "union".to_owned(),
        _ => "unknown".to_owned(),
    }
}

/// Confluent's `AvroConverter`; see the module documentation. Create with
/// [`AvroConverter::new`] and [`Converter::configure`] it before use.
#[derive(Debug, Default)]
pub struct AvroConverter {
    state: Option<Configured>,
}

#[derive(Debug)]
struct Configured {
    is_key: bool,
    client: SchemaRegistryClient,
    auto_register: bool,
    use_latest_version: bool,
    strategy: SubjectNameStrategy,
    avro_data: AvroData,
    /// Parsed writer schemas by id (the registry client caches the text).
    schemas: HashMap<i32, AvroSchema>,
    /// Connect schema → its Avro schema and that schema's text (Confluent's
    /// `fromConnectSchemaCache`): converting, parsing and printing a schema for every
    /// record cost more than the record itself.
    avro_schemas: HashMap<Schema, (AvroSchema, String)>,
    /// Topic → Connect schema → the subject and id it was registered or looked up
    /// with, so a record of a known schema goes straight to the encoder.
    ids: HashMap<String, HashMap<Schema, (String, i32)>>,
}

/// Entries each schema cache holds before it is emptied (Confluent's
/// `schemas.cache.config` default).
const SCHEMA_CACHE_SIZE: usize = 1000;

impl AvroConverter {
    /// An unconfigured converter.
    pub fn new() -> Self {
        Self::default()
    }

    /// The registry client, once configured (e.g. to inspect its request count).
    pub fn client(&self) -> Option<&SchemaRegistryClient> {
        self.state.as_ref().map(|s| &s.client)
    }

    fn definition() -> ConfigDef {
        let strategy_doc = "Determines how to construct the subject name under which the \
                            schema is registered with the schema registry: TopicNameStrategy \
                            (<topic>-key / <topic>-value), RecordNameStrategy or \
                            TopicRecordNameStrategy, by full or simple class name.";
        converter_config_def()
            .define(
                ConfigKey::new(
                    SCHEMA_REGISTRY_URL_CONFIG,
                    ConfigType::List,
                    Importance::High,
                    "Comma-separated list of URLs for Schema Registry instances that can be \
                     used to register or look up schemas.",
                )
                .width(Width::Long)
                .display_name("Schema Registry URL"),
            )
            .define(
                ConfigKey::new(
                    AUTO_REGISTER_SCHEMAS_CONFIG,
                    ConfigType::Boolean,
                    Importance::Medium,
                    "Specify if the Serializer should attempt to register the Schema with \
                     Schema Registry",
                )
                .default_value("true"),
            )
            .define(
                ConfigKey::new(
                    USE_LATEST_VERSION_CONFIG,
                    ConfigType::Boolean,
                    Importance::Low,
                    "Specify if the Serializer should use the latest subject version for \
                     serialization",
                )
                .default_value("false"),
            )
            .define(
                ConfigKey::new(
                    KEY_SUBJECT_NAME_STRATEGY_CONFIG,
                    ConfigType::Class,
                    Importance::Medium,
                    strategy_doc,
                )
                .default_value(TOPIC_NAME_STRATEGY),
            )
            .define(
                ConfigKey::new(
                    VALUE_SUBJECT_NAME_STRATEGY_CONFIG,
                    ConfigType::Class,
                    Importance::Medium,
                    strategy_doc,
                )
                .default_value(TOPIC_NAME_STRATEGY),
            )
            .define(
                ConfigKey::new(
                    CONNECT_META_DATA_CONFIG,
                    ConfigType::Boolean,
                    Importance::Low,
                    "Toggle for enabling/disabling connect converter to add its meta data to \
                     the output schema or not",
                )
                .default_value("true"),
            )
            .define(
                ConfigKey::new(
                    ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG,
                    ConfigType::Boolean,
                    Importance::Low,
                    "Toggle for enabling/disabling enhanced avro schema support: Enum symbol \
                     preservation and Package Name awareness",
                )
                .default_value("false"),
            )
    }

    fn configure_as(
        &mut self,
        configs: &BTreeMap<String, String>,
        converter_type: ConverterType,
    ) -> Result<(), ConnectError> {
        let is_key = converter_type == ConverterType::Key;
        let parsed = Self::definition().parse(&with_converter_type(configs, converter_type))?;
        let url = parsed
            .get_list(SCHEMA_REGISTRY_URL_CONFIG)?
            .and_then(|urls| urls.iter().find(|u| !u.is_empty()))
            .ok_or_else(|| {
                ConnectError::connector(format!(
                    "Missing required configuration \"{SCHEMA_REGISTRY_URL_CONFIG}\" which has \
                     no default value."
                ))
            })?;
        let strategy_key = if is_key {
            KEY_SUBJECT_NAME_STRATEGY_CONFIG
        } else {
            VALUE_SUBJECT_NAME_STRATEGY_CONFIG
        };
        let strategy_class = parsed
            .get_class(strategy_key)?
            .unwrap_or(TOPIC_NAME_STRATEGY);
        let strategy = SubjectNameStrategy::for_class(strategy_class).ok_or_else(|| {
            ConnectError::connector(format!(
                "Invalid value {strategy_class} for configuration {strategy_key}: not one of \
                 TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy"
            ))
        })?;
        let avro_data = AvroData::new(AvroDataConfig {
            connect_meta_data: parsed
                .get_boolean(CONNECT_META_DATA_CONFIG)?
                .unwrap_or(true),
            enhanced_avro_schema_support: parsed
                .get_boolean(ENHANCED_AVRO_SCHEMA_SUPPORT_CONFIG)?
                .unwrap_or(false),
        });
        self.state = Some(Configured {
            is_key,
            client: SchemaRegistryClient::new(url)?,
            auto_register: parsed
                .get_boolean(AUTO_REGISTER_SCHEMAS_CONFIG)?
                .unwrap_or(true),
            use_latest_version: parsed
                .get_boolean(USE_LATEST_VERSION_CONFIG)?
                .unwrap_or(false),
            strategy,
            avro_data,
            schemas: HashMap::new(),
            avro_schemas: HashMap::new(),
            ids: HashMap::new(),
        });
        Ok(())
    }

    fn state(&mut self) -> Result<&mut Configured, ConnectError> {
        self.state.as_mut().ok_or_else(|| {
            ConnectError::connector("AvroConverter is used before configure() was called")
        })
    }
}

/// Adds to a registry refusal what a user needs to find the cause: the topic, the
/// record's schema name (a JDBC source names it after the table) and the fields the
/// registry's paths (`/fields/2/type`) point at in the new schema.
fn explain(error: ConnectError, topic: &str, schema: &Schema, avro: &AvroSchema) -> ConnectError {
    let message = error.to_string();
    let fields = fields_at_paths(&message, avro.json());
    if fields.is_empty() {
        return error;
    }
    let name = schema.name().unwrap_or("(unnamed)");
    ConnectError::data(format!(
        "{message} [record schema {name} for topic {topic}; field(s) in the new schema: {}]",
        fields.join(", ")
    ))
}

/// The dotted field names the `/fields/N/…` paths in `message` lead to in `schema`.
fn fields_at_paths(message: &str, schema: &serde_json::Value) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in message.match_indices("'/fields/") {
        let path: String = message[at + 1..]
            .chars()
            .take_while(|c| *c != '\'' && !c.is_whitespace())
            .collect();
        let mut names = Vec::new();
        let mut node = schema;
        let mut segments = path.split('/').filter(|s| !s.is_empty()).peekable();
        while let Some(segment) = segments.next() {
            let next = match segment {
                "fields" => segments
                    .next()
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| node.get("fields")?.get(i)),
                "type" | "items" | "values" => node.get(segment),
                index => index.parse::<usize>().ok().and_then(|i| node.get(i)),
            };
            let Some(next) = next else { break };
            if segment == "fields" {
                if let Some(name) = next.get("name").and_then(serde_json::Value::as_str) {
                    names.push(name.to_owned());
                }
            }
            node = next;
        }
        let dotted = names.join(".");
        if !dotted.is_empty() && !found.contains(&dotted) {
            found.push(dotted);
        }
    }
    found
}

/// The framed Avro bytes of `value` for schema `id` of `subject`.
fn encode(
    avro_data: &AvroData,
    topic: &str,
    subject: &str,
    id: i32,
    writer: &AvroSchema,
    schema: &Schema,
    value: &Value,
) -> Result<Option<Vec<u8>>, ConnectError> {
    let bytes = wire::serialize(avro_data, id, writer, schema, value).map_err(|e| {
        ConnectError::data(format!(
            "Failed to serialize Avro data from topic {topic} (subject '{subject}', schema id \
             {id}): {e}"
        ))
    })?;
    Ok(Some(bytes))
}

impl Configured {
    /// `AvroConverter.fromConnectData` + `AbstractKafkaAvroSerializer.serializeImpl`.
    fn serialize(
        &mut self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError> {
        if value.is_null() {
            if let Some(schema) = schema {
                schema.validate_value(value)?;
            }
            return Ok(None);
        }
        let schema = schema.ok_or_else(|| {
            ConnectError::data(format!(
                "Failed to serialize Avro data from topic {topic}: the AvroConverter needs a \
                 schema (schemaless values are not supported)"
            ))
        })?;
        if !self.use_latest_version {
            if let Some((subject, id)) = self.ids.get(topic).and_then(|m| m.get(schema)) {
                if let Some((writer, _)) = self.avro_schemas.get(schema) {
                    return encode(&self.avro_data, topic, subject, *id, writer, schema, value);
                }
            }
        }
        let (avro_schema, text) = match self.avro_schemas.get(schema) {
            Some(cached) => cached.clone(),
            None => {
                let avro_schema = self.avro_data.to_avro_schema(schema)?;
                let text = avro_schema.to_string();
                if self.avro_schemas.len() >= SCHEMA_CACHE_SIZE {
                    self.avro_schemas.clear();
                }
                self.avro_schemas
                    .insert(schema.clone(), (avro_schema.clone(), text.clone()));
                (avro_schema, text)
            }
        };
        let subject = self.strategy.subject(topic, self.is_key, &avro_schema);
        let (id, writer) = if self.use_latest_version {
            let latest = self.client.latest(&subject)?;
            (latest.id, self.parsed(latest.id, &latest.schema)?)
        } else {
            let id = if self.auto_register {
                self.client.register(&subject, &text)
            } else {
                self.client.lookup(&subject, &text)
            }
            .map_err(|e| explain(e, topic, schema, &avro_schema))?;
            let by_schema = self.ids.entry(topic.to_owned()).or_default();
            if by_schema.len() >= SCHEMA_CACHE_SIZE {
                by_schema.clear();
            }
            by_schema.insert(schema.clone(), (subject.clone(), id));
            (id, avro_schema)
        };
        encode(&self.avro_data, topic, &subject, id, &writer, schema, value)
    }

    /// `AvroConverter.toConnectData` + `AbstractKafkaAvroDeserializer.deserialize`.
    fn deserialize(
        &mut self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConnectError> {
        let Some(bytes) = bytes else {
            return Ok(SchemaAndValue::NULL);
        };
        let fail = |e: &dyn std::fmt::Display| {
            ConnectError::data(format!(
                "Failed to deserialize data for topic {topic} to Avro: {e}"
            ))
        };
        let (id, payload) = wire::decode(bytes).map_err(|e| fail(&e))?;
        let writer = match self.schemas.get(&id) {
            Some(schema) => schema.clone(),
            None => {
                let text = self.client.schema_by_id(id).map_err(|e| fail(&e))?;
                self.parsed(id, &text).map_err(|e| fail(&e))?
            }
        };
        // Like Confluent's deserializer, look up the writer schema's version under the subject
        // (`schemaVersion`): the top-level Connect schema gets it when the Avro schema has no
        // `connect.version`. Java fails when the schema is not registered under the subject
        // (e.g. written with another subject name strategy); sluice reads it without version.
        // The text as the registry holds it (cached by the client), not sluice's rendering.
        let subject = self.strategy.subject(topic, self.is_key, &writer);
        let version = self
            .client
            .schema_by_id(id)
            .and_then(|text| self.client.version(&subject, &text))
            .ok();
        let (schema, value) =
            wire::deserialize_payload_with_version(&self.avro_data, &writer, payload, version)
                .map_err(|e| fail(&e))?;
        Ok(SchemaAndValue::new(Some(schema), value))
    }

    /// The parsed schema `text` with id `id`, cached.
    fn parsed(&mut self, id: i32, text: &str) -> Result<AvroSchema, ConnectError> {
        if let Some(schema) = self.schemas.get(&id) {
            return Ok(schema.clone());
        }
        let schema = AvroSchema::parse_str(text).map_err(|e| {
            ConnectError::data(format!(
                "the registry's schema with id {id} is invalid: {e}"
            ))
        })?;
        self.schemas.insert(id, schema.clone());
        Ok(schema)
    }
}

#[cfg(test)]
mod explain_tests {
    use super::fields_at_paths;

    #[test]
    fn registry_paths_name_the_fields() {
        let schema = serde_json::json!({"type":"record","name":"sales","fields":[
            {"name":"id","type":"int"},
            {"name":"address","type":["null",{"type":"record","name":"A","fields":[{"name":"city","type":"string"}]}]},
            {"name":"amount","type":"string"}]});
        let message = "Schema being registered is incompatible: {errorType:'TYPE_MISMATCH', \
            description:'The type (path '/fields/2/type') of a field in the new schema does \
            not match with the old schema', additionalInfo:'reader type: STRING not compatible \
            with writer type: INT'}, {description:'x (path '/fields/1/type/1/fields/0/type')'}";
        assert_eq!(
            fields_at_paths(message, &schema),
            ["amount", "address.city"]
        );
        assert!(fields_at_paths("no paths here", &schema).is_empty());
        assert!(fields_at_paths("path '/fields/9/type'", &schema).is_empty());
    }
}

impl Converter for AvroConverter {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(
        &mut self,
        configs: &BTreeMap<String, String>,
        is_key: bool,
    ) -> Result<(), ConnectError> {
        self.configure_as(configs, ConverterType::for_key(is_key))
    }

    fn from_connect_data(
        &mut self,
        topic: &str,
        _headers: &mut Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError> {
        self.state()?.serialize(topic, schema, value)
    }

    fn to_connect_data(
        &mut self,
        topic: &str,
        _headers: &Headers,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConnectError> {
        self.state()?.deserialize(topic, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_by_full_and_simple_class_name() -> Result<(), ConnectError> {
        for (name, strategy) in [
            ("TopicNameStrategy", SubjectNameStrategy::TopicName),
            ("RecordNameStrategy", SubjectNameStrategy::RecordName),
            (
                "TopicRecordNameStrategy",
                SubjectNameStrategy::TopicRecordName,
            ),
        ] {
            assert_eq!(SubjectNameStrategy::for_class(name), Some(strategy));
            let full = format!("io.confluent.kafka.serializers.subject.{name}");
            assert_eq!(SubjectNameStrategy::for_class(&full), Some(strategy));
        }
        assert_eq!(
            SubjectNameStrategy::for_class("org.x.TopicNameStrategy"),
            None
        );
        assert_eq!(SubjectNameStrategy::for_class("Nope"), None);

        let schema = AvroSchema::parse_str(
            r#"{"type":"record","name":"Order","namespace":"shop","fields":[]}"#,
        )?;
        let t = SubjectNameStrategy::TopicName;
        assert_eq!(t.subject("orders", false, &schema), "orders-value");
        assert_eq!(t.subject("orders", true, &schema), "orders-key");
        let r = SubjectNameStrategy::RecordName;
        assert_eq!(r.subject("orders", false, &schema), "shop.Order");
        let tr = SubjectNameStrategy::TopicRecordName;
        assert_eq!(tr.subject("orders", true, &schema), "orders-shop.Order");
        let string = AvroSchema::parse_str(r#""string""#)?;
        assert_eq!(r.subject("orders", true, &string), "string");
        Ok(())
    }

    #[test]
    fn configuration() {
        let mut converter = AvroConverter::new();
        let error = converter.configure(&BTreeMap::new(), false).err();
        assert!(
            error
                .as_ref()
                .is_some_and(|e| e.to_string().contains(SCHEMA_REGISTRY_URL_CONFIG)),
            "{error:?}"
        );
        let configs = BTreeMap::from([
            (
                SCHEMA_REGISTRY_URL_CONFIG.to_owned(),
                "http://a:8081,http://b:8081".to_owned(),
            ),
            (
                KEY_SUBJECT_NAME_STRATEGY_CONFIG.to_owned(),
                "RecordNameStrategy".to_owned(),
            ),
        ]);
        assert!(converter.configure(&configs, true).is_ok());
        assert_eq!(
            converter.client().map(SchemaRegistryClient::base_url),
            Some("http://a:8081")
        );
        assert_eq!(
            converter.state.as_ref().map(|s| s.strategy),
            Some(SubjectNameStrategy::RecordName)
        );
        let mut bad = configs;
        bad.insert(
            KEY_SUBJECT_NAME_STRATEGY_CONFIG.to_owned(),
            "Whatever".to_owned(),
        );
        assert!(converter.configure(&bad, true).is_err());
        // Unconfigured use is an error, not a panic.
        let mut fresh = AvroConverter::new();
        assert!(fresh
            .to_connect_data("t", &Headers::new(), Some(&[0, 0, 0, 0, 1]))
            .is_err());
    }

    #[test]
    fn nulls_need_no_registry() -> Result<(), ConnectError> {
        let mut converter = AvroConverter::new();
        let configs = BTreeMap::from([(
            SCHEMA_REGISTRY_URL_CONFIG.to_owned(),
            "http://127.0.0.1:1".to_owned(),
        )]);
        converter.configure(&configs, false)?;
        let schema = connect_api::data::SchemaBuilder::string()
            .optional()
            .build()?;
        let bytes =
            converter.from_connect_data("t", &mut Headers::new(), Some(&schema), &Value::Null)?;
        assert_eq!(bytes, None);
        assert_eq!(
            converter.to_connect_data("t", &Headers::new(), None)?,
            SchemaAndValue::NULL
        );
        let wrong_magic = converter.to_connect_data("t", &Headers::new(), Some(&[1, 0, 0, 0, 1]));
        assert!(wrong_magic
            .err()
            .is_some_and(|e| e.to_string().contains("Unknown magic byte")),);
        Ok(())
    }
}
