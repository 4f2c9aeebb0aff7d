//! Connector and task configurations, target states and restart requests in the config
//! topic (`config.storage.topic`): Kafka's `KafkaConfigBackingStore`.
//!
//! Records (key → value; values as Kafka's `JsonConverter` writes them):
//!
//! | key | value |
//! |---|---|
//! | `connector-<name>` | `{"properties":{..}}`, tombstone when deleted |
//! | `task-<name>-<n>` | `{"properties":{..}}` |
//! | `commit-<name>` | `{"tasks":N}`: applies the task configs read since the last commit |
//! | `target-state-<name>` | `{"state":"STARTED\|PAUSED","state.v2":"STARTED\|PAUSED\|STOPPED"}` |
//! | `restart-connector-<name>` | `{"include-tasks":bool,"only-failed":bool}` |
//! | `session-key` | `{"key":"<base64>","algorithm":"..","creation-timestamp":ms}` |
//! | `logger-cluster-<ns>` | `{"level":".."}`, applied by every worker that reads it after start-up |
//! | `tasks-fencing-<name>` | read and ignored |
//!
//! A record that cannot be parsed is logged with its offset and skipped; it never stops
//! the worker.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::{json, Value as Json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::json::{kind, object};
use super::log::{KafkaLog, LogRecord};
use super::topics::{ensure_internal_topic, single_partition_error, InternalTopicSpec};
use crate::config::worker::InternalTopic;
use crate::herder::{RestartRequest, TargetState};
use crate::storage::StorageError;

/// Kafka's `READ_WRITE_TOTAL_TIMEOUT_MS`: how long a write and the read back may take.
const READ_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

const CONNECTOR_PREFIX: &str = "connector-";
const TASK_PREFIX: &str = "task-";
const COMMIT_TASKS_PREFIX: &str = "commit-";
const TARGET_STATE_PREFIX: &str = "target-state-";
const RESTART_PREFIX: &str = "restart-connector-";
const TASK_COUNT_RECORD_PREFIX: &str = "tasks-fencing-";
const LOGGER_CLUSTER_PREFIX: &str = "logger-cluster-";
const SESSION_KEY_KEY: &str = "session-key";

/// The key with which workers sign internal REST requests (KIP-507), as last read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    /// The key, base64 as on the topic.
    pub key: String,
    /// The key's algorithm (`HmacSHA256`).
    pub algorithm: String,
    /// When it was created, ms since the epoch.
    pub creation_timestamp: i64,
}

/// What the config topic says, as of one offset (Kafka's `ClusterConfigState`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterConfigState {
    /// Kafka's snapshot offset: the offset *after* the last record read (the consumer's
    /// position, `record.offset() + 1` in `KafkaConfigBackingStore`), -1 before any
    /// record. Workers compare it in the group protocol (`config-offset`), so it follows
    /// Java's meaning.
    pub offset: i64,
    /// Connector configurations.
    pub connectors: BTreeMap<String, BTreeMap<String, String>>,
    /// Target states of connectors that have one.
    pub target_states: BTreeMap<String, TargetState>,
    /// Committed task configurations of every connector with a commit record, task 0
    /// first; empty for an inconsistent connector (Kafka's `ClusterConfigState.tasks`).
    pub task_configs: BTreeMap<String, Vec<BTreeMap<String, String>>>,
    /// The task count of the latest commit record per connector.
    pub task_counts: BTreeMap<String, u32>,
    /// Connectors whose latest commit did not find all its task configs (compaction or a
    /// leader failing mid-write): the herder must have their tasks reconfigured.
    pub inconsistent: BTreeSet<String>,
    /// The session key (KIP-507), if any was written.
    pub session_key: Option<SessionKey>,
}

impl ClusterConfigState {
    /// The task count of the latest commit of `connector`, 0 without one.
    pub fn task_count(&self, connector: &str) -> u32 {
        self.task_counts.get(connector).copied().unwrap_or(0)
    }

    /// The target state of `connector`; `STARTED` (Running) when none was written.
    pub fn target_state(&self, connector: &str) -> TargetState {
        self.target_states
            .get(connector)
            .copied()
            .unwrap_or(TargetState::Running)
    }

    /// Whether `connector` has a configuration.
    pub fn contains(&self, connector: &str) -> bool {
        self.connectors.contains_key(connector)
    }
}

/// One change read from the config topic, for the herder (Kafka's
/// `ConfigBackingStore.UpdateListener`).
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigUpdate {
    /// A connector's configuration was added, changed or removed.
    Connector(String),
    /// A commit record for a connector's tasks was read.
    TaskConfigs(String),
    /// A connector's target state changed (only for connectors with a configuration).
    TargetState(String),
    /// A restart was requested.
    Restart(RestartRequest),
    /// The session key changed.
    SessionKey,
    /// A cluster-wide logger level was set (`logger-cluster-<namespace>`,
    /// `PUT /admin/loggers/{namespace}?scope=cluster`). Only records read after start-up
    /// are delivered: as in Kafka, a worker does not apply levels set before it started.
    LoggerLevel {
        /// The logger namespace.
        namespace: String,
        /// The level as the user gave it.
        level: String,
    },
}

/// The state the reader builds.
#[derive(Debug, Default)]
struct State {
    offset: i64,
    connectors: BTreeMap<String, BTreeMap<String, String>>,
    target_states: BTreeMap<String, TargetState>,
    task_counts: BTreeMap<String, u32>,
    /// Committed task configs: connector → task → config.
    task_configs: BTreeMap<String, BTreeMap<u32, BTreeMap<String, String>>>,
    /// Task configs read but not committed yet.
    deferred: BTreeMap<String, BTreeMap<u32, BTreeMap<String, String>>>,
    inconsistent: BTreeSet<String>,
    session_key: Option<SessionKey>,
    subscribers: Vec<UnboundedSender<ConfigUpdate>>,
}

impl State {
    fn snapshot(&self) -> ClusterConfigState {
        let task_configs = self
            .task_counts
            .iter()
            .map(|(connector, &count)| {
                let configs = match (
                    self.inconsistent.contains(connector),
                    self.task_configs.get(connector),
                ) {
                    (false, Some(tasks)) => {
                        (0..count).filter_map(|i| tasks.get(&i).cloned()).collect()
                    }
                    _ => Vec::new(),
                };
                (connector.clone(), configs)
            })
            .collect();
        ClusterConfigState {
            offset: self.offset,
            connectors: self.connectors.clone(),
            target_states: self.target_states.clone(),
            task_configs,
            task_counts: self.task_counts.clone(),
            inconsistent: self.inconsistent.clone(),
            session_key: self.session_key.clone(),
        }
    }

    fn notify(&mut self, update: ConfigUpdate) {
        self.subscribers.retain(|s| s.send(update.clone()).is_ok());
    }

    /// Kafka's `KafkaConfigBackingStore.ConsumeCallback`.
    fn apply(&mut self, topic: &str, record: LogRecord) {
        let offset = record.offset;
        let Some(key) = record.key_str().map(str::to_owned) else {
            tracing::error!(
                topic,
                offset,
                "discarding a config record without a UTF-8 key"
            );
            return;
        };
        let value = match record.value.as_deref().map(serde_json::from_slice::<Json>) {
            None => None,
            Some(Ok(Json::Null)) => None,
            Some(Ok(value)) => Some(value),
            Some(Err(e)) => {
                // Kafka: "Failed to convert config data to Kafka Connect format"; the
                // offset is not advanced for such records either.
                tracing::error!(topic, offset, key, error = %e, "skipping a config record whose value is not JSON");
                return;
            }
        };
        self.offset = offset + 1;
        if let Some(name) = key.strip_prefix(TARGET_STATE_PREFIX) {
            self.target_state_record(name, value, offset);
        } else if let Some(name) = key.strip_prefix(CONNECTOR_PREFIX) {
            self.connector_record(name, value, offset);
        } else if let Some(rest) = key.strip_prefix(TASK_PREFIX) {
            match parse_task_id(rest) {
                Some((connector, task)) => self.task_record(connector, task, value, offset),
                None => tracing::error!(
                    topic,
                    offset,
                    key,
                    "ignoring a task configuration with an invalid key"
                ),
            }
        } else if let Some(name) = key.strip_prefix(COMMIT_TASKS_PREFIX) {
            self.commit_record(name, value, offset);
        } else if let Some(name) = key.strip_prefix(RESTART_PREFIX) {
            self.restart_record(name, value, offset);
        } else if key == SESSION_KEY_KEY {
            self.session_key_record(value, offset);
        } else if let Some(namespace) = key.strip_prefix(LOGGER_CLUSTER_PREFIX) {
            match value.as_ref().and_then(|v| v.get("level")?.as_str()) {
                Some(level) => self.notify(ConfigUpdate::LoggerLevel {
                    namespace: namespace.to_owned(),
                    level: level.to_owned(),
                }),
                None => tracing::error!(
                    topic,
                    offset,
                    key,
                    "ignoring an invalid logger level record"
                ),
            }
        } else if key.starts_with(TASK_COUNT_RECORD_PREFIX) {
            tracing::debug!(
                topic,
                offset,
                key,
                "ignoring a config record sluice does not use"
            );
        } else {
            tracing::error!(
                topic,
                offset,
                key,
                "discarding a config update record with an invalid key"
            );
        }
    }

    fn connector_record(&mut self, name: &str, value: Option<Json>, offset: i64) {
        match value {
            None => {
                tracing::info!(
                    connector = name,
                    offset,
                    "processed the removal of a connector"
                );
                self.connectors.remove(name);
                self.task_counts.remove(name);
                self.task_configs.remove(name);
                self.deferred.remove(name);
            }
            Some(value) => {
                let Some(properties) = properties(&value, name, offset, "connector") else {
                    return;
                };
                tracing::debug!(
                    connector = name,
                    offset,
                    "updating a connector's configuration"
                );
                self.connectors.insert(name.to_owned(), properties);
                // Connectors from before target states start STARTED.
                self.target_states
                    .entry(name.to_owned())
                    .or_insert(TargetState::Running);
            }
        }
        self.notify(ConfigUpdate::Connector(name.to_owned()));
    }

    fn task_record(&mut self, connector: &str, task: u32, value: Option<Json>, offset: i64) {
        let Some(value) = value else {
            tracing::error!(
                connector,
                task,
                offset,
                "ignoring a task configuration because it is unexpectedly null"
            );
            return;
        };
        let Some(properties) = properties(&value, connector, offset, "task") else {
            return;
        };
        tracing::debug!(
            connector,
            task,
            offset,
            "storing a task configuration until its commit"
        );
        self.deferred
            .entry(connector.to_owned())
            .or_default()
            .insert(task, properties);
    }

    fn commit_record(&mut self, connector: &str, value: Option<Json>, offset: i64) {
        let count = match value.as_ref().map(|v| v.get("tasks").map(Json::as_i64)) {
            Some(Some(Some(n))) if (0..=i64::from(i32::MAX)).contains(&n) => n as u32,
            _ => {
                tracing::error!(
                    connector,
                    offset,
                    "ignoring a task configuration commit because it is not {{\"tasks\":<count>}}"
                );
                return;
            }
        };
        let deferred = self.deferred.remove(connector).unwrap_or_default();
        // Kafka's completeTaskIdSet: every task 0..count must be there.
        if (0..count).all(|i| deferred.contains_key(&i)) {
            if !deferred.is_empty() {
                self.task_configs
                    .entry(connector.to_owned())
                    .or_default()
                    .extend(deferred);
            }
            self.inconsistent.remove(connector);
        } else {
            tracing::warn!(connector, offset, tasks = count, "incomplete set of task configurations for the commit (probably compaction); the connector's tasks must be reconfigured");
            self.inconsistent.insert(connector.to_owned());
        }
        self.task_counts.insert(connector.to_owned(), count);
        self.notify(ConfigUpdate::TaskConfigs(connector.to_owned()));
    }

    fn target_state_record(&mut self, connector: &str, value: Option<Json>, offset: i64) {
        let Some(value) = value else {
            // Written with the connector's tombstone.
            self.target_states.remove(connector);
            if self.connectors.contains_key(connector) {
                self.target_states
                    .insert(connector.to_owned(), TargetState::Running);
            }
            return;
        };
        if !value.is_object() {
            tracing::error!(
                connector,
                offset,
                found = kind(&value),
                "ignoring a target state because it is not an object"
            );
            return;
        }
        // state.v2 first (written by 3.5+ workers), then the older state field.
        let state = match value.get("state.v2") {
            Some(Json::String(s)) => Some(s.as_str()),
            None | Some(Json::Null) => None,
            Some(other) => {
                tracing::error!(
                    connector,
                    offset,
                    found = kind(other),
                    "invalid 'state.v2' in a target state record; using 'state'"
                );
                None
            }
        };
        let state = match state.or_else(|| value.get("state").and_then(Json::as_str)) {
            Some(s) => s,
            None => {
                tracing::error!(
                    connector,
                    offset,
                    "ignoring a target state record without a 'state' string"
                );
                return;
            }
        };
        let state = match state {
            "STARTED" => TargetState::Running,
            "PAUSED" => TargetState::Paused,
            "STOPPED" => TargetState::Stopped,
            other => {
                tracing::error!(
                    connector,
                    offset,
                    state = other,
                    "ignoring an invalid target state"
                );
                return;
            }
        };
        tracing::debug!(connector, offset, state = ?state, "target state");
        self.target_states.insert(connector.to_owned(), state);
        // Not for connectors without a configuration yet (an initial state written
        // before the configuration).
        if self.connectors.contains_key(connector) {
            self.notify(ConfigUpdate::TargetState(connector.to_owned()));
        }
    }

    fn restart_record(&mut self, connector: &str, value: Option<Json>, offset: i64) {
        let Some(value) = value.filter(Json::is_object) else {
            tracing::error!(
                connector,
                offset,
                "ignoring a restart request that is not an object"
            );
            return;
        };
        let flag = |name: &str| match value.get(name) {
            Some(Json::Bool(b)) => *b,
            other => {
                tracing::warn!(
                    connector,
                    offset,
                    field = name,
                    found = other.map_or("nothing", kind),
                    "invalid restart request field; defaulting to false"
                );
                false
            }
        };
        let request = RestartRequest {
            connector: connector.to_owned(),
            include_tasks: flag("include-tasks"),
            only_failed: flag("only-failed"),
        };
        self.notify(ConfigUpdate::Restart(request));
    }

    fn session_key_record(&mut self, value: Option<Json>, offset: i64) {
        let parsed = value.as_ref().and_then(|v| {
            Some(SessionKey {
                key: v.get("key")?.as_str()?.to_owned(),
                algorithm: v.get("algorithm")?.as_str()?.to_owned(),
                creation_timestamp: v.get("creation-timestamp")?.as_i64()?,
            })
        });
        match parsed {
            Some(key) => {
                self.session_key = Some(key);
                self.notify(ConfigUpdate::SessionKey);
            }
            None => tracing::error!(offset, "ignoring an invalid session key record"),
        }
    }
}

/// `task-<connector>-<n>` without the prefix: the last `-` separates the task number.
fn parse_task_id(rest: &str) -> Option<(&str, u32)> {
    let (connector, task) = rest.rsplit_once('-')?;
    Some((connector, task.parse().ok()?))
}

/// The `properties` map of a connector or task record, as strings (`null` values are
/// dropped: Kafka's map allows them, connectors never write them).
fn properties(
    value: &Json,
    connector: &str,
    offset: i64,
    what: &str,
) -> Option<BTreeMap<String, String>> {
    let Some(Json::Object(map)) = value.get("properties") else {
        tracing::error!(
            connector,
            offset,
            what,
            "ignoring a configuration whose 'properties' is not an object"
        );
        return None;
    };
    let mut out = BTreeMap::new();
    for (k, v) in map {
        match v {
            Json::String(s) => {
                out.insert(k.clone(), s.clone());
            }
            Json::Null => {}
            other => {
                tracing::error!(
                    connector,
                    offset,
                    what,
                    property = k,
                    found = kind(other),
                    "ignoring a configuration with a non-string property"
                );
                return None;
            }
        }
    }
    Some(out)
}

/// `{"properties":{..}}` (Kafka's `CONNECTOR_CONFIGURATION_V0`).
fn properties_value(config: &BTreeMap<String, String>) -> Vec<u8> {
    object(&[("properties", json!(config))])
}

/// `{"state":..,"state.v2":..}` (Kafka's `TARGET_STATE_V1`): workers older than 3.5 read
/// `state`, which has no STOPPED, so STOPPED is written as PAUSED there.
fn target_state_value(state: TargetState) -> Vec<u8> {
    let v2 = match state {
        TargetState::Running => "STARTED",
        TargetState::Paused => "PAUSED",
        TargetState::Stopped => "STOPPED",
    };
    let v1 = if state == TargetState::Stopped {
        "PAUSED"
    } else {
        v2
    };
    object(&[("state", json!(v1)), ("state.v2", json!(v2))])
}

/// Kafka's `KafkaConfigBackingStore`: the config topic, read into a
/// [`ClusterConfigState`]. Only the leader writes (the herder's job to ensure).
pub struct ConfigStore {
    log: KafkaLog,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for ConfigStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigStore")
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

impl ConfigStore {
    /// Creates the topic if missing (one partition, compacted) or checks it, starts
    /// reading it and reads to its end before returning.
    pub async fn start(
        base_props: &BTreeMap<String, String>,
        topic: &InternalTopic,
    ) -> Result<Arc<Self>, StorageError> {
        let spec = InternalTopicSpec::config(topic);
        ensure_internal_topic(base_props, &spec, true).await?;
        let state = Arc::new(Mutex::new(State {
            offset: -1,
            ..State::default()
        }));
        let reader_state = state.clone();
        let name = topic.name.clone();
        let log = KafkaLog::start(
            base_props,
            &topic.name,
            Box::new(move |record| reader_state.lock().apply(&name, record)),
        )
        .await?;
        // KafkaConfigBackingStore.start checks again with the reader's view.
        if log.partition_count() > 1 {
            let partitions = log.partition_count();
            log.stop().await;
            return Err(single_partition_error(&spec, partitions));
        }
        let store = Arc::new(Self { log, state });
        store.read_to_end().await?;
        tracing::info!(topic = %topic.name, offset = store.state.lock().offset, "read the config topic");
        Ok(store)
    }

    /// The current state.
    pub fn snapshot(&self) -> ClusterConfigState {
        self.state.lock().snapshot()
    }

    /// Changes read from now on, in topic order.
    pub fn subscribe(&self) -> UnboundedReceiver<ConfigUpdate> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.state.lock().subscribers.push(tx);
        rx
    }

    /// Reads to the end of the topic; returns the snapshot offset reached.
    pub async fn read_to_end(&self) -> Result<i64, StorageError> {
        match tokio::time::timeout(READ_WRITE_TIMEOUT, self.log.read_to_end()).await {
            Ok(result) => result?,
            Err(_) => return Err(self.timeout("read to the end of")),
        }
        Ok(self.state.lock().offset)
    }

    fn timeout(&self, action: &'static str) -> StorageError {
        StorageError::Timeout {
            topic: self.log.topic().to_owned(),
            action,
            ms: READ_WRITE_TIMEOUT.as_millis() as u64,
        }
    }

    /// Writes the records in order, waits for their acknowledgements, then reads them
    /// back (Kafka's `sendPrivileged` followed by `readToEnd`), within Kafka's 30 s.
    async fn write(&self, records: Vec<(String, Option<Vec<u8>>)>) -> Result<(), StorageError> {
        let deliveries = records
            .iter()
            .map(|(key, value)| self.log.enqueue(key.as_bytes(), value.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        let acks = async {
            for delivery in deliveries {
                delivery.wait().await?;
            }
            self.log.read_to_end().await
        };
        match tokio::time::timeout(READ_WRITE_TIMEOUT, acks).await {
            Ok(result) => result,
            Err(_) => Err(self.timeout("write to")),
        }
    }

    /// Writes a connector's configuration; with `target`, its target state first
    /// (Kafka 3.9's order, so that the connector starts in that state).
    pub async fn put_connector_config(
        &self,
        name: &str,
        config: &BTreeMap<String, String>,
        target: Option<TargetState>,
    ) -> Result<(), StorageError> {
        tracing::debug!(connector = name, "writing a connector configuration");
        let mut records = Vec::with_capacity(2);
        if let Some(target) = target {
            records.push((
                format!("{TARGET_STATE_PREFIX}{name}"),
                Some(target_state_value(target)),
            ));
        }
        records.push((
            format!("{CONNECTOR_PREFIX}{name}"),
            Some(properties_value(config)),
        ));
        self.write(records).await
    }

    /// Removes a connector: tombstones for `connector-<name>` then `target-state-<name>`,
    /// as Kafka 3.9 writes them.
    pub async fn remove_connector_config(&self, name: &str) -> Result<(), StorageError> {
        tracing::debug!(connector = name, "removing a connector configuration");
        self.write(vec![
            (format!("{CONNECTOR_PREFIX}{name}"), None),
            (format!("{TARGET_STATE_PREFIX}{name}"), None),
        ])
        .await
    }

    /// Writes a connector's task configurations (`task-<name>-<i>`) then the commit
    /// (`commit-<name>` → `{"tasks":N}`) that applies them, after reading to the end.
    pub async fn put_task_configs(
        &self,
        name: &str,
        configs: &[BTreeMap<String, String>],
    ) -> Result<(), StorageError> {
        self.read_to_end().await?;
        let mut records: Vec<(String, Option<Vec<u8>>)> = configs
            .iter()
            .enumerate()
            .map(|(i, config)| {
                (
                    format!("{TASK_PREFIX}{name}-{i}"),
                    Some(properties_value(config)),
                )
            })
            .collect();
        tracing::debug!(
            connector = name,
            tasks = configs.len(),
            "writing task configurations and their commit"
        );
        records.push((
            format!("{COMMIT_TASKS_PREFIX}{name}"),
            Some(object(&[("tasks", json!(configs.len()))])),
        ));
        self.write(records).await
    }

    /// Writes a connector's target state: `{"state":"STARTED|PAUSED","state.v2":..}`;
    /// STOPPED is `"state":"PAUSED","state.v2":"STOPPED"`, as Kafka writes it.
    pub async fn put_target_state(
        &self,
        name: &str,
        state: TargetState,
    ) -> Result<(), StorageError> {
        tracing::debug!(connector = name, state = ?state, "writing a target state");
        self.write(vec![(
            format!("{TARGET_STATE_PREFIX}{name}"),
            Some(target_state_value(state)),
        )])
        .await
    }

    /// Writes a restart request: `{"include-tasks":bool,"only-failed":bool}`.
    pub async fn put_restart_request(&self, request: &RestartRequest) -> Result<(), StorageError> {
        let value = object(&[
            ("include-tasks", json!(request.include_tasks)),
            ("only-failed", json!(request.only_failed)),
        ]);
        self.write(vec![(
            format!("{RESTART_PREFIX}{}", request.connector),
            Some(value),
        )])
        .await
    }

    /// Writes a session key: `{"key":..,"algorithm":..,"creation-timestamp":..}`.
    pub async fn put_session_key(&self, key: &SessionKey) -> Result<(), StorageError> {
        let value = object(&[
            ("key", json!(key.key)),
            ("algorithm", json!(key.algorithm)),
            ("creation-timestamp", json!(key.creation_timestamp)),
        ]);
        self.write(vec![(SESSION_KEY_KEY.to_owned(), Some(value))])
            .await
    }

    /// Writes a cluster-wide logger level: `logger-cluster-<namespace>` → `{"level":..}`
    /// (Kafka's `putLoggerLevel`).
    pub async fn put_logger_level(&self, namespace: &str, level: &str) -> Result<(), StorageError> {
        let value = object(&[("level", json!(level))]);
        self.write(vec![(
            format!("{LOGGER_CLUSTER_PREFIX}{namespace}"),
            Some(value),
        )])
        .await
    }

    /// Stops reading; later writes and reads fail with [`StorageError::Closed`].
    pub async fn close(&self) {
        self.log.stop().await;
        self.state.lock().subscribers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(offset: i64, key: &str, value: Option<&str>) -> LogRecord {
        LogRecord {
            partition: 0,
            offset,
            key: Some(key.as_bytes().to_vec()),
            value: value.map(|v| v.as_bytes().to_vec()),
        }
    }

    #[test]
    fn values_are_kafkas() {
        assert_eq!(
            target_state_value(TargetState::Stopped),
            br#"{"state":"PAUSED","state.v2":"STOPPED"}"#
        );
        assert_eq!(
            target_state_value(TargetState::Running),
            br#"{"state":"STARTED","state.v2":"STARTED"}"#
        );
        assert_eq!(
            properties_value(&BTreeMap::from([("a".to_owned(), "b".to_owned())])),
            br#"{"properties":{"a":"b"}}"#
        );
        assert_eq!(parse_task_id("my-conn-12"), Some(("my-conn", 12)));
        assert_eq!(parse_task_id("conn"), None);
    }

    #[test]
    fn cluster_logger_levels_reach_subscribers_read_after_start_up() {
        let mut state = State {
            offset: -1,
            ..State::default()
        };
        // Read before anyone subscribed (at start-up): not applied, as in Kafka.
        state.apply(
            "t",
            record(0, "logger-cluster-org.old", Some(r#"{"level":"DEBUG"}"#)),
        );
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        state.subscribers.push(tx);
        state.apply(
            "t",
            record(
                1,
                "logger-cluster-runtime::worker",
                Some(r#"{"level":"TRACE"}"#),
            ),
        );
        state.apply("t", record(2, "logger-cluster-bad", Some(r#"{"lvl":1}"#)));
        assert_eq!(
            rx.try_recv().ok(),
            Some(ConfigUpdate::LoggerLevel {
                namespace: "runtime::worker".to_owned(),
                level: "TRACE".to_owned(),
            })
        );
        assert!(rx.try_recv().is_err(), "nothing for the invalid record");
        assert_eq!(state.offset, 3);
    }

    #[test]
    fn commits_apply_tasks_and_detect_incomplete_sets() {
        let mut state = State {
            offset: -1,
            ..State::default()
        };
        state.apply(
            "t",
            record(0, "connector-c", Some(r#"{"properties":{"x":"1"}}"#)),
        );
        state.apply(
            "t",
            record(1, "task-c-1", Some(r#"{"properties":{"t":"1"}}"#)),
        );
        state.apply("t", record(2, "commit-c", Some(r#"{"tasks":2}"#)));
        let snap = state.snapshot();
        assert!(snap.inconsistent.contains("c"));
        assert_eq!(
            snap.task_configs["c"],
            Vec::<BTreeMap<String, String>>::new()
        );
        state.apply(
            "t",
            record(3, "task-c-0", Some(r#"{"properties":{"t":"0"}}"#)),
        );
        state.apply(
            "t",
            record(4, "task-c-1", Some(r#"{"properties":{"t":"1"}}"#)),
        );
        state.apply("t", record(5, "garbage", Some("{not json")));
        state.apply("t", record(6, "commit-c", Some(r#"{"tasks":2}"#)));
        let snap = state.snapshot();
        assert!(snap.inconsistent.is_empty());
        assert_eq!(snap.task_count("c"), 2);
        assert_eq!(snap.task_configs["c"][1]["t"], "1");
        assert_eq!(snap.offset, 7);
        state.apply(
            "t",
            record(7, "target-state-c", Some(r#"{"state":"PAUSED"}"#)),
        );
        assert_eq!(state.snapshot().target_state("c"), TargetState::Paused);
        state.apply("t", record(8, "connector-c", None));
        state.apply("t", record(9, "target-state-c", None));
        let snap = state.snapshot();
        assert!(
            snap.connectors.is_empty()
                && snap.task_configs.is_empty()
                && snap.target_states.is_empty()
        );
    }
}
