//! `TimestampRouter`: rewrite the topic from the original topic and the record timestamp.
//!
//! `timestamp.format` follows `java.text.SimpleDateFormat`, always in UTC, for the letters
//! `y` (`yy` is the two-digit year, any other count pads the full year), `M`/`MM`, `d`/`dd`,
//! `H`/`HH`, `m`/`mm`, `s`/`ss` and `S`…`SSS` (milliseconds), plus quoted literals (`'T'`,
//! `''` for a quote) and any non-letter character. Other pattern letters (month or day
//! names, `a`, `h`, `k`, `E`, `z`, `Z`, …) are rejected when the transform is configured.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::ConnectError;

use super::util::{config_error, UtcDateTime};
use super::{ConnectRecord, Transformation};

const TOPIC_FORMAT: &str = "topic.format";
const TIMESTAMP_FORMAT: &str = "timestamp.format";

/// One element of a parsed `SimpleDateFormat` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// A pattern letter and how many times it is repeated.
    Field(char, usize),
}

/// Parses the supported subset of a `SimpleDateFormat` pattern.
fn parse_pattern(pattern: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut literal = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                literal.push('\'');
                i += 2;
                continue;
            }
            // A quoted section; `''` inside it is one quote.
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("Unterminated quote".to_owned()),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        literal.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        literal.push(other);
                        i += 1;
                    }
                }
            }
        } else if c.is_ascii_alphabetic() {
            let mut count = 1;
            while chars.get(i + count) == Some(&c) {
                count += 1;
            }
            let supported = match c {
                'y' => true,
                'M' | 'd' | 'H' | 'm' | 's' => count <= 2,
                'S' => count <= 3,
                _ => false,
            };
            if !supported {
                return Err(format!(
                    "Unsupported pattern '{}'; supported letters are yyyy, yy, MM, dd, HH, mm, ss, SSS (UTC)",
                    c.to_string().repeat(count)
                ));
            }
            if !literal.is_empty() {
                tokens.push(Token::Literal(std::mem::take(&mut literal)));
            }
            tokens.push(Token::Field(c, count));
            i += count;
        } else {
            literal.push(c);
            i += 1;
        }
    }
    if !literal.is_empty() {
        tokens.push(Token::Literal(literal));
    }
    Ok(tokens)
}

/// Formats `epoch_millis` in UTC with parsed pattern `tokens`.
fn format_timestamp(tokens: &[Token], epoch_millis: i64) -> String {
    let t = UtcDateTime::from_epoch_millis(epoch_millis);
    let mut out = String::new();
    for token in tokens {
        match token {
            Token::Literal(s) => out.push_str(s),
            Token::Field('y', 2) => out.push_str(&format!("{:02}", t.year.rem_euclid(100))),
            Token::Field(c, width) => {
                let value = match c {
                    'y' => t.year,
                    'M' => i64::from(t.month),
                    'd' => i64::from(t.day),
                    'H' => i64::from(t.hour),
                    'm' => i64::from(t.minute),
                    's' => i64::from(t.second),
                    _ => i64::from(t.millis),
                };
                out.push_str(&format!("{value:0width$}"));
            }
        }
    }
    out
}

/// Kafka's `TimestampRouter`.
#[derive(Debug, Clone)]
pub struct TimestampRouter {
    topic_format: String,
    timestamp_format: Vec<Token>,
}

impl Default for TimestampRouter {
    fn default() -> Self {
        Self {
            topic_format: "${topic}-${timestamp}".to_owned(),
            timestamp_format: vec![
                Token::Field('y', 4),
                Token::Field('M', 2),
                Token::Field('d', 2),
            ],
        }
    }
}

impl TimestampRouter {
    /// Kafka's `CONFIG_DEF`.
    pub fn definition() -> ConfigDef {
        ConfigDef::new()
            .define(
                ConfigKey::new(
                    TOPIC_FORMAT,
                    ConfigType::String,
                    Importance::High,
                    "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.",
                )
                .default_value("${topic}-${timestamp}"),
            )
            .define(
                ConfigKey::new(
                    TIMESTAMP_FORMAT,
                    ConfigType::String,
                    Importance::High,
                    "Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.",
                )
                .default_value("yyyyMMdd"),
            )
    }
}

impl<R: ConnectRecord> Transformation<R> for TimestampRouter {
    fn config_def(&self) -> ConfigDef {
        Self::definition()
    }

    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError> {
        let config = Self::definition().parse(props)?;
        let pattern = config.get_string(TIMESTAMP_FORMAT)?.unwrap_or_default();
        self.timestamp_format = parse_pattern(pattern).map_err(|e| {
            config_error(
                Some(TIMESTAMP_FORMAT),
                format!("Invalid value {pattern} for configuration {TIMESTAMP_FORMAT}: {e}"),
            )
        })?;
        self.topic_format = config
            .get_string(TOPIC_FORMAT)?
            .unwrap_or_default()
            .to_owned();
        Ok(())
    }

    fn apply(&self, record: R) -> Result<Option<R>, ConnectError> {
        let Some(timestamp) = record.timestamp() else {
            let class = record.java_class_name();
            let simple = class.rsplit('.').next().unwrap_or(class);
            let partition = record
                .kafka_partition()
                .map_or_else(|| "null".to_owned(), |p| p.to_string());
            return Err(ConnectError::data(format!(
                "Timestamp missing on record: {simple}{{topic='{}', kafkaPartition={partition}, timestamp=null}}",
                record.topic()
            )));
        };
        let formatted = format_timestamp(&self.timestamp_format, timestamp);
        // Like Kafka: `${topic}` first, then `${timestamp}` in the result.
        let topic = self
            .topic_format
            .replace("${topic}", record.topic())
            .replace("${timestamp}", &formatted);
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
    use connect_api::record::{SinkRecord, SourceRecord, TimestampType};

    /// 2024-02-29T13:45:30.123Z
    const TS: i64 = 1_709_214_330_123;

    fn configured(pairs: &[(&str, &str)]) -> Result<TimestampRouter, ConnectError> {
        let mut t = TimestampRouter::default();
        Transformation::<SinkRecord>::configure(&mut t, &props(pairs))?;
        Ok(t)
    }

    fn route(pairs: &[(&str, &str)], timestamp: i64) -> Result<String, ConnectError> {
        let record = sink(None, Value::Null).with_timestamp(timestamp, TimestampType::CreateTime);
        Ok(configured(pairs)?.apply(record)?.expect("kept").topic)
    }

    #[test]
    fn defaults() -> Result<(), ConnectError> {
        assert_eq!(route(&[], TS)?, "test-20240229");
        assert_eq!(route(&[], 0)?, "test-19700101");
        let out = Transformation::<SourceRecord>::apply(
            &TimestampRouter::default(),
            source(None, Value::Null),
        )?
        .expect("kept");
        assert_eq!(out.topic, "test-19700101", "unconfigured uses the defaults");
        Ok(())
    }

    #[test]
    fn custom_formats() -> Result<(), ConnectError> {
        assert_eq!(
            route(
                &[
                    ("topic.format", "${timestamp}_${topic}_${topic}"),
                    ("timestamp.format", "yyyy-MM-dd'T'HH:mm:ss.SSS"),
                ],
                TS
            )?,
            "2024-02-29T13:45:30.123_test_test"
        );
        assert_eq!(
            route(&[("timestamp.format", "yy/M/d H.m.s.S")], TS)?,
            "test-24/2/29 13.45.30.123"
        );
        assert_eq!(
            route(&[("timestamp.format", "yyyyMMdd'''x''y'")], 0)?,
            "test-19700101'x'y"
        );
        assert_eq!(route(&[("topic.format", "fixed")], TS)?, "fixed");
        // 1969-12-31T23:59:59.999Z
        assert_eq!(
            route(&[("timestamp.format", "yyyyMMddHHmmssSSS")], -1)?,
            "test-19691231235959999"
        );
        Ok(())
    }

    #[test]
    fn unsupported_patterns_are_config_errors() {
        let err = |pattern: &str| {
            configured(&[("timestamp.format", pattern)])
                .map(|_| ())
                .map_err(|e| e.to_string())
                .expect_err("must fail")
        };
        assert_eq!(
            err("yyyy-MMM-dd"),
            "invalid configuration: Invalid value yyyy-MMM-dd for configuration timestamp.format: Unsupported pattern 'MMM'; supported letters are yyyy, yy, MM, dd, HH, mm, ss, SSS (UTC)"
        );
        assert!(err("EEE").contains("Unsupported pattern 'EEE'"));
        assert!(err("hh:mm a").contains("Unsupported pattern 'hh'"));
        assert!(err("yyyy'T").ends_with("timestamp.format: Unterminated quote"));
    }

    #[test]
    fn missing_timestamp() {
        let t = configured(&[]).expect("valid");
        let err = t
            .apply(sink(None, Value::Null))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Timestamp missing on record: SinkRecord{topic='test', kafkaPartition=0, timestamp=null}".to_owned())
        );
    }
}
