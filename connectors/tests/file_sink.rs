//! FileStreamSink against the real filesystem, driven through the connect-api traits.

use std::fs;
use std::sync::Arc;

use connect_api::connector::{
    ConfigMap, Connector, ConnectorContext, ErrantRecordReporter, SinkConnector, SinkOffsets,
    SinkTaskContext, TopicPartition,
};
use connect_api::data::{Schema, Value};
use connect_api::record::SinkRecord;
use connect_api::{ConnectError, Result};
use connectors::file::FileStreamSinkConnector;

struct Context(ConfigMap);

impl SinkTaskContext for Context {
    fn config(&self) -> &ConfigMap {
        &self.0
    }
    fn assignment(&self) -> Vec<TopicPartition> {
        Vec::new()
    }
    fn pause(&self, _partitions: &[TopicPartition]) {}
    fn resume(&self, _partitions: &[TopicPartition]) {}
    fn reset_offsets(&self, _offsets: SinkOffsets) {}
    fn request_commit(&self) {}
    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>> {
        None
    }
}

struct NoConnectorContext;

impl ConnectorContext for NoConnectorContext {
    fn request_task_reconfiguration(&self) {}
    fn raise_error(&self, _error: ConnectError) {}
}

fn io(e: std::io::Error) -> ConnectError {
    ConnectError::with_source("fs", e)
}

#[tokio::test]
async fn writes_one_line_per_record_and_flushes_on_flush() -> Result<()> {
    let dir = tempfile::tempdir().map_err(io)?;
    let path = dir.path().join("out.txt");
    fs::write(&path, "existing\n").map_err(io)?;
    let config = ConfigMap::from([
        ("file".to_owned(), path.display().to_string()),
        ("topics".to_owned(), "lines".to_owned()),
    ]);

    let mut connector = FileStreamSinkConnector::new();
    connector
        .start(Arc::new(NoConnectorContext), config.clone())
        .await?;
    let task_configs = connector.task_configs(2)?;
    assert_eq!(task_configs, [config.clone(), config.clone()]);

    let mut task = connector.create_task();
    task.start(Arc::new(Context(config.clone())), config)
        .await?;
    let record =
        |offset, value| SinkRecord::new("lines", 0, offset, Some(Schema::optional_string()), value);
    task.put(vec![
        record(0, Value::from("hello")),
        record(1, Value::Null),
        record(2, Value::Int32(42)),
    ])
    .await?;
    // Buffered until flushed.
    assert_eq!(fs::read_to_string(&path).map_err(io)?, "existing\n");

    let offsets = SinkOffsets::from([(TopicPartition::new("lines", 0), 3)]);
    let committed = task.pre_commit(offsets.clone()).await?;
    assert_eq!(committed, offsets);
    assert_eq!(
        fs::read_to_string(&path).map_err(io)?,
        "existing\nhello\nnull\n42\n"
    );

    task.put(vec![record(3, Value::from("last"))]).await?;
    task.stop().await?;
    assert_eq!(
        fs::read_to_string(&path).map_err(io)?,
        "existing\nhello\nnull\n42\nlast\n"
    );
    Ok(())
}

#[tokio::test]
async fn an_unwritable_file_fails_the_task_start() -> Result<()> {
    let dir = tempfile::tempdir().map_err(io)?;
    let path = dir.path().join("missing-dir").join("out.txt");
    let config = ConfigMap::from([("file".to_owned(), path.display().to_string())]);
    let mut task = FileStreamSinkConnector::new().create_task();
    let started = task.start(Arc::new(Context(config.clone())), config).await;
    let message = started.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.starts_with("Couldn't find or create file '")
            && message.ends_with("' for FileStreamSinkTask"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn exactly_one_of_topics_or_topics_regex_is_required() -> Result<()> {
    let connector = FileStreamSinkConnector::new();
    let errors = |pairs: &[(&str, &str)]| -> Vec<(String, Vec<String>)> {
        let config: ConfigMap = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        connector
            .validate(&config)
            .into_iter()
            .filter(|v| !v.errors.is_empty())
            .map(|v| (v.name, v.errors))
            .collect()
    };
    // `file` is optional (stdout).
    assert!(errors(&[("topics", "a")]).is_empty());
    assert!(errors(&[("topics.regex", "a.*")]).is_empty());
    let missing = vec!["Must configure one of topics or topics.regex".to_owned()];
    assert_eq!(
        errors(&[("file", "/tmp/x")]),
        [
            ("topics".to_owned(), missing.clone()),
            ("topics.regex".to_owned(), missing)
        ]
    );
    let both = errors(&[("topics", "a"), ("topics.regex", "b")]);
    assert_eq!(both.len(), 2);
    assert_eq!(
        both[0].1,
        ["topics and topics.regex are mutually exclusive options, but both are set."]
    );

    let mut started = FileStreamSinkConnector::new();
    let failed = started
        .start(Arc::new(NoConnectorContext), ConfigMap::new())
        .await;
    assert!(matches!(failed, Err(ConnectError::Config(_))), "{failed:?}");
    assert!(started.task_configs(1).is_err());
    Ok(())
}
