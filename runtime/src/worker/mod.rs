//! The worker: runs connector instances and their tasks (Kafka's `Worker`,
//! `WorkerConnector`, `WorkerSourceTask` and `WorkerSinkTask`).
//!
//! * [`source`]: a source task's loop — poll → transforms → converters → producer
//!   (acks=all, idempotent); offsets are committed only for records the broker
//!   acknowledged, every `offset.flush.interval.ms` and on shutdown.
//! * [`sink`]: a sink task's loop — consumer (group `connect-<connector>`) → converters →
//!   transforms → put; every `offset.flush.interval.ms` and on shutdown the task's
//!   `pre_commit` says what was flushed, and exactly that is committed.
//! * [`clients`]: the Kafka clients, configured like Kafka Connect's.
//!
//! Each task runs as its own tokio task and is controlled through a [`TaskHandle`]: the
//! herder changes its target state (running, paused, stopped) and the task reports its
//! status to the [`StatusStore`]. The worker only talks to brokers through the Kafka
//! protocol (librdkafka), never to sluice's own broker directly.

pub mod clients;
pub mod connector;
mod errors;
pub mod sink;
pub mod source;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use connect_api::connector::{ConfigMap, ConnectorContext};
use connect_api::ConnectError;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use errors::{trace_of, ErrorReporter};

use crate::config::worker::{ConverterRole, WorkerConfig};
use crate::converters::{
    converter_for_class, header_converter_for_class, Converter, HeaderConverter,
};
use crate::herder::{ConnectorTaskId, TargetState};
use crate::storage::{OffsetStore, State, Status, StatusStore};

/// What every task of a worker shares.
#[derive(Clone)]
pub struct WorkerContext {
    /// `host:port` of this worker's REST listener, as shown in statuses.
    pub worker_id: String,
    /// The worker's configuration.
    pub config: Arc<WorkerConfig>,
    /// Committed source offsets.
    pub offsets: Arc<dyn OffsetStore>,
    /// Statuses of connectors and tasks, and the topics they use.
    pub status: Arc<StatusStore>,
}

impl WorkerContext {
    /// A status of this worker.
    pub fn status_of(&self, state: State, trace: String) -> Status {
        Status {
            state,
            worker_id: self.worker_id.clone(),
            trace,
        }
    }
}

/// The converters of one task.
pub struct TaskConverters {
    /// `key.converter`.
    pub key: Box<dyn Converter>,
    /// `value.converter`.
    pub value: Box<dyn Converter>,
    /// `header.converter`.
    pub header: Box<dyn HeaderConverter>,
}

/// Builds a task's converters like Kafka's `Plugins.newConverter`: a converter class set
/// in the connector configuration is configured with the connector's
/// `key.converter.*`/`value.converter.*`/`header.converter.*` settings; otherwise the
/// worker's class is used with the worker's settings (a connector's prefixed settings
/// without its own class are ignored, as in Kafka).
pub fn task_converters(
    worker: &WorkerConfig,
    connector: &BTreeMap<String, String>,
) -> Result<TaskConverters, ConnectError> {
    let choose = |role: ConverterRole| -> (String, BTreeMap<String, String>) {
        match connector.get(role.config_key()).map(|c| c.trim()) {
            Some(class) if !class.is_empty() => (
                class.to_owned(),
                crate::config::originals_with_prefix(connector, &role.prefix()),
            ),
            _ => (
                worker.converter_class(role).to_owned(),
                worker.converter_configs(role),
            ),
        }
    };
    let unknown = |role: ConverterRole, class: &str| {
        ConnectError::connector(format!(
            "Failed to find any class that implements Converter and which name matches \
             {class} (set by {})",
            role.config_key()
        ))
    };
    let build = |role: ConverterRole, is_key: bool| -> Result<Box<dyn Converter>, ConnectError> {
        let (class, configs) = choose(role);
        let mut converter = converter_for_class(&class).ok_or_else(|| unknown(role, &class))?;
        converter.configure(&configs, is_key)?;
        Ok(converter)
    };
    let key = build(ConverterRole::Key, true)?;
    let value = build(ConverterRole::Value, false)?;
    let (class, configs) = choose(ConverterRole::Header);
    let mut header = header_converter_for_class(&class).ok_or_else(|| {
        ConnectError::connector(format!(
            "Failed to find any class that implements HeaderConverter and which name \
             matches {class} (set by header.converter)"
        ))
    })?;
    header.configure(&configs)?;
    Ok(TaskConverters { key, value, header })
}

/// A running task, as the herder holds it.
#[derive(Debug)]
pub struct TaskHandle {
    target: watch::Sender<TargetState>,
    join: JoinHandle<()>,
}

impl TaskHandle {
    fn new(target: watch::Sender<TargetState>, join: JoinHandle<()>) -> Self {
        Self { target, join }
    }

    /// Pauses or resumes the task.
    pub fn set_target_state(&self, state: TargetState) {
        self.target.send_replace(state);
    }

    /// Stops the task and waits up to `graceful` for it to commit its offsets and stop;
    /// a task that takes longer is cancelled (Kafka's
    /// `task.shutdown.graceful.timeout.ms`).
    pub async fn stop(self, id: &ConnectorTaskId, graceful: Duration) {
        self.target.send_replace(TargetState::Stopped);
        let mut join = self.join;
        if tokio::time::timeout(graceful, &mut join).await.is_err() {
            tracing::warn!(connector = %id.connector, task = id.task, timeout_ms = graceful.as_millis() as u64,
                "graceful stop of the task timed out, cancelling it");
            join.abort();
            let _ = join.await;
        }
    }

    /// Whether the task's loop has ended (failed or stopped).
    pub fn is_finished(&self) -> bool {
        self.join.is_finished()
    }
}

/// Runs a task loop in its own tokio task: `UNASSIGNED` when it ends normally (unless it
/// already reported `FAILED`), `FAILED` with the trace when it returns an error.
fn spawn_task<F, Fut>(
    worker: WorkerContext,
    id: ConnectorTaskId,
    target: TargetState,
    run: F,
) -> TaskHandle
where
    F: FnOnce(WorkerContext, watch::Receiver<TargetState>) -> Fut,
    Fut: std::future::Future<Output = Result<(), ConnectError>> + Send + 'static,
{
    let (tx, rx) = watch::channel(target);
    let task = run(worker.clone(), rx);
    let join = tokio::spawn(async move {
        match task.await {
            Ok(()) => worker
                .status
                .put_task_unless_failed(&id, worker.status_of(State::Unassigned, String::new())),
            Err(e) => {
                tracing::error!(connector = %id.connector, task = id.task, error = %trace_of(&e), "task failed");
                worker
                    .status
                    .put_task(&id, worker.status_of(State::Failed, trace_of(&e)));
            }
        }
    });
    TaskHandle::new(tx, join)
}

/// The runtime side of [`ConnectorContext`]: requests go to the herder through a channel.
pub struct WorkerConnectorContext {
    /// The connector.
    pub name: String,
    /// Where requests go.
    pub requests: tokio::sync::mpsc::UnboundedSender<ConnectorRequest>,
}

/// What a running connector asks of its herder.
#[derive(Debug)]
pub enum ConnectorRequest {
    /// [`ConnectorContext::request_task_reconfiguration`].
    Reconfigure(String),
    /// [`ConnectorContext::raise_error`].
    Failed(String, String),
}

impl ConnectorContext for WorkerConnectorContext {
    fn request_task_reconfiguration(&self) {
        let _ = self
            .requests
            .send(ConnectorRequest::Reconfigure(self.name.clone()));
    }

    fn raise_error(&self, error: ConnectError) {
        let _ = self.requests.send(ConnectorRequest::Failed(
            self.name.clone(),
            trace_of(&error),
        ));
    }
}

/// A task's configuration as the connector produced it.
pub type TaskConfig = ConfigMap;
