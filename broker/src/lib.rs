//! A single-node, durable broker that speaks the Kafka wire protocol, so that
//! `sluice` runs with nothing else installed and any Kafka client works against it.
//!
//! Where to start reading: [`Broker::start`] wires the pieces together;
//! `server` owns sockets and framing, `handlers` has one module per Kafka API
//! family, `topics` owns topic metadata and partitions, `log` is the on-disk
//! log, `group` the consumer-group coordinator (persisted through
//! `offsets_log` into `__consumer_offsets`). Protocol and format code (`batch`,
//! `log::producer`, `group::records`) is pure and property-tested.

pub mod batch;
pub mod config;
pub mod error;
pub mod group;
pub mod handlers;
pub mod log;
mod offsets_log;
pub mod server;
mod state;
pub mod topics;
mod util;

pub use config::BrokerConfig;
pub use error::{Error, Result};

use crate::group::{GroupConfig, GroupCoordinator};
use crate::state::{BrokerState, ProducerIdAllocator};
use crate::topics::{TopicManager, OFFSETS_TOPIC};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running broker. Dropping it without [`Broker::shutdown`] is like a crash:
/// the next start verifies the logs.
#[derive(Debug)]
pub struct Broker {
    state: Arc<BrokerState>,
    addrs: Vec<SocketAddr>,
    shutdown: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
    _lock: std::fs::File,
}

#[derive(Debug, Serialize, Deserialize)]
struct ClusterMeta {
    cluster_id: String,
    node_id: i32,
}

impl Broker {
    /// Opens the data directory, recovers the logs, binds the listeners and
    /// starts serving.
    pub async fn start(config: BrokerConfig) -> Result<Broker> {
        let data_dir = config.data_dir.clone();
        std::fs::create_dir_all(&data_dir).map_err(|e| Error::io(&data_dir, e))?;
        let lock = lock_data_dir(&data_dir)?;
        let cluster_id = cluster_id(&data_dir, config.node_id)?;
        let topics = Arc::new(TopicManager::open(&config)?);
        ensure_offsets_topic(&topics, &config)?;

        let store = Arc::new(offsets_log::OffsetsLog {
            topics: topics.clone(),
        });
        let groups = GroupCoordinator::new(
            GroupConfig {
                initial_rebalance_delay: config.group_initial_rebalance_delay,
                min_session_timeout_ms: config.group_min_session_timeout_ms,
                max_session_timeout_ms: config.group_max_session_timeout_ms,
            },
            store,
            topics.clone(),
        );
        groups.load(offsets_log::read_all(
            &topics,
            config.max_decompressed_bytes,
        ));

        let mut listeners = Vec::new();
        let mut addrs = Vec::new();
        for l in &config.listeners {
            let addr = l.socket_addr_string();
            let listener = TcpListener::bind(&addr)
                .await
                .map_err(|source| Error::Bind {
                    addr: addr.clone(),
                    source,
                })?;
            let local = listener.local_addr().map_err(|source| Error::Bind {
                addr: addr.clone(),
                source,
            })?;
            addrs.push(local);
            listeners.push(listener);
        }
        let mut advertised = config.advertised();
        if advertised.port == 0 {
            advertised.port = addrs.first().map_or(0, |a| a.port());
        }
        let state = Arc::new(BrokerState {
            cluster_id,
            advertised_host: advertised.host.clone(),
            advertised_port: i32::from(advertised.port),
            topics: topics.clone(),
            groups: groups.clone(),
            producer_ids: ProducerIdAllocator::open(data_dir.join("meta").join("producer-ids"))?,
            config,
        });

        let (shutdown, rx) = watch::channel(false);
        let servers = listeners
            .into_iter()
            .map(|l| tokio::spawn(server::serve(l, state.clone(), rx.clone())))
            .collect();
        let background = vec![
            groups.start(),
            tokio::spawn(flusher(state.clone(), rx.clone())),
            tokio::spawn(cleaner(state.clone(), rx.clone())),
        ];
        for a in &addrs {
            tracing::info!(
                listener = %a,
                advertised = %format!("{}:{}", state.advertised_host, state.advertised_port),
                data_dir = %data_dir.display(),
                cluster_id = %state.cluster_id,
                durability = state.config.durability.as_str(),
                "sluice broker listening{}",
                if a.ip().is_loopback() { " (loopback only; set listeners to accept remote clients)" } else { "" }
            );
        }
        Ok(Broker {
            state,
            addrs,
            shutdown,
            servers,
            background,
            _lock: lock,
        })
    }

    /// The first listener's bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addrs[0]
    }

    /// `host:port` for clients' `bootstrap.servers`.
    pub fn bootstrap(&self) -> String {
        format!(
            "{}:{}",
            self.state.advertised_host, self.state.advertised_port
        )
    }

    /// Stops accepting, lets in-flight requests finish, fsyncs and closes every
    /// log, and marks the shutdown clean.
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.shutdown.send(true);
        for s in self.servers {
            let _ = s.await;
        }
        for b in &self.background {
            b.abort();
        }
        self.state.topics.close().await?;
        tracing::info!("broker stopped cleanly");
        Ok(())
    }
}

/// Holds an exclusive lock on `<data>/.lock` for the broker's lifetime.
fn lock_data_dir(dir: &Path) -> Result<std::fs::File> {
    let path = dir.join(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked {
            path: dir.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// Loads the cluster id, or creates one (22 chars of URL-safe base64 of a UUID, like Kafka's).
fn cluster_id(data_dir: &Path, node_id: i32) -> Result<String> {
    let meta_dir = data_dir.join("meta");
    std::fs::create_dir_all(&meta_dir).map_err(|e| Error::io(&meta_dir, e))?;
    let path = meta_dir.join("cluster.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let meta: ClusterMeta = serde_json::from_str(&text).map_err(|e| Error::Metadata {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            if meta.node_id != node_id {
                return Err(Error::Config(format!(
                    "node.id {node_id} does not match node id {} stored in {}; use the same node.id or a new data directory",
                    meta.node_id,
                    path.display()
                )));
            }
            Ok(meta.cluster_id)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let id = base64_url(uuid::Uuid::new_v4().as_bytes());
            let json = serde_json::to_vec_pretty(&ClusterMeta {
                cluster_id: id.clone(),
                node_id,
            })
            .map_err(|e| Error::Config(e.to_string()))?;
            util::write_atomic(&path, &json)?;
            Ok(id)
        }
        Err(e) => Err(Error::io(&path, e)),
    }
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn ensure_offsets_topic(topics: &TopicManager, config: &BrokerConfig) -> Result<()> {
    if topics.get(OFFSETS_TOPIC).is_some() {
        return Ok(());
    }
    let configs = BTreeMap::from([
        ("cleanup.policy".to_string(), "compact".to_string()),
        ("segment.bytes".to_string(), (100 * 1024 * 1024).to_string()),
    ]);
    topics
        .create(
            OFFSETS_TOPIC,
            config.offsets_topic_num_partitions,
            configs,
            true,
            false,
        )
        .map(|_| ())
        .map_err(|e| Error::Config(format!("cannot create {OFFSETS_TOPIC}: {}", e.message)))
}

/// Background fsync for data acknowledged before it was durable (acks=1, or
/// every write under `log.durability=os`).
async fn flusher(state: Arc<BrokerState>, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(state.config.flush_interval);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = state.topics.flush_all().await {
                    tracing::error!(error = %e, "background flush failed");
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}

/// Retention and compaction, every `log.retention.check.interval.ms`.
async fn cleaner(state: Arc<BrokerState>, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(state.config.retention_check_interval);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let topics = state.topics.clone();
                let limit = state.config.max_decompressed_bytes;
                if let Err(e) = tokio::task::spawn_blocking(move || topics.run_cleanup(limit)).await {
                    tracing::error!(error = %e, "log cleanup task failed");
                }
            }
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cluster_ids_look_like_kafkas() {
        let id = super::base64_url(&[0xfb; 16]);
        assert_eq!(id.len(), 22);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
