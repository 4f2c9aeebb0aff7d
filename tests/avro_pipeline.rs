//! Compatibility enforced end to end through a whole `sluice standalone` worker: a
//! source connector whose records' schema the subject's compatibility level rejects
//! fails its task with a trace naming the subject and what broke, and nothing reaches
//! the topic; with `errors.tolerance=all` the same records are skipped and the task
//! keeps running; once the subject accepts the schema, records flow.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{Broker, Registry, Worker, WorkerKind};

const TIMEOUT: Duration = Duration::from_secs(60);

/// The record schema registered first under `<topic>-value`: the FileStream lines
/// (Connect STRING → Avro `"string"`) are not BACKWARD compatible with it.
const RECORD: &str =
    r#"{"type":"record","name":"Line","fields":[{"name":"text","type":"string"}]}"#;

fn source(file: &Path, topic: &str, registry: &str, extra: &[(&str, &str)]) -> Value {
    let mut config = json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1",
        "file": file.display().to_string(),
        "topic": topic,
        "value.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter.schema.registry.url": registry,
    });
    for (k, v) in extra {
        config[*k] = json!(v);
    }
    config
}

fn create(worker: &Worker, name: &str, config: Value) {
    let answer = worker_rest(
        worker,
        "POST",
        "/connectors",
        Some(&json!({"name": name, "config": config})),
    );
    assert_eq!(answer.status, 201, "{answer}\n{}", worker.log_tail());
}

fn worker_rest(
    worker: &Worker,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> support::Response {
    support::rest(worker.port(), method, path, body)
}

/// Polls `/connectors/{name}/status` until task 0 is in `state`; that task's status.
fn wait_task(worker: &Worker, name: &str, state: &str) -> Value {
    let started = Instant::now();
    loop {
        let answer = worker_rest(worker, "GET", &format!("/connectors/{name}/status"), None);
        let task = answer.json["tasks"][0].clone();
        if task["state"] == state {
            return task;
        }
        assert!(
            started.elapsed() < TIMEOUT,
            "task 0 of {name} is not {state} after {}s: {answer}\n{}",
            TIMEOUT.as_secs(),
            worker.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn write_lines(file: &Path, lines: &[&str]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(file, text).expect("write the source file");
}

/// How many records `topic` holds (read from the beginning until 2 s pass without one).
fn record_count(broker: &Broker, topic: &str) -> usize {
    let output = std::process::Command::new(support::sluice_bin())
        .args([
            "consume",
            "--bootstrap-server",
            &broker.bootstrap(),
            "--topic",
            topic,
        ])
        .args(["--from-beginning", "--timeout-ms", "2000"])
        .args(["--property", "print.offset=true"])
        .output()
        .expect("run sluice consume");
    String::from_utf8_lossy(&output.stdout).lines().count()
}

#[test]
fn an_incompatible_schema_fails_the_task_naming_the_subject_or_is_skipped_when_tolerated() {
    let broker = Broker::start();
    let registry = Registry::start(&broker.bootstrap());
    let worker = Worker::start(WorkerKind::Sluice, &broker.bootstrap());
    let input = worker.dir().join("lines.txt");
    write_lines(&input, &["first", "second"]);

    for topic in ["strict", "tolerant"] {
        let answer = registry.rest(
            "POST",
            &format!("/subjects/{topic}-value/versions"),
            Some(&json!({ "schema": RECORD })),
        );
        assert_eq!(answer.status, 200, "{answer}");
    }

    // errors.tolerance=none (the default): the task fails, and its trace says which
    // subject refused the schema and why.
    create(
        &worker,
        "strict",
        source(&input, "strict", &registry.url(), &[]),
    );
    let task = wait_task(&worker, "strict", "FAILED");
    let trace = task["trace"].as_str().unwrap_or_default();
    assert!(
        trace.contains("strict-value"),
        "the trace must name the subject: {trace}"
    );
    assert!(
        trace.to_ascii_lowercase().contains("incompatible"),
        "the trace must say the schema is incompatible: {trace}"
    );
    assert!(
        trace.contains("Line"),
        "the trace must say what broke (the type change from the record Line): {trace}"
    );
    let versions = registry.rest("GET", "/subjects/strict-value/versions", None);
    assert_eq!(
        versions.json,
        json!([1]),
        "nothing else was registered: {versions}"
    );

    // errors.tolerance=all: the records that cannot be converted are skipped, the task
    // keeps running.
    create(
        &worker,
        "tolerant",
        source(
            &input,
            "tolerant",
            &registry.url(),
            &[("errors.tolerance", "all"), ("errors.log.enable", "true")],
        ),
    );
    wait_task(&worker, "tolerant", "RUNNING");
    std::thread::sleep(Duration::from_secs(3));
    wait_task(&worker, "tolerant", "RUNNING");
    assert_eq!(
        record_count(&broker, "tolerant"),
        0,
        "no record may reach the topic"
    );

    // Once the subject accepts anything, a restarted task sends the lines.
    let answer = registry.rest(
        "PUT",
        "/config/strict-value",
        Some(&json!({"compatibility": "NONE"})),
    );
    assert_eq!(answer.status, 200, "{answer}");
    let answer = worker_rest(&worker, "POST", "/connectors/strict/tasks/0/restart", None);
    assert!(answer.status < 300, "{answer}");
    wait_task(&worker, "strict", "RUNNING");
    let started = Instant::now();
    while record_count(&broker, "strict") < 2 {
        assert!(
            started.elapsed() < TIMEOUT,
            "the lines did not arrive\n{}",
            worker.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let versions = registry.rest("GET", "/subjects/strict-value/versions/2", None);
    assert_eq!(versions.json["schema"], json!("\"string\""), "{versions}");
}
