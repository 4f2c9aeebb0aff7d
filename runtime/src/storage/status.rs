//! Connector and task statuses (Kafka's `StatusBackingStore`).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

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

/// A local change of a [`StatusStore`], as its observer sees it (distributed mode
/// publishes them to the status topic, Kafka's `KafkaStatusBackingStore`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    /// A connector's status was set.
    Connector {
        /// The connector.
        name: String,
        /// Its new status.
        status: Status,
    },
    /// A task's status was set.
    Task {
        /// The task.
        id: ConnectorTaskId,
        /// Its new status.
        status: Status,
    },
    /// A task's status was removed.
    TaskRemoved {
        /// The task.
        id: ConnectorTaskId,
    },
    /// A connector's status and its tasks' statuses were removed.
    ConnectorRemoved {
        /// The connector.
        name: String,
        /// The tasks whose statuses were removed with it.
        tasks: Vec<u32>,
    },
    /// A connector used a topic for the first time (KIP-558).
    TopicAdded {
        /// The connector.
        connector: String,
        /// The topic.
        topic: String,
        /// The task that used it, when known.
        task: Option<u32>,
    },
    /// A connector's used topics were forgotten.
    TopicsReset {
        /// The connector.
        connector: String,
        /// The topics forgotten.
        topics: Vec<String>,
    },
}

/// Called after every local change of a [`StatusStore`], outside its lock.
pub type StatusObserver = Arc<dyn Fn(&StatusChange) + Send + Sync>;

#[derive(Default)]
struct ObserverSlot(OnceLock<StatusObserver>);

impl std::fmt::Debug for ObserverSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Some(observer)"
        } else {
            "None"
        })
    }
}

/// The statuses of every connector and task this worker knows.
#[derive(Debug, Default)]
pub struct StatusStore {
    inner: Mutex<Statuses>,
    /// Bumped by every topic reset, so tasks caching what they recorded know to forget it.
    topic_resets: std::sync::atomic::AtomicU64,
    /// Sees every local change (distributed mode's status topic); not called for
    /// `apply_remote_*`.
    observer: ObserverSlot,
}

#[derive(Debug, Default)]
struct Statuses {
    connectors: BTreeMap<String, Status>,
    tasks: BTreeMap<ConnectorTaskId, Status>,
    topics: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// The statuses this process last set (not those read from other workers).
    own_connectors: BTreeMap<String, Status>,
    own_tasks: BTreeMap<ConnectorTaskId, Status>,
}

impl StatusStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the observer of local changes, once; returns false if one was already set.
    pub fn set_observer(&self, observer: StatusObserver) -> bool {
        self.observer.0.set(observer).is_ok()
    }

    fn notify(&self, change: impl FnOnce() -> StatusChange) {
        if let Some(observer) = self.observer.0.get() {
            observer(&change());
        }
    }

    /// Sets a connector's status.
    pub fn put_connector(&self, name: &str, status: Status) {
        tracing::debug!(
            connector = name,
            state = status.state.name(),
            "connector status"
        );
        let mut inner = self.inner.lock();
        inner.connectors.insert(name.to_owned(), status.clone());
        inner.own_connectors.insert(name.to_owned(), status.clone());
        drop(inner);
        self.notify(|| StatusChange::Connector {
            name: name.to_owned(),
            status,
        });
    }

    /// Sets a task's status.
    pub fn put_task(&self, id: &ConnectorTaskId, status: Status) {
        tracing::debug!(connector = %id.connector, task = id.task, state = status.state.name(), "task status");
        let mut inner = self.inner.lock();
        inner.tasks.insert(id.clone(), status.clone());
        inner.own_tasks.insert(id.clone(), status.clone());
        drop(inner);
        self.notify(|| StatusChange::Task {
            id: id.clone(),
            status,
        });
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
        inner.tasks.insert(id.clone(), status.clone());
        inner.own_tasks.insert(id.clone(), status.clone());
        drop(inner);
        self.notify(|| StatusChange::Task {
            id: id.clone(),
            status,
        });
    }

    /// Sets again the statuses this process last set, as `worker_id`, for `connectors`
    /// and `tasks` wherever the store now shows something else: another worker may have
    /// written over them (e.g. the leader marked them `UNASSIGNED` while this worker was
    /// briefly out of the group but kept running them).
    pub fn reassert(
        &self,
        worker_id: &str,
        connectors: &std::collections::BTreeSet<String>,
        tasks: &std::collections::BTreeSet<ConnectorTaskId>,
    ) {
        let inner = self.inner.lock();
        let stale = |own: Option<&Status>, current: Option<&Status>| {
            own.filter(|o| o.worker_id == worker_id && Some(*o) != current)
                .cloned()
        };
        let connectors: Vec<(String, Status)> = connectors
            .iter()
            .filter_map(|name| {
                stale(inner.own_connectors.get(name), inner.connectors.get(name))
                    .map(|s| (name.clone(), s))
            })
            .collect();
        let tasks: Vec<(ConnectorTaskId, Status)> = tasks
            .iter()
            .filter_map(|id| {
                stale(inner.own_tasks.get(id), inner.tasks.get(id)).map(|s| (id.clone(), s))
            })
            .collect();
        drop(inner);
        for (name, status) in connectors {
            tracing::info!(connector = %name, state = status.state.name(), "restoring the status of a connector this worker runs");
            self.put_connector(&name, status);
        }
        for (id, status) in tasks {
            tracing::info!(connector = %id.connector, task = id.task, state = status.state.name(), "restoring the status of a task this worker runs");
            self.put_task(&id, status);
        }
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
        let mut inner = self.inner.lock();
        inner.own_tasks.remove(id);
        let removed = inner.tasks.remove(id).is_some();
        drop(inner);
        if removed {
            self.notify(|| StatusChange::TaskRemoved { id: id.clone() });
        }
    }

    /// Records that `connector` used `topic` (KIP-558 topic tracking).
    pub fn add_topic(&self, connector: &str, topic: &str) {
        self.add_topic_inner(connector, topic, None);
    }

    /// [`StatusStore::add_topic`] naming the task that used the topic, which the status
    /// topic's record carries (`{"topic":{"name","connector","task","discoverTimestamp"}}`).
    pub fn add_task_topic(&self, id: &ConnectorTaskId, topic: &str) {
        self.add_topic_inner(&id.connector, topic, Some(id.task));
    }

    fn add_topic_inner(&self, connector: &str, topic: &str, task: Option<u32>) {
        let added = self
            .inner
            .lock()
            .topics
            .entry(connector.to_owned())
            .or_default()
            .insert(topic.to_owned());
        if added {
            self.notify(|| StatusChange::TopicAdded {
                connector: connector.to_owned(),
                topic: topic.to_owned(),
                task,
            });
        }
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
        let removed = self.inner.lock().topics.remove(connector);
        self.topic_resets
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(topics) = removed {
            self.notify(|| StatusChange::TopicsReset {
                connector: connector.to_owned(),
                topics: topics.into_iter().collect(),
            });
        }
    }

    /// How many topic resets happened; a task that caches the topics it recorded clears
    /// its cache when this changes.
    pub fn topic_resets(&self) -> u64 {
        self.topic_resets.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forgets a connector and its tasks.
    pub fn remove_connector(&self, name: &str) {
        let mut inner = self.inner.lock();
        inner.own_connectors.remove(name);
        inner.own_tasks.retain(|id, _| id.connector != name);
        let removed = inner.connectors.remove(name).is_some();
        let mut tasks = Vec::new();
        inner.tasks.retain(|id, _| {
            let keep = id.connector != name;
            if !keep {
                tasks.push(id.task);
            }
            keep
        });
        drop(inner);
        if removed || !tasks.is_empty() {
            self.notify(|| StatusChange::ConnectorRemoved {
                name: name.to_owned(),
                tasks,
            });
        }
    }

    /// The connectors with a status, sorted.
    pub fn connectors(&self) -> Vec<String> {
        self.inner.lock().connectors.keys().cloned().collect()
    }

    /// Applies a connector status read from another worker (or this one's earlier run)
    /// without telling the observer; `None` removes the connector's and its tasks'
    /// statuses, as a tombstone does in Kafka's `KafkaStatusBackingStore.readConnectorStatus`.
    pub fn apply_remote_connector(&self, name: &str, status: Option<Status>) {
        let mut inner = self.inner.lock();
        match status {
            Some(status) => {
                inner.connectors.insert(name.to_owned(), status);
            }
            None => {
                inner.connectors.remove(name);
                inner.tasks.retain(|id, _| id.connector != name);
            }
        }
    }

    /// Applies a task status read from the status topic without telling the observer;
    /// `None` removes it.
    pub fn apply_remote_task(&self, id: &ConnectorTaskId, status: Option<Status>) {
        let mut inner = self.inner.lock();
        match status {
            Some(status) => {
                inner.tasks.insert(id.clone(), status);
            }
            None => {
                inner.tasks.remove(id);
            }
        }
    }

    /// Applies a topic-usage record read from the status topic without telling the
    /// observer: `used` false forgets the topic.
    pub fn apply_remote_topic(&self, connector: &str, topic: &str, used: bool) {
        let mut inner = self.inner.lock();
        if used {
            inner
                .topics
                .entry(connector.to_owned())
                .or_default()
                .insert(topic.to_owned());
        } else if let Some(topics) = inner.topics.get_mut(connector) {
            topics.remove(topic);
            if topics.is_empty() {
                inner.topics.remove(connector);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn status(state: State, worker: &str) -> Status {
        Status {
            state,
            worker_id: worker.to_owned(),
            trace: String::new(),
        }
    }

    #[test]
    fn reassert_restores_only_what_another_worker_wrote_over() {
        let store = StatusStore::new();
        let task = ConnectorTaskId::new("c", 0);
        let other = ConnectorTaskId::new("c", 1);
        store.put_connector("c", status(State::Running, "a:1"));
        store.put_task(&task, status(State::Paused, "a:1"));
        store.put_task(&other, status(State::Running, "a:1"));
        // The leader, while a:1 was out of the group, marked its work unassigned.
        store.apply_remote_connector("c", Some(status(State::Unassigned, "a:1")));
        store.apply_remote_task(&task, Some(status(State::Unassigned, "a:1")));
        // Task 1 really moved to b:2.
        store.apply_remote_task(&other, Some(status(State::Running, "b:2")));
        store.reassert(
            "a:1",
            &BTreeSet::from(["c".to_owned()]),
            &BTreeSet::from([task.clone()]),
        );
        assert_eq!(store.connector("c"), Some(status(State::Running, "a:1")));
        assert_eq!(store.task(&task), Some(status(State::Paused, "a:1")));
        assert_eq!(store.task(&other), Some(status(State::Running, "b:2")));
        // Statuses this process set as another worker (the leader's marks) are not ours.
        store.put_task(&other, status(State::Unassigned, "b:2"));
        store.apply_remote_task(&other, Some(status(State::Running, "b:2")));
        store.reassert("a:1", &BTreeSet::new(), &BTreeSet::from([other.clone()]));
        assert_eq!(store.task(&other), Some(status(State::Running, "b:2")));
    }
}
