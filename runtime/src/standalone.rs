//! The standalone herder (Kafka's `StandaloneHerder`): one worker, connector configs in
//! memory (from the command line and the REST API), source offsets in
//! `offset.storage.file.filename`.
//!
//! Requests are applied one at a time under one lock, like Kafka's `synchronized`
//! methods. Starting and stopping tasks happens inside the request, so when a `POST
//! /connectors` returns, the connector and its tasks are started (their status may still
//! move from `UNASSIGNED` to `RUNNING` or `FAILED` as each task starts).

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use connect_api::config::{ConfigInfos, ConfigKeyInfo};
use connect_api::connector::{ConfigMap, SinkConnector, SourceConnector, TopicPartition};
use connect_api::record::SourceMap;
use connect_api::ConnectError;
use connectors::{Plugin, PluginConstructor};
use futures::future::BoxFuture;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::{mpsc, Mutex};

use crate::config::connector::{
    validate_plugin_config, ClientType, ConnectorConfig as ParsedConnectorConfig,
    SinkConnectorConfig, SinkTopics, CONNECTOR_CLASS_CONFIG,
};
use crate::config::plugins::ConnectorPlugins;
use crate::config::worker::StandaloneConfig;
use crate::converters::{
    converter_for_class, header_converter_for_class, CONVERTER_CLASSES, HEADER_CONVERTER_CLASSES,
};
use crate::herder::{
    ActiveTopics, ConnectorConfig, ConnectorInfo, ConnectorOffset, ConnectorOffsets,
    ConnectorState, ConnectorStateInfo, ConnectorTaskId, ConnectorType, Created, HealthStatus,
    Herder, HerderError, HerderResult, LoggerLevel, Message, PluginInfo, PluginType,
    RestartRequest, ServerInfo, TargetState, TaskInfo, TaskState, WorkerHealth,
};
use crate::loggers::Loggers;
use crate::storage::{FileOffsetStore, State, StatusStore};
use crate::transforms::TransformationChain;
use crate::worker::clients;
use crate::worker::sink::{self, SinkTaskSpec};
use crate::worker::source::{self, SourceTaskSpec};
use crate::worker::{
    task_converters, trace_of, ConnectorRequest, ErrorReporter, TaskHandle, WorkerConnectorContext,
    WorkerContext,
};

/// Why a standalone worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The offsets file is unusable.
    #[error(transparent)]
    Offsets(#[from] crate::storage::StorageError),
    /// No broker answered.
    #[error(
        "cannot reach the Kafka cluster at bootstrap.servers={0} (no answer within 60 s); \
         start the broker or fix bootstrap.servers"
    )]
    Unreachable(String),
    /// A Kafka client could not be created from the worker configuration.
    #[error("invalid Kafka client settings in the worker configuration: {0}")]
    Client(#[from] rdkafka::error::KafkaError),
}

/// The version shown by `GET /` and `GET /connector-plugins`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A connector instance, started.
enum Instance {
    Source(Box<dyn SourceConnector>),
    Sink(Box<dyn SinkConnector>),
}

impl Instance {
    fn new(plugin: &Plugin) -> Self {
        match plugin.constructor {
            PluginConstructor::Source(build) => Self::Source(build()),
            PluginConstructor::Sink(build) => Self::Sink(build()),
        }
    }

    fn connector(&mut self) -> &mut dyn connect_api::connector::Connector {
        match self {
            Self::Source(c) => &mut **c,
            Self::Sink(c) => &mut **c,
        }
    }
}

struct Entry {
    config: ConnectorConfig,
    plugin: Plugin,
    target: TargetState,
    task_configs: Vec<ConfigMap>,
    instance: Option<Instance>,
    tasks: BTreeMap<u32, TaskHandle>,
}

impl Entry {
    fn connector_type(&self) -> ConnectorType {
        match self.plugin.constructor {
            PluginConstructor::Source(_) => ConnectorType::Source,
            PluginConstructor::Sink(_) => ConnectorType::Sink,
        }
    }

    fn info(&self, name: &str) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_owned(),
            config: self.config.clone(),
            tasks: (0..self.task_configs.len() as u32)
                .map(|i| ConnectorTaskId::new(name, i))
                .collect(),
            connector_type: self.connector_type(),
        }
    }
}

/// The standalone herder.
pub struct StandaloneHerder {
    worker: WorkerContext,
    plugins: ConnectorPlugins,
    kafka_cluster_id: String,
    connectors: Mutex<BTreeMap<String, Entry>>,
    requests: mpsc::UnboundedSender<ConnectorRequest>,
    loggers: Loggers,
}

/// Kafka's task class for a connector class: `...FooConnector` → `...FooTask`, shown as
/// `task.class` in task configs.
fn task_class(connector_class: &str) -> String {
    match connector_class.strip_suffix("Connector") {
        Some(base) => format!("{base}Task"),
        None => format!("{connector_class}Task"),
    }
}

/// Kafka's invalid-config message (`AbstractHerder.maybeAddConfigErrors`).
fn invalid_config_message(infos: &ConfigInfos) -> String {
    let mut message = format!(
        "Connector configuration is invalid and contains the following {} error(s):",
        infos.error_count
    );
    for info in &infos.configs {
        for error in info.value.iter().flat_map(|v| &v.errors) {
            message.push('\n');
            message.push_str(error);
        }
    }
    message.push_str(
        "\nYou can also find the above list of errors at the endpoint \
         `/connector-plugins/{connectorType}/config/validate`",
    );
    message
}

/// A Java `Map.toString()` rendering, as Kafka's messages quote configs.
fn java_map(config: &ConnectorConfig) -> String {
    let entries: Vec<String> = config.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", entries.join(", "))
}

impl StandaloneHerder {
    /// Starts the herder: opens the offsets file and checks that the Kafka cluster
    /// answers (its id is shown by `GET /`). `worker_id` is the REST `host:port`.
    pub async fn start(
        config: StandaloneConfig,
        worker_id: String,
        loggers: Loggers,
    ) -> Result<Arc<Self>, StartError> {
        let offsets = FileOffsetStore::open(&config.offset_storage_file_filename)?;
        let worker_config = Arc::new(config.worker);
        let admin_props = clients::admin_configs(&worker_config, &BTreeMap::new());
        let probe: BaseConsumer = clients::create(&admin_props)?;
        let kafka_cluster_id = tokio::task::spawn_blocking(move || {
            probe.client().fetch_cluster_id(Duration::from_secs(60))
        })
        .await
        .ok()
        .flatten()
        .ok_or_else(|| StartError::Unreachable(worker_config.bootstrap_servers.join(",")))?;
        tracing::info!(cluster_id = %kafka_cluster_id, worker_id = %worker_id, "standalone worker connected to the Kafka cluster");
        let worker = WorkerContext {
            worker_id,
            config: worker_config,
            offsets: Arc::new(offsets),
            status: Arc::new(StatusStore::new()),
        };
        Ok(Self::with_parts(
            worker,
            ConnectorPlugins::builtin(),
            kafka_cluster_id,
            loggers,
        ))
    }

    /// A herder over an existing worker context (tests and embedding).
    pub fn with_parts(
        worker: WorkerContext,
        plugins: ConnectorPlugins,
        kafka_cluster_id: String,
        loggers: Loggers,
    ) -> Arc<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        let herder = Arc::new(Self {
            worker,
            plugins,
            kafka_cluster_id,
            connectors: Mutex::new(BTreeMap::new()),
            requests: tx,
            loggers,
        });
        tokio::spawn(handle_connector_requests(Arc::downgrade(&herder), rx));
        herder
    }

    /// Creates or replaces a connector from a config file given on the command line.
    pub async fn add_connector(
        &self,
        config: ConnectorConfig,
        initial_state: Option<TargetState>,
    ) -> HerderResult<ConnectorInfo> {
        let name = config.get("name").cloned().unwrap_or_default();
        self.put_config(name, config, initial_state, true)
            .await
            .map(|c| c.result)
    }

    /// Stops every connector and task, committing offsets (Kafka's `StandaloneHerder.stop`).
    pub async fn stop(&self) {
        let mut connectors = self.connectors.lock().await;
        let names: Vec<String> = connectors.keys().cloned().collect();
        for name in names {
            if let Some(entry) = connectors.get_mut(&name) {
                self.stop_tasks(&name, entry).await;
                self.stop_instance(&name, entry).await;
            }
        }
        tracing::info!("herder stopped");
    }

    fn status(&self, state: State, trace: String) -> crate::storage::Status {
        self.worker.status_of(state, trace)
    }

    fn resolve(&self, config: &ConnectorConfig) -> HerderResult<Plugin> {
        let Some(class) = config.get(CONNECTOR_CLASS_CONFIG) else {
            return Err(HerderError::BadRequest(format!(
                "Connector config {} contains no connector type",
                java_map(config)
            )));
        };
        self.plugins
            .resolve(class)
            .copied()
            .map_err(|e| HerderError::BadRequest(e.to_string()))
    }

    async fn put_config(
        &self,
        name: String,
        config: ConnectorConfig,
        initial_state: Option<TargetState>,
        allow_replace: bool,
    ) -> HerderResult<Created<ConnectorInfo>> {
        let plugin = self.resolve(&config)?;
        let infos = validate_plugin_config(&plugin, &config);
        if infos.error_count > 0 {
            return Err(HerderError::BadRequest(invalid_config_message(&infos)));
        }
        let mut connectors = self.connectors.lock().await;
        let created = match connectors.get_mut(&name) {
            Some(_) if !allow_replace => return Err(HerderError::connector_already_exists(&name)),
            Some(entry) => {
                self.stop_tasks(&name, entry).await;
                self.stop_instance(&name, entry).await;
                entry.config = config;
                entry.plugin = plugin;
                entry.task_configs.clear();
                false
            }
            None => {
                connectors.insert(
                    name.clone(),
                    Entry {
                        config,
                        plugin,
                        target: initial_state.unwrap_or(TargetState::Running),
                        task_configs: Vec::new(),
                        instance: None,
                        tasks: BTreeMap::new(),
                    },
                );
                true
            }
        };
        let entry = connectors
            .get_mut(&name)
            .ok_or_else(|| HerderError::connector_not_found(&name))?;
        self.start_connector(&name, entry).await;
        tracing::info!(connector = %name, created, "connector configured");
        Ok(Created {
            created,
            result: entry.info(&name),
        })
    }

    /// Starts the connector instance (unless stopped), then generates and starts tasks.
    async fn start_connector(&self, name: &str, entry: &mut Entry) {
        if entry.target == TargetState::Stopped {
            self.worker
                .status
                .put_connector(name, self.status(State::Stopped, String::new()));
            return;
        }
        let mut instance = Instance::new(&entry.plugin);
        let context = Arc::new(WorkerConnectorContext {
            name: name.to_owned(),
            requests: self.requests.clone(),
        });
        let started = instance
            .connector()
            .start(context, entry.config.clone())
            .await;
        if let Err(e) = started {
            tracing::error!(connector = name, error = %trace_of(&e), "connector failed to start");
            self.worker
                .status
                .put_connector(name, self.status(State::Failed, trace_of(&e)));
            return;
        }
        entry.instance = Some(instance);
        let state = match entry.target {
            TargetState::Paused => State::Paused,
            _ => State::Running,
        };
        self.worker
            .status
            .put_connector(name, self.status(state, String::new()));
        self.update_tasks(name, entry).await;
    }

    async fn stop_instance(&self, name: &str, entry: &mut Entry) {
        if let Some(mut instance) = entry.instance.take() {
            if let Err(e) = instance.connector().stop().await {
                tracing::warn!(connector = name, error = %e, "connector failed to stop cleanly");
            }
        }
    }

    /// Asks the connector for task configs; restarts the tasks if they changed
    /// (Kafka's `updateConnectorTasks`).
    async fn update_tasks(&self, name: &str, entry: &mut Entry) {
        let Some(instance) = entry.instance.as_mut() else {
            return;
        };
        let tasks_max = ParsedConnectorConfig::parse(&entry.config)
            .map(|c| (c.tasks_max, c.tasks_max_enforce))
            .unwrap_or((1, true));
        let generated = match instance.connector().task_configs(tasks_max.0 as usize) {
            Ok(configs) if tasks_max.1 && configs.len() > tasks_max.0 as usize => {
                Err(ConnectError::connector(format!(
                    "The connector {name} has generated {} tasks, which is greater than {}, the \
                     maximum number of tasks it is configured to create. This behavior should \
                     be considered a bug and is no longer permitted. Please report this to the \
                     maintainers of the connector.",
                    configs.len(),
                    tasks_max.0
                )))
            }
            other => other,
        };
        let configs = match generated {
            Ok(configs) => configs,
            Err(e) => {
                tracing::error!(connector = name, error = %trace_of(&e), "connector failed to generate task configs");
                self.worker
                    .status
                    .put_connector(name, self.status(State::Failed, trace_of(&e)));
                return;
            }
        };
        let class = task_class(entry.plugin.class);
        let sink_topics = ["topics", "topics.regex"]
            .into_iter()
            .filter_map(|k| entry.config.get(k).map(|v| (k.to_owned(), v.clone())))
            .collect::<Vec<_>>();
        let configs: Vec<ConfigMap> = configs
            .into_iter()
            .map(|mut c| {
                c.insert("task.class".to_owned(), class.clone());
                if entry.connector_type() == ConnectorType::Sink {
                    c.extend(sink_topics.iter().cloned());
                }
                c
            })
            .collect();
        if configs == entry.task_configs && !entry.tasks.is_empty() {
            return;
        }
        self.stop_tasks(name, entry).await;
        entry.task_configs = configs;
        for index in 0..entry.task_configs.len() as u32 {
            self.start_task(name, entry, index).await;
        }
    }

    /// Starts task `index` of the connector; a failure to build it marks it FAILED.
    async fn start_task(&self, name: &str, entry: &mut Entry, index: u32) {
        let id = ConnectorTaskId::new(name, index);
        let Some(task_config) = entry.task_configs.get(index as usize).cloned() else {
            return;
        };
        self.worker
            .status
            .put_task(&id, self.status(State::Unassigned, String::new()));
        match self
            .build_task(&id, &entry.config, entry.plugin, entry.target, task_config)
            .await
        {
            Ok(handle) => {
                entry.tasks.insert(index, handle);
            }
            Err(e) => {
                tracing::error!(connector = name, task = index, error = %trace_of(&e), "failed to start task");
                self.worker
                    .status
                    .put_task(&id, self.status(State::Failed, trace_of(&e)));
            }
        }
    }

    async fn build_task(
        &self,
        id: &ConnectorTaskId,
        config: &ConnectorConfig,
        plugin: Plugin,
        target: TargetState,
        task_config: ConfigMap,
    ) -> Result<TaskHandle, ConnectError> {
        let worker_config = &self.worker.config;
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
                Ok(source::spawn(self.worker.clone(), spec, target))
            }
            PluginConstructor::Sink(build) => {
                let sink_config = SinkConnectorConfig::parse(config)?;
                let common = &sink_config.connector;
                let errors = match &sink_config.dead_letter_queue {
                    Some(dlq) => {
                        let client_id =
                            format!("connector-dlq-producer-{}-{}", id.connector, id.task);
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
                Ok(sink::spawn(self.worker.clone(), spec, target))
            }
        }
    }

    async fn stop_tasks(&self, name: &str, entry: &mut Entry) {
        let graceful = self.worker.config.task_shutdown_graceful_timeout;
        let tasks = std::mem::take(&mut entry.tasks);
        let stops = tasks.into_iter().map(|(index, handle)| async move {
            handle
                .stop(&ConnectorTaskId::new(name, index), graceful)
                .await;
        });
        futures::future::join_all(stops).await;
    }

    fn connector_state(&self, name: &str) -> ConnectorState {
        let status = self
            .worker
            .status
            .connector(name)
            .unwrap_or_else(|| self.status(State::Unassigned, String::new()));
        ConnectorState {
            state: status.state.name().to_owned(),
            worker_id: status.worker_id,
            trace: status.trace,
        }
    }

    fn task_state(&self, id: &ConnectorTaskId) -> TaskState {
        let status = self
            .worker
            .status
            .task(id)
            .unwrap_or_else(|| self.status(State::Unassigned, String::new()));
        TaskState {
            id: id.task,
            state: status.state.name().to_owned(),
            worker_id: status.worker_id,
            trace: status.trace,
        }
    }

    fn state_info(&self, name: &str, entry: &Entry) -> ConnectorStateInfo {
        ConnectorStateInfo {
            name: name.to_owned(),
            connector: self.connector_state(name),
            tasks: (0..entry.task_configs.len() as u32)
                .map(|i| self.task_state(&ConnectorTaskId::new(name, i)))
                .collect(),
            connector_type: entry.connector_type(),
        }
    }

    async fn set_target(&self, name: &str, target: TargetState) -> HerderResult<()> {
        let mut connectors = self.connectors.lock().await;
        let entry = connectors.get_mut(name).ok_or_else(|| {
            HerderError::NotFound(match target {
                // Kafka's messages (for stop, Kafka's status is 500).
                TargetState::Stopped => format!("No connector `{name}` configured"),
                _ => format!("Unknown connector {name}"),
            })
        })?;
        let previous = entry.target;
        entry.target = target;
        match (previous, target) {
            (a, b) if a == b => {}
            (_, TargetState::Stopped) => {
                self.stop_tasks(name, entry).await;
                self.stop_instance(name, entry).await;
                for index in 0..entry.task_configs.len() as u32 {
                    self.worker
                        .status
                        .remove_task(&ConnectorTaskId::new(name, index));
                }
                entry.task_configs.clear();
                self.worker
                    .status
                    .put_connector(name, self.status(State::Stopped, String::new()));
            }
            (TargetState::Stopped, _) => self.start_connector(name, entry).await,
            (_, state) => {
                for task in entry.tasks.values() {
                    task.set_target_state(state);
                }
                let current = self.worker.status.connector(name).map(|s| s.state);
                if current != Some(State::Failed) {
                    let shown = if state == TargetState::Paused {
                        State::Paused
                    } else {
                        State::Running
                    };
                    self.worker
                        .status
                        .put_connector(name, self.status(shown, String::new()));
                }
            }
        }
        Ok(())
    }

    async fn restart_task_locked(&self, name: &str, entry: &mut Entry, index: u32) {
        if let Some(handle) = entry.tasks.remove(&index) {
            handle
                .stop(
                    &ConnectorTaskId::new(name, index),
                    self.worker.config.task_shutdown_graceful_timeout,
                )
                .await;
        }
        self.start_task(name, entry, index).await;
    }

    async fn stopped_entry<'a>(
        &self,
        connectors: &'a mut BTreeMap<String, Entry>,
        name: &str,
    ) -> HerderResult<&'a mut Entry> {
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        if entry.target != TargetState::Stopped || !entry.tasks.is_empty() {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. \
                 This can be done for the specified connector by issuing a 'PUT' request to the \
                 '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok(entry)
    }

    fn sink_topics(entry: &Entry) -> Option<SinkTopics> {
        SinkConnectorConfig::parse(&entry.config)
            .ok()
            .map(|c| c.topics)
    }

    /// A consumer of the sink's group that never joins it: used to read and write the
    /// group's committed offsets while the connector is stopped.
    fn group_client(&self, name: &str) -> HerderResult<BaseConsumer> {
        let mut props = clients::admin_configs(&self.worker.config, &BTreeMap::new());
        props.insert("group.id".to_owned(), sink_group(name));
        props.insert("enable.auto.commit".to_owned(), "false".to_owned());
        clients::create(&props)
            .map_err(|e| HerderError::Internal(format!("Failed to create a Kafka client: {e}")))
    }

    /// The committed offsets of the sink's consumer group, for the topics it consumes.
    async fn sink_offsets(&self, name: &str, topics: SinkTopics) -> HerderResult<ConnectorOffsets> {
        let consumer = self.group_client(name)?;
        let result = tokio::task::spawn_blocking(move || -> Result<Vec<ConnectorOffset>, String> {
            let metadata = consumer
                .fetch_metadata(None, Duration::from_secs(30))
                .map_err(|e| e.to_string())?;
            let mut list = TopicPartitionList::new();
            for topic in metadata.topics() {
                if topics.matches(topic.name()) {
                    for partition in topic.partitions() {
                        list.add_partition(topic.name(), partition.id());
                    }
                }
            }
            if list.count() == 0 {
                return Ok(Vec::new());
            }
            let committed = consumer
                .committed_offsets(list, Duration::from_secs(30))
                .map_err(|e| e.to_string())?;
            Ok(committed
                .elements()
                .iter()
                .filter_map(|e| match e.offset() {
                    Offset::Offset(o) => Some(ConnectorOffset {
                        partition: serde_json::json!({"kafka_topic": e.topic(), "kafka_partition": e.partition()})
                            .as_object()
                            .cloned()
                            .unwrap_or_default(),
                        offset: serde_json::json!({"kafka_offset": o}).as_object().cloned(),
                    }),
                    _ => None,
                })
                .collect())
        })
        .await
        .map_err(|e| HerderError::Internal(e.to_string()))?
        .map_err(|e| {
            HerderError::Internal(format!(
                "Failed to retrieve consumer group offsets for sink connector {name}: {e}"
            ))
        })?;
        Ok(ConnectorOffsets { offsets: result })
    }
}

/// The transformations listed by `GET /connector-plugins` (the `transforms` module's
/// classes, with Kafka's `$Key`/`$Value` variants).
const TRANSFORMATION_CLASSES: &[&str] = &[
    "org.apache.kafka.connect.transforms.Cast$Key",
    "org.apache.kafka.connect.transforms.Cast$Value",
    "org.apache.kafka.connect.transforms.DropHeaders",
    "org.apache.kafka.connect.transforms.ExtractField$Key",
    "org.apache.kafka.connect.transforms.ExtractField$Value",
    "org.apache.kafka.connect.transforms.Filter",
    "org.apache.kafka.connect.transforms.Flatten$Key",
    "org.apache.kafka.connect.transforms.Flatten$Value",
    "org.apache.kafka.connect.transforms.HeaderFrom$Key",
    "org.apache.kafka.connect.transforms.HeaderFrom$Value",
    "org.apache.kafka.connect.transforms.HoistField$Key",
    "org.apache.kafka.connect.transforms.HoistField$Value",
    "org.apache.kafka.connect.transforms.InsertField$Key",
    "org.apache.kafka.connect.transforms.InsertField$Value",
    "org.apache.kafka.connect.transforms.InsertHeader",
    "org.apache.kafka.connect.transforms.MaskField$Key",
    "org.apache.kafka.connect.transforms.MaskField$Value",
    "org.apache.kafka.connect.transforms.RegexRouter",
    "org.apache.kafka.connect.transforms.ReplaceField$Key",
    "org.apache.kafka.connect.transforms.ReplaceField$Value",
    "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
    "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
    "org.apache.kafka.connect.transforms.TimestampConverter$Key",
    "org.apache.kafka.connect.transforms.TimestampConverter$Value",
    "org.apache.kafka.connect.transforms.TimestampRouter",
    "org.apache.kafka.connect.transforms.ValueToKey",
];

/// The predicates listed by `GET /connector-plugins`.
const PREDICATE_CLASSES: &[&str] = &[
    "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
    "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
    "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
];

/// The config definition `GET /connector-plugins/{plugin}/config` shows (Kafka's
/// `AbstractHerder.connectorPluginConfig`): for a connector, the source or sink
/// framework keys followed by the plugin's own (a plugin key replaces a framework key of
/// the same name in place); for a converter, transformation or predicate, its own keys.
fn plugin_config_def(
    plugins: &ConnectorPlugins,
    plugin: &str,
) -> Option<connect_api::config::ConfigDef> {
    use crate::config::connector::{sink_connector_config_def, source_connector_config_def};
    use connect_api::record::{SinkRecord, SourceRecord};
    if let Ok(p) = plugins.resolve(plugin) {
        let (base, own) = match Instance::new(p) {
            Instance::Source(c) => (source_connector_config_def(), c.config_def()),
            Instance::Sink(c) => (sink_connector_config_def(), c.config_def()),
        };
        let mut merged = connect_api::config::ConfigDef::new();
        let keys = base
            .keys()
            .map(|k| own.key(&k.name).unwrap_or(k).clone())
            .chain(own.keys().filter(|k| base.key(&k.name).is_none()).cloned());
        for key in keys {
            merged = match merged.clone().try_define(key) {
                Ok(def) => def,
                Err(_) => merged,
            };
        }
        return Some(merged);
    }
    if let Some(c) = converter_for_class(plugin) {
        return Some(c.config_def());
    }
    if let Some(c) = header_converter_for_class(plugin) {
        return Some(c.config_def());
    }
    let key = "plugin";
    if TRANSFORMATION_CLASSES.contains(&plugin) {
        return crate::transforms::new_transformation::<SourceRecord>(key, plugin)
            .ok()
            .map(|t| t.config_def());
    }
    if PREDICATE_CLASSES.contains(&plugin) {
        return crate::transforms::new_predicate::<SinkRecord>(key, plugin)
            .ok()
            .map(|p| p.config_def());
    }
    None
}

/// The sink connector's consumer group (Kafka's `SinkUtils.consumerGroupId`).
pub fn sink_group(connector: &str) -> String {
    format!("connect-{connector}")
}

async fn handle_connector_requests(
    herder: Weak<StandaloneHerder>,
    mut requests: mpsc::UnboundedReceiver<ConnectorRequest>,
) {
    while let Some(request) = requests.recv().await {
        let Some(herder) = herder.upgrade() else {
            return;
        };
        match request {
            ConnectorRequest::Reconfigure(name) => {
                let mut connectors = herder.connectors.lock().await;
                if let Some(entry) = connectors.get_mut(&name) {
                    if entry.target != TargetState::Stopped {
                        herder.update_tasks(&name, entry).await;
                    }
                }
            }
            ConnectorRequest::Failed(name, trace) => {
                herder
                    .worker
                    .status
                    .put_connector(&name, herder.status(State::Failed, trace));
            }
        }
    }
}

fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
    Box::pin(futures::future::ready(value))
}

/// Parses one source partition/offset pair of a `PATCH` body.
fn source_offsets(offsets: &ConnectorOffsets) -> Vec<(SourceMap, Option<SourceMap>)> {
    offsets
        .offsets
        .iter()
        .map(|o| (o.partition.clone(), o.offset.clone()))
        .collect()
}

/// Parses sink partitions/offsets of a `PATCH` body with Kafka's messages
/// (`Worker.parseSinkConnectorOffsets`).
fn sink_offsets_of(offsets: &ConnectorOffsets) -> HerderResult<Vec<(TopicPartition, Option<i64>)>> {
    let bad = |m: &str| HerderError::BadRequest(m.to_owned());
    offsets
        .offsets
        .iter()
        .map(|o| {
            let topic = o
                .partition
                .get("kafka_topic")
                .and_then(|t| t.as_str())
                .ok_or_else(|| {
                    bad("Kafka topic names must be valid strings and may not be null")
                })?;
            let partition = o
                .partition
                .get("kafka_partition")
                .and_then(|p| {
                    p.as_i64()
                        .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
                })
                .and_then(|p| i32::try_from(p).ok())
                .ok_or_else(|| bad("Kafka partitions must be valid numbers and may not be null"))?;
            let offset = match &o.offset {
                None => None,
                Some(map) => Some(
                    map.get("kafka_offset")
                        .and_then(|v| {
                            v.as_i64()
                                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                        })
                        .filter(|v| *v >= 0)
                        .ok_or_else(|| {
                            bad("Kafka offsets must be valid numbers and may not be null")
                        })?,
                ),
            };
            Ok((TopicPartition::new(topic, partition), offset))
        })
        .collect()
}

impl Herder for StandaloneHerder {
    fn server_info(&self) -> BoxFuture<'_, HerderResult<ServerInfo>> {
        ready(Ok(ServerInfo {
            version: VERSION.to_owned(),
            commit: option_env!("SLUICE_COMMIT").unwrap_or("unknown").to_owned(),
            kafka_cluster_id: self.kafka_cluster_id.clone(),
        }))
    }

    fn health(&self) -> BoxFuture<'_, WorkerHealth> {
        Box::pin(async move {
            // A herder stuck in a long request is unhealthy (Kafka: stuck in its tick).
            match tokio::time::timeout(Duration::from_secs(10), self.connectors.lock()).await {
                Ok(_) => WorkerHealth::healthy(),
                Err(_) => WorkerHealth {
                    status: HealthStatus::Unhealthy,
                    message: "Worker was unable to handle this request and may be unable to \
                              handle other requests."
                        .to_owned(),
                },
            }
        })
    }

    fn connectors(&self) -> BoxFuture<'_, HerderResult<Vec<String>>> {
        Box::pin(async move { Ok(self.connectors.lock().await.keys().cloned().collect()) })
    }

    fn connector_info(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorInfo>> {
        Box::pin(async move {
            let connectors = self.connectors.lock().await;
            connectors
                .get(&name)
                .map(|e| e.info(&name))
                .ok_or_else(|| HerderError::connector_not_found(&name))
        })
    }

    fn connector_config(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorConfig>> {
        Box::pin(async move {
            let connectors = self.connectors.lock().await;
            connectors
                .get(&name)
                .map(|e| e.config.clone())
                .ok_or_else(|| HerderError::connector_not_found(&name))
        })
    }

    fn connector_status(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorStateInfo>> {
        Box::pin(async move {
            let connectors = self.connectors.lock().await;
            connectors
                .get(&name)
                .map(|e| self.state_info(&name, e))
                .ok_or_else(|| {
                    HerderError::NotFound(format!("No status found for connector {name}"))
                })
        })
    }

    fn task_configs(&self, name: String) -> BoxFuture<'_, HerderResult<Vec<TaskInfo>>> {
        Box::pin(async move {
            let connectors = self.connectors.lock().await;
            let entry = connectors
                .get(&name)
                .ok_or_else(|| HerderError::connector_not_found(&name))?;
            Ok(entry
                .task_configs
                .iter()
                .enumerate()
                .map(|(i, config)| TaskInfo {
                    id: ConnectorTaskId::new(&name, i as u32),
                    config: config.clone(),
                })
                .collect())
        })
    }

    fn task_status(&self, id: ConnectorTaskId) -> BoxFuture<'_, HerderResult<TaskState>> {
        Box::pin(async move {
            let connectors = self.connectors.lock().await;
            let exists = connectors
                .get(&id.connector)
                .is_some_and(|e| (id.task as usize) < e.task_configs.len());
            if !exists {
                return Err(HerderError::NotFound(format!(
                    "No status found for task {id}"
                )));
            }
            Ok(self.task_state(&id))
        })
    }

    fn put_connector_config(
        &self,
        name: String,
        config: ConnectorConfig,
        initial_state: Option<TargetState>,
        allow_replace: bool,
    ) -> BoxFuture<'_, HerderResult<Created<ConnectorInfo>>> {
        Box::pin(self.put_config(name, config, initial_state, allow_replace))
    }

    fn patch_connector_config(
        &self,
        name: String,
        patch: BTreeMap<String, Option<String>>,
    ) -> BoxFuture<'_, HerderResult<ConnectorInfo>> {
        Box::pin(async move {
            let mut config = {
                let connectors = self.connectors.lock().await;
                connectors
                    .get(&name)
                    .map(|e| e.config.clone())
                    .ok_or_else(|| HerderError::connector_not_found(&name))?
            };
            for (key, value) in patch {
                match value {
                    Some(v) => config.insert(key, v),
                    None => config.remove(&key),
                };
            }
            self.put_config(name, config, None, true)
                .await
                .map(|c| c.result)
        })
    }

    fn restart_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move {
            let mut connectors = self.connectors.lock().await;
            let entry = connectors
                .get_mut(&name)
                .ok_or_else(|| HerderError::connector_not_found(&name))?;
            self.stop_instance(&name, entry).await;
            self.start_connector(&name, entry).await;
            Ok(())
        })
    }

    fn restart_connector_and_tasks(
        &self,
        request: RestartRequest,
    ) -> BoxFuture<'_, HerderResult<ConnectorStateInfo>> {
        Box::pin(async move {
            let name = request.connector.clone();
            let mut connectors = self.connectors.lock().await;
            let entry = connectors
                .get_mut(&name)
                .ok_or_else(|| HerderError::connector_not_found(&name))?;
            let mut plan = self.state_info(&name, entry);
            let restart_connector =
                !request.only_failed || plan.connector.state == State::Failed.name();
            let restart_tasks: Vec<u32> = plan
                .tasks
                .iter()
                .filter(|t| {
                    request.include_tasks
                        && (!request.only_failed || t.state == State::Failed.name())
                })
                .map(|t| t.id)
                .collect();
            if restart_connector {
                plan.connector.state = State::Restarting.name().to_owned();
                plan.connector.trace.clear();
            }
            for task in plan
                .tasks
                .iter_mut()
                .filter(|t| restart_tasks.contains(&t.id))
            {
                task.state = State::Restarting.name().to_owned();
                task.trace.clear();
            }
            if restart_connector {
                self.worker
                    .status
                    .put_connector(&name, self.status(State::Restarting, String::new()));
                self.stop_instance(&name, entry).await;
            }
            for &index in &restart_tasks {
                self.worker.status.put_task(
                    &ConnectorTaskId::new(&name, index),
                    self.status(State::Restarting, String::new()),
                );
            }
            if restart_connector {
                self.start_connector(&name, entry).await;
            }
            for index in restart_tasks {
                self.restart_task_locked(&name, entry, index).await;
            }
            Ok(plan)
        })
    }

    fn restart_task(&self, id: ConnectorTaskId) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move {
            let mut connectors = self.connectors.lock().await;
            let entry = connectors
                .get_mut(&id.connector)
                .ok_or_else(|| HerderError::connector_not_found(&id.connector))?;
            if id.task as usize >= entry.task_configs.len() {
                return Err(HerderError::task_not_found(&id));
            }
            self.restart_task_locked(&id.connector, entry, id.task)
                .await;
            Ok(())
        })
    }

    fn pause_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move { self.set_target(&name, TargetState::Paused).await })
    }

    fn resume_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move { self.set_target(&name, TargetState::Running).await })
    }

    fn stop_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move { self.set_target(&name, TargetState::Stopped).await })
    }

    fn delete_connector(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move {
            let mut connectors = self.connectors.lock().await;
            let mut entry = connectors
                .remove(&name)
                .ok_or_else(|| HerderError::connector_not_found(&name))?;
            self.stop_tasks(&name, &mut entry).await;
            self.stop_instance(&name, &mut entry).await;
            self.worker.status.remove_connector(&name);
            self.worker.status.reset_topics(&name);
            tracing::info!(connector = %name, "connector deleted");
            Ok(())
        })
    }

    fn connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorOffsets>> {
        Box::pin(async move {
            let topics = {
                let connectors = self.connectors.lock().await;
                let entry = connectors
                    .get(&name)
                    .ok_or_else(|| HerderError::connector_not_found(&name))?;
                match entry.connector_type() {
                    ConnectorType::Sink => Self::sink_topics(entry),
                    _ => None,
                }
            };
            match topics {
                Some(topics) => self.sink_offsets(&name, topics).await,
                None => Ok(ConnectorOffsets {
                    offsets: self
                        .worker
                        .offsets
                        .partitions(&name)
                        .into_iter()
                        .map(|(partition, offset)| ConnectorOffset {
                            partition,
                            offset: Some(offset),
                        })
                        .collect(),
                }),
            }
        })
    }

    fn alter_connector_offsets(
        &self,
        name: String,
        offsets: ConnectorOffsets,
    ) -> BoxFuture<'_, HerderResult<Message>> {
        Box::pin(async move {
            let mut connectors = self.connectors.lock().await;
            let entry = self.stopped_entry(&mut connectors, &name).await?;
            let refused = |e: ConnectError| {
                HerderError::BadRequest(format!(
                    "Failed to alter offsets for connector {name}: {e}"
                ))
            };
            let handled = match Instance::new(&entry.plugin) {
                Instance::Source(connector) => {
                    let entries = source_offsets(&offsets);
                    if entries.iter().any(|(p, _)| p.is_empty()) {
                        return Err(HerderError::BadRequest(
                            "Source partitions may not be null or empty".to_owned(),
                        ));
                    }
                    let handled = connector
                        .alter_offsets(&entry.config, &entries)
                        .map_err(refused)?;
                    self.worker.offsets.put(&name, entries).await.map_err(|e| {
                        HerderError::Internal(format!(
                            "Failed to alter offsets for connector {name}: {e}"
                        ))
                    })?;
                    handled
                }
                Instance::Sink(connector) => {
                    let entries = sink_offsets_of(&offsets)?;
                    if entries.iter().any(|(_, o)| o.is_none()) {
                        return Err(HerderError::BadRequest(
                            "sluice cannot reset the offsets of single sink partitions yet; reset all of them with DELETE /connectors/{name}/offsets, or set explicit offsets".replace("{name}", &name),
                        ));
                    }
                    let handled = connector
                        .alter_offsets(&entry.config, &entries)
                        .map_err(refused)?;
                    let consumer = self.group_client(&name)?;
                    let mut list = TopicPartitionList::new();
                    for (tp, offset) in &entries {
                        if let Some(o) = offset {
                            list.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*o))
                                .map_err(|e| HerderError::BadRequest(e.to_string()))?;
                        }
                    }
                    tokio::task::spawn_blocking(move || consumer.commit(&list, CommitMode::Sync))
                        .await
                        .map_err(|e| HerderError::Internal(e.to_string()))?
                        .map_err(|e| {
                            HerderError::Internal(format!(
                                "Failed to alter consumer group offsets for connector {name}: {e}"
                            ))
                        })?;
                    handled
                }
            };
            Ok(Message::new(if handled {
                "The offsets for this connector have been altered successfully"
            } else {
                "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses."
            }))
        })
    }

    fn reset_connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<Message>> {
        Box::pin(async move {
            let mut connectors = self.connectors.lock().await;
            let entry = self.stopped_entry(&mut connectors, &name).await?;
            let refused = |e: ConnectError| {
                HerderError::BadRequest(format!(
                    "Failed to reset offsets for connector {name}: {e}"
                ))
            };
            let handled = match Instance::new(&entry.plugin) {
                Instance::Source(connector) => {
                    let entries: Vec<(SourceMap, Option<SourceMap>)> = self
                        .worker
                        .offsets
                        .partitions(&name)
                        .into_iter()
                        .map(|(p, _)| (p, None))
                        .collect();
                    let handled = connector
                        .alter_offsets(&entry.config, &entries)
                        .map_err(refused)?;
                    self.worker.offsets.put(&name, entries).await.map_err(|e| {
                        HerderError::Internal(format!(
                            "Failed to reset offsets for connector {name}: {e}"
                        ))
                    })?;
                    handled
                }
                Instance::Sink(connector) => {
                    let handled = connector
                        .alter_offsets(&entry.config, &[])
                        .map_err(refused)?;
                    let admin: rdkafka::admin::AdminClient<rdkafka::client::DefaultClientContext> =
                        clients::create(&clients::admin_configs(
                            &self.worker.config,
                            &BTreeMap::new(),
                        ))
                        .map_err(|e| HerderError::Internal(e.to_string()))?;
                    let group = sink_group(&name);
                    let results = admin
                        .delete_groups(&[group.as_str()], &rdkafka::admin::AdminOptions::new())
                        .await
                        .map_err(|e| {
                            HerderError::Internal(format!(
                                "Failed to reset offsets for connector {name}: {e}"
                            ))
                        })?;
                    for result in results {
                        match result {
                            Ok(_) => {}
                            Err((_, rdkafka::types::RDKafkaErrorCode::GroupIdNotFound)) => {}
                            Err((_, code)) => {
                                return Err(HerderError::Internal(format!(
                                    "Failed to delete consumer group {group} for connector {name}: {code}"
                                )))
                            }
                        }
                    }
                    handled
                }
            };
            Ok(Message::new(if handled {
                "The offsets for this connector have been reset successfully"
            } else {
                "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses."
            }))
        })
    }

    fn connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<ActiveTopics>> {
        Box::pin(async move {
            if !self.worker.config.topic_tracking_enable {
                return Err(HerderError::topic_tracking_disabled());
            }
            if !self.connectors.lock().await.contains_key(&name) {
                return Err(HerderError::connector_not_found(&name));
            }
            Ok(ActiveTopics {
                topics: self.worker.status.topics(&name),
            })
        })
    }

    fn reset_connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move {
            if !self.worker.config.topic_tracking_enable {
                return Err(HerderError::topic_tracking_disabled());
            }
            if !self.worker.config.topic_tracking_allow_reset {
                return Err(HerderError::topic_tracking_reset_disabled());
            }
            if !self.connectors.lock().await.contains_key(&name) {
                return Err(HerderError::connector_not_found(&name));
            }
            self.worker.status.reset_topics(&name);
            Ok(())
        })
    }

    fn connector_plugins(
        &self,
        connectors_only: bool,
    ) -> BoxFuture<'_, HerderResult<Vec<PluginInfo>>> {
        let mut plugins: Vec<PluginInfo> = self
            .plugins
            .plugins()
            .iter()
            .map(|p| PluginInfo {
                class: p.class.to_owned(),
                plugin_type: match p.constructor {
                    PluginConstructor::Source(_) => PluginType::Source,
                    PluginConstructor::Sink(_) => PluginType::Sink,
                },
                version: VERSION.to_owned(),
            })
            .collect();
        if !connectors_only {
            let other = CONVERTER_CLASSES
                .iter()
                .map(|c| (*c, PluginType::Converter))
                .chain(
                    HEADER_CONVERTER_CLASSES
                        .iter()
                        .map(|c| (*c, PluginType::HeaderConverter)),
                )
                .chain(
                    TRANSFORMATION_CLASSES
                        .iter()
                        .map(|c| (*c, PluginType::Transformation)),
                )
                .chain(
                    PREDICATE_CLASSES
                        .iter()
                        .map(|c| (*c, PluginType::Predicate)),
                );
            plugins.extend(other.map(|(class, plugin_type)| PluginInfo {
                class: class.to_owned(),
                plugin_type,
                version: VERSION.to_owned(),
            }));
        }
        ready(Ok(plugins))
    }

    fn plugin_config(&self, plugin: String) -> BoxFuture<'_, HerderResult<Vec<ConfigKeyInfo>>> {
        ready(
            plugin_config_def(&self.plugins, &plugin)
                .map(|d| d.key_infos())
                .ok_or_else(|| HerderError::NotFound(format!("Unknown plugin {plugin}."))),
        )
    }

    fn validate_connector_config(
        &self,
        config: ConnectorConfig,
    ) -> BoxFuture<'_, HerderResult<ConfigInfos>> {
        // Kafka names the result after `connector.class` as sent, not the resolved class.
        let result = self.resolve(&config).map(|plugin| {
            let mut infos = validate_plugin_config(&plugin, &config);
            if let Some(class) = config.get(CONNECTOR_CLASS_CONFIG) {
                infos.name = class.clone();
            }
            infos
        });
        ready(result)
    }

    fn logger_levels(&self) -> BoxFuture<'_, HerderResult<BTreeMap<String, LoggerLevel>>> {
        ready(Ok(self.loggers.all()))
    }

    fn logger_level(&self, logger: String) -> BoxFuture<'_, HerderResult<LoggerLevel>> {
        ready(
            self.loggers
                .get(&logger)
                .ok_or_else(|| HerderError::NotFound(format!("Logger {logger} not found."))),
        )
    }

    fn set_worker_logger_level(
        &self,
        namespace: String,
        level: String,
    ) -> BoxFuture<'_, HerderResult<Vec<String>>> {
        ready(Ok(self.loggers.set(&namespace, &level)))
    }

    fn set_cluster_logger_level(
        &self,
        namespace: String,
        level: String,
    ) -> BoxFuture<'_, HerderResult<()>> {
        // One worker: the cluster is this worker.
        self.loggers.set(&namespace, &level);
        ready(Ok(()))
    }
}
