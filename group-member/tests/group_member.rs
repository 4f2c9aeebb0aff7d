//! The group-membership client against real brokers: the in-process
//! sluice broker, and Tansu (another Kafka-protocol broker) when `SLUICE_TANSU`
//! points at its binary.

use group_member::{GroupMember, JoinedGroup, MemberConfig, MemberError};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

fn member_config(bootstrap: &str, group: &str, session: Duration) -> MemberConfig {
    MemberConfig {
        bootstrap_servers: vec![bootstrap.to_string()],
        group_id: group.to_string(),
        client_id: "group-member-test".into(),
        protocol_type: "connect".into(),
        session_timeout: session,
        rebalance_timeout: Duration::from_secs(10),
        heartbeat_interval: Duration::from_millis(300),
        retry_backoff: Duration::from_millis(100),
        request_timeout: Duration::from_secs(10),
    }
}

async fn sluice_broker() -> (broker::Broker, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = broker::BrokerConfig {
        listeners: vec![broker::config::Listener {
            host: "127.0.0.1".into(),
            port: 0,
        }],
        data_dir: dir.path().to_path_buf(),
        group_min_session_timeout_ms: 1000,
        group_initial_rebalance_delay: Duration::ZERO,
        ..Default::default()
    };
    let broker = broker::Broker::start(config).await.expect("broker starts");
    (broker, dir)
}

/// What a member's herder-like loop reports.
#[derive(Debug)]
enum Event {
    Synced {
        idx: usize,
        joined: JoinedGroup,
        assignment: Vec<u8>,
        join_latency: Duration,
    },
    Failed {
        idx: usize,
        error: MemberError,
    },
}

fn metadata(idx: usize) -> Vec<u8> {
    // Arbitrary bytes, including zeros and high bytes, must arrive intact.
    let mut m = format!("worker-{idx}").into_bytes();
    m.extend_from_slice(&[0, 255, idx as u8, 7]);
    m
}

fn protocols(idx: usize) -> Vec<(String, Vec<u8>)> {
    let meta = metadata(idx);
    vec![
        ("sessioned".to_string(), meta.clone()),
        ("compatible".to_string(), meta),
    ]
}

/// The leader's assignment for a member: derived from that member's metadata.
fn assignment_for(member_id: &str, meta: &[u8]) -> Vec<u8> {
    let mut a = format!("{member_id}<-").into_bytes();
    a.extend_from_slice(meta);
    a
}

/// A herder-like loop: join, sync (the leader assigns), wait for a rebalance, repeat.
fn run_member(
    idx: usize,
    member: GroupMember,
    protocols: Vec<(String, Vec<u8>)>,
    tx: mpsc::UnboundedSender<Event>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let started = Instant::now();
            let joined = match member.join(&protocols).await {
                Ok(j) => j,
                Err(error) => {
                    let fatal = error.is_fatal();
                    let _ = tx.send(Event::Failed { idx, error });
                    if fatal {
                        return;
                    }
                    continue;
                }
            };
            let join_latency = started.elapsed();
            let assignments: BTreeMap<String, Vec<u8>> = if joined.is_leader() {
                joined
                    .members
                    .iter()
                    .map(|(id, meta)| (id.clone(), assignment_for(id, meta)))
                    .collect()
            } else {
                BTreeMap::new()
            };
            match member.sync(&joined, assignments).await {
                Ok(assignment) => {
                    let _ = tx.send(Event::Synced {
                        idx,
                        joined,
                        assignment,
                        join_latency,
                    });
                }
                Err(error) if error.is_fatal() => {
                    let _ = tx.send(Event::Failed { idx, error });
                    return;
                }
                Err(_) => continue,
            }
            member.rebalance_needed().await;
        }
    })
}

struct Snapshot {
    generation: i32,
    /// idx -> (joined, assignment)
    members: HashMap<usize, (JoinedGroup, Vec<u8>)>,
    max_join_latency: Duration,
}

/// Waits until exactly the members `expected` are synced in one generation newer
/// than `after`, and checks leadership, metadata and assignments.
async fn wait_stable(
    rx: &mut mpsc::UnboundedReceiver<Event>,
    latest: &mut HashMap<usize, (JoinedGroup, Vec<u8>, Duration)>,
    expected: &[usize],
    after: i32,
    timeout: Duration,
) -> Snapshot {
    let deadline = Instant::now() + timeout;
    loop {
        let generations: Vec<i32> = expected
            .iter()
            .filter_map(|i| latest.get(i).map(|(j, _, _)| j.generation))
            .collect();
        if generations.len() == expected.len()
            && generations
                .iter()
                .all(|g| *g == generations[0] && *g > after)
        {
            let leaders: Vec<&JoinedGroup> = expected
                .iter()
                .filter_map(|i| latest.get(i).map(|(j, _, _)| j))
                .filter(|j| j.is_leader())
                .collect();
            // The group may hold exactly these members only once the leader saw them all.
            if leaders.len() == 1 && leaders[0].members.len() == expected.len() {
                break;
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(Event::Synced {
                idx,
                joined,
                assignment,
                join_latency,
            })) => {
                latest.insert(idx, (joined, assignment, join_latency));
            }
            Ok(Some(Event::Failed { idx, error })) => {
                assert!(!error.is_fatal(), "member {idx} failed: {error}");
            }
            Ok(None) => panic!("every member loop ended"),
            Err(_) => panic!(
                "members {expected:?} did not settle in a generation after {after} within {timeout:?}; latest: {:?}",
                latest
                    .iter()
                    .map(|(i, (j, _, _))| (*i, j.generation, j.member_id.clone(), j.leader_id.clone()))
                    .collect::<Vec<_>>()
            ),
        }
    }
    let members: HashMap<usize, (JoinedGroup, Vec<u8>)> = expected
        .iter()
        .filter_map(|i| latest.get(i).map(|(j, a, _)| (*i, (j.clone(), a.clone()))))
        .collect();
    let max_join_latency = expected
        .iter()
        .filter_map(|i| latest.get(i).map(|(_, _, l)| *l))
        .max()
        .unwrap_or_default();
    let generation = members
        .values()
        .map(|(j, _)| j.generation)
        .max()
        .unwrap_or(-1);
    // Every member agrees on leader and sub-protocol; the leader saw every member's
    // metadata intact; every member received the leader's assignment for it.
    let leader_id = members
        .values()
        .next()
        .map(|(j, _)| j.leader_id.clone())
        .unwrap_or_default();
    for (idx, (joined, assignment)) in &members {
        assert_eq!(
            joined.leader_id, leader_id,
            "member {idx} disagrees on the leader"
        );
        assert_eq!(
            joined.protocol, "sessioned",
            "member {idx}: chosen sub-protocol"
        );
        if joined.is_leader() {
            let seen: HashMap<String, Vec<u8>> = joined.members.iter().cloned().collect();
            for (other_idx, (other, _)) in &members {
                assert_eq!(
                    seen.get(&other.member_id),
                    Some(&metadata(*other_idx)),
                    "the leader saw member {other_idx}'s metadata intact"
                );
            }
        } else {
            assert!(joined.members.is_empty(), "followers get no member list");
        }
        assert_eq!(
            assignment,
            &assignment_for(&joined.member_id, &metadata(*idx)),
            "member {idx} received the leader's assignment"
        );
    }
    Snapshot {
        generation,
        members,
        max_join_latency,
    }
}

struct Running {
    member: GroupMember,
    task: JoinHandle<()>,
}

fn start(idx: usize, config: MemberConfig, tx: &mpsc::UnboundedSender<Event>) -> Running {
    let member = GroupMember::new(config);
    let task = run_member(idx, member.clone(), protocols(idx), tx.clone());
    Running { member, task }
}

/// Two, then three members; rejoin on request; leave; expulsion after the session timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sluice_broker_group_lifecycle() {
    let (broker, _dir) = sluice_broker().await;
    let bootstrap = broker.bootstrap();
    let session = Duration::from_secs(3);
    let cfg = |_| member_config(&bootstrap, "connect-lifecycle", session);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut latest = HashMap::new();
    let wait = Duration::from_secs(15);

    // A single member: measures a plain join on an empty group.
    let mut members: Vec<Option<Running>> = vec![Some(start(0, cfg(0), &tx))];
    let s = wait_stable(&mut rx, &mut latest, &[0], -1, wait).await;
    println!(
        "sluice broker: first join (FindCoordinator + ApiVersions + JoinGroup x2) took {:?}",
        s.max_join_latency
    );
    let versions = members[0].as_ref().expect("member 0").member.api_versions();
    println!("sluice broker: negotiated {versions:?}");
    assert!(versions.iter().all(|(_, v)| v.is_some()), "{versions:?}");

    // Two members.
    members.push(Some(start(1, cfg(1), &tx)));
    let s = wait_stable(&mut rx, &mut latest, &[0, 1], s.generation, wait).await;
    println!("sluice broker: two members at generation {}", s.generation);

    // A new member makes the others rebalance.
    let started = Instant::now();
    members.push(Some(start(2, cfg(2), &tx)));
    let s = wait_stable(&mut rx, &mut latest, &[0, 1, 2], s.generation, wait).await;
    println!(
        "sluice broker: third member joined, generation {} after {:?}",
        s.generation,
        started.elapsed()
    );
    let m0 = &members[0].as_ref().expect("member 0").member;
    assert_eq!(m0.generation(), s.generation);
    assert_eq!(m0.member_id(), s.members[&0].0.member_id);

    // request_rejoin on one member makes everybody rejoin with a new generation.
    let started = Instant::now();
    members[1]
        .as_ref()
        .expect("member 1")
        .member
        .request_rejoin();
    let s = wait_stable(&mut rx, &mut latest, &[0, 1, 2], s.generation, wait).await;
    println!(
        "sluice broker: requested rebalance done, generation {} after {:?}",
        s.generation,
        started.elapsed()
    );

    // leave() makes the others rebalance promptly (well before the session timeout).
    let started = Instant::now();
    let leaving = members[2].take().expect("member 2");
    leaving.task.abort();
    leaving.member.leave().await;
    assert_eq!(leaving.member.member_id(), "");
    latest.remove(&2);
    let s = wait_stable(&mut rx, &mut latest, &[0, 1], s.generation, wait).await;
    let after_leave = started.elapsed();
    println!("sluice broker: rebalanced {after_leave:?} after a leave()");
    assert!(
        after_leave < session,
        "a leave must not wait for the session timeout ({after_leave:?})"
    );

    // A member that stops heartbeating (dropped, no leave) is expelled after the
    // session timeout and the other one rebalances.
    let started = Instant::now();
    let dropped = members[1].take().expect("member 1");
    dropped.task.abort();
    drop(dropped);
    latest.remove(&1);
    let s = wait_stable(&mut rx, &mut latest, &[0], s.generation, wait).await;
    let after_drop = started.elapsed();
    println!("sluice broker: dropped member expelled; rebalanced after {after_drop:?}");
    assert!(
        after_drop >= session - Duration::from_millis(500),
        "expelled only after the session timeout ({after_drop:?})"
    );
    assert!(s.members[&0].0.is_leader());

    let last = members[0].take().expect("member 0");
    last.task.abort();
    last.member.leave().await;
    drop(broker);
}

/// A member whose sub-protocols the group does not share gets a Fatal error naming
/// INCONSISTENT_GROUP_PROTOCOL; so does one with another protocol type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sluice_broker_inconsistent_protocol_is_fatal() {
    let (broker, _dir) = sluice_broker().await;
    let bootstrap = broker.bootstrap();
    let cfg = member_config(&bootstrap, "connect-inconsistent", Duration::from_secs(3));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut latest = HashMap::new();
    let first = start(0, cfg.clone(), &tx);
    wait_stable(&mut rx, &mut latest, &[0], -1, Duration::from_secs(10)).await;

    let stranger = GroupMember::new(cfg.clone());
    let error = tokio::time::timeout(
        Duration::from_secs(10),
        stranger.join(&[("eager-only".to_string(), b"x".to_vec())]),
    )
    .await
    .expect("join answers promptly")
    .expect_err("no common sub-protocol");
    println!("inconsistent sub-protocol: {error}");
    assert!(error.is_fatal(), "{error:?}");
    assert!(
        error.to_string().contains("INCONSISTENT_GROUP_PROTOCOL"),
        "{error}"
    );
    assert!(matches!(error, MemberError::Fatal { code: 23, .. }));

    let consumer = GroupMember::new(MemberConfig {
        protocol_type: "consumer".into(),
        ..cfg
    });
    let error = tokio::time::timeout(Duration::from_secs(10), consumer.join(&protocols(5)))
        .await
        .expect("join answers promptly")
        .expect_err("another protocol type");
    assert!(
        error.to_string().contains("INCONSISTENT_GROUP_PROTOCOL"),
        "{error}"
    );

    first.task.abort();
    first.member.leave().await;
    drop(broker);
}

/// Kills the child on drop.
struct Child(tokio::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

/// join / sync / rebalance against Tansu.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tansu_join_sync_rebalance() {
    let Some(tansu) = std::env::var_os("SLUICE_TANSU").filter(|v| !v.is_empty()) else {
        if std::env::var("SLUICE_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("SLUICE_TANSU is not set but SLUICE_REQUIRE_TOOLS=1");
        }
        println!(
            "SKIPPED tansu_join_sync_rebalance: SLUICE_TANSU is not set \
             (eval \"$(bash scripts/test --deps-only)\" to get it)"
        );
        return;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let url = format!("tcp://127.0.0.1:{port}");
    let child = tokio::process::Command::new(&tansu)
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "memory://tansu/",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start tansu");
    let _child = Child(child);
    let bootstrap = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(15);
    while tokio::net::TcpStream::connect(&bootstrap).await.is_err() {
        assert!(
            Instant::now() < deadline,
            "tansu did not listen on {bootstrap}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Tansu holds a join for about session.timeout/2: keep the session short.
    let session = Duration::from_secs(2);
    let cfg = |_| member_config(&bootstrap, "connect-tansu", session);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut latest = HashMap::new();
    let wait = Duration::from_secs(25);

    let a = start(0, cfg(0), &tx);
    let s = wait_stable(&mut rx, &mut latest, &[0], -1, wait).await;
    println!("tansu: first join took {:?}", s.max_join_latency);
    let versions = a.member.api_versions();
    println!("tansu: negotiated {versions:?}");
    assert!(versions.iter().all(|(_, v)| v.is_some()), "{versions:?}");

    let b = start(1, cfg(1), &tx);
    let s = wait_stable(&mut rx, &mut latest, &[0, 1], s.generation, wait).await;
    println!(
        "tansu: two members at generation {} (slowest join {:?})",
        s.generation, s.max_join_latency
    );

    let started = Instant::now();
    a.member.request_rejoin();
    let s = wait_stable(&mut rx, &mut latest, &[0, 1], s.generation, wait).await;
    println!(
        "tansu: requested rebalance done, generation {} after {:?}",
        s.generation,
        started.elapsed()
    );

    // A follower's requested rejoin, then a leave(), rebalance the other member too.
    let started = Instant::now();
    let follower = if s.members[&0].0.is_leader() { &b } else { &a };
    follower.member.request_rejoin();
    let s = wait_stable(&mut rx, &mut latest, &[0, 1], s.generation, wait).await;
    println!(
        "tansu: follower's requested rebalance done, generation {} after {:?}",
        s.generation,
        started.elapsed()
    );
    let started = Instant::now();
    b.task.abort();
    b.member.leave().await;
    latest.remove(&1);
    let s = wait_stable(&mut rx, &mut latest, &[0], s.generation, wait).await;
    println!(
        "tansu: rebalanced after a leave(), generation {} after {:?}",
        s.generation,
        started.elapsed()
    );
    a.task.abort();
    a.member.leave().await;
}
