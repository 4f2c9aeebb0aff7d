//! `TimestampRouter`: rewrite the topic from the original topic and the record timestamp.
//!
//! `timestamp.format` follows `java.text.SimpleDateFormat`, always in UTC, for the subset
//! described in [`super::date_format`]; other pattern letters are rejected when the
//! transform is configured.

use std::collections::BTreeMap;

use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance};
use connect_api::ConnectError;

use super::date_format::DatePattern;
use super::util::config_error;
use super::{ConnectRecord, Transformation};

const TOPIC_FORMAT: &str = "topic.format";
const TIMESTAMP_FORMAT: &str = "timestamp.format";

/// Kafka's `TimestampRouter`.
#[derive(Debug, Clone)]
pub struct TimestampRouter {
    topic_format: String,
    timestamp_format: DatePattern,
}

impl Default for TimestampRouter {
    fn default() -> Self {
        Self {
            topic_format: "${topic}-${timestamp}".to_owned(),
            timestamp_format: DatePattern::yyyymmdd(),
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
        self.timestamp_format = DatePattern::parse(pattern).map_err(|e| {
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
        let formatted = self.timestamp_format.format(timestamp);
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
