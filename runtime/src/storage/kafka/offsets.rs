//! Source offsets in the offsets topic (`offset.storage.topic`): Kafka's
//! `KafkaOffsetBackingStore`.
//!
//! Key: `["<connector>",{<source partition>}]`, value: `{<source offset>}` or a
//! tombstone, both JSON as Kafka's `JsonConverter` writes them (no spaces). Keys that are
//! not a two-element array of a string and an object are skipped with a warning, as
//! Kafka's `OffsetUtils.processPartitionKey` does.

use std::collections::BTreeMap;
use std::sync::Arc;

use connect_api::record::SourceMap;
use futures::future::BoxFuture;
use parking_lot::Mutex;
use serde_json::{json, Value as Json};

use super::log::{KafkaLog, LogRecord};
use super::topics::{ensure_internal_topic, InternalTopicSpec};
use crate::config::worker::InternalTopic;
use crate::storage::offsets::canonical;
use crate::storage::{OffsetStore, StorageError};

/// One partition's latest record: where it is in the log, and the offset (`None`: deleted).
#[derive(Debug, Clone)]
struct Entry {
    position: (i32, i64),
    partition: SourceMap,
    offset: Option<SourceMap>,
}

#[derive(Debug, Default)]
struct Offsets(BTreeMap<(String, String), Entry>);

impl Offsets {
    /// Applies a record unless a later record of the same key was already applied (this
    /// worker applies its own writes when acknowledged, before reading them back).
    fn apply(
        &mut self,
        connector: &str,
        partition: SourceMap,
        offset: Option<SourceMap>,
        position: (i32, i64),
    ) {
        let key = (
            connector.to_owned(),
            canonical(&Json::Object(partition.clone())),
        );
        if let Some(existing) = self.0.get(&key) {
            if existing.position.0 == position.0 && existing.position.1 > position.1 {
                return;
            }
        }
        self.0.insert(
            key,
            Entry {
                position,
                partition,
                offset,
            },
        );
    }
}

/// Kafka's `OffsetUtils.processPartitionKey` and the value check: the connector, the
/// partition and the offset (`None` for a tombstone), or `None` to skip the record.
fn parse(topic: &str, record: &LogRecord) -> Option<(String, SourceMap, Option<SourceMap>)> {
    let offset = record.offset;
    let Some(key) = record.key.as_deref() else {
        tracing::warn!(topic, offset, "ignoring an offset record with a null key");
        return None;
    };
    let key: Json = match serde_json::from_slice(key) {
        Ok(key) => key,
        Err(e) => {
            tracing::warn!(topic, offset, error = %e, "ignoring an offset partition key with unknown serialization; expected JSON");
            return None;
        }
    };
    let (connector, partition) = match key {
        Json::Array(mut items) if items.len() == 2 => {
            let partition = items.pop();
            let connector = items.pop();
            match (connector, partition) {
                (Some(Json::String(c)), Some(Json::Object(p))) => (c, p),
                (Some(Json::String(_)), Some(Json::Null)) => return None,
                _ => {
                    tracing::warn!(topic, offset, "ignoring an offset partition key that is not [\"<connector>\",{{<partition>}}]");
                    return None;
                }
            }
        }
        Json::Array(items) => {
            tracing::warn!(topic, offset, elements = items.len(), "ignoring an offset partition key with an unexpected number of elements; expected 2");
            return None;
        }
        _ => {
            tracing::warn!(
                topic,
                offset,
                "ignoring an offset partition key that is not a JSON array"
            );
            return None;
        }
    };
    let value = match record.value.as_deref().map(serde_json::from_slice::<Json>) {
        None | Some(Ok(Json::Null)) => None,
        Some(Ok(Json::Object(map))) => Some(map),
        Some(Ok(_)) | Some(Err(_)) => {
            tracing::warn!(
                topic,
                offset,
                connector,
                "ignoring an offset record whose value is not a JSON object"
            );
            return None;
        }
    };
    Some((connector, partition, value))
}

/// Kafka's `KafkaOffsetBackingStore`: source offsets in a compacted topic every worker
/// reads whole.
pub struct KafkaOffsetStore {
    log: KafkaLog,
    offsets: Arc<Mutex<Offsets>>,
}

impl std::fmt::Debug for KafkaOffsetStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaOffsetStore")
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

impl KafkaOffsetStore {
    /// Creates the topic if missing (compacted, `offset.storage.partitions`) or checks it,
    /// starts reading it and reads to its end before returning.
    pub async fn start(
        base_props: &BTreeMap<String, String>,
        topic: &InternalTopic,
    ) -> Result<Arc<Self>, StorageError> {
        ensure_internal_topic(base_props, &InternalTopicSpec::offsets(topic), false).await?;
        let offsets = Arc::new(Mutex::new(Offsets::default()));
        let reader = offsets.clone();
        let name = topic.name.clone();
        let log = KafkaLog::start(
            base_props,
            &topic.name,
            Box::new(move |record| {
                if let Some((connector, partition, offset)) = parse(&name, &record) {
                    reader.lock().apply(
                        &connector,
                        partition,
                        offset,
                        (record.partition, record.offset),
                    );
                }
            }),
        )
        .await?;
        let store = Arc::new(Self { log, offsets });
        store.read_to_end().await?;
        Ok(store)
    }

    /// Reads everything written to the topic so far (other workers' commits included).
    pub async fn read_to_end(&self) -> Result<(), StorageError> {
        self.log.read_to_end().await
    }

    /// Stops reading and flushes pending writes.
    pub async fn close(&self) {
        self.log.stop().await;
    }
}

impl OffsetStore for KafkaOffsetStore {
    fn get(&self, connector: &str, partition: &SourceMap) -> Option<SourceMap> {
        let key = (
            connector.to_owned(),
            canonical(&Json::Object(partition.clone())),
        );
        self.offsets
            .lock()
            .0
            .get(&key)
            .and_then(|e| e.offset.clone())
    }

    fn partitions(&self, connector: &str) -> Vec<(SourceMap, SourceMap)> {
        self.offsets
            .lock()
            .0
            .iter()
            .filter(|((c, _), _)| c == connector)
            .filter_map(|(_, e)| Some((e.partition.clone(), e.offset.clone()?)))
            .collect()
    }

    /// Writes every entry and completes when all are acknowledged (`acks=all`).
    fn put(
        &self,
        connector: &str,
        entries: Vec<(SourceMap, Option<SourceMap>)>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let connector = connector.to_owned();
        Box::pin(async move {
            let mut deliveries = Vec::with_capacity(entries.len());
            for (partition, offset) in entries {
                let key = json!([connector, partition]).to_string();
                let value = offset.as_ref().map(|o| Json::Object(o.clone()).to_string());
                let delivery = self
                    .log
                    .enqueue(key.as_bytes(), value.as_deref().map(str::as_bytes))?;
                deliveries.push((partition, offset, delivery));
            }
            for (partition, offset, delivery) in deliveries {
                let position = delivery.wait().await?;
                self.offsets
                    .lock()
                    .apply(&connector, partition, offset, position);
            }
            Ok(())
        })
    }

    fn refresh(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.read_to_end())
    }
}
