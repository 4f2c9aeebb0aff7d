//! Records flowing through connectors: [`SourceRecord`], [`SinkRecord`] and [`Headers`].

use crate::data::{validate_value, Schema, Value};
use crate::error::Result;

/// A source partition or source offset: a small JSON object (Kafka stores them as JSON in
/// the offsets topic), e.g. `{"filename": "in.txt"}` and `{"position": 30}`.
pub type SourceMap = serde_json::Map<String, serde_json::Value>;

/// One record header: a key with an optional schema and a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header key.
    pub key: String,
    /// The value's schema, when known.
    pub schema: Option<Schema>,
    /// The value.
    pub value: Value,
}

/// Ordered record headers; a key may occur several times (Kafka's `ConnectHeaders`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<Header>);

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a header; the value is validated when a schema is given.
    pub fn add(
        &mut self,
        key: impl Into<String>,
        schema: Option<Schema>,
        value: Value,
    ) -> Result<&mut Self> {
        if let Some(schema) = &schema {
            validate_value(schema, &value)?;
        }
        self.0.push(Header {
            key: key.into(),
            schema,
            value,
        });
        Ok(self)
    }

    /// Appends a string header (optional `STRING` schema, like Kafka's `addString`).
    pub fn add_string(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.push(Header {
            key: key.into(),
            schema: Some(Schema::optional_string()),
            value: Value::String(value.into()),
        });
        self
    }

    /// The last header with `key`.
    pub fn last_with_name(&self, key: &str) -> Option<&Header> {
        self.0.iter().rev().find(|h| h.key == key)
    }

    /// Every header with `key`, in order.
    pub fn all_with_name<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.0.iter().filter(move |h| h.key == key)
    }

    /// Removes every header with `key`.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        self.0.retain(|h| h.key != key);
        self
    }

    /// Keeps only the last header of each key, preserving the order of those kept.
    pub fn retain_latest(&mut self) -> &mut Self {
        let mut seen = std::collections::HashSet::new();
        let mut kept: Vec<Header> = self
            .0
            .drain(..)
            .rev()
            .filter(|h| seen.insert(h.key.clone()))
            .collect();
        kept.reverse();
        self.0 = kept;
        self
    }

    /// All headers in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.0.iter()
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A record produced by a source task.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    /// Where the record comes from (e.g. `{"filename": "in.txt"}`).
    pub source_partition: SourceMap,
    /// How far the source has been read, committed once the record is written
    /// (e.g. `{"position": 30}`).
    pub source_offset: SourceMap,
    /// Destination topic.
    pub topic: String,
    /// Destination partition; `None` lets the producer's partitioner choose.
    pub kafka_partition: Option<i32>,
    /// Key schema.
    pub key_schema: Option<Schema>,
    /// Key.
    pub key: Value,
    /// Value schema.
    pub value_schema: Option<Schema>,
    /// Value.
    pub value: Value,
    /// Timestamp in ms since the epoch; `None` lets the producer assign one.
    pub timestamp: Option<i64>,
    /// Headers.
    pub headers: Headers,
}

impl SourceRecord {
    /// A keyless record with a value for `topic`.
    pub fn new(
        source_partition: SourceMap,
        source_offset: SourceMap,
        topic: impl Into<String>,
        value_schema: Option<Schema>,
        value: Value,
    ) -> Self {
        Self {
            source_partition,
            source_offset,
            topic: topic.into(),
            kafka_partition: None,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value,
            timestamp: None,
            headers: Headers::new(),
        }
    }

    /// Sets the key.
    pub fn with_key(mut self, key_schema: Option<Schema>, key: Value) -> Self {
        self.key_schema = key_schema;
        self.key = key;
        self
    }

    /// Sets the destination partition.
    pub fn with_kafka_partition(mut self, partition: i32) -> Self {
        self.kafka_partition = Some(partition);
        self
    }

    /// Sets the timestamp (ms since the epoch).
    pub fn with_timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Sets the headers.
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }
}

/// What a sink record's timestamp means (Kafka's `TimestampType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimestampType {
    /// No timestamp.
    #[default]
    NoTimestampType,
    /// Set by the producer.
    CreateTime,
    /// Set by the broker on append.
    LogAppendTime,
}

impl TimestampType {
    /// Kafka's display name (`NoTimestampType`, `CreateTime`, `LogAppendTime`).
    pub fn name(self) -> &'static str {
        match self {
            Self::NoTimestampType => "NoTimestampType",
            Self::CreateTime => "CreateTime",
            Self::LogAppendTime => "LogAppendTime",
        }
    }
}

/// A record delivered to a sink task.
#[derive(Debug, Clone, PartialEq)]
pub struct SinkRecord {
    /// Topic the record was read from (after transformations, the topic they set).
    pub topic: String,
    /// Partition the record was read from.
    pub kafka_partition: i32,
    /// Key schema.
    pub key_schema: Option<Schema>,
    /// Key.
    pub key: Value,
    /// Value schema.
    pub value_schema: Option<Schema>,
    /// Value.
    pub value: Value,
    /// Offset of the record in its partition.
    pub kafka_offset: i64,
    /// Timestamp in ms since the epoch.
    pub timestamp: Option<i64>,
    /// What the timestamp means.
    pub timestamp_type: TimestampType,
    /// Headers.
    pub headers: Headers,
}

impl SinkRecord {
    /// A record without key, timestamp or headers.
    pub fn new(
        topic: impl Into<String>,
        kafka_partition: i32,
        kafka_offset: i64,
        value_schema: Option<Schema>,
        value: Value,
    ) -> Self {
        Self {
            topic: topic.into(),
            kafka_partition,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value,
            kafka_offset,
            timestamp: None,
            timestamp_type: TimestampType::NoTimestampType,
            headers: Headers::new(),
        }
    }

    /// Sets the key.
    pub fn with_key(mut self, key_schema: Option<Schema>, key: Value) -> Self {
        self.key_schema = key_schema;
        self.key = key;
        self
    }

    /// Sets the timestamp and its type.
    pub fn with_timestamp(mut self, timestamp: i64, timestamp_type: TimestampType) -> Self {
        self.timestamp = Some(timestamp);
        self.timestamp_type = timestamp_type;
        self
    }

    /// Sets the headers.
    pub fn with_headers(mut self, headers: Headers) -> Self {
        self.headers = headers;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_keep_order_and_duplicates() -> Result<()> {
        let mut headers = Headers::new();
        headers
            .add_string("a", "1")
            .add_string("b", "2")
            .add_string("a", "3");
        headers.add("n", Some(Schema::int32()), Value::Int32(4))?;
        assert_eq!(headers.len(), 4);
        let a: Vec<_> = headers
            .all_with_name("a")
            .map(|h| h.value.clone())
            .collect();
        assert_eq!(a, [Value::from("1"), Value::from("3")]);
        assert_eq!(
            headers.last_with_name("a").map(|h| &h.value),
            Some(&Value::from("3"))
        );
        assert!(headers.last_with_name("zzz").is_none());

        let mut latest = headers.clone();
        latest.retain_latest();
        let keys: Vec<_> = latest.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["b", "a", "n"]);

        headers.remove("a");
        let keys: Vec<_> = (&headers).into_iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["b", "n"]);
        Ok(())
    }

    #[test]
    fn header_values_are_validated() {
        let mut headers = Headers::new();
        let err = headers
            .add("n", Some(Schema::int32()), Value::from("x"))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("Invalid value for schema with type INT32: found STRING for value".to_owned())
        );
        assert!(headers.is_empty());
        assert!(headers.add("raw", None, Value::Int8(1)).is_ok());
    }

    #[test]
    fn records_build() {
        let mut partition = SourceMap::new();
        partition.insert("filename".to_owned(), "in.txt".into());
        let mut offset = SourceMap::new();
        offset.insert("position".to_owned(), 30.into());
        let record = SourceRecord::new(
            partition.clone(),
            offset,
            "lines",
            Some(Schema::string()),
            Value::from("hello"),
        )
        .with_key(Some(Schema::optional_string()), Value::Null)
        .with_kafka_partition(2)
        .with_timestamp(1_700_000_000_000);
        assert_eq!(record.source_partition, partition);
        assert_eq!(record.kafka_partition, Some(2));
        assert_eq!(record.timestamp, Some(1_700_000_000_000));

        let sink = SinkRecord::new("lines", 0, 41, Some(Schema::string()), Value::from("x"))
            .with_timestamp(5, TimestampType::LogAppendTime);
        assert_eq!(sink.kafka_offset, 41);
        assert_eq!(sink.timestamp_type.name(), "LogAppendTime");
        assert_eq!(sink.key, Value::Null);
    }
}
