//! Connector and task statuses, and the topics connectors use, in the status topic
//! (`status.storage.topic`): Kafka's `KafkaStatusBackingStore`.
//!
//! | key | value |
//! |---|---|
//! | `status-connector-<name>` | `{"state":..,"trace":..,"worker_id":..,"generation":N}` |
//! | `status-task-<name>-<n>` | the same |
//! | `status-topic-<topic>:connector-<name>` | `{"topic":{"name":..,"connector":..,"task":N,"discoverTimestamp":ms}}` |
//!
//! `trace` is `null` unless the status has one (Kafka's optional `trace` field); a
//! removed connector or task (Kafka's `DESTROYED`) and a reset topic are tombstones.
//!
//! The worker's [`StatusStore`] stays the one its tasks write to: every local change is
//! published here, asynchronously and retried on retriable errors, and every record read
//! (from any worker) is applied to it. An `UNASSIGNED` status (what a worker reports when
//! it stops a connector or task: Kafka's `putSafe`) is not written over a status another
//! worker wrote in a newer generation, and the local view keeps that newer status.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::{json, Value as Json};

use super::json::{object, object_in};
use super::log::{is_retriable, KafkaLog, LogRecord};
use super::topics::{ensure_internal_topic, InternalTopicSpec};
use crate::config::worker::InternalTopic;
use crate::herder::ConnectorTaskId;
use crate::storage::{State, Status, StatusChange, StatusStore, StorageError};

const CONNECTOR_STATUS_PREFIX: &str = "status-connector-";
const TASK_STATUS_PREFIX: &str = "status-task-";
const TOPIC_STATUS_PREFIX: &str = "status-topic-";
const TOPIC_STATUS_SEPARATOR: &str = ":connector-";

/// What is known of one status key: the latest status read and its generation, and how
/// many local writes were made (Kafka's `CacheEntry`).
#[derive(Debug, Default)]
struct CacheEntry {
    value: Option<(Status, i32)>,
    sequence: u64,
}

impl CacheEntry {
    /// Kafka's `CacheEntry.canWriteSafely`.
    fn can_write_safely(&self, worker_id: &str, generation: i32) -> bool {
        match &self.value {
            None => true,
            Some((status, written)) => status.worker_id == worker_id || *written <= generation,
        }
    }
}

#[derive(Debug, Default)]
struct Cache {
    connectors: HashMap<String, CacheEntry>,
    tasks: HashMap<ConnectorTaskId, CacheEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    Connector(String),
    Task(ConnectorTaskId),
}

impl Cache {
    fn entry(&mut self, target: &Target) -> &mut CacheEntry {
        match target {
            Target::Connector(name) => self.connectors.entry(name.clone()).or_default(),
            Target::Task(id) => self.tasks.entry(id.clone()).or_default(),
        }
    }

    fn get(&self, target: &Target) -> Option<&CacheEntry> {
        match target {
            Target::Connector(name) => self.connectors.get(name),
            Target::Task(id) => self.tasks.get(id),
        }
    }
}

/// Which write a retry is for: retried only while it is still the latest of its key.
#[derive(Debug, Clone)]
struct Guard {
    target: Target,
    sequence: u64,
    generation: i32,
    safe: Option<String>,
}

struct Shared {
    log: KafkaLog,
    reading: Arc<Reading>,
    statuses: Arc<StatusStore>,
    worker_id: String,
    generation: AtomicI32,
    runtime: tokio::runtime::Handle,
}

/// What the reader thread needs.
struct Reading {
    topic: String,
    statuses: Arc<StatusStore>,
    cache: Mutex<Cache>,
}

/// Kafka's `KafkaStatusBackingStore`.
pub struct KafkaStatusStore {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for KafkaStatusStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaStatusStore")
            .field("log", &self.shared.log)
            .field("worker_id", &self.shared.worker_id)
            .finish_non_exhaustive()
    }
}

/// `{"state":..,"trace":..,"worker_id":..,"generation":..}` (Kafka's `STATUS_SCHEMA_V0`).
fn status_value(status: &Status, worker_id: &str, generation: i32) -> Vec<u8> {
    let trace = if status.trace.is_empty() {
        Json::Null
    } else {
        json!(status.trace)
    };
    object(&[
        ("state", json!(status.state.name())),
        ("trace", trace),
        ("worker_id", json!(worker_id)),
        ("generation", json!(generation)),
    ])
}

fn parse_state(name: &str) -> Option<Option<State>> {
    Some(Some(match name {
        "UNASSIGNED" => State::Unassigned,
        "RUNNING" => State::Running,
        "PAUSED" => State::Paused,
        "STOPPED" => State::Stopped,
        "FAILED" => State::Failed,
        "RESTARTING" => State::Restarting,
        // Never written by Kafka (a tombstone is), but means "gone".
        "DESTROYED" => return Some(None),
        _ => return None,
    }))
}

/// Kafka's `parseConnectorStatus`/`parseTaskStatus`: the status (None for DESTROYED) and
/// its generation.
fn parse_status(value: &[u8]) -> Option<(Option<Status>, i32)> {
    let value: Json = serde_json::from_slice(value).ok()?;
    let state = parse_state(value.get("state")?.as_str()?)?;
    let trace = match value.get("trace") {
        None | Some(Json::Null) => String::new(),
        Some(Json::String(t)) => t.clone(),
        Some(_) => return None,
    };
    let worker_id = value.get("worker_id")?.as_str()?.to_owned();
    let generation = i32::try_from(value.get("generation")?.as_i64()?).ok()?;
    Some((
        state.map(|state| Status {
            state,
            worker_id,
            trace,
        }),
        generation,
    ))
}

/// Kafka's `parseConnectorTaskId` for `status-task-<connector>-<n>`.
fn parse_task_key(key: &str) -> Option<ConnectorTaskId> {
    let parts: Vec<&str> = key.split('-').collect();
    if parts.len() < 4 {
        return None;
    }
    let task = parts.last()?.parse().ok()?;
    Some(ConnectorTaskId::new(
        parts[2..parts.len() - 1].join("-"),
        task,
    ))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Reading {
    /// Kafka's `KafkaStatusBackingStore.read`.
    fn read(&self, record: LogRecord) {
        let topic = self.topic.as_str();
        let offset = record.offset;
        let Some(key) = record.key_str() else {
            tracing::warn!(
                topic,
                offset,
                "discarding a status record without a UTF-8 key"
            );
            return;
        };
        let value = record.value.as_deref();
        if let Some(connector) = key.strip_prefix(CONNECTOR_STATUS_PREFIX) {
            if connector.is_empty() {
                tracing::warn!(
                    topic,
                    offset,
                    key,
                    "discarding a record with an invalid connector status key"
                );
                return;
            }
            let status = match value.map(parse_status) {
                None => None,
                Some(Some((status, generation))) => status.map(|s| (s, generation)),
                Some(None) => {
                    tracing::error!(
                        topic,
                        offset,
                        key,
                        "failed to parse a connector status; skipping it"
                    );
                    return;
                }
            };
            let mut cache = self.cache.lock();
            match &status {
                Some(_) => {
                    cache.entry(&Target::Connector(connector.to_owned())).value = status.clone()
                }
                None => {
                    cache.connectors.remove(connector);
                    cache.tasks.retain(|id, _| id.connector != connector);
                }
            }
            self.statuses
                .apply_remote_connector(connector, status.map(|(s, _)| s));
        } else if key.starts_with(TASK_STATUS_PREFIX) {
            let Some(id) = parse_task_key(key) else {
                tracing::warn!(
                    topic,
                    offset,
                    key,
                    "discarding a record with an invalid task status key"
                );
                return;
            };
            let status = match value.map(parse_status) {
                None => None,
                Some(Some((status, generation))) => status.map(|s| (s, generation)),
                Some(None) => {
                    tracing::warn!(
                        topic,
                        offset,
                        key,
                        "failed to parse a task status; skipping it"
                    );
                    return;
                }
            };
            let mut cache = self.cache.lock();
            match &status {
                Some(_) => cache.entry(&Target::Task(id.clone())).value = status.clone(),
                None => {
                    cache.tasks.remove(&id);
                }
            }
            self.statuses.apply_remote_task(&id, status.map(|(s, _)| s));
        } else if let Some(rest) = key.strip_prefix(TOPIC_STATUS_PREFIX) {
            let Some((topic_name, connector)) = rest.split_once(TOPIC_STATUS_SEPARATOR) else {
                tracing::warn!(
                    topic,
                    offset,
                    key,
                    "discarding a record with an invalid topic status key"
                );
                return;
            };
            if topic_name.is_empty() || connector.is_empty() {
                tracing::warn!(
                    topic,
                    offset,
                    key,
                    "discarding a topic status key with an empty topic or connector"
                );
                return;
            }
            let used = match value {
                None => false,
                Some(v) => {
                    let parsed: Option<Json> = serde_json::from_slice(v).ok();
                    let valid = parsed
                        .as_ref()
                        .and_then(|p| p.get("topic"))
                        .is_some_and(|t| {
                            t.get("name").is_some_and(Json::is_string)
                                && t.get("connector").is_some_and(Json::is_string)
                        });
                    if !valid {
                        tracing::warn!(
                            topic,
                            offset,
                            key,
                            "failed to parse a topic status; skipping it"
                        );
                        return;
                    }
                    true
                }
            };
            self.statuses
                .apply_remote_topic(connector, topic_name, used);
        } else {
            tracing::warn!(
                topic,
                offset,
                key,
                "discarding a status record with an invalid key"
            );
        }
    }
}

impl Shared {
    /// Publishes one local change (the [`StatusStore`] observer).
    fn publish(self: &Arc<Self>, change: &StatusChange) {
        let generation = self.generation.load(Ordering::SeqCst);
        match change {
            StatusChange::Connector { name, status } => self.send_status(
                Target::Connector(name.clone()),
                format!("{CONNECTOR_STATUS_PREFIX}{name}"),
                Some(status),
                generation,
            ),
            StatusChange::Task { id, status } => self.send_status(
                Target::Task(id.clone()),
                format!("{TASK_STATUS_PREFIX}{}-{}", id.connector, id.task),
                Some(status),
                generation,
            ),
            StatusChange::TaskRemoved { id } => self.send_status(
                Target::Task(id.clone()),
                format!("{TASK_STATUS_PREFIX}{}-{}", id.connector, id.task),
                None,
                generation,
            ),
            StatusChange::ConnectorRemoved { name, tasks } => {
                // Kafka's AbstractHerder.onDeletion: the tasks first, then the connector.
                for task in tasks {
                    let id = ConnectorTaskId::new(name.clone(), *task);
                    let key = format!("{TASK_STATUS_PREFIX}{name}-{task}");
                    self.send_status(Target::Task(id), key, None, generation);
                }
                self.send_status(
                    Target::Connector(name.clone()),
                    format!("{CONNECTOR_STATUS_PREFIX}{name}"),
                    None,
                    generation,
                );
            }
            StatusChange::TopicAdded {
                connector,
                topic,
                task,
            } => {
                let value = object_in(
                    "topic",
                    &[
                        ("name", json!(topic)),
                        ("connector", json!(connector)),
                        ("task", json!(task.unwrap_or(0))),
                        ("discoverTimestamp", json!(now_ms())),
                    ],
                );
                let key =
                    format!("{TOPIC_STATUS_PREFIX}{topic}{TOPIC_STATUS_SEPARATOR}{connector}");
                self.send(key, Some(value), None);
            }
            StatusChange::TopicsReset { connector, topics } => {
                for topic in topics {
                    let key =
                        format!("{TOPIC_STATUS_PREFIX}{topic}{TOPIC_STATUS_SEPARATOR}{connector}");
                    self.send(key, None, None);
                }
            }
        }
    }

    /// Kafka's `KafkaStatusBackingStore.send`: `UNASSIGNED` is a safe write.
    fn send_status(
        self: &Arc<Self>,
        target: Target,
        key: String,
        status: Option<&Status>,
        generation: i32,
    ) {
        let worker_id = status
            .map(|s| s.worker_id.as_str())
            .filter(|w| !w.is_empty())
            .unwrap_or(&self.worker_id)
            .to_owned();
        let safe = status.is_some_and(|s| s.state == State::Unassigned);
        let sequence = {
            let mut cache = self.reading.cache.lock();
            let entry = cache.entry(&target);
            if safe && !entry.can_write_safely(&worker_id, generation) {
                tracing::debug!(
                    key,
                    generation,
                    "not overwriting a status written by another worker in a newer generation"
                );
                // Keep showing the newer status.
                if let Some((newer, _)) = entry.value.clone() {
                    match &target {
                        Target::Connector(name) => {
                            self.statuses.apply_remote_connector(name, Some(newer))
                        }
                        Target::Task(id) => self.statuses.apply_remote_task(id, Some(newer)),
                    }
                }
                return;
            }
            entry.sequence += 1;
            entry.sequence
        };
        let value = status.map(|s| status_value(s, &worker_id, generation));
        let guard = Guard {
            target,
            sequence,
            generation,
            safe: safe.then_some(worker_id),
        };
        self.send(key, value, Some(guard));
    }

    /// Whether a failed write should be retried (Kafka: not deleted, same generation,
    /// still the latest write of its key and still safe).
    fn still_current(&self, guard: &Guard) -> bool {
        if guard.generation != self.generation.load(Ordering::SeqCst) {
            return false;
        }
        let cache = self.reading.cache.lock();
        match cache.get(&guard.target) {
            None => false,
            Some(entry) => {
                entry.sequence == guard.sequence
                    && guard
                        .safe
                        .as_deref()
                        .is_none_or(|w| entry.can_write_safely(w, guard.generation))
            }
        }
    }

    /// Queues the record now (keeping the order of changes) and retries it in the
    /// background while it fails with a retriable error.
    fn send(self: &Arc<Self>, key: String, value: Option<Vec<u8>>, guard: Option<Guard>) {
        let delivery = match self.log.enqueue(key.as_bytes(), value.as_deref()) {
            Ok(delivery) => delivery,
            Err(e) => {
                tracing::error!(key, error = %e, "failed to write a status update");
                return;
            }
        };
        let shared = self.clone();
        self.runtime.spawn(async move {
            let mut delivery = delivery;
            loop {
                match delivery.wait_raw().await {
                    Ok(_) | Err(None) => return,
                    Err(Some(e)) if is_retriable(&e) => {
                        if guard.as_ref().is_some_and(|g| !shared.still_current(g)) {
                            return;
                        }
                        tracing::warn!(key, error = %e, "retrying a status update");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        match shared.log.enqueue(key.as_bytes(), value.as_deref()) {
                            Ok(d) => delivery = d,
                            Err(e) => {
                                tracing::error!(key, error = %e, "failed to write a status update");
                                return;
                            }
                        }
                    }
                    Err(Some(e)) => {
                        tracing::error!(key, error = %e, "failed to write a status update");
                        return;
                    }
                }
            }
        });
    }
}

impl KafkaStatusStore {
    /// Creates the topic if missing (compacted, `status.storage.partitions`) or checks it,
    /// reads it into `statuses`, then publishes every local change of `statuses`.
    /// `worker_id` is this worker's `host:port`. Call from within the Tokio runtime.
    pub async fn start(
        base_props: &BTreeMap<String, String>,
        topic: &InternalTopic,
        statuses: Arc<StatusStore>,
        worker_id: String,
    ) -> Result<Arc<Self>, StorageError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| StorageError::Kafka {
            topic: topic.name.clone(),
            action: "start writing to",
            message: format!("not called from within a Tokio runtime: {e}"),
        })?;
        ensure_internal_topic(base_props, &InternalTopicSpec::status(topic), false).await?;
        let reading = Arc::new(Reading {
            topic: topic.name.clone(),
            statuses: statuses.clone(),
            cache: Mutex::new(Cache::default()),
        });
        let reader = reading.clone();
        let log = KafkaLog::start(
            base_props,
            &topic.name,
            Box::new(move |record| reader.read(record)),
        )
        .await?;
        let shared = Arc::new(Shared {
            log,
            reading,
            statuses: statuses.clone(),
            worker_id,
            generation: AtomicI32::new(-1),
            runtime,
        });
        shared.log.read_to_end().await?;
        let observer = Arc::downgrade(&shared);
        let installed = statuses.set_observer(Arc::new(move |change: &StatusChange| {
            if let Some(shared) = observer.upgrade() {
                shared.publish(change);
            }
        }));
        if !installed {
            tracing::warn!("the status store already had an observer; local status changes will not be published");
        }
        Ok(Arc::new(Self { shared }))
    }

    /// The generation of the group this worker is in; statuses are written with it.
    pub fn set_generation(&self, generation: i32) {
        self.shared.generation.store(generation, Ordering::SeqCst);
    }

    /// Reads everything written to the topic so far.
    pub async fn read_to_end(&self) -> Result<(), StorageError> {
        self.shared.log.read_to_end().await
    }

    /// Waits until the status updates written so far are acknowledged.
    pub async fn flush(&self) {
        self.shared.log.flush(Duration::from_secs(30)).await;
    }

    /// Flushes and stops reading; local changes are no longer published.
    pub async fn close(&self) {
        self.shared.log.stop().await;
    }
}
