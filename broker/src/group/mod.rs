//! The group coordinator: Kafka's classic group protocol (JoinGroup, SyncGroup,
//! Heartbeat, LeaveGroup), committed offsets, and the admin group APIs.
//!
//! It is protocol-agnostic like Kafka's: any protocol type works ("consumer",
//! Kafka Connect's "connect", ...) and member metadata and assignments are
//! opaque bytes. Only OffsetDelete looks inside "consumer" subscriptions, to
//! refuse deleting offsets of a topic the group still consumes.
//!
//! Where to start reading: [`GroupCoordinator`] handles the requests and owns
//! one [`state::Group`] per group id behind its own mutex; `state.rs` is the
//! state machine (a step-by-step port of Kafka's `ClassicGroup` /
//! `GroupMetadataManager`); `records.rs` holds the `__consumer_offsets` record
//! formats.
//!
//! Durability: offset commits, completed rebalances (the leader's SyncGroup),
//! transitions to Empty, and deletions are written through [`GroupStore`]
//! before they are acknowledged. A group mutex is never held across an await:
//! the store's `append` is *called* under the lock, so records reach the log in
//! the order the state changed, and awaited after it is released.

pub mod records;
mod state;
#[cfg(test)]
mod tests;

pub use state::GroupState;

use bytes::Bytes;
use futures::future::BoxFuture;
use kafka_protocol::messages::delete_groups_response::DeletableGroupResult;
use kafka_protocol::messages::describe_groups_response::{DescribedGroup, DescribedGroupMember};
use kafka_protocol::messages::join_group_response::JoinGroupResponseMember;
use kafka_protocol::messages::leave_group_response::MemberResponse;
use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::offset_delete_response::{
    OffsetDeleteResponsePartition, OffsetDeleteResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponsePartition, OffsetFetchResponseTopic,
};
use kafka_protocol::messages::{
    DeleteGroupsRequest, DeleteGroupsResponse, DescribeGroupsRequest, DescribeGroupsResponse,
    GroupId, HeartbeatRequest, HeartbeatResponse, JoinGroupRequest, JoinGroupResponse,
    LeaveGroupRequest, LeaveGroupResponse, ListGroupsRequest, ListGroupsResponse,
    OffsetCommitRequest, OffsetCommitResponse, OffsetDeleteRequest, OffsetDeleteResponse,
    OffsetFetchRequest, OffsetFetchResponse, SyncGroupRequest, SyncGroupResponse, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use kafka_protocol::ResponseError;
use parking_lot::{Mutex, RwLock};
use records::{OffsetValue, RecordKey};
use state::{
    code, CommittedOffset, Ctx, Effects, Group, JoinOutcome, JoinParams, JoinStart, SyncOutcome,
    SyncStart,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

/// Kafka's `offset.metadata.max.bytes`: longer commit metadata is refused.
const OFFSET_METADATA_MAX_BYTES: usize = 4096;
/// Kafka's `offsets.retention.check.interval.ms`: how often empty groups that
/// hold nothing are dropped.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(600);
/// The longest string the persisted formats can hold (int16 length).
const MAX_STRING_LEN: usize = i16::MAX as usize;
/// DescribeGroups authorized operations when asked for: READ, DELETE and
/// DESCRIBE (AclOperation codes 3, 6, 8). There are no ACLs, so all are allowed.
const GROUP_AUTHORIZED_OPERATIONS: i32 = (1 << 3) | (1 << 6) | (1 << 8);

/// Group coordinator settings (Kafka's `group.*` broker configs).
#[derive(Debug, Clone)]
pub struct GroupConfig {
    /// `group.initial.rebalance.delay.ms`: how long the first rebalance of an
    /// empty group waits for more members (extended while members keep
    /// arriving, up to the rebalance timeout). Kafka: 3 s; default here 0.
    pub initial_rebalance_delay: Duration,
    /// `group.min.session.timeout.ms`: shorter JoinGroup session timeouts get
    /// INVALID_SESSION_TIMEOUT.
    pub min_session_timeout_ms: i32,
    /// `group.max.session.timeout.ms`: longer session timeouts get INVALID_SESSION_TIMEOUT.
    pub max_session_timeout_ms: i32,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            initial_rebalance_delay: Duration::ZERO,
            min_session_timeout_ms: 6_000,
            max_session_timeout_ms: 1_800_000,
        }
    }
}

/// Where the coordinator persists offset commits and group metadata: the broker's
/// `__consumer_offsets` log. Resolves once durable. Records are (key, value-or-tombstone)
/// in Kafka's exact __consumer_offsets key/value formats.
///
/// The records of one call must land in the log in the order `append` is
/// *called* (the coordinator calls it under the group's lock to fix that
/// order), even if the returned futures resolve later or out of order.
pub trait GroupStore: Send + Sync + 'static {
    fn append(
        &self,
        records: Vec<(Bytes, Option<Bytes>)>,
    ) -> BoxFuture<'static, Result<(), String>>;
}

/// The topics that exist, for OffsetCommit and OffsetDelete validation.
pub trait TopicLookup: Send + Sync + 'static {
    fn partition_exists(&self, topic: &str, partition: i32) -> bool;
}

type GroupRef = Arc<Mutex<Group>>;
type WriteFuture = BoxFuture<'static, Result<(), String>>;

/// Wakes the background task when a deadline earlier than the one it sleeps
/// towards appears, and tells it to stop.
struct Timer {
    /// The earliest deadline the task will wake up for (`None`: it sleeps until notified).
    wake_at: Mutex<Option<Instant>>,
    notify: Notify,
    shutdown: AtomicBool,
}

impl Timer {
    fn request(&self, deadline: Option<Instant>) {
        let Some(deadline) = deadline else {
            return;
        };
        let mut wake_at = self.wake_at.lock();
        if wake_at.is_none_or(|current| deadline < current) {
            *wake_at = Some(deadline);
            self.notify.notify_one();
        }
    }

    fn stop(&self) {
        self.shutdown.store(true, Ordering::Release);
        self.notify.notify_one();
    }
}

/// Kafka's group coordinator for a single-node broker (always the coordinator).
pub struct GroupCoordinator {
    config: GroupConfig,
    store: Arc<dyn GroupStore>,
    topics: Arc<dyn TopicLookup>,
    groups: RwLock<HashMap<String, GroupRef>>,
    timer: Arc<Timer>,
    next_cleanup: Mutex<Instant>,
}

impl Drop for GroupCoordinator {
    fn drop(&mut self) {
        self.timer.stop();
    }
}

fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn str_bytes(s: impl Into<String>) -> StrBytes {
    StrBytes::from_string(s.into())
}

async fn settle(writes: Vec<WriteFuture>) {
    for write in writes {
        if let Err(error) = write.await {
            tracing::warn!(%error, "failed to store group metadata in __consumer_offsets");
        }
    }
}

/// Awaits one write whose failure changes the answer.
async fn stored(write: WriteFuture) -> bool {
    match write.await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "failed to write to __consumer_offsets");
            false
        }
    }
}

impl GroupCoordinator {
    pub fn new(
        config: GroupConfig,
        store: Arc<dyn GroupStore>,
        topics: Arc<dyn TopicLookup>,
    ) -> Arc<Self> {
        Arc::new(GroupCoordinator {
            config,
            store,
            topics,
            groups: RwLock::new(HashMap::new()),
            timer: Arc::new(Timer {
                wake_at: Mutex::new(None),
                notify: Notify::new(),
                shutdown: AtomicBool::new(false),
            }),
            next_cleanup: Mutex::new(Instant::now() + CLEANUP_INTERVAL),
        })
    }

    /// Replays __consumer_offsets records (in log order, compaction semantics: a None value is a tombstone) at start-up.
    ///
    /// Call it before serving requests. Groups with members come back Stable
    /// with fresh session deadlines; records that do not decode are skipped
    /// with a warning.
    pub fn load(&self, records: impl IntoIterator<Item = (Bytes, Option<Bytes>)>) {
        let ctx = self.ctx();
        let mut loaded: HashMap<String, Group> = HashMap::new();
        let mut skipped = 0usize;
        for (key, value) in records {
            let key = match records::decode_key(&key) {
                Ok(key) => key,
                Err(error) => {
                    tracing::warn!(%error, "skipping undecodable __consumer_offsets key");
                    skipped += 1;
                    continue;
                }
            };
            match key {
                RecordKey::Offset {
                    group,
                    topic,
                    partition,
                } => {
                    let value = match value
                        .as_deref()
                        .map(records::decode_offset_value)
                        .transpose()
                    {
                        Ok(value) => value,
                        Err(error) => {
                            tracing::warn!(%error, group, topic, partition, "skipping undecodable offset commit");
                            skipped += 1;
                            continue;
                        }
                    };
                    let value = value.map(|v| CommittedOffset {
                        offset: v.offset,
                        leader_epoch: v.leader_epoch,
                        metadata: v.metadata,
                        commit_timestamp: v.commit_timestamp,
                    });
                    loaded
                        .entry(group)
                        .or_insert_with_key(|id| Group::new(id.clone(), ctx.wall_ms))
                        .load_offset(&topic, partition, value);
                }
                RecordKey::Group { group } => match value
                    .as_deref()
                    .map(records::decode_group_value)
                    .transpose()
                {
                    Ok(Some(value)) => loaded
                        .entry(group)
                        .or_insert_with_key(|id| Group::new(id.clone(), ctx.wall_ms))
                        .load_metadata(value, &ctx),
                    Ok(None) => {
                        if let Some(g) = loaded.get_mut(&group) {
                            g.load_tombstone(&ctx);
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, group, "skipping undecodable group metadata");
                        skipped += 1;
                    }
                },
                RecordKey::Other(_) => {}
            }
        }
        // Groups left with no metadata record and no offsets were deleted.
        loaded.retain(|_, g| !(g.is_disposable() && g.protocol_type().is_none()));
        tracing::info!(
            groups = loaded.len(),
            skipped,
            "loaded group coordinator state"
        );
        let mut groups = self.groups.write();
        for (id, group) in loaded {
            self.timer.request(group.next_deadline());
            groups.insert(id, Arc::new(Mutex::new(group)));
        }
    }

    /// Spawns the background task for session expiry / rebalance timeouts / delayed joins; stops when the Arc's last clone is dropped or on shutdown.
    pub fn start(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let coordinator: Weak<Self> = Arc::downgrade(self);
        let timer = Arc::clone(&self.timer);
        tokio::spawn(async move {
            loop {
                if timer.shutdown.load(Ordering::Acquire) {
                    break;
                }
                // Deadlines requested while the tick runs notify the task, so
                // none is lost between the scan and the sleep.
                *timer.wake_at.lock() = None;
                let Some(this) = coordinator.upgrade() else {
                    break;
                };
                let next = this.tick();
                drop(this);
                let wake = {
                    let mut wake_at = timer.wake_at.lock();
                    let merged = match (*wake_at, next) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    *wake_at = merged;
                    merged
                };
                match wake {
                    Some(deadline) => {
                        tokio::select! {
                            _ = tokio::time::sleep_until(deadline) => {}
                            _ = timer.notify.notified() => {}
                        }
                    }
                    None => timer.notify.notified().await,
                }
            }
            tracing::debug!("group coordinator background task stopped");
        })
    }

    /// Stops the background task (it also stops when the coordinator is dropped).
    pub fn shutdown(&self) {
        self.timer.stop();
    }

    // ----- plumbing --------------------------------------------------------

    fn ctx(&self) -> Ctx {
        Ctx {
            now: Instant::now(),
            wall_ms: wall_ms(),
            initial_rebalance_delay: self.config.initial_rebalance_delay,
        }
    }

    fn lookup(&self, id: &str) -> Option<GroupRef> {
        self.groups.read().get(id).cloned()
    }

    fn get_or_create(&self, id: &str) -> GroupRef {
        if let Some(group) = self.lookup(id) {
            return group;
        }
        self.groups
            .write()
            .entry(id.to_owned())
            .or_insert_with(|| Arc::new(Mutex::new(Group::new(id, wall_ms()))))
            .clone()
    }

    /// Removes `group` from the map if it is still the entry for `id`. Called
    /// with the group locked (lock order: group, then map; nothing takes them
    /// the other way round).
    fn remove_if_same(&self, id: &str, group: &GroupRef) {
        let mut groups = self.groups.write();
        if groups.get(id).is_some_and(|g| Arc::ptr_eq(g, group)) {
            groups.remove(id);
        }
    }

    /// Starts a store write and polls it once, so that the records take their
    /// place in the log now, under the caller's group lock, even when the
    /// store does its work lazily inside the future. The result is awaited
    /// later, without the lock.
    fn start_write(&self, records: state::Records) -> WriteFuture {
        let mut write = self.store.append(records);
        let mut cx = Context::from_waker(Waker::noop());
        match write.as_mut().poll(&mut cx) {
            Poll::Ready(result) => Box::pin(std::future::ready(result)),
            Poll::Pending => write,
        }
    }

    fn submit(&self, fx: Effects) -> Vec<WriteFuture> {
        fx.writes
            .into_iter()
            .map(|records| self.start_write(records))
            .collect()
    }

    /// Runs `f` on the live group `id` (created if `create`), appends its
    /// effects and reschedules its timers. `None` if the group does not exist.
    fn update<R>(
        &self,
        id: &str,
        create: bool,
        mut f: impl FnMut(&mut Group, &Ctx, &mut Effects) -> R,
    ) -> Option<(GroupRef, R, Vec<WriteFuture>)> {
        loop {
            let group = if create {
                self.get_or_create(id)
            } else {
                self.lookup(id)?
            };
            let mut g = group.lock();
            if g.state() == GroupState::Dead {
                // Deleted between the lookup and the lock; make sure the map
                // no longer has it and look again.
                self.remove_if_same(id, &group);
                continue;
            }
            let ctx = self.ctx();
            let mut fx = Effects::default();
            let result = f(&mut g, &ctx, &mut fx);
            let writes = self.submit(fx);
            self.timer.request(g.next_deadline());
            drop(g);
            return Some((group, result, writes));
        }
    }

    /// Runs `f` on a group already held (after awaiting a write).
    fn update_ref<R>(
        &self,
        group: &GroupRef,
        f: impl FnOnce(&mut Group, &Ctx, &mut Effects) -> R,
    ) -> (R, Vec<WriteFuture>) {
        let mut g = group.lock();
        let ctx = self.ctx();
        let mut fx = Effects::default();
        let result = f(&mut g, &ctx, &mut fx);
        let writes = self.submit(fx);
        self.timer.request(g.next_deadline());
        (result, writes)
    }

    /// One pass of the background task: fire due timers in every group, drop
    /// groups that hold nothing (every [`CLEANUP_INTERVAL`]), and return the
    /// next deadline.
    fn tick(&self) -> Option<Instant> {
        let ctx = self.ctx();
        let cleanup = {
            let mut next_cleanup = self.next_cleanup.lock();
            let due = *next_cleanup <= ctx.now;
            if due {
                *next_cleanup = ctx.now + CLEANUP_INTERVAL;
            }
            due
        };
        let groups: Vec<(String, GroupRef)> = self
            .groups
            .read()
            .iter()
            .map(|(id, g)| (id.clone(), Arc::clone(g)))
            .collect();
        let mut next = Some(*self.next_cleanup.lock());
        let mut writes = Vec::new();
        for (id, group) in groups {
            let mut g = group.lock();
            if g.state() == GroupState::Dead {
                continue;
            }
            let mut fx = Effects::default();
            g.on_timers(&ctx, &mut fx);
            if cleanup && g.is_disposable() {
                tracing::info!(group = %id, "removing empty group");
                g.mark_dead(&ctx);
                self.remove_if_same(&id, &group);
                if let Ok(key) = records::encode_group_key(&id) {
                    fx.writes.push(vec![(key, None)]);
                }
            }
            writes.extend(self.submit(fx));
            if let Some(deadline) = g.next_deadline() {
                next = next.map(|n| n.min(deadline));
            }
        }
        if !writes.is_empty() {
            tokio::spawn(settle(writes));
        }
        next
    }

    // ----- JoinGroup -------------------------------------------------------

    pub async fn join_group(
        &self,
        req: JoinGroupRequest,
        version: i16,
        client_id: &str,
        client_host: &str,
    ) -> JoinGroupResponse {
        let outcome = self.join(req, version, client_id, client_host).await;
        join_response(outcome, version)
    }

    async fn join(
        &self,
        req: JoinGroupRequest,
        version: i16,
        client_id: &str,
        client_host: &str,
    ) -> JoinOutcome {
        let member_id = req.member_id.to_string();
        let group_id = req.group_id.to_string();
        if group_id.is_empty() || group_id.len() > MAX_STRING_LEN {
            return JoinOutcome::error(ResponseError::InvalidGroupId.code(), member_id);
        }
        if req.session_timeout_ms < self.config.min_session_timeout_ms
            || req.session_timeout_ms > self.config.max_session_timeout_ms
        {
            return JoinOutcome::error(ResponseError::InvalidSessionTimeout.code(), member_id);
        }
        let params = JoinParams {
            member_id: member_id.clone(),
            group_instance_id: req.group_instance_id.map(|s| s.to_string()),
            client_id: client_id.to_owned(),
            client_host: client_host.to_owned(),
            session_timeout_ms: req.session_timeout_ms,
            // v0 has no rebalance timeout; Kafka uses the session timeout.
            rebalance_timeout_ms: if version == 0 {
                req.session_timeout_ms
            } else {
                req.rebalance_timeout_ms
            },
            protocol_type: req.protocol_type.to_string(),
            protocols: req
                .protocols
                .into_iter()
                .map(|p| (p.name.to_string(), p.metadata))
                .collect(),
            require_known_member_id: version >= 4,
            supports_skip_assignment: version >= 9,
        };

        enum Step {
            Done(JoinOutcome),
            Wait(oneshot::Receiver<JoinOutcome>),
            Persist(
                WriteFuture,
                state::StaticReplace,
                oneshot::Receiver<JoinOutcome>,
            ),
        }
        let step = self.update(&group_id, member_id.is_empty(), |g, ctx, fx| {
            match g.join(params.clone(), ctx, fx) {
                JoinStart::Done(outcome) => Step::Done(outcome),
                JoinStart::Wait(rx) => Step::Wait(rx),
                JoinStart::Persist {
                    records,
                    replace,
                    rx,
                } => {
                    g.begin_write();
                    Step::Persist(self.start_write(records), replace, rx)
                }
            }
        });
        let Some((group, step, writes)) = step else {
            // A known member id for a group that does not exist.
            return JoinOutcome::error(code::UNKNOWN_MEMBER_ID, member_id);
        };
        settle(writes).await;
        let rx = match step {
            Step::Done(outcome) => return outcome,
            Step::Wait(rx) => rx,
            Step::Persist(write, replace, rx) => {
                let ok = stored(write).await;
                let ((), writes) = self.update_ref(&group, |g, ctx, _| {
                    g.end_write();
                    g.finish_static_replace(replace, ok, ctx);
                });
                settle(writes).await;
                rx
            }
        };
        // The sender is dropped only when a retried JoinGroup of the same
        // member replaced this one; that client is gone anyway.
        rx.await
            .unwrap_or_else(|_| JoinOutcome::error(code::UNKNOWN_MEMBER_ID, member_id))
    }

    // ----- SyncGroup -------------------------------------------------------

    pub async fn sync_group(&self, req: SyncGroupRequest, version: i16) -> SyncGroupResponse {
        let outcome = self.sync(req).await;
        sync_response(outcome, version)
    }

    async fn sync(&self, req: SyncGroupRequest) -> SyncOutcome {
        let group_id = req.group_id.to_string();
        if group_id.is_empty() {
            return SyncOutcome::error(ResponseError::InvalidGroupId.code());
        }
        let member_id = req.member_id.to_string();
        let instance_id = req.group_instance_id.as_ref().map(|s| s.to_string());
        let protocol_type = req.protocol_type.as_ref().map(|s| s.to_string());
        let protocol_name = req.protocol_name.as_ref().map(|s| s.to_string());
        let mut assignments: Option<Vec<(String, Bytes)>> = Some(
            req.assignments
                .into_iter()
                .map(|a| (a.member_id.to_string(), a.assignment))
                .collect(),
        );

        enum Step {
            Done(SyncOutcome),
            Wait(oneshot::Receiver<SyncOutcome>),
            Persist {
                generation: i32,
                assignment: HashMap<String, Bytes>,
                write: Option<WriteFuture>,
                rx: oneshot::Receiver<SyncOutcome>,
            },
        }
        let step = self.update(&group_id, false, |g, ctx, _| {
            let start = g.sync(
                &member_id,
                instance_id.as_deref(),
                req.generation_id,
                protocol_type.as_deref(),
                protocol_name.as_deref(),
                assignments.take().unwrap_or_default(),
                ctx,
            );
            match start {
                SyncStart::Done(outcome) => Step::Done(outcome),
                SyncStart::Wait(rx) => Step::Wait(rx),
                SyncStart::Persist {
                    generation,
                    assignment,
                    records,
                    rx,
                } => {
                    let write = records.map(|records| {
                        g.begin_write();
                        self.start_write(records)
                    });
                    Step::Persist {
                        generation,
                        assignment,
                        write,
                        rx,
                    }
                }
            }
        });
        let Some((group, step, writes)) = step else {
            return SyncOutcome::error(code::UNKNOWN_MEMBER_ID);
        };
        settle(writes).await;
        let rx = match step {
            Step::Done(outcome) => return outcome,
            Step::Wait(rx) => rx,
            Step::Persist {
                generation,
                assignment,
                write,
                rx,
            } => {
                let had_write = write.is_some();
                let ok = match write {
                    Some(write) => stored(write).await,
                    None => false,
                };
                let ((), writes) = self.update_ref(&group, |g, ctx, fx| {
                    if had_write {
                        g.end_write();
                    }
                    g.finish_assignment(generation, assignment, ok, ctx, fx);
                });
                settle(writes).await;
                rx
            }
        };
        // Dropped only when a retried SyncGroup replaced this one.
        rx.await
            .unwrap_or_else(|_| SyncOutcome::error(code::REBALANCE_IN_PROGRESS))
    }

    // ----- Heartbeat / LeaveGroup ------------------------------------------

    pub async fn heartbeat(&self, req: HeartbeatRequest, _version: i16) -> HeartbeatResponse {
        let group_id = req.group_id.to_string();
        let error = if group_id.is_empty() {
            ResponseError::InvalidGroupId.code()
        } else {
            let member_id = req.member_id.to_string();
            let instance_id = req.group_instance_id.as_ref().map(|s| s.to_string());
            self.update(&group_id, false, |g, ctx, _| {
                g.heartbeat(&member_id, instance_id.as_deref(), req.generation_id, ctx)
            })
            .map_or(code::UNKNOWN_MEMBER_ID, |(_, error, _)| error)
        };
        HeartbeatResponse::default().with_error_code(error)
    }

    pub async fn leave_group(&self, req: LeaveGroupRequest, version: i16) -> LeaveGroupResponse {
        let leaving: Vec<(String, Option<String>)> = if version >= 3 {
            req.members
                .iter()
                .map(|m| {
                    (
                        m.member_id.to_string(),
                        m.group_instance_id.as_ref().map(|s| s.to_string()),
                    )
                })
                .collect()
        } else {
            vec![(req.member_id.to_string(), None)]
        };
        let group_id = req.group_id.to_string();
        let top_level = |error: i16| LeaveGroupResponse::default().with_error_code(error);
        if group_id.is_empty() {
            return top_level(ResponseError::InvalidGroupId.code());
        }
        let Some((_, errors, writes)) =
            self.update(&group_id, false, |g, ctx, fx| g.leave(&leaving, ctx, fx))
        else {
            return top_level(code::UNKNOWN_MEMBER_ID);
        };
        settle(writes).await;
        if version < 3 {
            let error = errors
                .iter()
                .copied()
                .find(|e| *e != code::NONE)
                .unwrap_or(code::NONE);
            return top_level(error);
        }
        let members = leaving
            .into_iter()
            .zip(errors)
            .map(|((member_id, instance_id), error)| {
                MemberResponse::default()
                    .with_member_id(str_bytes(member_id))
                    .with_group_instance_id(instance_id.map(str_bytes))
                    .with_error_code(error)
            })
            .collect();
        LeaveGroupResponse::default().with_members(members)
    }

    // ----- offsets ---------------------------------------------------------

    pub async fn offset_commit(
        &self,
        req: OffsetCommitRequest,
        version: i16,
    ) -> OffsetCommitResponse {
        let group_id = req.group_id.to_string();
        let wall = wall_ms();
        // errors[t][p]: None while the partition still waits for the group checks.
        let mut errors: Vec<Vec<Option<i16>>> = req
            .topics
            .iter()
            .map(|topic| {
                topic
                    .partitions
                    .iter()
                    .map(|p| {
                        if !self.topics.partition_exists(&topic.name, p.partition_index) {
                            Some(ResponseError::UnknownTopicOrPartition.code())
                        } else if p
                            .committed_metadata
                            .as_ref()
                            .is_some_and(|m| m.len() > OFFSET_METADATA_MAX_BYTES)
                        {
                            Some(ResponseError::OffsetMetadataTooLarge.code())
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .collect();

        if errors.iter().flatten().any(Option::is_none) {
            let result = if group_id.len() > MAX_STRING_LEN {
                Err(ResponseError::InvalidGroupId.code())
            } else {
                self.commit(&req, version, &errors, wall).await
            };
            for (t, topic_errors) in errors.iter_mut().enumerate() {
                for (p, error) in topic_errors.iter_mut().enumerate() {
                    if error.is_none() {
                        *error = Some(match &result {
                            Ok(per_partition) => {
                                per_partition.get(&(t, p)).copied().unwrap_or(code::NONE)
                            }
                            Err(code) => *code,
                        });
                    }
                }
            }
        }

        let topics = req
            .topics
            .into_iter()
            .zip(errors)
            .map(|(topic, errors)| {
                let partitions = topic
                    .partitions
                    .iter()
                    .zip(errors)
                    .map(|(p, error)| {
                        OffsetCommitResponsePartition::default()
                            .with_partition_index(p.partition_index)
                            .with_error_code(error.unwrap_or(code::NONE))
                    })
                    .collect();
                OffsetCommitResponseTopic::default()
                    .with_name(topic.name)
                    .with_partitions(partitions)
            })
            .collect();
        OffsetCommitResponse::default().with_topics(topics)
    }

    /// Validates the committer against the group and stores the partitions
    /// still marked `None` in `errors`. `Err` applies to all of them; `Ok`
    /// holds per-partition errors (missing entries mean success).
    async fn commit(
        &self,
        req: &OffsetCommitRequest,
        version: i16,
        errors: &[Vec<Option<i16>>],
        wall: i64,
    ) -> Result<HashMap<(usize, usize), i16>, i16> {
        let group_id = req.group_id.as_str();
        let member_id = req.member_id.as_str();
        let instance_id = req.group_instance_id.as_deref();
        let generation = req.generation_id_or_member_epoch;

        // (topic index, partition index, topic, partition, value)
        let mut valid = Vec::new();
        for (t, topic) in req.topics.iter().enumerate() {
            for (p, partition) in topic.partitions.iter().enumerate() {
                if errors[t][p].is_none() {
                    let value = CommittedOffset {
                        offset: partition.committed_offset,
                        leader_epoch: partition.committed_leader_epoch,
                        metadata: partition
                            .committed_metadata
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_default(),
                        commit_timestamp: wall,
                    };
                    valid.push((
                        t,
                        p,
                        topic.name.to_string(),
                        partition.partition_index,
                        value,
                    ));
                }
            }
        }

        let mut per_partition = HashMap::new();
        let mut records = Vec::with_capacity(valid.len());
        let mut to_apply = Vec::with_capacity(valid.len());
        for (t, p, topic, partition, value) in valid {
            let encoded = records::encode_offset_key(group_id, &topic, partition).and_then(|key| {
                let v = records::encode_offset_value(&OffsetValue {
                    offset: value.offset,
                    leader_epoch: value.leader_epoch,
                    metadata: value.metadata.clone(),
                    commit_timestamp: value.commit_timestamp,
                    expire_timestamp: -1,
                })?;
                Ok((key, Some(v)))
            });
            match encoded {
                Ok(record) => {
                    records.push(record);
                    to_apply.push((t, p, topic, partition, value));
                }
                Err(error) => {
                    tracing::warn!(group = group_id, %error, "cannot encode offset commit");
                    per_partition.insert((t, p), ResponseError::UnknownServerError.code());
                }
            }
        }
        if records.is_empty() {
            return Ok(per_partition);
        }

        // An unknown group is created only for a simple (generation < 0) commit.
        let create = generation < 0;
        let mut records = Some(records);
        let attempt = self.update(
            group_id,
            create,
            |g, ctx, _| -> Result<(u64, WriteFuture), i16> {
                g.validate_offset_commit(member_id, instance_id, generation)?;
                g.touch_member(member_id, ctx);
                let seq = g.next_seq();
                g.begin_write();
                Ok((seq, self.start_write(records.take().unwrap_or_default())))
            },
        );
        let (group, (seq, write)) = match attempt {
            None if version >= 9 => return Err(ResponseError::GroupIdNotFound.code()),
            None => return Err(code::ILLEGAL_GENERATION),
            Some((_, Err(error), _)) => return Err(error),
            Some((group, Ok(started), _)) => (group, started),
        };
        let ok = stored(write).await;
        let mut g = group.lock();
        g.end_write();
        if !ok {
            return Err(code::COORDINATOR_NOT_AVAILABLE);
        }
        // A group deleted meanwhile wrote its tombstones after this commit.
        if g.state() != GroupState::Dead {
            for (_, _, topic, partition, value) in to_apply {
                g.apply_offset(&topic, partition, seq, value);
            }
        }
        Ok(per_partition)
    }

    pub async fn offset_fetch(
        &self,
        req: OffsetFetchRequest,
        _version: i16,
    ) -> OffsetFetchResponse {
        let group = self.lookup(&req.group_id);
        let guard = group.as_ref().map(|g| g.lock());
        let group = guard.as_deref().filter(|g| g.state() != GroupState::Dead);

        let partition = |index: i32, offset: Option<&CommittedOffset>| match offset {
            Some(o) => OffsetFetchResponsePartition::default()
                .with_partition_index(index)
                .with_committed_offset(o.offset)
                .with_committed_leader_epoch(o.leader_epoch)
                .with_metadata(Some(str_bytes(o.metadata.clone())))
                .with_error_code(code::NONE),
            None => OffsetFetchResponsePartition::default()
                .with_partition_index(index)
                .with_committed_offset(-1)
                .with_committed_leader_epoch(-1)
                .with_metadata(Some(StrBytes::new()))
                .with_error_code(code::NONE),
        };

        let topics = match &req.topics {
            Some(topics) => topics
                .iter()
                .map(|topic| {
                    let partitions = topic
                        .partition_indexes
                        .iter()
                        .map(|&p| partition(p, group.and_then(|g| g.offset(&topic.name, p))))
                        .collect();
                    OffsetFetchResponseTopic::default()
                        .with_name(topic.name.clone())
                        .with_partitions(partitions)
                })
                .collect(),
            None => {
                let mut topics: Vec<OffsetFetchResponseTopic> = Vec::new();
                for (name, p, offset) in group.iter().flat_map(|g| g.all_offsets()) {
                    if topics.last().is_none_or(|t| t.name.as_str() != name) {
                        topics.push(
                            OffsetFetchResponseTopic::default()
                                .with_name(TopicName(str_bytes(name))),
                        );
                    }
                    if let Some(topic) = topics.last_mut() {
                        topic.partitions.push(partition(p, Some(offset)));
                    }
                }
                topics
            }
        };
        OffsetFetchResponse::default()
            .with_topics(topics)
            .with_error_code(code::NONE)
    }

    // ----- admin -----------------------------------------------------------

    pub async fn describe_groups(
        &self,
        req: DescribeGroupsRequest,
        version: i16,
    ) -> DescribeGroupsResponse {
        let with_operations = version >= 3 && req.include_authorized_operations;
        let groups = req
            .groups
            .into_iter()
            .map(|group_id| {
                let mut described = self.describe_group(&group_id, version);
                if with_operations && described.error_code == code::NONE {
                    described.authorized_operations = GROUP_AUTHORIZED_OPERATIONS;
                }
                described.group_id = group_id;
                described
            })
            .collect();
        DescribeGroupsResponse::default().with_groups(groups)
    }

    fn describe_group(&self, group_id: &str, version: i16) -> DescribedGroup {
        if group_id.is_empty() {
            return DescribedGroup::default().with_error_code(ResponseError::InvalidGroupId.code());
        }
        let group = self.lookup(group_id);
        let guard = group.as_ref().map(|g| g.lock());
        let Some(g) = guard.as_deref().filter(|g| g.state() != GroupState::Dead) else {
            // Unknown groups are "Dead" with no error before v6 (Kafka).
            let dead =
                DescribedGroup::default().with_group_state(str_bytes(GroupState::Dead.as_str()));
            return if version >= 6 {
                dead.with_error_code(ResponseError::GroupIdNotFound.code())
                    .with_error_message(Some(str_bytes(format!("Group {group_id} not found."))))
            } else {
                dead
            };
        };
        let members = g
            .describe_members()
            .into_iter()
            .map(|m| {
                DescribedGroupMember::default()
                    .with_member_id(str_bytes(m.member_id))
                    .with_group_instance_id(if version >= 4 {
                        m.group_instance_id.map(str_bytes)
                    } else {
                        None
                    })
                    .with_client_id(str_bytes(m.client_id))
                    .with_client_host(str_bytes(m.client_host))
                    .with_member_metadata(m.metadata)
                    .with_member_assignment(m.assignment)
            })
            .collect();
        let protocol_data = match g.state() {
            GroupState::Stable => g.protocol_name().unwrap_or_default().to_owned(),
            _ => String::new(),
        };
        DescribedGroup::default()
            .with_group_state(str_bytes(g.state().as_str()))
            .with_protocol_type(str_bytes(g.protocol_type().unwrap_or_default()))
            .with_protocol_data(str_bytes(protocol_data))
            .with_members(members)
    }

    pub async fn list_groups(&self, req: ListGroupsRequest, version: i16) -> ListGroupsResponse {
        let states: Vec<String> = if version >= 4 {
            req.states_filter.iter().map(|s| s.to_lowercase()).collect()
        } else {
            Vec::new()
        };
        let types: Vec<String> = if version >= 5 {
            req.types_filter.iter().map(|s| s.to_lowercase()).collect()
        } else {
            Vec::new()
        };
        if !types.is_empty() && !types.iter().any(|t| t == "classic") {
            return ListGroupsResponse::default();
        }
        let snapshot: Vec<GroupRef> = self.groups.read().values().cloned().collect();
        let mut groups: Vec<ListedGroup> = snapshot
            .iter()
            .filter_map(|group| {
                let g = group.lock();
                let state = g.state();
                if state == GroupState::Dead {
                    return None;
                }
                if !states.is_empty() && !states.contains(&state.as_str().to_lowercase()) {
                    return None;
                }
                let mut listed = ListedGroup::default()
                    .with_group_id(GroupId(str_bytes(g.id())))
                    .with_protocol_type(str_bytes(g.protocol_type().unwrap_or_default()));
                if version >= 4 {
                    listed.group_state = str_bytes(state.as_str());
                }
                if version >= 5 {
                    listed.group_type = StrBytes::from_static_str("classic");
                }
                Some(listed)
            })
            .collect();
        groups.sort_by(|a, b| a.group_id.as_str().cmp(b.group_id.as_str()));
        ListGroupsResponse::default().with_groups(groups)
    }

    pub async fn delete_groups(
        &self,
        req: DeleteGroupsRequest,
        _version: i16,
    ) -> DeleteGroupsResponse {
        let mut results = Vec::with_capacity(req.groups_names.len());
        for group_id in req.groups_names {
            let error = self.delete_group(&group_id).await;
            results.push(
                DeletableGroupResult::default()
                    .with_group_id(group_id)
                    .with_error_code(error),
            );
        }
        DeleteGroupsResponse::default().with_results(results)
    }

    async fn delete_group(&self, group_id: &str) -> i16 {
        if group_id.is_empty() {
            return ResponseError::InvalidGroupId.code();
        }
        let attempt = self.update(group_id, false, |g, ctx, _| -> Result<WriteFuture, i16> {
            if g.state() != GroupState::Empty {
                return Err(ResponseError::NonEmptyGroup.code());
            }
            let mut records = Vec::new();
            for (topic, partition, _) in g.all_offsets() {
                match records::encode_offset_key(group_id, topic, partition) {
                    Ok(key) => records.push((key, None)),
                    Err(error) => {
                        tracing::warn!(group = group_id, %error, "cannot encode offset tombstone")
                    }
                }
            }
            match records::encode_group_key(group_id) {
                Ok(key) => records.push((key, None)),
                Err(_) => return Err(ResponseError::InvalidGroupId.code()),
            }
            g.mark_dead(ctx);
            Ok(self.start_write(records))
        });
        let (group, write) = match attempt {
            None => return ResponseError::GroupIdNotFound.code(),
            Some((_, Err(error), _)) => return error,
            Some((group, Ok(write), _)) => (group, write),
        };
        // Removed right away so that new requests start a fresh group, whose
        // records follow the tombstones in the log.
        {
            let g = group.lock();
            if g.state() == GroupState::Dead {
                self.remove_if_same(group_id, &group);
            }
        }
        if stored(write).await {
            tracing::info!(group = group_id, "deleted group");
            return code::NONE;
        }
        // Put the group back unless a new one took its place.
        let mut g = group.lock();
        g.revive(&self.ctx());
        let mut groups = self.groups.write();
        groups
            .entry(group_id.to_owned())
            .or_insert_with(|| Arc::clone(&group));
        code::COORDINATOR_NOT_AVAILABLE
    }

    pub async fn offset_delete(
        &self,
        req: OffsetDeleteRequest,
        _version: i16,
    ) -> OffsetDeleteResponse {
        let group_id = req.group_id.to_string();
        let top_level = |error: i16| OffsetDeleteResponse::default().with_error_code(error);
        if group_id.is_empty() {
            return top_level(ResponseError::InvalidGroupId.code());
        }
        // (topic, partition, seq, previous value) of every tombstone written.
        type Deleted = Vec<(String, i32, u64, CommittedOffset)>;
        type Started = (Vec<OffsetDeleteResponseTopic>, Deleted, Option<WriteFuture>);
        let attempt = self.update(&group_id, false, |g, _, _| -> Result<Started, i16> {
            if g.state() != GroupState::Empty && g.protocol_type() != Some("consumer") {
                return Err(ResponseError::NonEmptyGroup.code());
            }
            let seq = g.next_seq();
            let mut records = Vec::new();
            let mut deleted: Deleted = Vec::new();
            let mut topics = Vec::with_capacity(req.topics.len());
            for topic in &req.topics {
                let subscribed = g.is_subscribed_to_topic(&topic.name);
                let mut partitions = Vec::with_capacity(topic.partitions.len());
                for p in &topic.partitions {
                    let index = p.partition_index;
                    let error = if !self.topics.partition_exists(&topic.name, index) {
                        ResponseError::UnknownTopicOrPartition.code()
                    } else if subscribed {
                        ResponseError::GroupSubscribedToTopic.code()
                    } else {
                        let key = records::encode_offset_key(&group_id, &topic.name, index);
                        if let (Ok(key), Some(_)) = (key, g.offset(&topic.name, index)) {
                            if let Some(previous) = g.tombstone_offset(&topic.name, index, seq) {
                                records.push((key, None));
                                deleted.push((topic.name.to_string(), index, seq, previous));
                            }
                        }
                        code::NONE
                    };
                    partitions.push(
                        OffsetDeleteResponsePartition::default()
                            .with_partition_index(index)
                            .with_error_code(error),
                    );
                }
                topics.push(
                    OffsetDeleteResponseTopic::default()
                        .with_name(topic.name.clone())
                        .with_partitions(partitions),
                );
            }
            let write = if records.is_empty() {
                None
            } else {
                g.begin_write();
                Some(self.start_write(records))
            };
            Ok((topics, deleted, write))
        });
        let (group, (topics, deleted, write)) = match attempt {
            None => return top_level(ResponseError::GroupIdNotFound.code()),
            Some((_, Err(error), _)) => return top_level(error),
            Some((group, Ok(result), _)) => (group, result),
        };
        let Some(write) = write else {
            return OffsetDeleteResponse::default().with_topics(topics);
        };
        let ok = stored(write).await;
        let mut g = group.lock();
        g.end_write();
        for (topic, partition, seq, previous) in deleted {
            g.finish_tombstone(
                &topic,
                partition,
                seq,
                if ok { None } else { Some(previous) },
            );
        }
        if ok {
            OffsetDeleteResponse::default().with_topics(topics)
        } else {
            top_level(code::COORDINATOR_NOT_AVAILABLE)
        }
    }
}

/// Builds a JoinGroup response that encodes at `version`.
fn join_response(o: JoinOutcome, version: i16) -> JoinGroupResponse {
    let members = o
        .members
        .into_iter()
        .map(|m| {
            JoinGroupResponseMember::default()
                .with_member_id(str_bytes(m.member_id))
                .with_group_instance_id(if version >= 5 {
                    m.group_instance_id.map(str_bytes)
                } else {
                    None
                })
                .with_metadata(m.metadata)
        })
        .collect();
    // Before v7 the protocol name is not nullable; from v7 an empty name is sent as null (Kafka).
    let protocol_name = match o.protocol_name.filter(|n| !n.is_empty()) {
        Some(name) => Some(str_bytes(name)),
        None if version < 7 => Some(StrBytes::new()),
        None => None,
    };
    JoinGroupResponse::default()
        .with_error_code(o.error)
        .with_generation_id(o.generation)
        .with_protocol_type(if version >= 7 {
            o.protocol_type.map(str_bytes)
        } else {
            None
        })
        .with_protocol_name(protocol_name)
        .with_leader(str_bytes(o.leader))
        .with_skip_assignment(version >= 9 && o.skip_assignment)
        .with_member_id(str_bytes(o.member_id))
        .with_members(members)
}

/// Builds a SyncGroup response that encodes at `version`.
fn sync_response(o: SyncOutcome, version: i16) -> SyncGroupResponse {
    let response = SyncGroupResponse::default()
        .with_error_code(o.error)
        .with_assignment(o.assignment);
    if version >= 5 {
        response
            .with_protocol_type(o.protocol_type.map(str_bytes))
            .with_protocol_name(o.protocol_name.map(str_bytes))
    } else {
        response
    }
}
