//! Connector and task statuses (Kafka's `StatusBackingStore`).

use std::collections::BTreeMap;

use parking_lot::Mutex;

use crate::herder::ConnectorTaskId;

/// A connector's or task's state (Kafka's `AbstractStatus.State`; `DESTROYED` is never
/// shown, so it is not stored: a deleted connector's statuses are removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not running on any worker.
    Unassigned,
    /// Running.
    Running,
    /// Paused by the user.
    Paused,
    /// Stopped by the user (connectors only).
    Stopped,
    /// Failed; the status carries the trace.
    Failed,
    /// Being restarted through the REST API.
    Restarting,
}

impl State {
    /// The name shown in the REST API.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unassigned => "UNASSIGNED",
            Self::Running => "RUNNING",
            Self::Paused => "PAUSED",
            Self::Stopped => "STOPPED",
            Self::Failed => "FAILED",
            Self::Restarting => "RESTARTING",
        }
    }
}

/// One status: state, the worker it is on and, for failures, the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The state.
    pub state: State,
    /// `host:port` of the worker.
    pub worker_id: String,
    /// The failure, empty unless `state` is [`State::Failed`].
    pub trace: String,
}

/// The statuses of every connector and task this worker knows.
#[derive(Debug, Default)]
pub struct StatusStore {
    inner: Mutex<Statuses>,
    /// Bumped by every topic reset, so tasks caching what they recorded know to forget it.
    topic_resets: std::sync::atomic::AtomicU64,
}

#[derive(Debug, Default)]
struct Statuses {
    connectors: BTreeMap<String, Status>,
    tasks: BTreeMap<ConnectorTaskId, Status>,
    topics: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl StatusStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a connector's status.
    pub fn put_connector(&self, name: &str, status: Status) {
        tracing::debug!(
            connector = name,
            state = status.state.name(),
            "connector status"
        );
        self.inner.lock().connectors.insert(name.to_owned(), status);
    }

    /// Sets a task's status.
    pub fn put_task(&self, id: &ConnectorTaskId, status: Status) {
        tracing::debug!(connector = %id.connector, task = id.task, state = status.state.name(), "task status");
        self.inner.lock().tasks.insert(id.clone(), status);
    }

    /// Sets a task's status unless it is `FAILED`: a task that failed stays failed until
    /// it is restarted, whatever its shutdown reports afterwards.
    pub fn put_task_unless_failed(&self, id: &ConnectorTaskId, status: Status) {
        let mut inner = self.inner.lock();
        if inner
            .tasks
            .get(id)
            .is_some_and(|s| s.state == State::Failed)
        {
            return;
        }
        inner.tasks.insert(id.clone(), status);
    }

    /// A connector's status.
    pub fn connector(&self, name: &str) -> Option<Status> {
        self.inner.lock().connectors.get(name).cloned()
    }

    /// A task's status.
    pub fn task(&self, id: &ConnectorTaskId) -> Option<Status> {
        self.inner.lock().tasks.get(id).cloned()
    }

    /// Forgets a task (its connector now has fewer tasks).
    pub fn remove_task(&self, id: &ConnectorTaskId) {
        self.inner.lock().tasks.remove(id);
    }

    /// Records that `connector` used `topic` (KIP-558 topic tracking).
    pub fn add_topic(&self, connector: &str, topic: &str) {
        self.inner
            .lock()
            .topics
            .entry(connector.to_owned())
            .or_default()
            .insert(topic.to_owned());
    }

    /// The topics `connector` used since it was created or its topics were reset, sorted.
    pub fn topics(&self, connector: &str) -> Vec<String> {
        self.inner
            .lock()
            .topics
            .get(connector)
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Forgets the topics `connector` used.
    pub fn reset_topics(&self, connector: &str) {
        self.inner.lock().topics.remove(connector);
        self.topic_resets
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many topic resets happened; a task that caches the topics it recorded clears
    /// its cache when this changes.
    pub fn topic_resets(&self) -> u64 {
        self.topic_resets.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets a connector and its tasks.
    pub fn remove_connector(&self, name: &str) {
        let mut inner = self.inner.lock();
        inner.connectors.remove(name);
        inner.tasks.retain(|id, _| id.connector != name);
    }
}
