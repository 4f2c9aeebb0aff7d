//! Worker and connector configuration: Kafka Connect's `WorkerConfig`,
//! `StandaloneConfig`, `DistributedConfig`, `ConnectorConfig`, `SinkConnectorConfig` and
//! `SourceConnectorConfig`, with Kafka's keys, defaults and messages.
//!
//! Every key is defined once as a `connect_api` [`ConfigDef`](connect_api::config::ConfigDef);
//! the typed structs are parsed from a raw `name → string` map through that definition.
//!
//! * [`worker`]: worker configuration for both modes, plus the prefixed pass-through
//!   settings (`producer.*`, `key.converter.*`, ...).
//! * [`connector`]: the keys every connector has, the sink and source additions, and
//!   [`connector::validate_connector_config`] for `PUT …/config/validate`.
//! * [`plugins`]: `connector.class` resolution by class name or Kafka alias.
//! * [`files`]: reading `.properties` and connector JSON files.

/// Defines a `Copy` enum of a string-valued key with `ALL`, `name` and a case-insensitive
/// `parse`.
macro_rules! config_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value, in Kafka's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The configuration value.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }

            /// Parses a configuration value, ignoring case.
            pub fn parse(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.name().eq_ignore_ascii_case(value.trim()))
            }
        }
    };
}

pub mod connector;
pub mod files;
pub mod plugins;
pub mod worker;

use std::collections::BTreeMap;

use connect_api::config::{ConfigError, ConfigErrors, ParsedConfig};
use connect_api::ConnectError;

/// The entries of `props` whose key starts with `prefix`, with the prefix removed
/// (Kafka's `AbstractConfig.originalsWithPrefix`).
pub fn originals_with_prefix(
    props: &BTreeMap<String, String>,
    prefix: &str,
) -> BTreeMap<String, String> {
    props
        .range(prefix.to_owned()..)
        .map_while(|(k, v)| Some((k.strip_prefix(prefix)?, v)))
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
}

/// Turns a typed getter's result into the parse error of `name`. The definitions in this
/// module make a type mismatch impossible, but it is still reported rather than panicking.
fn typed<T>(name: &str, value: Result<Option<T>, ConnectError>) -> Result<Option<T>, ConfigErrors> {
    value.map_err(|e| {
        ConfigErrors(vec![ConfigError {
            name: Some(name.to_owned()),
            message: e.to_string(),
        }])
    })
}

/// Like [`typed`] for a key that must not be null.
fn non_null<T>(name: &str, value: Result<Option<T>, ConnectError>) -> Result<T, ConfigErrors> {
    typed(name, value)?.ok_or_else(|| {
        ConfigErrors(vec![ConfigError {
            name: Some(name.to_owned()),
            message: format!(
                "Missing required configuration \"{name}\" which has no default value."
            ),
        }])
    })
}

/// A string key that must not be null.
fn string(parsed: &ParsedConfig, name: &str) -> Result<String, ConfigErrors> {
    non_null(name, parsed.get_string(name)).map(str::to_owned)
}

/// A list key; null is the empty list.
fn list(parsed: &ParsedConfig, name: &str) -> Result<Vec<String>, ConfigErrors> {
    Ok(typed(name, parsed.get_list(name))?
        .map(<[String]>::to_vec)
        .unwrap_or_default())
}

/// A boolean key that must not be null.
fn boolean(parsed: &ParsedConfig, name: &str) -> Result<bool, ConfigErrors> {
    non_null(name, parsed.get_boolean(name))
}

/// A string key read as one of a [`config_enum!`] type's values. The key's validator
/// admitted the value, so this only fails if the definition and the enum disagree.
fn enum_value<T>(
    parsed: &ParsedConfig,
    name: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, ConfigErrors> {
    let raw = non_null(name, parsed.get_string(name))?;
    parse(raw).ok_or_else(|| {
        ConfigErrors(vec![ConfigError {
            name: Some(name.to_owned()),
            message: format!("Invalid value {raw} for configuration {name}"),
        }])
    })
}

/// A duration in milliseconds; negative values (which Kafka does not reject for every
/// key) count as zero.
fn millis(value: i64) -> std::time::Duration {
    std::time::Duration::from_millis(u64::try_from(value).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_extraction_strips_the_prefix_and_stops_at_the_range_end() {
        let props: BTreeMap<String, String> = [
            ("producer", "x"),
            ("producer.acks", "all"),
            ("producer.linger.ms", "5"),
            ("producerx", "no"),
            ("consumer.a", "no"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let producer = originals_with_prefix(&props, "producer.");
        assert_eq!(producer.len(), 2);
        assert_eq!(producer.get("acks").map(String::as_str), Some("all"));
        assert_eq!(producer.get("linger.ms").map(String::as_str), Some("5"));
    }
}
