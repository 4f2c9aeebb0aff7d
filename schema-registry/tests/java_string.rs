//! `java_json::java_string` against Java Avro 1.11.3's `Schema.toString()`.
//!
//! `tests/data/java_string_corpus.json` is a JSON array of schema texts and
//! `tests/data/java_string_expected.json` what Java printed for each, generated once
//! with `schema-registry/compat/java/AvroToString.java` (see its header):
//!
//! ```text
//! eval "$(bash scripts/test --deps-only)"
//! javac -d /tmp/avro-to-string schema-registry/compat/java/AvroToString.java
//! java -cp "/tmp/avro-to-string:$SLUICE_CONFLUENT_AVRO_CP:$SLUICE_CONNECT_CP" \
//!   AvroToString schema-registry/tests/data/java_string_corpus.json \
//!   > schema-registry/tests/data/java_string_expected.json
//! ```
//!
//! `live_java_agrees` runs the Java program again when `SLUICE_CONFLUENT_AVRO_CP`
//! is set (by `scripts/test`, which also sets `SLUICE_BIN`: there a missing
//! variable fails the test instead of skipping it).

use std::path::{Path, PathBuf};
use std::process::Command;

use schema_registry::java_json::java_string;
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn corpus() -> Vec<String> {
    let text = std::fs::read_to_string(data("java_string_corpus.json")).expect("test data");
    serde_json::from_str(&text).expect("test data")
}

/// Java's output per schema: `Some(text)`, or `None` when Java rejected it.
fn expected(text: &str) -> Vec<Option<String>> {
    let values: Vec<Value> = serde_json::from_str(text).expect("test data");
    values
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// Corpus entries where `java_string` is known to differ from Java (see the
/// `java_json` module documentation): doubles whose JDK 17 `Double.toString` is not
/// the shortest representation (`4.9E-324`, `2.7162262454233854E25`).
const KNOWN_DIFFERENCES: [&str; 2] = [
    r#"{"type":"int","tiny":5e-324}"#,
    r#"{"type":"int","jdk17":2.7162262454233855e25}"#,
];

fn check(schemas: &[String], expected: &[Option<String>]) {
    assert_eq!(schemas.len(), expected.len());
    let mut failures = Vec::new();
    let mut differing = Vec::new();
    let mut checked = 0;
    for (schema, java) in schemas.iter().zip(expected) {
        let Some(java) = java else { continue };
        let ours = java_string(schema);
        if KNOWN_DIFFERENCES.contains(&schema.as_str()) {
            if ours.as_deref() != Some(java.as_str()) {
                differing.push(schema.as_str());
            }
            continue;
        }
        checked += 1;
        if ours.as_deref() != Some(java.as_str()) {
            failures.push(format!("schema: {schema}\n java: {java}\n ours: {ours:?}"));
        }
    }
    assert!(checked >= 40, "only {checked} schemas Java accepts");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(differing, KNOWN_DIFFERENCES, "a known difference is gone");
}

#[test]
fn golden_pairs_match() {
    let expected =
        expected(&std::fs::read_to_string(data("java_string_expected.json")).expect("test data"));
    check(&corpus(), &expected);
}

/// Whether a tool variable is set; under `scripts/test` (`SLUICE_BIN` set) a
/// missing one is a failure, elsewhere the test is skipped.
fn tool_available(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var_os("SLUICE_BIN").is_some() => {
            panic!("{var} is not set (scripts/test --deps-only provides it)")
        }
        _ => {
            eprintln!("skipped: {var} is not set");
            None
        }
    }
}

#[test]
fn live_java_agrees() {
    let Some(avro_cp) = tool_available("SLUICE_CONFLUENT_AVRO_CP") else {
        return;
    };
    let Some(connect_cp) = tool_available("SLUICE_CONNECT_CP") else {
        return;
    };
    let classes = tempfile::tempdir().expect("test data");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("compat/java/AvroToString.java");
    let classpath = format!("{avro_cp}:{connect_cp}");
    let status = Command::new("javac")
        .arg("-d")
        .arg(classes.path())
        .arg("-cp")
        .arg(&classpath)
        .arg(&source)
        .status()
        .expect("javac");
    assert!(status.success(), "javac failed");
    let output = Command::new("java")
        .arg("-cp")
        .arg(format!("{}:{classpath}", classes.path().display()))
        .arg("AvroToString")
        .arg(data("java_string_corpus.json"))
        .output()
        .expect("java");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let live = expected(&String::from_utf8(output.stdout).expect("test data"));
    let golden =
        expected(&std::fs::read_to_string(data("java_string_expected.json")).expect("test data"));
    assert_eq!(
        live, golden,
        "Java's output changed: regenerate the golden file"
    );
    check(&corpus(), &live);
}
