//! FileStreamSource against the real filesystem, driven through the connect-api traits.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::connector::{
    ConfigMap, Connector, ConnectorContext, OffsetStorageReader, SourceConnector, SourceTask,
    SourceTaskContext,
};
use connect_api::data::{Schema, Value};
use connect_api::record::{SourceMap, SourceRecord};
use connect_api::{ConnectError, Result};
use connectors::file::FileStreamSourceConnector;

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// Committed offsets held in memory: the `OffsetStorageReader` test double.
#[derive(Default)]
struct MemoryOffsets(HashMap<String, SourceMap>);

impl OffsetStorageReader for MemoryOffsets {
    fn offset<'a>(&'a self, partition: &'a SourceMap) -> BoxFuture<'a, Result<Option<SourceMap>>> {
        let key = serde_json::Value::Object(partition.clone()).to_string();
        let found = self.0.get(&key).cloned();
        Box::pin(async move { Ok(found) })
    }
}

struct Context {
    config: ConfigMap,
    offsets: MemoryOffsets,
}

impl SourceTaskContext for Context {
    fn config(&self) -> &ConfigMap {
        &self.config
    }
    fn offset_storage_reader(&self) -> &dyn OffsetStorageReader {
        &self.offsets
    }
}

struct NoConnectorContext;

impl ConnectorContext for NoConnectorContext {
    fn request_task_reconfiguration(&self) {}
    fn raise_error(&self, _error: ConnectError) {}
}

fn config(file: &Path) -> ConfigMap {
    ConfigMap::from([
        ("file".to_owned(), file.display().to_string()),
        ("topic".to_owned(), "lines".to_owned()),
    ])
}

/// Starts a task the way the runtime does: connector → task config → task.
async fn start_task(
    config: ConfigMap,
    committed: Option<SourceMap>,
) -> Result<Box<dyn SourceTask>> {
    let mut connector = FileStreamSourceConnector::new();
    connector
        .start(Arc::new(NoConnectorContext), config.clone())
        .await?;
    let mut task_configs = connector.task_configs(4)?;
    assert_eq!(task_configs.len(), 1, "the file source runs one task");
    let task_config = task_configs.remove(0);
    let mut offsets = MemoryOffsets::default();
    if let Some(offset) = committed {
        let mut partition = SourceMap::new();
        partition.insert("filename".to_owned(), config["file"].clone().into());
        offsets
            .0
            .insert(serde_json::Value::Object(partition).to_string(), offset);
    }
    let mut task = connector.create_task();
    let context = Arc::new(Context {
        config: task_config.clone(),
        offsets,
    });
    task.start(context, task_config).await?;
    Ok(task)
}

/// Polls until `count` records arrived (or fails after a few seconds).
async fn poll_records(task: &mut Box<dyn SourceTask>, count: usize) -> Result<Vec<SourceRecord>> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut records = Vec::new();
    while records.len() < count {
        assert!(
            Instant::now() < deadline,
            "timed out with {} of {count} records: {records:?}",
            records.len()
        );
        records.extend(task.poll().await?);
    }
    assert_eq!(
        records.len(),
        count,
        "more records than expected: {records:?}"
    );
    Ok(records)
}

/// Polls once more and asserts nothing new arrived.
async fn assert_idle(task: &mut Box<dyn SourceTask>) -> Result<()> {
    let records = task.poll().await?;
    assert!(records.is_empty(), "unexpected records: {records:?}");
    Ok(())
}

fn values(records: &[SourceRecord]) -> Vec<String> {
    records
        .iter()
        .map(|r| match &r.value {
            Value::String(s) => s.clone(),
            other => panic!("not a string: {other:?}"),
        })
        .collect()
}

fn positions(records: &[SourceRecord]) -> Vec<u64> {
    records
        .iter()
        .map(|r| r.source_offset["position"].as_u64().unwrap_or(u64::MAX))
        .collect()
}

fn append(path: &Path, data: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(data.as_bytes())
}

#[tokio::test]
async fn reads_lines_with_every_line_ending() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let path = dir.path().join("in.txt");
    fs::write(&path, "one\ntwo\r\nthree\rfour\n")
        .map_err(|e| ConnectError::with_source("write", e))?;

    let mut task = start_task(config(&path), None).await?;
    let records = poll_records(&mut task, 4).await?;
    assert_eq!(values(&records), ["one", "two", "three", "four"]);
    assert_eq!(positions(&records), [4, 9, 15, 20]);
    let first = &records[0];
    assert_eq!(first.topic, "lines");
    assert_eq!(first.value_schema, Some(Schema::string()));
    assert_eq!(first.key, Value::Null);
    assert_eq!(
        first.source_partition.get("filename"),
        Some(&serde_json::Value::from(path.display().to_string()))
    );
    task.stop().await
}

#[tokio::test]
async fn carriage_return_split_across_reads_and_partial_lines_wait() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let path = dir.path().join("in.txt");
    let io = |e| ConnectError::with_source("write", e);
    fs::write(&path, "a\r").map_err(io)?;

    let mut task = start_task(config(&path), None).await?;
    // `\r` might be the first half of `\r\n`: nothing yet.
    assert_idle(&mut task).await?;
    append(&path, "\nb").map_err(io)?;
    let records = poll_records(&mut task, 1).await?;
    assert_eq!(values(&records), ["a"]);
    assert_eq!(positions(&records), [3]);
    // "b" has no terminator yet.
    assert_idle(&mut task).await?;
    append(&path, "\r").map_err(io)?;
    assert_idle(&mut task).await?;
    append(&path, "c\n").map_err(io)?;
    let records = poll_records(&mut task, 2).await?;
    assert_eq!(values(&records), ["b", "c"]);
    assert_eq!(positions(&records), [5, 7]);
    task.stop().await
}

#[tokio::test]
async fn resumes_from_the_committed_offset() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let path = dir.path().join("in.txt");
    fs::write(&path, "one\ntwo\nthree\n").map_err(|e| ConnectError::with_source("write", e))?;

    let mut task = start_task(config(&path), None).await?;
    let records = poll_records(&mut task, 3).await?;
    task.stop().await?;

    // Kafka's offset format (no inode) resumes too.
    let mut kafka_offset = SourceMap::new();
    kafka_offset.insert("position".to_owned(), 4.into());
    let mut task = start_task(config(&path), Some(kafka_offset)).await?;
    assert_eq!(values(&poll_records(&mut task, 2).await?), ["two", "three"]);
    task.stop().await?;

    // The offset the task itself committed after "two".
    let mut task = start_task(config(&path), Some(records[1].source_offset.clone())).await?;
    assert_eq!(values(&poll_records(&mut task, 1).await?), ["three"]);
    assert_idle(&mut task).await?;
    task.stop().await
}

#[tokio::test]
async fn waits_for_a_missing_file_then_follows_it_as_it_grows() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let path = dir.path().join("later.txt");
    let io = |e| ConnectError::with_source("write", e);

    let mut task = start_task(config(&path), None).await?;
    assert_idle(&mut task).await?;
    assert_idle(&mut task).await?;
    fs::write(&path, "first\n").map_err(io)?;
    assert_eq!(values(&poll_records(&mut task, 1).await?), ["first"]);
    assert_idle(&mut task).await?;
    append(&path, "second\nthird\n").map_err(io)?;
    let records = poll_records(&mut task, 2).await?;
    assert_eq!(values(&records), ["second", "third"]);
    assert_eq!(positions(&records), [13, 19]);
    task.stop().await
}

#[tokio::test]
async fn batch_size_caps_records_per_poll() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let path = dir.path().join("in.txt");
    let text: String = (0..10).map(|i| format!("line{i}\n")).collect();
    fs::write(&path, text).map_err(|e| ConnectError::with_source("write", e))?;
    let mut cfg = config(&path);
    cfg.insert("batch.size".to_owned(), "3".to_owned());

    let mut task = start_task(cfg, None).await?;
    let mut sizes = Vec::new();
    let mut all = Vec::new();
    while all.len() < 10 {
        let batch = task.poll().await?;
        sizes.push(batch.len());
        all.extend(batch);
    }
    assert_eq!(sizes, [3, 3, 3, 1]);
    let expected: Vec<String> = (0..10).map(|i| format!("line{i}")).collect();
    assert_eq!(values(&all), expected);
    task.stop().await
}

#[tokio::test]
async fn follows_rotation_by_rename_and_create_without_loss_or_duplicates() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let path = dir.path().join("app.log");
    let rotated = dir.path().join("app.log.1");
    let io = |e| ConnectError::with_source("fs", e);
    fs::write(&path, "a1\na2\n").map_err(io)?;

    let mut task = start_task(config(&path), None).await?;
    assert_eq!(values(&poll_records(&mut task, 2).await?), ["a1", "a2"]);

    // Lines written before the rename, not yet read, plus a partial last line, must come
    // out before anything of the new file.
    append(&path, "a3\na4").map_err(io)?;
    fs::rename(&path, &rotated).map_err(io)?;
    fs::write(&path, "b1\nb2\n").map_err(io)?;

    let records = poll_records(&mut task, 4).await?;
    assert_eq!(values(&records), ["a3", "a4", "b1", "b2"]);
    assert_eq!(positions(&records), [9, 11, 3, 6]);
    let inodes: Vec<_> = records
        .iter()
        .map(|r| r.source_offset.get("inode").cloned())
        .collect();
    if cfg!(unix) {
        assert_eq!(inodes[0], inodes[1]);
        assert_ne!(inodes[1], inodes[2]);
    }
    assert_idle(&mut task).await?;

    append(&path, "b3\n").map_err(io)?;
    assert_eq!(values(&poll_records(&mut task, 1).await?), ["b3"]);
    task.stop().await?;

    // A restart with the last offset of the old file reads the new file from the start
    // (the old offset does not apply to it).
    if cfg!(unix) {
        let mut task = start_task(config(&path), Some(records[1].source_offset.clone())).await?;
        assert_eq!(
            values(&poll_records(&mut task, 3).await?),
            ["b1", "b2", "b3"]
        );
        task.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn follows_truncation_without_loss_or_duplicates() -> Result<()> {
    let dir = tempfile::tempdir().map_err(|e| ConnectError::with_source("tempdir", e))?;
    let path = dir.path().join("app.log");
    let io = |e| ConnectError::with_source("fs", e);
    fs::write(&path, "old1\nold2\nold3\n").map_err(io)?;

    let mut task = start_task(config(&path), None).await?;
    assert_eq!(
        values(&poll_records(&mut task, 3).await?),
        ["old1", "old2", "old3"]
    );

    // copytruncate: same inode, shorter than what was read.
    let file = OpenOptions::new().write(true).open(&path).map_err(io)?;
    file.set_len(0).map_err(io)?;
    drop(file);
    append(&path, "new1\n").map_err(io)?;

    let records = poll_records(&mut task, 1).await?;
    assert_eq!(values(&records), ["new1"]);
    assert_eq!(positions(&records), [5]);
    append(&path, "new2\n").map_err(io)?;
    assert_eq!(values(&poll_records(&mut task, 1).await?), ["new2"]);
    assert_idle(&mut task).await?;
    task.stop().await?;

    // Restarting with an offset beyond the (truncated) end starts over at 0.
    let mut beyond = SourceMap::new();
    beyond.insert("position".to_owned(), 1000.into());
    let mut task = start_task(config(&path), Some(beyond)).await?;
    assert_eq!(values(&poll_records(&mut task, 2).await?), ["new1", "new2"]);
    task.stop().await
}

#[tokio::test]
async fn config_validation_follows_kafka() -> Result<()> {
    let connector = FileStreamSourceConnector::new();
    // `file` is optional (stdin); `topic` is required and non-empty.
    let errors = |cfg: &ConfigMap| -> Vec<(String, Vec<String>)> {
        connector
            .validate(cfg)
            .into_iter()
            .filter(|v| !v.errors.is_empty())
            .map(|v| (v.name, v.errors))
            .collect()
    };
    assert_eq!(
        errors(&ConfigMap::new()),
        [(
            "topic".to_owned(),
            vec!["Missing required configuration \"topic\" which has no default value.".to_owned()]
        )]
    );
    let stdin_only = ConfigMap::from([("topic".to_owned(), "t".to_owned())]);
    assert!(errors(&stdin_only).is_empty());
    let bad_batch = ConfigMap::from([
        ("topic".to_owned(), "t".to_owned()),
        ("batch.size".to_owned(), "many".to_owned()),
    ]);
    assert_eq!(errors(&bad_batch).len(), 1);
    assert_eq!(errors(&bad_batch)[0].0, "batch.size");

    let mut started = FileStreamSourceConnector::new();
    let empty_topic = ConfigMap::from([("topic".to_owned(), String::new())]);
    let failed = started
        .start(Arc::new(NoConnectorContext), empty_topic)
        .await;
    assert!(matches!(failed, Err(ConnectError::Config(_))), "{failed:?}");
    assert!(started.task_configs(1).is_err());

    let def = connector.config_def();
    assert_eq!(
        def.keys().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["file", "topic", "batch.size"]
    );
    Ok(())
}
