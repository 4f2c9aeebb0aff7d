//! The leader's assignors, as Apache Kafka 3.9 implements them:
//!
//! * [`eager_assign`]: `EagerAssignor` (protocol v0, `default`): every rebalance hands out
//!   the complete set round-robin; members stop everything before rejoining.
//! * [`IncrementalAssignor`]: `IncrementalCooperativeAssignor` (v1 `compatible`, v2
//!   `sessioned`; KIP-415): members keep their work across rebalances; the leader sends
//!   each member only what is newly assigned and what must be revoked, delays the
//!   reassignment of departed workers' work by `scheduled.rebalance.max.delay.ms`, and
//!   balances load by revoking in one round and assigning in the next.
//!
//! Both work from the decoded member metadata ([`WorkerMetadata`]) and the leader's config
//! snapshot ([`ConfiguredWork`]), and return one [`Assignment`] per member id.
//!
//! Where Java iterates a `HashMap`/`HashSet` (member order when spreading "extra" slots,
//! which of a worker's connectors or tasks are revoked for balance), these functions use
//! sorted order instead, so results are deterministic; counts and every balance property
//! are the same as Java's.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::protocol::{
    Assignment, WorkSet, WorkerMetadata, CONFIG_MISMATCH, CONNECT_PROTOCOL_V0, NO_ERROR,
};
use crate::herder::ConnectorTaskId;

/// What the cluster is configured to run, from the config topic snapshot: connector →
/// number of committed tasks, and the config offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfiguredWork {
    /// The config-topic offset of the snapshot (`ClusterConfigState.offset()`).
    pub offset: i64,
    /// Connector name → its number of committed tasks (tasks `0..n`).
    pub connectors: BTreeMap<String, u32>,
}

impl ConfiguredWork {
    /// Every configured connector instance and task.
    pub fn work_set(&self) -> WorkSet {
        WorkSet {
            connectors: self.connectors.keys().cloned().collect(),
            tasks: self
                .connectors
                .iter()
                .flat_map(|(c, n)| (0..*n).map(move |t| ConnectorTaskId::new(c.clone(), t)))
                .collect(),
        }
    }
}

/// The leader's URL, from its own metadata (Java: `memberConfigs.get(leaderId).url()`).
fn leader_url(leader_id: &str, members: &BTreeMap<String, WorkerMetadata>) -> String {
    match members.get(leader_id) {
        Some(m) => m.url.clone(),
        None => {
            tracing::warn!(
                leader_id,
                "leader is not among the group members; empty leader URL"
            );
            String::new()
        }
    }
}

/// The highest config offset any member reported (`maxOffset`), or `None` without members.
fn max_member_offset(members: &BTreeMap<String, WorkerMetadata>) -> Option<i64> {
    members.values().map(|m| m.config_offset).max()
}

/// The same assignment, with nothing assigned or revoked, for every member.
fn fill_empty(
    members: &BTreeMap<String, WorkerMetadata>,
    version: i16,
    error: i16,
    leader_id: &str,
    leader_url: &str,
    config_offset: i64,
) -> BTreeMap<String, Assignment> {
    members
        .keys()
        .map(|m| {
            (
                m.clone(),
                Assignment {
                    version,
                    error,
                    leader: leader_id.to_owned(),
                    leader_url: leader_url.to_owned(),
                    config_offset,
                    assigned: WorkSet::new(),
                    revoked: WorkSet::new(),
                    delay: 0,
                },
            )
        })
        .collect()
}

/// If a member has read further into the config topic than the leader's snapshot, Kafka's
/// leader (after trying a fresh snapshot, `ensureLeaderConfig`) gives every member
/// CONFIG_MISMATCH with the members' maximum offset, and they all read to the end and
/// rejoin.
fn config_mismatch(
    leader_id: &str,
    version: i16,
    members: &BTreeMap<String, WorkerMetadata>,
    work: &ConfiguredWork,
) -> Option<BTreeMap<String, Assignment>> {
    let max_offset = max_member_offset(members)?;
    if max_offset <= work.offset {
        return None;
    }
    tracing::info!(
        max_offset,
        leader_offset = work.offset,
        "selected to perform assignments, but do not have the latest config; \
         returning CONFIG_MISMATCH to trigger a re-sync"
    );
    Some(fill_empty(
        members,
        version,
        CONFIG_MISMATCH,
        leader_id,
        &leader_url(leader_id, members),
        max_offset,
    ))
}

/// Kafka's `EagerAssignor` (protocol v0): connectors sorted by name are dealt round-robin
/// over the members sorted by member id, then — continuing the same circular iterator —
/// each connector's tasks in order. Every member gets its complete assignment (version 0,
/// nothing revoked, no delay). Returns member id → Assignment.
///
/// `config_offset` is `work.offset` (the snapshot the assignment was computed from; members
/// must read the config topic exactly up to it before starting work). If a member reported
/// a higher offset than `work.offset`, everyone gets [`CONFIG_MISMATCH`] instead.
pub fn eager_assign(
    leader_id: &str,
    members: &BTreeMap<String, WorkerMetadata>,
    work: &ConfiguredWork,
) -> BTreeMap<String, Assignment> {
    if let Some(mismatch) = config_mismatch(leader_id, CONNECT_PROTOCOL_V0, members, work) {
        return mismatch;
    }
    let url = leader_url(leader_id, members);
    let mut out = fill_empty(
        members,
        CONNECT_PROTOCOL_V0,
        NO_ERROR,
        leader_id,
        &url,
        work.offset,
    );
    let ids: Vec<&String> = members.keys().collect();
    if ids.is_empty() {
        return out;
    }
    let mut next = 0usize;
    let mut member = || {
        let id = ids[next % ids.len()];
        next = next.wrapping_add(1);
        id
    };
    for connector in work.connectors.keys() {
        if let Some(a) = out.get_mut(member()) {
            a.assigned.connectors.insert(connector.clone());
        }
    }
    for (connector, tasks) in &work.connectors {
        for t in 0..*tasks {
            if let Some(a) = out.get_mut(member()) {
                a.assigned
                    .tasks
                    .insert(ConnectorTaskId::new(connector.clone(), t));
            }
        }
    }
    tracing::debug!(
        members = ids.len(),
        connectors = work.connectors.len(),
        "eager assignment done"
    );
    out
}

/// A worker's load while computing an assignment (`WorkerCoordinator.WorkerLoad`): lists,
/// so that newly assigned work is appended and revocations take the first entries.
#[derive(Debug, Clone)]
struct WorkerLoad {
    worker: String,
    connectors: Vec<String>,
    tasks: Vec<ConnectorTaskId>,
}

impl WorkerLoad {
    fn from_set(worker: &str, set: &WorkSet) -> Self {
        Self {
            worker: worker.to_owned(),
            connectors: set.connectors.iter().cloned().collect(),
            tasks: set.tasks.iter().cloned().collect(),
        }
    }

    fn is_empty(&self) -> bool {
        self.connectors.is_empty() && self.tasks.is_empty()
    }

    fn remove_all(&mut self, set: &WorkSet) {
        self.connectors.retain(|c| !set.connectors.contains(c));
        self.tasks.retain(|t| !set.tasks.contains(t));
    }

    fn to_set(&self) -> WorkSet {
        WorkSet {
            connectors: self.connectors.iter().cloned().collect(),
            tasks: self.tasks.iter().cloned().collect(),
        }
    }
}

/// Kafka's `IncrementalCooperativeAssignor` (KIP-415), stateful across rebalances while this
/// worker stays leader: the previous assignment and its revocations, the generation it was
/// computed for, the scheduled rebalance deadline and delay, the candidate workers for
/// reassigning lost work, the previous members, and the consecutive-revocation backoff.
#[derive(Debug, Clone)]
pub struct IncrementalAssignor {
    /// `scheduled.rebalance.max.delay.ms`, in ms.
    max_delay: i32,
    previous_assignment: WorkSet,
    previous_revocation: WorkSet,
    revoked_in_previous: bool,
    /// Java's `LinkedHashSet`: insertion order, no duplicates.
    candidate_workers: Vec<String>,
    /// Java's `scheduledRebalance` (0 = none).
    scheduled_rebalance: Option<Instant>,
    /// The delay (ms) sent to every member.
    delay: i32,
    previous_generation: i32,
    previous_members: BTreeSet<String>,
    num_successive_revoking_rebalances: u32,
}

impl IncrementalAssignor {
    /// A fresh assignor (a newly elected leader): no previous assignment, previous
    /// generation -1. `max_delay` is `scheduled.rebalance.max.delay.ms` (capped at
    /// `i32::MAX` ms, Java's `int`).
    pub fn new(max_delay: Duration) -> Self {
        Self {
            max_delay: i32::try_from(max_delay.as_millis()).unwrap_or(i32::MAX),
            previous_assignment: WorkSet::new(),
            previous_revocation: WorkSet::new(),
            revoked_in_previous: false,
            candidate_workers: Vec::new(),
            scheduled_rebalance: None,
            delay: 0,
            previous_generation: -1,
            previous_members: BTreeSet::new(),
            num_successive_revoking_rebalances: 0,
        }
    }

    /// The delay (ms) of the last computed assignment: > 0 while a scheduled rebalance is
    /// pending.
    pub fn delay_ms(&self) -> i32 {
        self.delay
    }

    /// Computes the assignment of one rebalance, assuming the previous rebalance this
    /// assignor computed (if any) completed: `last_completed_generation = generation − 1`
    /// (see [`IncrementalAssignor::assign_with_last_completed`], which takes it explicitly).
    ///
    /// `now` is injected for tests. `version` is the negotiated protocol version (1 or 2),
    /// written into every Assignment. `generation` is the group generation.
    pub fn assign(
        &mut self,
        now: Instant,
        leader_id: &str,
        version: i16,
        generation: i32,
        members: &BTreeMap<String, WorkerMetadata>,
        work: &ConfiguredWork,
    ) -> BTreeMap<String, Assignment> {
        self.assign_with_last_completed(
            now,
            leader_id,
            version,
            generation.wrapping_sub(1),
            generation,
            members,
            work,
        )
    }

    /// `IncrementalCooperativeAssignor.performAssignment` + `performTaskAssignment`.
    ///
    /// `last_completed_generation` is the generation of this member's last successful
    /// SyncGroup (`WorkerCoordinator.lastCompletedGenerationId()`, -1 if none). If it differs
    /// from the generation this assignor last assigned, the leader missed a rebalance and
    /// forgets its previous assignment, relying only on the members' allocations.
    ///
    /// Per member, `assigned` is what is newly assigned this round and `revoked` what it must
    /// stop; `delay` (ms) is the remaining time until a scheduled rebalance (0 if none), the
    /// same for every member. `config_offset` is `work.offset`. If a member reported a config
    /// offset above `work.offset`, every member gets [`CONFIG_MISMATCH`] (with the members'
    /// maximum offset) and the assignor's state is left untouched.
    #[allow(clippy::too_many_arguments)]
    pub fn assign_with_last_completed(
        &mut self,
        now: Instant,
        leader_id: &str,
        version: i16,
        last_completed_generation: i32,
        generation: i32,
        members: &BTreeMap<String, WorkerMetadata>,
        work: &ConfiguredWork,
    ) -> BTreeMap<String, Assignment> {
        if let Some(mismatch) = config_mismatch(leader_id, version, members, work) {
            return mismatch;
        }
        let url = leader_url(leader_id, members);
        let mut out = fill_empty(members, version, NO_ERROR, leader_id, &url, work.offset);
        if members.is_empty() {
            return out;
        }
        let member_assignments: BTreeMap<String, WorkSet> = members
            .iter()
            .map(|(id, m)| {
                (
                    id.clone(),
                    m.allocation
                        .as_ref()
                        .map(|a| a.assigned.clone())
                        .unwrap_or_default(),
                )
            })
            .collect();
        let (assigned, revoked) = self.perform_task_assignment(
            now,
            &work.work_set(),
            last_completed_generation,
            generation,
            &member_assignments,
        );
        for (id, a) in out.iter_mut() {
            if let Some(set) = assigned.get(id) {
                a.assigned = set.clone();
            }
            if let Some(set) = revoked.get(id) {
                a.revoked = set.clone();
            }
            a.delay = self.delay;
        }
        tracing::debug!(
            generation,
            delay_ms = self.delay,
            members = members.len(),
            "incremental cooperative assignment done"
        );
        out
    }

    /// The core of Java's `performTaskAssignment(configSnapshot, lastCompletedGenerationId,
    /// currentGenerationId, memberAssignments)`. Returns (newly assigned, revoked) per worker.
    fn perform_task_assignment(
        &mut self,
        now: Instant,
        configured: &WorkSet,
        last_completed_generation: i32,
        current_generation: i32,
        member_assignments: &BTreeMap<String, WorkSet>,
    ) -> (BTreeMap<String, WorkSet>, BTreeMap<String, WorkSet>) {
        if self.previous_generation != last_completed_generation {
            tracing::debug!(
                previous_generation = self.previous_generation,
                last_completed_generation,
                "clearing the view of previous assignments due to a generation mismatch"
            );
            self.previous_assignment = WorkSet::new();
        }

        let mut active = WorkSet::new();
        for set in member_assignments.values() {
            active.extend(set);
        }

        // A previous revocation that did not take effect: trust what members report.
        if !self.previous_revocation.is_empty() {
            if self.previous_revocation.intersects(&active) {
                self.previous_assignment = active.clone();
            }
            self.previous_revocation = WorkSet::new();
        }

        let deleted = self.previous_assignment.difference(configured);
        let duplicated = duplicated_assignments(member_assignments);
        let lost = self
            .previous_assignment
            .difference(&active)
            .difference(&deleted);
        let created = configured
            .difference(&self.previous_assignment)
            .difference(&active);
        tracing::debug!(
            deleted = deleted.len(),
            duplicated = duplicated.len(),
            lost = lost.len(),
            created = created.len(),
            "derived sets"
        );

        // The current assignment excluding what is to be deleted.
        let current: BTreeMap<&str, WorkSet> = member_assignments
            .iter()
            .map(|(w, set)| (w.as_str(), set.difference(&deleted)))
            .collect();

        let mut to_revoke: BTreeMap<String, WorkSet> = BTreeMap::new();
        let deleted_to_revoke = intersection(&deleted, member_assignments);
        add_all(&mut to_revoke, &deleted_to_revoke);
        let duplicated_to_revoke = intersection(&duplicated, member_assignments);
        add_all(&mut to_revoke, &duplicated_to_revoke);

        let mut next: Vec<WorkerLoad> = member_assignments
            .iter()
            .map(|(w, set)| WorkerLoad::from_set(w, set))
            .collect();
        remove_all(&mut next, &deleted_to_revoke);
        remove_all(&mut next, &duplicated_to_revoke);

        let lost_to_reassign = self.handle_lost_assignments(now, &lost, &mut next);

        // Do not revoke for load balancing while a delayed rebalance is active.
        if self.delay == 0 {
            let lb = load_balancing_revocations(configured, &next);
            if self.revoked_in_previous && !lb.is_empty() {
                self.num_successive_revoking_rebalances =
                    self.num_successive_revoking_rebalances.saturating_add(1);
                self.delay = self.consecutive_revoking_backoff();
                if self.delay != 0 {
                    self.scheduled_rebalance = Some(now + ms(self.delay));
                    tracing::debug!(
                        delay_ms = self.delay,
                        "consecutive revoking rebalances; skipping revocations this round"
                    );
                } else {
                    add_all(&mut to_revoke, &lb);
                    remove_all(&mut next, &lb);
                }
            } else if !lb.is_empty() {
                tracing::debug!("performing load-balancing revocations");
                add_all(&mut to_revoke, &lb);
                remove_all(&mut next, &lb);
                self.revoked_in_previous = true;
            } else if self.revoked_in_previous {
                tracing::debug!("previous round revoked, this one did not; resetting backoff");
                self.revoked_in_previous = false;
                self.num_successive_revoking_rebalances = 0;
            }
        } else {
            tracing::debug!(
                delay_ms = self.delay,
                "delayed rebalance active; no load-balancing revocations"
            );
            self.revoked_in_previous = false;
        }

        // New and lost-and-reassigned work, created first (sorted), then lost (sorted).
        let mut to_assign_connectors: Vec<String> = created.connectors.iter().cloned().collect();
        to_assign_connectors.extend(
            lost_to_reassign
                .connectors
                .iter()
                .filter(|c| !created.connectors.contains(*c))
                .cloned(),
        );
        let mut to_assign_tasks: Vec<ConnectorTaskId> = created.tasks.iter().cloned().collect();
        to_assign_tasks.extend(
            lost_to_reassign
                .tasks
                .iter()
                .filter(|t| !created.tasks.contains(*t))
                .cloned(),
        );
        assign_connectors(&mut next, to_assign_connectors);
        assign_tasks(&mut next, to_assign_tasks);

        let mut incremental: BTreeMap<String, WorkSet> = BTreeMap::new();
        let mut previous = WorkSet::new();
        for load in &next {
            let set = load.to_set();
            let base = current
                .get(load.worker.as_str())
                .cloned()
                .unwrap_or_default();
            incremental.insert(load.worker.clone(), set.difference(&base));
            previous.extend(&set);
        }

        // computePreviousAssignment
        for revoked in to_revoke.values() {
            previous.remove_all(revoked);
            self.previous_revocation.extend(revoked);
        }
        previous.extend(&lost);
        self.previous_assignment = previous;
        self.previous_generation = current_generation;
        self.previous_members = member_assignments.keys().cloned().collect();

        (incremental, to_revoke)
    }

    /// `handleLostAssignments`: work that was assigned in the previous round and that no
    /// member reports now. Returns what is to be reassigned as new work; may also assign
    /// lost work directly to candidate workers in `next`.
    fn handle_lost_assignments(
        &mut self,
        now: Instant,
        lost: &WorkSet,
        next: &mut [WorkerLoad],
    ) -> WorkSet {
        if lost.is_empty() && !self.revoked_in_previous {
            self.reset_delay();
            return WorkSet::new();
        }
        let active_members: BTreeSet<&str> = next.iter().map(|w| w.worker.as_str()).collect();
        if self.scheduled_rebalance.is_none()
            && self
                .previous_members
                .iter()
                .all(|m| active_members.contains(m.as_str()))
        {
            tracing::debug!(
                lost = lost.len(),
                "no worker departed; reassigning missing work as new work"
            );
            return lost.clone();
        }
        if self.max_delay == 0 {
            tracing::debug!(
                lost = lost.len(),
                "scheduled rebalance delays disabled; reassigning lost work immediately"
            );
            return lost.clone();
        }

        match self.scheduled_rebalance {
            Some(deadline) if now >= deadline => {
                let mut to_reassign = WorkSet::new();
                let candidates: Vec<usize> = self
                    .candidate_workers
                    .iter()
                    .filter_map(|c| next.iter().position(|w| &w.worker == c))
                    .collect();
                if candidates.is_empty() {
                    tracing::debug!(
                        "delayed rebalance expired; no candidate worker, lost work is new work"
                    );
                    to_reassign = lost.clone();
                } else {
                    tracing::debug!(
                        candidates = candidates.len(),
                        "delayed rebalance expired; assigning lost work to candidate workers"
                    );
                    for (i, connector) in lost.connectors.iter().enumerate() {
                        next[candidates[i % candidates.len()]]
                            .connectors
                            .push(connector.clone());
                    }
                    for (i, task) in lost.tasks.iter().enumerate() {
                        next[candidates[i % candidates.len()]]
                            .tasks
                            .push(task.clone());
                    }
                }
                self.reset_delay();
                self.revoked_in_previous = false;
                to_reassign
            }
            scheduled => {
                for w in next.iter().filter(|w| w.is_empty()) {
                    if !self.candidate_workers.contains(&w.worker) {
                        self.candidate_workers.push(w.worker.clone());
                    }
                }
                self.delay = match scheduled {
                    Some(deadline) if now < deadline => {
                        // calculateDelay: the remaining time, capped at max_delay.
                        let remaining = deadline.duration_since(now).as_nanos().div_ceil(1_000_000);
                        i32::try_from(remaining)
                            .unwrap_or(i32::MAX)
                            .min(self.max_delay)
                    }
                    _ => self.max_delay,
                };
                self.scheduled_rebalance = Some(now + ms(self.delay));
                tracing::debug!(
                    delay_ms = self.delay,
                    lost = lost.len(),
                    "delayed rebalance in progress; lost work stays unassigned"
                );
                WorkSet::new()
            }
        }
    }

    fn reset_delay(&mut self) {
        self.candidate_workers.clear();
        self.scheduled_rebalance = None;
        self.delay = 0;
    }

    /// Java's `ExponentialBackoff(maxDelay == 0 ? 0 : 1, 40, maxDelay, 0).backoff(n)`.
    fn consecutive_revoking_backoff(&self) -> i32 {
        let initial: f64 = if self.max_delay == 0 { 0.0 } else { 1.0 };
        let max = f64::from(self.max_delay);
        let exp_max = if max > initial {
            (max / initial.max(1.0)).ln() / 40f64.ln()
        } else {
            0.0
        };
        if exp_max == 0.0 {
            return initial as i32;
        }
        let exp = f64::from(self.num_successive_revoking_rebalances).min(exp_max);
        let value = (initial * 40f64.powf(exp)) as i64;
        i32::try_from(value.min(i64::from(self.max_delay))).unwrap_or(self.max_delay)
    }
}

fn ms(millis: i32) -> Duration {
    Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}

/// Connectors and tasks reported by more than one member.
fn duplicated_assignments(member_assignments: &BTreeMap<String, WorkSet>) -> WorkSet {
    let mut connectors: BTreeMap<&String, u32> = BTreeMap::new();
    let mut tasks: BTreeMap<&ConnectorTaskId, u32> = BTreeMap::new();
    for set in member_assignments.values() {
        for c in &set.connectors {
            *connectors.entry(c).or_default() += 1;
        }
        for t in &set.tasks {
            *tasks.entry(t).or_default() += 1;
        }
    }
    WorkSet {
        connectors: connectors
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(c, _)| c.clone())
            .collect(),
        tasks: tasks
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(t, _)| t.clone())
            .collect(),
    }
}

/// Per member, its assignment ∩ `set`.
fn intersection(
    set: &WorkSet,
    member_assignments: &BTreeMap<String, WorkSet>,
) -> BTreeMap<String, WorkSet> {
    member_assignments
        .iter()
        .map(|(w, a)| (w.clone(), a.intersection(set)))
        .collect()
}

fn add_all(base: &mut BTreeMap<String, WorkSet>, to_add: &BTreeMap<String, WorkSet>) {
    for (w, set) in to_add {
        base.entry(w.clone()).or_default().extend(set);
    }
}

fn remove_all(loads: &mut [WorkerLoad], to_remove: &BTreeMap<String, WorkSet>) {
    for load in loads {
        if let Some(set) = to_remove.get(&load.worker) {
            load.remove_all(set);
        }
    }
}

/// `performLoadBalancingRevocations`: revoke from each worker until none runs more than a
/// perfectly balanced assignment of the configured work would give it. Empty if every
/// worker is empty or nothing is configured.
fn load_balancing_revocations(
    configured: &WorkSet,
    workers: &[WorkerLoad],
) -> BTreeMap<String, WorkSet> {
    let mut result: BTreeMap<String, WorkSet> = BTreeMap::new();
    if workers.iter().all(WorkerLoad::is_empty) || configured.is_empty() {
        return result;
    }
    for (worker, revoked) in
        revocations_for(configured.connectors.len(), workers, |w| &w.connectors)
    {
        result.entry(worker).or_default().connectors.extend(revoked);
    }
    for (worker, revoked) in revocations_for(configured.tasks.len(), workers, |w| &w.tasks) {
        result.entry(worker).or_default().tasks.extend(revoked);
    }
    result
}

/// `loadBalancingRevocations` for one kind of resource.
fn revocations_for<E: Clone>(
    total: usize,
    workers: &[WorkerLoad],
    allocation: impl Fn(&WorkerLoad) -> &Vec<E>,
) -> Vec<(String, Vec<E>)> {
    let n = workers.len();
    if n == 0 {
        return Vec::new();
    }
    let min = total / n;
    let extra = total % n;
    let at_min = workers
        .iter()
        .filter(|w| allocation(w).len() == min)
        .count();
    let at_extra = workers
        .iter()
        .filter(|w| allocation(w).len() == min + 1)
        .count();
    if at_extra == extra && at_min + at_extra == n {
        return Vec::new();
    }
    let mut result = Vec::new();
    let mut allocated_extras = 0;
    for w in workers {
        let size = allocation(w).len();
        if size <= min {
            continue;
        }
        let max = if allocated_extras < extra {
            allocated_extras += 1;
            if size == min + 1 {
                continue;
            }
            min + 1
        } else {
            min
        };
        let revoked: Vec<E> = allocation(w).iter().take(size - max).cloned().collect();
        result.push((w.worker.clone(), revoked));
    }
    result
}

/// `assignConnectors`/`assignTasks`: sort the workers by (load, id) and deal the work
/// round-robin to the least-loaded ones, each pass covering every worker at the lowest load.
fn assign_round_robin<E>(
    workers: &mut [WorkerLoad],
    items: Vec<E>,
    size: impl Fn(&WorkerLoad) -> usize,
    push: impl Fn(&mut WorkerLoad, E),
) {
    if workers.is_empty() {
        return;
    }
    workers.sort_by(|a, b| size(a).cmp(&size(b)).then_with(|| a.worker.cmp(&b.worker)));
    let mut load = items.into_iter().peekable();
    while load.peek().is_some() {
        let first = size(&workers[0]);
        let up_to = workers
            .iter()
            .position(|w| size(w) > first)
            .unwrap_or(workers.len());
        for w in workers.iter_mut().take(up_to) {
            match load.next() {
                Some(item) => push(w, item),
                None => break,
            }
        }
    }
}

fn assign_connectors(workers: &mut [WorkerLoad], connectors: Vec<String>) {
    assign_round_robin(
        workers,
        connectors,
        |w| w.connectors.len(),
        |w, c| w.connectors.push(c),
    );
}

fn assign_tasks(workers: &mut [WorkerLoad], tasks: Vec<ConnectorTaskId>) {
    assign_round_robin(workers, tasks, |w| w.tasks.len(), |w, t| w.tasks.push(t));
}

#[cfg(test)]
mod tests {
    use super::super::protocol::{running_after, CONNECT_PROTOCOL_V2};
    use super::*;
    use proptest::prelude::*;

    const MAX_DELAY: Duration = Duration::from_secs(300);

    fn work(offset: i64, connectors: &[(&str, u32)]) -> ConfiguredWork {
        ConfiguredWork {
            offset,
            connectors: connectors
                .iter()
                .map(|(c, n)| ((*c).to_owned(), *n))
                .collect(),
        }
    }

    fn six_by_two() -> ConfiguredWork {
        work(
            10,
            &[
                ("c1", 2),
                ("c2", 2),
                ("c3", 2),
                ("c4", 2),
                ("c5", 2),
                ("c6", 2),
            ],
        )
    }

    fn meta(version: i16, offset: i64, running: Option<&WorkSet>) -> WorkerMetadata {
        WorkerMetadata {
            version,
            url: "http://w".into(),
            config_offset: offset,
            allocation: running.map(|r| Assignment {
                version,
                error: NO_ERROR,
                leader: "w1".into(),
                leader_url: "http://w".into(),
                config_offset: offset,
                assigned: r.clone(),
                revoked: WorkSet::new(),
                delay: 0,
            }),
        }
    }

    /// A simulated cluster: member id → what it runs.
    struct Cluster {
        running: BTreeMap<String, WorkSet>,
        assigned_before: BTreeSet<String>,
        generation: i32,
    }

    impl Cluster {
        fn new(ids: &[&str]) -> Self {
            Self {
                running: ids
                    .iter()
                    .map(|i| ((*i).to_owned(), WorkSet::new()))
                    .collect(),
                assigned_before: BTreeSet::new(),
                generation: 0,
            }
        }

        fn members(&self) -> BTreeMap<String, WorkerMetadata> {
            self.running
                .iter()
                .map(|(id, r)| {
                    let alloc = self.assigned_before.contains(id).then_some(r);
                    (id.clone(), meta(CONNECT_PROTOCOL_V2, 10, alloc))
                })
                .collect()
        }

        fn round(
            &mut self,
            assignor: &mut IncrementalAssignor,
            now: Instant,
            work: &ConfiguredWork,
        ) -> BTreeMap<String, Assignment> {
            self.generation += 1;
            let leader = self.running.keys().next().cloned().unwrap_or_default();
            let out = assignor.assign(
                now,
                &leader,
                CONNECT_PROTOCOL_V2,
                self.generation,
                &self.members(),
                work,
            );
            for (id, a) in &out {
                let current = self.running.get(id).cloned().unwrap_or_default();
                self.running.insert(id.clone(), running_after(&current, a));
                self.assigned_before.insert(id.clone());
            }
            out
        }

        fn total(&self) -> WorkSet {
            let mut all = WorkSet::new();
            for r in self.running.values() {
                all.extend(r);
            }
            all
        }

        fn counts(&self) -> Vec<(usize, usize)> {
            self.running
                .values()
                .map(|r| (r.connectors.len(), r.tasks.len()))
                .collect()
        }
    }

    /// Every configured item on exactly one member, nothing else, loads within ±1.
    fn check_balanced(cluster: &Cluster, work: &ConfiguredWork) -> Result<(), String> {
        let configured = work.work_set();
        for c in &configured.connectors {
            let n = cluster
                .running
                .values()
                .filter(|r| r.connectors.contains(c))
                .count();
            if n != 1 {
                return Err(format!("connector {c} runs on {n} members"));
            }
        }
        for t in &configured.tasks {
            let n = cluster
                .running
                .values()
                .filter(|r| r.tasks.contains(t))
                .count();
            if n != 1 {
                return Err(format!("task {t} runs on {n} members"));
            }
        }
        if cluster.total() != configured {
            return Err("unconfigured work is running".into());
        }
        let counts = cluster.counts();
        let spread = |f: fn(&(usize, usize)) -> usize| {
            let max = counts.iter().map(f).max().unwrap_or(0);
            let min = counts.iter().map(f).min().unwrap_or(0);
            max - min
        };
        if spread(|c| c.0) > 1 || spread(|c| c.1) > 1 {
            return Err(format!("imbalanced: {counts:?}"));
        }
        Ok(())
    }

    #[test]
    fn eager_deals_connectors_then_tasks_round_robin_by_member_id() {
        let members: BTreeMap<_, _> = ["b", "a"]
            .iter()
            .map(|i| ((*i).to_owned(), meta(0, 3, None)))
            .collect();
        let out = eager_assign("a", &members, &work(3, &[("x", 2), ("y", 1)]));
        let a = &out["a"];
        let b = &out["b"];
        // Connectors: x→a, y→b; tasks continue the iterator: x-0→a, x-1→b, y-0→a.
        assert_eq!(a.assigned.connectors, ["x".to_owned()].into());
        assert_eq!(b.assigned.connectors, ["y".to_owned()].into());
        assert_eq!(
            a.assigned.tasks,
            [ConnectorTaskId::new("x", 0), ConnectorTaskId::new("y", 0)].into()
        );
        assert_eq!(b.assigned.tasks, [ConnectorTaskId::new("x", 1)].into());
        assert!(out
            .values()
            .all(|x| x.version == 0 && x.config_offset == 3 && x.leader == "a"));
    }

    #[test]
    fn config_mismatch_when_a_member_is_ahead_of_the_leader() {
        let mut members: BTreeMap<_, _> = [("a".to_owned(), meta(2, 3, None))].into();
        members.insert("b".into(), meta(2, 9, None));
        let w = work(3, &[("x", 1)]);
        for out in [
            eager_assign("a", &members, &w),
            IncrementalAssignor::new(MAX_DELAY).assign(Instant::now(), "a", 2, 1, &members, &w),
        ] {
            assert!(out.values().all(|x| x.error == CONFIG_MISMATCH
                && x.config_offset == 9
                && x.assigned.is_empty()));
        }
    }

    #[test]
    fn initial_assignment_spreads_evenly() {
        let w = six_by_two();
        let mut cluster = Cluster::new(&["w1", "w2", "w3"]);
        let mut assignor = IncrementalAssignor::new(MAX_DELAY);
        let out = cluster.round(&mut assignor, Instant::now(), &w);
        assert!(out.values().all(|a| a.revoked.is_empty() && a.delay == 0));
        assert_eq!(cluster.counts(), vec![(2, 4); 3]);
        check_balanced(&cluster, &w).expect("balanced");
    }

    #[test]
    fn departed_worker_work_waits_for_the_delay_then_is_reassigned() {
        let w = six_by_two();
        let t0 = Instant::now();
        let mut cluster = Cluster::new(&["w1", "w2", "w3"]);
        let mut assignor = IncrementalAssignor::new(MAX_DELAY);
        cluster.round(&mut assignor, t0, &w);
        let gone = cluster.running.remove("w3").expect("w3");

        let out = cluster.round(&mut assignor, t0 + Duration::from_secs(1), &w);
        assert!(out
            .values()
            .all(|a| a.assigned.is_empty() && a.revoked.is_empty()));
        assert!(out.values().all(|a| a.delay == 300_000));
        assert_eq!(cluster.total(), w.work_set().difference(&gone));

        // Another rebalance before the deadline: still unassigned, remaining delay.
        let out = cluster.round(&mut assignor, t0 + Duration::from_secs(101), &w);
        assert!(out
            .values()
            .all(|a| a.assigned.is_empty() && a.delay == 200_000));

        // After the deadline the lost work is handed out, balanced.
        let out = cluster.round(&mut assignor, t0 + Duration::from_secs(302), &w);
        assert!(out.values().all(|a| a.delay == 0 && a.revoked.is_empty()));
        check_balanced(&cluster, &w).expect("balanced after the delay");
        assert_eq!(cluster.counts(), vec![(3, 6); 2]);
    }

    #[test]
    fn departed_worker_returning_under_a_new_id_gets_its_share_after_the_delay() {
        let w = six_by_two();
        let t0 = Instant::now();
        let mut cluster = Cluster::new(&["w1", "w2", "w3"]);
        let mut assignor = IncrementalAssignor::new(MAX_DELAY);
        cluster.round(&mut assignor, t0, &w);
        cluster.running.remove("w3");
        cluster.running.insert("w4".into(), WorkSet::new());
        let out = cluster.round(&mut assignor, t0 + Duration::from_secs(1), &w);
        assert!(out
            .values()
            .all(|a| a.assigned.is_empty() && a.delay == 300_000));
        cluster.round(&mut assignor, t0 + Duration::from_secs(301), &w);
        // The lost work goes to the candidate worker (w4), which was empty.
        assert_eq!(cluster.running["w4"].connectors.len(), 2);
        assert_eq!(cluster.running["w4"].tasks.len(), 4);
        check_balanced(&cluster, &w).expect("balanced");
    }

    #[test]
    fn zero_delay_reassigns_lost_work_immediately() {
        let w = six_by_two();
        let t0 = Instant::now();
        let mut cluster = Cluster::new(&["w1", "w2", "w3"]);
        let mut assignor = IncrementalAssignor::new(Duration::ZERO);
        cluster.round(&mut assignor, t0, &w);
        cluster.running.remove("w3");
        let out = cluster.round(&mut assignor, t0, &w);
        assert!(out.values().all(|a| a.delay == 0));
        check_balanced(&cluster, &w).expect("balanced at once");
    }

    #[test]
    fn joining_worker_gets_revoked_excess_in_the_next_round() {
        let w = six_by_two();
        let t0 = Instant::now();
        let mut cluster = Cluster::new(&["w1", "w2", "w3"]);
        let mut assignor = IncrementalAssignor::new(MAX_DELAY);
        cluster.round(&mut assignor, t0, &w);
        let before = cluster.running.clone();
        cluster.running.insert("w4".into(), WorkSet::new());

        // Round 1: 6 connectors over 4 → two workers keep 2, one gives up 1; 12 tasks → each
        // gives up 1. Nothing is assigned yet.
        let out = cluster.round(&mut assignor, t0, &w);
        let revoked_connectors: usize = out.values().map(|a| a.revoked.connectors.len()).sum();
        let revoked_tasks: usize = out.values().map(|a| a.revoked.tasks.len()).sum();
        assert_eq!((revoked_connectors, revoked_tasks), (1, 3));
        assert!(out.values().all(|a| a.assigned.is_empty()));
        for (id, prev) in &before {
            let kept = &cluster.running[id];
            assert_eq!(
                kept.union(&out[id].revoked),
                *prev,
                "{id} keeps everything else"
            );
            assert_eq!(out[id].revoked.tasks.len(), 1);
        }

        // Round 2 (the members rejoin right after the revocation): w4 gets exactly that.
        let revoked: WorkSet = out
            .values()
            .fold(WorkSet::new(), |acc, a| acc.union(&a.revoked));
        let out = cluster.round(&mut assignor, t0, &w);
        assert!(out.values().all(|a| a.revoked.is_empty()));
        assert_eq!(out["w4"].assigned, revoked);
        assert!(out
            .iter()
            .filter(|(id, _)| *id != "w4")
            .all(|(_, a)| a.assigned.is_empty()));
        check_balanced(&cluster, &w).expect("balanced");

        // Round 3: nothing moves.
        let out = cluster.round(&mut assignor, t0, &w);
        assert!(out
            .values()
            .all(|a| a.assigned.is_empty() && a.revoked.is_empty()));
    }

    #[test]
    fn deleted_connector_and_reduced_tasks_are_revoked() {
        let w = six_by_two();
        let t0 = Instant::now();
        let mut cluster = Cluster::new(&["w1", "w2", "w3"]);
        let mut assignor = IncrementalAssignor::new(MAX_DELAY);
        cluster.round(&mut assignor, t0, &w);

        let mut shrunk = w.clone();
        shrunk.connectors.remove("c1");
        shrunk.connectors.insert("c2".into(), 1);
        let out = cluster.round(&mut assignor, t0, &shrunk);
        let revoked: WorkSet = out
            .values()
            .fold(WorkSet::new(), |acc, a| acc.union(&a.revoked));
        assert!(revoked.connectors.contains("c1"));
        for t in [("c1", 0), ("c1", 1), ("c2", 1)] {
            assert!(
                revoked.tasks.contains(&ConnectorTaskId::new(t.0, t.1)),
                "{t:?} revoked"
            );
        }
        assert!(cluster.total().connectors.iter().all(|c| c != "c1"));
        assert!(!cluster
            .total()
            .tasks
            .contains(&ConnectorTaskId::new("c2", 1)));
        // Balanced after at most one more round.
        cluster.round(&mut assignor, t0, &shrunk);
        check_balanced(&cluster, &shrunk).expect("balanced");
    }

    #[test]
    fn duplicated_work_is_revoked_from_every_holder_then_reassigned_once() {
        let w = work(10, &[("c", 2)]);
        let both = WorkSet {
            connectors: ["c".to_owned()].into(),
            tasks: [ConnectorTaskId::new("c", 0)].into(),
        };
        let mut cluster = Cluster::new(&["w1", "w2"]);
        cluster.running.insert("w1".into(), both.clone());
        cluster.running.insert("w2".into(), both.clone());
        cluster.assigned_before = ["w1".to_owned(), "w2".to_owned()].into();
        let mut assignor = IncrementalAssignor::new(MAX_DELAY);
        let t0 = Instant::now();
        let out = cluster.round(&mut assignor, t0, &w);
        assert_eq!(out["w1"].revoked, both);
        assert_eq!(out["w2"].revoked, both);
        cluster.round(&mut assignor, t0, &w);
        check_balanced(&cluster, &w).expect("balanced");
    }

    #[test]
    fn new_leader_continues_from_member_allocations() {
        let w = six_by_two();
        let t0 = Instant::now();
        let mut cluster = Cluster::new(&["w1", "w2", "w3"]);
        let mut old_leader = IncrementalAssignor::new(MAX_DELAY);
        cluster.round(&mut old_leader, t0, &w);
        let before = cluster.running.clone();

        // A fresh leader with the same members and config: nothing moves.
        let mut new_leader = IncrementalAssignor::new(MAX_DELAY);
        let out = cluster.round(&mut new_leader, t0, &w);
        assert!(out
            .values()
            .all(|a| a.assigned.is_empty() && a.revoked.is_empty()));
        assert_eq!(cluster.running, before);

        // A new connector and a new worker under a fresh leader: balanced in two rounds.
        let mut more = w.clone();
        more.connectors.insert("c7".into(), 3);
        cluster.running.insert("w4".into(), WorkSet::new());
        let mut third = IncrementalAssignor::new(MAX_DELAY);
        cluster.round(&mut third, t0, &more);
        cluster.round(&mut third, t0, &more);
        check_balanced(&cluster, &more).expect("balanced");
    }

    #[test]
    fn missed_generation_clears_the_previous_assignment() {
        let w = six_by_two();
        let t0 = Instant::now();
        let mut cluster = Cluster::new(&["w1", "w2", "w3"]);
        let mut assignor = IncrementalAssignor::new(MAX_DELAY);
        cluster.round(&mut assignor, t0, &w);
        // w3 leaves, but the leader missed a generation: it no longer knows w3's work was
        // assigned, so it is new work, assigned at once (no delay).
        cluster.running.remove("w3");
        cluster.generation += 5;
        let out = cluster.round(&mut assignor, t0, &w);
        assert!(out.values().all(|a| a.delay == 0));
        check_balanced(&cluster, &w).expect("balanced");
    }

    #[test]
    fn consecutive_revocation_backoff_matches_java() {
        let mut a = IncrementalAssignor::new(MAX_DELAY);
        let expected = [40, 1600, 64000, 300_000, 300_000];
        for (i, e) in expected.iter().enumerate() {
            a.num_successive_revoking_rebalances = u32::try_from(i + 1).unwrap_or(0);
            assert_eq!(a.consecutive_revoking_backoff(), *e);
        }
        let zero = IncrementalAssignor::new(Duration::ZERO);
        assert_eq!(zero.consecutive_revoking_backoff(), 0);
    }

    /// Tasks per connector, number of members, initial holders of each item, events.
    type Scenario = (Vec<u32>, usize, Vec<(u8, u8)>, Vec<u8>);

    fn arb_scenario() -> impl Strategy<Value = Scenario> {
        (
            prop::collection::vec(0u32..5, 0..6), // tasks per connector
            1usize..6,                            // members
            prop::collection::vec((any::<u8>(), any::<u8>()), 0..40), // initial holders
            prop::collection::vec(any::<u8>(), 0..4), // events
        )
    }

    proptest! {
        #[test]
        fn converges_within_two_rounds((tasks, n_members, holders, events) in arb_scenario()) {
            let mut w = ConfiguredWork {
                offset: 10,
                connectors: tasks
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (format!("c{i}"), *n))
                    .collect(),
            };
            let ids: Vec<String> = (0..n_members).map(|i| format!("w{i}")).collect();
            let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let mut cluster = Cluster::new(&id_refs);
            // A random starting allocation of configured work (some unassigned, some held
            // twice), as members of an earlier leader would report it.
            let items: Vec<(bool, String, u32)> = w
                .connectors
                .iter()
                .flat_map(|(c, n)| {
                    std::iter::once((true, c.clone(), 0))
                        .chain((0..*n).map(move |t| (false, c.clone(), t)))
                })
                .collect();
            for (i, (is_conn, c, t)) in items.iter().enumerate() {
                let (h1, h2) = holders.get(i).copied().unwrap_or((0, 0));
                for h in [h1, h2] {
                    let slot = usize::from(h) % (n_members + 2);
                    if slot < n_members {
                        let set = cluster.running.entry(ids[slot].clone()).or_default();
                        if *is_conn {
                            set.connectors.insert(c.clone());
                        } else {
                            set.tasks.insert(ConnectorTaskId::new(c.clone(), *t));
                        }
                    }
                }
                cluster.assigned_before.extend(ids.iter().cloned());
            }
            let t0 = Instant::now();
            let mut assignor = IncrementalAssignor::new(Duration::ZERO);
            cluster.round(&mut assignor, t0, &w);
            cluster.round(&mut assignor, t0, &w);
            check_balanced(&cluster, &w).map_err(TestCaseError::fail)?;

            // Then some membership or config changes, each followed by two rounds.
            let mut next_id = n_members;
            for e in events {
                match e % 4 {
                    0 if cluster.running.len() > 1 => {
                        let i = usize::from(e) % cluster.running.len();
                        let victim = cluster.running.keys().nth(i).cloned();
                        if let Some(v) = victim { cluster.running.remove(&v); }
                    }
                    1 => {
                        cluster.running.insert(format!("w{next_id}"), WorkSet::new());
                        next_id += 1;
                    }
                    2 => {
                        let i = usize::from(e) % w.connectors.len().max(1);
                        let name = w.connectors.keys().nth(i).cloned();
                        if let Some(name) = name { w.connectors.remove(&name); }
                    }
                    _ => {
                        let name = format!("n{e}");
                        w.connectors.insert(name, u32::from(e % 5));
                    }
                }
                cluster.round(&mut assignor, t0, &w);
                cluster.round(&mut assignor, t0, &w);
                check_balanced(&cluster, &w).map_err(TestCaseError::fail)?;
            }
        }
    }
}
