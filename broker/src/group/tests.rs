//! Logic tests for the group coordinator. They run on tokio's paused clock:
//! timers (session expiry, rebalance delays) advance virtually and instantly,
//! and "completes at once" is asserted as "no virtual time passed".

use super::*;
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::leave_group_request::MemberIdentity;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_delete_request::{
    OffsetDeleteRequestPartition, OffsetDeleteRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::ConsumerProtocolSubscription;
use kafka_protocol::protocol::Encodable;
use std::collections::HashSet;
use std::sync::atomic::AtomicBool;

const CLIENT: &str = "client";
const HOST: &str = "/127.0.0.1";

/// The store test double: an in-memory log, optionally failing every append.
#[derive(Default)]
struct MemStore {
    records: Mutex<Vec<(Bytes, Option<Bytes>)>>,
    fail: AtomicBool,
}

impl GroupStore for MemStore {
    fn append(
        &self,
        records: Vec<(Bytes, Option<Bytes>)>,
    ) -> BoxFuture<'static, Result<(), String>> {
        if self.fail.load(Ordering::SeqCst) {
            return Box::pin(async { Err("disk on fire".to_owned()) });
        }
        self.records.lock().extend(records);
        Box::pin(async { Ok(()) })
    }
}

impl MemStore {
    fn snapshot(&self) -> Vec<(Bytes, Option<Bytes>)> {
        self.records.lock().clone()
    }

    /// The decoded group metadata records for `group`, in log order (None = tombstone).
    fn group_records(&self, group: &str) -> Vec<Option<records::GroupMetadataValue>> {
        self.snapshot()
            .into_iter()
            .filter(|(k, _)| {
                records::decode_key(k)
                    == Ok(RecordKey::Group {
                        group: group.into(),
                    })
            })
            .map(|(_, v)| v.map(|v| records::decode_group_value(&v).expect("group value decodes")))
            .collect()
    }
}

/// Topics t1 (4 partitions) and t2 (2 partitions).
struct Topics;

impl TopicLookup for Topics {
    fn partition_exists(&self, topic: &str, partition: i32) -> bool {
        match topic {
            "t1" => (0..4).contains(&partition),
            "t2" => (0..2).contains(&partition),
            _ => false,
        }
    }
}

fn setup_with(config: GroupConfig) -> (Arc<GroupCoordinator>, Arc<MemStore>) {
    let store = Arc::new(MemStore::default());
    let coordinator = GroupCoordinator::new(config, store.clone(), Arc::new(Topics));
    coordinator.start();
    (coordinator, store)
}

fn setup() -> (Arc<GroupCoordinator>, Arc<MemStore>) {
    setup_with(GroupConfig::default())
}

fn s(x: &str) -> StrBytes {
    StrBytes::from_string(x.to_owned())
}

fn gid(x: &str) -> GroupId {
    GroupId(s(x))
}

fn protocols(list: &[(&str, &[u8])]) -> Vec<JoinGroupRequestProtocol> {
    list.iter()
        .map(|(name, metadata)| {
            JoinGroupRequestProtocol::default()
                .with_name(s(name))
                .with_metadata(Bytes::copy_from_slice(metadata))
        })
        .collect()
}

fn join_req(
    group: &str,
    member: &str,
    protocol_type: &str,
    list: &[(&str, &[u8])],
) -> JoinGroupRequest {
    JoinGroupRequest::default()
        .with_group_id(gid(group))
        .with_session_timeout_ms(10_000)
        .with_rebalance_timeout_ms(20_000)
        .with_member_id(s(member))
        .with_protocol_type(s(protocol_type))
        .with_protocols(protocols(list))
}

fn consumer_join(group: &str, member: &str) -> JoinGroupRequest {
    join_req(group, member, "consumer", &[("range", b"meta")])
}

fn spawn_join(
    c: &Arc<GroupCoordinator>,
    req: JoinGroupRequest,
    version: i16,
) -> tokio::task::JoinHandle<JoinGroupResponse> {
    let c = Arc::clone(c);
    tokio::spawn(async move { c.join_group(req, version, CLIENT, HOST).await })
}

fn spawn_sync(
    c: &Arc<GroupCoordinator>,
    req: SyncGroupRequest,
) -> tokio::task::JoinHandle<SyncGroupResponse> {
    let c = Arc::clone(c);
    tokio::spawn(async move { c.sync_group(req, 3).await })
}

/// JoinGroup v5 from scratch: MEMBER_ID_REQUIRED, then the real join (which
/// may park, so it is spawned).
async fn join_new(
    c: &Arc<GroupCoordinator>,
    req: JoinGroupRequest,
) -> tokio::task::JoinHandle<JoinGroupResponse> {
    let first = c.join_group(req.clone(), 5, CLIENT, HOST).await;
    assert_eq!(first.error_code, code::MEMBER_ID_REQUIRED);
    assert!(
        first.member_id.starts_with("client-"),
        "{:?}",
        first.member_id
    );
    spawn_join(c, req.with_member_id(first.member_id), 5)
}

fn sync_req(
    group: &str,
    member: &str,
    generation: i32,
    assignments: &[(&str, &[u8])],
) -> SyncGroupRequest {
    SyncGroupRequest::default()
        .with_group_id(gid(group))
        .with_member_id(s(member))
        .with_generation_id(generation)
        .with_assignments(
            assignments
                .iter()
                .map(|(m, a)| {
                    SyncGroupRequestAssignment::default()
                        .with_member_id(s(m))
                        .with_assignment(Bytes::copy_from_slice(a))
                })
                .collect(),
        )
}

fn heartbeat_req(group: &str, member: &str, generation: i32) -> HeartbeatRequest {
    HeartbeatRequest::default()
        .with_group_id(gid(group))
        .with_member_id(s(member))
        .with_generation_id(generation)
}

async fn heartbeat(c: &GroupCoordinator, group: &str, member: &str, generation: i32) -> i16 {
    c.heartbeat(heartbeat_req(group, member, generation), 3)
        .await
        .error_code
}

fn leave_req(group: &str, members: &[&str]) -> LeaveGroupRequest {
    LeaveGroupRequest::default()
        .with_group_id(gid(group))
        .with_members(
            members
                .iter()
                .map(|m| MemberIdentity::default().with_member_id(s(m)))
                .collect(),
        )
}

fn commit_req(
    group: &str,
    member: &str,
    generation: i32,
    offsets: &[(&str, i32, i64, Option<&str>)],
) -> OffsetCommitRequest {
    let mut topics: Vec<OffsetCommitRequestTopic> = Vec::new();
    for (topic, partition, offset, metadata) in offsets {
        if topics.last().is_none_or(|t| t.name.as_str() != *topic) {
            topics.push(OffsetCommitRequestTopic::default().with_name(TopicName(s(topic))));
        }
        if let Some(t) = topics.last_mut() {
            t.partitions.push(
                OffsetCommitRequestPartition::default()
                    .with_partition_index(*partition)
                    .with_committed_offset(*offset)
                    .with_committed_leader_epoch(7)
                    .with_committed_metadata(metadata.map(s)),
            );
        }
    }
    OffsetCommitRequest::default()
        .with_group_id(gid(group))
        .with_member_id(s(member))
        .with_generation_id_or_member_epoch(generation)
        .with_topics(topics)
}

fn commit_errors(resp: &OffsetCommitResponse) -> Vec<(String, i32, i16)> {
    resp.topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .map(move |p| (t.name.to_string(), p.partition_index, p.error_code))
        })
        .collect()
}

fn fetch_req(group: &str, topics: Option<&[(&str, &[i32])]>) -> OffsetFetchRequest {
    OffsetFetchRequest::default()
        .with_group_id(gid(group))
        .with_topics(topics.map(|ts| {
            ts.iter()
                .map(|(name, partitions)| {
                    OffsetFetchRequestTopic::default()
                        .with_name(TopicName(s(name)))
                        .with_partition_indexes(partitions.to_vec())
                })
                .collect()
        }))
}

/// (topic, partition, offset, leader epoch, metadata, error)
fn fetched(resp: &OffsetFetchResponse) -> Vec<(String, i32, i64, i32, String, i16)> {
    resp.topics
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(move |p| {
                (
                    t.name.to_string(),
                    p.partition_index,
                    p.committed_offset,
                    p.committed_leader_epoch,
                    p.metadata.as_deref().unwrap_or("<null>").to_owned(),
                    p.error_code,
                )
            })
        })
        .collect()
}

async fn describe(c: &GroupCoordinator, group: &str) -> DescribedGroup {
    let resp = c
        .describe_groups(
            DescribeGroupsRequest::default().with_groups(vec![gid(group)]),
            5,
        )
        .await;
    resp.groups.into_iter().next().expect("one group")
}

fn subscription(topics: &[&str]) -> Bytes {
    let mut buf = bytes::BytesMut::new();
    buf.extend_from_slice(&1i16.to_be_bytes());
    ConsumerProtocolSubscription::default()
        .with_topics(topics.iter().map(|t| s(t)).collect())
        .encode(&mut buf, 1)
        .expect("encode subscription");
    buf.freeze()
}

/// A Stable group of one member (JoinGroup v5); returns (member id, generation).
async fn stable_single(c: &Arc<GroupCoordinator>, group: &str) -> (String, i32) {
    let joined = join_new(c, consumer_join(group, ""))
        .await
        .await
        .expect("join");
    assert_eq!(joined.error_code, 0);
    let member = joined.member_id.to_string();
    let synced = c
        .sync_group(
            sync_req(group, &member, joined.generation_id, &[(&member, b"a1")]),
            3,
        )
        .await;
    assert_eq!(synced.error_code, 0);
    (member, joined.generation_id)
}

/// A Stable group of two members; returns (leader, follower, generation).
async fn stable_pair(c: &Arc<GroupCoordinator>, group: &str) -> (String, String, i32) {
    let (m1, g1) = stable_single(c, group).await;
    let m2_join = join_new(c, consumer_join(group, "")).await;
    tokio::task::yield_now().await;
    assert_eq!(
        heartbeat(c, group, &m1, g1).await,
        code::REBALANCE_IN_PROGRESS
    );
    let m1_join = c
        .join_group(consumer_join(group, &m1), 5, CLIENT, HOST)
        .await;
    let m2_join = m2_join.await.expect("join");
    assert_eq!((m1_join.error_code, m2_join.error_code), (0, 0));
    let generation = m1_join.generation_id;
    assert_eq!(generation, g1 + 1);
    let m2 = m2_join.member_id.to_string();
    let follower = spawn_sync(c, sync_req(group, &m2, generation, &[]));
    let leader = c
        .sync_group(
            sync_req(group, &m1, generation, &[(&m1, b"a1"), (&m2, b"a2")]),
            3,
        )
        .await;
    assert_eq!(leader.error_code, 0);
    assert_eq!(
        follower.await.expect("sync").assignment,
        Bytes::from_static(b"a2")
    );
    (m1, m2, generation)
}

// ----- join / sync -----------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn single_member_join_and_sync() {
    let (c, store) = setup();
    let start = Instant::now();
    let joined = join_new(&c, consumer_join("g", ""))
        .await
        .await
        .expect("join");
    assert_eq!(joined.error_code, 0);
    assert_eq!(joined.generation_id, 1);
    assert_eq!(joined.protocol_name.as_deref(), Some("range"));
    assert_eq!(joined.leader, joined.member_id);
    assert_eq!(joined.members.len(), 1);
    assert_eq!(joined.members[0].metadata, Bytes::from_static(b"meta"));
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "no initial delay configured"
    );

    let member = joined.member_id.to_string();
    let synced = c
        .sync_group(sync_req("g", &member, 1, &[(&member, b"assignment")]), 3)
        .await;
    assert_eq!(synced.error_code, 0);
    assert_eq!(synced.assignment, Bytes::from_static(b"assignment"));

    let described = describe(&c, "g").await;
    assert_eq!(described.group_state.as_str(), "Stable");
    assert_eq!(described.protocol_data.as_str(), "range");
    assert_eq!(
        described.members[0].member_assignment,
        Bytes::from_static(b"assignment")
    );
    assert_eq!(described.members[0].client_host.as_str(), HOST);

    let written = store.group_records("g");
    let last = written.last().cloned().flatten().expect("group record");
    assert_eq!(
        (last.generation, last.protocol.as_deref()),
        (1, Some("range"))
    );
    assert_eq!(last.members[0].member_id, member);
    assert_eq!(last.members[0].subscription, Bytes::from_static(b"meta"));
    assert_eq!(
        last.members[0].assignment,
        Bytes::from_static(b"assignment")
    );
    assert_eq!(heartbeat(&c, "g", &member, 1).await, 0);
}

#[tokio::test(start_paused = true)]
async fn three_members_join_within_the_initial_delay() {
    let (c, _store) = setup_with(GroupConfig {
        initial_rebalance_delay: Duration::from_millis(3000),
        ..GroupConfig::default()
    });
    let start = Instant::now();
    // JoinGroup v3: no MEMBER_ID_REQUIRED round trip.
    let joins: Vec<_> = (0..3)
        .map(|_| spawn_join(&c, consumer_join("g", ""), 3))
        .collect();
    let mut responses = Vec::new();
    for j in joins {
        responses.push(j.await.expect("join"));
    }
    // Kafka's InitialDelayedJoin: 3 s, extended once by 3 s because members kept arriving.
    assert_eq!(start.elapsed().as_millis() / 100, 60);
    assert!(responses
        .iter()
        .all(|r| r.error_code == 0 && r.generation_id == 1));
    let leader_id = responses[0].leader.to_string();
    let (leaders, followers): (Vec<_>, Vec<_>) = responses
        .iter()
        .partition(|r| r.member_id.as_str() == leader_id);
    assert_eq!(leaders.len(), 1);
    assert_eq!(
        leaders[0].members.len(),
        3,
        "the leader gets every member's metadata"
    );
    assert!(
        followers.iter().all(|r| r.members.is_empty()),
        "followers get no member list"
    );

    // Followers park until the leader's assignment arrives; one member is left out by the leader.
    let f1 = followers[0].member_id.to_string();
    let f2 = followers[1].member_id.to_string();
    let p1 = spawn_sync(&c, sync_req("g", &f1, 1, &[]));
    let p2 = spawn_sync(&c, sync_req("g", &f2, 1, &[]));
    tokio::task::yield_now().await;
    assert!(!p1.is_finished() && !p2.is_finished());
    let leader = c
        .sync_group(
            sync_req("g", &leader_id, 1, &[(&leader_id, b"L"), (&f1, b"F1")]),
            3,
        )
        .await;
    assert_eq!(leader.assignment, Bytes::from_static(b"L"));
    assert_eq!(
        p1.await.expect("sync").assignment,
        Bytes::from_static(b"F1")
    );
    let omitted = p2.await.expect("sync");
    assert_eq!((omitted.error_code, omitted.assignment.len()), (0, 0));
    assert_eq!(describe(&c, "g").await.group_state.as_str(), "Stable");
}

#[tokio::test(start_paused = true)]
async fn rejoin_completes_as_soon_as_all_members_rejoined() {
    let (c, _store) = setup();
    let (m1, m2, generation) = stable_pair(&c, "g").await;
    let start = Instant::now();
    // The leader rejoining forces a rebalance; the join waits for m2 only.
    let j1 = spawn_join(&c, consumer_join("g", &m1), 5);
    tokio::task::yield_now().await;
    assert!(!j1.is_finished());
    assert_eq!(
        heartbeat(&c, "g", &m2, generation).await,
        code::REBALANCE_IN_PROGRESS
    );
    let r2 = c.join_group(consumer_join("g", &m2), 5, CLIENT, HOST).await;
    let r1 = j1.await.expect("join");
    assert_eq!((r1.error_code, r2.error_code), (0, 0));
    assert_eq!(r1.generation_id, generation + 1);
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "no waiting for the rebalance timeout"
    );
}

#[tokio::test(start_paused = true)]
async fn member_id_required_flow() {
    let (c, _store) = setup();
    // v4+: a member id is handed out first, and nothing joins yet.
    let first = c.join_group(consumer_join("g", ""), 4, CLIENT, HOST).await;
    assert_eq!(first.error_code, code::MEMBER_ID_REQUIRED);
    assert_eq!(describe(&c, "g").await.members.len(), 0);
    let second = c
        .join_group(consumer_join("g", &first.member_id), 4, CLIENT, HOST)
        .await;
    assert_eq!(
        (second.error_code, second.member_id.as_str()),
        (0, first.member_id.as_str())
    );

    // A pending member that never comes back expires after its session timeout.
    let pending = c.join_group(consumer_join("g2", ""), 5, CLIENT, HOST).await;
    assert_eq!(pending.error_code, code::MEMBER_ID_REQUIRED);
    tokio::time::sleep(Duration::from_secs(11)).await;
    let late = c
        .join_group(consumer_join("g2", &pending.member_id), 5, CLIENT, HOST)
        .await;
    assert_eq!(late.error_code, code::UNKNOWN_MEMBER_ID);

    // v3 and older join directly.
    let old = c.join_group(consumer_join("g3", ""), 3, CLIENT, HOST).await;
    assert_eq!((old.error_code, old.generation_id), (0, 1));
}

#[tokio::test(start_paused = true)]
async fn protocol_is_chosen_by_vote_among_common_protocols() {
    async fn chosen(members: &[&[(&str, &[u8])]]) -> String {
        let (c, _store) = setup_with(GroupConfig {
            initial_rebalance_delay: Duration::from_millis(100),
            ..GroupConfig::default()
        });
        let joins: Vec<_> = members
            .iter()
            .map(|list| spawn_join(&c, join_req("g", "", "consumer", list), 3))
            .collect();
        let mut names = HashSet::new();
        for j in joins {
            let r = j.await.expect("join");
            assert_eq!(r.error_code, 0);
            names.insert(r.protocol_name.unwrap_or_default().to_string());
        }
        assert_eq!(names.len(), 1);
        names.into_iter().next().unwrap_or_default()
    }
    // "range" is most preferred but m3 does not support it.
    assert_eq!(
        chosen(&[
            &[("range", b""), ("rr", b"")],
            &[("range", b""), ("rr", b"")],
            &[("rr", b"")]
        ])
        .await,
        "rr"
    );
    // Two first-preference votes beat one.
    assert_eq!(
        chosen(&[
            &[("a", b""), ("b", b"")],
            &[("b", b""), ("a", b"")],
            &[("b", b""), ("a", b"")]
        ])
        .await,
        "b"
    );
    // The leader's metadata list carries each member's metadata for the chosen protocol.
    let (c, _store) = setup();
    let r = c
        .join_group(
            join_req("g", "", "consumer", &[("x", b"mx"), ("y", b"my")]),
            3,
            CLIENT,
            HOST,
        )
        .await;
    assert_eq!(r.members[0].metadata, Bytes::from_static(b"mx"));
}

#[tokio::test(start_paused = true)]
async fn inconsistent_protocols_are_refused() {
    let (c, _store) = setup();
    let (_m1, _) = stable_single(&c, "g").await;
    let other_type = c
        .join_group(
            join_req("g", "", "connect", &[("range", b"")]),
            5,
            CLIENT,
            HOST,
        )
        .await;
    assert_eq!(other_type.error_code, code::INCONSISTENT_GROUP_PROTOCOL);
    let no_common = c
        .join_group(
            join_req("g", "", "consumer", &[("sticky", b"")]),
            5,
            CLIENT,
            HOST,
        )
        .await;
    assert_eq!(no_common.error_code, code::INCONSISTENT_GROUP_PROTOCOL);
    let empty_type = c
        .join_group(join_req("g2", "", "", &[("range", b"")]), 5, CLIENT, HOST)
        .await;
    assert_eq!(empty_type.error_code, code::INCONSISTENT_GROUP_PROTOCOL);

    // Any protocol type works, e.g. Kafka Connect's, with opaque metadata.
    let connect = c
        .join_group(
            join_req("workers", "", "connect", &[("sessioned", b"\x00\x02url")]),
            3,
            CLIENT,
            HOST,
        )
        .await;
    assert_eq!(
        (connect.error_code, connect.protocol_name.as_deref()),
        (0, Some("sessioned"))
    );
    assert_eq!(
        connect.members[0].metadata,
        Bytes::from_static(b"\x00\x02url")
    );
}

#[tokio::test(start_paused = true)]
async fn invalid_requests() {
    let (c, _store) = setup();
    let bad_timeout = consumer_join("g", "").with_session_timeout_ms(1000);
    assert_eq!(
        c.join_group(bad_timeout, 5, CLIENT, HOST).await.error_code,
        ResponseError::InvalidSessionTimeout.code()
    );
    let too_long = consumer_join("g", "").with_session_timeout_ms(1_800_001);
    assert_eq!(
        c.join_group(too_long, 5, CLIENT, HOST).await.error_code,
        ResponseError::InvalidSessionTimeout.code()
    );
    assert_eq!(
        c.join_group(consumer_join("", ""), 5, CLIENT, HOST)
            .await
            .error_code,
        ResponseError::InvalidGroupId.code()
    );
    // A known member id for a group that does not exist.
    assert_eq!(
        c.join_group(consumer_join("nope", "m-1"), 5, CLIENT, HOST)
            .await
            .error_code,
        code::UNKNOWN_MEMBER_ID
    );
    assert_eq!(
        heartbeat(&c, "nope", "m-1", 1).await,
        code::UNKNOWN_MEMBER_ID
    );
    assert_eq!(
        c.sync_group(sync_req("nope", "m-1", 1, &[]), 3)
            .await
            .error_code,
        code::UNKNOWN_MEMBER_ID
    );
}

#[tokio::test(start_paused = true)]
async fn heartbeat_errors_follow_the_group_state() {
    let (c, _store) = setup();
    let (m1, generation) = stable_single(&c, "g").await;
    assert_eq!(heartbeat(&c, "g", &m1, generation).await, 0);
    assert_eq!(
        heartbeat(&c, "g", &m1, generation + 1).await,
        code::ILLEGAL_GENERATION
    );
    assert_eq!(
        heartbeat(&c, "g", "stranger", generation).await,
        code::UNKNOWN_MEMBER_ID
    );
    // Sync with a wrong generation or protocol.
    let wrong = c
        .sync_group(sync_req("g", &m1, generation + 5, &[]), 3)
        .await;
    assert_eq!(wrong.error_code, code::ILLEGAL_GENERATION);
    let wrong_protocol = sync_req("g", &m1, generation, &[]).with_protocol_name(Some(s("other")));
    assert_eq!(
        c.sync_group(wrong_protocol, 5).await.error_code,
        code::INCONSISTENT_GROUP_PROTOCOL
    );
    // Sync again while Stable returns the current assignment, echoing the protocol at v5.
    let again = c.sync_group(sync_req("g", &m1, generation, &[]), 5).await;
    assert_eq!(again.assignment, Bytes::from_static(b"a1"));
    assert_eq!(again.protocol_type.as_deref(), Some("consumer"));
    assert_eq!(again.protocol_name.as_deref(), Some("range"));
}

#[tokio::test(start_paused = true)]
async fn leave_triggers_a_rebalance_and_the_last_leave_empties_the_group() {
    let (c, store) = setup();
    let (m1, m2, generation) = stable_pair(&c, "g").await;
    let left = c.leave_group(leave_req("g", &[&m2, "stranger"]), 3).await;
    let errors: Vec<i16> = left.members.iter().map(|m| m.error_code).collect();
    assert_eq!(errors, vec![0, code::UNKNOWN_MEMBER_ID]);
    assert_eq!(
        describe(&c, "g").await.group_state.as_str(),
        "PreparingRebalance"
    );
    assert_eq!(
        heartbeat(&c, "g", &m1, generation).await,
        code::REBALANCE_IN_PROGRESS
    );

    let start = Instant::now();
    let rejoined = c.join_group(consumer_join("g", &m1), 5, CLIENT, HOST).await;
    assert_eq!(
        (rejoined.error_code, rejoined.generation_id),
        (0, generation + 1)
    );
    assert_eq!(rejoined.members.len(), 1);
    assert_eq!(start.elapsed(), Duration::ZERO);

    // v0-2: a single member, errors at the top level.
    let old = c
        .leave_group(
            LeaveGroupRequest::default()
                .with_group_id(gid("g"))
                .with_member_id(s(&m1)),
            1,
        )
        .await;
    assert_eq!((old.error_code, old.members.len()), (0, 0));
    let described = describe(&c, "g").await;
    assert_eq!(
        (described.group_state.as_str(), described.members.len()),
        ("Empty", 0)
    );
    let last = store
        .group_records("g")
        .last()
        .cloned()
        .flatten()
        .expect("empty group record");
    assert_eq!(
        (last.generation, last.members.len(), last.protocol),
        (generation + 2, 0, None)
    );

    let unknown = c
        .leave_group(
            LeaveGroupRequest::default()
                .with_group_id(gid("zzz"))
                .with_member_id(s("m")),
            0,
        )
        .await;
    assert_eq!(unknown.error_code, code::UNKNOWN_MEMBER_ID);
}

#[tokio::test(start_paused = true)]
async fn expired_sessions_remove_members() {
    let (c, _store) = setup();
    let (m1, m2, generation) = stable_pair(&c, "g").await;
    // m1 keeps heartbeating every 3 s; m2 is silent and its 10 s session expires.
    let mut rebalancing_after = None;
    for tick in 1..=6 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        if heartbeat(&c, "g", &m1, generation).await == code::REBALANCE_IN_PROGRESS {
            rebalancing_after = Some(tick * 3);
            break;
        }
    }
    assert_eq!(
        rebalancing_after,
        Some(12),
        "m2 expired 10 s after its last heartbeat"
    );
    let rejoined = c.join_group(consumer_join("g", &m1), 5, CLIENT, HOST).await;
    assert_eq!((rejoined.error_code, rejoined.members.len()), (0, 1));
    assert_eq!(
        heartbeat(&c, "g", &m2, generation).await,
        code::UNKNOWN_MEMBER_ID
    );

    // A member that heartbeats but never rejoins is dropped at the rebalance timeout.
    let generation = rejoined.generation_id;
    let r1 = c.sync_group(sync_req("g", &m1, generation, &[]), 3).await;
    assert_eq!(r1.error_code, 0);
    let newcomer = join_new(&c, consumer_join("g", "")).await;
    let start = Instant::now();
    let timed = tokio::spawn(async move { (newcomer.await.expect("join"), start.elapsed()) });
    while !timed.is_finished() {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let error = heartbeat(&c, "g", &m1, generation).await;
        assert!(error == code::REBALANCE_IN_PROGRESS || error == code::UNKNOWN_MEMBER_ID);
    }
    let (joined, elapsed) = timed.await.expect("join");
    assert_eq!(
        elapsed,
        Duration::from_secs(20),
        "the group's rebalance timeout"
    );
    assert_eq!(
        (joined.error_code, joined.members.len()),
        (0, 1),
        "m1 never rejoined"
    );
    assert_eq!(joined.leader, joined.member_id);
    assert_eq!(
        heartbeat(&c, "g", &m1, generation).await,
        code::UNKNOWN_MEMBER_ID
    );
}

#[tokio::test(start_paused = true)]
async fn members_that_never_sync_are_removed() {
    let (c, _store) = setup();
    let joined = join_new(&c, consumer_join("g", ""))
        .await
        .await
        .expect("join");
    assert_eq!(
        describe(&c, "g").await.group_state.as_str(),
        "CompletingRebalance"
    );
    // No SyncGroup within the rebalance timeout (20 s): the member is removed.
    tokio::time::sleep(Duration::from_secs(21)).await;
    let described = describe(&c, "g").await;
    assert_eq!(
        (described.group_state.as_str(), described.members.len()),
        ("Empty", 0)
    );
    assert_eq!(
        heartbeat(&c, "g", &joined.member_id, 1).await,
        code::UNKNOWN_MEMBER_ID
    );
}

#[tokio::test(start_paused = true)]
async fn static_member_rejoin_takes_over_without_rebalance() {
    let (c, _store) = setup();
    let req = consumer_join("g", "").with_group_instance_id(Some(s("instance-1")));
    let joined = c.join_group(req.clone(), 5, CLIENT, HOST).await;
    assert_eq!(
        joined.error_code, 0,
        "static members get no MEMBER_ID_REQUIRED"
    );
    let old_id = joined.member_id.to_string();
    assert!(old_id.starts_with("instance-1-"));
    let synced = c
        .sync_group(
            sync_req("g", &old_id, 1, &[(&old_id, b"A")])
                .with_group_instance_id(Some(s("instance-1"))),
            3,
        )
        .await;
    assert_eq!(synced.error_code, 0);

    // The instance restarts: same instance id, no member id.
    let again = c.join_group(req, 5, CLIENT, HOST).await;
    assert_eq!(
        (again.error_code, again.generation_id),
        (0, 1),
        "no new generation"
    );
    let new_id = again.member_id.to_string();
    assert_ne!(new_id, old_id);
    assert_ne!(
        again.leader.as_str(),
        new_id,
        "v5 cannot skip assignment: told the old leader id"
    );
    let fenced = HeartbeatRequest::default()
        .with_group_id(gid("g"))
        .with_member_id(s(&old_id))
        .with_generation_id(1)
        .with_group_instance_id(Some(s("instance-1")));
    assert_eq!(
        c.heartbeat(fenced, 3).await.error_code,
        code::FENCED_INSTANCE_ID
    );
    let resynced = c
        .sync_group(
            sync_req("g", &new_id, 1, &[]).with_group_instance_id(Some(s("instance-1"))),
            3,
        )
        .await;
    assert_eq!(
        resynced.assignment,
        Bytes::from_static(b"A"),
        "keeps its assignment"
    );
    assert_eq!(describe(&c, "g").await.group_state.as_str(), "Stable");
}

// ----- offsets -----------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn commit_and_fetch_round_trip_metadata() {
    let (c, store) = setup();
    let resp = c
        .offset_commit(
            commit_req(
                "simple",
                "",
                -1,
                &[
                    ("t1", 0, 42, Some("checkpoint é ✓")),
                    ("t1", 1, 7, None),
                    ("nope", 0, 1, None),
                    ("t2", 5, 1, None),
                ],
            ),
            8,
        )
        .await;
    assert_eq!(
        commit_errors(&resp),
        vec![
            ("t1".into(), 0, 0),
            ("t1".into(), 1, 0),
            (
                "nope".into(),
                0,
                ResponseError::UnknownTopicOrPartition.code()
            ),
            (
                "t2".into(),
                5,
                ResponseError::UnknownTopicOrPartition.code()
            ),
        ]
    );

    let some = c
        .offset_fetch(fetch_req("simple", Some(&[("t1", &[0, 1, 2])])), 7)
        .await;
    assert_eq!(
        fetched(&some),
        vec![
            ("t1".into(), 0, 42, 7, "checkpoint é ✓".into(), 0),
            ("t1".into(), 1, 7, 7, "".into(), 0),
            ("t1".into(), 2, -1, -1, "".into(), 0),
        ]
    );
    let all = c.offset_fetch(fetch_req("simple", None), 7).await;
    assert_eq!(fetched(&all).len(), 2);
    let unknown_group = c
        .offset_fetch(fetch_req("other", Some(&[("t1", &[0])])), 7)
        .await;
    assert_eq!(
        fetched(&unknown_group),
        vec![("t1".into(), 0, -1, -1, "".into(), 0)]
    );
    assert!(c
        .offset_fetch(fetch_req("other", None), 7)
        .await
        .topics
        .is_empty());

    // The records are Kafka's offset commit key v1 / value v3.
    let records = store.snapshot();
    assert_eq!(records.len(), 2);
    let (key, value) = &records[0];
    assert_eq!(&key[..2], &[0, 1]);
    let value = records::decode_offset_value(value.as_ref().expect("value")).expect("decodes");
    assert_eq!(
        (value.offset, value.leader_epoch, value.metadata.as_str()),
        (42, 7, "checkpoint é ✓")
    );

    // Metadata over offset.metadata.max.bytes is refused.
    let big = "x".repeat(4097);
    let resp = c
        .offset_commit(commit_req("simple", "", -1, &[("t1", 0, 1, Some(&big))]), 8)
        .await;
    assert_eq!(
        commit_errors(&resp)[0].2,
        ResponseError::OffsetMetadataTooLarge.code()
    );
}

#[tokio::test(start_paused = true)]
async fn commit_checks_membership_and_generation() {
    let (c, store) = setup();
    let (m1, generation) = stable_single(&c, "g").await;
    let commit =
        |member: &str, generation: i32| commit_req("g", member, generation, &[("t1", 0, 5, None)]);
    let first_error = |r: OffsetCommitResponse| commit_errors(&r)[0].2;

    assert_eq!(
        first_error(c.offset_commit(commit(&m1, generation), 8).await),
        0
    );
    assert_eq!(
        first_error(c.offset_commit(commit(&m1, generation + 1), 8).await),
        code::ILLEGAL_GENERATION
    );
    assert_eq!(
        first_error(c.offset_commit(commit("stranger", generation), 8).await),
        code::UNKNOWN_MEMBER_ID
    );
    // A simple commit to a group with members.
    assert_eq!(
        first_error(c.offset_commit(commit("", -1), 8).await),
        code::UNKNOWN_MEMBER_ID
    );
    // An unknown group with a generation: ILLEGAL_GENERATION before v9.
    let unknown = commit_req("unknown", "m", 3, &[("t1", 0, 5, None)]);
    assert_eq!(
        first_error(c.offset_commit(unknown, 8).await),
        code::ILLEGAL_GENERATION
    );

    // During CompletingRebalance the member must finish the rebalance first.
    let j = spawn_join(&c, consumer_join("g", &m1), 5);
    let rejoined = j.await.expect("join");
    assert_eq!(
        first_error(
            c.offset_commit(commit(&m1, rejoined.generation_id), 8)
                .await
        ),
        code::REBALANCE_IN_PROGRESS
    );

    // A failing store answers COORDINATOR_NOT_AVAILABLE and changes nothing.
    let synced = c
        .sync_group(sync_req("g", &m1, rejoined.generation_id, &[]), 3)
        .await;
    assert_eq!(synced.error_code, 0);
    store.fail.store(true, Ordering::SeqCst);
    let failed = c
        .offset_commit(
            commit_req("g", &m1, rejoined.generation_id, &[("t1", 0, 99, None)]),
            8,
        )
        .await;
    assert_eq!(first_error(failed), code::COORDINATOR_NOT_AVAILABLE);
    let still = c
        .offset_fetch(fetch_req("g", Some(&[("t1", &[0])])), 7)
        .await;
    assert_eq!(fetched(&still)[0].2, 5);
}

#[tokio::test(start_paused = true)]
async fn failed_assignment_write_restarts_the_rebalance() {
    let (c, store) = setup();
    let joined = join_new(&c, consumer_join("g", ""))
        .await
        .await
        .expect("join");
    store.fail.store(true, Ordering::SeqCst);
    let member = joined.member_id.to_string();
    let synced = c
        .sync_group(sync_req("g", &member, 1, &[(&member, b"x")]), 3)
        .await;
    assert_eq!(synced.error_code, code::COORDINATOR_NOT_AVAILABLE);
    assert_eq!(
        describe(&c, "g").await.group_state.as_str(),
        "PreparingRebalance"
    );
}

#[tokio::test(start_paused = true)]
async fn load_restores_offsets_and_groups() {
    let (c, store) = setup();
    let (m1, m2, generation) = stable_pair(&c, "g").await;
    let commit = c
        .offset_commit(
            commit_req("g", &m1, generation, &[("t1", 2, 100, Some("md"))]),
            8,
        )
        .await;
    assert_eq!(commit_errors(&commit)[0].2, 0);
    c.offset_commit(commit_req("gone", "", -1, &[("t2", 0, 1, None)]), 8)
        .await;
    assert_eq!(
        c.delete_groups(
            DeleteGroupsRequest::default().with_groups_names(vec![gid("gone")]),
            2
        )
        .await
        .results[0]
            .error_code,
        0
    );
    c.offset_commit(commit_req("simple", "", -1, &[("t2", 1, 9, None)]), 8)
        .await;

    let restarted = GroupCoordinator::new(
        GroupConfig::default(),
        Arc::new(MemStore::default()),
        Arc::new(Topics),
    );
    restarted.load(store.snapshot());
    restarted.start();

    let f = restarted
        .offset_fetch(fetch_req("g", Some(&[("t1", &[2])])), 7)
        .await;
    assert_eq!(fetched(&f), vec![("t1".into(), 2, 100, 7, "md".into(), 0)]);
    let f = restarted.offset_fetch(fetch_req("simple", None), 7).await;
    assert_eq!(fetched(&f), vec![("t2".into(), 1, 9, 7, "".into(), 0)]);
    assert_eq!(
        describe(&restarted, "gone").await.group_state.as_str(),
        "Dead"
    );

    let described = describe(&restarted, "g").await;
    assert_eq!(described.group_state.as_str(), "Stable");
    assert_eq!(described.members.len(), 2);
    let assignments: HashSet<Bytes> = described
        .members
        .iter()
        .map(|m| m.member_assignment.clone())
        .collect();
    assert_eq!(
        assignments,
        HashSet::from([Bytes::from_static(b"a1"), Bytes::from_static(b"a2")])
    );
    // Members carry on in the same generation...
    assert_eq!(heartbeat(&restarted, "g", &m1, generation).await, 0);
    let synced = restarted
        .sync_group(sync_req("g", &m2, generation, &[]), 3)
        .await;
    assert_eq!(synced.assignment, Bytes::from_static(b"a2"));
    // ...and expire normally when they stop heartbeating.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let described = describe(&restarted, "g").await;
    assert_eq!(
        (described.group_state.as_str(), described.members.len()),
        ("Empty", 0)
    );
}

// ----- admin -------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn describe_list_and_delete() {
    let (c, store) = setup();
    let (m1, _generation) = stable_single(&c, "busy").await;
    c.offset_commit(commit_req("idle", "", -1, &[("t1", 0, 3, None)]), 8)
        .await;

    let unknown = describe(&c, "unknown").await;
    assert_eq!(
        (unknown.error_code, unknown.group_state.as_str()),
        (0, "Dead")
    );
    let busy = describe(&c, "busy").await;
    assert_eq!(
        (busy.protocol_type.as_str(), busy.members.len()),
        ("consumer", 1)
    );
    assert_eq!(busy.members[0].member_id.as_str(), m1);
    assert_eq!(busy.authorized_operations, i32::MIN);
    let with_ops = c
        .describe_groups(
            DescribeGroupsRequest::default()
                .with_groups(vec![gid("busy")])
                .with_include_authorized_operations(true),
            5,
        )
        .await;
    assert_eq!(
        with_ops.groups[0].authorized_operations,
        GROUP_AUTHORIZED_OPERATIONS
    );

    let listed = c.list_groups(ListGroupsRequest::default(), 4).await;
    let names: Vec<(&str, &str, &str)> = listed
        .groups
        .iter()
        .map(|g| {
            (
                g.group_id.as_str(),
                g.protocol_type.as_str(),
                g.group_state.as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![("busy", "consumer", "Stable"), ("idle", "", "Empty")]
    );
    let stable_only = c
        .list_groups(
            ListGroupsRequest::default().with_states_filter(vec![s("stable")]),
            4,
        )
        .await;
    assert_eq!(stable_only.groups.len(), 1);

    let deleted = c
        .delete_groups(
            DeleteGroupsRequest::default().with_groups_names(vec![
                gid("busy"),
                gid("idle"),
                gid("unknown"),
            ]),
            2,
        )
        .await;
    let errors: Vec<i16> = deleted.results.iter().map(|r| r.error_code).collect();
    assert_eq!(
        errors,
        vec![
            ResponseError::NonEmptyGroup.code(),
            0,
            ResponseError::GroupIdNotFound.code()
        ]
    );
    assert_eq!(describe(&c, "idle").await.group_state.as_str(), "Dead");
    assert!(c
        .offset_fetch(fetch_req("idle", None), 7)
        .await
        .topics
        .is_empty());
    // Tombstones for the offset and the group.
    let tail = store.snapshot();
    let tail = &tail[tail.len() - 2..];
    assert!(tail.iter().all(|(_, v)| v.is_none()));
    assert_eq!(
        records::decode_key(&tail[1].0),
        Ok(RecordKey::Group {
            group: "idle".into()
        })
    );
    assert_eq!(
        c.list_groups(ListGroupsRequest::default(), 4)
            .await
            .groups
            .len(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn offset_delete_respects_subscriptions() {
    let (c, store) = setup();
    let joined = c
        .join_group(
            join_req("g", "", "consumer", &[("range", &subscription(&["t1"]))]),
            3,
            CLIENT,
            HOST,
        )
        .await;
    let member = joined.member_id.to_string();
    c.sync_group(sync_req("g", &member, 1, &[]), 3).await;
    c.offset_commit(
        commit_req("g", &member, 1, &[("t1", 0, 1, None), ("t2", 0, 2, None)]),
        8,
    )
    .await;

    let req = OffsetDeleteRequest::default()
        .with_group_id(gid("g"))
        .with_topics(
            [("t1", 0), ("t2", 0), ("t2", 1), ("t9", 0)]
                .iter()
                .map(|(t, p)| {
                    OffsetDeleteRequestTopic::default()
                        .with_name(TopicName(s(t)))
                        .with_partitions(vec![
                            OffsetDeleteRequestPartition::default().with_partition_index(*p)
                        ])
                })
                .collect(),
        );
    let resp = c.offset_delete(req, 0).await;
    assert_eq!(resp.error_code, 0);
    let errors: Vec<i16> = resp
        .topics
        .iter()
        .map(|t| t.partitions[0].error_code)
        .collect();
    assert_eq!(
        errors,
        vec![
            ResponseError::GroupSubscribedToTopic.code(),
            0,
            0,
            ResponseError::UnknownTopicOrPartition.code()
        ]
    );
    let left = c.offset_fetch(fetch_req("g", None), 7).await;
    assert_eq!(fetched(&left).len(), 1, "only t1-0 is left");
    assert_eq!(
        store.snapshot().last().map(|(_, v)| v.is_none()),
        Some(true)
    );

    // Non-consumer groups with members cannot have offsets deleted.
    let connect = c
        .join_group(
            join_req("w", "", "connect", &[("default", b"")]),
            3,
            CLIENT,
            HOST,
        )
        .await;
    assert_eq!(connect.error_code, 0);
    let resp = c
        .offset_delete(OffsetDeleteRequest::default().with_group_id(gid("w")), 0)
        .await;
    assert_eq!(resp.error_code, ResponseError::NonEmptyGroup.code());
    let resp = c
        .offset_delete(OffsetDeleteRequest::default().with_group_id(gid("none")), 0)
        .await;
    assert_eq!(resp.error_code, ResponseError::GroupIdNotFound.code());
}

#[tokio::test(start_paused = true)]
async fn empty_groups_holding_nothing_are_cleaned_up() {
    let (c, store) = setup();
    let (m1, _) = stable_single(&c, "g").await;
    c.leave_group(leave_req("g", &[&m1]), 3).await;
    assert_eq!(describe(&c, "g").await.group_state.as_str(), "Empty");
    tokio::time::sleep(CLEANUP_INTERVAL + Duration::from_secs(1)).await;
    assert_eq!(describe(&c, "g").await.group_state.as_str(), "Dead");
    assert_eq!(store.group_records("g").last(), Some(&None), "tombstoned");
}

// ----- wire compatibility --------------------------------------------------------

fn assert_encodes<T: Encodable + std::fmt::Debug>(what: &str, resp: &T, version: i16) {
    let mut buf = bytes::BytesMut::new();
    if let Err(error) = resp.encode(&mut buf, version) {
        panic!("{what} v{version} does not encode: {error}\n{resp:#?}");
    }
}

#[tokio::test(start_paused = true)]
async fn every_response_encodes_at_every_advertised_version() {
    for version in 0..=9i16 {
        let (c, _store) = setup();
        let g = format!("g{version}");
        // Errors.
        assert_encodes(
            "JoinGroup",
            &c.join_group(consumer_join("", ""), version, CLIENT, HOST)
                .await,
            version,
        );
        assert_encodes(
            "JoinGroup",
            &c.join_group(consumer_join(&g, "x"), version, CLIENT, HOST)
                .await,
            version,
        );
        // A full join, leader response with members (static for v5+).
        let mut req = consumer_join(&g, "");
        if version >= 5 {
            req = req.with_group_instance_id(Some(s("instance")));
        }
        let first = c.join_group(req.clone(), version, CLIENT, HOST).await;
        assert_encodes("JoinGroup", &first, version);
        let joined = if first.error_code == code::MEMBER_ID_REQUIRED {
            let again = c
                .join_group(
                    req.clone().with_member_id(first.member_id),
                    version,
                    CLIENT,
                    HOST,
                )
                .await;
            assert_encodes("JoinGroup", &again, version);
            again
        } else {
            first
        };
        assert_eq!(joined.error_code, 0, "v{version}");
        assert_eq!(joined.members.len(), 1);
        let member = joined.member_id.to_string();
        let synced = c
            .sync_group(sync_req(&g, &member, 1, &[(&member, b"a")]), 3)
            .await;
        assert_eq!(synced.error_code, 0);
        if version >= 5 {
            // Static rejoin (skip_assignment for the leader at v9).
            let rejoined = c.join_group(req, version, CLIENT, HOST).await;
            assert_eq!(rejoined.error_code, 0);
            assert_eq!(rejoined.skip_assignment, version >= 9);
            assert_encodes("JoinGroup", &rejoined, version);
        }
    }

    let (c, _store) = setup();
    let (m1, generation) = stable_single(&c, "g").await;
    for version in 0..=5i16 {
        assert_encodes(
            "SyncGroup",
            &c.sync_group(sync_req("g", &m1, generation, &[]), version)
                .await,
            version,
        );
        assert_encodes(
            "SyncGroup",
            &c.sync_group(sync_req("g", "x", generation, &[]), version)
                .await,
            version,
        );
    }
    for version in 0..=4i16 {
        assert_encodes(
            "Heartbeat",
            &c.heartbeat(heartbeat_req("g", &m1, generation), version)
                .await,
            version,
        );
        assert_encodes(
            "Heartbeat",
            &c.heartbeat(heartbeat_req("g", "x", generation), version)
                .await,
            version,
        );
    }
    for version in 2..=8i16 {
        let ok = c
            .offset_commit(
                commit_req("g", &m1, generation, &[("t1", 0, 1, Some("m"))]),
                version,
            )
            .await;
        assert_encodes("OffsetCommit", &ok, version);
        let bad = c
            .offset_commit(
                commit_req(
                    "g",
                    "x",
                    generation,
                    &[("t1", 0, 1, None), ("zz", 0, 1, None)],
                ),
                version,
            )
            .await;
        assert_encodes("OffsetCommit", &bad, version);
    }
    for version in 1..=7i16 {
        assert_encodes(
            "OffsetFetch",
            &c.offset_fetch(fetch_req("g", None), version).await,
            version,
        );
        let some = c
            .offset_fetch(fetch_req("g", Some(&[("t1", &[0, 1])])), version)
            .await;
        assert_encodes("OffsetFetch", &some, version);
    }
    for version in 0..=5i16 {
        for ops in [false, true] {
            let req = DescribeGroupsRequest::default()
                .with_groups(vec![gid("g"), gid("unknown"), gid("")])
                .with_include_authorized_operations(ops);
            assert_encodes(
                "DescribeGroups",
                &c.describe_groups(req, version).await,
                version,
            );
        }
    }
    for version in 0..=5i16 {
        assert_encodes(
            "ListGroups",
            &c.list_groups(ListGroupsRequest::default(), version).await,
            version,
        );
    }
    assert_encodes(
        "OffsetDelete",
        &c.offset_delete(
            OffsetDeleteRequest::default()
                .with_group_id(gid("g"))
                .with_topics(vec![OffsetDeleteRequestTopic::default()
                    .with_name(TopicName(s("t1")))
                    .with_partitions(vec![
                        OffsetDeleteRequestPartition::default().with_partition_index(0)
                    ])]),
            0,
        )
        .await,
        0,
    );
    assert_encodes(
        "OffsetDelete",
        &c.offset_delete(OffsetDeleteRequest::default().with_group_id(gid("zz")), 0)
            .await,
        0,
    );
    for version in 0..=5i16 {
        let leave = if version >= 3 {
            leave_req("g", &["x", &m1])
        } else {
            LeaveGroupRequest::default()
                .with_group_id(gid("g"))
                .with_member_id(s("x"))
        };
        assert_encodes("LeaveGroup", &c.leave_group(leave, version).await, version);
    }
    for version in 0..=2i16 {
        let req = DeleteGroupsRequest::default().with_groups_names(vec![gid("g"), gid("nope")]);
        assert_encodes(
            "DeleteGroups",
            &c.delete_groups(req, version).await,
            version,
        );
    }
}

#[test]
fn handler_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let store = Arc::new(MemStore::default());
    let c = GroupCoordinator::new(GroupConfig::default(), store, Arc::new(Topics));
    assert_send(&c.join_group(JoinGroupRequest::default(), 5, CLIENT, HOST));
    assert_send(&c.sync_group(SyncGroupRequest::default(), 3));
    assert_send(&c.heartbeat(HeartbeatRequest::default(), 3));
    assert_send(&c.leave_group(LeaveGroupRequest::default(), 3));
    assert_send(&c.offset_commit(OffsetCommitRequest::default(), 8));
    assert_send(&c.offset_fetch(OffsetFetchRequest::default(), 7));
    assert_send(&c.describe_groups(DescribeGroupsRequest::default(), 5));
    assert_send(&c.list_groups(ListGroupsRequest::default(), 4));
    assert_send(&c.delete_groups(DeleteGroupsRequest::default(), 2));
    assert_send(&c.offset_delete(OffsetDeleteRequest::default(), 0));
}

#[tokio::test(start_paused = true)]
async fn background_task_stops_on_shutdown_and_drop() {
    let (c, _store) = setup();
    let task = c.start();
    c.shutdown();
    tokio::time::timeout(Duration::from_secs(1), task)
        .await
        .expect("stops after shutdown")
        .expect("no panic");

    let store = Arc::new(MemStore::default());
    let c = GroupCoordinator::new(GroupConfig::default(), store, Arc::new(Topics));
    let task = c.start();
    drop(c);
    tokio::time::timeout(Duration::from_secs(1), task)
        .await
        .expect("stops once the coordinator is dropped")
        .expect("no panic");
}
