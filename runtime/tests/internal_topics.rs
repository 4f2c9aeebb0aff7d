//! Distributed mode's internal-topic stores against a real in-process sluice broker:
//! topic creation and checks, and the exact record formats of Kafka Connect 3.9.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use broker::config::Listener;
use broker::{Broker, BrokerConfig};
use connect_api::record::SourceMap;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Message, Offset, TopicPartitionList};
use runtime::config::worker::InternalTopic;
use runtime::herder::{ConnectorTaskId, RestartRequest, TargetState};
use runtime::storage::kafka::{ConfigStore, ConfigUpdate, KafkaOffsetStore, KafkaStatusStore};
use runtime::storage::{OffsetStore, State, Status, StatusStore, StorageError};
use serde_json::json;

type Raw = (i32, i64, Option<String>, Option<String>);

async fn start_broker(dir: &std::path::Path) -> Broker {
    let config = BrokerConfig {
        listeners: vec![Listener {
            host: "127.0.0.1".into(),
            port: 0,
        }],
        data_dir: dir.to_path_buf(),
        ..BrokerConfig::default()
    };
    Broker::start(config).await.expect("broker starts")
}

fn props(bootstrap: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("bootstrap.servers".to_owned(), bootstrap.to_owned())])
}

fn internal(name: &str, partitions: i32) -> InternalTopic {
    InternalTopic {
        name: name.to_owned(),
        replication_factor: 1,
        partitions,
    }
}

fn client(bootstrap: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap);
    c
}

async fn create_topic(bootstrap: &str, name: &str, partitions: i32, configs: &[(&str, &str)]) {
    let admin: AdminClient<DefaultClientContext> = client(bootstrap).create().expect("admin");
    let mut topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    for (k, v) in configs {
        topic = topic.set(k, v);
    }
    let results = admin
        .create_topics([&topic], &AdminOptions::new())
        .await
        .expect("create topics");
    for r in results {
        r.expect("topic created");
    }
}

/// Partition count and cleanup.policy of a topic.
async fn describe(bootstrap: &str, name: &str) -> (usize, String) {
    let admin: AdminClient<DefaultClientContext> = client(bootstrap).create().expect("admin");
    let configs = admin
        .describe_configs([&ResourceSpecifier::Topic(name)], &AdminOptions::new())
        .await
        .expect("describe");
    let policy = configs
        .into_iter()
        .next()
        .and_then(|r| r.ok())
        .and_then(|r| {
            r.entries
                .iter()
                .find(|e| e.name == "cleanup.policy")
                .and_then(|e| e.value.clone())
        })
        .unwrap_or_default();
    let admin = Arc::new(admin);
    let name = name.to_owned();
    let partitions = tokio::task::spawn_blocking(move || {
        admin
            .inner()
            .fetch_metadata(Some(&name), Duration::from_secs(5))
            .expect("metadata")
            .topics()[0]
            .partitions()
            .len()
    })
    .await
    .expect("join");
    (partitions, policy)
}

/// Every record of the topic, with a plain consumer (what a Java tool would see).
async fn raw_records(bootstrap: &str, topic: &str) -> Vec<Raw> {
    let bootstrap = bootstrap.to_owned();
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = client(&bootstrap)
            .set("group.id", "raw-reader")
            .set("enable.auto.commit", "false")
            .create()
            .expect("consumer");
        let metadata = consumer
            .fetch_metadata(Some(&topic), Duration::from_secs(5))
            .expect("metadata");
        let partitions: Vec<i32> = metadata.topics()[0]
            .partitions()
            .iter()
            .map(|p| p.id())
            .collect();
        let mut ends = BTreeMap::new();
        let mut list = TopicPartitionList::new();
        for p in &partitions {
            let (_, high) = consumer
                .fetch_watermarks(&topic, *p, Duration::from_secs(5))
                .expect("watermarks");
            ends.insert(*p, high);
            list.add_partition_offset(&topic, *p, Offset::Beginning)
                .expect("assign");
        }
        consumer.assign(&list).expect("assign");
        let mut out = Vec::new();
        let mut positions: BTreeMap<i32, i64> = BTreeMap::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while ends
            .iter()
            .any(|(p, end)| positions.get(p).copied().unwrap_or(0) < *end)
        {
            assert!(std::time::Instant::now() < deadline, "raw read timed out");
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                positions.insert(m.partition(), m.offset() + 1);
                out.push((
                    m.partition(),
                    m.offset(),
                    m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                    m.payload().map(|v| String::from_utf8_lossy(v).into_owned()),
                ));
            }
        }
        out.sort();
        out
    })
    .await
    .expect("join")
}

/// Writes a record like another (Java) worker or a broken tool would.
async fn produce(bootstrap: &str, topic: &str, key: &[u8], value: Option<&[u8]>) {
    let producer: FutureProducer = client(bootstrap)
        .set("partitioner", "murmur2_random")
        .create()
        .expect("producer");
    let mut record = FutureRecord::<[u8], [u8]>::to(topic).key(key);
    if let Some(v) = value {
        record = record.payload(v);
    }
    producer
        .send(record, Duration::from_secs(10))
        .await
        .expect("delivered");
}

fn map(value: serde_json::Value) -> BTreeMap<String, String> {
    serde_json::from_value(value).expect("string map")
}

fn source_map(value: serde_json::Value) -> SourceMap {
    match value {
        serde_json::Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn keyed(records: &[Raw]) -> Vec<(Option<&str>, Option<&str>)> {
    records
        .iter()
        .map(|(_, _, k, v)| (k.as_deref(), v.as_deref()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_topics_are_created_compacted_and_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let bootstrap = broker.bootstrap();
    let props = props(&bootstrap);

    let store = ConfigStore::start(&props, &internal("connect-configs", 1))
        .await
        .expect("config store starts");
    store.close().await;
    assert_eq!(
        describe(&bootstrap, "connect-configs").await,
        (1, "compact".to_owned())
    );

    create_topic(
        &bootstrap,
        "two-partitions",
        2,
        &[("cleanup.policy", "compact")],
    )
    .await;
    match ConfigStore::start(&props, &internal("two-partitions", 1)).await {
        Err(e @ StorageError::InternalTopicMisconfigured { .. }) => assert_eq!(
            e.to_string(),
            "Topic 'two-partitions' supplied via the 'config.storage.topic' property is required \
             to have a single partition in order to guarantee consistency of connector \
             configurations, but found 2 partitions."
        ),
        other => panic!("expected the partition check to fail: {other:?}"),
    }

    create_topic(&bootstrap, "deleting", 1, &[("cleanup.policy", "delete")]).await;
    match ConfigStore::start(&props, &internal("deleting", 1)).await {
        Err(e @ StorageError::InternalTopicMisconfigured { .. }) => assert_eq!(
            e.to_string(),
            "Topic 'deleting' supplied via the 'config.storage.topic' property is required to \
             have 'cleanup.policy=compact' to guarantee consistency and durability of connector \
             configurations, but found the topic currently has 'cleanup.policy=delete'. \
             Continuing would likely result in eventually losing connector configurations and \
             problems restarting this Connect cluster in the future. Change the \
             'config.storage.topic' property in the Connect worker configurations to use a \
             topic with 'cleanup.policy=compact'."
        ),
        other => panic!("expected the cleanup policy check to fail: {other:?}"),
    }
    match KafkaOffsetStore::start(&props, &internal("deleting", 1)).await {
        Err(e) => assert!(
            e.to_string().contains("'offset.storage.topic'")
                && e.to_string().contains("source connector offsets"),
            "{e}"
        ),
        Ok(_) => panic!("a delete-policy offsets topic was accepted"),
    }

    let offsets = KafkaOffsetStore::start(&props, &internal("connect-offsets", 5))
        .await
        .expect("offsets store starts");
    offsets.close().await;
    assert_eq!(
        describe(&bootstrap, "connect-offsets").await,
        (5, "compact".to_owned())
    );
    broker.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_store_writes_kafkas_records_and_reads_them_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let bootstrap = broker.bootstrap();
    let props = props(&bootstrap);
    let topic = internal("connect-configs", 1);

    let store = ConfigStore::start(&props, &topic).await.expect("starts");
    assert_eq!(store.snapshot().offset, -1);
    let mut updates = store.subscribe();

    let foo = map(json!({"connector.class": "FileStreamSource", "a": "b"}));
    store
        .put_connector_config("foo", &foo, None)
        .await
        .expect("connector");
    // Written and read back: the snapshot shows it as soon as the call returns.
    let snap = store.snapshot();
    assert_eq!(snap.connectors["foo"], foo);
    assert_eq!(snap.target_state("foo"), TargetState::Running);
    assert_eq!(snap.offset, 1);

    store
        .put_connector_config("bar", &map(json!({"x": "y"})), Some(TargetState::Stopped))
        .await
        .expect("connector with initial state");
    let tasks = vec![map(json!({"task": "0"})), map(json!({"task": "1"}))];
    store.put_task_configs("foo", &tasks).await.expect("tasks");
    store
        .put_target_state("foo", TargetState::Paused)
        .await
        .expect("paused");
    store
        .put_target_state("foo", TargetState::Stopped)
        .await
        .expect("stopped");
    store
        .put_target_state("foo", TargetState::Running)
        .await
        .expect("resumed");
    let restart = RestartRequest {
        connector: "foo".to_owned(),
        only_failed: true,
        include_tasks: false,
    };
    store.put_restart_request(&restart).await.expect("restart");
    store.remove_connector_config("bar").await.expect("removed");

    let snap = store.snapshot();
    assert_eq!(snap.task_configs["foo"], tasks);
    assert_eq!(snap.task_count("foo"), 2);
    assert_eq!(snap.target_state("foo"), TargetState::Running);
    assert!(!snap.connectors.contains_key("bar"));
    assert!(!snap.target_states.contains_key("bar"));
    assert!(snap.inconsistent.is_empty());

    // The records, byte for byte as Kafka Connect 3.9 writes them.
    let raw = raw_records(&bootstrap, "connect-configs").await;
    assert_eq!(
        keyed(&raw),
        vec![
            (
                Some("connector-foo"),
                Some(r#"{"properties":{"a":"b","connector.class":"FileStreamSource"}}"#)
            ),
            (
                Some("target-state-bar"),
                Some(r#"{"state":"PAUSED","state.v2":"STOPPED"}"#)
            ),
            (Some("connector-bar"), Some(r#"{"properties":{"x":"y"}}"#)),
            (Some("task-foo-0"), Some(r#"{"properties":{"task":"0"}}"#)),
            (Some("task-foo-1"), Some(r#"{"properties":{"task":"1"}}"#)),
            (Some("commit-foo"), Some(r#"{"tasks":2}"#)),
            (
                Some("target-state-foo"),
                Some(r#"{"state":"PAUSED","state.v2":"PAUSED"}"#)
            ),
            (
                Some("target-state-foo"),
                Some(r#"{"state":"PAUSED","state.v2":"STOPPED"}"#)
            ),
            (
                Some("target-state-foo"),
                Some(r#"{"state":"STARTED","state.v2":"STARTED"}"#)
            ),
            (
                Some("restart-connector-foo"),
                Some(r#"{"include-tasks":false,"only-failed":true}"#)
            ),
            (Some("connector-bar"), None),
            (Some("target-state-bar"), None),
        ]
    );
    assert_eq!(store.snapshot().offset, raw.len() as i64);

    // Updates in topic order; none for bar's initial target state (no config yet) nor
    // for target-state tombstones.
    let mut seen = Vec::new();
    while let Ok(update) = updates.try_recv() {
        seen.push(update);
    }
    assert_eq!(
        seen,
        vec![
            ConfigUpdate::Connector("foo".into()),
            ConfigUpdate::Connector("bar".into()),
            ConfigUpdate::TaskConfigs("foo".into()),
            ConfigUpdate::TargetState("foo".into()),
            ConfigUpdate::TargetState("foo".into()),
            ConfigUpdate::TargetState("foo".into()),
            ConfigUpdate::Restart(restart.clone()),
            ConfigUpdate::Connector("bar".into()),
        ]
    );

    // Uncommitted task configs and broken records from other clients: skipped, and
    // later records still apply.
    produce(
        &bootstrap,
        "connect-configs",
        b"task-foo-0",
        Some(br#"{"properties":{"task":"new"}}"#),
    )
    .await;
    produce(
        &bootstrap,
        "connect-configs",
        b"connector-baz",
        Some(b"{not json"),
    )
    .await;
    produce(
        &bootstrap,
        "connect-configs",
        b"connector-baz",
        Some(br#"{"properties":"nope"}"#),
    )
    .await;
    produce(
        &bootstrap,
        "connect-configs",
        b"commit-baz",
        Some(br#"{"tasks":"two"}"#),
    )
    .await;
    produce(
        &bootstrap,
        "connect-configs",
        b"target-state-foo",
        Some(br#"{"state":"SLEEPING"}"#),
    )
    .await;
    produce(&bootstrap, "connect-configs", b"who-knows", Some(br#"{}"#)).await;
    produce(
        &bootstrap,
        "connect-configs",
        b"session-key",
        Some(br#"{"key":"a2V5","algorithm":"HmacSHA256","creation-timestamp":1700000000000}"#),
    )
    .await;
    produce(
        &bootstrap,
        "connect-configs",
        b"tasks-fencing-foo",
        Some(br#"{"task-count":2}"#),
    )
    .await;
    // A Java 3.4 worker's target state has no state.v2.
    produce(
        &bootstrap,
        "connect-configs",
        b"target-state-foo",
        Some(br#"{"state":"PAUSED"}"#),
    )
    .await;
    produce(
        &bootstrap,
        "connect-configs",
        b"connector-qux",
        Some(br#"{"properties":{"k":"v"}}"#),
    )
    .await;
    store.read_to_end().await.expect("read to end");
    let snap = store.snapshot();
    assert_eq!(snap.task_configs["foo"][0]["task"], "0", "uncommitted");
    assert!(!snap.connectors.contains_key("baz"));
    assert_eq!(snap.connectors["qux"], map(json!({"k": "v"})));
    assert_eq!(snap.target_state("foo"), TargetState::Paused);
    assert_eq!(
        snap.session_key.as_ref().map(|k| k.algorithm.as_str()),
        Some("HmacSHA256")
    );
    // The unparsable record does not move the offset (Kafka's ConsumeCallback).
    assert_eq!(snap.offset, raw.len() as i64 + 10);

    // Another worker (or this one restarted) reads the same state.
    let other = ConfigStore::start(&props, &topic)
        .await
        .expect("second store");
    assert_eq!(other.snapshot(), snap);
    other.close().await;
    store.close().await;
    assert!(matches!(
        store.put_target_state("foo", TargetState::Running).await,
        Err(StorageError::Closed { .. })
    ));
    broker.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offset_store_shares_offsets_in_kafkas_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let bootstrap = broker.bootstrap();
    let props = props(&bootstrap);
    let topic = internal("connect-offsets", 3);

    let a = KafkaOffsetStore::start(&props, &topic).await.expect("a");
    let b = KafkaOffsetStore::start(&props, &topic).await.expect("b");
    let file = source_map(json!({"filename": "test.txt"}));
    a.put(
        "local-file-source",
        vec![
            (file.clone(), Some(source_map(json!({"position": 30})))),
            (
                source_map(json!({"filename": "other.txt"})),
                Some(source_map(json!({"position": 1}))),
            ),
        ],
    )
    .await
    .expect("put");
    assert_eq!(
        a.get("local-file-source", &file),
        Some(source_map(json!({"position": 30})))
    );
    b.refresh().await.expect("refresh");
    assert_eq!(
        b.get("local-file-source", &file),
        Some(source_map(json!({"position": 30})))
    );
    assert_eq!(b.partitions("local-file-source").len(), 2);

    // Tombstone.
    a.put("local-file-source", vec![(file.clone(), None)])
        .await
        .expect("delete");
    b.refresh().await.expect("refresh");
    assert_eq!(b.get("local-file-source", &file), None);
    assert_eq!(b.partitions("local-file-source").len(), 1);

    // Kafka's format on the topic.
    let raw = raw_records(&bootstrap, "connect-offsets").await;
    let mut records: Vec<(Option<&str>, Option<&str>)> = keyed(&raw);
    records.sort();
    assert_eq!(
        records,
        vec![
            (
                Some(r#"["local-file-source",{"filename":"other.txt"}]"#),
                Some(r#"{"position":1}"#)
            ),
            (
                Some(r#"["local-file-source",{"filename":"test.txt"}]"#),
                None
            ),
            (
                Some(r#"["local-file-source",{"filename":"test.txt"}]"#),
                Some(r#"{"position":30}"#)
            ),
        ]
    );

    // Written by a Java worker (field order of its HashMap), and broken keys.
    produce(
        &bootstrap,
        "connect-offsets",
        br#"["jdbc",{"table":"t","protocol":"1"}]"#,
        Some(br#"{"incrementing":42}"#),
    )
    .await;
    for key in [
        &b"not json"[..],
        br#"{"a":1}"#,
        br#"["only-one"]"#,
        br#"[1,{"a":1}]"#,
        br#"["c","partition"]"#,
        br#"["c",null]"#,
    ] {
        produce(&bootstrap, "connect-offsets", key, Some(br#"{"x":1}"#)).await;
    }
    produce(
        &bootstrap,
        "connect-offsets",
        br#"["c",{"p":1}]"#,
        Some(b"[1]"),
    )
    .await;
    a.refresh().await.expect("refresh");
    assert_eq!(
        a.get("jdbc", &source_map(json!({"protocol": "1", "table": "t"}))),
        Some(source_map(json!({"incrementing": 42})))
    );
    assert!(a.partitions("c").is_empty());
    assert!(a.partitions("only-one").is_empty());
    a.close().await;
    b.close().await;

    // A restarted worker reads it all back.
    let c = KafkaOffsetStore::start(&props, &topic).await.expect("c");
    assert_eq!(c.partitions("local-file-source").len(), 1);
    assert_eq!(c.partitions("jdbc").len(), 1);
    c.close().await;
    broker.shutdown().await.expect("shutdown");
}

fn status(state: State, worker: &str, trace: &str) -> Status {
    Status {
        state,
        worker_id: worker.to_owned(),
        trace: trace.to_owned(),
    }
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_store_publishes_and_follows_kafkas_generation_rule() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let bootstrap = broker.bootstrap();
    let props = props(&bootstrap);
    let topic = internal("connect-status", 5);

    let local_a = Arc::new(StatusStore::new());
    let a = KafkaStatusStore::start(&props, &topic, local_a.clone(), "a:8083".into())
        .await
        .expect("a");
    let local_b = Arc::new(StatusStore::new());
    let b = KafkaStatusStore::start(&props, &topic, local_b.clone(), "b:8083".into())
        .await
        .expect("b");
    a.set_generation(2);
    b.set_generation(1);

    let task0 = ConnectorTaskId::new("foo-bar", 0);
    let task1 = ConnectorTaskId::new("foo-bar", 1);
    local_a.put_connector("foo-bar", status(State::Running, "a:8083", ""));
    local_a.put_task(&task0, status(State::Running, "a:8083", ""));
    local_a.put_task(
        &task1,
        status(State::Failed, "a:8083", "java.lang.Boom\n\tat x"),
    );
    local_a.add_task_topic(&task0, "orders");
    a.flush().await;
    b.read_to_end().await.expect("read");
    assert_eq!(
        local_b.connector("foo-bar"),
        Some(status(State::Running, "a:8083", ""))
    );
    assert_eq!(
        local_b.task(&task1),
        Some(status(State::Failed, "a:8083", "java.lang.Boom\n\tat x"))
    );
    assert_eq!(local_b.topics("foo-bar"), vec!["orders".to_owned()]);

    // Worker b, in an older generation, stops task 0 (Kafka's putSafe of UNASSIGNED):
    // not written over a's newer status, and b keeps showing a's.
    local_b.put_task(&task0, status(State::Unassigned, "b:8083", ""));
    assert_eq!(
        local_b.task(&task0),
        Some(status(State::Running, "a:8083", ""))
    );
    b.flush().await;
    a.read_to_end().await.expect("read");
    assert_eq!(
        local_a.task(&task0),
        Some(status(State::Running, "a:8083", ""))
    );
    // In a newer generation it may.
    b.set_generation(3);
    local_b.put_task(&task0, status(State::Unassigned, "b:8083", ""));
    b.flush().await;
    a.read_to_end().await.expect("read");
    assert_eq!(
        local_a.task(&task0),
        Some(status(State::Unassigned, "b:8083", ""))
    );

    let raw = raw_records(&bootstrap, "connect-status").await;
    let values: BTreeMap<&str, Option<&str>> = raw
        .iter()
        .filter_map(|(_, _, k, v)| Some((k.as_deref()?, v.as_deref())))
        .collect();
    assert_eq!(
        values["status-connector-foo-bar"],
        Some(r#"{"state":"RUNNING","trace":null,"worker_id":"a:8083","generation":2}"#)
    );
    assert_eq!(
        values["status-task-foo-bar-1"],
        Some(
            r#"{"state":"FAILED","trace":"java.lang.Boom\n\tat x","worker_id":"a:8083","generation":2}"#
        )
    );
    assert_eq!(
        values["status-task-foo-bar-0"],
        Some(r#"{"state":"UNASSIGNED","trace":null,"worker_id":"b:8083","generation":3}"#)
    );
    let topic_record = values["status-topic-orders:connector-foo-bar"].expect("topic record");
    assert!(
        topic_record.starts_with(
            r#"{"topic":{"name":"orders","connector":"foo-bar","task":0,"discoverTimestamp":"#
        ),
        "{topic_record}"
    );

    // Removal: tombstones, seen by the other worker.
    local_a.reset_topics("foo-bar");
    local_a.remove_connector("foo-bar");
    a.flush().await;
    b.read_to_end().await.expect("read");
    assert_eq!(local_b.connector("foo-bar"), None);
    assert_eq!(local_b.task(&task1), None);
    assert!(local_b.topics("foo-bar").is_empty());
    let raw = raw_records(&bootstrap, "connect-status").await;
    let last: BTreeMap<&str, Option<&str>> = raw
        .iter()
        .filter_map(|(_, _, k, v)| Some((k.as_deref()?, v.as_deref())))
        .collect();
    for key in [
        "status-connector-foo-bar",
        "status-task-foo-bar-0",
        "status-task-foo-bar-1",
        "status-topic-orders:connector-foo-bar",
    ] {
        // raw is sorted by (partition, offset): the last record per key wins.
        let latest = raw
            .iter()
            .filter(|(_, _, k, _)| k.as_deref() == Some(key))
            .max_by_key(|(_, o, _, _)| *o)
            .map(|(_, _, _, v)| v.clone());
        assert_eq!(latest, Some(None), "{key}: {last:?}");
    }

    // Records from a Java worker and broken ones.
    produce(
        &bootstrap,
        "connect-status",
        b"status-connector-java",
        Some(br#"{"state":"PAUSED","trace":null,"worker_id":"j:8083","generation":7}"#),
    )
    .await;
    produce(
        &bootstrap,
        "connect-status",
        b"status-connector-bad",
        Some(b"{"),
    )
    .await;
    produce(&bootstrap, "connect-status", b"status-task-x", Some(b"{}")).await;
    produce(&bootstrap, "connect-status", b"nonsense", Some(b"{}")).await;
    a.read_to_end().await.expect("read");
    assert_eq!(
        local_a.connector("java"),
        Some(status(State::Paused, "j:8083", ""))
    );
    assert_eq!(local_a.connector("bad"), None);
    eventually("b to read the Java record", || {
        local_b.connector("java").is_some()
    })
    .await;

    // A restarted worker reads the statuses back.
    let local_c = Arc::new(StatusStore::new());
    let c = KafkaStatusStore::start(&props, &topic, local_c.clone(), "c:8083".into())
        .await
        .expect("c");
    assert_eq!(
        local_c.connector("java"),
        Some(status(State::Paused, "j:8083", ""))
    );
    assert_eq!(local_c.connector("foo-bar"), None);
    for s in [&a, &b, &c] {
        s.close().await;
    }
    broker.shutdown().await.expect("shutdown");
}
