//! Single Message Transforms (SMTs) and predicates, with Kafka Connect's class names,
//! configuration keys, semantics and error messages.
//!
//! * [`ConnectRecord`]: what a transform sees of a record; implemented for
//!   [`SourceRecord`] and [`SinkRecord`].
//! * [`Transformation`] / [`Predicate`]: the object-safe plugin traits (Kafka's
//!   `Transformation<R>` and `Predicate<R>`).
//! * [`TransformationChain`]: built from a connector configuration (`transforms=…`,
//!   `transforms.<alias>.type`, `…predicate`, `…negate`, `predicates=…`), applied per record.
//! * [`new_transformation`] / [`new_predicate`]: the class-name registry (full names such as
//!   `org.apache.kafka.connect.transforms.InsertField$Value` and simple ones such as
//!   `InsertField$Value`).
//!
//! Shipped transforms: `InsertField`, `ReplaceField`, `ExtractField`, `ValueToKey`,
//! `HoistField`, `MaskField`, `Cast`, `Flatten`, `HeaderFrom`, `SetSchemaMetadata`,
//! `TimestampConverter`, `RegexRouter`, `TimestampRouter`, `Filter`, `DropHeaders`,
//! `InsertHeader`; predicates `TopicNameMatches`, `HasHeaderKey`,
//! `RecordIsTombstone`.

use std::collections::BTreeMap;

use connect_api::config::ConfigDef;
use connect_api::data::{Schema, Value};
use connect_api::record::{Headers, SinkRecord, SourceRecord};
use connect_api::ConnectError;

mod cast;
mod chain;
mod date_format;
mod drop_headers;
mod extract_field;
mod filter;
mod flatten;
mod header_from;
mod hoist_field;
mod insert_field;
mod insert_header;
mod mask_field;
mod predicates;
mod regex_router;
mod replace_field;
mod set_schema_metadata;
mod timestamp_converter;
mod timestamp_router;
mod util;
mod value_to_key;
mod values;

pub use cast::Cast;
pub use chain::{new_predicate, new_transformation, TransformationChain};
pub use drop_headers::DropHeaders;
pub use extract_field::ExtractField;
pub use filter::Filter;
pub use flatten::Flatten;
pub use header_from::HeaderFrom;
pub use hoist_field::HoistField;
pub use insert_field::InsertField;
pub use insert_header::InsertHeader;
pub use mask_field::MaskField;
pub use predicates::{HasHeaderKey, RecordIsTombstone, TopicNameMatches};
pub use regex_router::RegexRouter;
pub use replace_field::ReplaceField;
pub use set_schema_metadata::SetSchemaMetadata;
pub use timestamp_converter::TimestampConverter;
pub use timestamp_router::TimestampRouter;
pub use util::Side;
pub use value_to_key::ValueToKey;

/// A record as seen by transforms and predicates (Kafka's `ConnectRecord<R>`).
pub trait ConnectRecord: Clone + Send + Sync + 'static {
    /// The topic.
    fn topic(&self) -> &str;
    /// The Kafka partition, when known.
    fn kafka_partition(&self) -> Option<i32>;
    /// The key schema.
    fn key_schema(&self) -> Option<&Schema>;
    /// The key (`Value::Null` when absent).
    fn key(&self) -> &Value;
    /// The value schema.
    fn value_schema(&self) -> Option<&Schema>;
    /// The value (`Value::Null` for a tombstone).
    fn value(&self) -> &Value;
    /// The timestamp in ms since the epoch.
    fn timestamp(&self) -> Option<i64>;
    /// The headers.
    fn headers(&self) -> &Headers;
    /// The headers, mutably.
    fn headers_mut(&mut self) -> &mut Headers;
    /// The Kafka offset: `Some` only for sink records.
    fn kafka_offset(&self) -> Option<i64>;
    /// Kafka's Java class name of the record type, used in error messages.
    fn java_class_name(&self) -> &'static str;
    /// A copy of this record with the given fields replaced (Kafka's `newRecord`); anything
    /// not listed (source partition and offset, Kafka offset, timestamp type) is kept.
    #[allow(clippy::too_many_arguments)]
    fn new_record(
        &self,
        topic: String,
        kafka_partition: Option<i32>,
        key_schema: Option<Schema>,
        key: Value,
        value_schema: Option<Schema>,
        value: Value,
        timestamp: Option<i64>,
        headers: Headers,
    ) -> Self;
}

/// The accessors that read the same-named fields of `SourceRecord` and `SinkRecord`.
macro_rules! record_field_accessors {
    () => {
        fn topic(&self) -> &str {
            &self.topic
        }
        fn key_schema(&self) -> Option<&Schema> {
            self.key_schema.as_ref()
        }
        fn key(&self) -> &Value {
            &self.key
        }
        fn value_schema(&self) -> Option<&Schema> {
            self.value_schema.as_ref()
        }
        fn value(&self) -> &Value {
            &self.value
        }
        fn timestamp(&self) -> Option<i64> {
            self.timestamp
        }
        fn headers(&self) -> &Headers {
            &self.headers
        }
        fn headers_mut(&mut self) -> &mut Headers {
            &mut self.headers
        }
    };
}

impl ConnectRecord for SourceRecord {
    fn kafka_partition(&self) -> Option<i32> {
        self.kafka_partition
    }
    record_field_accessors!();
    fn kafka_offset(&self) -> Option<i64> {
        None
    }
    fn java_class_name(&self) -> &'static str {
        "org.apache.kafka.connect.source.SourceRecord"
    }
    fn new_record(
        &self,
        topic: String,
        kafka_partition: Option<i32>,
        key_schema: Option<Schema>,
        key: Value,
        value_schema: Option<Schema>,
        value: Value,
        timestamp: Option<i64>,
        headers: Headers,
    ) -> Self {
        SourceRecord {
            source_partition: self.source_partition.clone(),
            source_offset: self.source_offset.clone(),
            topic,
            kafka_partition,
            key_schema,
            key,
            value_schema,
            value,
            timestamp,
            headers,
        }
    }
}

impl ConnectRecord for SinkRecord {
    fn kafka_partition(&self) -> Option<i32> {
        Some(self.kafka_partition)
    }
    record_field_accessors!();
    fn kafka_offset(&self) -> Option<i64> {
        Some(self.kafka_offset)
    }
    fn java_class_name(&self) -> &'static str {
        "org.apache.kafka.connect.sink.SinkRecord"
    }
    /// A sink record always has a partition: `None` keeps the current one.
    fn new_record(
        &self,
        topic: String,
        kafka_partition: Option<i32>,
        key_schema: Option<Schema>,
        key: Value,
        value_schema: Option<Schema>,
        value: Value,
        timestamp: Option<i64>,
        headers: Headers,
    ) -> Self {
        SinkRecord {
            topic,
            kafka_partition: kafka_partition.unwrap_or(self.kafka_partition),
            key_schema,
            key,
            value_schema,
            value,
            kafka_offset: self.kafka_offset,
            timestamp,
            timestamp_type: self.timestamp_type,
            headers,
        }
    }
}

/// A single message transform (Kafka's `Transformation<R>`). Object-safe; the runtime holds
/// them as `Box<dyn Transformation<R>>`.
pub trait Transformation<R: ConnectRecord>: Send + Sync {
    /// The configuration this transform accepts (without the implicit `predicate`/`negate`).
    fn config_def(&self) -> ConfigDef;
    /// Configures the transform from its own keys (the `transforms.<alias>.` prefix removed).
    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError>;
    /// Transforms one record; `Ok(None)` drops it.
    fn apply(&self, record: R) -> Result<Option<R>, ConnectError>;
}

/// A record predicate (Kafka's `Predicate<R>`, KIP-585); `negate` is applied by the caller.
pub trait Predicate<R: ConnectRecord>: Send + Sync {
    /// The configuration this predicate accepts.
    fn config_def(&self) -> ConfigDef;
    /// Configures the predicate from its own keys (the `predicates.<alias>.` prefix removed).
    fn configure(&mut self, props: &BTreeMap<String, String>) -> Result<(), ConnectError>;
    /// Whether the record matches.
    fn test(&self, record: &R) -> bool;
}

#[cfg(test)]
pub(crate) mod test_support;
