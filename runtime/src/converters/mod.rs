//! Converters: the byte ⇄ Connect data layer between Kafka records and connectors.
//!
//! Mirrors Kafka's `Converter` / `HeaderConverter` plugins, byte for byte:
//!
//! * [`JsonConverter`] (`org.apache.kafka.connect.json.JsonConverter`), with and without the
//!   `{"schema":…,"payload":…}` envelope;
//! * [`StringConverter`], [`ByteArrayConverter`] and the fixed-width [`BooleanConverter`],
//!   [`ShortConverter`], [`IntegerConverter`], [`LongConverter`], [`FloatConverter`],
//!   [`DoubleConverter`];
//! * [`SimpleHeaderConverter`], the default `header.converter`;
//! * [`AvroConverter`] (Confluent's `io.confluent.connect.avro.AvroConverter`), backed by a
//!   Confluent-compatible schema registry over HTTP (a key/value converter only).
//!
//! Every [`Converter`] is also a [`HeaderConverter`], as in Kafka. Plugins are resolved by
//! class name with [`converter_for_class`] and [`header_converter_for_class`].

pub mod avro;
mod bytes;
mod format;
mod header;
mod json;
mod number;
mod string;

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use connect_api::data::{Schema, Value};
use connect_api::record::Headers;
use connect_api::ConnectError;

pub use avro::AvroConverter;
pub use bytes::ByteArrayConverter;
pub use header::SimpleHeaderConverter;
pub use json::{DecimalFormat, JsonConverter};
pub use number::{
    BooleanConverter, DoubleConverter, FloatConverter, IntegerConverter, LongConverter,
    ShortConverter,
};
pub use string::StringConverter;

/// A schema and a value, as a converter reads them (Kafka's `SchemaAndValue`).
///
/// `schema` is `None` when the data carries no schema (e.g. JSON with `schemas.enable=false`);
/// a tombstone is `schema: None, value: Value::Null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaAndValue {
    /// The schema, when known.
    pub schema: Option<Schema>,
    /// The value; [`Value::Null`] for null.
    pub value: Value,
}

impl SchemaAndValue {
    /// No schema, null value (Kafka's `SchemaAndValue.NULL`).
    pub const NULL: Self = Self {
        schema: None,
        value: Value::Null,
    };

    /// A schema and a value.
    pub fn new(schema: Option<Schema>, value: Value) -> Self {
        Self { schema, value }
    }
}

/// Converts record keys or values between Connect data and bytes (Kafka's `Converter`).
///
/// The worker creates one converter per task and role and calls [`Converter::configure`]
/// once before any conversion, so conversions take `&mut self`: a converter may keep
/// caches (e.g. schema ids of a schema registry-backed Avro converter) without locking.
/// The methods are synchronous, as in Kafka, and should not block. The one exception is
/// [`AvroConverter`], which needs a schema registry round trip on a cache miss: it blocks
/// the calling worker thread with `tokio::task::block_in_place` for that request only (see
/// [`avro::client`]), so it must be called on a multi-thread tokio runtime, as the worker
/// does.
pub trait Converter: Send {
    /// The configuration keys the converter accepts (for `GET /connector-plugins/{p}/config`
    /// and validation).
    fn config_def(&self) -> ConfigDef;

    /// Configures the converter for keys (`is_key`) or values, from the converter's
    /// configuration with the `key.converter.` / `value.converter.` prefix removed.
    fn configure(
        &mut self,
        configs: &BTreeMap<String, String>,
        is_key: bool,
    ) -> Result<(), ConnectError>;

    /// Serializes `value` (with its `schema`, when known) for `topic`; `None` is a null
    /// record key or value (a tombstone). A converter may add headers.
    #[allow(clippy::wrong_self_convention)] // Kafka's name, kept for recognisability.
    fn from_connect_data(
        &mut self,
        topic: &str,
        headers: &mut Headers,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError>;

    /// Deserializes record bytes of `topic` (`None` for a null key or value).
    fn to_connect_data(
        &mut self,
        topic: &str,
        headers: &Headers,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConnectError>;
}

/// Converts record header values between Connect data and bytes (Kafka's
/// `HeaderConverter`).
pub trait HeaderConverter: Send {
    /// The configuration keys the header converter accepts.
    fn config_def(&self) -> ConfigDef;

    /// Configures the header converter (`header.converter.` prefix removed).
    fn configure(&mut self, configs: &BTreeMap<String, String>) -> Result<(), ConnectError>;

    /// Deserializes the value of header `header_key` (`None` for a null header value).
    fn to_connect_header(
        &mut self,
        topic: &str,
        header_key: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConnectError>;

    /// Serializes the value of header `header_key`; `None` is a null header value.
    #[allow(clippy::wrong_self_convention)] // Kafka's name, kept for recognisability.
    fn from_connect_header(
        &mut self,
        topic: &str,
        header_key: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConnectError>;
}

/// Which record part a converter works on (Kafka's `ConverterType`, the `converter.type`
/// configuration the worker sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConverterType {
    /// Record keys.
    Key,
    /// Record values.
    Value,
    /// Record headers.
    Header,
}

impl ConverterType {
    /// The `converter.type` value: `key`, `value` or `header`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Value => "value",
            Self::Header => "header",
        }
    }

    fn for_key(is_key: bool) -> Self {
        if is_key {
            Self::Key
        } else {
            Self::Value
        }
    }
}

/// The `converter.type` key every converter defines (Kafka's `ConverterConfig`).
pub const CONVERTER_TYPE_CONFIG: &str = "converter.type";

/// Kafka's `ConverterConfig.newConfigDef()`: just `converter.type`, which the worker sets.
fn converter_config_def() -> ConfigDef {
    ConfigDef::new().define(
        ConfigKey::new(
            CONVERTER_TYPE_CONFIG,
            ConfigType::String,
            Importance::Low,
            "How this converter will be used.",
        )
        .validator(Validator::one_of(["key", "value", "header"])),
    )
}

/// `configs` with `converter.type` set to `converter_type`, as Kafka's converters do in
/// `configure(Map, boolean)` before parsing.
fn with_converter_type(
    configs: &BTreeMap<String, String>,
    converter_type: ConverterType,
) -> BTreeMap<String, String> {
    let mut configs = configs.clone();
    configs.insert(
        CONVERTER_TYPE_CONFIG.to_owned(),
        converter_type.name().to_owned(),
    );
    configs
}

/// Implements [`Converter`] and [`HeaderConverter`] for a type with inherent
/// `configure_as`, `serialize` and `deserialize` methods: in Kafka the same classes serve as
/// both, with header conversions ignoring the header key.
macro_rules! converter_and_header_converter {
    ($ty:ty) => {
        impl $crate::converters::Converter for $ty {
            fn config_def(&self) -> connect_api::config::ConfigDef {
                Self::definition()
            }

            fn configure(
                &mut self,
                configs: &std::collections::BTreeMap<String, String>,
                is_key: bool,
            ) -> Result<(), connect_api::ConnectError> {
                self.configure_as(configs, $crate::converters::ConverterType::for_key(is_key))
            }

            fn from_connect_data(
                &mut self,
                _topic: &str,
                _headers: &mut connect_api::record::Headers,
                schema: Option<&connect_api::data::Schema>,
                value: &connect_api::data::Value,
            ) -> Result<Option<Vec<u8>>, connect_api::ConnectError> {
                self.serialize(schema, value)
            }

            fn to_connect_data(
                &mut self,
                _topic: &str,
                _headers: &connect_api::record::Headers,
                bytes: Option<&[u8]>,
            ) -> Result<$crate::converters::SchemaAndValue, connect_api::ConnectError> {
                self.deserialize(bytes)
            }
        }

        impl $crate::converters::HeaderConverter for $ty {
            fn config_def(&self) -> connect_api::config::ConfigDef {
                Self::definition()
            }

            fn configure(
                &mut self,
                configs: &std::collections::BTreeMap<String, String>,
            ) -> Result<(), connect_api::ConnectError> {
                self.configure_as(configs, $crate::converters::ConverterType::Header)
            }

            fn to_connect_header(
                &mut self,
                _topic: &str,
                _header_key: &str,
                bytes: Option<&[u8]>,
            ) -> Result<$crate::converters::SchemaAndValue, connect_api::ConnectError> {
                self.deserialize(bytes)
            }

            fn from_connect_header(
                &mut self,
                _topic: &str,
                _header_key: &str,
                schema: Option<&connect_api::data::Schema>,
                value: &connect_api::data::Value,
            ) -> Result<Option<Vec<u8>>, connect_api::ConnectError> {
                self.serialize(schema, value)
            }
        }
    };
}
use converter_and_header_converter;

/// The converter classes sluice ships, by full Kafka class name.
pub const CONVERTER_CLASSES: &[&str] = &[
    "org.apache.kafka.connect.json.JsonConverter",
    "org.apache.kafka.connect.storage.StringConverter",
    "org.apache.kafka.connect.converters.ByteArrayConverter",
    "org.apache.kafka.connect.converters.BooleanConverter",
    "org.apache.kafka.connect.converters.ShortConverter",
    "org.apache.kafka.connect.converters.IntegerConverter",
    "org.apache.kafka.connect.converters.LongConverter",
    "org.apache.kafka.connect.converters.FloatConverter",
    "org.apache.kafka.connect.converters.DoubleConverter",
    "io.confluent.connect.avro.AvroConverter",
];

/// The header converter classes sluice ships: [`CONVERTER_CLASSES`] (except
/// `AvroConverter`, which is not a `HeaderConverter`, as in Confluent) plus
/// `SimpleHeaderConverter`.
pub const HEADER_CONVERTER_CLASSES: &[&str] = &[
    "org.apache.kafka.connect.storage.SimpleHeaderConverter",
    "org.apache.kafka.connect.json.JsonConverter",
    "org.apache.kafka.connect.storage.StringConverter",
    "org.apache.kafka.connect.converters.ByteArrayConverter",
    "org.apache.kafka.connect.converters.BooleanConverter",
    "org.apache.kafka.connect.converters.ShortConverter",
    "org.apache.kafka.connect.converters.IntegerConverter",
    "org.apache.kafka.connect.converters.LongConverter",
    "org.apache.kafka.connect.converters.FloatConverter",
    "org.apache.kafka.connect.converters.DoubleConverter",
];

/// The simple class name of `name` when `name` is one of `classes` by full or simple name.
fn simple_name<'a>(name: &'a str, classes: &[&str]) -> Option<&'a str> {
    let simple = name.rsplit('.').next().unwrap_or(name);
    classes
        .iter()
        .any(|class| {
            *class == name || (!name.contains('.') && class.ends_with(&format!(".{name}")))
        })
        .then_some(simple)
}

/// A new, unconfigured converter for a Kafka class name, full
/// (`org.apache.kafka.connect.json.JsonConverter`) or simple (`JsonConverter`).
pub fn converter_for_class(name: &str) -> Option<Box<dyn Converter>> {
    let converter: Box<dyn Converter> = match simple_name(name, CONVERTER_CLASSES)? {
        "JsonConverter" => Box::new(JsonConverter::new()),
        "StringConverter" => Box::new(StringConverter::new()),
        "ByteArrayConverter" => Box::new(ByteArrayConverter::new()),
        "BooleanConverter" => Box::new(BooleanConverter::new()),
        "ShortConverter" => Box::new(ShortConverter::new()),
        "IntegerConverter" => Box::new(IntegerConverter::new()),
        "LongConverter" => Box::new(LongConverter::new()),
        "FloatConverter" => Box::new(FloatConverter::new()),
        "DoubleConverter" => Box::new(DoubleConverter::new()),
        "AvroConverter" => Box::new(AvroConverter::new()),
        _ => return None,
    };
    Some(converter)
}

/// A new, unconfigured header converter for a Kafka class name, full or simple.
pub fn header_converter_for_class(name: &str) -> Option<Box<dyn HeaderConverter>> {
    let converter: Box<dyn HeaderConverter> = match simple_name(name, HEADER_CONVERTER_CLASSES)? {
        "SimpleHeaderConverter" => Box::new(SimpleHeaderConverter::new()),
        "JsonConverter" => Box::new(JsonConverter::new()),
        "StringConverter" => Box::new(StringConverter::new()),
        "ByteArrayConverter" => Box::new(ByteArrayConverter::new()),
        "BooleanConverter" => Box::new(BooleanConverter::new()),
        "ShortConverter" => Box::new(ShortConverter::new()),
        "IntegerConverter" => Box::new(IntegerConverter::new()),
        "LongConverter" => Box::new(LongConverter::new()),
        "FloatConverter" => Box::new(FloatConverter::new()),
        "DoubleConverter" => Box::new(DoubleConverter::new()),
        _ => return None,
    };
    Some(converter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_full_and_simple_class_names() -> Result<(), ConnectError> {
        for class in CONVERTER_CLASSES {
            let simple = class.rsplit('.').next().unwrap_or_default();
            assert!(converter_for_class(class).is_some(), "{class}");
            assert!(converter_for_class(simple).is_some(), "{simple}");
        }
        let mut avro = converter_for_class("io.confluent.connect.avro.AvroConverter")
            .ok_or_else(|| ConnectError::connector("AvroConverter not found"))?;
        assert!(avro
            .config_def()
            .parse(&BTreeMap::new())
            .is_err_and(|e| e.to_string().contains("schema.registry.url")));
        assert!(avro.configure(&BTreeMap::new(), false).is_err());
        for class in HEADER_CONVERTER_CLASSES {
            assert!(header_converter_for_class(class).is_some(), "{class}");
        }
        assert!(header_converter_for_class("SimpleHeaderConverter").is_some());
        assert!(converter_for_class("SimpleHeaderConverter").is_none());
        assert!(converter_for_class("org.example.JsonConverter").is_none());
        assert!(converter_for_class("org.apache.kafka.connect.json.StringConverter").is_none());
        assert!(converter_for_class("org.apache.kafka.connect.avro.AvroConverter").is_none());
        assert!(header_converter_for_class("AvroConverter").is_none());
        assert!(converter_for_class("").is_none());

        // The resolved converter is the named one.
        let mut converter = converter_for_class("IntegerConverter")
            .ok_or_else(|| ConnectError::connector("IntegerConverter not found"))?;
        converter.configure(&BTreeMap::new(), false)?;
        let bytes =
            converter.from_connect_data("t", &mut Headers::new(), None, &Value::Int32(1))?;
        assert_eq!(bytes, Some(vec![0, 0, 0, 1]));
        Ok(())
    }

    #[test]
    fn converter_type_is_set_by_the_worker() -> Result<(), ConnectError> {
        let def = converter_config_def();
        let parsed = def.parse(&with_converter_type(
            &BTreeMap::new(),
            ConverterType::Header,
        ))?;
        assert_eq!(parsed.get_string(CONVERTER_TYPE_CONFIG)?, Some("header"));
        assert!(def
            .parse(&BTreeMap::from([(
                CONVERTER_TYPE_CONFIG.to_owned(),
                "body".to_owned()
            )]))
            .is_err());
        Ok(())
    }
}
