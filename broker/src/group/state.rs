//! The classic group state machine, one [`Group`] per group id.
//!
//! This follows Kafka's `ClassicGroup` / `GroupMetadataManager` (4.x) step by
//! step: the same states, the same transitions, the same error for the same
//! situation. Everything here is synchronous and I/O-free; it runs under the
//! group's mutex. Work that must reach the log comes back as records in
//! [`Effects`] (or in a `Persist` variant when an answer waits for the write),
//! and the caller appends them. Time is passed in through [`Ctx`], so the
//! tests drive it with tokio's paused clock.
//!
//! Timers are deadlines stored on the group (join completion, pending sync,
//! one heartbeat deadline per member and per pending member); the
//! coordinator's background task calls [`Group::on_timers`] when the earliest
//! one ([`Group::next_deadline`]) has passed.

use super::records::{self, GroupMetadataValue, MemberMetadata};
use bytes::Bytes;
use kafka_protocol::messages::ConsumerProtocolSubscription;
use kafka_protocol::protocol::Decodable;
use kafka_protocol::ResponseError;
use std::collections::{BTreeMap, HashMap, HashSet};
use tokio::sync::oneshot;
use tokio::time::{Duration, Instant};

/// How long a new member's JoinGroup may stay parked before the member is
/// dropped (Kafka's `group.classic.new.member.join.timeout.ms`): parked clients
/// cannot heartbeat, and one that gave up must not hold the rebalance forever.
pub(crate) const NEW_MEMBER_JOIN_TIMEOUT: Duration = Duration::from_secs(300);

/// The protocol type whose metadata the coordinator understands (for OffsetDelete).
const CONSUMER_PROTOCOL_TYPE: &str = "consumer";

/// Error codes used by the state machine.
pub(crate) mod code {
    use super::ResponseError as E;
    pub const NONE: i16 = 0;
    pub const UNKNOWN_MEMBER_ID: i16 = E::UnknownMemberId.code();
    pub const ILLEGAL_GENERATION: i16 = E::IllegalGeneration.code();
    pub const REBALANCE_IN_PROGRESS: i16 = E::RebalanceInProgress.code();
    pub const INCONSISTENT_GROUP_PROTOCOL: i16 = E::InconsistentGroupProtocol.code();
    pub const MEMBER_ID_REQUIRED: i16 = E::MemberIdRequired.code();
    pub const FENCED_INSTANCE_ID: i16 = E::FencedInstanceId.code();
    pub const COORDINATOR_NOT_AVAILABLE: i16 = E::CoordinatorNotAvailable.code();
}

/// A classic group's state, named as Kafka names them in DescribeGroups / ListGroups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    /// Deleted: the group object is about to disappear from the coordinator's map.
    Dead,
}

impl GroupState {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

/// The clock and configuration an operation runs with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub now: Instant,
    /// Wall-clock milliseconds, for timestamps that are persisted.
    pub wall_ms: i64,
    pub initial_rebalance_delay: Duration,
}

/// Records to append to `__consumer_offsets`, one batch per entry, in order.
pub(crate) type Records = Vec<(Bytes, Option<Bytes>)>;

/// Side effects of a state machine step that nobody waits for.
#[derive(Default)]
pub(crate) struct Effects {
    pub writes: Vec<Records>,
}

/// A member as listed to the leader in its JoinGroup response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoinMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub metadata: Bytes,
}

/// A JoinGroup answer, independent of the request version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoinOutcome {
    pub error: i16,
    pub generation: i32,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    pub leader: String,
    pub member_id: String,
    pub skip_assignment: bool,
    pub members: Vec<JoinMember>,
}

impl JoinOutcome {
    pub fn error(error: i16, member_id: impl Into<String>) -> Self {
        JoinOutcome {
            error,
            generation: -1,
            protocol_type: None,
            protocol_name: None,
            leader: String::new(),
            member_id: member_id.into(),
            skip_assignment: false,
            members: Vec::new(),
        }
    }
}

/// A SyncGroup answer, independent of the request version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SyncOutcome {
    pub error: i16,
    pub protocol_type: Option<String>,
    pub protocol_name: Option<String>,
    pub assignment: Bytes,
}

impl SyncOutcome {
    pub fn error(error: i16) -> Self {
        SyncOutcome {
            error,
            ..SyncOutcome::default()
        }
    }
}

/// What a JoinGroup request carries, already validated by the coordinator.
#[derive(Debug, Clone)]
pub(crate) struct JoinParams {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub session_timeout_ms: i32,
    pub rebalance_timeout_ms: i32,
    pub protocol_type: String,
    /// (name, metadata) in the member's order of preference.
    pub protocols: Vec<(String, Bytes)>,
    /// JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED.
    pub require_known_member_id: bool,
    /// JoinGroup v9+ (KIP-814): a rejoining static leader may skip the assignment.
    pub supports_skip_assignment: bool,
}

/// How a JoinGroup request continues after the state machine has seen it.
pub(crate) enum JoinStart {
    /// Answered at once.
    Done(JoinOutcome),
    /// Parked until the join phase completes.
    Wait(oneshot::Receiver<JoinOutcome>),
    /// A static member replaced its old instance without a rebalance: the new
    /// member id must be durable before it is answered ([`Group::finish_static_replace`]).
    Persist {
        records: Records,
        replace: StaticReplace,
        rx: oneshot::Receiver<JoinOutcome>,
    },
}

/// What [`Group::finish_static_replace`] needs to answer or revert.
pub(crate) struct StaticReplace {
    instance_id: String,
    old_member_id: String,
    new_member_id: String,
    old_protocols: Vec<(String, Bytes)>,
    old_rebalance_timeout_ms: i32,
    old_session_timeout_ms: i32,
    leader_before: String,
    supports_skip_assignment: bool,
}

/// How a SyncGroup request continues.
pub(crate) enum SyncStart {
    Done(SyncOutcome),
    /// Parked until the leader's assignment is stored.
    Wait(oneshot::Receiver<SyncOutcome>),
    /// The leader's assignment: store `records`, then call [`Group::finish_assignment`].
    Persist {
        generation: i32,
        assignment: HashMap<String, Bytes>,
        records: Option<Records>,
        rx: oneshot::Receiver<SyncOutcome>,
    },
}

/// A committed offset as the coordinator serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommittedOffset {
    pub offset: i64,
    pub leader_epoch: i32,
    pub metadata: String,
    pub commit_timestamp: i64,
}

/// The latest write for one partition, tagged with the group-local sequence
/// number of its append. Appends reach the log in sequence order, so applying
/// only newer sequence numbers keeps memory equal to what a replay of the log
/// gives. `None` is a tombstone whose write has not completed yet.
#[derive(Debug, Clone)]
struct OffsetSlot {
    seq: u64,
    value: Option<CommittedOffset>,
}

#[derive(Debug)]
struct Member {
    id: String,
    instance_id: Option<String>,
    client_id: String,
    client_host: String,
    rebalance_timeout_ms: i32,
    session_timeout_ms: i32,
    protocol_type: String,
    protocols: Vec<(String, Bytes)>,
    assignment: Bytes,
    join_tx: Option<oneshot::Sender<JoinOutcome>>,
    sync_tx: Option<oneshot::Sender<SyncOutcome>>,
    /// Joined but not yet through a completed join phase.
    is_new: bool,
    /// When the member expires unless it heartbeats; `None` while no
    /// heartbeat is expected (Kafka's satisfied-heartbeat case).
    heartbeat_deadline: Option<Instant>,
}

impl Member {
    fn awaiting_join(&self) -> bool {
        self.join_tx.is_some()
    }

    fn awaiting_sync(&self) -> bool {
        self.sync_tx.is_some()
    }

    /// Kafka's `hasSatisfiedHeartbeat`: members parked in a join or sync are
    /// alive by definition, except new members, which time out while parked.
    fn has_satisfied_heartbeat(&self) -> bool {
        !self.is_new && (self.awaiting_join() || self.awaiting_sync())
    }

    fn metadata(&self, protocol: &str) -> Bytes {
        self.protocols
            .iter()
            .find(|(name, _)| name == protocol)
            .map(|(_, metadata)| metadata.clone())
            .unwrap_or_default()
    }

    /// Same protocols, same metadata, same order.
    fn matches(&self, protocols: &[(String, Bytes)]) -> bool {
        self.protocols == protocols
    }

    fn reschedule_heartbeat(&mut self, now: Instant, timeout: Duration) {
        self.heartbeat_deadline = Some(now + timeout);
    }

    fn session_timeout(&self) -> Duration {
        millis(self.session_timeout_ms)
    }

    fn complete_join(&mut self, outcome: JoinOutcome) -> bool {
        match self.join_tx.take() {
            Some(tx) => {
                // The requester may have gone away; nothing to do then.
                let _ = tx.send(outcome);
                true
            }
            None => false,
        }
    }

    fn complete_sync(&mut self, outcome: SyncOutcome) -> bool {
        match self.sync_tx.take() {
            Some(tx) => {
                let _ = tx.send(outcome);
                true
            }
            None => false,
        }
    }
}

/// Pending initial rebalance (a group leaving Empty): the join phase is
/// extended by `delay` while new members keep arriving, up to `remaining`.
#[derive(Debug, Clone, Copy)]
struct InitialJoin {
    delay: Duration,
    remaining: Duration,
}

/// One classic group: membership, rebalance state and committed offsets.
#[derive(Debug)]
pub(crate) struct Group {
    id: String,
    state: GroupState,
    previous_state: GroupState,
    state_timestamp_ms: i64,
    protocol_type: Option<String>,
    protocol_name: Option<String>,
    generation: i32,
    leader: Option<String>,
    /// In join order (leader re-election picks the oldest member).
    members: Vec<Member>,
    /// group instance id → member id.
    static_members: HashMap<String, String>,
    /// Members that got MEMBER_ID_REQUIRED, with their expiry.
    pending_members: HashMap<String, Instant>,
    /// Members of the current generation that have not sent SyncGroup yet.
    pending_sync: HashSet<String>,
    /// (deadline, generation) of the pending-sync timer.
    sync_deadline: Option<(Instant, i32)>,
    join_deadline: Option<Instant>,
    initial_join: Option<InitialJoin>,
    new_member_added: bool,
    subscribed_topics: Option<HashSet<String>>,
    offsets: BTreeMap<String, BTreeMap<i32, OffsetSlot>>,
    next_seq: u64,
    /// Writes started and not yet completed; the group is not disposable meanwhile.
    writes_in_flight: usize,
}

fn millis(ms: i32) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

impl Group {
    pub fn new(id: impl Into<String>, wall_ms: i64) -> Self {
        Group {
            id: id.into(),
            state: GroupState::Empty,
            previous_state: GroupState::Dead,
            state_timestamp_ms: wall_ms,
            protocol_type: None,
            protocol_name: None,
            generation: 0,
            leader: None,
            members: Vec::new(),
            static_members: HashMap::new(),
            pending_members: HashMap::new(),
            pending_sync: HashSet::new(),
            sync_deadline: None,
            join_deadline: None,
            initial_join: None,
            new_member_added: false,
            subscribed_topics: None,
            offsets: BTreeMap::new(),
            next_seq: 1,
            writes_in_flight: 0,
        }
    }

    // ----- accessors -------------------------------------------------------

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn state(&self) -> GroupState {
        self.state
    }

    pub fn protocol_type(&self) -> Option<&str> {
        self.protocol_type.as_deref()
    }

    pub fn protocol_name(&self) -> Option<&str> {
        self.protocol_name.as_deref()
    }

    /// DescribeGroups' member list: metadata and assignment only when Stable,
    /// as Kafka does (`describe` vs `describeNoMetadata`).
    pub fn describe_members(&self) -> Vec<DescribedMember> {
        let protocol = match (self.state, &self.protocol_name) {
            (GroupState::Stable, Some(p)) => Some(p.as_str()),
            _ => None,
        };
        self.members
            .iter()
            .map(|m| DescribedMember {
                member_id: m.id.clone(),
                group_instance_id: m.instance_id.clone(),
                client_id: m.client_id.clone(),
                client_host: m.client_host.clone(),
                metadata: protocol.map(|p| m.metadata(p)).unwrap_or_default(),
                assignment: if protocol.is_some() {
                    m.assignment.clone()
                } else {
                    Bytes::new()
                },
            })
            .collect()
    }

    /// Whether OffsetDelete must refuse `topic` (Kafka's `isSubscribedToTopic`).
    pub fn is_subscribed_to_topic(&self, topic: &str) -> bool {
        match &self.subscribed_topics {
            Some(topics) => topics.contains(topic),
            None => self.uses_consumer_protocol(),
        }
    }

    fn uses_consumer_protocol(&self) -> bool {
        self.protocol_type.as_deref() == Some(CONSUMER_PROTOCOL_TYPE)
    }

    fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    fn member_mut(&mut self, id: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.id == id)
    }

    fn has_member(&self, id: &str) -> bool {
        self.member(id).is_some()
    }

    fn is_leader(&self, id: &str) -> bool {
        self.leader.as_deref() == Some(id)
    }

    /// The group's rebalance timeout: the largest of its members'.
    fn rebalance_timeout(&self) -> Duration {
        self.members
            .iter()
            .map(|m| millis(m.rebalance_timeout_ms))
            .max()
            .unwrap_or_default()
    }

    fn has_all_members_joined(&self) -> bool {
        self.members.iter().all(Member::awaiting_join) && self.pending_members.is_empty()
    }

    fn can_rebalance(&self) -> bool {
        matches!(
            self.state,
            GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty
        )
    }

    fn transition(&mut self, to: GroupState, ctx: &Ctx) {
        self.previous_state = self.state;
        self.state = to;
        self.state_timestamp_ms = ctx.wall_ms;
    }

    /// The earliest deadline the background task must wake up for.
    pub fn next_deadline(&self) -> Option<Instant> {
        let members = self.members.iter().filter_map(|m| m.heartbeat_deadline);
        let pending = self.pending_members.values().copied();
        let timers = [self.join_deadline, self.sync_deadline.map(|(d, _)| d)];
        members
            .chain(pending)
            .chain(timers.into_iter().flatten())
            .min()
    }

    /// Kafka's `supportsProtocols`: an empty group takes any non-empty type and
    /// protocol list; otherwise the type must match and at least one of the
    /// protocols must be supported by every current member.
    fn supports_protocols(&self, protocol_type: &str, protocols: &[(String, Bytes)]) -> bool {
        if self.state == GroupState::Empty {
            return !protocol_type.is_empty() && !protocols.is_empty();
        }
        self.protocol_type.as_deref() == Some(protocol_type)
            && protocols.iter().any(|(name, _)| {
                self.members
                    .iter()
                    .all(|m| m.protocols.iter().any(|(n, _)| n == name))
            })
    }

    /// Kafka's `selectProtocol`: among the protocols every member supports,
    /// each member votes for its most preferred; the most votes win. Ties go
    /// to the protocol voted first (Kafka leaves ties to hash order).
    fn select_protocol(&self) -> Option<String> {
        let first = self.members.first()?;
        let candidates: Vec<&str> = first
            .protocols
            .iter()
            .map(|(name, _)| name.as_str())
            .filter(|name| {
                self.members
                    .iter()
                    .all(|m| m.protocols.iter().any(|(n, _)| n == name))
            })
            .collect();
        let mut votes: Vec<(&str, usize)> = Vec::new();
        for member in &self.members {
            let Some(vote) = member
                .protocols
                .iter()
                .map(|(name, _)| name.as_str())
                .find(|name| candidates.contains(name))
            else {
                continue;
            };
            match votes.iter_mut().find(|(name, _)| *name == vote) {
                Some((_, count)) => *count += 1,
                None => votes.push((vote, 1)),
            }
        }
        let mut best: Option<(&str, usize)> = None;
        for (name, count) in votes {
            if best.is_none_or(|(_, c)| count > c) {
                best = Some((name, count));
            }
        }
        best.map(|(name, _)| name.to_owned())
    }

    /// The union of the members' subscribed topics when the group uses the
    /// consumer protocol and every subscription parses (`computeSubscribedTopics`).
    fn compute_subscribed_topics(&self) -> Option<HashSet<String>> {
        if !self.uses_consumer_protocol() {
            return None;
        }
        if self.members.is_empty() {
            return Some(HashSet::new());
        }
        let protocol = self.protocol_name.as_deref()?;
        let mut topics = HashSet::new();
        for member in &self.members {
            let mut metadata = member.metadata(protocol);
            // Parse with v0, the prefix of every version, after the version field.
            if metadata.len() < 2 {
                return None;
            }
            let _version = metadata.split_to(2);
            let subscription = ConsumerProtocolSubscription::decode(&mut metadata, 0).ok()?;
            topics.extend(subscription.topics.iter().map(|t| t.to_string()));
        }
        Some(topics)
    }

    fn join_members(&self) -> Vec<JoinMember> {
        let protocol = self.protocol_name.as_deref().unwrap_or_default();
        self.members
            .iter()
            .map(|m| JoinMember {
                member_id: m.id.clone(),
                group_instance_id: m.instance_id.clone(),
                metadata: m.metadata(protocol),
            })
            .collect()
    }

    /// The JoinGroup answer for `member_id` in the current generation.
    fn current_join_outcome(&self, member_id: &str, with_members: bool) -> JoinOutcome {
        JoinOutcome {
            error: code::NONE,
            generation: self.generation,
            protocol_type: self.protocol_type.clone(),
            protocol_name: self.protocol_name.clone(),
            leader: self.leader.clone().unwrap_or_default(),
            member_id: member_id.to_owned(),
            skip_assignment: false,
            members: if with_members {
                self.join_members()
            } else {
                Vec::new()
            },
        }
    }

    /// The group metadata record for the current state, with `assignment` (or
    /// each member's current assignment). `None` if it cannot be encoded.
    fn group_record(
        &self,
        assignment: Option<&HashMap<String, Bytes>>,
        ctx: &Ctx,
    ) -> Option<Records> {
        let protocol = self.protocol_name.as_deref();
        let value = GroupMetadataValue {
            protocol_type: self.protocol_type.clone().unwrap_or_default(),
            generation: self.generation,
            protocol: self.protocol_name.clone(),
            leader: self.leader.clone(),
            current_state_timestamp: if self.state_timestamp_ms > 0 {
                self.state_timestamp_ms
            } else {
                ctx.wall_ms
            },
            members: self
                .members
                .iter()
                .map(|m| MemberMetadata {
                    member_id: m.id.clone(),
                    group_instance_id: m.instance_id.clone(),
                    client_id: m.client_id.clone(),
                    client_host: m.client_host.clone(),
                    rebalance_timeout: m.rebalance_timeout_ms,
                    session_timeout: m.session_timeout_ms,
                    subscription: protocol.map(|p| m.metadata(p)).unwrap_or_default(),
                    assignment: match assignment {
                        Some(a) => a.get(&m.id).cloned().unwrap_or_default(),
                        None => m.assignment.clone(),
                    },
                })
                .collect(),
        };
        let encoded = records::encode_group_key(&self.id).and_then(|key| {
            let value = records::encode_group_value(&value)?;
            Ok((key, Some(value)))
        });
        match encoded {
            Ok(record) => Some(vec![record]),
            Err(error) => {
                tracing::error!(group = %self.id, %error, "cannot encode group metadata record");
                None
            }
        }
    }

    // ----- membership ------------------------------------------------------

    fn add_member(&mut self, member: Member) {
        if let Some(instance) = &member.instance_id {
            self.static_members
                .insert(instance.clone(), member.id.clone());
        }
        if self.members.is_empty() {
            self.protocol_type = Some(member.protocol_type.clone());
        }
        if self.leader.is_none() {
            self.leader = Some(member.id.clone());
        }
        self.pending_members.remove(&member.id);
        self.members.push(member);
    }

    fn remove_member(&mut self, id: &str) -> Option<Member> {
        let index = self.members.iter().position(|m| m.id == id);
        let removed = index.map(|i| self.members.remove(i));
        if let Some(instance) = removed.as_ref().and_then(|m| m.instance_id.as_ref()) {
            if self.static_members.get(instance).map(String::as_str) == Some(id) {
                self.static_members.remove(instance);
            }
        }
        if self.is_leader(id) {
            self.leader = self.members.first().map(|m| m.id.clone());
        }
        self.pending_members.remove(id);
        self.pending_sync.remove(id);
        removed
    }

    /// Kafka's `validateMember`: the instance id (if any) must map to this
    /// member id, and the member must exist.
    fn validate_member(&self, member_id: &str, instance_id: Option<&str>) -> Result<(), i16> {
        if let Some(instance) = instance_id {
            match self.static_members.get(instance) {
                None => return Err(code::UNKNOWN_MEMBER_ID),
                Some(existing) if existing != member_id => return Err(code::FENCED_INSTANCE_ID),
                Some(_) => {}
            }
        }
        if self.has_member(member_id) {
            Ok(())
        } else {
            Err(code::UNKNOWN_MEMBER_ID)
        }
    }

    /// Kafka's `maybeElectNewJoinedLeader`.
    fn maybe_elect_new_joined_leader(&mut self) -> bool {
        let Some(leader) = self.leader.clone() else {
            return false;
        };
        if self.member(&leader).is_some_and(Member::awaiting_join) {
            return true;
        }
        match self.members.iter().find(|m| m.awaiting_join()) {
            Some(m) => {
                tracing::info!(group = %self.id, old_leader = %leader, new_leader = %m.id, "group leader did not rejoin; elected a new leader");
                self.leader = Some(m.id.clone());
                true
            }
            None => false,
        }
    }

    // ----- JoinGroup -------------------------------------------------------

    pub fn join(&mut self, p: JoinParams, ctx: &Ctx, fx: &mut Effects) -> JoinStart {
        if p.member_id.is_empty() {
            return self.join_new_member(p, ctx, fx);
        }
        if !self.supports_protocols(&p.protocol_type, &p.protocols) {
            return JoinStart::Done(JoinOutcome::error(
                code::INCONSISTENT_GROUP_PROTOCOL,
                p.member_id,
            ));
        }
        if self.pending_members.contains_key(&p.member_id) {
            tracing::info!(group = %self.id, member = %p.member_id, "pending member joins the group");
            let id = p.member_id.clone();
            return self.add_member_and_rebalance(p, id, ctx, fx);
        }
        if let Err(error) = self.validate_member(&p.member_id, p.group_instance_id.as_deref()) {
            return JoinStart::Done(JoinOutcome::error(error, p.member_id));
        }
        let Some(member) = self.member(&p.member_id) else {
            return JoinStart::Done(JoinOutcome::error(code::UNKNOWN_MEMBER_ID, p.member_id));
        };
        let matches = member.matches(&p.protocols);
        match self.state {
            GroupState::PreparingRebalance => self.update_member_and_rebalance(p, ctx, fx),
            GroupState::CompletingRebalance if matches => {
                // The member missed its JoinGroup answer; give it the same one again.
                let leader = self.is_leader(&p.member_id);
                JoinStart::Done(self.current_join_outcome(&p.member_id, leader))
            }
            GroupState::CompletingRebalance => self.update_member_and_rebalance(p, ctx, fx),
            GroupState::Stable if self.is_leader(&p.member_id) || !matches => {
                // The leader rejoining forces a rebalance: that is how it reacts to
                // changes its members' metadata does not show (e.g. new partitions).
                self.update_member_and_rebalance(p, ctx, fx)
            }
            GroupState::Stable => JoinStart::Done(self.current_join_outcome(&p.member_id, false)),
            GroupState::Empty | GroupState::Dead => {
                JoinStart::Done(JoinOutcome::error(code::UNKNOWN_MEMBER_ID, p.member_id))
            }
        }
    }

    fn join_new_member(&mut self, p: JoinParams, ctx: &Ctx, fx: &mut Effects) -> JoinStart {
        if !self.supports_protocols(&p.protocol_type, &p.protocols) {
            return JoinStart::Done(JoinOutcome::error(code::INCONSISTENT_GROUP_PROTOCOL, ""));
        }
        let prefix = p.group_instance_id.as_deref().unwrap_or(&p.client_id);
        let new_id = format!("{prefix}-{}", uuid::Uuid::new_v4());
        if let Some(instance) = p.group_instance_id.clone() {
            return match self.static_members.get(&instance).cloned() {
                Some(old_id) if self.has_member(&old_id) => {
                    self.replace_static_member(p, instance, old_id, new_id, ctx, fx)
                }
                _ => self.add_member_and_rebalance(p, new_id, ctx, fx),
            };
        }
        if p.require_known_member_id {
            tracing::debug!(group = %self.id, member = %new_id, "new member must rejoin with its assigned member id");
            self.pending_members
                .insert(new_id.clone(), ctx.now + millis(p.session_timeout_ms));
            return JoinStart::Done(JoinOutcome::error(code::MEMBER_ID_REQUIRED, new_id));
        }
        self.add_member_and_rebalance(p, new_id, ctx, fx)
    }

    fn add_member_and_rebalance(
        &mut self,
        p: JoinParams,
        id: String,
        ctx: &Ctx,
        fx: &mut Effects,
    ) -> JoinStart {
        let (tx, rx) = oneshot::channel();
        let member = Member {
            id,
            instance_id: p.group_instance_id,
            client_id: p.client_id,
            client_host: p.client_host,
            rebalance_timeout_ms: p.rebalance_timeout_ms,
            session_timeout_ms: p.session_timeout_ms,
            protocol_type: p.protocol_type,
            protocols: p.protocols,
            assignment: Bytes::new(),
            join_tx: Some(tx),
            sync_tx: None,
            is_new: true,
            heartbeat_deadline: Some(ctx.now + NEW_MEMBER_JOIN_TIMEOUT),
        };
        tracing::info!(group = %self.id, member = %member.id, state = self.state.as_str(), "member joins the group");
        if self.state == GroupState::PreparingRebalance && self.previous_state == GroupState::Empty
        {
            self.new_member_added = true;
        }
        self.add_member(member);
        self.maybe_prepare_rebalance_or_complete_join(ctx, fx);
        JoinStart::Wait(rx)
    }

    fn update_member_and_rebalance(
        &mut self,
        p: JoinParams,
        ctx: &Ctx,
        fx: &mut Effects,
    ) -> JoinStart {
        let (tx, rx) = oneshot::channel();
        let Some(member) = self.member_mut(&p.member_id) else {
            return JoinStart::Done(JoinOutcome::error(code::UNKNOWN_MEMBER_ID, p.member_id));
        };
        member.protocols = p.protocols;
        member.rebalance_timeout_ms = p.rebalance_timeout_ms;
        member.session_timeout_ms = p.session_timeout_ms;
        // A retried JoinGroup replaces the parked one (whose client is gone).
        member.join_tx = Some(tx);
        self.maybe_prepare_rebalance_or_complete_join(ctx, fx);
        JoinStart::Wait(rx)
    }

    /// A static member rejoined with an unknown member id: the new instance
    /// takes over the old member (Kafka's `updateStaticMemberThenRebalanceOrCompleteJoin`).
    fn replace_static_member(
        &mut self,
        p: JoinParams,
        instance_id: String,
        old_id: String,
        new_id: String,
        ctx: &Ctx,
        fx: &mut Effects,
    ) -> JoinStart {
        let leader_before = self.leader.clone().unwrap_or_default();
        let (tx, rx) = oneshot::channel();
        let Some(member) = self.member_mut(&old_id) else {
            return JoinStart::Done(JoinOutcome::error(code::UNKNOWN_MEMBER_ID, ""));
        };
        // Fence whoever still waits under the old id.
        member.complete_join(JoinOutcome::error(code::FENCED_INSTANCE_ID, old_id.clone()));
        member.complete_sync(SyncOutcome::error(code::FENCED_INSTANCE_ID));
        let replace = StaticReplace {
            instance_id: instance_id.clone(),
            old_member_id: old_id.clone(),
            new_member_id: new_id.clone(),
            old_protocols: std::mem::replace(&mut member.protocols, p.protocols),
            old_rebalance_timeout_ms: std::mem::replace(
                &mut member.rebalance_timeout_ms,
                p.rebalance_timeout_ms,
            ),
            old_session_timeout_ms: std::mem::replace(
                &mut member.session_timeout_ms,
                p.session_timeout_ms,
            ),
            leader_before,
            supports_skip_assignment: p.supports_skip_assignment,
        };
        member.id = new_id.clone();
        member.join_tx = Some(tx);
        let session = member.session_timeout();
        member.reschedule_heartbeat(ctx.now, session);
        self.static_members.insert(instance_id, new_id.clone());
        if self.is_leader(&old_id) {
            self.leader = Some(new_id.clone());
        }
        if self.pending_sync.remove(&old_id) {
            self.pending_sync.insert(new_id.clone());
        }
        tracing::info!(group = %self.id, old_member = %old_id, new_member = %new_id, "static member rejoined with a new member id");

        match self.state {
            GroupState::Stable => {
                if self.protocol_name.is_some() && self.select_protocol() == self.protocol_name {
                    // Nothing changes for the group: persist the new member id
                    // and answer without a rebalance.
                    match self.group_record(None, ctx) {
                        Some(records) => JoinStart::Persist {
                            records,
                            replace,
                            rx,
                        },
                        None => {
                            self.revert_static_replace(&replace, ctx);
                            JoinStart::Done(JoinOutcome::error(code::COORDINATOR_NOT_AVAILABLE, ""))
                        }
                    }
                } else {
                    self.maybe_prepare_rebalance_or_complete_join(ctx, fx);
                    JoinStart::Wait(rx)
                }
            }
            GroupState::CompletingRebalance => {
                // The leader may already have computed an assignment for the old
                // member id; start over.
                self.prepare_rebalance(ctx, fx);
                JoinStart::Wait(rx)
            }
            _ => {
                self.maybe_complete_join_phase(ctx, fx);
                JoinStart::Wait(rx)
            }
        }
    }

    /// Completes a static member replacement once its record is stored (or not).
    pub fn finish_static_replace(&mut self, replace: StaticReplace, stored: bool, ctx: &Ctx) {
        if !stored {
            let generation = self.generation;
            let protocol_type = self.protocol_type.clone();
            let protocol_name = self.protocol_name.clone();
            if let Some(member) = self.member_mut(&replace.new_member_id) {
                member.complete_join(JoinOutcome {
                    error: code::COORDINATOR_NOT_AVAILABLE,
                    generation,
                    protocol_type,
                    protocol_name,
                    leader: replace.leader_before.clone(),
                    ..JoinOutcome::error(code::COORDINATOR_NOT_AVAILABLE, "")
                });
            }
            self.revert_static_replace(&replace, ctx);
            return;
        }
        let new_id = replace.new_member_id.as_str();
        let outcome = if replace.supports_skip_assignment {
            let leader = self.is_leader(new_id);
            JoinOutcome {
                skip_assignment: leader,
                ..self.current_join_outcome(new_id, leader)
            }
        } else {
            // Older clients cannot skip the assignment, so the rejoining
            // instance is told the previous leader id and acts as a follower.
            JoinOutcome {
                leader: replace.leader_before.clone(),
                ..self.current_join_outcome(new_id, false)
            }
        };
        if let Some(member) = self.member_mut(new_id) {
            member.complete_join(outcome);
        }
    }

    fn revert_static_replace(&mut self, replace: &StaticReplace, ctx: &Ctx) {
        let new_id = replace.new_member_id.clone();
        let Some(member) = self.member_mut(&new_id) else {
            return;
        };
        member.id = replace.old_member_id.clone();
        member.protocols = replace.old_protocols.clone();
        member.rebalance_timeout_ms = replace.old_rebalance_timeout_ms;
        member.session_timeout_ms = replace.old_session_timeout_ms;
        member.join_tx = None;
        let session = member.session_timeout();
        member.reschedule_heartbeat(ctx.now, session);
        self.static_members
            .insert(replace.instance_id.clone(), replace.old_member_id.clone());
        if self.is_leader(&new_id) {
            self.leader = Some(replace.old_member_id.clone());
        }
        if self.pending_sync.remove(&new_id) {
            self.pending_sync.insert(replace.old_member_id.clone());
        }
    }

    // ----- rebalance -------------------------------------------------------

    fn maybe_prepare_rebalance_or_complete_join(&mut self, ctx: &Ctx, fx: &mut Effects) {
        if self.can_rebalance() {
            self.prepare_rebalance(ctx, fx);
        } else {
            self.maybe_complete_join_phase(ctx, fx);
        }
    }

    /// Completes the join phase when every known member has rejoined, except
    /// during an initial rebalance, which always waits for its delay.
    fn maybe_complete_join_phase(&mut self, ctx: &Ctx, fx: &mut Effects) {
        if self.state == GroupState::PreparingRebalance
            && self.previous_state != GroupState::Empty
            && self.has_all_members_joined()
        {
            self.complete_join(ctx, fx);
        }
    }

    fn prepare_rebalance(&mut self, ctx: &Ctx, fx: &mut Effects) {
        if self.state == GroupState::CompletingRebalance {
            self.reset_and_propagate_assignment_error(code::REBALANCE_IN_PROGRESS, ctx);
        }
        self.pending_sync.clear();
        self.sync_deadline = None;

        let initial = self.state == GroupState::Empty;
        tracing::info!(group = %self.id, state = self.state.as_str(), generation = self.generation, "preparing to rebalance group");
        self.transition(GroupState::PreparingRebalance, ctx);
        if initial {
            let delay = ctx.initial_rebalance_delay;
            self.initial_join = Some(InitialJoin {
                delay,
                remaining: self.rebalance_timeout().saturating_sub(delay),
            });
            self.join_deadline = Some(ctx.now + delay);
            if delay.is_zero() {
                self.on_join_timer(ctx, fx);
            }
        } else if self.has_all_members_joined() {
            self.complete_join(ctx, fx);
        } else {
            self.initial_join = None;
            self.join_deadline = Some(ctx.now + self.rebalance_timeout());
        }
    }

    /// The join timer fired (Kafka's `tryCompleteInitialRebalanceElseSchedule`
    /// for an initial rebalance, `completeClassicGroupJoin` otherwise).
    fn on_join_timer(&mut self, ctx: &Ctx, fx: &mut Effects) {
        self.join_deadline = None;
        if self.state != GroupState::PreparingRebalance {
            self.initial_join = None;
            return;
        }
        if let Some(initial) = self.initial_join.take() {
            if self.new_member_added && !initial.remaining.is_zero() {
                self.new_member_added = false;
                let delay = ctx.initial_rebalance_delay.min(initial.remaining);
                self.initial_join = Some(InitialJoin {
                    delay,
                    remaining: initial.remaining.saturating_sub(initial.delay),
                });
                self.join_deadline = Some(ctx.now + delay);
                return;
            }
        }
        self.complete_join(ctx, fx);
    }

    /// Kafka's `completeClassicGroupJoin`: drop dynamic members that did not
    /// rejoin, start the next generation and answer every parked JoinGroup.
    fn complete_join(&mut self, ctx: &Ctx, fx: &mut Effects) {
        self.join_deadline = None;
        self.initial_join = None;
        self.new_member_added = false;

        let gone: Vec<String> = self
            .members
            .iter()
            .filter(|m| !m.awaiting_join() && m.instance_id.is_none())
            .map(|m| m.id.clone())
            .collect();
        for id in &gone {
            self.remove_member(id);
        }
        if !gone.is_empty() {
            tracing::info!(group = %self.id, members = ?gone, "removed members that did not rejoin");
        }

        if self.state == GroupState::Dead {
            return;
        }
        if !self.maybe_elect_new_joined_leader() && !self.members.is_empty() {
            // Only static members that have not rejoined are left: wait for them
            // (or for their sessions to expire).
            tracing::warn!(group = %self.id, "could not complete rebalance because no members rejoined");
            self.join_deadline = Some(ctx.now + self.rebalance_timeout());
            return;
        }

        self.generation = self.generation.wrapping_add(1);
        if self.members.is_empty() {
            self.protocol_name = None;
            self.subscribed_topics = self.compute_subscribed_topics();
            self.transition(GroupState::Empty, ctx);
            self.pending_sync.clear();
            tracing::info!(group = %self.id, generation = self.generation, "group is now empty");
            if let Some(records) = self.group_record(None, ctx) {
                fx.writes.push(records);
            }
            return;
        }

        self.protocol_name = self.select_protocol();
        self.subscribed_topics = self.compute_subscribed_topics();
        self.transition(GroupState::CompletingRebalance, ctx);
        self.pending_sync.clear();
        tracing::info!(
            group = %self.id,
            generation = self.generation,
            members = self.members.len(),
            protocol = self.protocol_name.as_deref().unwrap_or_default(),
            "stabilized group generation"
        );

        let leader_members = self.join_members();
        let base = self.current_join_outcome("", false);
        let leader = self.leader.clone();
        for member in &mut self.members {
            let is_leader = leader.as_deref() == Some(member.id.as_str());
            member.complete_join(JoinOutcome {
                member_id: member.id.clone(),
                members: if is_leader {
                    leader_members.clone()
                } else {
                    Vec::new()
                },
                ..base.clone()
            });
            let session = member.session_timeout();
            member.reschedule_heartbeat(ctx.now, session);
            member.is_new = false;
            self.pending_sync.insert(member.id.clone());
        }
        self.sync_deadline = Some((ctx.now + self.rebalance_timeout(), self.generation));
    }

    fn reset_and_propagate_assignment_error(&mut self, error: i16, ctx: &Ctx) {
        for member in &mut self.members {
            member.assignment = Bytes::new();
        }
        self.propagate_assignment(error, ctx);
    }

    fn propagate_assignment(&mut self, error: i16, ctx: &Ctx) {
        let (protocol_type, protocol_name) = if error == code::NONE {
            (self.protocol_type.clone(), self.protocol_name.clone())
        } else {
            (None, None)
        };
        for member in &mut self.members {
            let answered = member.complete_sync(SyncOutcome {
                error,
                protocol_type: protocol_type.clone(),
                protocol_name: protocol_name.clone(),
                assignment: member.assignment.clone(),
            });
            if answered {
                // Its expiry may have been skipped while it was parked.
                let session = member.session_timeout();
                member.reschedule_heartbeat(ctx.now, session);
            }
        }
    }

    fn remove_member_and_update(&mut self, id: &str, ctx: &Ctx, fx: &mut Effects) {
        if let Some(member) = self.member_mut(id) {
            member.complete_join(JoinOutcome::error(code::UNKNOWN_MEMBER_ID, ""));
        }
        self.remove_member(id);
        match self.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.maybe_prepare_rebalance_or_complete_join(ctx, fx)
            }
            GroupState::PreparingRebalance if self.has_all_members_joined() => {
                self.complete_join(ctx, fx)
            }
            _ => {}
        }
    }

    // ----- timers ----------------------------------------------------------

    /// Runs every timer whose deadline is at or before `ctx.now`.
    pub fn on_timers(&mut self, ctx: &Ctx, fx: &mut Effects) {
        if self.state == GroupState::Dead {
            return;
        }
        let now = ctx.now;

        let expired_pending: Vec<String> = self
            .pending_members
            .iter()
            .filter(|(_, deadline)| **deadline <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired_pending {
            tracing::info!(group = %self.id, member = %id, "pending member expired before rejoining");
            self.pending_members.remove(&id);
            if self.state == GroupState::PreparingRebalance && self.has_all_members_joined() {
                self.complete_join(ctx, fx);
            }
        }

        let expired: Vec<String> = self
            .members
            .iter()
            .filter(|m| m.heartbeat_deadline.is_some_and(|d| d <= now))
            .map(|m| m.id.clone())
            .collect();
        for id in expired {
            let Some(member) = self.member_mut(&id) else {
                continue;
            };
            // An earlier removal in this loop may have rescheduled it.
            if member.heartbeat_deadline.is_none_or(|d| d > now) {
                continue;
            }
            member.heartbeat_deadline = None;
            if member.has_satisfied_heartbeat() {
                continue;
            }
            tracing::info!(group = %self.id, member = %id, "member session expired; removing it from the group");
            self.remove_member_and_update(&id, ctx, fx);
        }

        if self.join_deadline.is_some_and(|d| d <= now) {
            self.on_join_timer(ctx, fx);
        }

        if let Some((deadline, generation)) = self.sync_deadline {
            if deadline <= now {
                self.sync_deadline = None;
                self.expire_pending_sync(generation, ctx, fx);
            }
        }
    }

    /// Members that did not send SyncGroup within the rebalance timeout are
    /// removed and the group rebalances (Kafka's `expirePendingSync`).
    fn expire_pending_sync(&mut self, generation: i32, ctx: &Ctx, fx: &mut Effects) {
        if generation != self.generation
            || !matches!(
                self.state,
                GroupState::CompletingRebalance | GroupState::Stable
            )
            || self.pending_sync.is_empty()
        {
            return;
        }
        let late: Vec<String> = self.pending_sync.iter().cloned().collect();
        tracing::info!(group = %self.id, members = ?late, "removing members that did not send SyncGroup in time");
        for id in &late {
            self.remove_member(id);
        }
        self.prepare_rebalance(ctx, fx);
    }

    // ----- SyncGroup / Heartbeat / LeaveGroup ------------------------------

    #[allow(clippy::too_many_arguments)]
    pub fn sync(
        &mut self,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
        protocol_type: Option<&str>,
        protocol_name: Option<&str>,
        assignments: Vec<(String, Bytes)>,
        ctx: &Ctx,
    ) -> SyncStart {
        if self.state == GroupState::Empty {
            return SyncStart::Done(SyncOutcome::error(code::UNKNOWN_MEMBER_ID));
        }
        if let Err(error) = self.validate_member(member_id, instance_id) {
            return SyncStart::Done(SyncOutcome::error(error));
        }
        if generation != self.generation {
            return SyncStart::Done(SyncOutcome::error(code::ILLEGAL_GENERATION));
        }
        let inconsistent = |requested: Option<&str>, ours: Option<&str>| matches!((requested, ours), (Some(a), Some(b)) if a != b);
        if inconsistent(protocol_type, self.protocol_type.as_deref())
            || inconsistent(protocol_name, self.protocol_name.as_deref())
        {
            return SyncStart::Done(SyncOutcome::error(code::INCONSISTENT_GROUP_PROTOCOL));
        }
        match self.state {
            GroupState::PreparingRebalance => {
                SyncStart::Done(SyncOutcome::error(code::REBALANCE_IN_PROGRESS))
            }
            GroupState::CompletingRebalance => {
                let (tx, rx) = oneshot::channel();
                if let Some(member) = self.member_mut(member_id) {
                    member.sync_tx = Some(tx);
                }
                self.remove_pending_sync(member_id);
                if !self.is_leader(member_id) {
                    return SyncStart::Wait(rx);
                }
                tracing::info!(group = %self.id, leader = %member_id, generation, "assignment received from the leader");
                let mut assignment: HashMap<String, Bytes> = assignments.into_iter().collect();
                for member in &self.members {
                    assignment.entry(member.id.clone()).or_default();
                }
                let records = self.group_record(Some(&assignment), ctx);
                SyncStart::Persist {
                    generation,
                    assignment,
                    records,
                    rx,
                }
            }
            GroupState::Stable => {
                self.remove_pending_sync(member_id);
                let assignment = self
                    .member(member_id)
                    .map(|m| m.assignment.clone())
                    .unwrap_or_default();
                SyncStart::Done(SyncOutcome {
                    error: code::NONE,
                    protocol_type: self.protocol_type.clone(),
                    protocol_name: self.protocol_name.clone(),
                    assignment,
                })
            }
            GroupState::Empty | GroupState::Dead => {
                SyncStart::Done(SyncOutcome::error(code::UNKNOWN_MEMBER_ID))
            }
        }
    }

    fn remove_pending_sync(&mut self, member_id: &str) {
        self.pending_sync.remove(member_id);
        if self.pending_sync.is_empty() {
            self.sync_deadline = None;
        }
    }

    /// The leader's assignment was stored (or not): answer every parked
    /// SyncGroup and become Stable, unless the group moved on meanwhile.
    pub fn finish_assignment(
        &mut self,
        generation: i32,
        assignment: HashMap<String, Bytes>,
        stored: bool,
        ctx: &Ctx,
        fx: &mut Effects,
    ) {
        if self.state != GroupState::CompletingRebalance || generation != self.generation {
            return;
        }
        if !stored {
            self.reset_and_propagate_assignment_error(code::COORDINATOR_NOT_AVAILABLE, ctx);
            self.maybe_prepare_rebalance_or_complete_join(ctx, fx);
            return;
        }
        for member in &mut self.members {
            member.assignment = assignment.get(&member.id).cloned().unwrap_or_default();
        }
        self.propagate_assignment(code::NONE, ctx);
        self.transition(GroupState::Stable, ctx);
    }

    pub fn heartbeat(
        &mut self,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
        ctx: &Ctx,
    ) -> i16 {
        if let Err(error) = self.validate_member(member_id, instance_id) {
            return error;
        }
        if generation != self.generation {
            return code::ILLEGAL_GENERATION;
        }
        let state = self.state;
        let Some(member) = self.member_mut(member_id) else {
            return code::UNKNOWN_MEMBER_ID;
        };
        match state {
            GroupState::PreparingRebalance => {
                let session = member.session_timeout();
                member.reschedule_heartbeat(ctx.now, session);
                code::REBALANCE_IN_PROGRESS
            }
            GroupState::CompletingRebalance | GroupState::Stable => {
                let session = member.session_timeout();
                member.reschedule_heartbeat(ctx.now, session);
                code::NONE
            }
            GroupState::Empty | GroupState::Dead => code::UNKNOWN_MEMBER_ID,
        }
    }

    /// LeaveGroup for a batch of (member id, group instance id); returns one
    /// error code per entry, in order.
    pub fn leave(
        &mut self,
        leaving: &[(String, Option<String>)],
        ctx: &Ctx,
        fx: &mut Effects,
    ) -> Vec<i16> {
        let mut results = Vec::with_capacity(leaving.len());
        for (member_id, instance_id) in leaving {
            let error = if member_id.is_empty() {
                // Administrative removal by group instance id.
                match instance_id
                    .as_ref()
                    .and_then(|i| self.static_members.get(i))
                    .cloned()
                {
                    Some(id) => {
                        self.remove_leaving_member(&id);
                        code::NONE
                    }
                    None => code::UNKNOWN_MEMBER_ID,
                }
            } else if self.pending_members.remove(member_id).is_some() {
                code::NONE
            } else {
                match self.validate_member(member_id, instance_id.as_deref()) {
                    Ok(()) => {
                        self.remove_leaving_member(member_id);
                        code::NONE
                    }
                    Err(error) => error,
                }
            };
            results.push(error);
        }
        if results.contains(&code::NONE) {
            match self.state {
                GroupState::Stable | GroupState::CompletingRebalance => {
                    self.maybe_prepare_rebalance_or_complete_join(ctx, fx)
                }
                GroupState::PreparingRebalance => self.maybe_complete_join_phase(ctx, fx),
                _ => {}
            }
        }
        results
    }

    fn remove_leaving_member(&mut self, id: &str) {
        tracing::info!(group = %self.id, member = %id, "member left the group");
        if let Some(member) = self.member_mut(id) {
            member.complete_join(JoinOutcome::error(code::UNKNOWN_MEMBER_ID, ""));
        }
        self.remove_member(id);
    }

    // ----- offsets ---------------------------------------------------------

    /// Kafka's `ClassicGroup.validateOffsetCommit` (non-transactional).
    pub fn validate_offset_commit(
        &self,
        member_id: &str,
        instance_id: Option<&str>,
        generation: i32,
    ) -> Result<(), i16> {
        if self.state == GroupState::Dead {
            return Err(code::COORDINATOR_NOT_AVAILABLE);
        }
        if generation < 0 && self.state == GroupState::Empty {
            // A simple consumer or the admin client committing for an idle group.
            return Ok(());
        }
        if generation >= 0 || !member_id.is_empty() || instance_id.is_some() {
            self.validate_member(member_id, instance_id)?;
            if generation != self.generation {
                return Err(code::ILLEGAL_GENERATION);
            }
        } else if self.state != GroupState::Empty {
            return Err(code::UNKNOWN_MEMBER_ID);
        }
        if self.state == GroupState::CompletingRebalance {
            return Err(code::REBALANCE_IN_PROGRESS);
        }
        Ok(())
    }

    /// An offset commit counts as a heartbeat while Stable or PreparingRebalance.
    pub fn touch_member(&mut self, member_id: &str, ctx: &Ctx) {
        if !matches!(
            self.state,
            GroupState::Stable | GroupState::PreparingRebalance
        ) {
            return;
        }
        if let Some(member) = self.member_mut(member_id) {
            let session = member.session_timeout();
            member.reschedule_heartbeat(ctx.now, session);
        }
    }

    /// A write whose completion will be applied to this group has started.
    pub fn begin_write(&mut self) {
        self.writes_in_flight += 1;
    }

    /// The write counted by [`Group::begin_write`] completed (or failed).
    pub fn end_write(&mut self) {
        self.writes_in_flight = self.writes_in_flight.saturating_sub(1);
    }

    /// The sequence number for the next append of this group's records.
    pub fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Applies a stored commit unless a later write for the partition was applied.
    pub fn apply_offset(&mut self, topic: &str, partition: i32, seq: u64, value: CommittedOffset) {
        let partitions = self.offsets.entry(topic.to_owned()).or_default();
        match partitions.get_mut(&partition) {
            Some(slot) if slot.seq > seq => {}
            Some(slot) => {
                slot.seq = seq;
                slot.value = Some(value);
            }
            None => {
                partitions.insert(
                    partition,
                    OffsetSlot {
                        seq,
                        value: Some(value),
                    },
                );
            }
        }
    }

    /// Replaces a committed offset by a pending tombstone; returns the removed
    /// value, or `None` (and changes nothing) if there was no offset.
    pub fn tombstone_offset(
        &mut self,
        topic: &str,
        partition: i32,
        seq: u64,
    ) -> Option<CommittedOffset> {
        let slot = self.offsets.get_mut(topic)?.get_mut(&partition)?;
        let previous = slot.value.take()?;
        slot.seq = seq;
        Some(previous)
    }

    /// The tombstone written with `seq` is durable (`restore` is `None`) or
    /// failed (`restore` is the value to put back).
    pub fn finish_tombstone(
        &mut self,
        topic: &str,
        partition: i32,
        seq: u64,
        restore: Option<CommittedOffset>,
    ) {
        let Some(partitions) = self.offsets.get_mut(topic) else {
            return;
        };
        let Some(slot) = partitions.get(&partition) else {
            return;
        };
        if slot.seq != seq || slot.value.is_some() {
            return;
        }
        match restore {
            Some(value) => {
                partitions.insert(
                    partition,
                    OffsetSlot {
                        seq,
                        value: Some(value),
                    },
                );
            }
            None => {
                partitions.remove(&partition);
                if partitions.is_empty() {
                    self.offsets.remove(topic);
                }
            }
        }
    }

    pub fn offset(&self, topic: &str, partition: i32) -> Option<&CommittedOffset> {
        self.offsets.get(topic)?.get(&partition)?.value.as_ref()
    }

    /// Every committed offset, ordered by topic then partition.
    pub fn all_offsets(&self) -> impl Iterator<Item = (&str, i32, &CommittedOffset)> {
        self.offsets.iter().flat_map(|(topic, partitions)| {
            partitions
                .iter()
                .filter_map(move |(p, slot)| slot.value.as_ref().map(|v| (topic.as_str(), *p, v)))
        })
    }

    /// Whether the group holds nothing worth keeping: no members, no pending
    /// members, no offsets (Kafka deletes such groups in its periodic cleanup).
    pub fn is_disposable(&self) -> bool {
        self.state == GroupState::Empty
            && self.members.is_empty()
            && self.pending_members.is_empty()
            && self.offsets.is_empty()
            && self.writes_in_flight == 0
    }

    /// Marks the group deleted; every parked request is answered.
    pub fn mark_dead(&mut self, ctx: &Ctx) {
        for member in &mut self.members {
            member.complete_join(JoinOutcome::error(code::UNKNOWN_MEMBER_ID, ""));
            member.complete_sync(SyncOutcome::error(code::UNKNOWN_MEMBER_ID));
        }
        self.transition(GroupState::Dead, ctx);
    }

    /// Undoes [`Group::mark_dead`] after the deletion could not be stored.
    pub fn revive(&mut self, ctx: &Ctx) {
        if self.state == GroupState::Dead {
            let previous = self.previous_state;
            self.transition(previous, ctx);
        }
    }

    // ----- start-up replay -------------------------------------------------

    /// Replays a group metadata record (Kafka's `replay(GroupMetadataKey, GroupMetadataValue)`):
    /// a group with members comes back Stable, each member with a fresh
    /// session deadline.
    pub fn load_metadata(&mut self, value: GroupMetadataValue, ctx: &Ctx) {
        self.reset_membership(ctx);
        self.generation = value.generation;
        self.protocol_type = Some(value.protocol_type).filter(|t| !t.is_empty());
        self.protocol_name = value.protocol.clone();
        let protocol = value.protocol.unwrap_or_default();
        for m in value.members {
            let member = Member {
                id: m.member_id,
                instance_id: m.group_instance_id,
                client_id: m.client_id,
                client_host: m.client_host,
                rebalance_timeout_ms: if m.rebalance_timeout < 0 {
                    m.session_timeout
                } else {
                    m.rebalance_timeout
                },
                session_timeout_ms: m.session_timeout,
                protocol_type: self.protocol_type.clone().unwrap_or_default(),
                protocols: vec![(protocol.clone(), m.subscription)],
                assignment: m.assignment,
                join_tx: None,
                sync_tx: None,
                is_new: false,
                heartbeat_deadline: Some(ctx.now + millis(m.session_timeout)),
            };
            if let Some(instance) = &member.instance_id {
                self.static_members
                    .insert(instance.clone(), member.id.clone());
            }
            self.members.push(member);
        }
        self.leader = value
            .leader
            .filter(|l| self.has_member(l))
            .or_else(|| self.members.first().map(|m| m.id.clone()));
        self.state = if self.members.is_empty() {
            GroupState::Empty
        } else {
            GroupState::Stable
        };
        self.previous_state = GroupState::Dead;
        self.state_timestamp_ms = if value.current_state_timestamp >= 0 {
            value.current_state_timestamp
        } else {
            ctx.wall_ms
        };
        self.subscribed_topics = self.compute_subscribed_topics();
    }

    /// Replays a group metadata tombstone: membership is gone, offsets stay
    /// (they have their own tombstones).
    pub fn load_tombstone(&mut self, ctx: &Ctx) {
        self.reset_membership(ctx);
    }

    fn reset_membership(&mut self, ctx: &Ctx) {
        self.state = GroupState::Empty;
        self.previous_state = GroupState::Dead;
        self.state_timestamp_ms = ctx.wall_ms;
        self.protocol_type = None;
        self.protocol_name = None;
        self.generation = 0;
        self.leader = None;
        self.members.clear();
        self.static_members.clear();
        self.pending_members.clear();
        self.pending_sync.clear();
        self.sync_deadline = None;
        self.join_deadline = None;
        self.initial_join = None;
        self.new_member_added = false;
        self.subscribed_topics = None;
    }

    /// Replays an offset commit record or tombstone.
    pub fn load_offset(&mut self, topic: &str, partition: i32, value: Option<CommittedOffset>) {
        match value {
            Some(value) => self.apply_offset(topic, partition, 0, value),
            None => {
                if let Some(partitions) = self.offsets.get_mut(topic) {
                    partitions.remove(&partition);
                    if partitions.is_empty() {
                        self.offsets.remove(topic);
                    }
                }
            }
        }
    }
}

/// One member as DescribeGroups shows it.
#[derive(Debug, Clone)]
pub(crate) struct DescribedMember {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub metadata: Bytes,
    pub assignment: Bytes,
}
