//! Topics and partitions: metadata persisted under `<data>/meta/topics/`, one
//! [`PartitionLog`] per partition under `<data>/<topic>-<partition>/`, topic
//! configs with Kafka's names, and the durability (fsync) policy.

use crate::batch::BatchHeader;
use crate::config::{BrokerConfig, Durability, TopicDefaults};
use crate::error::{Error, Result};
use crate::log::{AppendOutcome, LogConfig, PartitionLog, ReadPlan};
use crate::util::{now_ms, write_atomic};
use kafka_protocol::ResponseError;
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use uuid::Uuid;

/// The internal topic holding committed offsets and group metadata.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";

/// A Kafka error code with a message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: i16,
    pub message: String,
}

impl ApiError {
    pub fn new(e: ResponseError, message: impl Into<String>) -> Self {
        ApiError {
            code: e.code(),
            message: message.into(),
        }
    }
}

/// Where a config value came from (DescribeConfigs `config_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    DynamicTopic = 1,
    StaticBroker = 4,
    Default = 5,
}

/// One config entry as DescribeConfigs reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigEntry {
    pub name: &'static str,
    pub value: String,
    pub source: ConfigSource,
    pub doc: &'static str,
    /// Kafka's ConfigType enum for DescribeConfigs v3+ (1 BOOLEAN, 2 STRING, 3 INT, 4 SHORT, 5 LONG, 6 DOUBLE, 7 LIST, 8 CLASS, 9 PASSWORD).
    pub config_type: i8,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Long {
        min: i64,
    },
    Int {
        min: i64,
    },
    Double {
        min: f64,
        max: f64,
    },
    Boolean,
    Choice(&'static [&'static str]),
    List(&'static [&'static str]),
    /// Accepted and stored for compatibility; no effect on a single node.
    Inert(i8),
}

struct TopicConfigDef {
    name: &'static str,
    kind: Kind,
    /// Broker-level default (and the Kafka key it comes from, if any).
    default: fn(&TopicDefaults) -> String,
    kafka_default: &'static str,
    doc: &'static str,
}

macro_rules! def {
    ($name:literal, $kind:expr, $default:expr, $kafka:literal, $doc:literal) => {
        TopicConfigDef {
            name: $name,
            kind: $kind,
            default: $default,
            kafka_default: $kafka,
            doc: $doc,
        }
    };
}

const TOPIC_CONFIGS: &[TopicConfigDef] = &[
    def!(
        "cleanup.policy",
        Kind::List(&["delete", "compact"]),
        |d| d.cleanup_policy.clone(),
        "delete",
        "delete: drop old segments; compact: keep the latest record per key."
    ),
    def!(
        "compression.type",
        Kind::Choice(&["producer"]),
        |_| "producer".into(),
        "producer",
        "Batches are stored exactly as the producer compressed them."
    ),
    def!(
        "delete.retention.ms",
        Kind::Long { min: 0 },
        |d| d.delete_retention_ms.to_string(),
        "86400000",
        "How long tombstones survive compaction."
    ),
    def!(
        "file.delete.delay.ms",
        Kind::Inert(5),
        |_| "60000".into(),
        "60000",
        "Accepted for compatibility; segments are deleted immediately."
    ),
    def!(
        "flush.messages",
        Kind::Inert(5),
        |_| i64::MAX.to_string(),
        "9223372036854775807",
        "Accepted for compatibility; see the broker's log.durability."
    ),
    def!(
        "flush.ms",
        Kind::Inert(5),
        |_| i64::MAX.to_string(),
        "9223372036854775807",
        "Accepted for compatibility; see the broker's log.durability."
    ),
    def!(
        "index.interval.bytes",
        Kind::Int { min: 0 },
        |d| d.index_interval_bytes.to_string(),
        "4096",
        "Bytes between offset index entries."
    ),
    def!(
        "max.compaction.lag.ms",
        Kind::Inert(5),
        |_| i64::MAX.to_string(),
        "9223372036854775807",
        "Accepted for compatibility."
    ),
    def!(
        "max.message.bytes",
        Kind::Int { min: 0 },
        |d| d.max_message_bytes.to_string(),
        "1048588",
        "Largest record batch accepted."
    ),
    def!(
        "message.timestamp.type",
        Kind::Choice(&["CreateTime", "LogAppendTime"]),
        |d| d.message_timestamp_type.clone(),
        "CreateTime",
        "Whether record timestamps are the producer's or the broker's append time."
    ),
    def!(
        "min.cleanable.dirty.ratio",
        Kind::Double { min: 0.0, max: 1.0 },
        |d| d.min_cleanable_dirty_ratio.to_string(),
        "0.5",
        "Share of uncompacted bytes that triggers compaction."
    ),
    def!(
        "min.compaction.lag.ms",
        Kind::Inert(5),
        |_| "0".into(),
        "0",
        "Accepted for compatibility."
    ),
    def!(
        "min.insync.replicas",
        Kind::Inert(3),
        |_| "1".into(),
        "1",
        "Always 1 on a single node."
    ),
    def!(
        "preallocate",
        Kind::Boolean,
        |_| "false".into(),
        "false",
        "Accepted for compatibility; segments are not preallocated."
    ),
    def!(
        "retention.bytes",
        Kind::Long { min: -1 },
        |d| d.retention_bytes.to_string(),
        "-1",
        "Size above which the oldest segments are deleted (-1: no limit)."
    ),
    def!(
        "retention.ms",
        Kind::Long { min: -1 },
        |d| d.retention_ms.to_string(),
        "604800000",
        "Age after which segments are deleted (-1: forever)."
    ),
    def!(
        "segment.bytes",
        Kind::Int { min: 14 },
        |d| d.segment_bytes.to_string(),
        "1073741824",
        "Size at which a new segment is started."
    ),
    def!(
        "segment.index.bytes",
        Kind::Inert(3),
        |_| "10485760".into(),
        "10485760",
        "Accepted for compatibility."
    ),
    def!(
        "segment.jitter.ms",
        Kind::Inert(5),
        |_| "0".into(),
        "0",
        "Accepted for compatibility."
    ),
    def!(
        "segment.ms",
        Kind::Long { min: 1 },
        |d| d.segment_ms.to_string(),
        "604800000",
        "Age at which a new segment is started."
    ),
    def!(
        "unclean.leader.election.enable",
        Kind::Inert(1),
        |_| "false".into(),
        "false",
        "No meaning on a single node."
    ),
    def!(
        "message.downconversion.enable",
        Kind::Inert(1),
        |_| "true".into(),
        "true",
        "Accepted for compatibility."
    ),
    def!(
        "message.timestamp.difference.max.ms",
        Kind::Inert(5),
        |_| i64::MAX.to_string(),
        "9223372036854775807",
        "Accepted for compatibility."
    ),
    def!(
        "message.timestamp.before.max.ms",
        Kind::Inert(5),
        |_| i64::MAX.to_string(),
        "9223372036854775807",
        "Accepted for compatibility."
    ),
    def!(
        "message.timestamp.after.max.ms",
        Kind::Inert(5),
        |_| i64::MAX.to_string(),
        "9223372036854775807",
        "Accepted for compatibility."
    ),
    def!(
        "follower.replication.throttled.replicas",
        Kind::Inert(7),
        |_| String::new(),
        "",
        "No meaning on a single node."
    ),
    def!(
        "leader.replication.throttled.replicas",
        Kind::Inert(7),
        |_| String::new(),
        "",
        "No meaning on a single node."
    ),
];

fn find_def(name: &str) -> Option<&'static TopicConfigDef> {
    TOPIC_CONFIGS.iter().find(|d| d.name == name)
}

/// Validates one topic config value; the error says what is allowed.
pub fn validate_topic_config(name: &str, value: &str) -> std::result::Result<(), ApiError> {
    let invalid = |why: String| {
        ApiError::new(
            ResponseError::InvalidConfig,
            format!("Invalid value {value} for configuration {name}: {why}"),
        )
    };
    let Some(def) = find_def(name) else {
        return Err(ApiError::new(
            ResponseError::InvalidConfig,
            format!("Unknown topic config name: {name}"),
        ));
    };
    match def.kind {
        Kind::Long { min } | Kind::Int { min } => {
            let v: i64 = value
                .trim()
                .parse()
                .map_err(|_| invalid("expected a number".into()))?;
            if v < min {
                return Err(invalid(format!("must be at least {min}")));
            }
            if matches!(def.kind, Kind::Int { .. }) && v > i64::from(i32::MAX) {
                return Err(invalid("must fit in a 32-bit integer".into()));
            }
        }
        Kind::Double { min, max } => {
            let v: f64 = value
                .trim()
                .parse()
                .map_err(|_| invalid("expected a number".into()))?;
            if !(min..=max).contains(&v) {
                return Err(invalid(format!("must be between {min} and {max}")));
            }
        }
        Kind::Boolean => {
            if !matches!(value.trim(), "true" | "false") {
                return Err(invalid("expected true or false".into()));
            }
        }
        Kind::Choice(choices) => {
            if !choices.contains(&value.trim()) {
                return Err(invalid(format!("must be one of {}", choices.join(", "))));
            }
        }
        Kind::List(items) => {
            for part in value.split(',').map(str::trim) {
                if !items.contains(&part) {
                    return Err(invalid(format!(
                        "each entry must be one of {}",
                        items.join(", ")
                    )));
                }
            }
        }
        Kind::Inert(_) => {}
    }
    Ok(())
}

fn kafka_type(kind: Kind) -> i8 {
    match kind {
        Kind::Long { .. } => 5,
        Kind::Int { .. } => 3,
        Kind::Double { .. } => 6,
        Kind::Boolean => 1,
        Kind::Choice(_) => 2,
        Kind::List(_) => 7,
        Kind::Inert(t) => t,
    }
}

/// A topic name as Kafka allows it: 1-249 chars of `[a-zA-Z0-9._-]`, not `.`/`..`.
pub fn validate_topic_name(name: &str) -> std::result::Result<(), ApiError> {
    let bad = |why: &str| {
        ApiError::new(
            ResponseError::InvalidTopicException,
            format!("Topic name \"{name}\" is illegal, {why}"),
        )
    };
    if name.is_empty() {
        return Err(bad("it can't be empty"));
    }
    if name == "." || name == ".." {
        return Err(bad("it can't be '.' or '..'"));
    }
    if name.len() > 249 {
        return Err(bad("it can't be longer than 249 characters"));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return Err(bad(
            "it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
        ));
    }
    Ok(())
}

#[derive(Debug, Serialize, Deserialize)]
struct TopicMeta {
    id: Uuid,
    partitions: i32,
    configs: BTreeMap<String, String>,
    #[serde(default)]
    internal: bool,
}

/// One partition: its log behind a mutex, plus the fsync state.
#[derive(Debug)]
pub struct Partition {
    pub topic: String,
    pub index: i32,
    log: Mutex<PartitionLog>,
    /// Everything below this offset is on disk.
    flushed: tokio::sync::watch::Sender<i64>,
    /// Serialises fsyncs; waiters queue here, so one fsync covers every append
    /// that arrived meanwhile (group commit).
    flush_lock: tokio::sync::Mutex<()>,
}

impl Partition {
    pub fn log_end_offset(&self) -> i64 {
        self.log.lock().log_end_offset()
    }
    pub fn log_start_offset(&self) -> i64 {
        self.log.lock().log_start_offset()
    }
    pub fn offsets(&self) -> (i64, i64) {
        let log = self.log.lock();
        (log.log_start_offset(), log.log_end_offset())
    }
    pub fn with_log<T>(&self, f: impl FnOnce(&mut PartitionLog) -> T) -> T {
        f(&mut self.log.lock())
    }
    pub fn plan_read(
        &self,
        offset: i64,
        max_bytes: usize,
    ) -> std::result::Result<Option<ReadPlan>, ApiError> {
        let log = self.log.lock();
        if offset < log.log_start_offset() || offset > log.log_end_offset() {
            return Err(ApiError::new(
                ResponseError::OffsetOutOfRange,
                format!(
                    "offset {offset} is outside [{}, {}]",
                    log.log_start_offset(),
                    log.log_end_offset()
                ),
            ));
        }
        Ok(log.plan_read(offset, max_bytes))
    }

    /// Appends one validated batch; `batch` is copied so the log can patch offsets.
    pub fn append(&self, batch: &[u8], header: &BatchHeader) -> Result<AppendOutcome> {
        let mut owned = batch.to_vec();
        let now = now_ms();
        self.log.lock().append(&mut owned, header, now)
    }

    /// Waits until every offset below `end` is on disk, fsyncing if nobody else is.
    pub async fn wait_durable(&self, end: i64) -> Result<()> {
        if *self.flushed.borrow() >= end {
            return Ok(());
        }
        let _guard = self.flush_lock.lock().await;
        if *self.flushed.borrow() >= end {
            return Ok(());
        }
        self.flush().await
    }

    /// Fsyncs what was appended so far. Callers hold `flush_lock` or don't care
    /// about ordering with other flushes (the background flusher does not).
    async fn flush(&self) -> Result<()> {
        let (files, end) = self.log.lock().sync_targets();
        if !files.is_empty() {
            let dir = PathBuf::from(format!("{}-{}", self.topic, self.index));
            tokio::task::spawn_blocking(move || {
                for f in files {
                    f.sync_data().map_err(|e| Error::io(&dir, e))?;
                }
                Ok::<_, Error>(())
            })
            .await
            .map_err(|e| Error::Config(format!("fsync task failed: {e}")))??;
        }
        self.flushed.send_if_modified(|f| {
            if end > *f {
                *f = end;
                true
            } else {
                false
            }
        });
        Ok(())
    }
}

#[derive(Debug)]
pub struct Topic {
    pub name: String,
    pub id: Uuid,
    pub internal: bool,
    pub partitions: Vec<Arc<Partition>>,
    /// Topic-level overrides (`DYNAMIC_TOPIC_CONFIG`).
    pub configs: BTreeMap<String, String>,
}

impl Topic {
    pub fn partition(&self, index: i32) -> Option<&Arc<Partition>> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.partitions.get(i))
    }
    pub fn is_compacted(&self) -> bool {
        self.partitions
            .first()
            .is_some_and(|p| p.with_log(|l| l.config.compact))
    }
}

/// All topics of the broker.
#[derive(Debug)]
pub struct TopicManager {
    data_dir: PathBuf,
    meta_dir: PathBuf,
    defaults: TopicDefaults,
    durability: Durability,
    topics: RwLock<HashMap<String, Arc<Topic>>>,
    /// Serialises create/delete/alter so metadata files and maps stay consistent.
    admin: Mutex<()>,
    /// Bumped on every append; fetches waiting for data watch it.
    appended: tokio::sync::watch::Sender<u64>,
    /// Whether start-up found an unclean shutdown (logs were CRC-verified).
    pub recovered: bool,
}

const CLEAN_SHUTDOWN_FILE: &str = ".clean-shutdown";

impl TopicManager {
    /// Loads every topic under the data directory.
    pub fn open(config: &BrokerConfig) -> Result<Self> {
        let data_dir = config.data_dir.clone();
        let meta_dir = data_dir.join("meta").join("topics");
        std::fs::create_dir_all(&meta_dir).map_err(|e| Error::io(&meta_dir, e))?;
        let marker = data_dir.join(CLEAN_SHUTDOWN_FILE);
        let clean = marker.exists();
        let has_topics = std::fs::read_dir(&meta_dir)
            .map_err(|e| Error::io(&meta_dir, e))?
            .next()
            .is_some();
        let verify = !clean && has_topics;
        if verify {
            tracing::warn!(dir = %data_dir.display(), "no clean-shutdown marker: verifying every log batch's CRC");
        }
        if clean {
            std::fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))?;
        }
        let (appended, _) = tokio::sync::watch::channel(0);
        let manager = TopicManager {
            data_dir,
            meta_dir: meta_dir.clone(),
            defaults: config.topic_defaults.clone(),
            durability: config.durability,
            topics: RwLock::new(HashMap::new()),
            admin: Mutex::new(()),
            appended,
            recovered: verify,
        };
        let mut loaded = HashMap::new();
        for entry in std::fs::read_dir(&meta_dir).map_err(|e| Error::io(&meta_dir, e))? {
            let entry = entry.map_err(|e| Error::io(&meta_dir, e))?;
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let meta: TopicMeta = serde_json::from_str(&text).map_err(|e| Error::Metadata {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            let topic = manager.open_topic(name, meta, verify)?;
            loaded.insert(name.to_string(), Arc::new(topic));
        }
        tracing::info!(topics = loaded.len(), "loaded topics");
        *manager.topics.write() = loaded;
        Ok(manager)
    }

    fn partition_dir(&self, topic: &str, index: i32) -> PathBuf {
        self.data_dir.join(format!("{topic}-{index}"))
    }

    fn open_topic(&self, name: &str, meta: TopicMeta, verify: bool) -> Result<Topic> {
        let log_config = self.log_config(&meta.configs);
        let now = now_ms();
        let mut partitions = Vec::with_capacity(meta.partitions as usize);
        for i in 0..meta.partitions {
            let log = PartitionLog::open(
                &self.partition_dir(name, i),
                log_config.clone(),
                verify,
                now,
            )?;
            partitions.push(self.new_partition(name, i, log));
        }
        Ok(Topic {
            name: name.to_string(),
            id: meta.id,
            internal: meta.internal,
            partitions,
            configs: meta.configs,
        })
    }

    fn new_partition(&self, topic: &str, index: i32, log: PartitionLog) -> Arc<Partition> {
        let end = log.log_end_offset();
        let (flushed, _) = tokio::sync::watch::channel(end);
        Arc::new(Partition {
            topic: topic.to_string(),
            index,
            log: Mutex::new(log),
            flushed,
            flush_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The effective log settings for a topic with these overrides.
    pub fn log_config(&self, overrides: &BTreeMap<String, String>) -> LogConfig {
        let get = |name: &str| -> String {
            overrides
                .get(name)
                .cloned()
                .or_else(|| find_def(name).map(|d| (d.default)(&self.defaults)))
                .unwrap_or_default()
        };
        let num = |name: &str, fallback: i64| get(name).trim().parse::<i64>().unwrap_or(fallback);
        let policy = get("cleanup.policy");
        LogConfig {
            segment_bytes: num("segment.bytes", 1 << 30).max(14) as u64,
            segment_ms: num("segment.ms", 604_800_000),
            retention_ms: num("retention.ms", 604_800_000),
            retention_bytes: num("retention.bytes", -1),
            compact: policy.split(',').any(|p| p.trim() == "compact"),
            delete: policy.split(',').any(|p| p.trim() == "delete"),
            delete_retention_ms: num("delete.retention.ms", 86_400_000),
            min_cleanable_dirty_ratio: get("min.cleanable.dirty.ratio").parse().unwrap_or(0.5),
            index_interval_bytes: num("index.interval.bytes", 4096).max(0) as u64,
            max_message_bytes: num("max.message.bytes", 1_048_588).max(0) as usize,
            log_append_time: get("message.timestamp.type") == "LogAppendTime",
        }
    }

    pub fn get(&self, name: &str) -> Option<Arc<Topic>> {
        self.topics.read().get(name).cloned()
    }

    pub fn all(&self) -> Vec<Arc<Topic>> {
        let mut v: Vec<_> = self.topics.read().values().cloned().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    pub fn subscribe_appends(&self) -> tokio::sync::watch::Receiver<u64> {
        self.appended.subscribe()
    }

    pub fn notify_appended(&self) {
        self.appended.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn durability(&self) -> Durability {
        self.durability
    }

    pub fn default_partitions(&self) -> i32 {
        self.defaults.num_partitions
    }

    /// Creates a topic. `partitions` -1 means the broker default.
    pub fn create(
        &self,
        name: &str,
        partitions: i32,
        configs: BTreeMap<String, String>,
        internal: bool,
        validate_only: bool,
    ) -> std::result::Result<Arc<Topic>, ApiError> {
        validate_topic_name(name)?;
        let partitions = if partitions == -1 {
            self.defaults.num_partitions
        } else {
            partitions
        };
        if partitions <= 0 {
            return Err(ApiError::new(
                ResponseError::InvalidPartitions,
                "Number of partitions must be larger than 0.",
            ));
        }
        if partitions > 100_000 {
            return Err(ApiError::new(
                ResponseError::InvalidPartitions,
                "Number of partitions must be at most 100000.",
            ));
        }
        for (k, v) in &configs {
            validate_topic_config(k, v)?;
        }
        let _admin = self.admin.lock();
        if self.topics.read().contains_key(name) {
            return Err(ApiError::new(
                ResponseError::TopicAlreadyExists,
                format!("Topic '{name}' already exists."),
            ));
        }
        let colliding = name.replace('.', "_");
        if let Some(other) = self
            .topics
            .read()
            .keys()
            .find(|t| t.replace('.', "_") == colliding)
        {
            return Err(ApiError::new(
                ResponseError::InvalidTopicException,
                format!("Topic '{name}' collides with existing topic: {other}"),
            ));
        }
        let meta = TopicMeta {
            id: Uuid::new_v4(),
            partitions,
            configs,
            internal,
        };
        if validate_only {
            return Ok(Arc::new(Topic {
                name: name.into(),
                id: meta.id,
                internal,
                partitions: Vec::new(),
                configs: meta.configs,
            }));
        }
        let server_error =
            |e: Error| ApiError::new(ResponseError::UnknownServerError, e.to_string());
        let topic = Arc::new(
            self.open_topic(
                name,
                TopicMeta {
                    configs: meta.configs.clone(),
                    ..meta
                },
                false,
            )
            .map_err(server_error)?,
        );
        self.write_meta(&topic).map_err(server_error)?;
        self.topics.write().insert(name.to_string(), topic.clone());
        tracing::info!(topic = name, partitions, "created topic");
        Ok(topic)
    }

    fn write_meta(&self, topic: &Topic) -> Result<()> {
        let meta = TopicMeta {
            id: topic.id,
            partitions: topic.partitions.len() as i32,
            configs: topic.configs.clone(),
            internal: topic.internal,
        };
        let json = serde_json::to_vec_pretty(&meta).map_err(|e| Error::Config(e.to_string()))?;
        write_atomic(&meta_path(&self.meta_dir, &topic.name), &json)
    }

    /// Deletes a topic and its data.
    pub fn delete(&self, name: &str) -> std::result::Result<(), ApiError> {
        let _admin = self.admin.lock();
        let Some(topic) = self.topics.write().remove(name) else {
            return Err(ApiError::new(
                ResponseError::UnknownTopicOrPartition,
                "This server does not host this topic-partition.",
            ));
        };
        let path = meta_path(&self.meta_dir, name);
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!(file = %path.display(), error = %e, "cannot remove topic metadata");
        }
        for p in &topic.partitions {
            let dir = self.partition_dir(name, p.index);
            // Rename first (as Kafka does) so a crash midway never resurrects data.
            let doomed = self.data_dir.join(format!(
                "{name}-{}.{}-delete",
                p.index,
                Uuid::new_v4().simple()
            ));
            if std::fs::rename(&dir, &doomed).is_ok() {
                if let Err(e) = std::fs::remove_dir_all(&doomed) {
                    tracing::warn!(dir = %doomed.display(), error = %e, "cannot remove deleted partition");
                }
            }
        }
        tracing::info!(topic = name, "deleted topic");
        Ok(())
    }

    /// Grows a topic to `count` partitions.
    pub fn create_partitions(
        &self,
        name: &str,
        count: i32,
        validate_only: bool,
    ) -> std::result::Result<(), ApiError> {
        let _admin = self.admin.lock();
        let Some(topic) = self.get(name) else {
            return Err(ApiError::new(
                ResponseError::UnknownTopicOrPartition,
                "This server does not host this topic-partition.",
            ));
        };
        let current = topic.partitions.len() as i32;
        if count < current {
            return Err(ApiError::new(ResponseError::InvalidPartitions, format!("Topic currently has {current} partitions, which is higher than the requested {count}.")));
        }
        if count == current {
            return Err(ApiError::new(
                ResponseError::InvalidPartitions,
                format!("Topic already has {current} partitions."),
            ));
        }
        if validate_only {
            return Ok(());
        }
        let log_config = self.log_config(&topic.configs);
        let mut partitions = topic.partitions.clone();
        for i in current..count {
            let log = PartitionLog::open(
                &self.partition_dir(name, i),
                log_config.clone(),
                false,
                now_ms(),
            )
            .map_err(|e| ApiError::new(ResponseError::UnknownServerError, e.to_string()))?;
            partitions.push(self.new_partition(name, i, log));
        }
        let new = Arc::new(Topic {
            partitions,
            ..clone_topic(&topic)
        });
        self.write_meta(&new)
            .map_err(|e| ApiError::new(ResponseError::UnknownServerError, e.to_string()))?;
        self.topics.write().insert(name.to_string(), new);
        Ok(())
    }

    /// Replaces a topic's overrides (AlterConfigs semantics: the full set).
    pub fn set_configs(
        &self,
        name: &str,
        configs: BTreeMap<String, String>,
        validate_only: bool,
    ) -> std::result::Result<(), ApiError> {
        for (k, v) in &configs {
            validate_topic_config(k, v)?;
        }
        let _admin = self.admin.lock();
        let Some(topic) = self.get(name) else {
            return Err(ApiError::new(
                ResponseError::UnknownTopicOrPartition,
                "This server does not host this topic-partition.",
            ));
        };
        if validate_only {
            return Ok(());
        }
        let log_config = self.log_config(&configs);
        for p in &topic.partitions {
            p.with_log(|l| l.config = log_config.clone());
        }
        let new = Arc::new(Topic {
            configs,
            ..clone_topic(&topic)
        });
        self.write_meta(&new)
            .map_err(|e| ApiError::new(ResponseError::UnknownServerError, e.to_string()))?;
        self.topics.write().insert(name.to_string(), new);
        Ok(())
    }

    /// Every topic config with its value and source, sorted by name.
    pub fn describe_configs(&self, topic: &Topic) -> Vec<ConfigEntry> {
        TOPIC_CONFIGS
            .iter()
            .map(|d| {
                let (value, source) = match topic.configs.get(d.name) {
                    Some(v) => (v.clone(), ConfigSource::DynamicTopic),
                    None => {
                        let v = (d.default)(&self.defaults);
                        let src = if v == d.kafka_default {
                            ConfigSource::Default
                        } else {
                            ConfigSource::StaticBroker
                        };
                        (v, src)
                    }
                };
                ConfigEntry {
                    name: d.name,
                    value,
                    source,
                    doc: d.doc,
                    config_type: kafka_type(d.kind),
                }
            })
            .collect()
    }

    /// Fsyncs every partition with unsynced data (background flusher, shutdown).
    pub async fn flush_all(&self) -> Result<()> {
        for topic in self.all() {
            for p in &topic.partitions {
                let end = p.log_end_offset();
                p.wait_durable(end).await?;
            }
        }
        Ok(())
    }

    /// Retention and compaction over every partition.
    pub fn run_cleanup(&self, max_decompressed: usize) {
        let now = now_ms();
        for topic in self.all() {
            for p in &topic.partitions {
                let result = p.with_log(|log| {
                    let removed = log.apply_retention(now)?;
                    let reclaimed = log.maybe_compact(now, max_decompressed)?;
                    Ok::<_, Error>((removed, reclaimed))
                });
                match result {
                    Ok((0, 0)) => {}
                    Ok((removed, reclaimed)) => {
                        tracing::info!(topic = %topic.name, partition = p.index, removed_segments = removed, compacted_bytes = reclaimed, "log cleanup")
                    }
                    Err(e) => {
                        tracing::error!(topic = %topic.name, partition = p.index, error = %e, "log cleanup failed")
                    }
                }
            }
        }
    }

    /// Clean shutdown: fsync and close every log, then leave the marker that lets
    /// the next start skip CRC verification.
    pub async fn close(&self) -> Result<()> {
        self.flush_all().await?;
        for topic in self.all() {
            for p in &topic.partitions {
                p.with_log(|l| l.close())?;
            }
        }
        write_atomic(&self.data_dir.join(CLEAN_SHUTDOWN_FILE), b"")
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
}

fn clone_topic(t: &Topic) -> Topic {
    Topic {
        name: t.name.clone(),
        id: t.id,
        internal: t.internal,
        partitions: t.partitions.clone(),
        configs: t.configs.clone(),
    }
}

fn meta_path(meta_dir: &Path, topic: &str) -> PathBuf {
    meta_dir.join(format!("{topic}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_follow_kafka_rules() {
        assert!(validate_topic_name("orders.v1_x-y").is_ok());
        for bad in ["", ".", "..", "a b", "ä", &"x".repeat(250)] {
            assert!(validate_topic_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn topic_config_validation_messages() {
        assert!(validate_topic_config("cleanup.policy", "compact,delete").is_ok());
        let e = validate_topic_config("cleanup.policy", "shred").expect_err("bad");
        assert_eq!(e.code, ResponseError::InvalidConfig.code());
        assert!(e.message.contains("cleanup.policy"), "{}", e.message);
        assert!(validate_topic_config("retention.ms", "-2").is_err());
        assert!(validate_topic_config("no.such.config", "1").is_err());
        assert!(validate_topic_config("compression.type", "gzip").is_err());
    }

    #[tokio::test]
    async fn create_alter_describe_reopen_delete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = BrokerConfig {
            data_dir: dir.path().to_path_buf(),
            ..BrokerConfig::default()
        };
        let m = TopicManager::open(&config).expect("open");
        let t = m
            .create(
                "t1",
                3,
                BTreeMap::from([("retention.ms".into(), "1000".into())]),
                false,
                false,
            )
            .expect("create");
        assert_eq!(t.partitions.len(), 3);
        assert_eq!(
            m.create("t1", 1, BTreeMap::new(), false, false)
                .expect_err("dup")
                .code,
            ResponseError::TopicAlreadyExists.code()
        );
        m.set_configs(
            "t1",
            BTreeMap::from([("cleanup.policy".into(), "compact".into())]),
            false,
        )
        .expect("alter");
        m.create_partitions("t1", 4, false).expect("grow");
        let entries = m.describe_configs(&m.get("t1").expect("t1"));
        let policy = entries
            .iter()
            .find(|e| e.name == "cleanup.policy")
            .expect("policy");
        assert_eq!(
            (policy.value.as_str(), policy.source),
            ("compact", ConfigSource::DynamicTopic)
        );
        let retention = entries
            .iter()
            .find(|e| e.name == "retention.ms")
            .expect("retention");
        assert_eq!(
            retention.source,
            ConfigSource::Default,
            "AlterConfigs replaces the whole set"
        );
        let id = m.get("t1").expect("t1").id;
        m.close().await.expect("close");
        drop(m);
        let m = TopicManager::open(&config).expect("reopen");
        assert!(!m.recovered);
        let t = m.get("t1").expect("persisted");
        assert_eq!((t.partitions.len(), t.id), (4, id));
        assert!(t.is_compacted());
        m.delete("t1").expect("delete");
        assert!(m.get("t1").is_none());
        assert!(!dir.path().join("t1-0").exists());
    }
}
