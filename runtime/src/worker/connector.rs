//! Connector instances and task construction, shared by both herders (the part of
//! Kafka's `Worker` that starts connectors, asks them for task configs and builds tasks).

use std::collections::BTreeMap;
use std::sync::Arc;

use connect_api::connector::{ConfigMap, SinkConnector, SourceConnector};
use connect_api::ConnectError;
use connectors::{Plugin, PluginConstructor};
use tokio::sync::mpsc;

use super::clients;
use super::sink::{self, SinkTaskSpec};
use super::source::{self, SourceTaskSpec};
use super::{
    task_converters, trace_of, ConnectorRequest, ErrorReporter, TaskHandle, WorkerConnectorContext,
    WorkerContext,
};
use crate::config::connector::{
    ClientType, ConnectorConfig as ParsedConnectorConfig, SinkConnectorConfig,
};
use crate::herder::{ConnectorConfig, ConnectorTaskId, ConnectorType, TargetState};
use crate::storage::State;
use crate::transforms::TransformationChain;

/// A connector instance.
pub enum Instance {
    /// A source connector.
    Source(Box<dyn SourceConnector>),
    /// A sink connector.
    Sink(Box<dyn SinkConnector>),
}

impl Instance {
    /// A new, unstarted instance of `plugin`.
    pub fn new(plugin: &Plugin) -> Self {
        match plugin.constructor {
            PluginConstructor::Source(build) => Self::Source(build()),
            PluginConstructor::Sink(build) => Self::Sink(build()),
        }
    }

    /// The instance as a plain connector.
    pub fn connector(&mut self) -> &mut dyn connect_api::connector::Connector {
        match self {
            Self::Source(c) => &mut **c,
            Self::Sink(c) => &mut **c,
        }
    }
}

/// Whether `plugin` is a source or a sink.
pub fn connector_type(plugin: &Plugin) -> ConnectorType {
    match plugin.constructor {
        PluginConstructor::Source(_) => ConnectorType::Source,
        PluginConstructor::Sink(_) => ConnectorType::Sink,
    }
}

/// Kafka's task class for a connector class: `...FooConnector` → `...FooTask`, shown as
/// `task.class` in task configs.
pub fn task_class(connector_class: &str) -> String {
    match connector_class.strip_suffix("Connector") {
        Some(base) => format!("{base}Task"),
        None => format!("{connector_class}Task"),
    }
}

/// Starts a connector instance and reports its status (`RUNNING`, `PAUSED`, or `FAILED`
/// with the trace). `requests` receives the connector's reconfiguration requests and
/// errors. `None` when it failed to start.
pub async fn start_connector(
    worker: &WorkerContext,
    requests: &mpsc::UnboundedSender<ConnectorRequest>,
    name: &str,
    config: &ConnectorConfig,
    plugin: &Plugin,
    target: TargetState,
) -> Option<Instance> {
    let mut instance = Instance::new(plugin);
    let context = Arc::new(WorkerConnectorContext {
        name: name.to_owned(),
        requests: requests.clone(),
    });
    if let Err(e) = instance.connector().start(context, config.clone()).await {
        tracing::error!(connector = name, error = %trace_of(&e), "connector failed to start");
        worker
            .status
            .put_connector(name, worker.status_of(State::Failed, trace_of(&e)));
        return None;
    }
    let state = match target {
        TargetState::Paused => State::Paused,
        _ => State::Running,
    };
    worker
        .status
        .put_connector(name, worker.status_of(state, String::new()));
    tracing::info!(connector = name, worker_id = %worker.worker_id, "connector started");
    Some(instance)
}

/// Stops a connector instance; a failure to stop is logged.
pub async fn stop_connector(name: &str, mut instance: Instance) {
    if let Err(e) = instance.connector().stop().await {
        tracing::warn!(connector = name, error = %e, "connector failed to stop cleanly");
    }
}

/// Asks a started connector for its task configs (Kafka's `Worker.connectorTaskConfigs`):
/// enforces `tasks.max`, and adds `task.class` and, for sinks, `topics`/`topics.regex`.
pub fn task_configs(
    name: &str,
    config: &ConnectorConfig,
    plugin: &Plugin,
    instance: &mut Instance,
) -> Result<Vec<ConfigMap>, ConnectError> {
    let (tasks_max, enforce) = ParsedConnectorConfig::parse(config)
        .map(|c| (c.tasks_max, c.tasks_max_enforce))
        .unwrap_or((1, true));
    let configs = instance.connector().task_configs(tasks_max as usize)?;
    if enforce && configs.len() > tasks_max as usize {
        return Err(ConnectError::connector(format!(
            "The connector {name} has generated {} tasks, which is greater than {tasks_max}, \
             the maximum number of tasks it is configured to create. This behavior should be \
             considered a bug and is no longer permitted. Please report this to the \
             maintainers of the connector.",
            configs.len(),
        )));
    }
    let class = task_class(plugin.class);
    let sink_topics: Vec<(String, String)> = match connector_type(plugin) {
        ConnectorType::Sink => ["topics", "topics.regex"]
            .into_iter()
            .filter_map(|k| config.get(k).map(|v| (k.to_owned(), v.clone())))
            .collect(),
        _ => Vec::new(),
    };
    Ok(configs
        .into_iter()
        .map(|mut c| {
            c.insert("task.class".to_owned(), class.clone());
            c.extend(sink_topics.iter().cloned());
            c
        })
        .collect())
}

/// Builds and starts a task (`UNASSIGNED` first; `FAILED` with the trace when it cannot be
/// built). `None` when it could not be started.
pub async fn start_task(
    worker: &WorkerContext,
    id: &ConnectorTaskId,
    config: &ConnectorConfig,
    plugin: &Plugin,
    target: TargetState,
    task_config: ConfigMap,
) -> Option<TaskHandle> {
    worker
        .status
        .put_task(id, worker.status_of(State::Unassigned, String::new()));
    match build_task(worker, id, config, plugin, target, task_config).await {
        Ok(handle) => Some(handle),
        Err(e) => {
            tracing::error!(connector = %id.connector, task = id.task, error = %trace_of(&e), "failed to start task");
            worker
                .status
                .put_task(id, worker.status_of(State::Failed, trace_of(&e)));
            None
        }
    }
}

async fn build_task(
    worker: &WorkerContext,
    id: &ConnectorTaskId,
    config: &ConnectorConfig,
    plugin: &Plugin,
    target: TargetState,
    task_config: ConfigMap,
) -> Result<TaskHandle, ConnectError> {
    let worker_config = &worker.config;
    let converters = task_converters(worker_config, config)?;
    match plugin.constructor {
        PluginConstructor::Source(build) => {
            let common = ParsedConnectorConfig::parse(config)?;
            let client_id = format!("connector-producer-{}-{}", id.connector, id.task);
            let spec = SourceTaskSpec {
                id: id.clone(),
                task: build().create_task(),
                task_config,
                converters,
                transforms: TransformationChain::from_connector_config(config)?,
                errors: ErrorReporter::new(id.clone(), common.errors),
                producer_props: clients::producer_configs(
                    worker_config,
                    &client_id,
                    &common.client_overrides(ClientType::Producer),
                ),
            };
            Ok(source::spawn(worker.clone(), spec, target))
        }
        PluginConstructor::Sink(build) => {
            let sink_config = SinkConnectorConfig::parse(config)?;
            let common = &sink_config.connector;
            let errors = match &sink_config.dead_letter_queue {
                Some(dlq) => {
                    let client_id = format!("connector-dlq-producer-{}-{}", id.connector, id.task);
                    ErrorReporter::with_dead_letter_queue(
                        id.clone(),
                        common.errors,
                        dlq.clone(),
                        &clients::producer_configs(
                            worker_config,
                            &client_id,
                            &common.client_overrides(ClientType::Producer),
                        ),
                        &clients::admin_configs(
                            worker_config,
                            &common.client_overrides(ClientType::Admin),
                        ),
                    )
                    .await?
                }
                None => ErrorReporter::new(id.clone(), common.errors),
            };
            let client_id = format!("connector-consumer-{}-{}", id.connector, id.task);
            let spec = SinkTaskSpec {
                id: id.clone(),
                task: build().create_task(),
                task_config,
                topics: sink_config.topics.clone(),
                converters,
                transforms: TransformationChain::from_connector_config(config)?,
                errors: Arc::new(errors),
                consumer_props: clients::consumer_configs(
                    worker_config,
                    &sink_group(&id.connector),
                    &client_id,
                    &common.client_overrides(ClientType::Consumer),
                ),
            };
            Ok(sink::spawn(worker.clone(), spec, target))
        }
    }
}

/// Stops tasks concurrently, each bounded by `task.shutdown.graceful.timeout.ms`.
pub async fn stop_tasks(worker: &WorkerContext, tasks: BTreeMap<ConnectorTaskId, TaskHandle>) {
    let graceful = worker.config.task_shutdown_graceful_timeout;
    let stops = tasks
        .into_iter()
        .map(|(id, handle)| async move { handle.stop(&id, graceful).await });
    futures::future::join_all(stops).await;
}

/// The sink connector's consumer group (Kafka's `SinkUtils.consumerGroupId`).
pub fn sink_group(connector: &str) -> String {
    format!("connect-{connector}")
}
