//! sluice's Connect REST API pinned to Apache Kafka Connect 3.9's.
//!
//! One table of REST steps (method, path, body, the status Kafka Connect answers) walks through
//! every endpoint of the Connect REST API with FileStreamSource and FileStreamSink connectors:
//! creation and its errors, status, config, tasks, pause/resume/stop, restarts, offsets, topics,
//! plugins and validation, loggers, deletion. Steps whose answer depends on timing (a connector
//! reaching RUNNING, offsets being committed) poll until a condition holds, for a bounded time.
//!
//! - `kafka_connect_answers_as_the_table_says` runs the table against the reference Kafka Connect
//!   3.9 (on the sluice broker, so it also proves that Kafka Connect runs on it) and checks every
//!   status code: it keeps the table honest.
//! - `sluice_answers_like_kafka_connect` runs the table against both, each with its own broker,
//!   and compares status codes and bodies after normalising what legitimately differs (versions,
//!   worker ids, traces, plugin lists, Java exception text in error messages, the temporary
//!   directory). Differences made on purpose are listed in [`ALLOWED`], each with its reason.
//!   Error message wording is compared too but only reported, not failed on.
//!
//! Both need Kafka Connect (`SLUICE_CONNECT_CP`, set by `scripts/test`); see tests/support.
//! To run by hand:
//!
//! ```text
//! eval "$(scripts/test --deps-only)" && cargo test -p sluice --test connect_rest_compat -- --nocapture
//! ```

mod support;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use support::{Broker, Worker, WorkerKind};

/// How long a polling step may wait for its condition.
const POLL_TIMEOUT: Duration = Duration::from_secs(45);
/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The source connector's input: three lines, 17 bytes.
const INPUT: &str = "alpha\nbeta\ngamma\n";

/// A difference from Kafka Connect that sluice makes on purpose.
struct Allowed {
    /// The step's label.
    step: &'static str,
    /// The status sluice answers instead of Kafka's (None: the same status).
    sluice_status: Option<u16>,
    /// Whether the body may differ too.
    any_body: bool,
    /// Object keys sluice adds, removed from its body before comparing.
    extra_keys: &'static [&'static str],
    why: &'static str,
}

const ALLOWED: &[Allowed] = &[
    Allowed {
        step: "create: invalid JSON",
        sluice_status: Some(400),
        any_body: false,
        extra_keys: &[],
        why: "Kafka maps a JSON parse error to 500; a malformed request is the client's error",
    },
    Allowed {
        step: "create: unknown connector class",
        sluice_status: Some(400),
        any_body: false,
        extra_keys: &[],
        why: "Kafka answers 500 for a class it cannot find; that is bad input, so 400",
    },
    Allowed {
        step: "update config: invalid JSON",
        sluice_status: Some(400),
        any_body: false,
        extra_keys: &[],
        why: "Kafka maps a JSON parse error to 500; a malformed request is the client's error",
    },
    Allowed {
        step: "alter offsets: negative position",
        sluice_status: Some(400),
        any_body: false,
        extra_keys: &[],
        why: "Kafka wraps FileStreamSourceConnector.alterOffsets' ConnectException into a 500; \
              an invalid offset is bad input",
    },
    Allowed {
        step: "unknown: topics",
        sluice_status: Some(404),
        any_body: true,
        extra_keys: &[],
        why: "Kafka answers {\"nope\":{\"topics\":[]}} for a connector that does not exist",
    },
    Allowed {
        step: "unknown: stop",
        sluice_status: Some(404),
        any_body: false,
        extra_keys: &[],
        why: "Kafka's standalone herder fails with a plain ConnectException (500) for an unknown \
              connector here, NotFoundException (404) everywhere else",
    },
    Allowed {
        step: "unknown: restart",
        sluice_status: Some(404),
        any_body: false,
        extra_keys: &[],
        why: "Kafka's standalone herder fails with a plain ConnectException (500) for an unknown \
              connector here, NotFoundException (404) everywhere else",
    },
    Allowed {
        step: "unknown: task restart",
        sluice_status: Some(404),
        any_body: false,
        extra_keys: &[],
        why: "Kafka's standalone herder fails with a plain ConnectException (500) for an unknown \
              connector here, NotFoundException (404) everywhere else",
    },
    Allowed {
        step: "alter offsets: invalid JSON",
        sluice_status: Some(400),
        any_body: false,
        extra_keys: &[],
        why: "Kafka maps a JSON parse error to 500; a malformed request is the client's error",
    },
    Allowed {
        step: "src offsets",
        sluice_status: None,
        any_body: false,
        extra_keys: &["inode"],
        why: "sluice's FileStreamSource also records the file's inode in its offset, to detect \
              rotation (connectors/src/file/source.rs); Kafka ignores the extra key",
    },
    Allowed {
        step: "validate: invalid JSON",
        sluice_status: Some(400),
        any_body: false,
        extra_keys: &[],
        why: "Kafka maps a JSON parse error to 500; a malformed request is the client's error",
    },
];

/// How a step's body is compared between the two implementations (after [`normalise`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compare {
    /// Equal JSON.
    Exact,
    /// Same keys and value types only.
    Shape,
    /// `[{"class","type","version"}]`: same element shape and the same set of `type`s, and
    /// sluice lists every plugin class Kafka lists from connect-file and connect-transforms.
    Plugins,
    /// `[ConfigKeyInfo]`: the same key names, each with the same definition shape and the same
    /// `type`, `required` and `default_value`.
    ConfigKeys,
    /// ConfigInfos: same `name`, `error_count`, and per key the same definition shape and
    /// whether it has errors.
    Validate,
}

/// What a polling step waits for.
type Until = fn(&Value) -> bool;

struct Step {
    label: &'static str,
    method: &'static str,
    /// `{dir}` becomes the worker's temporary directory.
    path: &'static str,
    /// Raw request text (`{dir}` replaced), sent as application/json.
    body: Option<String>,
    /// Kafka Connect 3.9's status code.
    expect: u16,
    until: Option<Until>,
    compare: Compare,
}

fn step(label: &'static str, method: &'static str, path: &'static str, expect: u16) -> Step {
    Step {
        label,
        method,
        path,
        body: None,
        expect,
        until: None,
        compare: Compare::Exact,
    }
}

impl Step {
    fn json(mut self, body: Value) -> Step {
        self.body = Some(body.to_string());
        self
    }
    fn raw(mut self, body: &str) -> Step {
        self.body = Some(body.to_string());
        self
    }
    fn until(mut self, until: Until) -> Step {
        self.until = Some(until);
        self
    }
    fn compare(mut self, compare: Compare) -> Step {
        self.compare = compare;
        self
    }
}

fn source_config() -> Value {
    json!({
        "connector.class": "FileStreamSource",
        "file": "{dir}/in.txt",
        "topic": "lines",
        "tasks.max": "1",
    })
}

fn sink_config() -> Value {
    json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "file": "{dir}/out.txt",
        "topics": "lines",
    })
}

fn with(mut config: Value, key: &str, value: Value) -> Value {
    if let Some(map) = config.as_object_mut() {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.to_string(), value);
        }
    }
    config
}

/// Connector and all its tasks in `state`; STOPPED has no tasks, the others at least one.
fn all_in(body: &Value, state: &str) -> bool {
    let tasks = body["tasks"].as_array();
    body["connector"]["state"] == state
        && tasks.is_some_and(|t| {
            (state == "STOPPED" || !t.is_empty()) && t.iter().all(|t| t["state"] == state)
        })
}
fn running(body: &Value) -> bool {
    all_in(body, "RUNNING")
}
fn paused(body: &Value) -> bool {
    all_in(body, "PAUSED")
}
fn stopped(body: &Value) -> bool {
    all_in(body, "STOPPED")
}
fn task_running(body: &Value) -> bool {
    body["state"] == "RUNNING"
}
/// The source has committed the position after the whole input.
fn source_offset_at_end(body: &Value) -> bool {
    body["offsets"][0]["offset"]["position"] == INPUT.len()
}
/// The sink has committed all three records.
fn sink_offset_at_end(body: &Value) -> bool {
    body["offsets"][0]["offset"]["kafka_offset"] == 3
}
fn source_topic_recorded(body: &Value) -> bool {
    body["src"]["topics"] == json!(["lines"])
}

/// The REST sequence. Every status code is Kafka Connect 3.9's answer on a standalone worker.
fn steps() -> Vec<Step> {
    let bad_json = r#"{"name": "broken", "config": {"#;
    vec![
        // --- the worker
        step("server info", "GET", "/", 200),
        step("health", "GET", "/health", 200),
        step("no connectors yet", "GET", "/connectors", 200),
        // --- plugins
        step("plugins", "GET", "/connector-plugins", 200).compare(Compare::Plugins),
        step(
            "plugins, connectorsOnly=true",
            "GET",
            "/connector-plugins?connectorsOnly=true",
            200,
        )
        .compare(Compare::Plugins),
        step(
            "plugins, connectorsOnly=false",
            "GET",
            "/connector-plugins?connectorsOnly=false",
            200,
        )
        .compare(Compare::Plugins),
        step(
            "plugin config: source alias",
            "GET",
            "/connector-plugins/FileStreamSource/config",
            200,
        )
        .compare(Compare::ConfigKeys),
        step(
            "plugin config: sink class",
            "GET",
            "/connector-plugins/org.apache.kafka.connect.file.FileStreamSinkConnector/config",
            200,
        )
        .compare(Compare::ConfigKeys),
        step(
            "plugin config: transformation",
            "GET",
            "/connector-plugins/org.apache.kafka.connect.transforms.InsertField$Value/config",
            200,
        )
        .compare(Compare::ConfigKeys),
        step(
            "plugin config: unknown plugin",
            "GET",
            "/connector-plugins/NoSuchConnector/config",
            404,
        ),
        step(
            "validate: good source config",
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            200,
        )
        .json(with(source_config(), "name", json!("src")))
        .compare(Compare::Validate),
        step(
            "validate: missing topic",
            "PUT",
            "/connector-plugins/FileStreamSourceConnector/config/validate",
            200,
        )
        .json(with(source_config(), "topic", Value::Null))
        .compare(Compare::Validate),
        step(
            "validate: bad batch.size",
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            200,
        )
        .json(with(source_config(), "batch.size", json!("many")))
        .compare(Compare::Validate),
        step(
            "validate: good sink config",
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            200,
        )
        .json(with(sink_config(), "name", json!("sink")))
        .compare(Compare::Validate),
        step(
            "validate: class does not match the path",
            "PUT",
            "/connector-plugins/FileStreamSink/config/validate",
            400,
        )
        .json(source_config()),
        step(
            "validate: invalid JSON",
            "PUT",
            "/connector-plugins/FileStreamSource/config/validate",
            500,
        )
        .raw(bad_json),
        // --- creation errors
        step("create: invalid JSON", "POST", "/connectors", 500).raw(bad_json),
        step("create: unknown connector class", "POST", "/connectors", 500).json(json!({
            "name": "nope",
            "config": with(source_config(), "connector.class", json!("NoSuchConnector")),
        })),
        step("create: missing topic", "POST", "/connectors", 400).json(json!({
            "name": "no-topic",
            "config": with(source_config(), "topic", Value::Null),
        })),
        step("create: sink without topics", "POST", "/connectors", 400).json(json!({
            "name": "no-topics",
            "config": with(sink_config(), "topics", Value::Null),
        })),
        step("create: name differs from config name", "POST", "/connectors", 400).json(json!({
            "name": "one",
            "config": with(source_config(), "name", json!("other")),
        })),
        // `file` is optional: without it the source reads the worker's standard input.
        step("create: source without file", "POST", "/connectors", 201).json(json!({
            "name": "stdin",
            "config": with(source_config(), "file", Value::Null),
        })),
        step("delete the stdin source", "DELETE", "/connectors/stdin", 204),
        step("create: initially STOPPED", "POST", "/connectors", 201).json(json!({
            "name": "parked",
            "config": source_config(),
            "initial_state": "STOPPED",
        })),
        step("parked status", "GET", "/connectors/parked/status", 200).until(stopped),
        step("delete parked", "DELETE", "/connectors/parked", 204),
        // --- the source connector
        step("create src", "POST", "/connectors", 201).json(json!({
            "name": "src",
            "config": source_config(),
        })),
        step("create src again", "POST", "/connectors", 409).json(json!({
            "name": "src",
            "config": source_config(),
        })),
        step("src status", "GET", "/connectors/src/status", 200).until(running),
        step("list connectors", "GET", "/connectors", 200),
        step("src info", "GET", "/connectors/src", 200),
        step("src config", "GET", "/connectors/src/config", 200),
        step("src tasks", "GET", "/connectors/src/tasks", 200),
        step("src tasks-config", "GET", "/connectors/src/tasks-config", 200),
        step("src task 0 status", "GET", "/connectors/src/tasks/0/status", 200).until(task_running),
        step("src task 7 status", "GET", "/connectors/src/tasks/7/status", 404),
        // --- the sink connector, created and changed through PUT/PATCH config
        step("create sink by PUT config", "PUT", "/connectors/sink/config", 201).json(sink_config()),
        step("update sink config", "PUT", "/connectors/sink/config", 200)
            .json(with(sink_config(), "errors.tolerance", json!("all"))),
        step("update config: name mismatch", "PUT", "/connectors/sink/config", 400)
            .json(with(sink_config(), "name", json!("other"))),
        step("update config: invalid JSON", "PUT", "/connectors/sink/config", 500).raw(bad_json),
        step("patch sink config", "PATCH", "/connectors/sink/config", 200)
            .json(json!({"errors.tolerance": null, "errors.log.enable": "true"})),
        step("patch unknown connector", "PATCH", "/connectors/nope/config", 404)
            .json(json!({"errors.log.enable": "true"})),
        step("sink status", "GET", "/connectors/sink/status", 200).until(running),
        step("list, expand=status", "GET", "/connectors?expand=status", 200),
        step("list, expand=info", "GET", "/connectors?expand=info", 200),
        step(
            "list, expand=status&expand=info",
            "GET",
            "/connectors?expand=status&expand=info",
            200,
        ),
        // --- topics and offsets while running
        step("src topics", "GET", "/connectors/src/topics", 200).until(source_topic_recorded),
        step("src offsets", "GET", "/connectors/src/offsets", 200).until(source_offset_at_end),
        step("sink offsets", "GET", "/connectors/sink/offsets", 200).until(sink_offset_at_end),
        step("alter offsets while running", "PATCH", "/connectors/src/offsets", 400).json(
            json!({"offsets": [{"partition": {"filename": "{dir}/in.txt"}, "offset": {"position": 6}}]}),
        ),
        step("reset offsets while running", "DELETE", "/connectors/src/offsets", 400),
        // --- pause, resume, restart
        step("pause src", "PUT", "/connectors/src/pause", 202),
        step("src paused", "GET", "/connectors/src/status", 200).until(paused),
        step("pause src again", "PUT", "/connectors/src/pause", 202),
        step("resume src", "PUT", "/connectors/src/resume", 202),
        step("src running again", "GET", "/connectors/src/status", 200).until(running),
        step("restart src", "POST", "/connectors/src/restart", 204),
        step("src running after restart", "GET", "/connectors/src/status", 200).until(running),
        step(
            "restart src with tasks",
            "POST",
            "/connectors/src/restart?includeTasks=true&onlyFailed=false",
            202,
        ),
        step("src running after full restart", "GET", "/connectors/src/status", 200)
            .until(running),
        step(
            "restart only failed (none)",
            "POST",
            "/connectors/src/restart?includeTasks=true&onlyFailed=true",
            202,
        ),
        step("restart task 0", "POST", "/connectors/src/tasks/0/restart", 204),
        step("src task running after restart", "GET", "/connectors/src/tasks/0/status", 200)
            .until(task_running),
        // --- stop, then offsets can change
        step("stop src", "PUT", "/connectors/src/stop", 204),
        step("src stopped", "GET", "/connectors/src/status", 200).until(stopped),
        step("stopped src tasks", "GET", "/connectors/src/tasks", 200),
        step("alter offsets: empty list", "PATCH", "/connectors/src/offsets", 400)
            .json(json!({"offsets": []})),
        step("alter offsets: negative position", "PATCH", "/connectors/src/offsets", 500).json(
            json!({"offsets": [{"partition": {"filename": "{dir}/in.txt"}, "offset": {"position": -1}}]}),
        ),
        step("alter offsets: invalid JSON", "PATCH", "/connectors/src/offsets", 500).raw(bad_json),
        step("alter src offsets", "PATCH", "/connectors/src/offsets", 200).json(
            json!({"offsets": [{"partition": {"filename": "{dir}/in.txt"}, "offset": {"position": 6}}]}),
        ),
        step("src offsets altered", "GET", "/connectors/src/offsets", 200),
        step("reset src offsets", "DELETE", "/connectors/src/offsets", 200),
        step("src offsets reset", "GET", "/connectors/src/offsets", 200),
        step("reset src topics", "PUT", "/connectors/src/topics/reset", 202),
        step("src topics after reset", "GET", "/connectors/src/topics", 200),
        step("resume stopped src", "PUT", "/connectors/src/resume", 202),
        step("src running after stop", "GET", "/connectors/src/status", 200).until(running),
        step("src topics again", "GET", "/connectors/src/topics", 200).until(source_topic_recorded),
        step("stop sink", "PUT", "/connectors/sink/stop", 204),
        step("sink stopped", "GET", "/connectors/sink/status", 200).until(stopped),
        step("alter sink offsets", "PATCH", "/connectors/sink/offsets", 200).json(json!({
            "offsets": [{
                "partition": {"kafka_topic": "lines", "kafka_partition": 0},
                "offset": {"kafka_offset": 1},
            }]
        })),
        step("sink offsets altered", "GET", "/connectors/sink/offsets", 200),
        step("reset sink offsets", "DELETE", "/connectors/sink/offsets", 200),
        step("sink offsets reset", "GET", "/connectors/sink/offsets", 200),
        // --- unknown connector
        step("unknown: info", "GET", "/connectors/nope", 404),
        step("unknown: status", "GET", "/connectors/nope/status", 404),
        step("unknown: config", "GET", "/connectors/nope/config", 404),
        step("unknown: tasks", "GET", "/connectors/nope/tasks", 404),
        step("unknown: offsets", "GET", "/connectors/nope/offsets", 404),
        // Kafka answers an empty topic set for any name.
        step("unknown: topics", "GET", "/connectors/nope/topics", 200),
        step("unknown: pause", "PUT", "/connectors/nope/pause", 404),
        step("unknown: resume", "PUT", "/connectors/nope/resume", 404),
        step("unknown: stop", "PUT", "/connectors/nope/stop", 500),
        step("unknown: restart", "POST", "/connectors/nope/restart", 500),
        step("unknown: task restart", "POST", "/connectors/nope/tasks/0/restart", 500),
        step("unknown: delete", "DELETE", "/connectors/nope", 404),
        // --- loggers
        step("loggers", "GET", "/admin/loggers", 200).compare(Compare::Shape),
        step("root logger", "GET", "/admin/loggers/root", 200),
        step(
            "set a logger level",
            "PUT",
            "/admin/loggers/org.apache.kafka.connect",
            200,
        )
        .json(json!({"level": "DEBUG"}))
        .compare(Compare::Shape),
        step(
            "logger after set",
            "GET",
            "/admin/loggers/org.apache.kafka.connect",
            200,
        ),
        step(
            "set a logger without level",
            "PUT",
            "/admin/loggers/org.apache.kafka.connect",
            400,
        )
        .json(json!({})),
        step(
            "set an invalid level",
            "PUT",
            "/admin/loggers/org.apache.kafka.connect",
            404,
        )
        .json(json!({"level": "LOUD"})),
        step("unknown logger", "GET", "/admin/loggers/no.such.logger", 404),
        // --- deletion
        // Last before deletion: Kafka answers 404 yet records a FAILED status for task 7,
        // which then shows in the connector's status.
        step("restart task 7", "POST", "/connectors/src/tasks/7/restart", 404),
        step("delete src", "DELETE", "/connectors/src", 204),
        step("delete sink", "DELETE", "/connectors/sink", 204),
        step("src gone", "GET", "/connectors/src", 404),
        step("no connectors left", "GET", "/connectors", 200),
    ]
}

/// What a worker answered to one step.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// Parsed JSON, Null for an empty body, a string `<not JSON: ...>` otherwise.
    body: Value,
    /// The `message` of an error body (`error_code` present), which [`normalise`] hides.
    error_message: Option<String>,
    /// A polling step whose condition never held.
    timed_out: bool,
}

async fn run_steps(worker: &Worker, steps: &[Step]) -> Vec<Answer> {
    let dir = worker.dir().display().to_string();
    std::fs::write(worker.dir().join("in.txt"), INPUT).expect("write the source's input file");
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("an HTTP client");
    let base = worker.base_url();
    let mut answers = Vec::with_capacity(steps.len());
    for step in steps {
        let started = Instant::now();
        let answer = loop {
            let mut answer = send(&client, &base, &dir, step).await;
            let Some(until) = step.until else {
                break answer;
            };
            if until(&answer.body) {
                break answer;
            }
            if started.elapsed() >= POLL_TIMEOUT {
                answer.timed_out = true;
                break answer;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        // The transcript, shown by --nocapture or when the test fails.
        println!(
            "[{}] {}: {} {} -> {}",
            worker.kind().name(),
            step.label,
            step.method,
            step.path,
            describe(&answer)
        );
        answers.push(answer);
    }
    answers
}

async fn send(client: &reqwest::Client, base: &str, dir: &str, step: &Step) -> Answer {
    let method = reqwest::Method::from_bytes(step.method.as_bytes()).expect("an HTTP method");
    let url = format!("{base}{}", step.path.replace("{dir}", dir));
    let mut request = client
        .request(method, &url)
        .header("Accept", "application/json");
    if let Some(body) = &step.body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.replace("{dir}", dir));
    }
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            return Answer {
                status: 0,
                body: Value::String(format!("<request failed: {e}>")),
                error_message: None,
                timed_out: false,
            }
        }
    };
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let body = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)
            .unwrap_or_else(|_| Value::String(format!("<not JSON: {}>", clip(&text, 300))))
    };
    let error_message = body
        .get("error_code")
        .and(body.get("message"))
        .and_then(Value::as_str)
        .map(|m| m.replace(dir, "{dir}"));
    Answer {
        status,
        body: normalise(body, dir),
        error_message,
        timed_out: false,
    }
}

/// Replaces what legitimately differs between two runs or two implementations: the temporary
/// directory, versions and commit ids, the cluster id, worker ids, stack traces, timestamps, and
/// error message text (an error body keeps its `error_code`).
fn normalise(value: Value, dir: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace(dir, "{dir}")),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| normalise(v, dir)).collect()),
        Value::Object(map) => {
            let is_error = map.contains_key("error_code");
            let mut out = Map::new();
            for (k, v) in map {
                let v = match k.as_str() {
                    "version" | "commit" | "kafka_cluster_id" | "worker_id" | "trace" => {
                        placeholder(&v)
                    }
                    "last_modified" => placeholder(&v),
                    "message" if is_error => placeholder(&v),
                    _ => normalise(v, dir),
                };
                out.insert(k, v);
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// A value's type in place of the value.
fn placeholder(value: &Value) -> Value {
    Value::String(
        match value {
            Value::Null => "<null>",
            Value::Bool(_) => "<bool>",
            Value::Number(_) => "<number>",
            Value::String(_) => "<string>",
            Value::Array(_) => "<array>",
            Value::Object(_) => "<object>",
        }
        .to_string(),
    )
}

/// Keys and value types only; arrays keep their length.
fn shape(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        other => placeholder(other),
    }
}

/// The form in which a step's body is compared.
fn comparable(compare: Compare, body: &Value) -> Value {
    match compare {
        Compare::Exact => body.clone(),
        Compare::Shape => shape_merged(body),
        Compare::Plugins => {
            let items = body.as_array().cloned().unwrap_or_default();
            let types: BTreeSet<String> = items
                .iter()
                .filter_map(|p| p["type"].as_str().map(str::to_string))
                .collect();
            let shapes: BTreeSet<String> = items.iter().map(|p| shape(p).to_string()).collect();
            json!({"types": types, "element shapes": shapes})
        }
        Compare::ConfigKeys => {
            let mut keys = Map::new();
            for key in body.as_array().cloned().unwrap_or_default() {
                let name = key["name"].as_str().unwrap_or("?").to_string();
                keys.insert(
                    name,
                    json!({
                        "shape": shape(&key),
                        "type": key["type"],
                        "required": key["required"],
                        "default_value": key["default_value"],
                    }),
                );
            }
            Value::Object(keys)
        }
        Compare::Validate => {
            let mut keys = Map::new();
            for config in body["configs"].as_array().cloned().unwrap_or_default() {
                let name = config["definition"]["name"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string();
                let has_errors = config["value"]["errors"]
                    .as_array()
                    .is_some_and(|e| !e.is_empty());
                keys.insert(
                    name,
                    json!({
                        "definition shape": shape(&config["definition"]),
                        "value shape": shape_merged(&config["value"]),
                        "has errors": has_errors,
                    }),
                );
            }
            json!({
                "name": body["name"],
                "error_count": body["error_count"],
                "groups": body["groups"],
                "top-level keys": body.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()),
                "configs": keys,
            })
        }
    }
}

/// Like [`shape`], but an array becomes the set of its elements' shapes, so that lists of
/// different lengths (loggers, recommended values) compare by what their elements look like.
fn shape_merged(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let set: BTreeSet<String> = items.iter().map(|v| shape_merged(v).to_string()).collect();
            json!({ "array of": set })
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), shape_merged(v)))
                .collect(),
        ),
        other => placeholder(other),
    }
}

/// `value` without the object keys `keys`, at any depth.
fn without_keys(value: &Value, keys: &[&str]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| without_keys(v, keys)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), without_keys(v, keys)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The plugin classes both must list (Kafka's connect-file and connect-transforms ones).
fn kafka_plugin_classes(body: &Value) -> BTreeSet<String> {
    body.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["class"].as_str())
        .filter(|c| {
            c.starts_with("org.apache.kafka.connect.file.")
                || c.starts_with("org.apache.kafka.connect.transforms.")
        })
        .map(str::to_string)
        .collect()
}

/// Where two JSON values differ: each path with both sides, keys only one side has grouped
/// per object, at most `MAX_DIFFERENCES` entries.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    if out.len() >= MAX_DIFFERENCES {
        return;
    }
    let at = if path.is_empty() { "/" } else { path };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let only_kafka: Vec<&String> = x.keys().filter(|k| !y.contains_key(*k)).collect();
            let only_sluice: Vec<&String> = y.keys().filter(|k| !x.contains_key(*k)).collect();
            if !only_kafka.is_empty() {
                out.push(format!("{at}: only Kafka has {only_kafka:?}"));
            }
            if !only_sluice.is_empty() {
                out.push(format!("{at}: only sluice has {only_sluice:?}"));
            }
            for (k, xv) in x {
                if let Some(yv) = y.get(k) {
                    differences(xv, yv, &format!("{path}/{k}"), out);
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (xv, yv)) in x.iter().zip(y).enumerate() {
                differences(xv, yv, &format!("{path}/{i}"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!(
            "{at}: Kafka {} / sluice {}",
            clip(&a.to_string(), 300),
            clip(&b.to_string(), 300)
        )),
    }
}

/// How many differences one step reports.
const MAX_DIFFERENCES: usize = 12;

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}...")
}

fn describe(answer: &Answer) -> String {
    let mut text = format!("{}", answer.status);
    if answer.timed_out {
        text.push_str(" (condition never held)");
    }
    let _ = write!(text, " {}", clip(&answer.body.to_string(), 600));
    if let Some(message) = &answer.error_message {
        let _ = write!(text, " (message: {})", clip(message, 300));
    }
    text
}

fn start_pair(kind: WorkerKind) -> (Broker, Worker) {
    let broker = Broker::start();
    let worker = Worker::start(kind, &broker.bootstrap());
    (broker, worker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_connect_answers_as_the_table_says() {
    if !support::kafka_connect_available() {
        return;
    }
    let steps = steps();
    let (broker, worker) = start_pair(WorkerKind::KafkaConnect);
    let answers = run_steps(&worker, &steps).await;
    let mut wrong = String::new();
    for (step, answer) in steps.iter().zip(&answers) {
        if answer.status != step.expect || answer.timed_out {
            let _ = writeln!(
                wrong,
                "- {}: {} {} expected {}, got {}",
                step.label,
                step.method,
                step.path,
                step.expect,
                describe(answer)
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "Kafka Connect 3.9 did not answer as the table says:\n{wrong}\n--- Kafka Connect log:\n{}\n--- broker log:\n{}",
        worker.log_tail(),
        broker.log_tail()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sluice_answers_like_kafka_connect() {
    if !support::kafka_connect_available() {
        return;
    }
    let steps = steps();
    let (kafka_broker, kafka) = start_pair(WorkerKind::KafkaConnect);
    let (sluice_broker, sluice) = start_pair(WorkerKind::Sluice);
    let (kafka_answers, sluice_answers) =
        tokio::join!(run_steps(&kafka, &steps), run_steps(&sluice, &steps));

    let mut mismatches = String::new();
    let mut notes = String::new();
    let mut used = BTreeSet::new();
    for ((step, k), s) in steps.iter().zip(&kafka_answers).zip(&sluice_answers) {
        let allowed = ALLOWED.iter().find(|a| a.step == step.label);
        let title = format!("{} ({} {})", step.label, step.method, step.path);
        let mut problems = Vec::new();
        if k.timed_out || k.status != step.expect {
            problems.push(format!(
                "Kafka itself answered {} (table: {})",
                describe(k),
                step.expect
            ));
        }
        if s.timed_out {
            problems.push(format!("sluice never met the condition: {}", describe(s)));
        }
        let status_allowed = allowed.is_some_and(|a| a.sluice_status == Some(s.status));
        if k.status != s.status && !status_allowed {
            problems.push(format!("status: Kafka {} / sluice {}", k.status, s.status));
        }
        let sluice_body = match allowed {
            Some(a) if !a.extra_keys.is_empty() => without_keys(&s.body, a.extra_keys),
            _ => s.body.clone(),
        };
        let (mut kb, mut sb) = (
            comparable(step.compare, &k.body),
            comparable(step.compare, &sluice_body),
        );
        if status_allowed {
            // The error bodies then carry different error codes: compare their shapes.
            (kb, sb) = (shape(&kb), shape(&sb));
        }
        let body_allowed = allowed.is_some_and(|a| a.any_body);
        if kb != sb && !body_allowed {
            let mut found = Vec::new();
            differences(&kb, &sb, "", &mut found);
            problems.push(format!(
                "body:\n      {}\n    Kafka:  {}\n    sluice: {}",
                found.join("\n      "),
                clip(&k.body.to_string(), 600),
                clip(&s.body.to_string(), 600)
            ));
        }
        if step.compare == Compare::Plugins {
            let ours = kafka_plugin_classes(&s.body);
            let missing: Vec<_> = kafka_plugin_classes(&k.body)
                .difference(&ours)
                .cloned()
                .collect();
            if !missing.is_empty() {
                problems.push(format!("sluice does not list {missing:?}"));
            }
        }
        if allowed.is_some()
            && (k.status != s.status
                || comparable(step.compare, &k.body) != comparable(step.compare, &s.body))
        {
            used.insert(step.label);
        }
        if !problems.is_empty() {
            let _ = writeln!(mismatches, "- {title}");
            for p in problems {
                let _ = writeln!(mismatches, "    {p}");
            }
        }
        // Error wording is reported, not failed on: the normalised bodies hide it.
        if let (Some(km), Some(sm)) = (&k.error_message, &s.error_message) {
            if km != sm {
                let _ = writeln!(
                    notes,
                    "- {title}\n    Kafka:  {}\n    sluice: {}",
                    clip(km, 300),
                    clip(sm, 300)
                );
            }
        }
    }
    for a in ALLOWED {
        if !used.contains(a.step) {
            println!(
                "note: allowed difference no longer seen: {} ({})",
                a.step, a.why
            );
        }
    }
    if !notes.is_empty() {
        println!("error messages that differ (not a failure):\n{notes}");
    }
    assert!(
        mismatches.is_empty(),
        "sluice's REST API differs from Kafka Connect 3.9's:\n{mismatches}\n--- sluice log:\n{}\n--- sluice's broker log:\n{}\n--- Kafka Connect log:\n{}\n--- its broker log:\n{}",
        sluice.log_tail(),
        sluice_broker.log_tail(),
        kafka.log_tail(),
        kafka_broker.log_tail()
    );
}

/// The allow-list names steps by label: labels must be unique and every allowance must name one.
#[test]
fn step_labels_are_unique_and_allowances_name_steps() {
    let steps = steps();
    let mut labels = BTreeSet::new();
    for step in &steps {
        assert!(
            labels.insert(step.label),
            "two steps are labelled {:?}",
            step.label
        );
    }
    for allowed in ALLOWED {
        assert!(
            labels.contains(allowed.step),
            "ALLOWED names {:?}, which is no step's label",
            allowed.step
        );
    }
}
