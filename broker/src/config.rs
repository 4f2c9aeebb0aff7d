//! Broker configuration: Kafka's `server.properties` keys, read from a file and
//! overridden by command-line flags.
//!
//! Only the keys below are understood; any other key is an error, so a typo is
//! never silently ignored. Defaults follow Kafka except where a single node
//! changes the trade-off; each such place says why.

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// When an acknowledged write must be on disk (`log.durability`).
///
/// Kafka acknowledges from the page cache and relies on replicas for durability;
/// a single node has no replicas, so by default `acks=all` waits for an fsync
/// (grouped across every request that arrived meanwhile, so it stays fast).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `acks=all` (-1) waits for fsync; `acks=1` is acknowledged once written to
    /// the OS. The default.
    AcksAll,
    /// Every acknowledged produce (acks=1 too) waits for fsync.
    Always,
    /// Never wait for fsync (Kafka's own behaviour); data is flushed every
    /// `log.flush.interval.ms`, on segment roll and on clean shutdown.
    Os,
}

impl Durability {
    fn parse(s: &str) -> Result<Self> {
        match s {
            "acks-all" => Ok(Durability::AcksAll),
            "always" => Ok(Durability::Always),
            "os" => Ok(Durability::Os),
            other => Err(Error::Config(format!(
                "log.durability must be one of acks-all, always, os (got {other:?})"
            ))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Durability::AcksAll => "acks-all",
            Durability::Always => "always",
            Durability::Os => "os",
        }
    }
}

/// A listener address (`PLAINTEXT://host:port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub host: String,
    pub port: u16,
}

impl Listener {
    pub fn parse(s: &str) -> Result<Self> {
        let rest = s
            .strip_prefix("PLAINTEXT://")
            .or_else(|| s.strip_prefix("plaintext://"))
            .unwrap_or(s);
        if rest.contains("://") {
            return Err(Error::Config(format!(
                "listener {s:?}: only PLAINTEXT listeners are supported"
            )));
        }
        let (host, port) = rest.rsplit_once(':').ok_or_else(|| {
            Error::Config(format!(
                "listener {s:?} must look like PLAINTEXT://host:port"
            ))
        })?;
        let port = port
            .parse()
            .map_err(|_| Error::Config(format!("listener {s:?}: {port:?} is not a port number")))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        Ok(Listener { host, port })
    }

    pub fn socket_addr_string(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Defaults for topics created without explicit configs; each is also a topic
/// config that `CreateTopics` / `AlterConfigs` can set per topic.
#[derive(Debug, Clone)]
pub struct TopicDefaults {
    pub num_partitions: i32,
    pub segment_bytes: u64,
    pub segment_ms: i64,
    pub retention_ms: i64,
    pub retention_bytes: i64,
    pub cleanup_policy: String,
    pub delete_retention_ms: i64,
    pub min_cleanable_dirty_ratio: f64,
    pub max_message_bytes: i32,
    pub index_interval_bytes: u32,
    pub message_timestamp_type: String,
}

impl Default for TopicDefaults {
    fn default() -> Self {
        TopicDefaults {
            num_partitions: 1,
            segment_bytes: 1 << 30,
            segment_ms: 7 * 24 * 3600 * 1000,
            retention_ms: 7 * 24 * 3600 * 1000,
            retention_bytes: -1,
            cleanup_policy: "delete".into(),
            delete_retention_ms: 24 * 3600 * 1000,
            min_cleanable_dirty_ratio: 0.5,
            max_message_bytes: 1_048_588,
            index_interval_bytes: 4096,
            message_timestamp_type: "CreateTime".into(),
        }
    }
}

/// The whole broker configuration.
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    /// Where clients connect. Default `PLAINTEXT://127.0.0.1:9092`: loopback only,
    /// so a fresh install is not reachable from the network until you say so.
    pub listeners: Vec<Listener>,
    /// What Metadata tells clients; defaults to the first listener (with a
    /// wildcard host replaced by 127.0.0.1).
    pub advertised_listener: Option<Listener>,
    /// `log.dirs`: one data directory.
    pub data_dir: PathBuf,
    pub node_id: i32,
    pub auto_create_topics: bool,
    pub durability: Durability,
    pub flush_interval: Duration,
    pub topic_defaults: TopicDefaults,
    /// `socket.request.max.bytes`: larger frames close the connection.
    pub max_request_bytes: usize,
    /// Bound on one batch's decompressed size (`sluice.max.decompressed.bytes`).
    pub max_decompressed_bytes: usize,
    pub group_initial_rebalance_delay: Duration,
    pub group_min_session_timeout_ms: i32,
    pub group_max_session_timeout_ms: i32,
    pub offsets_topic_num_partitions: i32,
    /// How often retention and compaction run (`log.retention.check.interval.ms`).
    pub retention_check_interval: Duration,
    /// Whether a requested replication factor above 1 is accepted (and stored as 1)
    /// instead of failing with INVALID_REPLICATION_FACTOR (`sluice.clamp.replication.factor`).
    pub clamp_replication_factor: bool,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            listeners: vec![Listener {
                host: "127.0.0.1".into(),
                port: 9092,
            }],
            advertised_listener: None,
            data_dir: PathBuf::from("data/broker"),
            node_id: 1,
            auto_create_topics: true,
            durability: Durability::AcksAll,
            flush_interval: Duration::from_millis(1000),
            topic_defaults: TopicDefaults::default(),
            max_request_bytes: 100 * 1024 * 1024,
            max_decompressed_bytes: 128 * 1024 * 1024,
            group_initial_rebalance_delay: Duration::from_millis(0),
            group_min_session_timeout_ms: 6_000,
            group_max_session_timeout_ms: 1_800_000,
            offsets_topic_num_partitions: 1,
            retention_check_interval: Duration::from_secs(300),
            clamp_replication_factor: true,
        }
    }
}

impl BrokerConfig {
    /// Reads a Java-properties style file (`key=value`, `#` comments).
    pub fn from_properties_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut config = BrokerConfig::default();
        for (key, value) in parse_properties(&text) {
            config.set(&key, &value)?;
        }
        Ok(config)
    }

    /// Applies one `key=value` setting, as from the file or `--override key=value`.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let bad = |what: &str| Error::Config(format!("{key}={value:?}: {what}"));
        let int = |v: &str| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| bad("expected an integer"))
        };
        let boolean = |v: &str| match v.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(bad("expected true or false")),
        };
        let d = &mut self.topic_defaults;
        match key {
            "listeners" => {
                self.listeners = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Listener::parse)
                    .collect::<Result<_>>()?;
                if self.listeners.is_empty() {
                    return Err(bad("at least one listener is required"));
                }
            }
            "advertised.listeners" => {
                let first = value.split(',').next().unwrap_or_default().trim();
                self.advertised_listener = if first.is_empty() {
                    None
                } else {
                    Some(Listener::parse(first)?)
                };
            }
            "log.dirs" | "log.dir" => {
                let first = value.split(',').next().unwrap_or_default().trim();
                if first.is_empty() {
                    return Err(bad("a data directory is required"));
                }
                self.data_dir = PathBuf::from(first);
            }
            "node.id" | "broker.id" => {
                self.node_id = i32::try_from(int(value)?).map_err(|_| bad("out of range"))?;
                if self.node_id < 0 {
                    return Err(bad("must be >= 0"));
                }
            }
            "auto.create.topics.enable" => self.auto_create_topics = boolean(value)?,
            "log.durability" => self.durability = Durability::parse(value.trim())?,
            "log.flush.interval.ms" => {
                self.flush_interval = Duration::from_millis(positive(int(value)?, bad)?)
            }
            "num.partitions" => {
                d.num_partitions = i32::try_from(int(value)?)
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| bad("must be > 0"))?
            }
            "log.segment.bytes" => {
                d.segment_bytes = u64::try_from(int(value)?)
                    .ok()
                    .filter(|&n| n >= 1024)
                    .ok_or_else(|| bad("must be >= 1024"))?
            }
            "log.roll.ms" => d.segment_ms = positive(int(value)?, bad)? as i64,
            "log.roll.hours" => d.segment_ms = positive(int(value)?, bad)? as i64 * 3_600_000,
            "log.retention.ms" => d.retention_ms = int(value)?,
            "log.retention.minutes" => d.retention_ms = int(value)? * 60_000,
            "log.retention.hours" => d.retention_ms = int(value)? * 3_600_000,
            "log.retention.bytes" => d.retention_bytes = int(value)?,
            "log.cleanup.policy" => d.cleanup_policy = value.trim().to_string(),
            "log.cleaner.delete.retention.ms" => d.delete_retention_ms = int(value)?,
            "log.cleaner.min.cleanable.ratio" => {
                d.min_cleanable_dirty_ratio =
                    value.trim().parse().map_err(|_| bad("expected a number"))?
            }
            "log.index.interval.bytes" => {
                d.index_interval_bytes =
                    u32::try_from(int(value)?).map_err(|_| bad("out of range"))?
            }
            "message.max.bytes" => {
                d.max_message_bytes = i32::try_from(int(value)?).map_err(|_| bad("out of range"))?
            }
            "log.message.timestamp.type" => match value.trim() {
                "CreateTime" | "LogAppendTime" => {
                    d.message_timestamp_type = value.trim().to_string()
                }
                _ => return Err(bad("expected CreateTime or LogAppendTime")),
            },
            "socket.request.max.bytes" => {
                self.max_request_bytes = usize::try_from(int(value)?)
                    .ok()
                    .filter(|&n| n >= 1024)
                    .ok_or_else(|| bad("must be >= 1024"))?
            }
            "sluice.max.decompressed.bytes" => {
                self.max_decompressed_bytes = usize::try_from(int(value)?)
                    .ok()
                    .filter(|&n| n >= 1024)
                    .ok_or_else(|| bad("must be >= 1024"))?
            }
            "group.initial.rebalance.delay.ms" => {
                self.group_initial_rebalance_delay = Duration::from_millis(
                    u64::try_from(int(value)?).map_err(|_| bad("must be >= 0"))?,
                )
            }
            "group.min.session.timeout.ms" => {
                self.group_min_session_timeout_ms =
                    i32::try_from(int(value)?).map_err(|_| bad("out of range"))?
            }
            "group.max.session.timeout.ms" => {
                self.group_max_session_timeout_ms =
                    i32::try_from(int(value)?).map_err(|_| bad("out of range"))?
            }
            "offsets.topic.num.partitions" => {
                self.offsets_topic_num_partitions = i32::try_from(int(value)?)
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| bad("must be > 0"))?
            }
            "log.retention.check.interval.ms" => {
                self.retention_check_interval = Duration::from_millis(positive(int(value)?, bad)?)
            }
            "sluice.clamp.replication.factor" => self.clamp_replication_factor = boolean(value)?,
            // Accepted for compatibility with existing server.properties files; they
            // have no meaning on a single node.
            "process.roles"
            | "controller.quorum.voters"
            | "controller.listener.names"
            | "inter.broker.listener.name"
            | "listener.security.protocol.map"
            | "num.network.threads"
            | "num.io.threads"
            | "socket.send.buffer.bytes"
            | "socket.receive.buffer.bytes"
            | "num.recovery.threads.per.data.dir"
            | "offsets.topic.replication.factor"
            | "transaction.state.log.replication.factor"
            | "transaction.state.log.min.isr"
            | "default.replication.factor"
            | "min.insync.replicas"
            | "zookeeper.connect"
            | "zookeeper.connection.timeout.ms"
            | "controller.quorum.bootstrap.servers" => {
                tracing::info!(
                    key,
                    "ignoring setting that has no meaning on a single-node broker"
                );
            }
            _ => return Err(Error::Config(format!("unknown broker setting {key:?}"))),
        }
        Ok(())
    }

    /// The address put into Metadata responses.
    pub fn advertised(&self) -> Listener {
        if let Some(a) = &self.advertised_listener {
            return a.clone();
        }
        let first = self.listeners.first().cloned().unwrap_or(Listener {
            host: "127.0.0.1".into(),
            port: 9092,
        });
        match first.host.as_str() {
            "" | "0.0.0.0" | "::" => Listener {
                host: "127.0.0.1".into(),
                port: first.port,
            },
            _ => first,
        }
    }

    /// The broker-level defaults as `(name, value)` pairs, for DescribeConfigs.
    pub fn broker_settings(&self) -> BTreeMap<&'static str, String> {
        let d = &self.topic_defaults;
        let listeners: Vec<String> = self
            .listeners
            .iter()
            .map(|l| format!("PLAINTEXT://{}", l.socket_addr_string()))
            .collect();
        BTreeMap::from([
            ("listeners", listeners.join(",")),
            (
                "advertised.listeners",
                format!("PLAINTEXT://{}", self.advertised().socket_addr_string()),
            ),
            ("log.dirs", self.data_dir.display().to_string()),
            ("node.id", self.node_id.to_string()),
            ("broker.id", self.node_id.to_string()),
            (
                "auto.create.topics.enable",
                self.auto_create_topics.to_string(),
            ),
            ("log.durability", self.durability.as_str().to_string()),
            (
                "log.flush.interval.ms",
                self.flush_interval.as_millis().to_string(),
            ),
            ("num.partitions", d.num_partitions.to_string()),
            ("log.segment.bytes", d.segment_bytes.to_string()),
            ("log.roll.ms", d.segment_ms.to_string()),
            ("log.retention.ms", d.retention_ms.to_string()),
            ("log.retention.bytes", d.retention_bytes.to_string()),
            ("log.cleanup.policy", d.cleanup_policy.clone()),
            (
                "log.cleaner.delete.retention.ms",
                d.delete_retention_ms.to_string(),
            ),
            (
                "log.cleaner.min.cleanable.ratio",
                d.min_cleanable_dirty_ratio.to_string(),
            ),
            (
                "log.index.interval.bytes",
                d.index_interval_bytes.to_string(),
            ),
            ("message.max.bytes", d.max_message_bytes.to_string()),
            (
                "log.message.timestamp.type",
                d.message_timestamp_type.clone(),
            ),
            (
                "socket.request.max.bytes",
                self.max_request_bytes.to_string(),
            ),
            (
                "group.initial.rebalance.delay.ms",
                self.group_initial_rebalance_delay.as_millis().to_string(),
            ),
            (
                "group.min.session.timeout.ms",
                self.group_min_session_timeout_ms.to_string(),
            ),
            (
                "group.max.session.timeout.ms",
                self.group_max_session_timeout_ms.to_string(),
            ),
            (
                "offsets.topic.num.partitions",
                self.offsets_topic_num_partitions.to_string(),
            ),
            ("default.replication.factor", "1".to_string()),
            ("min.insync.replicas", "1".to_string()),
        ])
    }
}

fn positive(v: i64, bad: impl Fn(&str) -> Error) -> Result<u64> {
    u64::try_from(v)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| bad("must be > 0"))
}

/// Parses Java `.properties` text: `key=value` or `key: value` lines, `#`/`!`
/// comments, trailing-backslash continuations.
pub fn parse_properties(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim_start();
        if pending.is_empty() && (line.is_empty() || line.starts_with('#') || line.starts_with('!'))
        {
            continue;
        }
        if let Some(stripped) = line.strip_suffix('\\') {
            pending.push_str(stripped);
            continue;
        }
        pending.push_str(line);
        let entry = std::mem::take(&mut pending);
        let split = entry.find(['=', ':']);
        let (k, v) = match split {
            Some(i) => (&entry[..i], &entry[i + 1..]),
            None => (entry.as_str(), ""),
        };
        out.push((k.trim().to_string(), v.trim().to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_parse_like_java() {
        let p = parse_properties(
            "# c\nlisteners=PLAINTEXT://0.0.0.0:9093\nlog.dirs : /tmp/x\nlong=a\\\n  b\n\n",
        );
        assert_eq!(
            p,
            vec![
                ("listeners".into(), "PLAINTEXT://0.0.0.0:9093".into()),
                ("log.dirs".into(), "/tmp/x".into()),
                ("long".into(), "ab".into())
            ]
        );
    }

    #[test]
    fn settings_apply_and_wildcard_is_advertised_as_loopback() {
        let mut c = BrokerConfig::default();
        c.set("listeners", "PLAINTEXT://0.0.0.0:9093")
            .expect("listeners");
        c.set("num.partitions", "3").expect("partitions");
        c.set("log.durability", "always").expect("durability");
        assert_eq!(
            c.advertised(),
            Listener {
                host: "127.0.0.1".into(),
                port: 9093
            }
        );
        assert_eq!(c.topic_defaults.num_partitions, 3);
        assert_eq!(c.durability, Durability::Always);
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let mut c = BrokerConfig::default();
        let e = c
            .set("num.partitions", "zero")
            .expect_err("not a number")
            .to_string();
        assert!(e.contains("num.partitions") && e.contains("integer"), "{e}");
        assert!(c
            .set("log.dirz", "x")
            .expect_err("unknown")
            .to_string()
            .contains("unknown broker setting"));
        assert!(c.set("listeners", "SSL://h:1").is_err());
        assert!(c.set("log.durability", "sometimes").is_err());
    }
}
