//! Endpoint by endpoint and error code by error code, over HTTP against an
//! in-process sluice broker: query parameters (`deleted`, `deletedOnly`,
//! `subjectPrefix`, `latestOnly`, `offset`/`limit`, `fetchMaxId`, `normalize`,
//! `verbose`, `defaultToGlobal`, `force`, `permanent`), references, modes, and bad
//! input that must answer a 4xx with Confluent's error code, never a 500.

use std::net::SocketAddr;

use broker::config::Listener;
use broker::{Broker, BrokerConfig};
use reqwest::Method;
use schema_registry::{RegistryConfig, RunningRegistry};
use serde_json::{json, Value};

const CT: &str = "application/vnd.schemaregistry.v1+json";
const V1: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
const V2: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":""}]}"#;
/// A new field without a default: not backward compatible with V1.
const BAD: &str = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"c","type":"string"}]}"#;
const REF: &str =
    r#"{"type":"record","name":"Ref","namespace":"ns","fields":[{"name":"x","type":"int"}]}"#;
const OUTER: &str =
    r#"{"type":"record","name":"Outer","namespace":"ns","fields":[{"name":"r","type":"ns.Ref"}]}"#;
/// `OUTER` as Confluent stores and returns it (Java's `Schema.toString()`): the
/// referenced `ns.Ref` is written relative to the record's namespace.
const OUTER_JAVA: &str =
    r#"{"type":"record","name":"Outer","namespace":"ns","fields":[{"name":"r","type":"Ref"}]}"#;

struct Env {
    broker: Broker,
    registry: RunningRegistry,
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Env {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let broker = Broker::start(BrokerConfig {
            listeners: vec![Listener {
                host: "127.0.0.1".into(),
                port: 0,
            }],
            data_dir: dir.path().to_path_buf(),
            ..BrokerConfig::default()
        })
        .await
        .expect("broker starts");
        let registry = schema_registry::start(RegistryConfig {
            bootstrap_servers: broker.bootstrap(),
            listener: SocketAddr::from(([127, 0, 0, 1], 0)),
            topic: "_schemas".to_owned(),
            ..RegistryConfig::default()
        })
        .await
        .expect("registry starts");
        Self {
            base: format!("http://{}", registry.local_addr()),
            broker,
            registry,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    async fn stop(self) {
        self.registry.shutdown().await;
        self.broker.shutdown().await.expect("broker stops");
    }

    /// Sends a request; `content_type: None` sends the body without a Content-Type.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        content_type: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Accept", CT);
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        assert!(status < 500, "{path}: a 5xx for client input: {value}");
        if status >= 400 {
            // Every error has Confluent's shape.
            assert!(value["error_code"].is_i64(), "{path}: {value}");
            assert!(value["message"].is_string(), "{path}: {value}");
        }
        (status, value)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None, None).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(Method::DELETE, path, None, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, path, Some(&body.to_string()), Some(CT))
            .await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::PUT, path, Some(&body.to_string()), Some(CT))
            .await
    }

    async fn register(&self, subject: &str, schema: &str) -> (u16, Value) {
        self.post(
            &format!("/subjects/{subject}/versions"),
            json!({ "schema": schema }),
        )
        .await
    }

    /// Status and error code of a failing call.
    async fn err(&self, method: Method, path: &str, body: Option<Value>) -> (u16, i64) {
        let text = body.map(|b| b.to_string());
        let ct = text.as_ref().map(|_| CT);
        let (status, v) = self.send(method, path, text.as_deref(), ct).await;
        (status, v["error_code"].as_i64().unwrap_or_default())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_and_their_query_parameters() {
    let env = Env::start().await;
    assert_eq!(env.register("a-value", V1).await, (200, json!({"id": 1})));
    assert_eq!(env.register("a-value", V2).await, (200, json!({"id": 2})));
    assert_eq!(env.register("b-value", V1).await, (200, json!({"id": 1})));
    assert_eq!(env.register("c-key", V2).await, (200, json!({"id": 2})));
    assert_eq!(env.delete("/subjects/b-value").await, (200, json!([1])));
    assert_eq!(
        env.delete("/subjects/a-value/versions/1").await,
        (200, json!(1))
    );

    // GET /subjects: deleted, deletedOnly (fully soft-deleted subjects), prefix, paging.
    assert_eq!(
        env.get("/subjects").await,
        (200, json!(["a-value", "c-key"]))
    );
    assert_eq!(
        env.get("/subjects?deleted=true").await,
        (200, json!(["a-value", "b-value", "c-key"]))
    );
    assert_eq!(
        env.get("/subjects?deletedOnly=true").await,
        (200, json!(["b-value"]))
    );
    assert_eq!(
        env.get("/subjects?deleted=true&deletedOnly=true").await,
        (200, json!(["b-value"]))
    );
    assert_eq!(
        env.get("/subjects?subjectPrefix=a-").await,
        (200, json!(["a-value"]))
    );
    assert_eq!(
        env.get("/subjects?deleted=true&offset=1&limit=1").await,
        (200, json!(["b-value"]))
    );
    assert_eq!(
        env.get("/subjects?limit=-1&offset=5").await,
        (200, json!([]))
    );
    // Bad paging values are ignored, not a 500.
    assert_eq!(
        env.get("/subjects?offset=x&limit=y").await,
        (200, json!(["a-value", "c-key"]))
    );

    // GET /subjects/{s}/versions: deleted, deletedOnly, 40401.
    assert_eq!(
        env.get("/subjects/a-value/versions").await,
        (200, json!([2]))
    );
    assert_eq!(
        env.get("/subjects/a-value/versions?deleted=true").await,
        (200, json!([1, 2]))
    );
    assert_eq!(
        env.get("/subjects/a-value/versions?deletedOnly=true").await,
        (200, json!([1]))
    );
    assert_eq!(
        env.err(Method::GET, "/subjects/b-value/versions", None)
            .await,
        (404, 40401)
    );
    assert_eq!(
        env.get("/subjects/b-value/versions?deleted=true").await,
        (200, json!([1]))
    );

    // GET /schemas: subjectPrefix, deleted, latestOnly, offset/limit.
    let (status, all) = env.get("/schemas").await;
    assert_eq!(status, 200);
    let pairs = |v: &Value| -> Vec<(String, i64, i64)> {
        v.as_array()
            .expect("a list")
            .iter()
            .map(|s| {
                (
                    s["subject"].as_str().unwrap_or_default().to_owned(),
                    s["version"].as_i64().unwrap_or_default(),
                    s["id"].as_i64().unwrap_or_default(),
                )
            })
            .collect()
    };
    assert_eq!(
        pairs(&all),
        [("a-value".into(), 2, 2), ("c-key".into(), 1, 2)]
    );
    assert_eq!(
        all[0],
        json!({"subject": "a-value", "version": 2, "id": 2, "schema": V2})
    );
    let (_, deleted) = env.get("/schemas?deleted=true").await;
    assert_eq!(
        pairs(&deleted),
        [
            ("a-value".into(), 1, 1),
            ("a-value".into(), 2, 2),
            ("b-value".into(), 1, 1),
            ("c-key".into(), 1, 2)
        ]
    );
    let (_, latest) = env.get("/schemas?deleted=true&latestOnly=true").await;
    assert_eq!(
        pairs(&latest),
        [
            ("a-value".into(), 2, 2),
            ("b-value".into(), 1, 1),
            ("c-key".into(), 1, 2)
        ]
    );
    let (_, prefixed) = env.get("/schemas?subjectPrefix=c").await;
    assert_eq!(pairs(&prefixed), [("c-key".into(), 1, 2)]);
    let (_, page) = env.get("/schemas?deleted=true&offset=1&limit=2").await;
    assert_eq!(
        pairs(&page),
        [("a-value".into(), 2, 2), ("b-value".into(), 1, 1)]
    );

    // GET /schemas/ids/{id} (+ fetchMaxId) and its variants; soft-deleted uses count
    // only with deleted=true.
    assert_eq!(
        env.get("/schemas/ids/1?fetchMaxId=true").await,
        (200, json!({"schema": V1, "maxId": 2}))
    );
    assert_eq!(env.get("/schemas/ids/1/subjects").await, (200, json!([])));
    assert_eq!(
        env.get("/schemas/ids/1/subjects?deleted=true").await,
        (200, json!(["a-value", "b-value"]))
    );
    assert_eq!(
        env.get("/schemas/ids/2/versions").await,
        (
            200,
            json!([{"subject": "a-value", "version": 2}, {"subject": "c-key", "version": 1}])
        )
    );
    assert_eq!(
        env.get("/schemas/ids/1/versions?deleted=true").await,
        (
            200,
            json!([{"subject": "a-value", "version": 1}, {"subject": "b-value", "version": 1}])
        )
    );
    for id in ["3", "0", "-1", "99999999999", "abc", "1.0"] {
        for suffix in ["", "/schema", "/subjects", "/versions"] {
            assert_eq!(
                env.err(Method::GET, &format!("/schemas/ids/{id}{suffix}"), None)
                    .await,
                (404, 40403),
                "{id}{suffix}"
            );
        }
    }
    let (_, e) = env.get("/schemas/ids/3").await;
    assert_eq!(e["message"], json!("Schema 3 not found"));

    // Versions: numbers, latest, -1, deleted=true, /schema, bad versions.
    assert_eq!(
        env.get("/subjects/a-value/versions/-1").await.1["version"],
        json!(2)
    );
    assert_eq!(
        env.get("/subjects/a-value/versions/LATEST").await.1["version"],
        json!(2)
    );
    assert_eq!(
        env.err(Method::GET, "/subjects/a-value/versions/1", None)
            .await,
        (404, 40402)
    );
    assert_eq!(
        env.get("/subjects/a-value/versions/1?deleted=true").await,
        (
            200,
            json!({"subject": "a-value", "version": 1, "id": 1, "schema": V1})
        )
    );
    let (status, bare) = env
        .get("/subjects/a-value/versions/1/schema?deleted=true")
        .await;
    assert_eq!(
        (status, bare),
        (200, serde_json::from_str(V1).expect("json"))
    );
    assert_eq!(
        env.err(Method::GET, "/subjects/a-value/versions/1/schema", None)
            .await,
        (404, 40402)
    );
    assert_eq!(
        env.err(Method::GET, "/subjects/zzz/versions/1/schema", None)
            .await,
        (404, 40401)
    );
    let (status, e) = env.get("/subjects/zzz/versions/latest").await;
    assert_eq!(
        (status, e),
        (
            404,
            json!({"error_code": 40401, "message": "Subject 'zzz' not found."})
        )
    );
    let (_, e) = env.get("/subjects/a-value/versions/7").await;
    assert_eq!(e["message"], json!("Version 7 not found."));
    for bad in ["0", "-2", "x", "1.5", "2147483648", "99999999999"] {
        for suffix in ["", "/schema", "/referencedby"] {
            let path = format!("/subjects/a-value/versions/{bad}{suffix}");
            assert_eq!(
                env.err(Method::GET, &path, None).await,
                (422, 42202),
                "{path}"
            );
        }
        let path = format!("/subjects/a-value/versions/{bad}");
        assert_eq!(
            env.err(Method::DELETE, &path, None).await,
            (422, 42202),
            "{path}"
        );
        let path = format!("/compatibility/subjects/a-value/versions/{bad}");
        assert_eq!(
            env.err(Method::POST, &path, Some(json!({"schema": V1})))
                .await,
            (422, 42202),
            "{path}"
        );
    }
    let (_, e) = env.get("/subjects/a-value/versions/x").await;
    assert_eq!(
        e["message"],
        json!("The specified version 'x' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"")
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_lookup_and_references() {
    let env = Env::start().await;
    assert_eq!(env.get("/schemas/types").await, (200, json!(["AVRO"])));
    assert_eq!(env.register("s", V1).await, (200, json!({"id": 1})));

    // normalize=true: a doc-only change is the same schema (no new version); without
    // it the full string form differs and a new id is made.
    let doc = r#"{"type":"record","name":"R","doc":"d","fields":[{"name":"a","type":"int"}]}"#;
    assert_eq!(
        env.post(
            "/subjects/s/versions?normalize=true",
            json!({"schema": doc})
        )
        .await,
        (200, json!({"id": 1}))
    );
    assert_eq!(env.get("/subjects/s/versions").await, (200, json!([1])));
    // Lookup: exact string form, or normalised.
    assert_eq!(
        env.err(Method::POST, "/subjects/s", Some(json!({"schema": doc})))
            .await,
        (404, 40403)
    );
    let (status, found) = env
        .post("/subjects/s?normalize=true", json!({"schema": doc}))
        .await;
    assert_eq!(
        (status, found),
        (
            200,
            json!({"subject": "s", "version": 1, "id": 1, "schema": V1})
        )
    );
    assert_eq!(env.register("s", doc).await, (200, json!({"id": 2})));
    assert_eq!(env.get("/subjects/s/versions").await, (200, json!([1, 2])));

    // Lookup of a soft-deleted version needs deleted=true.
    assert_eq!(env.delete("/subjects/s/versions/2").await, (200, json!(2)));
    assert_eq!(
        env.err(Method::POST, "/subjects/s", Some(json!({"schema": doc})))
            .await,
        (404, 40403)
    );
    assert_eq!(
        env.post("/subjects/s?deleted=true", json!({"schema": doc}))
            .await
            .1["version"],
        json!(2)
    );
    // A re-registration after a soft delete is a new version with the same id.
    assert_eq!(env.register("s", doc).await, (200, json!({"id": 2})));
    assert_eq!(env.get("/subjects/s/versions").await, (200, json!([1, 3])));
    // Lookup errors.
    assert_eq!(
        env.err(Method::POST, "/subjects/none", Some(json!({"schema": V1})))
            .await,
        (404, 40401)
    );
    assert_eq!(
        env.err(Method::POST, "/subjects/s", Some(json!({"schema": "{"})))
            .await,
        (422, 42201)
    );
    assert_eq!(
        env.err(Method::POST, "/subjects/s", Some(json!({}))).await,
        (422, 42201)
    );

    // References: stored, returned, reported by referencedby, and blocking deletes.
    assert_eq!(env.register("ref", REF).await, (200, json!({"id": 3})));
    let refs = json!([{"name": "ns.Ref", "subject": "ref", "version": 1}]);
    assert_eq!(
        env.post(
            "/subjects/outer/versions",
            json!({"schema": OUTER, "references": refs})
        )
        .await,
        (200, json!({"id": 4}))
    );
    assert_eq!(
        env.get("/schemas/ids/4").await,
        (200, json!({"schema": OUTER_JAVA, "references": refs}))
    );
    assert_eq!(
        env.get("/subjects/outer/versions/1").await,
        (
            200,
            json!({"subject": "outer", "version": 1, "id": 4, "references": refs, "schema": OUTER_JAVA})
        )
    );
    // Same schema, same references: same id; without the references it does not parse.
    assert_eq!(
        env.post(
            "/subjects/outer/versions",
            json!({"schema": OUTER, "references": refs})
        )
        .await,
        (200, json!({"id": 4}))
    );
    assert_eq!(
        env.err(
            Method::POST,
            "/subjects/outer2/versions",
            Some(json!({"schema": OUTER}))
        )
        .await,
        (422, 42201)
    );
    assert_eq!(
        env.err(
            Method::POST,
            "/subjects/outer2/versions",
            Some(json!({"schema": OUTER, "references": [{"name": "ns.Ref", "subject": "ref", "version": 9}]}))
        )
        .await,
        (422, 42201)
    );
    assert_eq!(
        env.get("/subjects/ref/versions/1/referencedby").await,
        (200, json!([4]))
    );
    assert_eq!(
        env.get("/subjects/ref/versions/latest/referencedby").await,
        (200, json!([4]))
    );
    assert_eq!(
        env.err(Method::GET, "/subjects/ref/versions/2/referencedby", None)
            .await,
        (404, 40402)
    );
    assert_eq!(
        env.err(Method::GET, "/subjects/nope/versions/1/referencedby", None)
            .await,
        (404, 40401)
    );
    assert_eq!(
        env.err(Method::DELETE, "/subjects/ref/versions/1", None)
            .await,
        (422, 42206)
    );
    assert_eq!(
        env.err(Method::DELETE, "/subjects/ref", None).await,
        (422, 42206)
    );
    // Once the referencing schema is soft-deleted the reference no longer counts.
    assert_eq!(env.delete("/subjects/outer").await, (200, json!([1])));
    assert_eq!(
        env.get("/subjects/ref/versions/1/referencedby").await,
        (200, json!([]))
    );
    assert_eq!(env.delete("/subjects/ref").await, (200, json!([1])));

    // Strict validation of new schemas: invalid defaults and names are 42201.
    for bad in [
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]}"#,
        r#"{"type":"record","name":"1R","fields":[]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}"#,
        r#"{"type":"enum","name":"E","symbols":["A"],"default":"B"}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"long"}]}"#,
    ] {
        assert_eq!(
            env.err(
                Method::POST,
                "/subjects/v/versions",
                Some(json!({"schema": bad}))
            )
            .await,
            (422, 42201),
            "{bad}"
        );
    }
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_4xx_with_the_right_code() {
    let env = Env::start().await;
    assert_eq!(env.register("s", V1).await, (200, json!({"id": 1})));
    let register = "/subjects/s/versions";

    // Bodies that are not the expected JSON: 400 with error_code 400.
    let posts = [
        register,
        "/subjects/s",
        "/compatibility/subjects/s/versions",
        "/compatibility/subjects/s/versions/latest",
    ];
    let puts = ["/config", "/config/s", "/mode", "/mode/s"];
    for body in ["", "{not json", "null", "42", "\"x\""] {
        for (method, path) in posts
            .iter()
            .map(|p| (Method::POST, p))
            .chain(puts.iter().map(|p| (Method::PUT, p)))
        {
            let (status, v) = env.send(method, path, Some(body), Some(CT)).await;
            assert_eq!(
                (status, v["error_code"].clone()),
                (400, json!(400)),
                "{path} {body}"
            );
        }
    }
    // Fields of the wrong JSON type.
    for path in posts {
        let body = r#"{"schema": {"type": "int"}}"#;
        let (status, v) = env.send(Method::POST, path, Some(body), Some(CT)).await;
        assert_eq!(
            (status, v["error_code"].clone()),
            (400, json!(400)),
            "{path}"
        );
    }
    for (path, body) in [
        ("/config", r#"{"compatibility": 5}"#),
        ("/mode/s", r#"{"mode": ["IMPORT"]}"#),
    ] {
        let (status, v) = env.send(Method::PUT, path, Some(body), Some(CT)).await;
        assert_eq!(
            (status, v["error_code"].clone()),
            (400, json!(400)),
            "{path}"
        );
    }
    // Other shapes: some 4xx (checked in `send`), never a 500.
    for body in [
        "[]",
        "[1,2]",
        "{\"schema\": \"\\u0000\"}",
        "{\"references\": 1}",
    ] {
        for path in posts {
            let (status, _) = env.send(Method::POST, path, Some(body), Some(CT)).await;
            assert!((400..500).contains(&status), "{path} {body}: {status}");
        }
    }
    // An unread Content-Type: 415; no Content-Type at all reads as JSON.
    for ct in ["text/plain", "application/xml", "multipart/form-data"] {
        let body = json!({"schema": V1}).to_string();
        let (status, v) = env
            .send(Method::POST, register, Some(&body), Some(ct))
            .await;
        assert_eq!((status, v["error_code"].clone()), (415, json!(415)), "{ct}");
    }
    let body = json!({"schema": V1}).to_string();
    assert_eq!(
        env.send(Method::POST, register, Some(&body), None).await,
        (200, json!({"id": 1}))
    );
    let with_charset = "application/json; charset=utf-8";
    assert_eq!(
        env.send(Method::POST, register, Some(&body), Some(with_charset))
            .await,
        (200, json!({"id": 1}))
    );

    // Schemas that are empty, not JSON, not Avro, or of an unknown type: 42201.
    for request in [
        json!({}),
        json!({"schema": ""}),
        json!({"schema": "   "}),
        json!({"schema": null}),
        json!({"schema": "not json"}),
        json!({"schema": "{\"foo\": 1}"}),
        json!({"schema": "42"}),
        json!({"schema": "\"nosuchtype\""}),
        json!({"schema": "{\"type\":\"record\",\"name\":\"R\"}"}),
        json!({"schema": "\"int\"", "schemaType": "PROTOBUF"}),
        json!({"schema": "\"int\"", "schemaType": "XML"}),
    ] {
        for path in [register, "/compatibility/subjects/s/versions/latest"] {
            assert_eq!(
                env.err(Method::POST, path, Some(request.clone())).await,
                (422, 42201),
                "{path} {request}"
            );
        }
    }
    let (_, e) = env.post(register, json!({"schema": ""})).await;
    assert_eq!(e["message"], json!("Empty schema"));
    // With verbose=true an invalid schema is an incompatible answer with the reason.
    let (status, v) = env
        .post(
            "/compatibility/subjects/s/versions?verbose=true",
            json!({"schema": "not json"}),
        )
        .await;
    assert_eq!((status, v["is_compatible"].clone()), (200, json!(false)));
    assert!(
        v["messages"][0]
            .as_str()
            .is_some_and(|m| m.starts_with("Invalid schema")),
        "{v}"
    );

    // Bad compatibility levels and modes.
    for level in [
        json!({"compatibility": "SIDEWAYS"}),
        json!({}),
        json!({"compatibility": null}),
    ] {
        assert_eq!(
            env.err(Method::PUT, "/config", Some(level.clone())).await,
            (422, 42203)
        );
        assert_eq!(
            env.err(Method::PUT, "/config/s", Some(level.clone())).await,
            (422, 42203)
        );
    }
    let (_, e) = env
        .put("/config", json!({"compatibility": "SIDEWAYS"}))
        .await;
    assert_eq!(
        e["message"],
        json!("Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive")
    );
    for mode in [json!({"mode": "SIDEWAYS"}), json!({}), json!({"mode": ""})] {
        assert_eq!(
            env.err(Method::PUT, "/mode", Some(mode.clone())).await,
            (422, 42204)
        );
        assert_eq!(
            env.err(Method::PUT, "/mode/s", Some(mode.clone())).await,
            (422, 42204)
        );
    }
    // Karapace's `compatibilityLevel` key is read too; levels are case-insensitive.
    assert_eq!(
        env.put(
            "/config/s",
            json!({"compatibilityLevel": "forward_transitive"})
        )
        .await,
        (200, json!({"compatibility": "FORWARD_TRANSITIVE"}))
    );

    // Unknown subjects, versions and ids through every endpoint that names them.
    assert_eq!(
        env.err(Method::DELETE, "/subjects/none", None).await,
        (404, 40401)
    );
    assert_eq!(
        env.err(Method::DELETE, "/subjects/none/versions/1", None)
            .await,
        (404, 40401)
    );
    assert_eq!(
        env.err(Method::DELETE, "/subjects/s/versions/5", None)
            .await,
        (404, 40402)
    );
    assert_eq!(
        env.err(
            Method::DELETE,
            "/subjects/s/versions/5?permanent=true",
            None
        )
        .await,
        (404, 40402)
    );
    assert_eq!(
        env.err(Method::GET, "/config/none", None).await,
        (404, 40408)
    );
    assert_eq!(
        env.err(Method::DELETE, "/config/none", None).await,
        (404, 40408)
    );
    assert_eq!(env.err(Method::GET, "/mode/none", None).await, (404, 40409));
    assert_eq!(
        env.err(Method::DELETE, "/mode/none", None).await,
        (404, 40409)
    );
    let (_, e) = env.get("/config/none").await;
    assert_eq!(
        e["message"],
        json!("Subject 'none' does not have subject-level compatibility configured")
    );

    // Unknown endpoints and methods, unacceptable Accept.
    assert_eq!(env.err(Method::GET, "/nope", None).await, (404, 404));
    assert_eq!(
        env.err(Method::PUT, "/subjects/s/versions", Some(json!({})))
            .await,
        (405, 405)
    );
    assert_eq!(
        env.err(Method::POST, "/schemas/ids/1", Some(json!({})))
            .await,
        (405, 405)
    );
    let (status, v) = {
        let response = env
            .http
            .get(format!("{}/subjects", env.base))
            .header("Accept", "text/html")
            .send()
            .await
            .expect("sent");
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.expect("json"))
    };
    assert_eq!(
        (status, v),
        (
            406,
            json!({"error_code": 406, "message": "HTTP 406 Not Acceptable"})
        )
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compatibility_levels_modes_and_deletes() {
    let env = Env::start().await;
    use Method as M;

    // One subject per level: V1 then BAD (adds a field without a default), which
    // only NONE and the FORWARD levels accept.
    for (level, accepted) in [
        ("NONE", true),
        ("BACKWARD", false),
        ("BACKWARD_TRANSITIVE", false),
        ("FORWARD", true),
        ("FORWARD_TRANSITIVE", true),
        ("FULL", false),
        ("FULL_TRANSITIVE", false),
    ] {
        let subject = format!("lvl-{level}");
        assert_eq!(
            env.put(
                &format!("/config/{subject}"),
                json!({"compatibility": level})
            )
            .await,
            (200, json!({"compatibility": level}))
        );
        assert_eq!(env.register(&subject, V1).await.0, 200);
        let (status, v) = env
            .post(
                &format!("/compatibility/subjects/{subject}/versions?verbose=true"),
                json!({"schema": BAD}),
            )
            .await;
        assert_eq!(
            (status, v["is_compatible"].clone()),
            (200, json!(accepted)),
            "{level}"
        );
        assert_eq!(
            v["messages"].as_array().map(Vec::is_empty),
            Some(accepted),
            "{level}: {v}"
        );
        let (status, e) = env.register(&subject, BAD).await;
        if accepted {
            assert_eq!(status, 200, "{level}: {e}");
        } else {
            assert_eq!(
                (status, e["error_code"].clone()),
                (409, json!(409)),
                "{level}"
            );
            let message = e["message"].as_str().unwrap_or_default();
            assert!(message.starts_with(&format!(
                "Schema being registered is incompatible with an earlier schema for subject \"{subject}\""
            )), "{message}");
        }
    }
    // Transitive levels check every live version, plain ones only the latest:
    // v3 (b without default) reads v2 data but not v1 data.
    let v3 = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#;
    for (level, accepted) in [("BACKWARD", true), ("BACKWARD_TRANSITIVE", false)] {
        let subject = format!("tr-{level}");
        env.put(
            &format!("/config/{subject}"),
            json!({"compatibility": level}),
        )
        .await;
        env.register(&subject, V1).await;
        env.register(&subject, V2).await;
        let (status, v) = env
            .post(
                &format!("/compatibility/subjects/{subject}/versions"),
                json!({"schema": v3}),
            )
            .await;
        assert_eq!(
            (status, v),
            (200, json!({"is_compatible": accepted})),
            "{level}"
        );
        // Checking only version 1 is incompatible at both levels.
        let (_, v) = env
            .post(
                &format!("/compatibility/subjects/{subject}/versions/1"),
                json!({"schema": v3}),
            )
            .await;
        assert_eq!(v, json!({"is_compatible": false}), "{level}");
        // Soft-deleting version 1 takes it out of the check.
        env.delete(&format!("/subjects/{subject}/versions/1")).await;
        let (_, v) = env
            .post(
                &format!("/compatibility/subjects/{subject}/versions"),
                json!({"schema": v3}),
            )
            .await;
        assert_eq!(v, json!({"is_compatible": true}), "{level}");
        assert_eq!(
            env.err(
                M::POST,
                &format!("/compatibility/subjects/{subject}/versions/1"),
                Some(json!({"schema": v3}))
            )
            .await,
            (404, 40402)
        );
    }
    // A subject without versions: every check is compatible; a numbered version 40402.
    assert_eq!(
        env.post(
            "/compatibility/subjects/empty/versions",
            json!({"schema": V1})
        )
        .await,
        (200, json!({"is_compatible": true}))
    );
    assert_eq!(
        env.post(
            "/compatibility/subjects/empty/versions/-1",
            json!({"schema": V1})
        )
        .await,
        (200, json!({"is_compatible": true}))
    );
    assert_eq!(
        env.err(
            M::POST,
            "/compatibility/subjects/empty/versions/1",
            Some(json!({"schema": V1}))
        )
        .await,
        (404, 40402)
    );

    // Global config and defaultToGlobal.
    assert_eq!(
        env.put("/config", json!({"compatibility": "full"})).await,
        (200, json!({"compatibility": "FULL"}))
    );
    assert_eq!(
        env.get("/config/empty?defaultToGlobal=true").await,
        (200, json!({"compatibilityLevel": "FULL"}))
    );
    assert_eq!(
        env.get("/config/lvl-NONE?defaultToGlobal=true").await,
        (200, json!({"compatibilityLevel": "NONE"}))
    );
    assert_eq!(
        env.delete("/config").await,
        (200, json!({"compatibilityLevel": "FULL"}))
    );
    assert_eq!(
        env.get("/config").await,
        (200, json!({"compatibilityLevel": "BACKWARD"}))
    );

    // Modes: global READONLY blocks writes everywhere, a subject mode overrides it.
    assert_eq!(
        env.put("/mode", json!({"mode": "readonly"})).await,
        (200, json!({"mode": "READONLY"}))
    );
    assert_eq!(env.get("/mode").await, (200, json!({"mode": "READONLY"})));
    assert_eq!(
        env.get("/mode/x?defaultToGlobal=true").await,
        (200, json!({"mode": "READONLY"}))
    );
    assert_eq!(
        env.err(M::POST, "/subjects/x/versions", Some(json!({"schema": V1})))
            .await,
        (422, 42205)
    );
    assert_eq!(
        env.err(M::DELETE, "/subjects/lvl-NONE/versions/1", None)
            .await,
        (422, 42205)
    );
    assert_eq!(
        env.err(M::DELETE, "/subjects/lvl-NONE", None).await,
        (422, 42205)
    );
    // Reads still work.
    assert_eq!(
        env.get("/subjects/lvl-NONE/versions").await,
        (200, json!([1, 2]))
    );
    assert_eq!(
        env.put("/mode/x", json!({"mode": "READWRITE"})).await,
        (200, json!({"mode": "READWRITE"}))
    );
    assert_eq!(env.register("x", V1).await.0, 200);
    assert_eq!(
        env.delete("/mode/x").await,
        (200, json!({"mode": "READWRITE"}))
    );
    assert_eq!(
        env.delete("/mode").await,
        (200, json!({"mode": "READONLY"}))
    );
    assert_eq!(env.get("/mode").await, (200, json!({"mode": "READWRITE"})));
    // READONLY_OVERRIDE reads as READONLY.
    assert_eq!(
        env.put("/mode/x", json!({"mode": "READONLY_OVERRIDE"}))
            .await,
        (200, json!({"mode": "READONLY"}))
    );
    env.delete("/mode/x").await;

    // IMPORT: existing subject needs force; explicit ids and versions are kept;
    // a schema without an id is refused; the same id for another schema is refused.
    assert_eq!(
        env.err(M::PUT, "/mode/x", Some(json!({"mode": "IMPORT"})))
            .await,
        (422, 42205)
    );
    assert_eq!(
        env.put("/mode/x?force=true", json!({"mode": "IMPORT"}))
            .await,
        (200, json!({"mode": "IMPORT"}))
    );
    assert_eq!(
        env.post(
            "/subjects/x/versions",
            json!({"schema": BAD, "id": 100, "version": 7})
        )
        .await,
        (200, json!({"id": 100}))
    );
    assert_eq!(env.get("/subjects/x/versions/7").await.1["id"], json!(100));
    assert_eq!(
        env.err(M::POST, "/subjects/x/versions", Some(json!({"schema": V2})))
            .await,
        (422, 42205)
    );
    assert_eq!(
        env.err(
            M::POST,
            "/subjects/x/versions",
            Some(json!({"schema": V2, "id": 100}))
        )
        .await,
        (422, 42205)
    );
    assert_eq!(
        env.err(
            M::POST,
            "/subjects/x/versions",
            Some(json!({"schema": V2, "id": 101, "version": 7}))
        )
        .await,
        (422, 42205)
    );
    // Explicit ids outside IMPORT are refused.
    assert_eq!(
        env.err(
            M::POST,
            "/subjects/y/versions",
            Some(json!({"schema": V1, "id": 500}))
        )
        .await,
        (422, 42205)
    );
    env.delete("/mode/x").await;
    // Ids continue after the imported one.
    assert_eq!(env.register("z", v3).await, (200, json!({"id": 101})));

    // Soft and permanent deletes with their rules.
    assert_eq!(
        env.err(M::DELETE, "/subjects/z/versions/1?permanent=true", None)
            .await,
        (404, 40407)
    );
    assert_eq!(
        env.delete("/subjects/z/versions/latest").await,
        (200, json!(1))
    );
    assert_eq!(
        env.err(M::DELETE, "/subjects/z/versions/1", None).await,
        (404, 40406)
    );
    assert_eq!(env.err(M::DELETE, "/subjects/z", None).await, (404, 40404));
    assert_eq!(
        env.delete("/subjects/z?permanent=true").await,
        (200, json!([1]))
    );
    assert_eq!(
        env.err(M::DELETE, "/subjects/z?permanent=true", None).await,
        (404, 40401)
    );
    assert_eq!(
        env.err(M::GET, "/schemas/ids/101", None).await,
        (404, 40403)
    );
    assert_eq!(
        env.err(M::DELETE, "/subjects/x?permanent=true", None).await,
        (404, 40405)
    );
    let (_, e) = env.delete("/subjects/x?permanent=true").await;
    assert_eq!(
        e["message"],
        json!("Subject 'x' was not deleted first before being permanently deleted")
    );
    // A permanent subject delete also drops the subject's config and mode.
    env.put("/config/p", json!({"compatibility": "NONE"})).await;
    env.register("p", V1).await;
    env.delete("/subjects/p").await;
    assert_eq!(
        env.delete("/subjects/p?permanent=true").await,
        (200, json!([1]))
    );
    assert_eq!(env.err(M::GET, "/config/p", None).await, (404, 40408));
    // Soft-deleted ids are still readable by id.
    assert_eq!(
        env.delete("/subjects/lvl-NONE/versions/2").await,
        (200, json!(2))
    );
    let (status, _) = env.get("/schemas/ids/2").await;
    assert_eq!(status, 200);
    env.stop().await;
}

/// Confluent stores and returns `AvroSchema.canonicalString()` (Java's
/// `Schema.toString()`), and layout or key-order variants are the same schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_are_stored_and_returned_as_javas_string() {
    let env = Env::start().await;
    assert_eq!(
        env.register("k", r#"{ "type": "string" }"#).await,
        (200, json!({"id": 1}))
    );
    assert_eq!(
        env.get("/subjects/k/versions/1").await.1["schema"],
        json!("\"string\"")
    );
    assert_eq!(
        env.get("/schemas/ids/1").await.1["schema"],
        json!("\"string\"")
    );
    assert_eq!(
        env.register("k", r#""string""#).await,
        (200, json!({"id": 1}))
    );
    assert_eq!(env.get("/subjects/k/versions").await, (200, json!([1])));

    let submitted = r#"{
      "fields": [ {"type": {"type": "int"}, "name": "a", "zeta": 1, "alpha": [1.0, 1e10]} ],
      "name": "ns.R",
      "connect.name": "x", "type": "record"
    }"#;
    let java = r#"{"type":"record","name":"R","namespace":"ns","fields":[{"name":"a","type":"int","zeta":1,"alpha":[1.0,1.0E10]}],"connect.name":"x"}"#;
    assert_eq!(env.register("v", submitted).await, (200, json!({"id": 2})));
    assert_eq!(env.get("/schemas/ids/2").await.1["schema"], json!(java));
    assert_eq!(
        env.get("/subjects/v/versions/latest").await.1["schema"],
        json!(java)
    );
    // Java's text, another subject: the same id.
    assert_eq!(env.register("w", java).await, (200, json!({"id": 2})));
    // Lookup by a variant answers the stored (Java) text.
    let (status, found) = env
        .post(
            "/subjects/v",
            json!({ "schema": submitted.replace('\n', " ") }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(found["version"], json!(1));
    assert_eq!(found["schema"], json!(java));
    // A doc is part of the schema: a new id.
    let with_doc = java.replace(r#""namespace":"ns","#, r#""namespace":"ns","doc":"d","#);
    assert_eq!(env.register("w", &with_doc).await, (200, json!({"id": 3})));

    // The verbose compatibility messages quote the stored text.
    let bad = r#"{"type":"record","name":"ns.R","fields":[{"name":"a","type":"int"},{"name":"c","type":"string"}]}"#;
    let (status, result) = env
        .post(
            "/compatibility/subjects/v/versions/latest?verbose=true",
            json!({ "schema": bad }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(result["is_compatible"], json!(false));
    let messages: Vec<&str> = result["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        messages.contains(&format!("{{oldSchema: '{java}'}}").as_str()),
        "{messages:?}"
    );
    env.stop().await;
}
