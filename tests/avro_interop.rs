//! Avro interoperability with Confluent's own code, against one sluice broker and one sluice
//! schema registry:
//!
//! * `confluent_avro_converter_and_sluice_agree_on_every_connect_type`: Confluent's
//!   `io.confluent.connect.avro.AvroConverter` 7.0 (a small Java program,
//!   `runtime/compat/java/AvroConverterInterop.java`) and sluice's `AvroConverter` convert the
//!   same record of every Connect type; they must register the same schema string (so the same
//!   id), write the same bytes, and each must read the other's bytes back to the same schema
//!   and value.
//! * `kafka_connect_and_sluice_pipelines_with_avro`: Apache Kafka Connect 3.9 with
//!   Confluent's AvroConverter and `sluice standalone` each run a FileStreamSource (with
//!   `HoistField` and `InsertField` making a struct) into a topic of their own, and each runs
//!   a FileStreamSink on both topics: the two topics' subjects hold the same schema (one id),
//!   and the four output files are identical. confluent-kafka's `AvroDeserializer` (Python)
//!   then reads sluice's topic, and records that its `AvroSerializer` writes with rich types
//!   are read by sluice's `AvroConverter`.
//!
//! Needs `SLUICE_CONNECT_CP`, `SLUICE_CONFLUENT_AVRO_CP` and `SLUICE_PYTHON`, which
//! `scripts/test` installs and exports (a plain `cargo test` without them skips).

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use connect_api::data::{
    Date, Decimal, Schema, SchemaBuilder, SchemaType, Struct, Time, Timestamp, Value,
};
use connect_api::record::Headers;
use runtime::converters::{AvroConverter, Converter, SchemaAndValue};
use serde_json::{json, Value as Json};
use support::{Broker, Registry, Worker, WorkerKind, WorkerOptions};
use tempfile::TempDir;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The classpath of Confluent's AvroConverter jars.
const CONFLUENT_AVRO_CP_VAR: &str = "SLUICE_CONFLUENT_AVRO_CP";
/// How long a record may take from a source file to a sink file (two JVMs on two cores).
const PIPELINE_TIMEOUT: Duration = Duration::from_secs(120);

fn confluent_avro_available() -> bool {
    support::kafka_connect_available()
        && support::tool_available(
            CONFLUENT_AVRO_CP_VAR,
            "Confluent's AvroConverter jars (kafka-connect-avro-converter 7.0)",
        )
}

fn confluent_avro_classpath() -> String {
    std::env::var(CONFLUENT_AVRO_CP_VAR).unwrap_or_default()
}

/// Kafka Connect 3.9 and Confluent's AvroConverter jars, for `javac` and `java`.
fn java_classpath() -> String {
    format!(
        "{}:{}",
        std::env::var(support::CONNECT_CP_VAR).unwrap_or_default(),
        confluent_avro_classpath()
    )
}

fn compat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("runtime/compat")
}

/// Runs `cmd` to its end; an error with its output when it fails.
fn run(mut cmd: Command, what: &str) -> Result<Output, String> {
    let output = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {cmd:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(output)
}

// ---------------------------------------------------------------------------------------------
// Converter level: Confluent's AvroConverter (Java) and sluice's, record by record.

/// Compiles `AvroConverterInterop.java` into a temporary directory.
fn compile_java_peer() -> Result<TempDir, Box<dyn std::error::Error>> {
    let classes = TempDir::new()?;
    let mut javac = Command::new("javac");
    javac
        .args(["-nowarn", "-cp", &java_classpath(), "-d"])
        .arg(classes.path())
        .arg(compat_dir().join("java/AvroConverterInterop.java"));
    run(javac, "javac AvroConverterInterop.java")?;
    Ok(classes)
}

/// `java AvroConverterInterop <registry> <args>`: its stdout lines.
fn java_peer(classes: &Path, registry: &str, args: &[&str]) -> Result<Vec<String>, String> {
    let mut java = Command::new("java");
    java.args(["-Xms32m", "-Xmx256m", "-cp"])
        .arg(format!("{}:{}", classes.display(), java_classpath()))
        .arg("AvroConverterInterop")
        .arg(registry)
        .args(args);
    let output = run(java, "the Java AvroConverter peer")?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// `AvroConverterInterop.innerSchema()`.
fn inner_schema() -> connect_api::Result<Schema> {
    SchemaBuilder::struct_()
        .name("com.example.Inner")
        .version(2)
        .doc("an inner record")
        .field("label", Schema::string())
        .field("weight", Schema::optional_float64())
        .build()
}

/// `AvroConverterInterop.richSchema()`.
fn rich_schema() -> connect_api::Result<Schema> {
    let inner = inner_schema()?;
    SchemaBuilder::struct_()
        .name("com.example.Rich")
        .version(1)
        .doc("every Connect type")
        .parameter("origin", "interop")
        .field("i8", Schema::int8())
        .field("i16", Schema::int16())
        .field("i32", Schema::int32())
        .field("i64", Schema::int64())
        .field("f32", Schema::float32())
        .field("f64", Schema::float64())
        .field("flag", Schema::boolean())
        .field("text", Schema::string())
        .field("blob", Schema::bytes())
        .field("amount", Decimal::schema(2))
        .field("day", Date::schema())
        .field("clock", Time::schema())
        .field("at", Timestamp::schema())
        .field("opt_missing", Schema::optional_string())
        .field("opt_set", Schema::optional_int64())
        .field(
            "with_default",
            SchemaBuilder::int32()
                .optional()
                .default_value(Value::Int32(42))
                .build()?,
        )
        .field(
            "str_default",
            SchemaBuilder::string()
                .default_value(Value::from("dflt"))
                .doc("a doc")
                .build()?,
        )
        .field(
            "tagged",
            SchemaBuilder::string().parameter("k", "v").build()?,
        )
        .field("opt_amount", Decimal::builder(4).optional().build()?)
        .field("list", SchemaBuilder::array(Schema::string()).build()?)
        .field(
            "opt_items",
            SchemaBuilder::array(Schema::optional_int32())
                .optional()
                .build()?,
        )
        .field(
            "by_name",
            SchemaBuilder::map(Schema::string(), Schema::int32()).build()?,
        )
        .field(
            "by_id",
            SchemaBuilder::map(Schema::int32(), Schema::string()).build()?,
        )
        .field("inner", inner.clone())
        .field(
            "opt_inner",
            SchemaBuilder::struct_()
                .name("com.example.Other")
                .field("n", Schema::int16())
                .optional()
                .build()?,
        )
        .field(
            "anon",
            SchemaBuilder::struct_()
                .field("x", Schema::int32())
                .build()?,
        )
        .field("inners", SchemaBuilder::array(inner).build()?)
        .build()
}

/// `AvroConverterInterop.richRecord()`.
fn rich_record(schema: &Schema) -> connect_api::Result<Value> {
    let field_schema = |name: &str| -> connect_api::Result<Schema> {
        schema
            .field(name)?
            .map(|f| f.schema().clone())
            .ok_or_else(|| connect_api::ConnectError::Data(format!("no field {name}")))
    };
    let mut inner = Struct::new(field_schema("inner")?)?;
    inner
        .put("label", "in")?
        .put("weight", Value::Float64(2.5))?;
    let mut second = Struct::new(field_schema("inner")?)?;
    second.put("label", "second")?;
    let mut anon = Struct::new(field_schema("anon")?)?;
    anon.put("x", Value::Int32(9))?;
    let mut rich = Struct::new(schema.clone())?;
    rich.put("i8", Value::Int8(-8))?
        .put("i16", Value::Int16(1600))?
        .put("i32", Value::Int32(-320_000))?
        .put("i64", Value::Int64(6_400_000_000_000))?
        .put("f32", Value::Float32(3.25))?
        .put("f64", Value::Float64(-1.0e-3))?
        .put("flag", Value::Boolean(true))?
        .put("text", "héllo \"w\"")?
        .put("blob", Value::Bytes(vec![0, 1, 0xfe, 0xff]))?
        .put("amount", Value::Decimal(Decimal::new(-123_456, 2)))?
        .put("day", Value::Date(19_000))?
        .put("clock", Value::Time(45_296_789))?
        .put("at", Value::Timestamp(1_700_000_000_123))?
        .put("opt_set", Value::Int64(5))?
        .put("tagged", "t")?
        .put("opt_amount", Value::Decimal(Decimal::new(1, 4)))?
        .put("list", Value::Array(vec!["a".into(), "b".into()]))?
        .put(
            "opt_items",
            Value::Array(vec![Value::Int32(1), Value::Null, Value::Int32(3)]),
        )?
        .put("by_name", Value::Map(vec![("one".into(), Value::Int32(1))]))?
        .put("by_id", Value::Map(vec![(Value::Int32(7), "seven".into())]))?
        .put("inner", Value::Struct(inner.clone()))?
        .put("anon", Value::Struct(anon))?
        .put(
            "inners",
            Value::Array(vec![Value::Struct(inner), Value::Struct(second)]),
        )?;
    Ok(Value::Struct(rich))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn unhex(text: &str) -> Result<Vec<u8>, String> {
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("not hex: {text:?}"))
        })
        .collect()
}

/// `AvroConverterInterop.dumpSchema`: a canonical text form of a Connect schema.
fn dump_schema(schema: Option<&Schema>) -> String {
    let Some(s) = schema else {
        return "none".to_owned();
    };
    let mut b = format!(
        "{{type={},opt={}",
        s.schema_type().name().to_lowercase(),
        s.is_optional()
    );
    if let Some(name) = s.name() {
        let _ = write!(b, ",name={name}");
    }
    if let Some(version) = s.version() {
        let _ = write!(b, ",ver={version}");
    }
    if let Some(doc) = s.doc() {
        let _ = write!(b, ",doc={doc}");
    }
    if !s.parameters().is_empty() {
        // Java's TreeMap.toString().
        let params: Vec<String> = s
            .parameters()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let _ = write!(b, ",params={{{}}}", params.join(", "));
    }
    if let Some(default) = s.default_value() {
        let _ = write!(b, ",default={}", dump_value(s, default));
    }
    match s.schema_type() {
        SchemaType::Struct => {
            let fields: Vec<String> = s
                .fields()
                .unwrap_or(&[])
                .iter()
                .map(|f| format!("{}:{}", f.name(), dump_schema(Some(f.schema()))))
                .collect();
            let _ = write!(b, ",fields=[{}]", fields.join(","));
        }
        SchemaType::Array => {
            let _ = write!(b, ",items={}", dump_schema(s.value_schema().ok()));
        }
        SchemaType::Map => {
            let _ = write!(
                b,
                ",keys={},values={}",
                dump_schema(s.key_schema().ok()),
                dump_schema(s.value_schema().ok())
            );
        }
        _ => {}
    }
    b.push('}');
    b
}

/// `AvroConverterInterop.dumpValue`: a canonical text form of a Connect value.
fn dump_value(s: &Schema, v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Int8(x) => format!("i8({x})"),
        Value::Int16(x) => format!("i16({x})"),
        Value::Int32(x) => format!("i32({x})"),
        Value::Int64(x) => format!("i64({x})"),
        Value::Float32(x) => format!("f32({:x})", x.to_bits()),
        Value::Float64(x) => format!("f64({:x})", x.to_bits()),
        Value::Boolean(x) => format!("bool({x})"),
        Value::String(x) => format!("str({})", hex(x.as_bytes())),
        Value::Bytes(x) => format!("bytes({})", hex(x)),
        Value::Decimal(d) => format!("dec({},{})", d.unscaled(), d.scale()),
        Value::Date(x) => format!("date({x})"),
        Value::Time(x) => format!("time({x})"),
        Value::Timestamp(x) => format!("ts({x})"),
        Value::Array(items) => {
            let items: Vec<String> = match s.value_schema() {
                Ok(item_schema) => items.iter().map(|i| dump_value(item_schema, i)).collect(),
                Err(e) => vec![format!("?{e}")],
            };
            format!("arr[{}]", items.join(","))
        }
        Value::Map(entries) => {
            let mut entries: Vec<String> = match (s.key_schema(), s.value_schema()) {
                (Ok(ks), Ok(vs)) => entries
                    .iter()
                    .map(|(k, v)| format!("{}={}", dump_value(ks, k), dump_value(vs, v)))
                    .collect(),
                _ => vec!["?".to_owned()],
            };
            entries.sort();
            format!("map{{{}}}", entries.join(","))
        }
        Value::Struct(st) => {
            let fields: Vec<String> = s
                .fields()
                .unwrap_or(&[])
                .iter()
                .map(|f| {
                    let value = st
                        .get_without_default(f.name())
                        .map(|v| dump_value(f.schema(), v))
                        .unwrap_or_else(|e| format!("?{e}"));
                    format!("{}={value}", f.name())
                })
                .collect();
            format!("struct{{{}}}", fields.join(","))
        }
    }
}

fn dump(read: &SchemaAndValue) -> [String; 2] {
    let value = match &read.schema {
        Some(schema) => dump_value(schema, &read.value),
        None => format!("?schemaless {:?}", read.value),
    };
    [dump_schema(read.schema.as_ref()), value]
}

fn sluice_converter(registry: &str) -> Result<AvroConverter, connect_api::ConnectError> {
    let mut converter = AvroConverter::new();
    converter.configure(
        &BTreeMap::from([("schema.registry.url".to_owned(), registry.to_owned())]),
        false,
    )?;
    Ok(converter)
}

/// The schema string and id registered as version 1 of `subject`.
fn registered(registry: &Registry, subject: &str) -> Result<(String, i64), String> {
    let answer = registry.rest("GET", &format!("/subjects/{subject}/versions/1"), None);
    match (answer.json["schema"].as_str(), answer.json["id"].as_i64()) {
        (Some(schema), Some(id)) if answer.status == 200 => Ok((schema.to_owned(), id)),
        _ => Err(format!("GET /subjects/{subject}/versions/1: {answer}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confluent_avro_converter_and_sluice_agree_on_every_connect_type() -> TestResult {
    if !confluent_avro_available() {
        return Ok(());
    }
    let classes = compile_java_peer()?;
    let broker = Broker::start();
    let registry = Registry::start(&broker.bootstrap());
    let url = registry.url();

    // Confluent writes to topic java-rich, sluice to sluice-rich.
    let java_written = java_peer(classes.path(), &url, &["write", "java-rich"])?;
    let java_bytes = unhex(
        java_written
            .first()
            .ok_or("the Java peer printed nothing")?,
    )?;
    let schema = rich_schema()?;
    let record = rich_record(&schema)?;
    let mut converter = sluice_converter(&url)?;
    let sluice_bytes = converter
        .from_connect_data("sluice-rich", &mut Headers::new(), Some(&schema), &record)?
        .ok_or("sluice wrote null")?;

    // The same Avro schema text, hence the same id, under both subjects.
    let (java_schema, java_id) = registered(&registry, "java-rich-value")?;
    let (sluice_schema, sluice_id) = registered(&registry, "sluice-rich-value")?;
    assert_eq!(
        sluice_schema, java_schema,
        "sluice's AvroData registered another schema string than Confluent's"
    );
    assert_eq!(sluice_id, java_id);
    // And the same bytes: magic byte, id, Avro binary.
    assert_eq!(
        hex(&sluice_bytes),
        hex(&java_bytes),
        "sluice's bytes differ from Confluent's for the same record"
    );

    // Each reads both: four identical results (a fresh sluice converter, empty caches).
    let mut reader = sluice_converter(&url)?;
    let sluice_reads_java =
        dump(&reader.to_connect_data("java-rich", &Headers::new(), Some(&java_bytes))?);
    let sluice_reads_sluice =
        dump(&reader.to_connect_data("sluice-rich", &Headers::new(), Some(&sluice_bytes))?);
    let java_reads = java_peer(
        classes.path(),
        &url,
        &["read", "java-rich", &hex(&java_bytes), &hex(&sluice_bytes)],
    )?;
    assert_eq!(java_reads.len(), 4, "{java_reads:?}");
    let [java_schema_dump, java_value_dump] = [&java_reads[0], &java_reads[1]];
    assert_eq!(&java_reads[2], java_schema_dump);
    assert_eq!(&java_reads[3], java_value_dump);
    assert_eq!(
        &sluice_reads_java[0], java_schema_dump,
        "toConnectData: sluice's schema differs from Confluent's"
    );
    assert_eq!(
        &sluice_reads_java[1], java_value_dump,
        "toConnectData: sluice's value differs from Confluent's"
    );
    assert_eq!(sluice_reads_sluice, sluice_reads_java);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Pipelines: Kafka Connect 3.9 with Confluent's AvroConverter next to sluice, and confluent-kafka.

/// The lines the two FileStreamSources read.
const LINES: &[&str] = &["alpha", "beta gamma", "ünïcode δ", "last line"];

/// What a FileStreamSink writes for each line: `Struct.toString()` of the record the
/// `HoistField` and `InsertField` transforms made.
fn sink_line(line: &str) -> String {
    format!("Struct{{line={line},origin=file}}")
}

/// The schema Confluent's `AvroData` 7.0 writes for that struct (an unnamed struct of a
/// required string and the optional string `InsertField` adds), as Kafka Connect registered it.
const HOISTED_SCHEMA: &str = concat!(
    r#"{"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","#,
    r#""fields":[{"name":"line","type":"string"},"#,
    r#"{"name":"origin","type":["null","string"],"default":null}]}"#
);

fn avro_value_converter(registry: &str) -> [(&'static str, Json); 2] {
    [
        (
            "value.converter",
            json!("io.confluent.connect.avro.AvroConverter"),
        ),
        ("value.converter.schema.registry.url", json!(registry)),
    ]
}

fn with_entries(mut config: Json, entries: impl IntoIterator<Item = (&'static str, Json)>) -> Json {
    if let Some(map) = config.as_object_mut() {
        for (k, v) in entries {
            map.insert(k.to_owned(), v);
        }
    }
    config
}

/// A FileStreamSource of `file` into `topic` with the Avro value converter, hoisting each line
/// into the field `line` and adding the static field `origin=file`.
fn source_config(file: &Path, topic: &str, registry: &str) -> Json {
    let config = json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
        "tasks.max": "1",
        "file": file.display().to_string(),
        "topic": topic,
        "transforms": "hoist,origin",
        "transforms.hoist.type": "org.apache.kafka.connect.transforms.HoistField$Value",
        "transforms.hoist.field": "line",
        "transforms.origin.type": "org.apache.kafka.connect.transforms.InsertField$Value",
        "transforms.origin.static.field": "origin",
        "transforms.origin.static.value": "file",
    });
    with_entries(config, avro_value_converter(registry))
}

/// A FileStreamSink of `topic` into `file` with the Avro value converter.
fn sink_config(file: &Path, topic: &str, registry: &str) -> Json {
    let config = json!({
        "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
        "tasks.max": "1",
        "file": file.display().to_string(),
        "topics": topic,
    });
    with_entries(config, avro_value_converter(registry))
}

fn create_connector(worker: &Worker, name: &str, config: Json) {
    let answer = support::rest(
        worker.port(),
        "POST",
        "/connectors",
        Some(&json!({"name": name, "config": config})),
    );
    assert_eq!(
        answer.status,
        201,
        "{}: POST /connectors {name}: {answer}\n{}",
        worker.kind().name(),
        worker.log_tail()
    );
}

/// Waits until `file` holds `count` lines; its lines.
fn wait_for_lines(file: &Path, count: usize, logs: &dyn Fn() -> String) -> Vec<String> {
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if lines.len() >= count {
            return lines;
        }
        assert!(
            started.elapsed() < PIPELINE_TIMEOUT,
            "{} has {} of {count} lines after {}s: {lines:?}\n{}",
            file.display(),
            lines.len(),
            PIPELINE_TIMEOUT.as_secs(),
            logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits until version 1 of `subject` is registered; its schema and id.
fn wait_for_subject(
    registry: &Registry,
    subject: &str,
    logs: &dyn Fn() -> String,
) -> (String, i64) {
    let started = Instant::now();
    loop {
        match registered(registry, subject) {
            Ok(found) => return found,
            Err(e) => assert!(
                started.elapsed() < PIPELINE_TIMEOUT,
                "{subject} was not registered within {}s: {e}\n{}",
                PIPELINE_TIMEOUT.as_secs(),
                logs()
            ),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The raw values of the first `count` records of partition 0 of `topic`.
fn read_raw(
    bootstrap: &str,
    topic: &str,
    count: usize,
) -> Result<Vec<Vec<u8>>, Box<dyn std::error::Error>> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::{Message, Offset, TopicPartitionList};
    let consumer: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "avro-interop-raw")
        .set("enable.auto.commit", "false")
        .create()?;
    let mut assignment = TopicPartitionList::new();
    assignment.add_partition_offset(topic, 0, Offset::Beginning)?;
    consumer.assign(&assignment)?;
    let mut values = Vec::new();
    let started = Instant::now();
    while values.len() < count {
        if started.elapsed() > PIPELINE_TIMEOUT {
            return Err(format!("read {} of {count} records of {topic}", values.len()).into());
        }
        if let Some(message) = consumer.poll(Duration::from_millis(500)) {
            values.push(message?.payload().unwrap_or_default().to_vec());
        }
    }
    Ok(values)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kafka_connect_and_sluice_pipelines_with_avro() -> TestResult {
    if !confluent_avro_available()
        || !support::tool_available("SLUICE_PYTHON", "confluent-kafka's AvroSerializer")
    {
        return Ok(());
    }
    let classes = compile_java_peer()?;
    let broker = Broker::start();
    let registry = Registry::start(&broker.bootstrap());
    let url = registry.url();
    let files = TempDir::new()?;
    let input = files.path().join("in.txt");
    std::fs::write(
        &input,
        LINES.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )?;

    let kafka_connect = Worker::start_with(
        WorkerKind::KafkaConnect,
        &broker.bootstrap(),
        &WorkerOptions {
            extra_classpath: vec![confluent_avro_classpath()],
            ..WorkerOptions::default()
        },
    );
    let sluice = Worker::start(WorkerKind::Sluice, &broker.bootstrap());
    let logs = || {
        format!(
            "--- Kafka Connect:\n{}\n--- sluice:\n{}\n--- registry:\n{}",
            kafka_connect.log_tail(),
            sluice.log_tail(),
            registry.log_tail()
        )
    };

    // Kafka Connect's source writes topic kc-avro, sluice's sluice-avro.
    create_connector(
        &kafka_connect,
        "kc-source",
        source_config(&input, "kc-avro", &url),
    );
    create_connector(
        &sluice,
        "sluice-source",
        source_config(&input, "sluice-avro", &url),
    );
    let (kc_schema, kc_id) = wait_for_subject(&registry, "kc-avro-value", &logs);
    let (sluice_schema, sluice_id) = wait_for_subject(&registry, "sluice-avro-value", &logs);
    assert_eq!(
        kc_schema, HOISTED_SCHEMA,
        "what Confluent's AvroData registered"
    );
    assert_eq!(
        sluice_schema, kc_schema,
        "sluice registered another schema text than Kafka Connect"
    );
    assert_eq!(sluice_id, kc_id, "the same schema must get the same id");

    // Each worker sinks both topics.
    let mut outputs = Vec::new();
    for (worker, who) in [(&kafka_connect, "kc"), (&sluice, "sluice")] {
        for topic in ["kc-avro", "sluice-avro"] {
            let file = files.path().join(format!("{who}-reads-{topic}.txt"));
            create_connector(
                worker,
                &format!("{who}-sink-{topic}"),
                sink_config(&file, topic, &url),
            );
            outputs.push(file);
        }
    }
    let expected: Vec<String> = LINES.iter().map(|l| sink_line(l)).collect();
    for file in &outputs {
        let lines = wait_for_lines(file, LINES.len(), &logs);
        assert_eq!(lines, expected, "{}", file.display());
    }

    // confluent-kafka reads sluice's topic, then writes rich types to py-avro.
    let python = std::env::var("SLUICE_PYTHON")?;
    let mut cmd = Command::new(python);
    cmd.arg(compat_dir().join("python/avro_interop.py"))
        .args(["--bootstrap", &broker.bootstrap(), "--registry", &url])
        .args([
            "--consume",
            "sluice-avro",
            "--count",
            &LINES.len().to_string(),
        ])
        .args(["--produce", "py-avro"]);
    let output = run(cmd, "runtime/compat/python/avro_interop.py")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut printed = stdout.lines();
    let consumed: Json = serde_json::from_str(printed.next().ok_or("python printed nothing")?)?;
    let expected_dicts: Vec<Json> = LINES
        .iter()
        .map(|l| json!({"line": l, "origin": "file"}))
        .collect();
    assert_eq!(consumed, json!({ "consumed": expected_dicts }));
    assert_eq!(printed.next(), Some(r#"{"produced": 2}"#));

    // sluice's AvroConverter reads what AvroSerializer wrote: the values Python sent, and the
    // same Connect schema and value as Confluent's AvroConverter reads.
    let raw = read_raw(&broker.bootstrap(), "py-avro", 2)?;
    let mut converter = sluice_converter(&url)?;
    let mut sluice_dumps = Vec::new();
    let mut read = Vec::new();
    for bytes in &raw {
        let back = converter.to_connect_data("py-avro", &Headers::new(), Some(bytes))?;
        sluice_dumps.extend(dump(&back));
        read.push(back);
    }
    let hexes: Vec<String> = raw.iter().map(|b| hex(b)).collect();
    let mut java_args = vec!["read", "py-avro"];
    java_args.extend(hexes.iter().map(String::as_str));
    let java_dumps = java_peer(classes.path(), &url, &java_args)?;
    assert_eq!(
        sluice_dumps, java_dumps,
        "sluice and Confluent read py-avro differently"
    );
    check_python_records(&read)?;
    Ok(())
}

/// The records `avro_interop.py` writes, as Connect values.
fn check_python_records(read: &[SchemaAndValue]) -> TestResult {
    let expected: [&[(&str, Value)]; 2] = [
        &[
            ("i", Value::Int32(-7)),
            ("l", Value::Int64(9_000_000_000)),
            ("f", Value::Float32(1.5)),
            ("d", Value::Float64(2.25)),
            ("b", Value::Boolean(true)),
            ("s", Value::from("héllo")),
            ("raw", Value::Bytes(vec![0, 1, 0xff])),
            ("opt", Value::from("present")),
            (
                "arr",
                Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)]),
            ),
            (
                "m",
                Value::Map(vec![
                    ("a".into(), Value::Int64(1)),
                    ("b".into(), Value::Int64(-2)),
                ]),
            ),
            ("color", Value::from("GREEN")),
            ("dec", Value::Decimal(Decimal::new(12_345, 3))),
            ("day", Value::Date(19_000)),
            ("ts", Value::Timestamp(1_700_000_000_123)),
        ],
        &[
            ("i", Value::Int32(0)),
            ("l", Value::Int64(-1)),
            ("f", Value::Float32(-0.25)),
            ("d", Value::Float64(1e100)),
            ("b", Value::Boolean(false)),
            ("s", Value::from("")),
            ("raw", Value::Bytes(vec![])),
            ("opt", Value::Null),
            ("arr", Value::Array(vec![])),
            ("m", Value::Map(vec![])),
            ("color", Value::from("RED")),
            ("dec", Value::Decimal(Decimal::new(-1, 3))),
            ("day", Value::Date(0)),
            ("ts", Value::Timestamp(0)),
        ],
    ];
    let nested = [(5, "n1"), (-1, "")];
    assert_eq!(read.len(), expected.len());
    for ((record, fields), (x, tag)) in read.iter().zip(expected).zip(nested) {
        let Value::Struct(value) = &record.value else {
            return Err(format!("not a struct: {record:?}").into());
        };
        assert_eq!(value.schema().name(), Some("py.Rich"));
        for (name, want) in fields {
            assert_eq!(value.get(name)?, want, "field {name} of {value}");
        }
        let Value::Struct(inner) = value.get("nested")? else {
            return Err(format!("nested is not a struct: {value}").into());
        };
        assert_eq!(inner.get("x")?, &Value::Int32(x));
        assert_eq!(inner.get("tag")?, &Value::from(tag));
    }
    Ok(())
}
