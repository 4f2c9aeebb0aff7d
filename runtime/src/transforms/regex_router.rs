//! `RegexRouter`: rewrite the topic when the whole topic matches a regex.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::ConnectError;
use regex::Regex;

use super::util::{config_error, full_match_regex, regex_validator};
use super::{ConnectRecord, Transformation};

/// Kafka's `RegexRouter`: Java's `matcher.matches()` then `replaceFirst(replacement)`.
#[derive(Debug, Clone, Default)]
pub struct RegexRouter {
    regex: Option<Regex>,
    replacement: String,
}

/// Converts a Java replacement string (`$1`, `\$`) into the `regex` crate's syntax.
fn java_replacement(java: &str) -> String {
    let mut out = String::new();
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => {}
            },
            '$' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push_str(&format!("${{{digits}}}"));
            }
            c => out.push(c),
        }
    }
    out
}

impl RegexRouter {
    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new(
                    "regex",
                    ConfigType::String,
                    Importance::High,
                    "Regular expression to use for matching.",
                )
                .validator(regex_validator()),
            )
            .define(ConfigKey::new(
                "replacement",
                ConfigType::String,
                Importance::High,
                "Replacement string.",
            ))
    }
}

impl<R: ConnectRecord> Transformation<R> for RegexRouter {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        let pattern = config.get_string("regex")?.unwrap_or_default();
        self.regex = Some(
            full_match_regex(pattern)
                .map_err(|e| config_error(Some("regex"), format!("Invalid regex: {e}")))?,
        );
        self.replacement = java_replacement(config.get_string("replacement")?.unwrap_or_default());
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let Some(regex) = &self.regex else {
            return Ok(Some(record));
        };
        if !regex.is_match(record.topic()) {
            return Ok(Some(record));
        }
        let topic = regex
            .replace(record.topic(), self.replacement.as_str())
            .into_owned();
        Ok(Some(record.new_record(
            topic,
            record.kafka_partition(),
            record.key_schema().cloned(),
            record.key().clone(),
            record.value_schema().cloned(),
            record.value().clone(),
            record.timestamp(),
            record.headers().clone(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transforms::test_support::*;
    use connect_api::data::Value;
    use connect_api::record::SinkRecord;

    fn route(regex: &str, replacement: &str, topic: &str) -> String {
        let mut t = RegexRouter::default();
        Transformation::<SinkRecord>::configure(
            &mut t,
            &props(&[("regex", regex), ("replacement", replacement)]),
        )
        .expect("valid");
        let mut record = sink(None, Value::Null);
        record.topic = topic.to_owned();
        t.apply(record).expect("ok").expect("kept").topic
    }

    #[test]
    fn kafka_cases() {
        assert_eq!(route("(.*)", "prefix-$1", "orig"), "prefix-orig");
        assert_eq!(route("(.*)", "$1-suffix", "orig"), "orig-suffix");
        assert_eq!(
            route("(.*)SOMETHING(.*)", "$1$2", "blahSOMETHINGblah"),
            "blahblah"
        );
        assert_eq!(route("(.*)SOMETHING(.*)", "$1$2", "bleh"), "bleh");
        assert_eq!(route("a", "b", "aa"), "aa");
        assert_eq!(route("(a)", "\\$$1", "a"), "$a");
    }

    #[test]
    fn invalid_regex() {
        let mut t = RegexRouter::default();
        let err = Transformation::<SinkRecord>::configure(
            &mut t,
            &props(&[("regex", "("), ("replacement", "x")]),
        )
        .map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.starts_with(
            "invalid configuration: Invalid value ( for configuration regex: Invalid regex: "
        )));
    }
}
