//! The traits a connector implements, and the contexts the runtime hands to it.
//!
//! A plugin provides a connector ([`SourceConnector`] or [`SinkConnector`]) that splits the
//! job into task configurations, and a task type ([`SourceTask`] or [`SinkTask`]) that
//! moves the data. All traits are object safe: the runtime holds `Box<dyn SourceConnector>`
//! and so on, and asynchronous methods return [`BoxFuture`]s. Implement them with
//! `Box::pin(async move { ... })`.
//!
//! Lifecycle, driven by the runtime:
//! * connector: [`Connector::start`] → [`Connector::task_configs`] (again whenever the
//!   connector calls [`ConnectorContext::request_task_reconfiguration`]) → [`Connector::stop`];
//! * source task: [`SourceTask::start`] → [`SourceTask::poll`] in a loop, with
//!   [`SourceTask::commit_record`] per written record and [`SourceTask::commit`] after
//!   offsets are flushed → [`SourceTask::stop`];
//! * sink task: [`SinkTask::start`] → [`SinkTask::open`] for assigned partitions →
//!   [`SinkTask::put`] batches, [`SinkTask::pre_commit`] before each offset commit →
//!   [`SinkTask::close`] on revocation → [`SinkTask::stop`].
//!
//! A task is never called concurrently: the runtime awaits one call before the next, so
//! `&mut self` is enough. [`SourceTask::poll`] should return (possibly empty) within about
//! a second so the runtime can pause or stop the task; the runtime may drop a pending poll
//! future when stopping.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::config::{ConfigDef, ConfigValue};
use crate::error::{ConnectError, Result};
use crate::record::{SinkRecord, SourceMap, SourceRecord};

/// A raw configuration as given by the user: key → string.
pub type ConfigMap = BTreeMap<String, String>;

/// A Kafka topic partition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// Topic name.
    pub topic: String,
    /// Partition number.
    pub partition: i32,
}

impl TopicPartition {
    /// `topic`-`partition`.
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        Self {
            topic: topic.into(),
            partition,
        }
    }
}

/// Consumer offsets of a sink task: partition → next offset to consume.
pub type SinkOffsets = BTreeMap<TopicPartition, i64>;

fn ready<'a, T: Send + 'a>(value: Result<T>) -> BoxFuture<'a, Result<T>> {
    Box::pin(futures::future::ready(value))
}

/// What the runtime offers a running connector.
pub trait ConnectorContext: Send + Sync {
    /// Asks the runtime to call [`Connector::task_configs`] again (e.g. new tables appeared).
    fn request_task_reconfiguration(&self);
    /// Reports an unrecoverable error raised outside a method call; the connector fails.
    fn raise_error(&self, error: ConnectError);
}

/// Behaviour shared by source and sink connectors.
pub trait Connector: Send {
    /// The plugin version, shown by `GET /connector-plugins`.
    fn version(&self) -> String;

    /// The definition of the connector's configuration keys.
    fn config_def(&self) -> ConfigDef;

    /// Validates a configuration for `PUT /connector-plugins/{p}/config/validate`. The
    /// default checks each key against [`Connector::config_def`]; override it to add
    /// checks across keys (push the message onto the offending key's `errors`).
    fn validate(&self, config: &ConfigMap) -> Vec<ConfigValue> {
        self.config_def().validate(config)
    }

    /// Starts the connector with a validated configuration.
    fn start(
        &mut self,
        context: Arc<dyn ConnectorContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>>;

    /// Splits the work into at most `max_tasks` task configurations (one task per entry).
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>>;

    /// Stops the connector and releases its resources.
    fn stop(&mut self) -> BoxFuture<'_, Result<()>>;
}

/// A connector that imports data into Kafka.
pub trait SourceConnector: Connector {
    /// A new, unstarted task of this connector.
    fn create_task(&self) -> Box<dyn SourceTask>;

    /// Checks (and, for connectors that keep offsets outside Kafka, applies) a request to
    /// alter or reset source offsets (KIP-875, `PATCH`/`DELETE /connectors/{n}/offsets`);
    /// `None` offsets reset their partition. Called on an unstarted connector with its
    /// configuration. Return `Ok(true)` if the connector handled its external offsets too,
    /// `Ok(false)` (the default) if only the runtime's offsets change, and an error to
    /// refuse the request; its message is shown to the user.
    fn alter_offsets(
        &self,
        _config: &ConfigMap,
        _offsets: &[(SourceMap, Option<SourceMap>)],
    ) -> Result<bool> {
        Ok(false)
    }
}

/// A connector that exports data from Kafka.
pub trait SinkConnector: Connector {
    /// A new, unstarted task of this connector.
    fn create_task(&self) -> Box<dyn SinkTask>;

    /// Like [`SourceConnector::alter_offsets`], for the sink's consumer offsets (`None`
    /// resets the partition).
    fn alter_offsets(
        &self,
        _config: &ConfigMap,
        _offsets: &[(TopicPartition, Option<i64>)],
    ) -> Result<bool> {
        Ok(false)
    }
}

/// Read access to committed source offsets (Kafka's `OffsetStorageReader`).
pub trait OffsetStorageReader: Send + Sync {
    /// The last committed offset for `partition`, `None` if nothing was committed.
    fn offset<'a>(&'a self, partition: &'a SourceMap) -> BoxFuture<'a, Result<Option<SourceMap>>>;

    /// The offsets of several partitions; partitions without an offset are left out.
    fn offsets<'a>(
        &'a self,
        partitions: &'a [SourceMap],
    ) -> BoxFuture<'a, Result<Vec<(SourceMap, SourceMap)>>> {
        Box::pin(async move {
            let mut found = Vec::new();
            for partition in partitions {
                if let Some(offset) = self.offset(partition).await? {
                    found.push((partition.clone(), offset));
                }
            }
            Ok(found)
        })
    }
}

/// What the runtime offers a running source task.
pub trait SourceTaskContext: Send + Sync {
    /// The task's configuration.
    fn config(&self) -> &ConfigMap;
    /// Committed offsets, to resume where the previous run stopped.
    fn offset_storage_reader(&self) -> &dyn OffsetStorageReader;
}

/// Where a source record was written, passed to [`SourceTask::commit_record`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMetadata {
    /// Topic written to.
    pub topic: String,
    /// Partition written to.
    pub partition: i32,
    /// Offset assigned by the broker.
    pub offset: i64,
    /// Timestamp of the written record.
    pub timestamp: Option<i64>,
}

/// Reads from an external system and returns records for Kafka.
pub trait SourceTask: Send {
    /// The plugin version.
    fn version(&self) -> String;

    /// Starts the task; read committed offsets from `context` to resume.
    fn start(
        &mut self,
        context: Arc<dyn SourceTaskContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>>;

    /// The next batch of records; empty when there is nothing new yet.
    fn poll(&mut self) -> BoxFuture<'_, Result<Vec<SourceRecord>>>;

    /// Called after the offsets of written records were flushed, for sources that
    /// acknowledge upstream in bulk. Default: nothing.
    fn commit(&mut self) -> BoxFuture<'_, Result<()>> {
        ready(Ok(()))
    }

    /// Called for each record once it was written (`metadata`) or dropped by a
    /// transformation (`None`). Must be quick. Default: nothing.
    fn commit_record(
        &mut self,
        _record: &SourceRecord,
        _metadata: Option<&RecordMetadata>,
    ) -> Result<()> {
        Ok(())
    }

    /// Stops the task and releases its resources.
    fn stop(&mut self) -> BoxFuture<'_, Result<()>>;
}

/// Sends single failed records to the dead-letter queue (KIP-610).
pub trait ErrantRecordReporter: Send + Sync {
    /// Reports `record` as failed with `error`; completes once the report is durable.
    fn report(&self, record: SinkRecord, error: ConnectError) -> BoxFuture<'static, Result<()>>;
}

/// What the runtime offers a running sink task.
pub trait SinkTaskContext: Send + Sync {
    /// The task's configuration.
    fn config(&self) -> &ConfigMap;
    /// The partitions currently assigned to the task.
    fn assignment(&self) -> Vec<TopicPartition>;
    /// Stops fetching from `partitions` until [`SinkTaskContext::resume`] (back-pressure).
    fn pause(&self, partitions: &[TopicPartition]);
    /// Resumes fetching from `partitions`.
    fn resume(&self, partitions: &[TopicPartition]);
    /// Rewinds or skips: consumption restarts at these offsets.
    fn reset_offsets(&self, offsets: SinkOffsets);
    /// Asks for an offset commit as soon as possible.
    fn request_commit(&self);
    /// The dead-letter-queue reporter, `None` when `errors.deadletterqueue.*` is not set.
    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>>;
}

/// Receives records from Kafka and writes them to an external system.
pub trait SinkTask: Send {
    /// The plugin version.
    fn version(&self) -> String;

    /// Starts the task.
    fn start(
        &mut self,
        context: Arc<dyn SinkTaskContext>,
        config: ConfigMap,
    ) -> BoxFuture<'_, Result<()>>;

    /// Partitions newly assigned to the task. Default: nothing.
    fn open<'a>(&'a mut self, _partitions: &'a [TopicPartition]) -> BoxFuture<'a, Result<()>> {
        ready(Ok(()))
    }

    /// Writes (or buffers) a batch of records. Return [`ConnectError::Retriable`] to have the
    /// same batch redelivered after a back-off.
    fn put(&mut self, records: Vec<SinkRecord>) -> BoxFuture<'_, Result<()>>;

    /// Makes everything `put` so far durable, up to `offsets`. Default: nothing.
    fn flush<'a>(&'a mut self, _offsets: &'a SinkOffsets) -> BoxFuture<'a, Result<()>> {
        ready(Ok(()))
    }

    /// Called before committing `offsets` (the consumed positions); returns the offsets
    /// that are safe to commit (possibly fewer or smaller, for sinks that write
    /// asynchronously). Default: [`SinkTask::flush`], then all of `offsets`.
    fn pre_commit(&mut self, offsets: SinkOffsets) -> BoxFuture<'_, Result<SinkOffsets>> {
        Box::pin(async move {
            self.flush(&offsets).await?;
            Ok(offsets)
        })
    }

    /// Partitions revoked from the task; drop their buffered state. Default: nothing.
    fn close<'a>(&'a mut self, _partitions: &'a [TopicPartition]) -> BoxFuture<'a, Result<()>> {
        ready(Ok(()))
    }

    /// Stops the task and releases its resources.
    fn stop(&mut self) -> BoxFuture<'_, Result<()>>;
}

#[cfg(test)]
mod tests;
