//! The [`Herder`]: the interface the REST API (and the CLI) use to manage connectors.
//!
//! It mirrors Kafka Connect's `org.apache.kafka.connect.runtime.Herder` as far as the
//! public REST API of `R/rest/resources/*.java` needs it, with callbacks replaced by
//! futures. A herder in standalone mode applies requests itself; in distributed mode it
//! forwards writes to the group leader. Either way the REST layer ([`crate::rest`]) only
//! sees this trait, so it can be tested against an in-memory implementation.
//!
//! The entity types serialize exactly like Kafka's `R/rest/entities/*.java`.

pub mod shared;

use std::collections::BTreeMap;
use std::fmt;

use connect_api::config::{ConfigInfos, ConfigKeyInfo};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

/// A connector's configuration: key → value, as Kafka's `Map<String, String>`.
pub type ConnectorConfig = BTreeMap<String, String>;

/// The result type of every herder call.
pub type HerderResult<T> = Result<T, HerderError>;

/// Why a herder request failed. Each variant maps to one HTTP status in the REST API
/// (see [`HerderError::status_code`]); the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HerderError {
    /// The connector, task, plugin or logger does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// A connector with this name already exists (409).
    #[error("{0}")]
    AlreadyExists(String),
    /// The request is invalid, e.g. an invalid connector configuration (400).
    #[error("{0}")]
    BadRequest(String),
    /// The request cannot be completed now: a rebalance is in progress, there is no
    /// known leader, or the worker's configuration is stale (409).
    #[error("{0}")]
    Conflict(String),
    /// The operation is disabled by the worker configuration, e.g. topic tracking (403).
    #[error("{0}")]
    Forbidden(String),
    /// The request did not complete in time (500, as in Kafka).
    #[error("{0}")]
    Timeout(String),
    /// Anything else (500). The message is shown to the user, so it must be written for
    /// them.
    #[error("{0}")]
    Internal(String),
    /// Another worker must serve the request: the leader for writes, the owner of a
    /// connector or task for its restart (Kafka's `NotLeaderException` and
    /// `NotAssignedException`). The REST layer forwards the request to `url` (the other
    /// worker's REST base URL); if it cannot, the request fails with 409.
    #[error("Cannot complete request because of a conflicting operation (e.g. worker rebalance)")]
    Forward {
        /// The REST base URL of the worker that can serve the request, e.g.
        /// `http://10.0.0.2:8083/`.
        url: String,
    },
}

impl HerderError {
    /// Kafka's `NotFoundException` for a connector (`AbstractHerder`).
    pub fn connector_not_found(name: &str) -> Self {
        Self::NotFound(format!("Connector {name} not found"))
    }

    /// Kafka's `NotFoundException` for a task.
    pub fn task_not_found(id: &ConnectorTaskId) -> Self {
        Self::NotFound(format!("Task {id} not found"))
    }

    /// Kafka's `AlreadyExistsException` on create.
    pub fn connector_already_exists(name: &str) -> Self {
        Self::AlreadyExists(format!("Connector {name} already exists"))
    }

    /// `HerderRequestHandler`: no leader is known to forward the request to.
    pub fn no_known_leader() -> Self {
        Self::Conflict(
            "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
                .to_owned(),
        )
    }

    /// `HerderRequestHandler`: a rebalance or other conflicting operation is in progress.
    pub fn rebalance_in_progress() -> Self {
        Self::Conflict(
            "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
                .to_owned(),
        )
    }

    /// `HerderRequestHandler`: this worker's view of the config topic is stale.
    pub fn stale_configuration() -> Self {
        Self::Conflict("Cannot complete request due to stale configuration".to_owned())
    }

    /// `ConnectorsResource.getConnectorActiveTopics` with `topic.tracking.enable=false`.
    pub fn topic_tracking_disabled() -> Self {
        Self::Forbidden("Topic tracking is disabled.".to_owned())
    }

    /// `ConnectorsResource.resetConnectorActiveTopics` with
    /// `topic.tracking.allow.reset=false`.
    pub fn topic_tracking_reset_disabled() -> Self {
        Self::Forbidden("Topic tracking reset is disabled.".to_owned())
    }

    /// `HerderRequestHandler` when the herder does not answer within the request timeout.
    pub fn request_timed_out() -> Self {
        Self::Timeout("Request timed out".to_owned())
    }

    /// The HTTP status Kafka's `ConnectExceptionMapper` gives this error.
    pub fn status_code(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::AlreadyExists(_) | Self::Conflict(_) | Self::Forward { .. } => 409,
            Self::BadRequest(_) => 400,
            Self::Forbidden(_) => 403,
            Self::Timeout(_) | Self::Internal(_) => 500,
        }
    }
}

/// `GET /`: `{"version","commit","kafka_cluster_id"}` (`ServerInfo.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    /// Worker version.
    pub version: String,
    /// Build commit id.
    pub commit: String,
    /// The id of the Kafka cluster the worker uses.
    pub kafka_cluster_id: String,
}

/// The state reported by `GET /health` (KIP-1017, `WorkerStatus.java`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// Ready to handle requests (200).
    Healthy,
    /// Still starting up (503).
    Starting,
    /// Started but unable to serve, e.g. stuck in a tick (500).
    Unhealthy,
}

/// `GET /health` body: `{"status","message"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerHealth {
    /// The state.
    pub status: HealthStatus,
    /// Human-readable detail.
    pub message: String,
}

impl WorkerHealth {
    /// Kafka's healthy response.
    pub fn healthy() -> Self {
        Self {
            status: HealthStatus::Healthy,
            message: "Worker has completed startup and is ready to handle requests.".to_owned(),
        }
    }
}

/// A connector's or task's target state (Kafka's `TargetState`, and the `initial_state`
/// of `POST /connectors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TargetState {
    /// Running.
    Running,
    /// Paused: tasks keep their resources but do not process records.
    Paused,
    /// Stopped: tasks are shut down (KIP-875).
    Stopped,
}

impl TargetState {
    /// Parses Kafka's case-insensitive `initial_state`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "RUNNING" => Some(Self::Running),
            "PAUSED" => Some(Self::Paused),
            "STOPPED" => Some(Self::Stopped),
            _ => None,
        }
    }
}

/// Whether a connector is a source or a sink (`ConnectorType.java`, lower-cased in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorType {
    /// A source connector.
    Source,
    /// A sink connector.
    Sink,
    /// The connector class could not be loaded.
    Unknown,
}

/// A task id: `{"connector","task"}` (`ConnectorTaskId.java`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnectorTaskId {
    /// Connector name.
    pub connector: String,
    /// Task number.
    pub task: u32,
}

impl ConnectorTaskId {
    /// Task `task` of `connector`.
    pub fn new(connector: impl Into<String>, task: u32) -> Self {
        Self {
            connector: connector.into(),
            task,
        }
    }
}

impl fmt::Display for ConnectorTaskId {
    /// Kafka's `connector-task` form, also used as the key of `tasks-config`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

/// `{"name","config","tasks":[{"connector","task"}],"type"}` (`ConnectorInfo.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    /// Connector name.
    pub name: String,
    /// Its configuration.
    pub config: ConnectorConfig,
    /// Its tasks.
    pub tasks: Vec<ConnectorTaskId>,
    /// Source or sink.
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// The state of a connector instance: `{"state","worker_id","trace"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorState {
    /// `UNASSIGNED`, `RUNNING`, `PAUSED`, `STOPPED`, `FAILED` or `RESTARTING`.
    pub state: String,
    /// `host:port` of the worker running it.
    pub worker_id: String,
    /// The failure's stack trace; omitted when empty (`@JsonInclude(NON_EMPTY)`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub trace: String,
}

/// The state of a task: `{"id","state","worker_id","trace"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskState {
    /// Task number.
    pub id: u32,
    /// See [`ConnectorState::state`].
    pub state: String,
    /// `host:port` of the worker running it.
    pub worker_id: String,
    /// The failure's stack trace; omitted when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub trace: String,
}

/// `GET /connectors/{name}/status` (`ConnectorStateInfo.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectorStateInfo {
    /// Connector name.
    pub name: String,
    /// The connector instance.
    pub connector: ConnectorState,
    /// Its tasks.
    pub tasks: Vec<TaskState>,
    /// Source or sink.
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// One task's configuration: `{"id":{"connector","task"},"config":{..}}` (`TaskInfo.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    /// The task.
    pub id: ConnectorTaskId,
    /// Its configuration.
    pub config: ConnectorConfig,
}

/// The result of a config write that may create the connector (Kafka's `Created<T>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created<T> {
    /// Whether the connector did not exist before.
    pub created: bool,
    /// The resulting entity.
    pub result: T,
}

/// The KIP-507 signature of an internal request as received (Kafka's
/// `InternalRequestSignature`): the algorithm and signature headers and the exact body
/// bytes that were signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSignature {
    /// `X-Connect-Request-Signature-Algorithm`.
    pub algorithm: String,
    /// `X-Connect-Authorization` (base64).
    pub signature: String,
    /// The request body.
    pub body: Vec<u8>,
}

/// `POST /connectors/{name}/restart?includeTasks=&onlyFailed=` (KIP-745, `RestartRequest.java`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartRequest {
    /// Connector name.
    pub connector: String,
    /// Restart only instances that are `FAILED`.
    pub only_failed: bool,
    /// Restart the tasks too.
    pub include_tasks: bool,
}

/// The kind of a plugin (`PluginType.java`, lower-cased in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PluginType {
    /// Source connector.
    Source,
    /// Sink connector.
    Sink,
    /// Key/value converter.
    Converter,
    /// Header converter.
    HeaderConverter,
    /// Single message transform.
    Transformation,
    /// SMT predicate.
    Predicate,
}

impl PluginType {
    /// Whether `GET /connector-plugins?connectorsOnly=true` lists plugins of this type.
    pub fn is_connector(self) -> bool {
        matches!(self, Self::Source | Self::Sink)
    }
}

/// An installed plugin: `{"class","type","version"}` (`PluginInfo.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// Fully qualified class name (sluice: the plugin's registered name).
    pub class: String,
    /// The kind.
    #[serde(rename = "type")]
    pub plugin_type: PluginType,
    /// Version.
    pub version: String,
}

/// A JSON object, as Kafka's `Map<String, ?>` partitions and offsets.
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

/// One source partition (or sink topic-partition) and its offset (`ConnectorOffset.java`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectorOffset {
    /// The partition; for sinks `{"kafka_topic","kafka_partition"}`.
    pub partition: JsonMap,
    /// The offset; for sinks `{"kafka_offset"}`. `null` in a `PATCH` resets the partition.
    pub offset: Option<JsonMap>,
}

/// `{"offsets":[{"partition","offset"}]}` (`ConnectorOffsets.java`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectorOffsets {
    /// The offsets.
    pub offsets: Vec<ConnectorOffset>,
}

/// `{"message": ...}` (`Message.java`), the body of offset alter/reset responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The message.
    pub message: String,
}

impl Message {
    /// A message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// The topics a connector has used (KIP-558). The REST API wraps it as
/// `{"<connector>":{"topics":[..]}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveTopics {
    /// Topic names, sorted.
    pub topics: Vec<String>,
}

/// A logger's level: `{"level","last_modified"}` (`LoggerLevel.java`); `last_modified` is
/// the epoch millisecond of the last change through the REST API, `null` if never.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggerLevel {
    /// `TRACE`, `DEBUG`, `INFO`, `WARN`, `ERROR`, ...
    pub level: String,
    /// Epoch milliseconds of the last change.
    pub last_modified: Option<i64>,
}

/// The herder: everything the REST API asks of the worker.
///
/// Object safe; every call returns a boxed future so the REST layer can hold an
/// `Arc<dyn Herder>`. Names are passed owned so the futures borrow only `self`.
pub trait Herder: Send + Sync {
    /// `GET /`.
    fn server_info(&self) -> BoxFuture<'_, HerderResult<ServerInfo>>;

    /// `GET /health`. Never fails: an unhealthy worker reports it in the value.
    fn health(&self) -> BoxFuture<'_, WorkerHealth>;

    /// `GET /connectors`: the connector names.
    fn connectors(&self) -> BoxFuture<'_, HerderResult<Vec<String>>>;

    /// `GET /connectors/{name}`.
    fn connector_info(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorInfo>>;

    /// `GET /connectors/{name}/config`.
    fn connector_config(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorConfig>>;

    /// `GET /connectors/{name}/status`.
    fn connector_status(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorStateInfo>>;

    /// `GET /connectors/{name}/tasks`.
    fn task_configs(&self, name: String) -> BoxFuture<'_, HerderResult<Vec<TaskInfo>>>;

    /// `GET /connectors/{name}/tasks/{task}/status`.
    fn task_status(&self, id: ConnectorTaskId) -> BoxFuture<'_, HerderResult<TaskState>>;

    /// `POST /connectors` (`allow_replace = false`, `initial_state` from the request) and
    /// `PUT /connectors/{name}/config` (`allow_replace = true`, no initial state). The
    /// config already contains `name`. Fails with [`HerderError::AlreadyExists`] when the
    /// connector exists and `allow_replace` is false.
    fn put_connector_config(
        &self,
        name: String,
        config: ConnectorConfig,
        initial_state: Option<TargetState>,
        allow_replace: bool,
    ) -> BoxFuture<'_, HerderResult<Created<ConnectorInfo>>>;

    /// `PATCH /connectors/{name}/config` (KIP-477): `None` values remove the key.
    fn patch_connector_config(
        &self,
        name: String,
        patch: BTreeMap<String, Option<String>>,
    ) -> BoxFuture<'_, HerderResult<ConnectorInfo>>;

    /// `POST /connectors/{name}/restart` without `includeTasks` and `onlyFailed`: restarts
    /// the connector instance only.
    fn restart_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>>;

    /// `POST /connectors/{name}/restart` with `includeTasks` or `onlyFailed` (KIP-745):
    /// returns the status with the instances being restarted shown as `RESTARTING`.
    fn restart_connector_and_tasks(
        &self,
        request: RestartRequest,
    ) -> BoxFuture<'_, HerderResult<ConnectorStateInfo>>;

    /// `POST /connectors/{name}/tasks/{task}/restart`.
    fn restart_task(&self, id: ConnectorTaskId) -> BoxFuture<'_, HerderResult<()>>;

    /// `PUT /connectors/{name}/pause`. Idempotent.
    fn pause_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>>;

    /// `PUT /connectors/{name}/resume`: resumes a paused or stopped connector.
    fn resume_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>>;

    /// `PUT /connectors/{name}/stop` (KIP-875).
    fn stop_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>>;

    /// `DELETE /connectors/{name}`.
    fn delete_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>>;

    /// `POST /connectors/{name}/tasks`: the internal endpoint through which a worker
    /// running a connector hands the task configs it generated to the leader, which
    /// writes them to the config topic; `signature` is the request's KIP-507 signature,
    /// if it had one. Standalone workers refuse it, as Kafka's do.
    fn put_task_configs(
        &self,
        name: String,
        configs: Vec<ConnectorConfig>,
        signature: Option<RequestSignature>,
    ) -> BoxFuture<'_, HerderResult<()>> {
        let _ = (name, configs, signature);
        Box::pin(futures::future::ready(Err(HerderError::Internal(
            "Kafka Connect in standalone mode does not support externally setting task \
             configurations."
                .to_owned(),
        ))))
    }

    /// `GET /connectors/{name}/offsets` (KIP-875).
    fn connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorOffsets>>;

    /// `PATCH /connectors/{name}/offsets`; the list is non-empty (the REST layer checks).
    fn alter_connector_offsets(
        &self,
        name: String,
        offsets: ConnectorOffsets,
    ) -> BoxFuture<'_, HerderResult<Message>>;

    /// `DELETE /connectors/{name}/offsets`.
    fn reset_connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<Message>>;

    /// `GET /connectors/{name}/topics` (KIP-558).
    fn connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<ActiveTopics>>;

    /// `PUT /connectors/{name}/topics/reset`.
    fn reset_connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<()>>;

    /// `GET /connector-plugins?connectorsOnly=`: installed plugins, only connectors when
    /// `connectors_only`.
    fn connector_plugins(
        &self,
        connectors_only: bool,
    ) -> BoxFuture<'_, HerderResult<Vec<PluginInfo>>>;

    /// `GET /connector-plugins/{plugin}/config`: the plugin's config definition.
    fn plugin_config(&self, plugin: String) -> BoxFuture<'_, HerderResult<Vec<ConfigKeyInfo>>>;

    /// `PUT /connector-plugins/{plugin}/config/validate`. A missing or unknown
    /// `connector.class` is a validation error in the result, not a failure.
    fn validate_connector_config(
        &self,
        config: ConnectorConfig,
    ) -> BoxFuture<'_, HerderResult<ConfigInfos>>;

    /// `GET /admin/loggers`: every logger with an explicitly set level.
    fn logger_levels(&self) -> BoxFuture<'_, HerderResult<BTreeMap<String, LoggerLevel>>>;

    /// `GET /admin/loggers/{logger}`; [`HerderError::NotFound`] for an unknown logger.
    fn logger_level(&self, logger: String) -> BoxFuture<'_, HerderResult<LoggerLevel>>;

    /// `PUT /admin/loggers/{namespace}?scope=worker`: sets the level on this worker and
    /// returns the affected loggers. `level` is a valid upper-case level.
    fn set_worker_logger_level(
        &self,
        namespace: String,
        level: String,
    ) -> BoxFuture<'_, HerderResult<Vec<String>>>;

    /// `PUT /admin/loggers/{namespace}?scope=cluster`: sets the level on every worker.
    fn set_cluster_logger_level(
        &self,
        namespace: String,
        level: String,
    ) -> BoxFuture<'_, HerderResult<()>>;
}
