//! The `_schemas` topic through the Kafka protocol (rdkafka), and [`start`].
//!
//! Like Confluent's `KafkaStore`: the topic is created with one compacted
//! partition, a reader thread assigns itself that partition from the beginning and
//! applies every record to the [`Store`]; a write produces with `acks=all`
//! (idempotent) and returns once the reader has applied the written offset, so a
//! REST call that returned is visible to the next one. Reading to the end (at start)
//! is done the way Confluent does it: write a NOOP record and wait for its offset.
//!
//! Every instance takes part in the leader election ([`crate::leader`]); only the
//! leader writes, followers forward writes to it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::{Message, Offset, TopicPartitionList};
use tokio::sync::watch;

use crate::leader::{self, ElectionConfig, Identity, Leadership};
use crate::registry::Plan;
use crate::store::{Key, Record, Store};
use crate::Error;

/// How long a write waits for its acknowledgement and for the reader to apply it
/// (Confluent's `kafkastore.timeout.ms` is 500 ms; the broker may be busy here).
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long start waits for the topic to show in the metadata.
const METADATA_WAIT: Duration = Duration::from_secs(30);
/// How long start waits for the first leader election (a broker delays the first
/// rebalance of a new group by `group.initial.rebalance.delay.ms`, 3 s by default).
const FIRST_ELECTION_WAIT: Duration = Duration::from_secs(60);
/// Bound on a write forwarded to the leader.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(60);

/// The registry's settings (Confluent's `SchemaRegistryConfig`, the part used here).
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// `kafkastore.bootstrap.servers`.
    pub bootstrap_servers: String,
    /// `listeners`: where the REST API is served (default `127.0.0.1:8081`).
    pub listener: SocketAddr,
    /// `kafkastore.topic` (default `_schemas`).
    pub topic: String,
    /// `kafkastore.topic.replication.factor` used when creating the topic (default 1;
    /// Confluent's is 3).
    pub topic_replication_factor: i32,
    /// `schema.registry.group.id`: instances with the same group share the topic and
    /// elect one leader (default `schema-registry`).
    pub group_id: String,
    /// `host.name`: how the other instances reach this one. Default: the listener's
    /// address, or `localhost` when it listens on every address.
    pub host_name: Option<String>,
    /// `leader.eligibility` (default true): whether this instance may become the
    /// leader. A follower-only instance answers writes by forwarding them.
    pub leader_eligibility: bool,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            bootstrap_servers: "127.0.0.1:9092".to_owned(),
            listener: SocketAddr::from(([127, 0, 0, 1], 8081)),
            topic: "_schemas".to_owned(),
            topic_replication_factor: 1,
            group_id: "schema-registry".to_owned(),
            host_name: None,
            leader_eligibility: true,
        }
    }
}

/// A running registry: the REST server and the topic reader.
#[derive(Debug)]
pub struct RunningRegistry {
    local_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    election: tokio::task::JoinHandle<()>,
    reader: Reader,
}

impl RunningRegistry {
    /// The REST listener's bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops serving (in-flight requests finish), leaves the leader election (another
    /// instance takes over at once) and stops the reader.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
        let _ = self.election.await;
        self.reader.stop().await;
        tracing::info!(listener = %self.local_addr, "schema registry stopped");
    }
}

/// Creates the topic if needed, reads it to the end, takes part in the leader
/// election and serves the REST API. Returns once the first election is over.
pub async fn start(config: RegistryConfig) -> Result<RunningRegistry, Error> {
    create_topic(&config).await?;
    let store = Arc::new(RwLock::new(Store::default()));
    let (applied_tx, applied) = watch::channel(-1_i64);
    let reader = Reader::start(&config, store.clone(), applied_tx).await?;
    let producer: FutureProducer = client(&config.bootstrap_servers)
        .set("acks", "all")
        .set("enable.idempotence", "true")
        .set("linger.ms", "0")
        .create()
        .map_err(|e| Error::Store(format!("cannot create a producer: {e}")))?;
    let http = reqwest::Client::builder()
        .timeout(FORWARD_TIMEOUT)
        .build()
        .map_err(|e| Error::Store(format!("cannot create an HTTP client: {e}")))?;
    let (leadership_tx, leadership) = watch::channel(Leadership::Electing);
    let service = Arc::new(Service {
        store,
        writer: Writer {
            topic: config.topic.clone(),
            producer,
            applied,
        },
        write_lock: tokio::sync::Mutex::new(()),
        leadership,
        http,
        election: tokio::sync::Notify::new(),
    });
    service.read_to_end().await?;

    let listener = tokio::net::TcpListener::bind(config.listener)
        .await
        .map_err(|e| Error::Store(format!("cannot listen on {}: {e}", config.listener)))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| Error::Store(format!("cannot listen on {}: {e}", config.listener)))?;
    let host = config.host_name.clone().unwrap_or_else(|| {
        if local_addr.ip().is_unspecified() {
            "localhost".to_owned()
        } else {
            local_addr.ip().to_string()
        }
    });
    let identity = Identity::new(host, local_addr.port(), config.leader_eligibility);
    let (shutdown, mut stop) = watch::channel(false);
    let last_error = Arc::new(parking_lot::Mutex::new(None));
    let election = tokio::spawn(leader::run(
        ElectionConfig {
            bootstrap_servers: config.bootstrap_servers.clone(),
            group_id: config.group_id.clone(),
            identity: identity.clone(),
        },
        service.clone(),
        leadership_tx,
        last_error.clone(),
        shutdown.subscribe(),
    ));
    let mut elected = service.leadership.clone();
    let first = tokio::time::timeout(
        FIRST_ELECTION_WAIT,
        elected.wait_for(|l| *l != Leadership::Electing),
    )
    .await;
    if !matches!(first, Ok(Ok(_))) {
        let _ = shutdown.send(true);
        let _ = election.await;
        reader.stop().await;
        let why = last_error
            .lock()
            .clone()
            .unwrap_or_else(|| "the group did not complete a rebalance".to_owned());
        return Err(Error::Store(format!(
            "no leader election in group {} within {}s: {why}",
            config.group_id,
            FIRST_ELECTION_WAIT.as_secs()
        )));
    }

    let app = crate::rest::router(service.clone()).layer(axum::middleware::from_fn_with_state(
        service.clone(),
        leader::forward,
    ));
    let server = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "schema registry server failed");
        }
    });
    {
        let store = service.store.read();
        tracing::info!(
            listener = %local_addr,
            url = %identity.url(),
            topic = %config.topic,
            group = %config.group_id,
            subjects = store.subjects().count(),
            max_id = store.max_id(),
            "schema registry listening"
        );
    }
    Ok(RunningRegistry {
        local_addr,
        shutdown,
        server,
        election,
        reader,
    })
}

fn client(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    config
}

async fn create_topic(config: &RegistryConfig) -> Result<(), Error> {
    let admin: AdminClient<DefaultClientContext> = client(&config.bootstrap_servers)
        .create()
        .map_err(|e| Error::Store(format!("cannot create an admin client: {e}")))?;
    let topic = NewTopic::new(
        &config.topic,
        1,
        TopicReplication::Fixed(config.topic_replication_factor),
    )
    .set("cleanup.policy", "compact");
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results = admin
        .create_topics([&topic], &options)
        .await
        .map_err(|e| Error::Store(format!("cannot create topic {}: {e}", config.topic)))?;
    for result in results {
        match result {
            Ok(_) => tracing::info!(topic = %config.topic, "created the schemas topic"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((_, code)) => {
                return Err(Error::Store(format!(
                    "cannot create topic {}: {code}",
                    config.topic
                )))
            }
        }
    }
    Ok(())
}

/// The registry's state and its writer; what REST handlers talk to.
pub(crate) struct Service {
    store: Arc<RwLock<Store>>,
    writer: Writer,
    /// One write at a time, as Confluent's leader serialises writes.
    write_lock: tokio::sync::Mutex<()>,
    /// Who writes, as the election last said.
    leadership: watch::Receiver<Leadership>,
    /// Sends writes to the leader.
    http: reqwest::Client,
    /// Wakes the election for a new round.
    election: tokio::sync::Notify,
}

impl Service {
    /// Answers from the current state.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T, Error>) -> Result<T, Error> {
        f(&self.store.read())
    }

    /// Reads the topic to its end: writes a NOOP record and waits until the reader
    /// applied it.
    pub(crate) async fn read_to_end(&self) -> Result<(), Error> {
        self.writer
            .append(&[Record {
                key: Key::Noop,
                value: None,
            }])
            .await
    }

    /// The leader, waiting up to `wait` for an election in progress, and for a leader
    /// other than `unreachable` when that one could not be reached.
    pub(crate) async fn leader(&self, unreachable: Option<&str>, wait: Duration) -> Leadership {
        let mut leadership = self.leadership.clone();
        let settled = |l: &Leadership| match l {
            Leadership::Electing => false,
            Leadership::Other(url) => Some(url.as_str()) != unreachable,
            Leadership::Me | Leadership::None(_) => true,
        };
        let _ = tokio::time::timeout(wait, leadership.wait_for(settled)).await;
        let current = leadership.borrow().clone();
        current
    }

    /// Asks the election for a new round (the leader seems gone).
    pub(crate) fn request_election(&self) {
        self.election.notify_one();
    }

    /// Completes when [`Service::request_election`] was called.
    pub(crate) async fn election_requested(&self) {
        self.election.notified().await;
    }

    /// The client that forwards writes.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Plans a write on the current state, appends its records and returns once the
    /// reader applied them.
    pub(crate) async fn write<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<Plan<T>, Error>,
    ) -> Result<T, Error> {
        let _guard = self.write_lock.lock().await;
        let plan = f(&self.store.read())?;
        self.writer.append(&plan.records).await?;
        Ok(plan.result)
    }
}

struct Writer {
    topic: String,
    producer: FutureProducer,
    applied: watch::Receiver<i64>,
}

impl Writer {
    async fn append(&self, records: &[Record]) -> Result<(), Error> {
        let mut last = None;
        for record in records {
            let key = record.key.to_json();
            let mut message = FutureRecord::<str, str>::to(&self.topic)
                .key(&key)
                .partition(0);
            if let Some(value) = &record.value {
                message = message.payload(value);
            }
            let delivery = self
                .producer
                .send(message, Timeout::After(WRITE_TIMEOUT))
                .await
                .map_err(|(e, _)| {
                    Error::Store(format!("cannot write to topic {}: {e}", self.topic))
                })?;
            tracing::debug!(topic = %self.topic, offset = delivery.offset, key = %key, "wrote a schemas record");
            last = Some(delivery.offset);
        }
        let Some(offset) = last else {
            return Ok(());
        };
        let mut applied = self.applied.clone();
        let waited = tokio::time::timeout(WRITE_TIMEOUT, async {
            applied.wait_for(|o| *o >= offset).await.map(|_| ())
        })
        .await;
        match waited {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Error::Store("the schemas topic reader stopped".to_owned())),
            Err(_) => Err(Error::Timeout(format!(
                "offset {offset} of topic {} was not read back in time",
                self.topic
            ))),
        }
    }
}

/// The thread applying the topic's records to the store.
#[derive(Debug)]
struct Reader {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Reader {
    async fn start(
        config: &RegistryConfig,
        store: Arc<RwLock<Store>>,
        applied: watch::Sender<i64>,
    ) -> Result<Self, Error> {
        let consumer: BaseConsumer = client(&config.bootstrap_servers)
            // Assigned, never joins: the group id is only required by librdkafka.
            .set("group.id", format!("schema-registry-{}", config.topic))
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("isolation.level", "read_uncommitted")
            .set("fetch.wait.max.ms", "50")
            .create()
            .map_err(|e| Error::Store(format!("cannot create a consumer: {e}")))?;
        let topic = config.topic.clone();
        let consumer = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + METADATA_WAIT;
            loop {
                let found = consumer
                    .fetch_metadata(Some(&topic), Duration::from_secs(5))
                    .map(|m| {
                        m.topics().iter().any(|t| {
                            t.name() == topic && t.error().is_none() && !t.partitions().is_empty()
                        })
                    })
                    .unwrap_or(false);
                if found {
                    break;
                }
                if std::time::Instant::now() >= deadline {
                    return Err(Error::Store(format!("topic {topic} has no partitions")));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let mut assignment = TopicPartitionList::new();
            assignment
                .add_partition_offset(&topic, 0, Offset::Beginning)
                .and_then(|()| consumer.assign(&assignment))
                .map_err(|e| Error::Store(format!("cannot assign topic {topic}: {e}")))?;
            Ok(consumer)
        })
        .await
        .map_err(|e| Error::Store(e.to_string()))??;

        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let topic = config.topic.clone();
        let thread = std::thread::Builder::new()
            .name(format!("schemas-reader-{topic}"))
            .spawn(move || {
                while !stopping.load(Ordering::Relaxed) {
                    match consumer.poll(Duration::from_millis(50)) {
                        Some(Ok(message)) => {
                            store.write().apply(message.key(), message.payload());
                            applied.send_replace(message.offset());
                        }
                        Some(Err(error)) => {
                            tracing::warn!(%topic, %error, "error reading the schemas topic; retrying");
                        }
                        None => {}
                    }
                }
            })
            .map_err(|e| Error::Store(format!("cannot start the reader thread: {e}")))?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }

    async fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
