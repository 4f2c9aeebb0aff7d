//! The predicates of KIP-585: `TopicNameMatches`, `HasHeaderKey`, `RecordIsTombstone`.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Validator};
use connect_api::ConnectError;
use regex::Regex;

use super::util::{config_error, full_match_regex, regex_validator};
use super::{ConnectRecord, Predicate};

/// Kafka's `TopicNameMatches`: the whole topic name matches `pattern`.
#[derive(Debug, Clone, Default)]
pub struct TopicNameMatches {
    pattern: Option<Regex>,
}

impl TopicNameMatches {
    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::new(
                "pattern",
                ConfigType::String,
                Importance::Medium,
                "A Java regular expression for matching against the name of a record's topic.",
            )
            .validator(Validator::All(vec![
                Validator::NonEmptyString,
                regex_validator(),
            ])),
        )
    }
}

impl<R: ConnectRecord> Predicate<R> for TopicNameMatches {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        let pattern = config.get_string("pattern")?.unwrap_or_default();
        self.pattern = Some(
            full_match_regex(pattern)
                .map_err(|e| config_error(Some("pattern"), format!("Invalid regex: {e}")))?,
        );
        Ok(())
    }

    fn test(&self, record: &R) -> bool {
        self.pattern
            .as_ref()
            .is_some_and(|p| p.is_match(record.topic()))
    }
}

/// Kafka's `HasHeaderKey`: at least one header is named `name`.
#[derive(Debug, Clone, Default)]
pub struct HasHeaderKey {
    name: String,
}

impl HasHeaderKey {
    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new().define(
            ConfigKey::new(
                "name",
                ConfigType::String,
                Importance::Medium,
                "The header name.",
            )
            .validator(Validator::NonEmptyString),
        )
    }
}

impl<R: ConnectRecord> Predicate<R> for HasHeaderKey {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        self.name = config.get_string("name")?.unwrap_or_default().to_owned();
        Ok(())
    }

    fn test(&self, record: &R) -> bool {
        record.headers().all_with_name(&self.name).next().is_some()
    }
}

/// Kafka's `RecordIsTombstone`: the value is null.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordIsTombstone;

impl<R: ConnectRecord> Predicate<R> for RecordIsTombstone {
    fn config_def(&self) -> ConfigDef {
        ConfigDef::new()
    }

    fn configure(&mut self, _props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        Ok(())
    }

    fn test(&self, record: &R) -> bool {
        record.value().is_null()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::Value;
    use connect_api::record::{Headers, SinkRecord};

    #[test]
    fn topic_name_matches() {
        let mut p = TopicNameMatches::default();
        Predicate::<SinkRecord>::configure(&mut p, &props(&[("pattern", "te.*")])).expect("valid");
        assert!(p.test(&sink(None, Value::Null)));
        let mut p = TopicNameMatches::default();
        Predicate::<SinkRecord>::configure(&mut p, &props(&[("pattern", "es")])).expect("valid");
        assert!(
            !p.test(&sink(None, Value::Null)),
            "must match the whole topic"
        );
        let err = Predicate::<SinkRecord>::configure(&mut p, &props(&[("pattern", "")]))
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("invalid configuration: Invalid value  for configuration pattern: String must be non-empty".to_owned())
        );
    }

    #[test]
    fn has_header_key_and_tombstone() {
        let mut p = HasHeaderKey::default();
        Predicate::<SinkRecord>::configure(&mut p, &props(&[("name", "h")])).expect("valid");
        let mut headers = Headers::new();
        headers.add_string("h", "1");
        assert!(p.test(&sink(None, Value::Null).with_headers(headers)));
        assert!(!p.test(&sink(None, Value::Null)));
        assert!(Predicate::<SinkRecord>::test(
            &RecordIsTombstone,
            &sink(None, Value::Null)
        ));
        assert!(!Predicate::<SinkRecord>::test(
            &RecordIsTombstone,
            &sink(None, Value::Int32(1))
        ));
    }
}
