//! A minimal in-memory source and sink exercising the traits through `Box<dyn ...>`.

use std::sync::Mutex;

use futures::executor::block_on;

use super::*;
use crate::config::{ConfigKey, ConfigType, Importance};
use crate::data::{Schema, Value};

struct CountingSource {
    topic: String,
}

impl Connector for CountingSource {
    fn version(&self) -> String {
        "1.0".to_owned()
    }

    fn config_def(&self) -> ConfigDef {
        ConfigDef::new().define(ConfigKey::new(
            "topic",
            ConfigType::String,
            Importance::High,
            "Topic to write to",
        ))
    }

    fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let parsed = self.config_def().parse(&config)?;
            self.topic = parsed.get_string("topic")?.unwrap_or_default().to_owned();
            Ok(())
        })
    }

    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
        Ok((0..max_tasks.min(2))
            .map(|i| {
                ConfigMap::from([
                    ("topic".to_owned(), self.topic.clone()),
                    ("start".to_owned(), (i * 100).to_string()),
                ])
            })
            .collect())
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

impl SourceConnector for CountingSource {
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(CountingTask::default())
    }
}

#[derive(Default)]
struct CountingTask {
    topic: String,
    next: i64,
}

fn partition() -> SourceMap {
    let mut map = SourceMap::new();
    map.insert("counter".to_owned(), "main".into());
    map
}

impl SourceTask for CountingTask {
    fn version(&self) -> String {
        "1.0".to_owned()
    }

    fn start(
        &mut self,
        context: Arc<dyn SourceTaskContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.topic = config.get("topic").cloned().unwrap_or_default();
            let stored = context.offset_storage_reader().offset(&partition()).await?;
            self.next = stored
                .and_then(|o| o.get("next").and_then(serde_json::Value::as_i64))
                .unwrap_or(0);
            Ok(())
        })
    }

    fn poll(&mut self) -> BoxFuture<'_, Result<Vec<SourceRecord>>> {
        Box::pin(async move {
            let mut offset = SourceMap::new();
            offset.insert("next".to_owned(), (self.next + 1).into());
            let record = SourceRecord::new(
                partition(),
                offset,
                self.topic.clone(),
                Some(Schema::int64()),
                Value::Int64(self.next),
            );
            self.next += 1;
            Ok(vec![record])
        })
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

struct NoopConnectorContext;

impl ConnectorContext for NoopConnectorContext {
    fn request_task_reconfiguration(&self) {}
    fn raise_error(&self, _error: ConnectError) {}
}

struct FixedOffsets(BTreeMap<String, SourceMap>);

impl OffsetStorageReader for FixedOffsets {
    fn offset<'a>(&'a self, partition: &'a SourceMap) -> BoxFuture<'a, Result<Option<SourceMap>>> {
        let key = serde_json::Value::Object(partition.clone()).to_string();
        Box::pin(async move { Ok(self.0.get(&key).cloned()) })
    }
}

struct SourceContext {
    config: ConfigMap,
    offsets: FixedOffsets,
}

impl SourceTaskContext for SourceContext {
    fn config(&self) -> &ConfigMap {
        &self.config
    }
    fn offset_storage_reader(&self) -> &dyn OffsetStorageReader {
        &self.offsets
    }
}

#[test]
fn source_connector_through_trait_objects() -> Result<()> {
    let mut connector: Box<dyn SourceConnector> = Box::new(CountingSource {
        topic: String::new(),
    });
    let bad = connector.validate(&ConfigMap::new());
    assert_eq!(
        bad[0].errors,
        ["Missing required configuration \"topic\" which has no default value."]
    );
    let config = ConfigMap::from([("topic".to_owned(), "numbers".to_owned())]);
    block_on(connector.start(Arc::new(NoopConnectorContext), config))?;
    let task_configs = connector.task_configs(5)?;
    assert_eq!(task_configs.len(), 2);

    let mut stored = SourceMap::new();
    stored.insert("next".to_owned(), 41.into());
    let offsets = FixedOffsets(BTreeMap::from([(
        serde_json::Value::Object(partition()).to_string(),
        stored,
    )]));
    let context = Arc::new(SourceContext {
        config: task_configs[0].clone(),
        offsets,
    });
    let mut task = connector.create_task();
    block_on(task.start(context, task_configs[0].clone()))?;
    let records = block_on(task.poll())?;
    assert_eq!(
        records[0].value,
        Value::Int64(41),
        "resumed from the stored offset"
    );
    assert_eq!(records[0].topic, "numbers");
    task.commit_record(&records[0], None)?;
    block_on(task.commit())?;
    block_on(task.stop())?;

    let missing = FixedOffsets(BTreeMap::new());
    let found = block_on(missing.offsets(&[partition()]))?;
    assert!(found.is_empty());
    block_on(connector.stop())
}

#[derive(Default)]
struct MemorySink {
    written: Vec<SinkRecord>,
    flushed: Arc<Mutex<Vec<SinkOffsets>>>,
}

impl SinkTask for MemorySink {
    fn version(&self) -> String {
        "1.0".to_owned()
    }

    fn start(
        &mut self,
        _context: Arc<dyn SinkTaskContext>,
        _config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async { Ok(()) })
    }

    fn put(&mut self, records: Vec<SinkRecord>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if records.iter().any(|r| r.value.is_null()) {
                return Err(ConnectError::retriable("null values are not accepted yet"));
            }
            self.written.extend(records);
            Ok(())
        })
    }

    fn flush<'a>(&'a mut self, offsets: &'a SinkOffsets) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.flushed
                .lock()
                .map_err(|_| ConnectError::connector("flush log poisoned"))?
                .push(offsets.clone());
            Ok(())
        })
    }

    fn stop(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async { Ok(()) })
    }
}

struct SinkContext {
    config: ConfigMap,
    paused: Mutex<Vec<TopicPartition>>,
}

impl SinkTaskContext for SinkContext {
    fn config(&self) -> &ConfigMap {
        &self.config
    }
    fn assignment(&self) -> Vec<TopicPartition> {
        vec![TopicPartition::new("t", 0)]
    }
    fn pause(&self, partitions: &[TopicPartition]) {
        if let Ok(mut paused) = self.paused.lock() {
            paused.extend_from_slice(partitions);
        }
    }
    fn resume(&self, partitions: &[TopicPartition]) {
        if let Ok(mut paused) = self.paused.lock() {
            paused.retain(|p| !partitions.contains(p));
        }
    }
    fn reset_offsets(&self, _offsets: SinkOffsets) {}
    fn request_commit(&self) {}
    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>> {
        None
    }
}

#[test]
fn sink_task_defaults_flush_before_commit() -> Result<()> {
    let flushed = Arc::new(Mutex::new(Vec::new()));
    let mut task: Box<dyn SinkTask> = Box::new(MemorySink {
        written: Vec::new(),
        flushed: flushed.clone(),
    });
    let context = Arc::new(SinkContext {
        config: ConfigMap::new(),
        paused: Mutex::new(Vec::new()),
    });
    block_on(task.start(context.clone(), ConfigMap::new()))?;
    let partitions = context.assignment();
    block_on(task.open(&partitions))?;
    let record = SinkRecord::new("t", 0, 7, Some(Schema::string()), Value::from("v"));
    block_on(task.put(vec![record]))?;
    let err = block_on(task.put(vec![SinkRecord::new("t", 0, 8, None, Value::Null)]));
    assert!(err.is_err_and(|e| e.is_retriable()));

    let offsets = SinkOffsets::from([(TopicPartition::new("t", 0), 8)]);
    let committable = block_on(task.pre_commit(offsets.clone()))?;
    assert_eq!(committable, offsets);
    assert_eq!(flushed.lock().map(|f| f.clone()).ok(), Some(vec![offsets]));
    context.pause(&partitions);
    context.resume(&partitions);
    assert!(context.paused.lock().map(|p| p.is_empty()).unwrap_or(false));
    assert!(context.errant_record_reporter().is_none());
    block_on(task.close(&partitions))?;
    block_on(task.stop())
}
