//! A source task's loop (Kafka's `AbstractWorkerSourceTask` / `WorkerSourceTask`).
//!
//! poll → transforms → converters → producer. Every record sent is remembered in send
//! order with its source offset; when the broker acknowledges records, the offsets of the
//! acknowledged prefix become committable, so an offset is never committed before its
//! record and every record before it were written (at-least-once: after a crash, records
//! after the last committed offset are produced again). Committable offsets are written to
//! the [`OffsetStore`](crate::storage::OffsetStore) every `offset.flush.interval.ms` and
//! when the task stops.
//!
//! `poll` is not cancelled to pause: the task contract asks it to return within about a
//! second, after which the loop sees the new target state. Stopping waits for the current
//! poll too, bounded by `task.shutdown.graceful.timeout.ms` (see
//! [`TaskHandle::stop`](super::TaskHandle::stop)).

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::connector::{
    ConfigMap, OffsetStorageReader, RecordMetadata, SourceTask, SourceTaskContext,
};
use connect_api::record::{SourceMap, SourceRecord};
use connect_api::{ConnectError, Result};
use futures::future::BoxFuture;
use futures::stream::{FuturesOrdered, StreamExt};
use futures::FutureExt;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use tokio::sync::watch;

use super::errors::{ErrorReporter, Stage};
use super::{TaskConverters, TaskHandle, WorkerContext};
use crate::herder::{ConnectorTaskId, TargetState};
use crate::storage::{OffsetStore, State};
use crate::transforms::TransformationChain;

/// At most this many records are in flight (sent, not yet acknowledged) per task; the
/// task is not polled again until acknowledgements make room.
const MAX_IN_FLIGHT: usize = 20_000;

/// Everything a source task needs to run.
pub struct SourceTaskSpec {
    /// The task.
    pub id: ConnectorTaskId,
    /// The unstarted task.
    pub task: Box<dyn SourceTask>,
    /// The task's configuration from the connector.
    pub task_config: ConfigMap,
    /// Its converters.
    pub converters: TaskConverters,
    /// Its transformation chain.
    pub transforms: TransformationChain<SourceRecord>,
    /// `errors.*` handling.
    pub errors: ErrorReporter,
    /// Producer settings.
    pub producer_props: BTreeMap<String, String>,
}

struct ReaderImpl {
    connector: String,
    offsets: Arc<dyn OffsetStore>,
}

impl OffsetStorageReader for ReaderImpl {
    fn offset<'a>(&'a self, partition: &'a SourceMap) -> BoxFuture<'a, Result<Option<SourceMap>>> {
        Box::pin(futures::future::ready(Ok(self
            .offsets
            .get(&self.connector, partition))))
    }
}

struct ContextImpl {
    config: ConfigMap,
    reader: ReaderImpl,
}

impl SourceTaskContext for ContextImpl {
    fn config(&self) -> &ConfigMap {
        &self.config
    }

    fn offset_storage_reader(&self) -> &dyn OffsetStorageReader {
        &self.reader
    }
}

/// Starts the task in its own tokio task and returns its handle.
pub fn spawn(worker: WorkerContext, spec: SourceTaskSpec, target: TargetState) -> TaskHandle {
    let id = spec.id.clone();
    super::spawn_task(worker, id, target, move |worker, rx| {
        SourceLoop::start(worker, spec, rx)
    })
}

/// A record sent (or skipped), waiting for its acknowledgement.
type Ack = Pin<Box<dyn Future<Output = (SourceRecord, AckResult)> + Send>>;

enum AckResult {
    Written(RecordMetadata),
    /// Dropped by a transformation or skipped under `errors.tolerance=all`.
    Skipped,
    Failed(KafkaError),
}

struct SourceLoop {
    worker: WorkerContext,
    id: ConnectorTaskId,
    task: Box<dyn SourceTask>,
    converters: TaskConverters,
    transforms: TransformationChain<SourceRecord>,
    errors: ErrorReporter,
    producer: FutureProducer,
    in_flight: FuturesOrdered<Ack>,
    /// Offsets of acknowledged records not yet flushed: canonical partition → (partition,
    /// offset).
    /// (A source has few partitions — often one — so a linear search by equality is
    /// cheaper than hashing or serialising each record's partition.)
    committable: Vec<(SourceMap, SourceMap)>,
    /// Whether there are transformations (without, records are sent without a copy).
    has_transforms: bool,
    topics_seen: HashSet<String>,
    topic_resets: u64,
    target: watch::Receiver<TargetState>,
}

impl SourceLoop {
    async fn start(
        worker: WorkerContext,
        spec: SourceTaskSpec,
        mut target: watch::Receiver<TargetState>,
    ) -> Result<()> {
        let producer: FutureProducer = super::clients::create(&spec.producer_props)
            .map_err(|e| ConnectError::with_source("Failed to create the task's producer", e))?;
        let has_transforms = !spec.transforms.aliases().is_empty();
        let mut this = SourceLoop {
            id: spec.id,
            task: spec.task,
            converters: spec.converters,
            transforms: spec.transforms,
            errors: spec.errors,
            producer,
            in_flight: FuturesOrdered::new(),
            committable: Vec::new(),
            has_transforms,
            topics_seen: HashSet::new(),
            topic_resets: 0,
            worker,
            target: target.clone(),
        };
        if *target.borrow_and_update() == TargetState::Stopped {
            return Ok(());
        }
        let context = Arc::new(ContextImpl {
            config: spec.task_config.clone(),
            reader: ReaderImpl {
                connector: this.id.connector.clone(),
                offsets: this.worker.offsets.clone(),
            },
        });
        this.task.start(context, spec.task_config).await?;
        let result = this.execute().await;
        // Commit what was written even when the loop failed, then stop the task.
        let flushed = this.finish().await;
        let stopped = this.task.stop().await;
        result.and(flushed).and(stopped)
    }

    fn set_status(&self, state: State) {
        self.worker
            .status
            .put_task(&self.id, self.worker.status_of(state, String::new()));
    }

    async fn execute(&mut self) -> Result<()> {
        let flush_interval = self.worker.config.offset_flush_interval;
        let mut next_flush = Instant::now() + flush_interval;
        let mut poll_backoff = Duration::ZERO;
        let mut shown = None;
        loop {
            let target = *self.target.borrow_and_update();
            let state = match target {
                TargetState::Stopped => return Ok(()),
                TargetState::Paused => State::Paused,
                TargetState::Running => State::Running,
            };
            if shown != Some(state) {
                self.set_status(state);
                shown = Some(state);
            }
            if Instant::now() >= next_flush {
                self.commit_offsets().await?;
                next_flush = Instant::now() + flush_interval;
            }
            if target == TargetState::Paused {
                // Keep acknowledging and flushing while paused.
                let wait = tokio::time::sleep_until(next_flush.into());
                tokio::select! {
                    _ = self.target.changed() => {}
                    Some(ack) = self.in_flight.next(), if !self.in_flight.is_empty() => self.handle_ack(ack)?,
                    _ = wait => {}
                }
                continue;
            }
            while self.in_flight.len() >= MAX_IN_FLIGHT {
                if let Some(ack) = self.in_flight.next().await {
                    self.handle_ack(ack)?;
                }
            }
            let records = match self.task.poll().await {
                Ok(records) => {
                    poll_backoff = Duration::ZERO;
                    records
                }
                Err(e) if e.is_retriable() => {
                    poll_backoff = (poll_backoff * 2)
                        .clamp(Duration::from_millis(100), Duration::from_secs(10));
                    tracing::warn!(connector = %self.id.connector, task = self.id.task, error = %e,
                        backoff_ms = poll_backoff.as_millis() as u64, "source task failed to poll records, will retry");
                    tokio::time::sleep(poll_backoff).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            for record in records {
                self.send(record).await?;
            }
            self.drain_ready_acks()?;
        }
    }

    /// Transforms, converts and sends one record; the acknowledgement is queued.
    async fn send(&mut self, record: SourceRecord) -> Result<()> {
        let owned;
        let transformed = match self
            .has_transforms
            .then(|| self.transforms.apply(record.clone()))
        {
            None => &record,
            Some(Ok(Some(r))) => {
                owned = r;
                &owned
            }
            Some(Ok(None)) => {
                self.in_flight.push_back(Box::pin(futures::future::ready((
                    record,
                    AckResult::Skipped,
                ))));
                return Ok(());
            }
            Some(Err(e)) => {
                self.errors.report(Stage::Transformation, e, None).await?;
                self.in_flight.push_back(Box::pin(futures::future::ready((
                    record,
                    AckResult::Skipped,
                ))));
                return Ok(());
            }
        };
        let topic = transformed.topic.clone();
        let mut headers = transformed.headers.clone();
        let key = self.converters.key.from_connect_data(
            &topic,
            &mut headers,
            transformed.key_schema.as_ref(),
            &transformed.key,
        );
        let value = self.converters.value.from_connect_data(
            &topic,
            &mut headers,
            transformed.value_schema.as_ref(),
            &transformed.value,
        );
        let mut kafka_headers = OwnedHeaders::new_with_capacity(headers.len());
        let mut header_error = None;
        for header in &headers {
            match self.converters.header.from_connect_header(
                &topic,
                &header.key,
                header.schema.as_ref(),
                &header.value,
            ) {
                Ok(bytes) => {
                    kafka_headers = kafka_headers.insert(Header {
                        key: &header.key,
                        value: bytes.as_deref(),
                    });
                }
                Err(e) => {
                    header_error = Some(e);
                    break;
                }
            }
        }
        let converted = match (key, value, header_error) {
            (Err(e), _, _) => Err((Stage::KeyConverter, e)),
            (_, Err(e), _) => Err((Stage::ValueConverter, e)),
            (_, _, Some(e)) => Err((Stage::HeaderConverter, e)),
            (Ok(k), Ok(v), None) => Ok((k, v)),
        };
        let (key, value) = match converted {
            Ok(kv) => kv,
            Err((stage, e)) => {
                self.errors.report(stage, e, None).await?;
                self.in_flight.push_back(Box::pin(futures::future::ready((
                    record,
                    AckResult::Skipped,
                ))));
                return Ok(());
            }
        };
        let resets = self.worker.status.topic_resets();
        if resets != self.topic_resets {
            self.topics_seen.clear();
            self.topic_resets = resets;
        }
        if !self.topics_seen.contains(&topic) {
            self.worker.status.add_task_topic(&self.id, &topic);
            self.topics_seen.insert(topic.clone());
        }
        let mut out: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&topic).headers(kafka_headers);
        if let Some(k) = &key {
            out = out.key(k.as_slice());
        }
        if let Some(v) = &value {
            out = out.payload(v.as_slice());
        }
        if let Some(p) = transformed.kafka_partition {
            out = out.partition(p);
        }
        if let Some(ts) = transformed.timestamp {
            out = out.timestamp(ts);
        }
        loop {
            match self.producer.send_result(out) {
                Ok(delivery) => {
                    let topic = topic.clone();
                    self.in_flight
                        .push_back(Box::pin(delivery.map(move |result| {
                            let ack = match result {
                                Ok(Ok(d)) => AckResult::Written(RecordMetadata {
                                    topic,
                                    partition: d.partition,
                                    offset: d.offset,
                                    timestamp: d.timestamp.to_millis(),
                                }),
                                Ok(Err((e, _))) => AckResult::Failed(e),
                                Err(_canceled) => AckResult::Failed(KafkaError::Canceled),
                            };
                            (record, ack)
                        })));
                    return Ok(());
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    out = back;
                    // Wait for the oldest record instead of spinning.
                    match self.in_flight.next().await {
                        Some(ack) => self.handle_ack(ack)?,
                        None => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
                Err((e, _)) => {
                    return Err(ConnectError::with_source(
                        format!("Failed to send a record to topic '{topic}'"),
                        e,
                    ))
                }
            }
        }
    }

    fn drain_ready_acks(&mut self) -> Result<()> {
        while let Some(Some(ack)) = self.in_flight.next().now_or_never() {
            self.handle_ack(ack)?;
        }
        Ok(())
    }

    fn handle_ack(&mut self, (record, result): (SourceRecord, AckResult)) -> Result<()> {
        let metadata = match result {
            AckResult::Written(m) => Some(m),
            AckResult::Skipped => None,
            AckResult::Failed(e) => {
                return Err(ConnectError::with_source(
                    format!(
                        "Unrecoverable exception from producer send callback for topic '{}'",
                        record.topic
                    ),
                    e,
                ))
            }
        };
        self.task.commit_record(&record, metadata.as_ref())?;
        if !record.source_partition.is_empty() || !record.source_offset.is_empty() {
            let SourceRecord {
                source_partition,
                source_offset,
                ..
            } = record;
            match self
                .committable
                .iter_mut()
                .find(|(partition, _)| *partition == source_partition)
            {
                Some((_, offset)) => *offset = source_offset,
                None => self.committable.push((source_partition, source_offset)),
            }
        }
        Ok(())
    }

    /// Writes the offsets of acknowledged records to the offset store, then tells the
    /// task (`SourceTask::commit`).
    async fn commit_offsets(&mut self) -> Result<()> {
        self.drain_ready_acks()?;
        if self.committable.is_empty() {
            return Ok(());
        }
        let entries: Vec<(SourceMap, Option<SourceMap>)> = std::mem::take(&mut self.committable)
            .into_iter()
            .map(|(p, o)| (p, Some(o)))
            .collect();
        let count = entries.len();
        let timeout = self.worker.config.offset_flush_timeout;
        let put = self.worker.offsets.put(&self.id.connector, entries);
        match tokio::time::timeout(timeout, put).await {
            Ok(Ok(())) => {
                tracing::debug!(connector = %self.id.connector, task = self.id.task, partitions = count, "committed source offsets");
            }
            Ok(Err(e)) => {
                return Err(ConnectError::with_source(
                    "Failed to commit source offsets",
                    e,
                ))
            }
            Err(_) => {
                tracing::warn!(connector = %self.id.connector, task = self.id.task, timeout_ms = timeout.as_millis() as u64,
                    "timed out committing source offsets; they will be committed with the next flush");
            }
        }
        self.task.commit().await
    }

    /// On stop: waits (bounded by `offset.flush.timeout.ms`) for records in flight, then
    /// commits the offsets of those acknowledged.
    async fn finish(&mut self) -> Result<()> {
        let deadline = Instant::now() + self.worker.config.offset_flush_timeout;
        let mut failure = None;
        while !self.in_flight.is_empty() {
            match tokio::time::timeout_at(deadline.into(), self.in_flight.next()).await {
                Ok(Some(ack)) => {
                    if let Err(e) = self.handle_ack(ack) {
                        failure = Some(e);
                        break;
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    tracing::warn!(connector = %self.id.connector, task = self.id.task, in_flight = self.in_flight.len(),
                        "records still unacknowledged at shutdown; they will be produced again on restart");
                    break;
                }
            }
        }
        let committed = self.commit_offsets().await;
        let producer = self.producer.clone();
        let _ = tokio::task::spawn_blocking(move || producer.flush(Duration::from_secs(1))).await;
        match failure {
            Some(e) => Err(e),
            None => committed,
        }
    }
}
