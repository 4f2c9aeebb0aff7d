//! A sink task's loop (Kafka's `WorkerSinkTask`).
//!
//! consumer (group `connect-<connector>`) → converters → transforms → `put`. Consumed
//! positions are tracked per partition; every `offset.flush.interval.ms` (or when the
//! task asks with `request_commit`) and when the task stops, the task's `pre_commit`
//! (by default `flush`) returns what is safe to commit and exactly that is committed to
//! the group. After a crash the records after the last commit are delivered again
//! (at-least-once).
//!
//! Differences from Kafka, by design of librdkafka: partition revocation cannot run the
//! task's `pre_commit` synchronously inside the rebalance callback, so offsets of revoked
//! partitions are not committed at revocation; the records since the last commit are
//! delivered again to the partition's next owner (duplicates, never gaps).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_api::connector::{
    ConfigMap, ErrantRecordReporter, SinkOffsets, SinkTask, SinkTaskContext, TopicPartition,
};
use connect_api::record::{Headers, SinkRecord, TimestampType};
use connect_api::{ConnectError, Result};
use futures::future::BoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::message::{BorrowedMessage, Headers as _, Message};
use rdkafka::{ClientContext, Offset, Timestamp, TopicPartitionList};
use tokio::sync::watch;

use super::errors::{ErrorReporter, RawRecord, Stage};
use super::{TaskConverters, TaskHandle, WorkerContext};
use crate::config::connector::SinkTopics;
use crate::herder::{ConnectorTaskId, TargetState};
use crate::storage::State;
use crate::transforms::TransformationChain;

/// Records per `put` at most (Kafka's consumer `max.poll.records` default).
const MAX_BATCH: usize = 500;

/// Everything a sink task needs to run.
pub struct SinkTaskSpec {
    /// The task.
    pub id: ConnectorTaskId,
    /// The unstarted task.
    pub task: Box<dyn SinkTask>,
    /// The task's configuration from the connector.
    pub task_config: ConfigMap,
    /// What to consume.
    pub topics: SinkTopics,
    /// Its converters.
    pub converters: TaskConverters,
    /// Its transformation chain.
    pub transforms: TransformationChain<SinkRecord>,
    /// `errors.*` handling, with the dead letter queue if configured.
    pub errors: Arc<ErrorReporter>,
    /// Consumer settings (group `connect-<connector>`).
    pub consumer_props: BTreeMap<String, String>,
}

/// Starts the task in its own tokio task and returns its handle.
pub fn spawn(worker: WorkerContext, spec: SinkTaskSpec, target: TargetState) -> TaskHandle {
    let id = spec.id.clone();
    super::spawn_task(worker, id, target, move |worker, rx| {
        SinkLoop::start(worker, spec, rx)
    })
}

/// Partition assignment changes, recorded by the consumer's rebalance callback and
/// handled by the loop (which can call the task's async `open`/`close`).
#[derive(Clone, Default)]
struct RebalanceEvents(Arc<Mutex<Vec<RebalanceEvent>>>);

enum RebalanceEvent {
    Assigned(Vec<TopicPartition>),
    Revoked(Vec<TopicPartition>),
}

fn partitions_of(list: &TopicPartitionList) -> Vec<TopicPartition> {
    list.elements()
        .iter()
        .map(|e| TopicPartition::new(e.topic(), e.partition()))
        .collect()
}

impl ClientContext for RebalanceEvents {
    /// A sink subscribed to a topic that does not exist yet waits for it, as Kafka's
    /// consumer does: that is not an error worth an ERROR line every few seconds.
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        if error.rdkafka_error_code()
            == Some(rdkafka::types::RDKafkaErrorCode::UnknownTopicOrPartition)
        {
            tracing::debug!(error = %error, reason, "sink consumer: topic not available yet");
        } else {
            tracing::error!(error = %error, reason, "sink consumer error");
        }
    }
}

impl ConsumerContext for RebalanceEvents {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(list) = rebalance {
            self.0
                .lock()
                .push(RebalanceEvent::Revoked(partitions_of(list)));
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(list) => self
                .0
                .lock()
                .push(RebalanceEvent::Assigned(partitions_of(list))),
            Rebalance::Error(e) => tracing::warn!(error = %e, "sink consumer rebalance error"),
            Rebalance::Revoke(_) => {}
        }
    }
}

type SinkConsumer = StreamConsumer<RebalanceEvents>;

/// What the task asked through its context, applied by the loop.
#[derive(Default)]
struct Requests {
    pause: Vec<TopicPartition>,
    resume: Vec<TopicPartition>,
    reset: SinkOffsets,
}

struct ContextImpl {
    config: ConfigMap,
    assignment: Mutex<Vec<TopicPartition>>,
    requests: Mutex<Requests>,
    commit_requested: AtomicBool,
    reporter: Option<Arc<dyn ErrantRecordReporter>>,
}

impl SinkTaskContext for ContextImpl {
    fn config(&self) -> &ConfigMap {
        &self.config
    }

    fn assignment(&self) -> Vec<TopicPartition> {
        self.assignment.lock().clone()
    }

    fn pause(&self, partitions: &[TopicPartition]) {
        self.requests.lock().pause.extend_from_slice(partitions);
    }

    fn resume(&self, partitions: &[TopicPartition]) {
        self.requests.lock().resume.extend_from_slice(partitions);
    }

    fn reset_offsets(&self, offsets: SinkOffsets) {
        self.requests.lock().reset.extend(offsets);
    }

    fn request_commit(&self) {
        self.commit_requested.store(true, Ordering::Relaxed);
    }

    fn errant_record_reporter(&self) -> Option<Arc<dyn ErrantRecordReporter>> {
        self.reporter.clone()
    }
}

/// The raw records of the batch being `put`, by (topic, partition, offset).
type RawBatch = Arc<Mutex<HashMap<(String, i32, i64), RawRecord>>>;

/// The errant record reporter of KIP-610: sends the original consumed record to the DLQ
/// (or logs it), following `errors.tolerance`.
struct Reporter {
    errors: Arc<ErrorReporter>,
    /// The raw records of the batch being `put`, to send the original bytes.
    batch: RawBatch,
}

impl ErrantRecordReporter for Reporter {
    fn report(&self, record: SinkRecord, error: ConnectError) -> BoxFuture<'static, Result<()>> {
        let errors = self.errors.clone();
        let raw = self
            .batch
            .lock()
            .get(&(
                record.topic.clone(),
                record.kafka_partition,
                record.kafka_offset,
            ))
            .cloned();
        Box::pin(async move { errors.report(Stage::TaskPut, error, raw.as_ref()).await })
    }
}

struct SinkLoop {
    worker: WorkerContext,
    id: ConnectorTaskId,
    task: Box<dyn SinkTask>,
    converters: TaskConverters,
    transforms: TransformationChain<SinkRecord>,
    errors: Arc<ErrorReporter>,
    consumer: Arc<SinkConsumer>,
    events: RebalanceEvents,
    context: Arc<ContextImpl>,
    batch_raw: RawBatch,
    /// Next offset to consume per partition, for what was `put`.
    consumed: SinkOffsets,
    /// What was last committed, to skip commits that would change nothing.
    committed: SinkOffsets,
    paused_by_task: Vec<TopicPartition>,
    target: watch::Receiver<TargetState>,
}

impl SinkLoop {
    async fn start(
        worker: WorkerContext,
        spec: SinkTaskSpec,
        mut target: watch::Receiver<TargetState>,
    ) -> Result<()> {
        if *target.borrow_and_update() == TargetState::Stopped {
            return Ok(());
        }
        let events = RebalanceEvents::default();
        let consumer: SinkConsumer =
            super::clients::create_with_context(&spec.consumer_props, events.clone()).map_err(
                |e| ConnectError::with_source("Failed to create the task's consumer", e),
            )?;
        let batch_raw = Arc::new(Mutex::new(HashMap::new()));
        let reporter: Option<Arc<dyn ErrantRecordReporter>> =
            spec.errors.has_reporters().then(|| {
                Arc::new(Reporter {
                    errors: spec.errors.clone(),
                    batch: batch_raw.clone(),
                }) as Arc<dyn ErrantRecordReporter>
            });
        let context = Arc::new(ContextImpl {
            config: spec.task_config.clone(),
            assignment: Mutex::new(Vec::new()),
            requests: Mutex::new(Requests::default()),
            commit_requested: AtomicBool::new(false),
            reporter,
        });
        let mut this = SinkLoop {
            worker,
            id: spec.id,
            task: spec.task,
            converters: spec.converters,
            transforms: spec.transforms,
            errors: spec.errors,
            consumer: Arc::new(consumer),
            events,
            context: context.clone(),
            batch_raw,
            consumed: SinkOffsets::new(),
            committed: SinkOffsets::new(),
            paused_by_task: Vec::new(),
            target,
        };
        this.task.start(context, spec.task_config).await?;
        this.subscribe(&spec.topics)?;
        let result = this.execute().await;
        let committed = if result.is_ok() {
            this.commit(true).await
        } else {
            Ok(())
        };
        let closed = this.close_all().await;
        let stopped = this.task.stop().await;
        let consumer = this.consumer.clone();
        drop(this);
        // Leaving the group blocks; do it off the async threads.
        let _ = tokio::task::spawn_blocking(move || {
            consumer.unsubscribe();
            drop(consumer);
        })
        .await;
        result.and(committed).and(closed).and(stopped)
    }

    fn subscribe(&self, topics: &SinkTopics) -> Result<()> {
        let subscription: Vec<String> = match topics {
            SinkTopics::List(list) => list.clone(),
            // librdkafka subscribes to a regex when the name starts with '^'; the
            // configured pattern is already anchored to the whole name.
            SinkTopics::Regex(regex) => vec![regex.as_str().to_owned()],
        };
        let names: Vec<&str> = subscription.iter().map(String::as_str).collect();
        self.consumer
            .subscribe(&names)
            .map_err(|e| ConnectError::with_source("Failed to subscribe to the sink's topics", e))
    }

    fn set_status(&self, state: State) {
        self.worker
            .status
            .put_task(&self.id, self.worker.status_of(state, String::new()));
    }

    async fn execute(&mut self) -> Result<()> {
        let flush_interval = self.worker.config.offset_flush_interval;
        let mut next_commit = Instant::now() + flush_interval;
        let mut shown = None;
        let mut paused = false;
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
            self.handle_rebalances().await?;
            self.apply_requests()?;
            let want_paused = target == TargetState::Paused;
            if want_paused != paused {
                self.pause_all(want_paused)?;
                paused = want_paused;
            }
            if Instant::now() >= next_commit
                || self.context.commit_requested.swap(false, Ordering::Relaxed)
            {
                self.commit(false).await?;
                next_commit = Instant::now() + flush_interval;
            }
            // Wait for the first record (or a state change), then take what is ready.
            let first = tokio::select! {
                message = self.consumer.recv() => Some(message),
                _ = self.target.changed() => None,
                _ = tokio::time::sleep(Duration::from_millis(500)) => None,
            };
            let Some(first) = first else { continue };
            let mut raw = Vec::with_capacity(MAX_BATCH);
            match first {
                Ok(m) => raw.push(raw_record(&m)),
                Err(e) => {
                    log_consumer_error(&self.id, &e);
                    continue;
                }
            }
            while raw.len() < MAX_BATCH {
                match self.consumer.recv().now_or_never() {
                    Some(Ok(m)) => raw.push(raw_record(&m)),
                    Some(Err(e)) => {
                        log_consumer_error(&self.id, &e);
                        break;
                    }
                    None => break,
                }
            }
            // Rebalance callbacks run inside recv: a partition revoked meanwhile must not
            // have its records delivered to the task after close().
            self.handle_rebalances().await?;
            let assigned = self.context.assignment();
            raw.retain(|r| {
                assigned
                    .iter()
                    .any(|tp| tp.topic == r.topic && tp.partition == r.partition)
            });
            self.deliver(raw).await?;
        }
    }

    /// Converts, transforms and puts one batch; retriable `put` failures redeliver the
    /// same batch after a back-off, with the partitions paused meanwhile.
    async fn deliver(&mut self, raw: Vec<RawRecord>) -> Result<()> {
        if raw.is_empty() {
            return Ok(());
        }
        let mut records = Vec::with_capacity(raw.len());
        let mut positions = Vec::with_capacity(raw.len());
        {
            let mut batch = self.batch_raw.lock();
            batch.clear();
            for r in &raw {
                batch.insert((r.topic.clone(), r.partition, r.offset), r.clone());
            }
        }
        for r in &raw {
            positions.push((
                TopicPartition::new(r.topic.clone(), r.partition),
                r.offset + 1,
            ));
            match self.convert(r) {
                Ok(record) => match self.transforms.apply(record) {
                    Ok(Some(record)) => records.push(record),
                    Ok(None) => {}
                    Err(e) => {
                        self.errors
                            .report(Stage::Transformation, e, Some(r))
                            .await?
                    }
                },
                Err((stage, e)) => self.errors.report(stage, e, Some(r)).await?,
            }
        }
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.task.put(records.clone()).await {
                Ok(()) => break,
                Err(e) if e.is_retriable() => {
                    tracing::warn!(connector = %self.id.connector, task = self.id.task, error = %e,
                        backoff_ms = backoff.as_millis() as u64, "sink task asked to retry the batch");
                    let assignment = self.context.assignment();
                    self.set_paused(&assignment, true)?;
                    tokio::time::sleep(backoff).await;
                    self.set_paused(&assignment, false)?;
                    backoff = (backoff * 2).min(
                        self.worker
                            .config
                            .offset_flush_timeout
                            .max(Duration::from_secs(1))
                            * 6,
                    );
                    if *self.target.borrow() == TargetState::Stopped {
                        return Ok(());
                    }
                }
                Err(e) => {
                    return Err(ConnectError::with_source(
                        "Exiting WorkerSinkTask due to unrecoverable exception.",
                        e,
                    ))
                }
            }
        }
        self.consumed.extend(positions);
        let mut topics: Vec<&str> = raw.iter().map(|r| r.topic.as_str()).collect();
        topics.dedup();
        for topic in topics {
            self.worker.status.add_task_topic(&self.id, topic);
        }
        Ok(())
    }

    fn convert(
        &mut self,
        raw: &RawRecord,
    ) -> std::result::Result<SinkRecord, (Stage, ConnectError)> {
        let mut headers = Headers::new();
        for (key, value) in &raw.headers {
            let converted = self
                .converters
                .header
                .to_connect_header(&raw.topic, key, value.as_deref())
                .map_err(|e| (Stage::HeaderConverter, e))?;
            headers
                .add(key.clone(), converted.schema, converted.value)
                .map_err(|e| (Stage::HeaderConverter, e))?;
        }
        let key = self
            .converters
            .key
            .to_connect_data(&raw.topic, &headers, raw.key.as_deref())
            .map_err(|e| (Stage::KeyConverter, e))?;
        let value = self
            .converters
            .value
            .to_connect_data(&raw.topic, &headers, raw.value.as_deref())
            .map_err(|e| (Stage::ValueConverter, e))?;
        let mut record = SinkRecord::new(
            raw.topic.clone(),
            raw.partition,
            raw.offset,
            value.schema,
            value.value,
        )
        .with_key(key.schema, key.value)
        .with_headers(headers);
        if let Some(ts) = raw.timestamp {
            record = record.with_timestamp(ts, raw_timestamp_type(raw));
        }
        Ok(record)
    }

    async fn handle_rebalances(&mut self) -> Result<()> {
        let events = std::mem::take(&mut *self.events.0.lock());
        for event in events {
            match event {
                RebalanceEvent::Assigned(partitions) => {
                    tracing::info!(connector = %self.id.connector, task = self.id.task, partitions = ?partitions, "partitions assigned");
                    self.context
                        .assignment
                        .lock()
                        .extend(partitions.iter().cloned());
                    self.task.open(&partitions).await?;
                    if *self.target.borrow() == TargetState::Paused {
                        self.set_paused(&partitions, true)?;
                    }
                }
                RebalanceEvent::Revoked(partitions) => {
                    tracing::info!(connector = %self.id.connector, task = self.id.task, partitions = ?partitions, "partitions revoked");
                    self.context
                        .assignment
                        .lock()
                        .retain(|tp| !partitions.contains(tp));
                    for tp in &partitions {
                        self.consumed.remove(tp);
                        self.committed.remove(tp);
                    }
                    self.paused_by_task.retain(|tp| !partitions.contains(tp));
                    self.task.close(&partitions).await?;
                }
            }
        }
        Ok(())
    }

    fn apply_requests(&mut self) -> Result<()> {
        let requests = std::mem::take(&mut *self.context.requests.lock());
        if !requests.pause.is_empty() {
            self.set_paused(&requests.pause, true)?;
            self.paused_by_task.extend(requests.pause);
        }
        if !requests.resume.is_empty() {
            self.paused_by_task
                .retain(|tp| !requests.resume.contains(tp));
            if *self.target.borrow() == TargetState::Running {
                self.set_paused(&requests.resume, false)?;
            }
        }
        for (tp, offset) in requests.reset {
            let consumer = self.consumer.clone();
            consumer
                .seek(
                    &tp.topic,
                    tp.partition,
                    Offset::Offset(offset),
                    Duration::from_secs(10),
                )
                .map_err(|e| {
                    ConnectError::with_source(
                        format!("Failed to rewind {}-{}", tp.topic, tp.partition),
                        e,
                    )
                })?;
            self.consumed.insert(tp, offset);
        }
        Ok(())
    }

    fn pause_all(&mut self, pause: bool) -> Result<()> {
        let mut partitions = self.context.assignment();
        if !pause {
            partitions.retain(|tp| !self.paused_by_task.contains(tp));
        }
        self.set_paused(&partitions, pause)
    }

    fn set_paused(&self, partitions: &[TopicPartition], pause: bool) -> Result<()> {
        if partitions.is_empty() {
            return Ok(());
        }
        let mut list = TopicPartitionList::new();
        for tp in partitions {
            list.add_partition(&tp.topic, tp.partition);
        }
        let result = if pause {
            self.consumer.pause(&list)
        } else {
            self.consumer.resume(&list)
        };
        result.map_err(|e| ConnectError::with_source("Failed to pause or resume partitions", e))
    }

    /// Asks the task what is safe to commit (`pre_commit`) and commits it.
    async fn commit(&mut self, wait: bool) -> Result<()> {
        if self.consumed.is_empty() {
            return Ok(());
        }
        let offsets = self.task.pre_commit(self.consumed.clone()).await?;
        let assignment = self.context.assignment();
        let to_commit: SinkOffsets = offsets
            .into_iter()
            .filter(|(tp, offset)| {
                assignment.contains(tp) && self.committed.get(tp) != Some(offset)
            })
            .collect();
        if to_commit.is_empty() {
            return Ok(());
        }
        let mut list = TopicPartitionList::new();
        for (tp, offset) in &to_commit {
            list.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*offset))
                .map_err(|e| ConnectError::with_source("Invalid offset to commit", e))?;
        }
        let consumer = self.consumer.clone();
        let result = if wait {
            tokio::task::spawn_blocking(move || consumer.commit(&list, CommitMode::Sync))
                .await
                .map_err(|e| ConnectError::connector(format!("offset commit panicked: {e}")))?
        } else {
            consumer.commit(&list, CommitMode::Async)
        };
        match result {
            Ok(()) => {
                tracing::debug!(connector = %self.id.connector, task = self.id.task, partitions = to_commit.len(), "committed sink offsets");
                self.committed.extend(to_commit);
            }
            // A failed commit is retried with the next one; the records are delivered
            // again at worst.
            Err(e) => {
                tracing::warn!(connector = %self.id.connector, task = self.id.task, error = %e, "sink offset commit failed")
            }
        }
        Ok(())
    }

    async fn close_all(&mut self) -> Result<()> {
        let partitions = std::mem::take(&mut *self.context.assignment.lock());
        if partitions.is_empty() {
            return Ok(());
        }
        self.task.close(&partitions).await
    }
}

fn log_consumer_error(id: &ConnectorTaskId, error: &rdkafka::error::KafkaError) {
    if error.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::UnknownTopicOrPartition)
    {
        tracing::debug!(connector = %id.connector, task = id.task, error = %error, "waiting for the sink's topics to exist");
    } else {
        tracing::warn!(connector = %id.connector, task = id.task, error = %error, "sink consumer error");
    }
}

fn raw_record(message: &BorrowedMessage<'_>) -> RawRecord {
    let headers = message
        .headers()
        .map(|h| {
            h.iter()
                .map(|header| (header.key.to_owned(), header.value.map(<[u8]>::to_vec)))
                .collect()
        })
        .unwrap_or_default();
    let (timestamp, timestamp_type) = match message.timestamp() {
        Timestamp::NotAvailable => (None, 0),
        Timestamp::CreateTime(t) => (Some(t), 1),
        Timestamp::LogAppendTime(t) => (Some(t), 2),
    };
    RawRecord {
        topic: message.topic().to_owned(),
        partition: message.partition(),
        offset: message.offset(),
        timestamp,
        timestamp_type,
        key: message.key().map(<[u8]>::to_vec),
        value: message.payload().map(<[u8]>::to_vec),
        headers,
    }
}

fn raw_timestamp_type(raw: &RawRecord) -> TimestampType {
    match raw.timestamp_type {
        1 => TimestampType::CreateTime,
        2 => TimestampType::LogAppendTime,
        _ => TimestampType::NoTimestampType,
    }
}
