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

use connect_api::connector::ConfigMap;
use connectors::Plugin;
use futures::future::BoxFuture;
use tokio::sync::{mpsc, Mutex};

use crate::config::plugins::ConnectorPlugins;
use crate::config::worker::StandaloneConfig;
use crate::herder::shared::{ready, HerderBase};
use crate::herder::{
    ActiveTopics, ConnectorConfig, ConnectorInfo, ConnectorOffsets, ConnectorState,
    ConnectorStateInfo, ConnectorTaskId, ConnectorType, Created, Herder, HerderError, HerderResult,
    Message, RestartRequest, TargetState, TaskInfo, TaskState, WorkerHealth,
};
use crate::loggers::Loggers;
use crate::storage::{FileOffsetStore, State, StatusStore};
use crate::worker::connector::{self, connector_type, Instance};
use crate::worker::{trace_of, ConnectorRequest, TaskHandle, WorkerContext};

pub use crate::herder::shared::VERSION;
pub use crate::worker::connector::sink_group;

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
        connector_type(&self.plugin)
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
    base: HerderBase,
    worker: WorkerContext,
    connectors: Mutex<BTreeMap<String, Entry>>,
    requests: mpsc::UnboundedSender<ConnectorRequest>,
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
        let kafka_cluster_id = crate::herder::shared::kafka_cluster_id(&worker_config)
            .await?
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
            base: HerderBase {
                worker: worker.clone(),
                plugins,
                kafka_cluster_id,
                loggers,
            },
            worker,
            connectors: Mutex::new(BTreeMap::new()),
            requests: tx,
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

    async fn put_config(
        &self,
        name: String,
        config: ConnectorConfig,
        initial_state: Option<TargetState>,
        allow_replace: bool,
    ) -> HerderResult<Created<ConnectorInfo>> {
        let plugin = self.base.validated(&config)?;
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
        entry.instance = connector::start_connector(
            &self.worker,
            &self.requests,
            name,
            &entry.config,
            &entry.plugin,
            entry.target,
        )
        .await;
        self.update_tasks(name, entry).await;
    }

    async fn stop_instance(&self, name: &str, entry: &mut Entry) {
        if let Some(instance) = entry.instance.take() {
            connector::stop_connector(name, instance).await;
        }
    }

    /// Asks the connector for task configs; restarts the tasks if they changed
    /// (Kafka's `updateConnectorTasks`).
    async fn update_tasks(&self, name: &str, entry: &mut Entry) {
        let Some(instance) = entry.instance.as_mut() else {
            return;
        };
        let configs = match connector::task_configs(name, &entry.config, &entry.plugin, instance) {
            Ok(configs) => configs,
            Err(e) => {
                tracing::error!(connector = name, error = %trace_of(&e), "connector failed to generate task configs");
                self.worker
                    .status
                    .put_connector(name, self.status(State::Failed, trace_of(&e)));
                return;
            }
        };
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
        let Some(task_config) = entry.task_configs.get(index as usize).cloned() else {
            return;
        };
        let id = ConnectorTaskId::new(name, index);
        if let Some(handle) = connector::start_task(
            &self.worker,
            &id,
            &entry.config,
            &entry.plugin,
            entry.target,
            task_config,
        )
        .await
        {
            entry.tasks.insert(index, handle);
        }
    }

    async fn stop_tasks(&self, name: &str, entry: &mut Entry) {
        let tasks = std::mem::take(&mut entry.tasks)
            .into_iter()
            .map(|(index, handle)| (ConnectorTaskId::new(name, index), handle))
            .collect();
        connector::stop_tasks(&self.worker, tasks).await;
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

impl Herder for StandaloneHerder {
    crate::herder::shared::delegate_to_base!();

    fn connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<ActiveTopics>> {
        Box::pin(async move {
            let exists = self.connectors.lock().await.contains_key(&name);
            self.base.active_topics(&name, exists)
        })
    }

    fn reset_connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move {
            let exists = self.connectors.lock().await.contains_key(&name);
            self.base.reset_active_topics(&name, exists)
        })
    }

    fn health(&self) -> BoxFuture<'_, WorkerHealth> {
        Box::pin(crate::herder::shared::health_of(self.connectors.lock()))
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
            let (config, plugin) = {
                let connectors = self.connectors.lock().await;
                let entry = connectors
                    .get(&name)
                    .ok_or_else(|| HerderError::connector_not_found(&name))?;
                (entry.config.clone(), entry.plugin)
            };
            self.base.connector_offsets(&name, &config, &plugin).await
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
            self.base
                .alter_offsets(&name, &entry.config, &entry.plugin, &offsets)
                .await
        })
    }

    fn reset_connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<Message>> {
        Box::pin(async move {
            let mut connectors = self.connectors.lock().await;
            let entry = self.stopped_entry(&mut connectors, &name).await?;
            self.base
                .reset_offsets(&name, &entry.config, &entry.plugin)
                .await
        })
    }

    fn set_cluster_logger_level(
        &self,
        namespace: String,
        level: String,
    ) -> BoxFuture<'_, HerderResult<()>> {
        // One worker: the cluster is this worker.
        self.base.loggers.set(&namespace, &level);
        ready(Ok(()))
    }
}
