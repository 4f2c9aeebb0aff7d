//! A topic read from the beginning by a dedicated thread, with a producer: Kafka's
//! `KafkaBasedLog`.
//!
//! The reader assigns itself every partition (no consumer group), starts at the
//! beginning and hands every record, in partition order, to the store's handler on its
//! own thread. [`KafkaLog::read_to_end`] asks that thread for the partitions' end offsets
//! (high watermarks) and completes once everything up to them was handed over, like
//! `KafkaBasedLog.readToEnd`.
//!
//! The producer is idempotent with `acks=all` and librdkafka's `murmur2_random`
//! partitioner, which puts a keyed record on the partition Java's default partitioner
//! picks, so sluice and Java workers agree on where each key lives.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer};
use rdkafka::{Message, Offset, TopicPartitionList};

use crate::storage::StorageError;
use crate::worker::clients;

/// How long [`KafkaLog::start`] waits for the topic's partitions to show in the metadata
/// (a topic just created may take a moment).
const METADATA_WAIT: Duration = Duration::from_secs(30);
/// How long one request for end offsets may take.
const WATERMARK_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the reader waits for records before looking at its requests again.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// One record read from the topic, owned (the consumer's message is released at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The partition.
    pub partition: i32,
    /// The record's offset.
    pub offset: i64,
    /// The key; `None` for a null key.
    pub key: Option<Vec<u8>>,
    /// The value; `None` for a tombstone.
    pub value: Option<Vec<u8>>,
}

impl LogRecord {
    /// The key as UTF-8 (config and status topics), `None` if null or not UTF-8.
    pub fn key_str(&self) -> Option<&str> {
        self.key
            .as_deref()
            .and_then(|k| std::str::from_utf8(k).ok())
    }
}

/// What the reader does with each record, on the reader's thread.
pub type RecordHandler = Box<dyn FnMut(LogRecord) + Send>;

enum Command {
    ReadToEnd(tokio::sync::oneshot::Sender<Result<(), String>>),
    Stop,
}

/// Kafka's `KafkaBasedLog`: a producer and a reader thread for one topic.
pub struct KafkaLog {
    topic: String,
    producer: FutureProducer,
    partitions: usize,
    commands: Mutex<Option<mpsc::Sender<Command>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for KafkaLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaLog")
            .field("topic", &self.topic)
            .field("partitions", &self.partitions)
            .finish_non_exhaustive()
    }
}

impl KafkaLog {
    /// Starts reading `topic` from the beginning of every partition, handing each record
    /// to `handler`. `props` are the worker's client settings (`bootstrap.servers`, ...).
    /// Does not read to the end: call [`KafkaLog::read_to_end`].
    pub async fn start(
        props: &BTreeMap<String, String>,
        topic: &str,
        handler: RecordHandler,
    ) -> Result<Self, StorageError> {
        let error = |action: &'static str, e: KafkaError| StorageError::Kafka {
            topic: topic.to_owned(),
            action,
            message: e.to_string(),
        };
        let mut producer_props = props.clone();
        for (k, v) in [
            ("acks", "all"),
            ("enable.idempotence", "true"),
            ("partitioner", "murmur2_random"),
            // Kafka uses delivery.timeout.ms=Integer.MAX_VALUE for its internal topics.
            ("message.timeout.ms", "0"),
            ("linger.ms", "0"),
        ] {
            producer_props.insert(k.to_owned(), v.to_owned());
        }
        let producer: FutureProducer =
            clients::create(&producer_props).map_err(|e| error("create a producer for", e))?;

        let mut consumer_props = props.clone();
        for (k, v) in [
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", "earliest"),
            // Java's consumer default; librdkafka's is read_committed.
            ("isolation.level", "read_uncommitted"),
            ("enable.partition.eof", "false"),
        ] {
            consumer_props.insert(k.to_owned(), v.to_owned());
        }
        // No group membership: every worker reads every partition (assign, never joins,
        // never commits). librdkafka wants a group.id for assign; never the worker's own
        // group.id, which is the Connect cluster's group.
        consumer_props.insert("group.id".to_owned(), format!("sluice-internal-{topic}"));
        consumer_props.remove("group.instance.id");
        let consumer: BaseConsumer =
            clients::create(&consumer_props).map_err(|e| error("create a consumer for", e))?;

        let name = topic.to_owned();
        let (consumer, partitions) = tokio::task::spawn_blocking(move || {
            let partitions = wait_for_partitions(&consumer, &name)?;
            let mut assignment = TopicPartitionList::new();
            for p in &partitions {
                assignment
                    .add_partition_offset(&name, *p, Offset::Beginning)
                    .map_err(|e| ("assign", e.to_string()))?;
            }
            consumer
                .assign(&assignment)
                .map_err(|e| ("assign", e.to_string()))?;
            Ok::<_, (&'static str, String)>((consumer, partitions))
        })
        .await
        .map_err(|e| StorageError::Kafka {
            topic: topic.to_owned(),
            action: "read",
            message: e.to_string(),
        })?
        .map_err(|(action, message)| StorageError::Kafka {
            topic: topic.to_owned(),
            action,
            message,
        })?;

        let (tx, rx) = mpsc::channel();
        let reader = Reader {
            topic: topic.to_owned(),
            consumer,
            watermarks: producer.clone(),
            partitions: partitions.clone(),
            positions: HashMap::new(),
            handler,
        };
        let thread = std::thread::Builder::new()
            .name(format!("kafka-log-{topic}"))
            .spawn(move || reader.run(rx))
            .map_err(|e| StorageError::Kafka {
                topic: topic.to_owned(),
                action: "start a reader thread for",
                message: e.to_string(),
            })?;
        tracing::info!(
            topic,
            partitions = partitions.len(),
            "reading the internal topic"
        );
        Ok(Self {
            topic: topic.to_owned(),
            producer,
            partitions: partitions.len(),
            commands: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// The topic.
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// How many partitions the topic had when reading started.
    pub fn partition_count(&self) -> usize {
        self.partitions
    }

    /// Queues a record (a tombstone when `value` is `None`); records are written in the
    /// order they are queued. Await the returned future for the acknowledgement.
    pub fn enqueue(&self, key: &[u8], value: Option<&[u8]>) -> Result<Delivery, StorageError> {
        if self.commands.lock().is_none() {
            return Err(self.closed());
        }
        let mut record = FutureRecord::<[u8], [u8]>::to(&self.topic).key(key);
        if let Some(value) = value {
            record = record.payload(value);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.producer.send_result(record) {
                Ok(future) => {
                    return Ok(Delivery {
                        topic: self.topic.clone(),
                        future,
                    })
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r))
                    if Instant::now() < deadline =>
                {
                    // Let librdkafka's queue drain; rare (internal topics write little).
                    self.producer.poll(Duration::from_millis(10));
                    record = r;
                }
                Err((e, _)) => {
                    return Err(StorageError::Kafka {
                        topic: self.topic.clone(),
                        action: "write to",
                        message: e.to_string(),
                    })
                }
            }
        }
    }

    /// Writes one record and waits for its acknowledgement; returns its partition and
    /// offset.
    pub async fn send(&self, key: &[u8], value: Option<&[u8]>) -> Result<(i32, i64), StorageError> {
        self.enqueue(key, value)?.wait().await
    }

    /// Waits until every record up to the partitions' current end offsets was handed to
    /// the handler (Kafka's `KafkaBasedLog.readToEnd`).
    pub async fn read_to_end(&self) -> Result<(), StorageError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = match self.commands.lock().as_ref() {
            Some(commands) => commands.send(Command::ReadToEnd(tx)).is_ok(),
            None => false,
        };
        if !sent {
            return Err(self.closed());
        }
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(StorageError::Kafka {
                topic: self.topic.clone(),
                action: "read to the end of",
                message,
            }),
            Err(_) => Err(self.closed()),
        }
    }

    /// Waits until queued records are acknowledged (or `timeout` passes).
    pub async fn flush(&self, timeout: Duration) {
        let producer = self.producer.clone();
        let _ = tokio::task::spawn_blocking(move || producer.flush(timeout)).await;
    }

    /// Stops the reader thread and flushes the producer.
    pub async fn stop(&self) {
        self.flush(Duration::from_secs(30)).await;
        if let Some(commands) = self.commands.lock().take() {
            let _ = commands.send(Command::Stop);
        }
        let thread = self.thread.lock().take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        tracing::info!(topic = %self.topic, "stopped reading the internal topic");
    }

    fn closed(&self) -> StorageError {
        StorageError::Closed {
            topic: self.topic.clone(),
        }
    }
}

impl Drop for KafkaLog {
    fn drop(&mut self) {
        if let Some(commands) = self.commands.lock().take() {
            let _ = commands.send(Command::Stop);
        }
    }
}

/// A queued record's acknowledgement.
pub struct Delivery {
    topic: String,
    future: DeliveryFuture,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// Waits for the acknowledgement (`acks=all`); returns the partition and offset.
    pub async fn wait(self) -> Result<(i32, i64), StorageError> {
        let topic = self.topic.clone();
        self.wait_raw().await.map_err(|e| match e {
            Some(e) => StorageError::Kafka {
                topic,
                action: "write to",
                message: e.to_string(),
            },
            None => StorageError::Closed { topic },
        })
    }

    /// [`Delivery::wait`] with the client's error (`None`: the producer was closed).
    pub async fn wait_raw(self) -> Result<(i32, i64), Option<KafkaError>> {
        match self.future.await {
            Ok(Ok(delivery)) => Ok((delivery.partition, delivery.offset)),
            Ok(Err((e, _))) => Err(Some(e)),
            Err(_) => Err(None),
        }
    }
}

/// Whether writing again may succeed after `error` (Kafka's `RetriableException`s).
pub fn is_retriable(error: &KafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::MessageTimedOut
                | RDKafkaErrorCode::RequestTimedOut
                | RDKafkaErrorCode::OperationTimedOut
                | RDKafkaErrorCode::BrokerTransportFailure
                | RDKafkaErrorCode::AllBrokersDown
                | RDKafkaErrorCode::NotEnoughReplicas
                | RDKafkaErrorCode::NotEnoughReplicasAfterAppend
                | RDKafkaErrorCode::LeaderNotAvailable
                | RDKafkaErrorCode::NotLeaderForPartition
                | RDKafkaErrorCode::NetworkException
                | RDKafkaErrorCode::QueueFull
        )
    )
}

fn wait_for_partitions(
    consumer: &BaseConsumer,
    topic: &str,
) -> Result<Vec<i32>, (&'static str, String)> {
    let deadline = Instant::now() + METADATA_WAIT;
    loop {
        let result = consumer.fetch_metadata(Some(topic), Duration::from_secs(5));
        let partitions: Vec<i32> = match &result {
            Ok(metadata) => metadata
                .topics()
                .iter()
                .filter(|t| t.name() == topic && t.error().is_none())
                .flat_map(|t| t.partitions().iter().map(|p| p.id()))
                .collect(),
            Err(_) => Vec::new(),
        };
        if !partitions.is_empty() {
            let mut partitions = partitions;
            partitions.sort_unstable();
            return Ok(partitions);
        }
        if Instant::now() >= deadline {
            let cause = match result {
                Err(e) => e.to_string(),
                Ok(_) => "the topic has no partitions in the cluster metadata".to_owned(),
            };
            return Err((
                "look up the partitions of",
                format!(
                    "{cause}; this could indicate a connectivity issue, unavailable topic \
                     partitions, or, if the topic was just created, that it took too long to \
                     create"
                ),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The reader thread's state.
struct Reader {
    topic: String,
    consumer: BaseConsumer,
    /// End offsets are asked through the producer's connections: on the consumer's, the
    /// request would wait behind a fetch held by the broker (`fetch.wait.max.ms`).
    watermarks: FutureProducer,
    partitions: Vec<i32>,
    /// Next offset to read per partition (last handed offset + 1).
    positions: HashMap<i32, i64>,
    handler: RecordHandler,
}

/// End offsets a read-to-end request waits for.
struct Pending {
    /// Partition → (low watermark, high watermark).
    targets: HashMap<i32, (i64, i64)>,
    reply: tokio::sync::oneshot::Sender<Result<(), String>>,
}

impl Reader {
    fn run(mut self, commands: mpsc::Receiver<Command>) {
        let mut pending: Vec<Pending> = Vec::new();
        'outer: loop {
            loop {
                match commands.try_recv() {
                    Ok(Command::ReadToEnd(reply)) => match self.end_offsets() {
                        Ok(targets) => pending.push(Pending { targets, reply }),
                        Err(e) => {
                            let _ = reply.send(Err(e));
                        }
                    },
                    Ok(Command::Stop) | Err(mpsc::TryRecvError::Disconnected) => break 'outer,
                    Err(mpsc::TryRecvError::Empty) => break,
                }
            }
            let record = match self.consumer.poll(POLL_INTERVAL) {
                Some(Ok(message)) => {
                    let record = LogRecord {
                        partition: message.partition(),
                        offset: message.offset(),
                        key: message.key().map(<[u8]>::to_vec),
                        value: message.payload().map(<[u8]>::to_vec),
                    };
                    drop(message);
                    Some(record)
                }
                Some(Err(e)) => {
                    tracing::warn!(topic = %self.topic, error = %e, "error reading the internal topic; retrying");
                    None
                }
                None => None,
            };
            match record {
                Some(record) => {
                    self.positions.insert(record.partition, record.offset + 1);
                    (self.handler)(record);
                }
                None if !pending.is_empty() => self.merge_consumer_positions(),
                None => {}
            }
            if !pending.is_empty() {
                let positions = &self.positions;
                let (done, waiting): (Vec<Pending>, Vec<Pending>) =
                    pending.into_iter().partition(|p| {
                        p.targets.iter().all(|(partition, (low, high))| {
                            high <= low || positions.get(partition).is_some_and(|pos| pos >= high)
                        })
                    });
                pending = waiting;
                for p in done {
                    // The requester may have given up; nothing to do then.
                    let _ = p.reply.send(Ok(()));
                }
            }
        }
        for p in pending {
            let _ = p.reply.send(Err("the store is stopping".to_owned()));
        }
        // The consumer is dropped here, after every message was.
    }

    fn end_offsets(&self) -> Result<HashMap<i32, (i64, i64)>, String> {
        self.partitions
            .iter()
            .map(|&p| {
                self.watermarks
                    .client()
                    .fetch_watermarks(&self.topic, p, WATERMARK_TIMEOUT)
                    .map(|w| (p, w))
                    .map_err(|e| format!("cannot fetch the end offset of partition {p}: {e}"))
            })
            .collect()
    }

    /// The consumer's own positions move past records it does not hand over
    /// (transaction markers); take them into account.
    fn merge_consumer_positions(&mut self) {
        if let Ok(list) = self.consumer.position() {
            for element in list.elements() {
                if let Offset::Offset(o) = element.offset() {
                    let pos = self.positions.entry(element.partition()).or_insert(o);
                    *pos = (*pos).max(o);
                }
            }
        }
    }
}
