//! The `__consumer_offsets` topic as the group coordinator's store, in Kafka's
//! own record formats, so committed offsets and group state survive restarts
//! and tools that read the topic understand it.

use crate::batch::{self, BatchHeader, NewRecord, HEADER_LEN};
use crate::config::Durability;
use crate::group::{GroupStore, TopicLookup};
use crate::topics::{Partition, TopicManager, OFFSETS_TOPIC};
use crate::util::now_ms;
use bytes::Bytes;
use futures::future::BoxFuture;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug)]
pub struct OffsetsLog {
    pub topics: Arc<TopicManager>,
}

/// Java's `String.hashCode` (over UTF-16 code units), which Kafka uses to pick
/// the `__consumer_offsets` partition of a group.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Kafka's `Utils.abs(groupId.hashCode) % partitions`.
pub fn partition_for_group(group: &str, partitions: i32) -> i32 {
    let h = java_string_hash(group);
    let abs = if h == i32::MIN { 0 } else { h.abs() };
    abs % partitions.max(1)
}

/// The group id inside a `__consumer_offsets` key (all key versions start with
/// `version:int16, group:string`).
fn group_of_key(key: &[u8]) -> &str {
    if key.len() < 4 {
        return "";
    }
    let len = i16::from_be_bytes([key[2], key[3]]).max(0) as usize;
    key.get(4..4 + len)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

impl GroupStore for OffsetsLog {
    /// Appends now (so records land in the order the coordinator changed state)
    /// and returns a future that resolves once they are durable.
    fn append(
        &self,
        records: Vec<(Bytes, Option<Bytes>)>,
    ) -> BoxFuture<'static, Result<(), String>> {
        let appended = self.append_now(records);
        let sync = self.topics.durability() != Durability::Os;
        Box::pin(async move {
            for (p, end) in appended? {
                if sync {
                    p.wait_durable(end).await.map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        })
    }
}

impl OffsetsLog {
    fn append_now(
        &self,
        records: Vec<(Bytes, Option<Bytes>)>,
    ) -> Result<Vec<(Arc<Partition>, i64)>, String> {
        let topic = self
            .topics
            .get(OFFSETS_TOPIC)
            .ok_or_else(|| format!("{OFFSETS_TOPIC} is missing"))?;
        let n = topic.partitions.len() as i32;
        let mut by_partition: BTreeMap<i32, Vec<(Bytes, Option<Bytes>)>> = BTreeMap::new();
        for (k, v) in records {
            by_partition
                .entry(partition_for_group(group_of_key(&k), n))
                .or_default()
                .push((k, v));
        }
        let now = now_ms();
        let mut appended = Vec::new();
        for (index, recs) in by_partition {
            let partition = topic
                .partition(index)
                .ok_or("offsets partition missing")?
                .clone();
            let new: Vec<NewRecord<'_>> = recs
                .iter()
                .map(|(k, v)| NewRecord {
                    key: Some(k),
                    value: v.as_deref(),
                    timestamp: now,
                })
                .collect();
            let last = partition
                .with_log(|l| l.append_internal(&new, now))
                .map_err(|e| e.to_string())?;
            appended.push((partition, last + 1));
        }
        self.topics.notify_appended();
        Ok(appended)
    }
}

impl TopicLookup for TopicManager {
    fn partition_exists(&self, topic: &str, partition: i32) -> bool {
        self.get(topic)
            .is_some_and(|t| t.partition(partition).is_some())
    }
}

/// Every record of every `__consumer_offsets` partition, in log order per partition.
pub fn read_all(topics: &TopicManager, max_decompressed: usize) -> Vec<(Bytes, Option<Bytes>)> {
    let mut out = Vec::new();
    let Some(topic) = topics.get(OFFSETS_TOPIC) else {
        return out;
    };
    for p in &topic.partitions {
        let (mut next, end) = p.offsets();
        while next < end {
            let Ok(Some(plan)) = p.plan_read(next, 4 << 20) else {
                break;
            };
            let Ok(bytes) = plan.execute() else { break };
            let Ok(batches) = batch::split_batches(&bytes) else {
                break;
            };
            for b in batches {
                let Ok(h) = BatchHeader::parse(&b) else {
                    continue;
                };
                let _ = batch::for_each_record(&h, &b[HEADER_LEN..], max_decompressed, |r| {
                    if let Some(k) = r.key {
                        out.push((
                            Bytes::copy_from_slice(k),
                            r.value.map(Bytes::copy_from_slice),
                        ));
                    }
                    Ok(())
                });
                next = h.last_offset() + 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_matches_kafka() {
        // Values printed by Java's `String.hashCode()`.
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("abc"), 96354);
        assert_eq!(java_string_hash("connect-cluster"), 1_440_343_063);
        assert_eq!(java_string_hash("connect-orders"), -436_250_328);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        // Kafka's `Utils.abs(hash) % partitions`, including the i32::MIN edge.
        assert_eq!(partition_for_group("connect-cluster", 50), 13);
        assert_eq!(partition_for_group("connect-orders", 50), 28);
        assert_eq!(partition_for_group("polygenelubricants", 50), 0);
    }

    #[test]
    fn group_is_read_from_key() {
        let mut key = vec![0, 1, 0, 3];
        key.extend_from_slice(b"grp");
        key.extend_from_slice(&[0, 1, b't']);
        assert_eq!(group_of_key(&key), "grp");
        assert_eq!(group_of_key(&[0]), "");
    }
}
