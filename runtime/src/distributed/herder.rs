//! The distributed herder (Kafka's `DistributedHerder`).
//!
//! Every worker of a Connect cluster runs one. What the cluster runs is in the config
//! topic ([`ConfigStore`]); which worker runs what is decided by the group leader's
//! assignor at each rebalance of the `connect` group ([`GroupMember`]); statuses and
//! source offsets go through the status and offsets topics, so any worker can answer
//! any read.
//!
//! One tokio task, the *tick loop* ([`DistributedHerder::run`]), owns the worker's
//! running connectors and tasks. It reacts to:
//! * rebalances: join, (leader) assign, sync, then stop what was revoked and start what
//!   was assigned — with the `compatible`/`sessioned` protocols nothing else stops
//!   (KIP-415), and after a revocation the worker rejoins at once so the revoked work
//!   is handed out in the next round;
//! * config topic updates: a new or deleted connector or a changed task count asks for
//!   a rebalance; a changed connector config restarts that connector instance, changed
//!   task configs restart exactly the tasks whose configs changed; target states pause,
//!   resume or stop what runs here; restart requests restart what runs here;
//! * connector requests (`requestTaskReconfiguration`, `raiseError`);
//! * the scheduled rebalance when the leader delays reassigning a departed worker's work
//!   (`scheduled.rebalance.max.delay.ms`).
//!
//! REST requests are served by the herder directly: reads from the config snapshot and
//! the status store; writes only on the leader, which writes them to the config topic
//! (other workers answer [`HerderError::Forward`] and the REST layer forwards the
//! request, or 409 when no leader is known). Task configs a connector generates on a
//! follower are sent to the leader with `POST /connectors/{name}/tasks`, as Kafka does.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::connector::ConfigMap;
use connectors::Plugin;
use futures::future::BoxFuture;
use tokio::sync::{mpsc, watch, Mutex};

use super::assignor::{eager_assign, ConfiguredWork, IncrementalAssignor};
use super::protocol::{
    self, decode_assignment, decode_metadata, encode_assignment, Assignment, WorkSet,
    CONFIG_MISMATCH, PROTOCOL_TYPE,
};
use super::signing;
use crate::config::plugins::ConnectorPlugins;
use crate::config::worker::{ConnectProtocol, DistributedConfig, ExactlyOnceSourceSupport};
use crate::herder::shared::{kafka_cluster_id, HerderBase};
use crate::herder::{
    ActiveTopics, ConnectorConfig, ConnectorInfo, ConnectorOffsets, ConnectorState,
    ConnectorStateInfo, ConnectorTaskId, ConnectorType, Created, HealthStatus, Herder, HerderError,
    HerderResult, Message, RequestSignature, RestartRequest, TargetState, TaskInfo, TaskState,
    WorkerHealth,
};
use crate::loggers::Loggers;
use crate::storage::kafka::{
    ClusterConfigState, ConfigStore, ConfigUpdate, KafkaOffsetStore, KafkaStatusStore,
};
use crate::storage::{State, StatusStore, StorageError};
use crate::worker::connector::{self, connector_type, Instance};
use crate::worker::{clients, trace_of, ConnectorRequest, TaskHandle, WorkerContext};
use group_member::{GroupMember, MemberConfig, MemberError};

/// Why a distributed worker could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// An internal topic could not be created, verified or read.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// No broker answered.
    #[error(
        "cannot reach the Kafka cluster at bootstrap.servers={0} (no answer within 60 s); \
         start the broker or fix bootstrap.servers"
    )]
    Unreachable(String),
    /// A Kafka client could not be created from the worker configuration.
    #[error("invalid Kafka client settings in the worker configuration: {0}")]
    Client(#[from] rdkafka::error::KafkaError),
    /// `exactly.once.source.support` asks for what sluice cannot give.
    #[error(
        "exactly.once.source.support={0}: exactly-once source support (KIP-618) is not \
         implemented by sluice yet, and running sources at-least-once instead would break \
         what the setting promises; set exactly.once.source.support=disabled"
    )]
    ExactlyOnceUnsupported(String),
}

/// How long to wait before retrying a failed join or a failed task-config hand-over.
const RETRY_BACKOFF: Duration = Duration::from_millis(500);

/// A connector instance this worker runs.
struct LocalConnector {
    config: ConnectorConfig,
    plugin: Plugin,
    target: TargetState,
    instance: Option<Instance>,
}

/// A task this worker runs.
struct LocalTask {
    config: ConfigMap,
    handle: Option<TaskHandle>,
}

/// What this worker runs, owned by the tick loop (and borrowed by REST restarts).
#[derive(Default)]
struct Local {
    /// The work assigned to this worker (including work that failed to start).
    assigned: WorkSet,
    /// The last assignment received, sent back as the `allocation` of the next join.
    last: Option<Assignment>,
    connectors: BTreeMap<String, LocalConnector>,
    tasks: BTreeMap<ConnectorTaskId, LocalTask>,
    /// Connectors known from the config topic, to tell new ones from changed ones.
    known: BTreeSet<String>,
    /// The committed task count of every connector, to notice changes that need a
    /// rebalance (new tasks to assign, removed ones to revoke).
    task_counts: BTreeMap<String, u32>,
    /// Connectors whose task configs still have to reach the leader.
    pending_reconfigure: BTreeSet<String>,
}

/// The group as this worker last saw it (read by REST calls without waiting).
#[derive(Debug, Clone, Default)]
struct View {
    generation: i32,
    /// The negotiated protocol version: 0 eager, 1 compatible, 2 sessioned (signed
    /// internal requests).
    version: i16,
    leader_url: Option<String>,
    is_leader: bool,
    rebalancing: bool,
    /// Set once the first assignment has been applied.
    ready: bool,
}

/// The distributed herder.
pub struct DistributedHerder {
    base: HerderBase,
    worker: WorkerContext,
    config: DistributedConfig,
    /// This worker's REST URL as other workers reach it, e.g. `http://10.0.0.2:8083/`.
    url: String,
    configs: Arc<ConfigStore>,
    offsets: Arc<KafkaOffsetStore>,
    statuses: Arc<KafkaStatusStore>,
    member: GroupMember,
    assignor: parking_lot::Mutex<IncrementalAssignor>,
    /// The generation of the last completed SyncGroup (-1 before the first).
    last_generation: parking_lot::Mutex<i32>,
    /// Watched by REST writes, which wait for a rebalance in progress to end.
    view: watch::Sender<View>,
    local: Mutex<Local>,
    requests: mpsc::UnboundedSender<ConnectorRequest>,
    http: reqwest::Client,
    shutdown: watch::Sender<bool>,
    stopped: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl DistributedHerder {
    /// Starts a distributed worker: checks that the Kafka cluster answers, creates or
    /// verifies the internal topics and reads them, then starts the tick loop, which
    /// joins the group. `worker_id` is the advertised REST `host:port`, `url` the
    /// advertised REST base URL.
    pub async fn start(
        config: DistributedConfig,
        worker_id: String,
        url: String,
        loggers: Loggers,
    ) -> Result<Arc<Self>, StartError> {
        if config.exactly_once_source_support != ExactlyOnceSourceSupport::Disabled {
            return Err(StartError::ExactlyOnceUnsupported(
                config.exactly_once_source_support.name().to_owned(),
            ));
        }
        let kafka_cluster_id = kafka_cluster_id(&config.worker)
            .await?
            .ok_or_else(|| StartError::Unreachable(config.worker.bootstrap_servers.join(",")))?;
        tracing::info!(cluster_id = %kafka_cluster_id, worker_id = %worker_id, group = %config.group_id,
            "distributed worker connected to the Kafka cluster");
        let props = clients::base_configs(&config.worker);
        let offsets = KafkaOffsetStore::start(&props, &config.offset_storage).await?;
        let status = Arc::new(StatusStore::new());
        let statuses = KafkaStatusStore::start(
            &props,
            &config.status_storage,
            status.clone(),
            worker_id.clone(),
        )
        .await?;
        let configs = ConfigStore::start(&props, &config.config_storage).await?;
        let worker = WorkerContext {
            worker_id: worker_id.clone(),
            config: Arc::new(config.worker.clone()),
            offsets: offsets.clone(),
            status,
        };
        let member = GroupMember::new(MemberConfig {
            bootstrap_servers: config.worker.bootstrap_servers.clone(),
            group_id: config.group_id.clone(),
            client_id: format!("connect-{worker_id}"),
            protocol_type: PROTOCOL_TYPE.to_owned(),
            session_timeout: config.session_timeout,
            rebalance_timeout: config.rebalance_timeout,
            heartbeat_interval: config.heartbeat_interval,
            retry_backoff: RETRY_BACKOFF,
            request_timeout: Duration::from_secs(40)
                .max(config.rebalance_timeout + Duration::from_secs(5)),
        });
        if config.connect_protocol == ConnectProtocol::Sessioned
            && (config.inter_worker_signature_algorithm != signing::HMAC_SHA256
                || config.inter_worker_key_generation_algorithm != signing::HMAC_SHA256)
        {
            tracing::warn!(
                signature = %config.inter_worker_signature_algorithm,
                key = %config.inter_worker_key_generation_algorithm,
                "sluice signs internal requests with HmacSHA256 only; other algorithms are ignored"
            );
        }
        let (requests, requests_rx) = mpsc::unbounded_channel();
        let (shutdown, shutdown_rx) = watch::channel(false);
        let updates = configs.subscribe();
        let herder = Arc::new(Self {
            base: HerderBase {
                worker: worker.clone(),
                plugins: ConnectorPlugins::builtin(),
                kafka_cluster_id,
                loggers,
            },
            worker,
            assignor: parking_lot::Mutex::new(IncrementalAssignor::new(
                config.scheduled_rebalance_max_delay,
            )),
            last_generation: parking_lot::Mutex::new(-1),
            config,
            url,
            configs,
            offsets,
            statuses,
            member,
            view: watch::Sender::new(View::default()),
            local: Mutex::new(Local::default()),
            requests,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
            shutdown,
            stopped: Mutex::new(None),
        });
        let run = tokio::spawn(herder.clone().run(updates, requests_rx, shutdown_rx));
        *herder.stopped.lock().await = Some(run);
        Ok(herder)
    }

    /// Stops every connector and task (committing offsets), leaves the group and flushes
    /// the statuses (Kafka's `DistributedHerder.stop`).
    pub async fn stop(&self) {
        self.shutdown.send_replace(true);
        if let Some(run) = self.stopped.lock().await.take() {
            let _ = run.await;
        }
        self.statuses.flush().await;
        self.offsets.close().await;
        self.statuses.close().await;
        self.configs.close().await;
        tracing::info!("distributed herder stopped");
    }

    /// The tick loop.
    async fn run(
        self: Arc<Self>,
        mut updates: mpsc::UnboundedReceiver<ConfigUpdate>,
        mut requests: mpsc::UnboundedReceiver<ConnectorRequest>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut need_join = true;
        let mut scheduled: Option<tokio::time::Instant> = None;
        // The leader of a sessioned group rotates the session key when it expires.
        let mut key_check = tokio::time::interval(Duration::from_secs(30));
        key_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        {
            let mut local = self.local.lock().await;
            let snapshot = self.configs.snapshot();
            local.known = snapshot.connectors.keys().cloned().collect();
            local.task_counts = snapshot
                .connectors
                .keys()
                .map(|name| (name.clone(), snapshot.task_count(name)))
                .collect();
        }
        loop {
            if *shutdown.borrow() {
                break;
            }
            if need_join {
                match self.rebalance().await {
                    Ok(outcome) => {
                        need_join = outcome.rejoin;
                        if need_join {
                            // A rejoin this worker decides on must rebalance the group even
                            // though its metadata may be unchanged.
                            self.member.request_rejoin();
                        }
                        scheduled = outcome.delay.map(|d| tokio::time::Instant::now() + d);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, group = %self.config.group_id, "rebalance failed, retrying");
                        self.view.send_modify(|v| v.rebalancing = true);
                        tokio::select! {
                            _ = tokio::time::sleep(RETRY_BACKOFF) => {}
                            _ = shutdown.changed() => {}
                        }
                    }
                }
                continue;
            }
            let retry = {
                let local = self.local.lock().await;
                !local.pending_reconfigure.is_empty()
            };
            tokio::select! {
                _ = self.member.rebalance_needed() => need_join = true,
                Some(update) = updates.recv() => self.on_config_update(update).await,
                Some(request) = requests.recv() => self.on_connector_request(request).await,
                _ = async {
                    match scheduled {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                } => {
                    tracing::info!("scheduled rebalance: handing out the work of departed workers");
                    scheduled = None;
                    self.member.request_rejoin();
                    need_join = true;
                }
                _ = tokio::time::sleep(RETRY_BACKOFF), if retry => self.retry_reconfigure().await,
                _ = key_check.tick() => {
                    let view = self.view.borrow().clone();
                    if view.is_leader && view.version >= protocol::CONNECT_PROTOCOL_V2 {
                        if let Err(e) = self.ensure_session_key().await {
                            tracing::warn!(error = %e, "cannot write a new session key; retrying");
                        }
                    }
                }
                _ = shutdown.changed() => {}
            }
        }
        let mut local = self.local.lock().await;
        let all = local.assigned.clone();
        self.stop_work(&mut local, &all).await;
        self.member.leave().await;
        tracing::info!(group = %self.config.group_id, "left the Connect group");
    }

    /// One rebalance: join, assign (leader), sync, apply (Kafka's
    /// `WorkerCoordinator` + `DistributedHerder.handleRebalanceCompleted`).
    async fn rebalance(&self) -> Result<RebalanceOutcome, RebalanceError> {
        self.view.send_modify(|v| v.rebalancing = true);
        let offset = self.configs.read_to_end().await?;
        let eager = protocol::sub_protocols(self.config.connect_protocol)
            .iter()
            .all(|(_, version)| *version == protocol::CONNECT_PROTOCOL_V0);
        let mut local = self.local.lock().await;
        if eager {
            // Eager: everything stops before every rebalance.
            let all = local.assigned.clone();
            self.stop_work(&mut local, &all).await;
        }
        let allocation = local.last.as_ref().map(|last| Assignment {
            assigned: local.assigned.clone(),
            revoked: WorkSet::default(),
            delay: 0,
            ..last.clone()
        });
        let protocols: Vec<(String, Vec<u8>)> = protocol::join_protocols(
            self.config.connect_protocol,
            &self.url,
            offset,
            allocation.as_ref(),
        )
        .into_iter()
        .map(|(name, metadata)| (name.to_owned(), metadata))
        .collect();
        drop(local);
        let joined = self.member.join(&protocols).await?;
        let version = protocol::version_of(&joined.protocol).unwrap_or(0);
        let assignments = if joined.is_leader() {
            self.assign(
                &joined.leader_id,
                joined.generation,
                version,
                &joined.members,
            )
            .await?
        } else {
            BTreeMap::new()
        };
        let bytes = self.member.sync(&joined, assignments).await?;
        let assignment =
            decode_assignment(&bytes).map_err(|e| RebalanceError::Protocol(e.to_string()))?;
        *self.last_generation.lock() = joined.generation;
        self.statuses.set_generation(joined.generation);
        let leader_url = (!assignment.leader_url.is_empty()).then(|| assignment.leader_url.clone());
        self.view.send_modify(|view| {
            view.generation = joined.generation;
            view.version = version;
            view.is_leader = joined.is_leader();
            view.leader_url = leader_url.clone();
        });
        tracing::info!(
            group = %self.config.group_id,
            generation = joined.generation,
            leader = %assignment.leader,
            leader_url = leader_url.as_deref().unwrap_or(""),
            protocol = %joined.protocol,
            error = assignment.error,
            assigned_connectors = assignment.assigned.connectors.len(),
            assigned_tasks = assignment.assigned.tasks.len(),
            revoked_connectors = assignment.revoked.connectors.len(),
            revoked_tasks = assignment.revoked.tasks.len(),
            delay_ms = assignment.delay,
            "joined the Connect group"
        );
        let mut local = self.local.lock().await;
        let running = protocol::running_after(&local.assigned, &assignment);
        // Revoked work stops first, whatever else happens.
        let revoked = local.assigned.difference(&running);
        self.stop_work(&mut local, &revoked).await;
        if assignment.error == CONFIG_MISMATCH {
            drop(local);
            tracing::warn!(leader = %assignment.leader, config_offset = assignment.config_offset,
                "the leader's config differs from this worker's; reading the config topic and rejoining");
            self.configs.read_to_end().await?;
            return Ok(RebalanceOutcome {
                rejoin: true,
                delay: None,
            });
        }
        if self.configs.snapshot().offset < assignment.config_offset {
            self.configs.read_to_end().await?;
        }
        if self.configs.snapshot().offset != assignment.config_offset {
            // Kafka: a worker whose config differs from the leader's starts nothing and
            // rejoins (the leader reads to the end before assigning).
            drop(local);
            tracing::info!(
                config_offset = self.configs.snapshot().offset,
                leader_config_offset = assignment.config_offset,
                "config offset differs from the leader's; rejoining before starting work"
            );
            return Ok(RebalanceOutcome {
                rejoin: true,
                delay: None,
            });
        }
        let added = running.difference(&local.assigned);
        // Work kept across the rebalance: if another worker wrote over its statuses while
        // this one was out of the group, say again that it runs here.
        self.worker.status.reassert(
            &self.worker.worker_id,
            &local.assigned.connectors,
            &local.assigned.tasks,
        );
        local.assigned = running;
        local.last = Some(assignment.clone());
        self.start_work(&mut local, &added).await;
        drop(local);
        self.view.send_modify(|view| {
            view.rebalancing = false;
            view.ready = true;
        });
        if joined.is_leader() && version >= protocol::CONNECT_PROTOCOL_V2 {
            self.ensure_session_key().await?;
        }
        Ok(RebalanceOutcome {
            rejoin: version > 0 && !assignment.revoked.is_empty(),
            delay: (assignment.delay > 0).then(|| Duration::from_millis(assignment.delay as u64)),
        })
    }

    /// On the leader of a `sessioned` group: writes a new session key when there is none
    /// or it expired (`inter.worker.key.ttl.ms`), as Kafka's leader does.
    async fn ensure_session_key(&self) -> Result<(), StorageError> {
        let now = now_ms();
        let ttl = self.config.inter_worker_key_ttl.as_millis() as i64;
        let current = self.configs.snapshot().session_key;
        if current.is_some_and(|key| key.creation_timestamp + ttl > now) {
            return Ok(());
        }
        self.configs
            .put_session_key(&signing::generate_key(now))
            .await?;
        tracing::info!(group = %self.config.group_id, "wrote a new session key for signed internal requests");
        Ok(())
    }

    /// The leader's part of a rebalance: the assignment of every member.
    async fn assign(
        &self,
        leader_id: &str,
        generation: i32,
        version: i16,
        members: &[(String, Vec<u8>)],
    ) -> Result<BTreeMap<String, Vec<u8>>, RebalanceError> {
        let offset = self.configs.read_to_end().await?;
        let snapshot = self.configs.snapshot();
        let mut decoded = BTreeMap::new();
        for (id, bytes) in members {
            match decode_metadata(bytes) {
                Ok(metadata) => {
                    decoded.insert(id.clone(), metadata);
                }
                Err(e) => {
                    tracing::warn!(member = %id, error = %e, "ignoring a member whose metadata cannot be read");
                }
            }
        }
        let work = ConfiguredWork {
            offset,
            connectors: snapshot
                .connectors
                .keys()
                .map(|name| (name.clone(), snapshot.task_count(name)))
                .collect(),
        };
        let assignments = if version == 0 {
            eager_assign(leader_id, &decoded, &work)
        } else {
            let last_completed = *self.last_generation.lock();
            self.assignor.lock().assign_with_last_completed(
                Instant::now(),
                leader_id,
                version,
                last_completed,
                generation,
                &decoded,
                &work,
            )
        };
        self.mark_departed_work_unassigned(&snapshot, &decoded, &assignments);
        Ok(assignments
            .into_iter()
            .map(|(id, a)| (id, encode_assignment(&a)))
            .collect())
    }

    /// Beyond Kafka: work that no live member holds after this assignment (a departed
    /// worker's, held back for `scheduled.rebalance.max.delay.ms`) is shown as
    /// `UNASSIGNED` — Kafka keeps showing the departed worker's last `RUNNING`. The
    /// departed worker's id stays in the status, so users see where it ran.
    fn mark_departed_work_unassigned(
        &self,
        snapshot: &ClusterConfigState,
        members: &BTreeMap<String, protocol::WorkerMetadata>,
        assignments: &BTreeMap<String, Assignment>,
    ) {
        let live: BTreeSet<String> = members.values().map(|m| worker_id_of(&m.url)).collect();
        let mut held = WorkSet::default();
        for (member, assignment) in assignments {
            let current = members
                .get(member)
                .and_then(|m| m.allocation.as_ref())
                .map(|a| a.assigned.clone())
                .unwrap_or_default();
            held.extend(&protocol::running_after(&current, assignment));
        }
        let departed = |status: &crate::storage::Status| {
            !live.contains(&status.worker_id)
                && matches!(
                    status.state,
                    State::Running | State::Paused | State::Restarting
                )
        };
        let unassigned = |status: crate::storage::Status| crate::storage::Status {
            state: State::Unassigned,
            trace: String::new(),
            ..status
        };
        for name in snapshot.connectors.keys() {
            if !held.connectors.contains(name) {
                if let Some(status) = self.worker.status.connector(name).filter(departed) {
                    self.worker.status.put_connector(name, unassigned(status));
                }
            }
            for task in 0..snapshot.task_count(name) {
                let id = ConnectorTaskId::new(name, task);
                if !held.tasks.contains(&id) {
                    if let Some(status) = self.worker.status.task(&id).filter(departed) {
                        self.worker.status.put_task(&id, unassigned(status));
                    }
                }
            }
        }
    }

    /// Stops the connectors and tasks of `work` that run here and forgets them.
    async fn stop_work(&self, local: &mut Local, work: &WorkSet) {
        let tasks: BTreeMap<ConnectorTaskId, TaskHandle> = work
            .tasks
            .iter()
            .filter_map(|id| {
                local
                    .tasks
                    .remove(id)
                    .and_then(|t| t.handle.map(|h| (id.clone(), h)))
            })
            .collect();
        if !tasks.is_empty() {
            tracing::info!(tasks = tasks.len(), "stopping tasks");
        }
        connector::stop_tasks(&self.worker, tasks).await;
        for name in &work.connectors {
            if let Some(c) = local.connectors.remove(name) {
                if let Some(instance) = c.instance {
                    connector::stop_connector(name, instance).await;
                }
            }
            local.pending_reconfigure.remove(name);
        }
        for id in &work.tasks {
            local.assigned.tasks.remove(id);
        }
        for name in &work.connectors {
            local.assigned.connectors.remove(name);
        }
    }

    /// Starts the connectors and tasks of `work` (already recorded as assigned).
    async fn start_work(&self, local: &mut Local, work: &WorkSet) {
        let snapshot = self.configs.snapshot();
        for name in &work.connectors {
            self.start_connector(local, &snapshot, name).await;
        }
        if work
            .tasks
            .iter()
            .any(|id| self.is_source(&snapshot, &id.connector))
        {
            if let Err(e) = self.offsets.read_to_end().await {
                tracing::warn!(error = %e, "cannot read the offsets topic before starting source tasks");
            }
        }
        for id in &work.tasks {
            self.start_task(local, &snapshot, id).await;
        }
    }

    fn is_source(&self, snapshot: &ClusterConfigState, name: &str) -> bool {
        snapshot
            .connectors
            .get(name)
            .and_then(|c| self.base.resolve(c).ok())
            .is_some_and(|p| connector_type(&p) == ConnectorType::Source)
    }

    /// Starts a connector instance assigned to this worker, then hands its task configs
    /// to the leader if they changed.
    async fn start_connector(&self, local: &mut Local, snapshot: &ClusterConfigState, name: &str) {
        let Some(config) = snapshot.connectors.get(name).cloned() else {
            tracing::warn!(
                connector = name,
                "assigned a connector that is not in the config topic"
            );
            return;
        };
        let plugin = match self.base.resolve(&config) {
            Ok(plugin) => plugin,
            Err(e) => {
                self.worker
                    .status
                    .put_connector(name, self.worker.status_of(State::Failed, e.to_string()));
                return;
            }
        };
        let target = snapshot.target_state(name);
        let instance = if target == TargetState::Stopped {
            self.worker
                .status
                .put_connector(name, self.worker.status_of(State::Stopped, String::new()));
            None
        } else {
            connector::start_connector(&self.worker, &self.requests, name, &config, &plugin, target)
                .await
        };
        let started = instance.is_some();
        local.connectors.insert(
            name.to_owned(),
            LocalConnector {
                config,
                plugin,
                target,
                instance,
            },
        );
        if started {
            self.reconfigure(local, name).await;
        }
    }

    /// Starts a task assigned to this worker with its committed config.
    async fn start_task(
        &self,
        local: &mut Local,
        snapshot: &ClusterConfigState,
        id: &ConnectorTaskId,
    ) {
        let Some(config) = snapshot.connectors.get(&id.connector) else {
            return;
        };
        let Some(task_config) = snapshot
            .task_configs
            .get(&id.connector)
            .and_then(|t| t.get(id.task as usize))
            .cloned()
        else {
            tracing::warn!(connector = %id.connector, task = id.task, "assigned a task without a committed config");
            return;
        };
        let handle = match self.base.resolve(config) {
            Ok(plugin) => {
                connector::start_task(
                    &self.worker,
                    id,
                    config,
                    &plugin,
                    snapshot.target_state(&id.connector),
                    task_config.clone(),
                )
                .await
            }
            Err(e) => {
                self.worker
                    .status
                    .put_task(id, self.worker.status_of(State::Failed, e.to_string()));
                None
            }
        };
        local.tasks.insert(
            id.clone(),
            LocalTask {
                config: task_config,
                handle,
            },
        );
    }

    /// Regenerates a running connector's task configs; if they differ from the committed
    /// ones, writes them (leader) or sends them to the leader (Kafka's
    /// `reconfigureConnectorTasksWithRetry`).
    async fn reconfigure(&self, local: &mut Local, name: &str) {
        let Some(c) = local.connectors.get_mut(name) else {
            return;
        };
        let Some(instance) = c.instance.as_mut() else {
            return;
        };
        let configs = match connector::task_configs(name, &c.config, &c.plugin, instance) {
            Ok(configs) => configs,
            Err(e) => {
                tracing::error!(connector = name, error = %trace_of(&e), "connector failed to generate task configs");
                self.worker
                    .status
                    .put_connector(name, self.worker.status_of(State::Failed, trace_of(&e)));
                return;
            }
        };
        let committed = self.configs.snapshot().task_configs.get(name).cloned();
        if committed.as_ref() == Some(&configs) {
            local.pending_reconfigure.remove(name);
            return;
        }
        match self.write_task_configs(name, &configs).await {
            Ok(()) => {
                local.pending_reconfigure.remove(name);
            }
            Err(e) => {
                tracing::warn!(connector = name, error = %e, "cannot hand task configs to the leader yet; retrying");
                local.pending_reconfigure.insert(name.to_owned());
            }
        }
    }

    async fn retry_reconfigure(&self) {
        let mut local = self.local.lock().await;
        let pending: Vec<String> = local.pending_reconfigure.iter().cloned().collect();
        for name in pending {
            self.reconfigure(&mut local, &name).await;
        }
    }

    /// Writes task configs to the config topic (leader), or sends them to the leader with
    /// a (signed) `POST /connectors/{name}/tasks`. The request runs outside the tick loop
    /// (Kafka's forwarding executor): the leader may be waiting in a rebalance for this
    /// very worker to rejoin, so waiting for its answer here would stall the group. A
    /// failed request asks for the reconfiguration again after a back-off.
    async fn write_task_configs(&self, name: &str, configs: &[ConfigMap]) -> Result<(), String> {
        let view = self.view.borrow().clone();
        if view.is_leader {
            return self
                .configs
                .put_task_configs(name, configs)
                .await
                .map_err(|e| e.to_string());
        }
        let Some(leader) = view.leader_url else {
            return Err("no known leader".to_owned());
        };
        let url = format!(
            "{}/connectors/{}/tasks?forward=false",
            leader.trim_end_matches('/'),
            encode_segment(name)
        );
        let body = serde_json::to_vec(configs).map_err(|e| e.to_string())?;
        let mut request = self
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        if view.version >= protocol::CONNECT_PROTOCOL_V2 {
            let key = self.configs.snapshot().session_key.ok_or_else(|| {
                "no session key has been read from the config topic yet".to_owned()
            })?;
            let signature = signing::sign(&key, &body).ok_or_else(|| {
                "the session key in the config topic is not valid base64".to_owned()
            })?;
            request = request
                .header(signing::SIGNATURE_HEADER, signature)
                .header(signing::SIGNATURE_ALGORITHM_HEADER, signing::HMAC_SHA256);
        }
        let requests = self.requests.clone();
        let connector = name.to_owned();
        tokio::spawn(async move {
            let outcome = match request.body(body).send().await {
                Ok(response) if response.status().is_success() => return,
                Ok(response) => format!(
                    "{} {}",
                    response.status(),
                    response.text().await.unwrap_or_default()
                ),
                Err(e) => e.to_string(),
            };
            tracing::warn!(connector = %connector, url = %url, error = %outcome,
                "the leader did not take the task configs; retrying");
            tokio::time::sleep(RETRY_BACKOFF).await;
            let _ = requests.send(ConnectorRequest::Reconfigure(connector));
        });
        Ok(())
    }

    /// Applies one config topic change to what runs here.
    async fn on_config_update(&self, update: ConfigUpdate) {
        let snapshot = self.configs.snapshot();
        let mut local = self.local.lock().await;
        match update {
            ConfigUpdate::Connector(name) => {
                let exists = snapshot.connectors.contains_key(&name);
                let known = local.known.contains(&name);
                if !exists {
                    local.known.remove(&name);
                    let work = WorkSet {
                        connectors: BTreeSet::from([name.clone()]),
                        tasks: local
                            .tasks
                            .keys()
                            .filter(|id| id.connector == name)
                            .cloned()
                            .collect(),
                    };
                    self.stop_work(&mut local, &work).await;
                    local.task_counts.remove(&name);
                    self.worker.status.remove_connector(&name);
                    self.member.request_rejoin();
                } else if !known {
                    local.known.insert(name.clone());
                    self.member.request_rejoin();
                } else if local
                    .connectors
                    .get(&name)
                    .is_some_and(|c| Some(&c.config) != snapshot.connectors.get(&name))
                {
                    tracing::info!(connector = %name, "connector config changed, restarting the connector");
                    if let Some(c) = local.connectors.remove(&name) {
                        if let Some(instance) = c.instance {
                            connector::stop_connector(&name, instance).await;
                        }
                    }
                    self.start_connector(&mut local, &snapshot, &name).await;
                }
            }
            ConfigUpdate::TaskConfigs(name) => {
                let committed = snapshot
                    .task_configs
                    .get(&name)
                    .cloned()
                    .unwrap_or_default();
                let ours: Vec<ConnectorTaskId> = local
                    .tasks
                    .keys()
                    .filter(|id| id.connector == name)
                    .cloned()
                    .collect();
                for id in ours {
                    match committed.get(id.task as usize) {
                        None => {
                            let work = WorkSet {
                                connectors: BTreeSet::new(),
                                tasks: BTreeSet::from([id.clone()]),
                            };
                            self.stop_work(&mut local, &work).await;
                            self.worker.status.remove_task(&id);
                        }
                        Some(config) if local.tasks.get(&id).map(|t| &t.config) != Some(config) => {
                            tracing::info!(connector = %id.connector, task = id.task, "task config changed, restarting the task");
                            if let Some(handle) = local.tasks.remove(&id).and_then(|t| t.handle) {
                                connector::stop_tasks(
                                    &self.worker,
                                    BTreeMap::from([(id.clone(), handle)]),
                                )
                                .await;
                            }
                            self.start_task(&mut local, &snapshot, &id).await;
                        }
                        Some(_) => {}
                    }
                }
                // New tasks (or fewer) must be (re)assigned by the leader.
                let count = committed.len() as u32;
                if local.task_counts.insert(name.clone(), count) != Some(count) {
                    self.member.request_rejoin();
                }
            }
            ConfigUpdate::TargetState(name) => {
                let target = snapshot.target_state(&name);
                self.apply_target_state(&mut local, &snapshot, &name, target)
                    .await;
            }
            ConfigUpdate::Restart(request) => {
                self.apply_restart(&mut local, &snapshot, &request).await
            }
            // The store keeps the key; requests are signed and checked with the latest.
            ConfigUpdate::SessionKey => {}
            ConfigUpdate::LoggerLevel { namespace, level } => {
                let changed = self.base.loggers.set(&namespace, &level);
                tracing::info!(namespace = %namespace, level = %level, loggers = changed.len(),
                    "applied a cluster-wide logger level");
            }
        }
    }

    async fn apply_target_state(
        &self,
        local: &mut Local,
        snapshot: &ClusterConfigState,
        name: &str,
        target: TargetState,
    ) {
        if target != TargetState::Stopped {
            let handles = local
                .tasks
                .iter()
                .filter(|(id, _)| id.connector == name)
                .filter_map(|(_, task)| task.handle.as_ref());
            for handle in handles {
                handle.set_target_state(target);
            }
        }
        let Some(c) = local.connectors.get_mut(name) else {
            return;
        };
        let previous = c.target;
        c.target = target;
        match (previous, target) {
            (a, b) if a == b => {}
            (_, TargetState::Stopped) => {
                if let Some(instance) = c.instance.take() {
                    connector::stop_connector(name, instance).await;
                }
                let tasks: Vec<ConnectorTaskId> = local
                    .tasks
                    .keys()
                    .filter(|id| id.connector == name)
                    .cloned()
                    .collect();
                let work = WorkSet {
                    connectors: BTreeSet::new(),
                    tasks: tasks.into_iter().collect(),
                };
                self.stop_work(local, &work).await;
                self.worker
                    .status
                    .put_connector(name, self.worker.status_of(State::Stopped, String::new()));
            }
            (TargetState::Stopped, _) => {
                local.connectors.remove(name);
                self.start_connector(local, snapshot, name).await;
            }
            (_, state) => {
                let current = self.worker.status.connector(name).map(|s| s.state);
                if current != Some(State::Failed) {
                    let shown = if state == TargetState::Paused {
                        State::Paused
                    } else {
                        State::Running
                    };
                    self.worker
                        .status
                        .put_connector(name, self.worker.status_of(shown, String::new()));
                }
            }
        }
    }

    /// Restarts what runs here of a restart request (Kafka's `processRestartRequests`).
    async fn apply_restart(
        &self,
        local: &mut Local,
        snapshot: &ClusterConfigState,
        request: &RestartRequest,
    ) {
        let name = &request.connector;
        let failed = |state: Option<State>| state == Some(State::Failed);
        if local.connectors.contains_key(name)
            && (!request.only_failed || failed(self.worker.status.connector(name).map(|s| s.state)))
        {
            self.restart_local_connector(local, snapshot, name).await;
        }
        if request.include_tasks {
            let tasks: Vec<ConnectorTaskId> = local
                .tasks
                .keys()
                .filter(|id| &id.connector == name)
                .filter(|id| {
                    !request.only_failed || failed(self.worker.status.task(id).map(|s| s.state))
                })
                .cloned()
                .collect();
            for id in tasks {
                self.restart_local_task(local, snapshot, &id).await;
            }
        }
    }

    async fn restart_local_connector(
        &self,
        local: &mut Local,
        snapshot: &ClusterConfigState,
        name: &str,
    ) {
        self.worker.status.put_connector(
            name,
            self.worker.status_of(State::Restarting, String::new()),
        );
        if let Some(c) = local.connectors.remove(name) {
            if let Some(instance) = c.instance {
                connector::stop_connector(name, instance).await;
            }
        }
        self.start_connector(local, snapshot, name).await;
    }

    async fn restart_local_task(
        &self,
        local: &mut Local,
        snapshot: &ClusterConfigState,
        id: &ConnectorTaskId,
    ) {
        self.worker
            .status
            .put_task(id, self.worker.status_of(State::Restarting, String::new()));
        if let Some(handle) = local.tasks.remove(id).and_then(|t| t.handle) {
            connector::stop_tasks(&self.worker, BTreeMap::from([(id.clone(), handle)])).await;
        }
        self.start_task(local, snapshot, id).await;
    }

    async fn on_connector_request(&self, request: ConnectorRequest) {
        match request {
            ConnectorRequest::Reconfigure(name) => {
                let mut local = self.local.lock().await;
                self.reconfigure(&mut local, &name).await;
            }
            ConnectorRequest::Failed(name, trace) => {
                self.worker
                    .status
                    .put_connector(&name, self.worker.status_of(State::Failed, trace));
            }
        }
    }

    /// `Ok` on the leader; otherwise where to forward the request (Kafka's
    /// `NotLeaderException`), or 409 when no leader is known. A request that arrives
    /// during a rebalance waits for it to end (up to `rebalance.timeout.ms`), as Kafka's
    /// herder queues requests behind the rebalance in its tick thread.
    async fn require_leader(&self) -> HerderResult<()> {
        let mut views = self.view.subscribe();
        let settled = tokio::time::timeout(
            self.config.rebalance_timeout,
            views.wait_for(|v| v.ready && !v.rebalancing),
        )
        .await;
        let view = self.view.borrow().clone();
        if settled.is_err() || view.rebalancing {
            return Err(HerderError::rebalance_in_progress());
        }
        if view.is_leader {
            return Ok(());
        }
        match view.leader_url {
            Some(url) => Err(HerderError::Forward { url }),
            None => Err(HerderError::no_known_leader()),
        }
    }

    /// The config snapshot after reading the config topic to its end.
    async fn fresh_snapshot(&self) -> HerderResult<ClusterConfigState> {
        self.configs
            .read_to_end()
            .await
            .map_err(|e| HerderError::Internal(e.to_string()))?;
        Ok(self.configs.snapshot())
    }

    fn storage_error(e: StorageError) -> HerderError {
        HerderError::Internal(e.to_string())
    }

    fn info(&self, snapshot: &ClusterConfigState, name: &str) -> HerderResult<ConnectorInfo> {
        let config = snapshot
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        let connector_type = self
            .base
            .resolve(config)
            .map(|p| connector_type(&p))
            .unwrap_or(ConnectorType::Unknown);
        Ok(ConnectorInfo {
            name: name.to_owned(),
            config: config.clone(),
            tasks: (0..snapshot.task_count(name))
                .map(|i| ConnectorTaskId::new(name, i))
                .collect(),
            connector_type,
        })
    }

    async fn put_config(
        &self,
        name: String,
        config: ConnectorConfig,
        initial_state: Option<TargetState>,
        allow_replace: bool,
    ) -> HerderResult<Created<ConnectorInfo>> {
        self.base.validated(&config)?;
        self.require_leader().await?;
        let snapshot = self.fresh_snapshot().await?;
        let exists = snapshot.connectors.contains_key(&name);
        if exists && !allow_replace {
            return Err(HerderError::connector_already_exists(&name));
        }
        let target = if exists { None } else { initial_state };
        self.configs
            .put_connector_config(&name, &config, target)
            .await
            .map_err(Self::storage_error)?;
        let snapshot = self.configs.snapshot();
        tracing::info!(connector = %name, created = !exists, "connector configured");
        Ok(Created {
            created: !exists,
            result: self.info(&snapshot, &name)?,
        })
    }

    async fn set_target(&self, name: &str, target: TargetState) -> HerderResult<()> {
        self.require_leader().await?;
        let snapshot = self.fresh_snapshot().await?;
        if !snapshot.connectors.contains_key(name) {
            return Err(HerderError::NotFound(match target {
                TargetState::Stopped => format!("No connector `{name}` configured"),
                _ => format!("Unknown connector {name}"),
            }));
        }
        if target == TargetState::Stopped {
            // Kafka's stopConnector: no tasks, then the target state.
            self.configs
                .put_task_configs(name, &[])
                .await
                .map_err(Self::storage_error)?;
        }
        self.configs
            .put_target_state(name, target)
            .await
            .map_err(Self::storage_error)
    }

    /// The REST base URL of the worker a status names, if it is another worker.
    fn owner_url(&self, worker_id: &str) -> Option<String> {
        (worker_id != self.worker.worker_id && !worker_id.is_empty())
            .then(|| format!("http://{worker_id}/"))
    }

    fn connector_state(&self, name: &str) -> Option<ConnectorState> {
        self.worker.status.connector(name).map(|s| ConnectorState {
            state: s.state.name().to_owned(),
            worker_id: s.worker_id,
            trace: s.trace,
        })
    }

    fn task_state(&self, id: &ConnectorTaskId) -> Option<TaskState> {
        self.worker.status.task(id).map(|s| TaskState {
            id: id.task,
            state: s.state.name().to_owned(),
            worker_id: s.worker_id,
            trace: s.trace,
        })
    }

    fn state_info(
        &self,
        snapshot: &ClusterConfigState,
        name: &str,
    ) -> HerderResult<ConnectorStateInfo> {
        let connector = self.connector_state(name).ok_or_else(|| {
            HerderError::NotFound(format!("No status found for connector {name}"))
        })?;
        let info = self.info(snapshot, name)?;
        Ok(ConnectorStateInfo {
            name: name.to_owned(),
            connector,
            tasks: info
                .tasks
                .iter()
                .filter_map(|id| self.task_state(id))
                .collect(),
            connector_type: info.connector_type,
        })
    }
}

/// What a rebalance left to do.
struct RebalanceOutcome {
    /// Rejoin at once (after revoking work, so it is handed out in the next round).
    rejoin: bool,
    /// Rejoin after this delay (the leader is holding back a departed worker's work).
    delay: Option<Duration>,
}

/// Why a rebalance failed (it is retried).
#[derive(Debug, thiserror::Error)]
enum RebalanceError {
    #[error(transparent)]
    Member(#[from] MemberError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("unreadable assignment from the leader: {0}")]
    Protocol(String),
}

/// The worker id (`host:port`) of a worker's advertised REST URL (`http://host:port/`).
fn worker_id_of(url: &str) -> String {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or(rest);
    // `[::1]:8083` is advertised with brackets; worker ids carry the bare host.
    match authority.rsplit_once(':') {
        Some((host, port)) => format!(
            "{}:{port}",
            host.trim_start_matches('[').trim_end_matches(']')
        ),
        None => authority.to_owned(),
    }
}

/// Milliseconds since the epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Percent-encodes a connector name for a URL path.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

impl Herder for DistributedHerder {
    crate::herder::shared::delegate_to_base!();

    fn connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<ActiveTopics>> {
        Box::pin(async move {
            let exists = self.configs.snapshot().connectors.contains_key(&name);
            self.base.active_topics(&name, exists)
        })
    }

    fn reset_connector_active_topics(&self, name: String) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move {
            let exists = self.configs.snapshot().connectors.contains_key(&name);
            self.base.reset_active_topics(&name, exists)
        })
    }

    fn health(&self) -> BoxFuture<'_, WorkerHealth> {
        Box::pin(async move {
            if !self.view.borrow().ready {
                return WorkerHealth {
                    status: HealthStatus::Starting,
                    message: "Worker has not yet completed startup".to_owned(),
                };
            }
            crate::herder::shared::health_of(self.local.lock()).await
        })
    }

    fn connectors(&self) -> BoxFuture<'_, HerderResult<Vec<String>>> {
        Box::pin(async move { Ok(self.configs.snapshot().connectors.keys().cloned().collect()) })
    }

    fn connector_info(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorInfo>> {
        Box::pin(async move { self.info(&self.configs.snapshot(), &name) })
    }

    fn connector_config(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorConfig>> {
        Box::pin(async move {
            self.configs
                .snapshot()
                .connectors
                .get(&name)
                .cloned()
                .ok_or_else(|| HerderError::connector_not_found(&name))
        })
    }

    fn connector_status(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorStateInfo>> {
        Box::pin(async move {
            let snapshot = self.configs.snapshot();
            if !snapshot.connectors.contains_key(&name) {
                return Err(HerderError::NotFound(format!(
                    "No status found for connector {name}"
                )));
            }
            self.state_info(&snapshot, &name)
        })
    }

    fn task_configs(&self, name: String) -> BoxFuture<'_, HerderResult<Vec<TaskInfo>>> {
        Box::pin(async move {
            let snapshot = self.configs.snapshot();
            if !snapshot.connectors.contains_key(&name) {
                return Err(HerderError::connector_not_found(&name));
            }
            Ok(snapshot
                .task_configs
                .get(&name)
                .into_iter()
                .flatten()
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
            self.task_state(&id)
                .filter(|_| id.task < self.configs.snapshot().task_count(&id.connector))
                .ok_or_else(|| HerderError::NotFound(format!("No status found for task {id}")))
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
            self.require_leader().await?;
            let snapshot = self.fresh_snapshot().await?;
            let mut config = snapshot
                .connectors
                .get(&name)
                .cloned()
                .ok_or_else(|| HerderError::connector_not_found(&name))?;
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
            let snapshot = self.configs.snapshot();
            if !snapshot.connectors.contains_key(&name) {
                return Err(HerderError::connector_not_found(&name));
            }
            let mut local = self.local.lock().await;
            if local.assigned.connectors.contains(&name) {
                self.restart_local_connector(&mut local, &snapshot, &name)
                    .await;
                return Ok(());
            }
            drop(local);
            let owner = self.worker.status.connector(&name).map(|s| s.worker_id);
            match owner.as_deref().and_then(|w| self.owner_url(w)) {
                Some(url) => Err(HerderError::Forward { url }),
                None => Err(HerderError::rebalance_in_progress()),
            }
        })
    }

    fn restart_connector_and_tasks(
        &self,
        request: RestartRequest,
    ) -> BoxFuture<'_, HerderResult<ConnectorStateInfo>> {
        Box::pin(async move {
            self.require_leader().await?;
            let snapshot = self.fresh_snapshot().await?;
            let name = request.connector.clone();
            if !snapshot.connectors.contains_key(&name) {
                return Err(HerderError::connector_not_found(&name));
            }
            let mut plan = self.state_info(&snapshot, &name)?;
            if !request.only_failed || plan.connector.state == State::Failed.name() {
                plan.connector.state = State::Restarting.name().to_owned();
                plan.connector.trace.clear();
            }
            for task in plan.tasks.iter_mut().filter(|t| {
                request.include_tasks && (!request.only_failed || t.state == State::Failed.name())
            }) {
                task.state = State::Restarting.name().to_owned();
                task.trace.clear();
            }
            self.configs
                .put_restart_request(&request)
                .await
                .map_err(Self::storage_error)?;
            Ok(plan)
        })
    }

    fn restart_task(&self, id: ConnectorTaskId) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move {
            let snapshot = self.configs.snapshot();
            if !snapshot.connectors.contains_key(&id.connector) {
                return Err(HerderError::connector_not_found(&id.connector));
            }
            if id.task >= snapshot.task_count(&id.connector) {
                return Err(HerderError::task_not_found(&id));
            }
            let mut local = self.local.lock().await;
            if local.assigned.tasks.contains(&id) {
                self.restart_local_task(&mut local, &snapshot, &id).await;
                return Ok(());
            }
            drop(local);
            let owner = self.worker.status.task(&id).map(|s| s.worker_id);
            match owner.as_deref().and_then(|w| self.owner_url(w)) {
                Some(url) => Err(HerderError::Forward { url }),
                None => Err(HerderError::rebalance_in_progress()),
            }
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
            self.require_leader().await?;
            let snapshot = self.fresh_snapshot().await?;
            if !snapshot.connectors.contains_key(&name) {
                return Err(HerderError::connector_not_found(&name));
            }
            self.configs
                .remove_connector_config(&name)
                .await
                .map_err(Self::storage_error)?;
            self.worker.status.remove_connector(&name);
            self.worker.status.reset_topics(&name);
            tracing::info!(connector = %name, "connector deleted");
            Ok(())
        })
    }

    fn put_task_configs(
        &self,
        name: String,
        configs: Vec<ConnectorConfig>,
        signature: Option<RequestSignature>,
    ) -> BoxFuture<'_, HerderResult<()>> {
        Box::pin(async move {
            if self.view.borrow().version >= protocol::CONNECT_PROTOCOL_V2 {
                let key = self.configs.snapshot().session_key.ok_or_else(|| {
                    HerderError::Conflict(
                        "This worker has not read a session key from the config topic yet; \
                         retry shortly"
                            .to_owned(),
                    )
                })?;
                signing::verify(&key, signature.as_ref()).map_err(|refusal| match refusal {
                    signing::Refusal::Invalid => HerderError::Forbidden(refusal.message()),
                    _ => HerderError::BadRequest(refusal.message()),
                })?;
            }
            self.require_leader().await?;
            let snapshot = self.fresh_snapshot().await?;
            if !snapshot.connectors.contains_key(&name) {
                return Err(HerderError::connector_not_found(&name));
            }
            if snapshot.task_configs.get(&name) == Some(&configs) {
                return Ok(());
            }
            self.configs
                .put_task_configs(&name, &configs)
                .await
                .map_err(Self::storage_error)
        })
    }

    fn connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<ConnectorOffsets>> {
        Box::pin(async move {
            let snapshot = self.configs.snapshot();
            let config = snapshot
                .connectors
                .get(&name)
                .ok_or_else(|| HerderError::connector_not_found(&name))?;
            let plugin = self.base.resolve(config)?;
            self.base.connector_offsets(&name, config, &plugin).await
        })
    }

    fn alter_connector_offsets(
        &self,
        name: String,
        offsets: ConnectorOffsets,
    ) -> BoxFuture<'_, HerderResult<Message>> {
        Box::pin(async move {
            let (config, plugin) = self.stopped_connector(&name).await?;
            self.base
                .alter_offsets(&name, &config, &plugin, &offsets)
                .await
        })
    }

    fn reset_connector_offsets(&self, name: String) -> BoxFuture<'_, HerderResult<Message>> {
        Box::pin(async move {
            let (config, plugin) = self.stopped_connector(&name).await?;
            self.base.reset_offsets(&name, &config, &plugin).await
        })
    }

    fn set_cluster_logger_level(
        &self,
        namespace: String,
        level: String,
    ) -> BoxFuture<'_, HerderResult<()>> {
        // Kafka's DistributedHerder.setClusterLoggerLevel: written to the config topic;
        // every worker, this one included, applies it when it reads the record.
        Box::pin(async move {
            self.configs
                .put_logger_level(&namespace, &level)
                .await
                .map_err(Self::storage_error)
        })
    }
}

impl DistributedHerder {
    /// The config and plugin of a connector whose offsets may be modified: it must be
    /// `STOPPED` with no tasks (Kafka's checks), and this worker must be the leader.
    async fn stopped_connector(&self, name: &str) -> HerderResult<(ConnectorConfig, Plugin)> {
        self.require_leader().await?;
        let snapshot = self.fresh_snapshot().await?;
        let config = snapshot
            .connectors
            .get(name)
            .cloned()
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        if snapshot.target_state(name) != TargetState::Stopped || snapshot.task_count(name) > 0 {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. \
                 This can be done for the specified connector by issuing a 'PUT' request to the \
                 '/connectors/{name}/stop' endpoint"
            )));
        }
        let plugin = self.base.resolve(&config)?;
        Ok((config, plugin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_ids_come_from_advertised_urls() {
        assert_eq!(worker_id_of("http://127.0.0.1:8083/"), "127.0.0.1:8083");
        assert_eq!(worker_id_of("http://worker1:18083"), "worker1:18083");
        assert_eq!(worker_id_of("http://[::1]:8083/"), "::1:8083");
    }

    #[test]
    fn connector_names_are_percent_encoded_in_paths() {
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
        assert_eq!(encode_segment("file-source_1.x~"), "file-source_1.x~");
    }
}
