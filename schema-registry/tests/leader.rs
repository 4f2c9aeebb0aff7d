//! Several registry instances on one `_schemas` topic, against an in-process sluice
//! broker: one leader is elected through the Kafka group, writes sent to a follower
//! reach the leader, both instances answer reads with the same state, and when the
//! leader leaves another instance takes over without reusing an id.

use std::net::SocketAddr;
use std::time::Duration;

use broker::config::Listener;
use broker::{Broker, BrokerConfig};
use schema_registry::{RegistryConfig, RunningRegistry};
use serde_json::{json, Value};

const CT: &str = "application/vnd.schemaregistry.v1+json";

async fn start_broker(dir: &std::path::Path) -> Broker {
    let config = BrokerConfig {
        listeners: vec![Listener {
            host: "127.0.0.1".into(),
            port: 0,
        }],
        data_dir: dir.to_path_buf(),
        // The registries join at once: no need to wait for more members.
        group_initial_rebalance_delay: Duration::ZERO,
        ..BrokerConfig::default()
    };
    Broker::start(config).await.expect("broker starts")
}

async fn start_registry(broker: &Broker, group: &str, eligible: bool) -> RunningRegistry {
    schema_registry::start(RegistryConfig {
        bootstrap_servers: broker.bootstrap(),
        listener: SocketAddr::from(([127, 0, 0, 1], 0)),
        topic: format!("_schemas_{group}"),
        group_id: group.to_owned(),
        leader_eligibility: eligible,
        ..RegistryConfig::default()
    })
    .await
    .expect("registry starts")
}

fn url(registry: &RunningRegistry) -> String {
    format!("http://{}", registry.local_addr())
}

async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .header("Accept", CT);
    if let Some(body) = body {
        request = request.header("Content-Type", CT).body(body.to_string());
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn register(base: &str, subject: &str, schema: &str) -> (u16, Value) {
    call(
        base,
        reqwest::Method::POST,
        &format!("/subjects/{subject}/versions"),
        Some(json!({ "schema": schema })),
    )
    .await
}

fn record(name: &str, fields: &[&str]) -> String {
    let fields: Vec<Value> = fields
        .iter()
        .map(|f| json!({"name": f, "type": "int", "default": 0}))
        .collect();
    json!({"type": "record", "name": name, "fields": fields}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_through_a_follower_reach_the_leader_and_both_read_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    // Only `a` may lead, so `b` is the follower whichever URL sorts first.
    let a = start_registry(&broker, "pair", true).await;
    let b = start_registry(&broker, "pair", false).await;
    let (a_url, b_url) = (url(&a), url(&b));

    // A write through the follower is answered by the leader and readable from both
    // at once.
    let (status, body) = register(&b_url, "orders-value", &record("Order", &["id"])).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().expect("an id");
    for base in [&a_url, &b_url] {
        let (status, body) = call(
            base,
            reqwest::Method::GET,
            "/subjects/orders-value/versions/latest",
            None,
        )
        .await;
        assert_eq!(status, 200, "{base}: {body}");
        assert_eq!(body["id"], id, "{base}: {body}");
    }

    // Errors of the leader come back through the follower unchanged.
    let (status, body) = register(
        &b_url,
        "orders-value",
        r#"{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}"#,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error_code"], 409, "{body}");
    let (status, body) = call(
        &b_url,
        reqwest::Method::PUT,
        "/config/orders-value",
        Some(json!({"compatibility": "NOPE"})),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].clone()),
        (422, json!(42203)),
        "{body}"
    );

    // Config, mode and deletes go through the follower too.
    let (status, body) = call(
        &b_url,
        reqwest::Method::PUT,
        "/config/orders-value",
        Some(json!({"compatibility": "NONE"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = call(&a_url, reqwest::Method::GET, "/config/orders-value", None).await;
    assert_eq!(body["compatibilityLevel"], "NONE", "{body}");
    let (status, body) = call(
        &b_url,
        reqwest::Method::DELETE,
        "/subjects/orders-value",
        None,
    )
    .await;
    assert_eq!((status, body.clone()), (200, json!([1])), "{body}");
    let (status, _) = call(
        &a_url,
        reqwest::Method::GET,
        "/subjects/orders-value/versions",
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Reads and lookups are served by the follower itself.
    let (status, body) = call(
        &b_url,
        reqwest::Method::POST,
        "/subjects/orders-value?deleted=true",
        Some(json!({"schema": record("Order", &["id"])})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], id, "{body}");

    // Concurrent registrations through both instances get distinct ids, the same on
    // both.
    let mut writes = Vec::new();
    for i in 0..20 {
        let base = if i % 2 == 0 {
            a_url.clone()
        } else {
            b_url.clone()
        };
        writes.push(tokio::spawn(async move {
            let subject = format!("s{i}");
            let (status, body) = register(&base, &subject, &record(&format!("R{i}"), &["f"])).await;
            assert_eq!(status, 200, "{subject}: {body}");
            (subject, body["id"].as_i64().expect("id"))
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for write in writes {
        let (subject, id) = write.await.expect("write task");
        assert!(ids.insert(id), "id {id} given twice");
        for base in [&a_url, &b_url] {
            let (_, body) = call(
                base,
                reqwest::Method::GET,
                &format!("/subjects/{subject}/versions/1"),
                None,
            )
            .await;
            assert_eq!(body["id"], id, "{base} {subject}: {body}");
        }
    }

    // With the only eligible instance gone, writes have no leader: 50004 at once, not a
    // hang; reads still work.
    a.shutdown().await;
    let (status, body) = register(&b_url, "late", &record("Late", &["x"])).await;
    assert_eq!(
        (status, body["error_code"].clone()),
        (500, json!(50004)),
        "{body}"
    );
    let (status, _) = call(
        &b_url,
        reqwest::Method::GET,
        "/subjects/s0/versions/1",
        None,
    )
    .await;
    assert_eq!(status, 200);
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_instance_takes_over_when_the_leader_leaves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let first = start_registry(&broker, "failover", true).await;
    let second = start_registry(&broker, "failover", true).await;
    // The leader is the eligible instance with the smallest URL.
    let (leader, follower) = if url(&first) < url(&second) {
        (first, second)
    } else {
        (second, first)
    };
    let follower_url = url(&follower);
    let mut taken = std::collections::BTreeSet::new();
    for i in 0..3 {
        let (status, body) = register(
            &follower_url,
            &format!("before{i}"),
            &record("A", &[&format!("f{i}")]),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        taken.insert(body["id"].as_i64().expect("id"));
    }

    leader.shutdown().await;
    // The follower rebalances alone, becomes the leader after reading the topic, and
    // allocates ids after every id the old leader gave.
    let (status, body) = register(&follower_url, "after", &record("B", &["g"])).await;
    assert_eq!(status, 200, "{body}");
    let id = body["id"].as_i64().expect("id");
    let max_before = taken.iter().max().copied().unwrap_or_default();
    assert!(id > max_before, "new id {id} must follow {max_before}");

    // A new instance joining later follows the current leader and sees everything.
    let newcomer = start_registry(&broker, "failover", true).await;
    let newcomer_url = url(&newcomer);
    let (status, body) = call(&newcomer_url, reqwest::Method::GET, "/subjects", None).await;
    assert_eq!(status, 200);
    let subjects: Vec<&str> = body
        .as_array()
        .expect("array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(subjects, ["after", "before0", "before1", "before2"]);
    let (status, body) = register(&newcomer_url, "newest", &record("C", &["h"])).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["id"].as_i64().expect("id") > id);
    newcomer.shutdown().await;
    follower.shutdown().await;
}
