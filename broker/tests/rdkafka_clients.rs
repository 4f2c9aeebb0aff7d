//! The broker against a real Kafka client library (librdkafka through the
//! `rdkafka` crate): idempotent acks=all producing, every compression codec,
//! a three-member consumer group that rebalances, commit and resume, admin.

use broker::config::Listener;
use broker::{Broker, BrokerConfig};
use rdkafka::admin::{
    AdminClient, AdminOptions, AlterConfig, NewTopic, ResourceSpecifier, TopicReplication,
};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

async fn start(dir: &std::path::Path) -> Broker {
    // SLUICE_TEST_LOG=debug shows the broker's log while debugging a test.
    if let Ok(filter) = std::env::var("SLUICE_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .try_init();
    }
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

fn client(bootstrap: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap)
        .set("socket.timeout.ms", "10000");
    c
}

fn producer(bootstrap: &str, compression: &str) -> FutureProducer {
    client(bootstrap)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("compression.type", compression)
        .set("linger.ms", "5")
        .create()
        .expect("producer")
}

async fn create_topic(bootstrap: &str, name: &str, partitions: i32, configs: &[(&str, &str)]) {
    let admin: AdminClient<DefaultClientContext> = client(bootstrap).create().expect("admin");
    let mut t = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
    for (k, v) in configs {
        t = t.set(k, v);
    }
    let res = admin
        .create_topics(&[t], &AdminOptions::new())
        .await
        .expect("create_topics");
    for r in res {
        r.expect("topic created");
    }
}

/// Reads `count` records of `topic` from the beginning with a group-less consumer.
type Row = (i32, i64, Option<Vec<u8>>, Option<Vec<u8>>);

fn read_all(bootstrap: &str, topic: &str, partitions: i32, count: usize) -> Vec<Row> {
    let consumer: BaseConsumer = client(bootstrap)
        .set("group.id", "reader-unused")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .expect("tpl");
    }
    consumer.assign(&tpl).expect("assign");
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while out.len() < count && Instant::now() < deadline {
        if let Some(m) = consumer.poll(Duration::from_millis(200)) {
            let m = m.expect("fetch ok");
            out.push((
                m.partition(),
                m.offset(),
                m.key().map(<[u8]>::to_vec),
                m.payload().map(<[u8]>::to_vec),
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_acks_all_every_codec_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path()).await;
    let bootstrap = broker.bootstrap();
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let topic = format!("codec-{codec}");
        create_topic(&bootstrap, &topic, 1, &[]).await;
        let p = producer(&bootstrap, codec);
        let records: Vec<(String, String)> = (0..500)
            .map(|i| (format!("k{i}"), format!("value {i} {}", "x".repeat(i % 50))))
            .collect();
        let mut futures = Vec::new();
        for (key, value) in &records {
            let headers = OwnedHeaders::new().insert(Header {
                key: "h",
                value: Some(codec),
            });
            futures.push(
                p.send(
                    FutureRecord::to(&topic)
                        .key(key)
                        .payload(value)
                        .headers(headers),
                    Duration::from_secs(10),
                ),
            );
        }
        let mut offsets = Vec::new();
        for f in futures {
            let delivery = f.await.expect("delivered");
            offsets.push(delivery.offset);
        }
        assert_eq!(
            offsets,
            (0..500).collect::<Vec<i64>>(),
            "{codec}: offsets contiguous and in order"
        );
        let got = read_all(&bootstrap, &topic, 1, 500);
        assert_eq!(got.len(), 500, "{codec}: all records read back");
        for (i, (_, offset, key, value)) in got.iter().enumerate() {
            assert_eq!(*offset, i as i64);
            assert_eq!(key.as_deref(), Some(format!("k{i}").as_bytes()));
            assert_eq!(
                value.as_deref(),
                Some(format!("value {i} {}", "x".repeat(i % 50)).as_bytes())
            );
        }
        // Headers survive too.
        let consumer: BaseConsumer = client(&bootstrap)
            .set("group.id", "h")
            .create()
            .expect("consumer");
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Offset(0))
            .expect("tpl");
        consumer.assign(&tpl).expect("assign");
        let m = loop {
            if let Some(m) = consumer.poll(Duration::from_secs(5)) {
                break m.expect("message");
            }
        };
        let h = m.headers().expect("headers").get(0);
        assert_eq!((h.key, h.value), ("h", Some(codec.as_bytes())));
    }
    broker.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_group_rebalances_commits_and_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path()).await;
    let bootstrap = broker.bootstrap();
    let topic = "group-topic";
    create_topic(&bootstrap, topic, 6, &[]).await;
    let p = producer(&bootstrap, "none");
    for i in 0..600 {
        let key = format!("key-{i}");
        p.send(
            FutureRecord::to(topic)
                .key(&key)
                .payload("v")
                .partition(i % 6),
            Duration::from_secs(10),
        )
        .await
        .expect("delivered");
    }

    let member = |id: &str| -> StreamConsumer {
        let c: StreamConsumer = client(&bootstrap)
            .set("group.id", "g1")
            .set("client.id", id)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", "6000")
            .set("heartbeat.interval.ms", "500")
            .create()
            .expect("consumer");
        c.subscribe(&[topic]).expect("subscribe");
        c
    };
    let consumers = [member("c1"), member("c2"), member("c3")];
    // Poll all three until the group is stable with every partition assigned once.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen: HashMap<(i32, i64), usize> = HashMap::new();
    loop {
        for (i, c) in consumers.iter().enumerate() {
            if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_millis(100), c.recv()).await {
                seen.insert((m.partition(), m.offset()), i);
            }
        }
        let assigned: Vec<usize> = consumers
            .iter()
            .map(|c| c.assignment().map(|a| a.count()).unwrap_or(0))
            .collect();
        if assigned.iter().sum::<usize>() == 6
            && assigned.iter().all(|&n| n == 2)
            && seen.len() >= 300
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "group never settled: assignment {assigned:?}, seen {}",
            seen.len()
        );
    }
    // Each member got two partitions; all three consumed something.
    let members_consuming: BTreeSet<usize> = seen.values().copied().collect();
    assert_eq!(members_consuming.len(), 3, "every member consumes");
    for c in &consumers {
        c.commit_consumer_state(CommitMode::Sync).expect("commit");
    }
    // One member leaves: the other two take over all six partitions and read
    // each to its end (positions, not just records seen: a partition that moved
    // is read again from its last commit).
    let [c1, c2, c3] = consumers;
    drop(c3);
    // A partition is done when its owner's position is at the end, or when the
    // owner has read nothing from it because its committed offset already is.
    let at_end = |c: &StreamConsumer| -> usize {
        let end = Offset::Offset(100);
        let positions = c.position().map(|t| {
            t.elements()
                .iter()
                .map(|e| (e.partition(), e.offset()))
                .collect::<Vec<_>>()
        });
        let committed = c.committed(Duration::from_secs(5)).map(|t| {
            t.elements()
                .iter()
                .filter(|e| e.offset() == end)
                .map(|e| e.partition())
                .collect::<BTreeSet<_>>()
        });
        match (positions, committed) {
            (Ok(p), Ok(done)) => p
                .iter()
                .filter(|(part, off)| *off == end || done.contains(part))
                .count(),
            _ => 0,
        }
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for c in [&c1, &c2] {
            if let Ok(Ok(m)) = tokio::time::timeout(Duration::from_millis(100), c.recv()).await {
                seen.insert((m.partition(), m.offset()), 0);
            }
        }
        let n1 = c1.assignment().map(|a| a.count()).unwrap_or(0);
        let n2 = c2.assignment().map(|a| a.count()).unwrap_or(0);
        if n1 == 3 && n2 == 3 && at_end(&c1) + at_end(&c2) == 6 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "rebalance after leave: {n1}+{n2}, seen {}",
            seen.len()
        );
    }
    assert_eq!(seen.len(), 600, "every record consumed");
    for c in [&c1, &c2] {
        c.commit_consumer_state(CommitMode::Sync).expect("commit");
    }
    drop((c1, c2));

    // Committed offsets survive a restart of the broker.
    broker.shutdown().await.expect("shutdown");
    let broker = start(dir.path()).await;
    let bootstrap = broker.bootstrap();
    let c: BaseConsumer = client(&bootstrap)
        .set("group.id", "g1")
        .create()
        .expect("consumer");
    let mut tpl = TopicPartitionList::new();
    for p in 0..6 {
        tpl.add_partition(topic, p);
    }
    let committed = c
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed");
    for e in committed.elements() {
        assert_eq!(
            e.offset(),
            Offset::Offset(100),
            "partition {} committed at its end",
            e.partition()
        );
    }
    // New data after the commit is all a resumed member sees.
    let p = producer(&bootstrap, "none");
    p.send(
        FutureRecord::to(topic)
            .key("late")
            .payload("after-restart")
            .partition(2),
        Duration::from_secs(10),
    )
    .await
    .expect("delivered");
    let resumed: StreamConsumer = client(&bootstrap)
        .set("group.id", "g1")
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .expect("consumer");
    resumed.subscribe(&[topic]).expect("subscribe");
    let m = tokio::time::timeout(Duration::from_secs(30), resumed.recv())
        .await
        .expect("in time")
        .expect("message");
    assert_eq!(
        (m.partition(), m.offset(), m.payload()),
        (2, 100, Some(&b"after-restart"[..]))
    );
    drop(m);
    resumed.unsubscribe();
    drop(resumed);
    broker.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_create_describe_alter_configs_and_partitions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path()).await;
    let bootstrap = broker.bootstrap();
    let admin: AdminClient<DefaultClientContext> = client(&bootstrap).create().expect("admin");
    create_topic(
        &bootstrap,
        "cfg",
        2,
        &[("cleanup.policy", "compact"), ("retention.ms", "3600000")],
    )
    .await;

    // Creating it again is TOPIC_ALREADY_EXISTS.
    let again = admin
        .create_topics(
            &[NewTopic::new("cfg", 1, TopicReplication::Fixed(1))],
            &AdminOptions::new(),
        )
        .await
        .expect("request ok");
    assert!(
        matches!(
            &again[0],
            Err((_, rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists))
        ),
        "{again:?}"
    );

    let entries = describe_cfg(&admin).await;
    assert!(
        entries.len() > 15,
        "every config is listed, not only overrides: {}",
        entries.len()
    );
    assert_eq!(entries["cleanup.policy"].0.as_deref(), Some("compact"));
    assert_eq!(
        entries["cleanup.policy"].1,
        rdkafka::admin::ConfigSource::DynamicTopic
    );
    assert_eq!(
        entries["segment.bytes"].1,
        rdkafka::admin::ConfigSource::Default
    );

    let alter = AlterConfig::new(ResourceSpecifier::Topic("cfg"))
        .set("retention.ms", "1000")
        .set("cleanup.policy", "delete");
    let r = admin
        .alter_configs(&[alter], &AdminOptions::new())
        .await
        .expect("alter");
    r.into_iter().for_each(|x| {
        x.expect("altered");
    });
    let entries = describe_cfg(&admin).await;
    assert_eq!(entries["retention.ms"].0.as_deref(), Some("1000"));
    assert_eq!(entries["cleanup.policy"].0.as_deref(), Some("delete"));

    let bad = AlterConfig::new(ResourceSpecifier::Topic("cfg")).set("retention.ms", "soon");
    // The rdkafka crate (0.39) reports every AlterConfigs resource as Ok, whatever
    // the broker answered, so check the effect: the invalid value was not applied.
    admin
        .alter_configs(&[bad], &AdminOptions::new())
        .await
        .expect("request ok");
    assert_eq!(
        describe_cfg(&admin).await["retention.ms"].0.as_deref(),
        Some("1000")
    );

    let parts = rdkafka::admin::NewPartitions::new("cfg", 5);
    admin
        .create_partitions(&[parts], &AdminOptions::new())
        .await
        .expect("request")[0]
        .as_ref()
        .expect("grown");
    let md = admin
        .inner()
        .fetch_metadata(Some("cfg"), Duration::from_secs(5))
        .expect("metadata");
    assert_eq!(md.topics()[0].partitions().len(), 5);

    // Configs persist across a restart.
    broker.shutdown().await.expect("shutdown");
    let broker = start(dir.path()).await;
    let admin: AdminClient<DefaultClientContext> =
        client(&broker.bootstrap()).create().expect("admin");
    let entries = describe_cfg(&admin).await;
    assert_eq!(entries["retention.ms"].0.as_deref(), Some("1000"));
    admin
        .delete_topics(&["cfg"], &AdminOptions::new())
        .await
        .expect("delete")[0]
        .as_ref()
        .expect("deleted");
    let md = admin
        .inner()
        .fetch_metadata(None, Duration::from_secs(5))
        .expect("metadata");
    assert!(md.topics().iter().all(|t| t.name() != "cfg"));
    broker.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compacted_topic_rejects_keyless_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path()).await;
    let bootstrap = broker.bootstrap();
    create_topic(&bootstrap, "compacted", 1, &[("cleanup.policy", "compact")]).await;
    let p: FutureProducer = client(&bootstrap)
        .set("acks", "all")
        .set("retries", "0")
        .create()
        .expect("producer");
    let err = p
        .send(
            FutureRecord::<(), _>::to("compacted").payload("no key"),
            Duration::from_secs(10),
        )
        .await
        .expect_err("keyless record rejected");
    assert!(format!("{:?}", err.0).contains("InvalidRecord"), "{err:?}");
    p.send(
        FutureRecord::to("compacted").key("k").payload("v"),
        Duration::from_secs(10),
    )
    .await
    .expect("keyed ok");
    broker.shutdown().await.expect("shutdown");
}

async fn describe_cfg(
    admin: &AdminClient<DefaultClientContext>,
) -> BTreeMap<String, (Option<String>, rdkafka::admin::ConfigSource, bool)> {
    let r = admin
        .describe_configs(&[ResourceSpecifier::Topic("cfg")], &AdminOptions::new())
        .await
        .expect("describe");
    let res = r.into_iter().next().expect("one").expect("ok");
    res.entries
        .into_iter()
        .map(|e| (e.name, (e.value, e.source, e.is_default)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_for_times_delete_records_and_long_poll() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start(dir.path()).await;
    let bootstrap = broker.bootstrap();
    create_topic(&bootstrap, "times", 1, &[]).await;
    let p = producer(&bootstrap, "none");
    for (i, ts) in [1_000i64, 2_000, 3_000, 4_000].into_iter().enumerate() {
        let key = format!("k{i}");
        p.send(
            FutureRecord::to("times")
                .key(&key)
                .payload("v")
                .timestamp(ts),
            Duration::from_secs(10),
        )
        .await
        .expect("delivered");
    }
    let consumer: BaseConsumer = client(&bootstrap)
        .set("group.id", "times-reader")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "2000")
        .create()
        .expect("consumer");
    let lookup = |ts: i64| {
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset("times", 0, Offset::Offset(ts))
            .expect("tpl");
        let r = consumer
            .offsets_for_times(tpl, Duration::from_secs(10))
            .expect("offsets_for_times");
        r.elements()[0].offset()
    };
    assert_eq!(lookup(0), Offset::Offset(0));
    assert_eq!(
        lookup(2_500),
        Offset::Offset(2),
        "first record at or after the timestamp"
    );
    assert_eq!(lookup(4_000), Offset::Offset(3));
    assert_eq!(lookup(9_000), Offset::End, "no record that late");

    // DeleteRecords moves the log start offset; earliest follows it.
    let admin: AdminClient<DefaultClientContext> = client(&bootstrap).create().expect("admin");
    let mut before = TopicPartitionList::new();
    before
        .add_partition_offset("times", 0, Offset::Offset(2))
        .expect("tpl");
    admin
        .delete_records(&before, &AdminOptions::new())
        .await
        .expect("delete records");
    let (low, high) = consumer
        .fetch_watermarks("times", 0, Duration::from_secs(10))
        .expect("watermarks");
    assert_eq!((low, high), (2, 4));

    // A fetch at the end waits (long poll) and returns as soon as data arrives.
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset("times", 0, Offset::Offset(4))
        .expect("tpl");
    consumer.assign(&tpl).expect("assign");
    let sender = {
        let p = p.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            p.send(
                FutureRecord::to("times").key("late").payload("arrived"),
                Duration::from_secs(10),
            )
            .await
            .expect("delivered");
        })
    };
    let got = tokio::task::block_in_place(|| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(m) = consumer.poll(Duration::from_millis(100)) {
                let m = m.expect("message");
                return (m.offset(), m.payload().map(<[u8]>::to_vec));
            }
            assert!(Instant::now() < deadline, "the late record never arrived");
        }
    });
    assert_eq!(got, (4, Some(b"arrived".to_vec())));
    sender.await.expect("sender");
    drop((consumer, admin, p));
    broker.shutdown().await.expect("shutdown");
}

/// Retention and compaction run in the background on the broker's schedule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_retention_and_compaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = BrokerConfig {
        listeners: vec![Listener {
            host: "127.0.0.1".into(),
            port: 0,
        }],
        data_dir: dir.path().to_path_buf(),
        ..BrokerConfig::default()
    };
    config
        .set("log.retention.check.interval.ms", "200")
        .expect("setting");
    let broker = Broker::start(config).await.expect("broker starts");
    let bootstrap = broker.bootstrap();
    create_topic(
        &bootstrap,
        "retained",
        1,
        &[("segment.bytes", "1000"), ("retention.bytes", "2000")],
    )
    .await;
    create_topic(
        &bootstrap,
        "compacted-bg",
        1,
        &[
            ("cleanup.policy", "compact"),
            ("segment.bytes", "1000"),
            ("min.cleanable.dirty.ratio", "0.01"),
        ],
    )
    .await;
    // One record per request, so every record is its own batch and segments roll.
    let p: FutureProducer = client(&bootstrap)
        .set("acks", "all")
        .set("linger.ms", "0")
        .create()
        .expect("producer");
    let payload = "x".repeat(100);
    for i in 0..60 {
        let key = format!("k{}", i % 5);
        let value = format!("{i}");
        p.send(
            FutureRecord::to("retained").key(&key).payload(&payload),
            Duration::from_secs(10),
        )
        .await
        .expect("sent");
        p.send(
            FutureRecord::to("compacted-bg").key(&key).payload(&value),
            Duration::from_secs(10),
        )
        .await
        .expect("sent");
    }
    let consumer: BaseConsumer = client(&bootstrap)
        .set("group.id", "bg")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (low, high) = consumer
            .fetch_watermarks("retained", 0, Duration::from_secs(5))
            .expect("watermarks");
        assert_eq!(high, 60);
        if low > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "retention.bytes never deleted a segment"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Compaction: fewer records remain, and the latest value of every key is there.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let rows = read_to_end(&bootstrap, "compacted-bg");
        let latest: BTreeMap<Vec<u8>, Vec<u8>> = rows
            .iter()
            .map(|(_, _, k, v)| (k.clone().unwrap_or_default(), v.clone().unwrap_or_default()))
            .collect();
        for k in 0..5 {
            let expected = format!("{}", 55 + k);
            assert_eq!(
                latest.get(format!("k{k}").as_bytes()).map(Vec::as_slice),
                Some(expected.as_bytes())
            );
        }
        if rows.len() < 60 {
            let offsets: Vec<i64> = rows.iter().map(|r| r.1).collect();
            assert!(
                offsets.windows(2).all(|w| w[0] < w[1]),
                "offsets keep their order: {offsets:?}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "compaction never ran");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    drop((consumer, p));
    broker.shutdown().await.expect("shutdown");
}

/// Reads partition 0 of `topic` from the beginning up to its high watermark
/// (compacted logs have gaps, so counting records is not enough).
fn read_to_end(bootstrap: &str, topic: &str) -> Vec<Row> {
    let consumer: BaseConsumer = client(bootstrap)
        .set("group.id", "read-to-end")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let (_, high) = consumer
        .fetch_watermarks(topic, 0, Duration::from_secs(5))
        .expect("watermarks");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .expect("tpl");
    consumer.assign(&tpl).expect("assign");
    let mut out: Vec<Row> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while out.last().is_none_or(|r| r.1 < high - 1) {
        assert!(
            Instant::now() < deadline,
            "could not read {topic} to offset {high}"
        );
        if let Some(m) = consumer.poll(Duration::from_millis(100)) {
            let m = m.expect("fetch ok");
            out.push((
                m.partition(),
                m.offset(),
                m.key().map(<[u8]>::to_vec),
                m.payload().map(<[u8]>::to_vec),
            ));
        }
    }
    out
}
