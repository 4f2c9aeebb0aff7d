//! The REST API over HTTP against an in-process sluice broker: every endpoint and
//! error code, and a restart that rebuilds the state from the `_schemas` topic.

use std::net::SocketAddr;

use broker::config::Listener;
use broker::{Broker, BrokerConfig};
use reqwest::Method;
use schema_registry::{RegistryConfig, RunningRegistry};
use serde_json::{json, Value};

const CT: &str = "application/vnd.schemaregistry.v1+json";
const V1: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
const V2: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#;
const BAD: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"c","type":"string"}]}"#;

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

async fn start_registry(broker: &Broker, topic: &str) -> RunningRegistry {
    schema_registry::start(RegistryConfig {
        bootstrap_servers: broker.bootstrap(),
        listener: SocketAddr::from(([127, 0, 0, 1], 0)),
        topic: topic.to_owned(),
        ..RegistryConfig::default()
    })
    .await
    .expect("registry starts")
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    fn new(registry: &RunningRegistry) -> Self {
        Self {
            base: format!("http://{}", registry.local_addr()),
            http: reqwest::Client::new(),
        }
    }

    async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        content_type: &str,
        accept: &str,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Accept", accept);
        if let Some(body) = body {
            request = request.header("Content-Type", content_type).body(body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.raw(method, path, body.map(|b| b.to_string()), CT, CT)
            .await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, None).await
    }

    async fn register(&self, subject: &str, schema: &str) -> (u16, Value) {
        self.post(
            &format!("/subjects/{subject}/versions"),
            json!({ "schema": schema }),
        )
        .await
    }
}

fn code(v: &Value) -> i64 {
    v["error_code"].as_i64().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_lookup_and_read_endpoints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let registry = start_registry(&broker, "_schemas").await;
    let api = Api::new(&registry);

    assert_eq!(api.get("/").await, (200, json!({})));
    assert_eq!(api.get("/schemas/types").await, (200, json!(["AVRO"])));
    assert_eq!(api.get("/subjects").await, (200, json!([])));

    assert_eq!(api.register("s", V1).await, (200, json!({"id": 1})));
    // The same schema again (other layout): same id, no new version.
    let relaid =
        r#"{ "name": "R", "type": "record", "fields": [ {"type": {"type":"int"}, "name": "a"} ] }"#;
    assert_eq!(api.register("s", relaid).await, (200, json!({"id": 1})));
    // The same schema in another subject: same id.
    assert_eq!(api.register("t", V1).await, (200, json!({"id": 1})));
    assert_eq!(api.register("s", V2).await, (200, json!({"id": 2})));
    // A doc change is a new id (Confluent's identity keeps doc).
    let doc = r#"{"type":"record","name":"R","doc":"x","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#;
    assert_eq!(api.register("s", doc).await, (200, json!({"id": 3})));

    assert_eq!(api.get("/subjects").await, (200, json!(["s", "t"])));
    assert_eq!(
        api.get("/subjects?subjectPrefix=t").await,
        (200, json!(["t"]))
    );
    assert_eq!(
        api.get("/subjects/s/versions").await,
        (200, json!([1, 2, 3]))
    );
    let (status, v1) = api.get("/subjects/s/versions/1").await;
    assert_eq!(status, 200);
    assert_eq!(
        v1,
        json!({"subject": "s", "version": 1, "id": 1, "schema": V1})
    );
    for latest in ["latest", "-1"] {
        let (status, v) = api.get(&format!("/subjects/s/versions/{latest}")).await;
        assert_eq!(
            (status, v["version"].clone(), v["id"].clone()),
            (200, json!(3), json!(3))
        );
    }
    let (status, bare) = api.get("/subjects/s/versions/2/schema").await;
    assert_eq!(
        (status, bare),
        (200, serde_json::from_str::<Value>(V2).expect("json"))
    );
    assert_eq!(
        api.get("/subjects/s/versions/1/referencedby").await,
        (200, json!([]))
    );
    assert_eq!(
        api.get("/schemas/ids/1").await,
        (200, json!({"schema": V1}))
    );
    let (status, bare) = api.get("/schemas/ids/1/schema").await;
    assert_eq!(
        (status, bare),
        (200, serde_json::from_str::<Value>(V1).expect("json"))
    );
    assert_eq!(
        api.get("/schemas/ids/1/subjects").await,
        (200, json!(["s", "t"]))
    );
    assert_eq!(
        api.get("/schemas/ids/1/versions").await,
        (
            200,
            json!([{"subject": "s", "version": 1}, {"subject": "t", "version": 1}])
        )
    );

    // Lookup.
    let (status, found) = api.post("/subjects/s", json!({ "schema": V2 })).await;
    assert_eq!(
        (status, found["version"].clone(), found["id"].clone()),
        (200, json!(2), json!(2))
    );
    let (status, e) = api.post("/subjects/s", json!({ "schema": BAD })).await;
    assert_eq!((status, code(&e)), (404, 40403));
    let (status, e) = api.post("/subjects/nope", json!({ "schema": V1 })).await;
    assert_eq!(
        (status, code(&e), e["message"].clone()),
        (404, 40401, json!("Subject 'nope' not found."))
    );

    // Errors.
    let (status, e) = api.get("/subjects/nope/versions").await;
    assert_eq!((status, code(&e)), (404, 40401));
    let (status, e) = api.get("/subjects/s/versions/9").await;
    assert_eq!((status, code(&e)), (404, 40402));
    for bad in ["0", "x", "-2"] {
        let (status, e) = api.get(&format!("/subjects/s/versions/{bad}")).await;
        assert_eq!((status, code(&e)), (422, 42202), "{bad}");
    }
    let (status, e) = api.get("/schemas/ids/99").await;
    assert_eq!((status, code(&e)), (404, 40403));
    let (status, e) = api.get("/schemas/ids/abc").await;
    assert_eq!((status, code(&e)), (404, 40403));
    let (status, e) = api.register("s", r#"{"type":"record","name":"R"}"#).await;
    assert_eq!((status, code(&e)), (422, 42201));
    let (status, e) = api.register("s", "").await;
    assert_eq!(
        (status, code(&e), e["message"].clone()),
        (422, 42201, json!("Empty schema"))
    );
    let (status, e) = api
        .post(
            "/subjects/s/versions",
            json!({"schema": "\"int\"", "schemaType": "PROTOBUF"}),
        )
        .await;
    assert_eq!((status, code(&e)), (422, 42201));
    let (status, e) = api
        .raw(
            Method::POST,
            "/subjects/s/versions",
            Some("{not json".into()),
            CT,
            CT,
        )
        .await;
    assert_eq!((status, code(&e)), (400, 400));
    let (status, e) = api
        .raw(
            Method::POST,
            "/subjects/s/versions",
            Some("{}".into()),
            "text/plain",
            CT,
        )
        .await;
    assert_eq!((status, code(&e)), (415, 415));
    let (status, e) = api
        .raw(Method::GET, "/subjects", None, CT, "text/html")
        .await;
    assert_eq!((status, code(&e)), (406, 406));
    // Other accepted request types.
    for ct in [
        "application/json",
        "application/vnd.schemaregistry+json",
        "application/octet-stream",
    ] {
        let body = json!({ "schema": V1 }).to_string();
        let (status, v) = api
            .raw(
                Method::POST,
                "/subjects/s/versions",
                Some(body),
                ct,
                "application/json",
            )
            .await;
        assert_eq!((status, v), (200, json!({"id": 1})), "{ct}");
    }
    let (status, e) = api.get("/no/such/endpoint").await;
    assert_eq!((status, code(&e)), (404, 404));
    let (status, e) = api.call(Method::PATCH, "/subjects", None).await;
    assert_eq!((status, code(&e)), (405, 405));

    registry.shutdown().await;
    broker.shutdown().await.expect("broker stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compatibility_and_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let registry = start_registry(&broker, "_schemas").await;
    let api = Api::new(&registry);

    assert_eq!(
        api.get("/config").await,
        (200, json!({"compatibilityLevel": "BACKWARD"}))
    );
    // `latest` of a missing subject: compatible.
    assert_eq!(
        api.post(
            "/compatibility/subjects/s/versions/latest",
            json!({"schema": V1})
        )
        .await,
        (200, json!({"is_compatible": true}))
    );
    assert_eq!(api.register("s", V1).await, (200, json!({"id": 1})));

    // Incompatible under BACKWARD: 409 with the details.
    let (status, e) = api.register("s", BAD).await;
    assert_eq!((status, code(&e)), (409, 409));
    let message = e["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{message}"
    );
    assert!(message.contains("compatibility: 'BACKWARD'"), "{message}");

    let (status, v) = api
        .post(
            "/compatibility/subjects/s/versions?verbose=true",
            json!({"schema": BAD}),
        )
        .await;
    assert_eq!((status, v["is_compatible"].clone()), (200, json!(false)));
    assert!(v["messages"].as_array().is_some_and(|m| !m.is_empty()));
    assert_eq!(
        api.post(
            "/compatibility/subjects/s/versions/1",
            json!({"schema": V2})
        )
        .await,
        (200, json!({"is_compatible": true}))
    );
    assert_eq!(
        api.post(
            "/compatibility/subjects/s/versions/latest?verbose=true",
            json!({"schema": V2})
        )
        .await,
        (200, json!({"is_compatible": true, "messages": []}))
    );
    let (status, e) = api
        .post(
            "/compatibility/subjects/s/versions/7",
            json!({"schema": V2}),
        )
        .await;
    assert_eq!((status, code(&e)), (404, 40402));
    let (status, e) = api
        .post(
            "/compatibility/subjects/none/versions/1",
            json!({"schema": V2}),
        )
        .await;
    // Confluent's CompatibilityResource answers 40402 even for a missing subject.
    assert_eq!((status, code(&e)), (404, 40402));

    // Subject config.
    let (status, e) = api.get("/config/s").await;
    assert_eq!((status, code(&e)), (404, 40408));
    assert_eq!(
        api.get("/config/s?defaultToGlobal=true").await,
        (200, json!({"compatibilityLevel": "BACKWARD"}))
    );
    let (status, e) = api
        .put("/config/s", json!({"compatibility": "SIDEWAYS"}))
        .await;
    assert_eq!((status, code(&e)), (422, 42203));
    assert_eq!(
        api.put("/config/s", json!({"compatibility": "none"})).await,
        (200, json!({"compatibility": "NONE"}))
    );
    assert_eq!(
        api.get("/config/s").await,
        (200, json!({"compatibilityLevel": "NONE"}))
    );
    // Accepted under NONE.
    assert_eq!(api.register("s", BAD).await, (200, json!({"id": 2})));
    assert_eq!(
        api.delete("/config/s").await,
        (200, json!({"compatibilityLevel": "NONE"}))
    );
    let (status, e) = api.delete("/config/s").await;
    assert_eq!((status, code(&e)), (404, 40408));

    // Global config.
    assert_eq!(
        api.put("/config", json!({"compatibility": "FULL_TRANSITIVE"}))
            .await,
        (200, json!({"compatibility": "FULL_TRANSITIVE"}))
    );
    assert_eq!(
        api.get("/config").await,
        (200, json!({"compatibilityLevel": "FULL_TRANSITIVE"}))
    );
    assert_eq!(
        api.get("/config/other?defaultToGlobal=true").await,
        (200, json!({"compatibilityLevel": "FULL_TRANSITIVE"}))
    );
    assert_eq!(
        api.delete("/config").await,
        (200, json!({"compatibilityLevel": "FULL_TRANSITIVE"}))
    );
    assert_eq!(
        api.get("/config").await,
        (200, json!({"compatibilityLevel": "BACKWARD"}))
    );

    registry.shutdown().await;
    broker.shutdown().await.expect("broker stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_and_modes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let registry = start_registry(&broker, "_schemas").await;
    let api = Api::new(&registry);

    api.register("s", V1).await;
    api.register("s", V2).await;
    let (status, e) = api.delete("/subjects/s/versions/2?permanent=true").await;
    assert_eq!((status, code(&e)), (404, 40407));
    assert_eq!(api.delete("/subjects/s/versions/2").await, (200, json!(2)));
    let (status, e) = api.delete("/subjects/s/versions/2").await;
    assert_eq!((status, code(&e)), (404, 40406));
    let (status, e) = api.get("/subjects/s/versions/2").await;
    assert_eq!((status, code(&e)), (404, 40402));
    assert_eq!(api.get("/subjects/s/versions/2?deleted=true").await.0, 200);
    assert_eq!(
        api.get("/subjects/s/versions?deleted=true").await,
        (200, json!([1, 2]))
    );
    // Versions count past the soft-deleted one.
    api.register("s", BAD).await; // incompatible with V1 under BACKWARD
    assert_eq!(
        api.put("/config/s", json!({"compatibility": "NONE"}))
            .await
            .0,
        200
    );
    assert_eq!(api.register("s", BAD).await, (200, json!({"id": 3})));
    assert_eq!(api.get("/subjects/s/versions").await, (200, json!([1, 3])));
    assert_eq!(
        api.delete("/subjects/s/versions/2?permanent=true").await,
        (200, json!(2))
    );
    assert_eq!(
        api.get("/subjects/s/versions?deleted=true").await,
        (200, json!([1, 3]))
    );

    // Subject deletes.
    let (status, e) = api.delete("/subjects/s?permanent=true").await;
    assert_eq!((status, code(&e)), (404, 40405));
    assert_eq!(api.delete("/subjects/s").await, (200, json!([1, 3])));
    let (status, e) = api.delete("/subjects/s").await;
    assert_eq!((status, code(&e)), (404, 40404));
    assert_eq!(api.get("/subjects").await, (200, json!([])));
    assert_eq!(api.get("/subjects?deleted=true").await, (200, json!(["s"])));
    assert_eq!(
        api.delete("/subjects/s?permanent=true").await,
        (200, json!([1, 3]))
    );
    let (status, e) = api.delete("/subjects/s").await;
    assert_eq!((status, code(&e)), (404, 40401));
    let (status, e) = api.get("/schemas/ids/1").await;
    assert_eq!((status, code(&e)), (404, 40403));

    // Modes.
    assert_eq!(api.get("/mode").await, (200, json!({"mode": "READWRITE"})));
    let (status, e) = api.put("/mode", json!({"mode": "SIDEWAYS"})).await;
    assert_eq!((status, code(&e)), (422, 42204));
    let (status, e) = api.get("/mode/imp").await;
    assert_eq!((status, code(&e)), (404, 40409));
    assert_eq!(
        api.get("/mode/imp?defaultToGlobal=true").await,
        (200, json!({"mode": "READWRITE"}))
    );
    api.register("ro", V1).await;
    assert_eq!(
        api.put("/mode/ro", json!({"mode": "READONLY"})).await,
        (200, json!({"mode": "READONLY"}))
    );
    let (status, e) = api.register("ro", V2).await;
    assert_eq!((status, code(&e)), (422, 42205));
    let (status, e) = api.delete("/subjects/ro").await;
    assert_eq!((status, code(&e)), (422, 42205));
    assert_eq!(
        api.delete("/mode/ro").await,
        (200, json!({"mode": "READONLY"}))
    );

    // IMPORT: not over existing schemas without force; explicit ids kept.
    let (status, e) = api.put("/mode", json!({"mode": "IMPORT"})).await;
    assert_eq!((status, code(&e)), (422, 42205));
    assert_eq!(
        api.put("/mode/imp", json!({"mode": "IMPORT"})).await,
        (200, json!({"mode": "IMPORT"}))
    );
    let (status, e) = api.register("imp", V1).await;
    assert_eq!((status, code(&e)), (422, 42205));
    assert_eq!(
        api.post(
            "/subjects/imp/versions",
            json!({"schema": V1, "id": 42, "version": 3})
        )
        .await,
        (200, json!({"id": 42}))
    );
    let (status, v) = api.get("/subjects/imp/versions/latest").await;
    assert_eq!(
        (status, v["id"].clone(), v["version"].clone()),
        (200, json!(42), json!(3))
    );
    let (status, e) = api
        .post("/subjects/imp/versions", json!({"schema": BAD, "id": 42}))
        .await;
    assert_eq!((status, code(&e)), (422, 42205));
    let (status, e) = api
        .post("/subjects/rw/versions", json!({"schema": V1, "id": 43}))
        .await;
    assert_eq!((status, code(&e)), (422, 42205));
    // Next ids continue after the imported one.
    assert_eq!(api.register("rw", V2).await, (200, json!({"id": 43})));
    assert_eq!(
        api.put("/mode?force=true", json!({"mode": "IMPORT"})).await,
        (200, json!({"mode": "IMPORT"}))
    );

    registry.shutdown().await;
    broker.shutdown().await.expect("broker stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_rebuilds_from_the_topic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broker = start_broker(dir.path()).await;
    let topic = "_schemas_restart";
    let registry = start_registry(&broker, topic).await;
    let api = Api::new(&registry);
    assert_eq!(api.register("a", V1).await, (200, json!({"id": 1})));
    assert_eq!(api.register("a", V2).await, (200, json!({"id": 2})));
    assert_eq!(api.register("b", V1).await, (200, json!({"id": 1})));
    assert_eq!(api.delete("/subjects/a/versions/1").await, (200, json!(1)));
    assert_eq!(
        api.put("/config/b", json!({"compatibility": "FULL"}))
            .await
            .0,
        200
    );
    assert_eq!(api.put("/mode/c", json!({"mode": "READONLY"})).await.0, 200);
    let before = (
        api.get("/subjects?deleted=true").await,
        api.get("/subjects/a/versions?deleted=true").await,
        api.get("/subjects/a/versions").await,
        api.get("/subjects/a/versions/2").await,
        api.get("/schemas/ids/1/versions?deleted=true").await,
    );
    registry.shutdown().await;

    let registry = start_registry(&broker, topic).await;
    let api = Api::new(&registry);
    let after = (
        api.get("/subjects?deleted=true").await,
        api.get("/subjects/a/versions?deleted=true").await,
        api.get("/subjects/a/versions").await,
        api.get("/subjects/a/versions/2").await,
        api.get("/schemas/ids/1/versions?deleted=true").await,
    );
    assert_eq!(before, after);
    assert_eq!(
        api.get("/config/b").await,
        (200, json!({"compatibilityLevel": "FULL"}))
    );
    assert_eq!(api.get("/mode/c").await, (200, json!({"mode": "READONLY"})));
    // Same schema: same id; a new one continues after the highest id; version 3.
    assert_eq!(api.register("a", V2).await, (200, json!({"id": 2})));
    let v3 = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""},{"name":"d","type":"long","default":0}]}"#;
    assert_eq!(api.register("a", v3).await, (200, json!({"id": 3})));
    assert_eq!(api.get("/subjects/a/versions").await, (200, json!([2, 3])));
    registry.shutdown().await;
    broker.shutdown().await.expect("broker stops");
}
