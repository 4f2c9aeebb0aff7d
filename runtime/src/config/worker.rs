//! Worker configuration (Kafka's `WorkerConfig`, `StandaloneConfig` and
//! `DistributedConfig`, with the REST keys of `RestServerConfig`).
//!
//! [`standalone_config_def`] and [`distributed_config_def`] describe every key;
//! [`StandaloneConfig::parse`] and [`DistributedConfig::parse`] turn a raw map (usually
//! from [`read_properties_file`](super::files::read_properties_file)) into typed values.
//! Keys the worker does not define are allowed, since Kafka hands worker settings to its
//! clients, but the ones outside the known pass-through prefixes are listed in
//! [`WorkerConfig::unknown_keys`] so the caller can log them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use connect_api::config::{
    ConfigDef, ConfigErrors, ConfigKey, ConfigType, Importance, ParsedConfig, ParsedValue,
    Validator,
};

use super::{boolean, enum_value, list, millis, non_null, originals_with_prefix, string, typed};

/// `bootstrap.servers`.
pub const BOOTSTRAP_SERVERS_CONFIG: &str = "bootstrap.servers";
/// `key.converter`.
pub const KEY_CONVERTER_CLASS_CONFIG: &str = "key.converter";
/// `value.converter`.
pub const VALUE_CONVERTER_CLASS_CONFIG: &str = "value.converter";
/// `header.converter`.
pub const HEADER_CONVERTER_CLASS_CONFIG: &str = "header.converter";
/// The default `header.converter`.
pub const HEADER_CONVERTER_CLASS_DEFAULT: &str =
    "org.apache.kafka.connect.storage.SimpleHeaderConverter";
/// `offset.storage.file.filename` (standalone).
pub const OFFSET_STORAGE_FILE_FILENAME_CONFIG: &str = "offset.storage.file.filename";
/// `group.id` (distributed).
pub const GROUP_ID_CONFIG: &str = "group.id";

/// Prefixes of settings the worker passes on to its clients, converters and config
/// providers; keys under them are never reported as unknown.
pub const PASS_THROUGH_PREFIXES: &[&str] = &[
    "producer.",
    "consumer.",
    "admin.",
    "key.converter.",
    "value.converter.",
    "header.converter.",
    "config.providers.",
    "listeners.https.",
    "admin.listeners.https.",
    "ssl.",
    "sasl.",
    "security.",
];

/// Kafka's `BOOTSTRAP_SERVERS_DOC`.
const BOOTSTRAP_SERVERS_DOC: &str = "A list of host/port pairs used to establish the initial \
     connection to the Kafka cluster. Clients use this list to bootstrap and discover the full \
     set of Kafka brokers. While the order of servers in the list does not matter, we \
     recommend including more than one server to ensure resilience if any servers are down. \
     This list does not need to contain the entire set of brokers, as Kafka clients \
     automatically manage and update connections to the cluster efficiently. This list must \
     be in the form <code>host1:port1,host2:port2,...</code>.";

fn converter_doc(what: &str) -> String {
    format!(
        "Converter class used to convert between Kafka Connect format and the serialized form \
         that is written to Kafka. This controls the format of the {what} in messages written \
         to or read from Kafka, and since this is independent of connectors it allows any \
         connector to work with any serialization format. Examples of common formats include \
         JSON and Avro."
    )
}

/// Kafka's `ListenersValidator`: a non-empty list without blank entries.
fn listeners_validator() -> Validator {
    Validator::custom(|_, value| match value {
        None => Ok(()),
        Some(ParsedValue::List(items)) if items.is_empty() => Err("Empty list".to_owned()),
        Some(ParsedValue::List(items)) if items.iter().any(|i| i.trim().is_empty()) => {
            Err("Empty URL found when parsing listeners list.".to_owned())
        }
        Some(_) => Ok(()),
    })
}

/// The keys common to both modes (Kafka's `WorkerConfig.baseConfigDef` and
/// `RestServerConfig`).
fn define_common(def: ConfigDef) -> ConfigDef {
    use ConfigType::{Boolean, Class, Int, List, Long, String};
    use Importance::{High, Low, Medium};
    def.define(
        ConfigKey::new(BOOTSTRAP_SERVERS_CONFIG, List, High, BOOTSTRAP_SERVERS_DOC)
            .default_value("localhost:9092"),
    )
    .define(
        ConfigKey::new(
            "client.dns.lookup",
            String,
            Medium,
            "Controls how the client uses DNS lookups. If set to <code>use_all_dns_ips</code>, \
             connect to each returned IP address in sequence until a successful connection is \
             established. If set to <code>resolve_canonical_bootstrap_servers_only</code>, \
             resolve each bootstrap address into a list of canonical names.",
        )
        .default_value("use_all_dns_ips")
        .validator(Validator::one_of([
            "use_all_dns_ips",
            "resolve_canonical_bootstrap_servers_only",
        ])),
    )
    .define(ConfigKey::new(
        KEY_CONVERTER_CLASS_CONFIG,
        Class,
        High,
        converter_doc("keys"),
    ))
    .define(ConfigKey::new(
        VALUE_CONVERTER_CLASS_CONFIG,
        Class,
        High,
        converter_doc("values"),
    ))
    .define(
        ConfigKey::new(
            HEADER_CONVERTER_CLASS_CONFIG,
            Class,
            Low,
            "HeaderConverter class used to convert between Kafka Connect format and the \
             serialized form that is written to Kafka. This controls the format of the header \
             values in messages written to or read from Kafka, and since this is independent \
             of connectors it allows any connector to work with any serialization format. \
             Examples of common formats include JSON and Avro. By default, the \
             SimpleHeaderConverter is used to serialize header values to strings and \
             deserialize them by inferring the schemas.",
        )
        .default_value(HEADER_CONVERTER_CLASS_DEFAULT),
    )
    .define(
        ConfigKey::new(
            "task.shutdown.graceful.timeout.ms",
            Long,
            Low,
            "Amount of time to wait for tasks to shutdown gracefully. This is the total amount \
             of time, not per task. All task have shutdown triggered, then they are waited on \
             sequentially.",
        )
        .default_value("5000"),
    )
    .define(
        ConfigKey::new(
            "offset.flush.interval.ms",
            Long,
            Low,
            "Interval at which to try committing offsets for tasks.",
        )
        .default_value("60000"),
    )
    .define(
        ConfigKey::new(
            "offset.flush.timeout.ms",
            Long,
            Low,
            "Maximum number of milliseconds to wait for records to flush and partition offset \
             data to be committed to offset storage before cancelling the process and \
             restoring the offset data to be committed in a future attempt. This property has \
             no effect for source connectors running with exactly-once support.",
        )
        .default_value("5000"),
    )
    .define(
        ConfigKey::new(
            "listeners",
            List,
            Low,
            "List of comma-separated URIs the REST API will listen on. The supported protocols \
             are HTTP and HTTPS.\n Specify hostname as 0.0.0.0 to bind to all interfaces.\n \
             Leave hostname empty to bind to default interface.\n Examples of legal listener \
             lists: HTTP://myhost:8083,HTTPS://myhost:8084",
        )
        .default_value("http://:8083")
        .validator(listeners_validator()),
    )
    .define(
        ConfigKey::new(
            "rest.advertised.host.name",
            String,
            Low,
            "If this is set, this is the hostname that will be given out to other workers to \
             connect to.",
        )
        .default_null(),
    )
    .define(
        ConfigKey::new(
            "rest.advertised.port",
            Int,
            Low,
            "If this is set, this is the port that will be given out to other workers to \
             connect to.",
        )
        .default_null(),
    )
    .define(
        ConfigKey::new(
            "rest.advertised.listener",
            String,
            Low,
            "Sets the advertised listener (HTTP or HTTPS) which will be given to other workers \
             to use.",
        )
        .default_null(),
    )
    .define(
        ConfigKey::new(
            "access.control.allow.origin",
            String,
            Low,
            "Value to set the Access-Control-Allow-Origin header to for REST API requests.To \
             enable cross origin access, set this to the domain of the application that should \
             be permitted to access the API, or '*' to allow access from any domain. The \
             default value only allows access from the domain of the REST API.",
        )
        .default_value(""),
    )
    .define(
        ConfigKey::new(
            "access.control.allow.methods",
            String,
            Low,
            "Sets the methods supported for cross origin requests by setting the \
             Access-Control-Allow-Methods header. The default value of the \
             Access-Control-Allow-Methods header allows cross origin requests for GET, POST \
             and HEAD.",
        )
        .default_value(""),
    )
    .define(
        ConfigKey::new(
            "admin.listeners",
            List,
            Low,
            "List of comma-separated URIs the Admin REST API will listen on. The supported \
             protocols are HTTP and HTTPS. An empty or blank string will disable this feature. \
             The default behavior is to use the regular listener (specified by the 'listeners' \
             property).",
        )
        .default_null(),
    )
    .define(
        ConfigKey::new(
            "rest.extension.classes",
            List,
            Low,
            "Comma-separated names of <code>ConnectRestExtension</code> classes, loaded and \
             called in the order specified. Implementing the interface  \
             <code>ConnectRestExtension</code> allows you to inject into Connect's REST API \
             user defined resources like filters. Typically used to add custom capability like \
             logging, security, etc. ",
        )
        .default_value(""),
    )
    .define(
        ConfigKey::new(
            "response.http.headers.config",
            String,
            Low,
            "Rules for REST API HTTP response headers",
        )
        .default_value(""),
    )
    .define(
        ConfigKey::new(
            "plugin.path",
            List,
            Low,
            "List of paths separated by commas (,) that contain plugins (connectors, \
             converters, transformations). sluice has no dynamic plugin loading: its plugins \
             are built in, so this setting is accepted for compatibility only.",
        )
        .default_null(),
    )
    .define(
        ConfigKey::new(
            "plugin.discovery",
            String,
            Low,
            "Method to use to discover plugins present in the classpath and plugin.path \
             configuration. One of only_scan, hybrid_warn, hybrid_fail, service_load. Accepted \
             for compatibility; sluice's plugins are built in.",
        )
        .default_value("hybrid_warn")
        .validator(Validator::CaseInsensitiveValidString(
            PluginDiscovery::ALL
                .iter()
                .map(|d| d.name().to_owned())
                .collect(),
        )),
    )
    .define(
        ConfigKey::new(
            "config.providers",
            List,
            Low,
            "Comma-separated names of <code>ConfigProvider</code> classes, loaded and used in \
             the order specified. Implementing the interface  <code>ConfigProvider</code> \
             allows you to replace variable references in connector configurations, such as \
             for externalized secrets. ",
        )
        .default_value(""),
    )
    .define(
        ConfigKey::new(
            "connector.client.config.override.policy",
            String,
            Medium,
            "Class name or alias of implementation of \
             <code>ConnectorClientConfigOverridePolicy</code>. Defines what client \
             configurations can be overridden by the connector. The default implementation is \
             `All`, meaning connector configurations can override all client properties. The \
             other possible policies in the framework include `None` to disallow connectors \
             from overriding client properties, and `Principal` to allow connectors to \
             override only client principals.",
        )
        .default_value("All"),
    )
    .define(
        ConfigKey::new(
            "topic.tracking.enable",
            Boolean,
            Low,
            "Enable tracking the set of active topics per connector during runtime.",
        )
        .default_value("true"),
    )
    .define(
        ConfigKey::new(
            "topic.tracking.allow.reset",
            Boolean,
            Low,
            "If set to true, it allows user requests to reset the set of active topics per \
             connector.",
        )
        .default_value("true"),
    )
    .define(
        ConfigKey::new(
            "topic.creation.enable",
            Boolean,
            Low,
            "Whether to allow automatic creation of topics used by source connectors, when \
             source connectors are configured with `topic.creation.` properties. Each task \
             will use an admin client to create its topics and will not depend on the Kafka \
             brokers to create topics automatically.",
        )
        .default_value("true"),
    )
    .define(
        ConfigKey::new(
            "client.id",
            String,
            Low,
            "An id string to pass to the server when making requests. The purpose of this is \
             to be able to track the source of requests beyond just ip/port by allowing a \
             logical application name to be included in server-side request logging.",
        )
        .default_value(""),
    )
    .define(
        ConfigKey::new(
            "metrics.sample.window.ms",
            Long,
            Low,
            "The window of time a metrics sample is computed over.",
        )
        .default_value("30000")
        .validator(Validator::at_least(0)),
    )
    .define(
        ConfigKey::new(
            "metrics.num.samples",
            Int,
            Low,
            "The number of samples maintained to compute metrics.",
        )
        .default_value("2")
        .validator(Validator::at_least(1)),
    )
    .define(
        ConfigKey::new(
            "metrics.recording.level",
            String,
            Low,
            "The highest recording level for metrics.",
        )
        .default_value("INFO")
        .validator(Validator::one_of(["INFO", "DEBUG"])),
    )
}

/// The worker keys common to both modes.
pub fn worker_config_def() -> ConfigDef {
    define_common(ConfigDef::new())
}

/// Every key of a standalone worker (Kafka's `StandaloneConfig`).
pub fn standalone_config_def() -> ConfigDef {
    worker_config_def().define(ConfigKey::new(
        OFFSET_STORAGE_FILE_FILENAME_CONFIG,
        ConfigType::String,
        Importance::High,
        "File to store offset data in",
    ))
}

/// Kafka's `PARTITIONS_VALIDATOR`: positive, or -1 for the broker's default.
fn partitions_validator() -> Validator {
    Validator::custom(|_, value| match value {
        Some(ParsedValue::Int(n)) if *n != -1 && *n < 1 => Err(
            "Number of partitions must be positive, or -1 to use the broker's default".to_owned(),
        ),
        _ => Ok(()),
    })
}

/// Kafka's `REPLICATION_FACTOR_VALIDATOR`: positive, or -1 for the broker's default.
fn replication_factor_validator() -> Validator {
    Validator::custom(|_, value| match value {
        Some(ParsedValue::Short(n)) if *n != -1 && *n < 1 => Err(
            "Replication factor must be positive and not larger than the number of brokers in \
             the Kafka cluster, or -1 to use the broker's default"
                .to_owned(),
        ),
        _ => Ok(()),
    })
}

fn define_internal_topic(
    def: ConfigDef,
    prefix: &str,
    what: &str,
    partitions: Option<&str>,
) -> ConfigDef {
    let def = def
        .define(ConfigKey::new(
            format!("{prefix}.topic"),
            ConfigType::String,
            Importance::High,
            format!("The name of the Kafka topic where {what} are stored"),
        ))
        .define(
            ConfigKey::new(
                format!("{prefix}.replication.factor"),
                ConfigType::Short,
                Importance::Low,
                format!(
                    "Replication factor used when creating the {what} storage topic. Can be \
                     -1 to use the broker's default"
                ),
            )
            .default_value("3")
            .validator(replication_factor_validator()),
        );
    match partitions {
        None => def,
        Some(default) => def.define(
            ConfigKey::new(
                format!("{prefix}.partitions"),
                ConfigType::Int,
                Importance::Low,
                format!(
                    "The number of partitions used when creating the {what} storage topic. \
                     Can be -1 to use the broker's default"
                ),
            )
            .default_value(default)
            .validator(partitions_validator()),
        ),
    }
}

/// Every key of a distributed worker (Kafka's `DistributedConfig`).
pub fn distributed_config_def() -> ConfigDef {
    use ConfigType::{Int, List, String};
    use Importance::{High, Low, Medium};
    let def = worker_config_def()
        .define(ConfigKey::new(
            GROUP_ID_CONFIG,
            String,
            High,
            "A unique string that identifies the Connect cluster group this worker belongs to.",
        ))
        .define(
            ConfigKey::new(
                "session.timeout.ms",
                Int,
                High,
                "The timeout used to detect worker failures. The worker sends periodic \
                 heartbeats to indicate its liveness to the broker. If no heartbeats are \
                 received by the broker before the expiration of this session timeout, then \
                 the broker will remove the worker from the group and initiate a rebalance.",
            )
            .default_value("10000"),
        )
        .define(
            ConfigKey::new(
                "heartbeat.interval.ms",
                Int,
                High,
                "The expected time between heartbeats to the group coordinator when using \
                 Kafka's group management facilities. Heartbeats are used to ensure that the \
                 worker's session stays active and to facilitate rebalancing when new members \
                 join or leave the group. The value must be set lower than \
                 <code>session.timeout.ms</code>, but typically should be set no higher than \
                 1/3 of that value.",
            )
            .default_value("3000"),
        )
        .define(
            ConfigKey::new(
                "rebalance.timeout.ms",
                Int,
                High,
                "The maximum allowed time for each worker to join the group once a rebalance \
                 has begun. This is basically a limit on the amount of time needed for all \
                 tasks to flush any pending data and commit offsets. If the timeout is \
                 exceeded, then the worker will be removed from the group, which will cause \
                 offset commit failures.",
            )
            .default_value("60000"),
        )
        .define(
            ConfigKey::new(
                "worker.sync.timeout.ms",
                Int,
                Medium,
                "When the worker is out of sync with other workers and needs to resynchronize \
                 configurations, wait up to this amount of time before giving up, leaving the \
                 group, and waiting a backoff period before rejoining.",
            )
            .default_value("3000"),
        )
        .define(
            ConfigKey::new(
                "worker.unsync.backoff.ms",
                Int,
                Medium,
                "When the worker is out of sync with other workers and  fails to catch up \
                 within worker.sync.timeout.ms, leave the Connect cluster for this long before \
                 rejoining.",
            )
            .default_value("300000"),
        );
    let def = define_internal_topic(def, "offset.storage", "offsets", Some("25"));
    let def = define_internal_topic(def, "config.storage", "configuration", None);
    let def = define_internal_topic(def, "status.storage", "status", Some("5"));
    def.define(
        ConfigKey::new(
            "connect.protocol",
            String,
            Low,
            "Compatibility mode for Kafka Connect Protocol",
        )
        .default_value("sessioned")
        .validator(Validator::CaseInsensitiveValidString(
            ConnectProtocol::ALL
                .iter()
                .map(|p| p.name().to_owned())
                .collect(),
        )),
    )
    .define(
        ConfigKey::new(
            "scheduled.rebalance.max.delay.ms",
            Int,
            Low,
            "The maximum delay that is scheduled in order to wait for the return of one or \
             more departed workers before rebalancing and reassigning their connectors and \
             tasks to the group. During this period the connectors and tasks of the departed \
             workers remain unassigned",
        )
        .default_value("300000")
        .validator(Validator::range(Some(0), Some(i64::from(i32::MAX)))),
    )
    .define(
        ConfigKey::new(
            "inter.worker.key.generation.algorithm",
            String,
            Low,
            "The algorithm to use for generating internal request keys. The algorithm \
             'HmacSHA256' will be used as a default on JVMs that support it; on other JVMs, no \
             default is used and a value for this property must be manually specified in the \
             worker config.",
        )
        .default_value("HmacSHA256"),
    )
    .define(
        ConfigKey::new(
            "inter.worker.key.size",
            Int,
            Medium,
            "The size of the key to use for signing internal requests, in bits. If null, the \
             default key size for the key generation algorithm will be used.",
        )
        .default_null(),
    )
    .define(
        ConfigKey::new(
            "inter.worker.key.ttl.ms",
            Int,
            Low,
            "The TTL of generated session keys used for internal request validation (in \
             milliseconds)",
        )
        .default_value("3600000")
        .validator(Validator::range(Some(0), Some(i64::from(i32::MAX)))),
    )
    .define(
        ConfigKey::new(
            "inter.worker.signature.algorithm",
            String,
            Low,
            "The algorithm used to sign internal requestsThe algorithm \
             'inter.worker.signature.algorithm' will be used as a default on JVMs that support \
             it; on other JVMs, no default is used and a value for this property must be \
             manually specified in the worker config.",
        )
        .default_value("HmacSHA256"),
    )
    .define(
        ConfigKey::new(
            "inter.worker.verification.algorithms",
            List,
            Low,
            "A list of permitted algorithms for verifying internal requests, which must \
             include the algorithm used for the inter.worker.signature.algorithm property.",
        )
        .default_value("HmacSHA256"),
    )
    .define(
        ConfigKey::new(
            "exactly.once.source.support",
            String,
            High,
            "Whether to enable exactly-once support for source connectors in the cluster by \
             using transactions to write source records and their source offsets, and by \
             proactively fencing out old task generations before bringing up new ones.\nTo \
             enable exactly-once source support on a new cluster, set this property to \
             'enabled'. To enable support on an existing cluster, first set to 'preparing' on \
             every worker in the cluster, then set to 'enabled'. A rolling upgrade may be used \
             for both changes.",
        )
        .default_value("disabled")
        .validator(Validator::CaseInsensitiveValidString(
            ExactlyOnceSourceSupport::ALL
                .iter()
                .map(|s| s.name().to_owned())
                .collect(),
        )),
    )
}

config_enum! {
    /// `plugin.discovery` (Kafka's `PluginDiscoveryMode`).
    PluginDiscovery {
        /// `only_scan`.
        OnlyScan => "only_scan",
        /// `hybrid_warn` (the default).
        HybridWarn => "hybrid_warn",
        /// `hybrid_fail`.
        HybridFail => "hybrid_fail",
        /// `service_load`.
        ServiceLoad => "service_load",
    }
}

config_enum! {
    /// `connect.protocol` (Kafka's `ConnectProtocolCompatibility`).
    ConnectProtocol {
        /// `eager`: stop everything on every rebalance.
        Eager => "eager",
        /// `compatible`: incremental cooperative rebalancing.
        Compatible => "compatible",
        /// `sessioned` (the default): incremental, with signed internal requests.
        Sessioned => "sessioned",
    }
}

config_enum! {
    /// `exactly.once.source.support` (KIP-618).
    ExactlyOnceSourceSupport {
        /// `disabled` (the default).
        Disabled => "disabled",
        /// `enabled`.
        Enabled => "enabled",
        /// `preparing`: fence zombie tasks without using transactions yet.
        Preparing => "preparing",
    }
}

/// Which converter a `*.converter.*` prefix belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConverterRole {
    /// `key.converter`.
    Key,
    /// `value.converter`.
    Value,
    /// `header.converter`.
    Header,
}

impl ConverterRole {
    /// The key naming the converter class.
    pub fn config_key(self) -> &'static str {
        match self {
            Self::Key => KEY_CONVERTER_CLASS_CONFIG,
            Self::Value => VALUE_CONVERTER_CLASS_CONFIG,
            Self::Header => HEADER_CONVERTER_CLASS_CONFIG,
        }
    }

    /// The prefix of the converter's own settings, e.g. `key.converter.`.
    pub fn prefix(self) -> String {
        format!("{}.", self.config_key())
    }
}

fn opt_string(parsed: &ParsedConfig, name: &str) -> Result<Option<String>, ConfigErrors> {
    Ok(typed(name, parsed.get_string(name))?.map(str::to_owned))
}

fn class(parsed: &ParsedConfig, name: &str) -> Result<String, ConfigErrors> {
    non_null(name, parsed.get_class(name)).map(str::to_owned)
}

fn long_ms(parsed: &ParsedConfig, name: &str) -> Result<Duration, ConfigErrors> {
    non_null(name, parsed.get_long(name)).map(millis)
}

fn int_ms(parsed: &ParsedConfig, name: &str) -> Result<Duration, ConfigErrors> {
    non_null(name, parsed.get_int(name)).map(|v| millis(i64::from(v)))
}

/// The settings common to both worker modes.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerConfig {
    /// `bootstrap.servers`.
    pub bootstrap_servers: Vec<String>,
    /// `client.dns.lookup`.
    pub client_dns_lookup: String,
    /// `key.converter` (required).
    pub key_converter: String,
    /// `value.converter` (required).
    pub value_converter: String,
    /// `header.converter`.
    pub header_converter: String,
    /// `task.shutdown.graceful.timeout.ms`.
    pub task_shutdown_graceful_timeout: Duration,
    /// `offset.flush.interval.ms`.
    pub offset_flush_interval: Duration,
    /// `offset.flush.timeout.ms`.
    pub offset_flush_timeout: Duration,
    /// `listeners`: the REST API URIs.
    pub listeners: Vec<String>,
    /// `rest.advertised.host.name`.
    pub rest_advertised_host_name: Option<String>,
    /// `rest.advertised.port`.
    pub rest_advertised_port: Option<i32>,
    /// `rest.advertised.listener` (`http` or `https`).
    pub rest_advertised_listener: Option<String>,
    /// `access.control.allow.origin` (empty: same origin only).
    pub access_control_allow_origin: String,
    /// `access.control.allow.methods`.
    pub access_control_allow_methods: String,
    /// `admin.listeners`; `None` serves the admin API on `listeners`, empty disables it.
    pub admin_listeners: Option<Vec<String>>,
    /// `rest.extension.classes`.
    pub rest_extension_classes: Vec<String>,
    /// `response.http.headers.config`.
    pub response_http_headers_config: String,
    /// `plugin.path` (empty when unset).
    pub plugin_path: Vec<String>,
    /// `plugin.discovery`.
    pub plugin_discovery: PluginDiscovery,
    /// `config.providers`.
    pub config_providers: Vec<String>,
    /// `connector.client.config.override.policy`.
    pub connector_client_config_override_policy: String,
    /// `topic.tracking.enable`.
    pub topic_tracking_enable: bool,
    /// `topic.tracking.allow.reset`.
    pub topic_tracking_allow_reset: bool,
    /// `topic.creation.enable`.
    pub topic_creation_enable: bool,
    /// `client.id`.
    pub client_id: String,
    /// `metrics.sample.window.ms`.
    pub metrics_sample_window: Duration,
    /// `metrics.num.samples`.
    pub metrics_num_samples: i32,
    /// `metrics.recording.level`.
    pub metrics_recording_level: String,
    /// The raw map the configuration was parsed from.
    pub originals: BTreeMap<String, String>,
    /// Keys that are neither defined for the worker's mode nor under one of the
    /// [`PASS_THROUGH_PREFIXES`], in key order; log them (Kafka's "was supplied but isn't a
    /// known config").
    pub unknown_keys: Vec<String>,
}

impl WorkerConfig {
    /// Reads the common keys from a configuration parsed with `def` (a mode's definition).
    fn from_parsed(parsed: &ParsedConfig, def: &ConfigDef) -> Result<Self, ConfigErrors> {
        let originals = parsed.originals().clone();
        let unknown_keys = originals
            .keys()
            .filter(|k| def.key(k).is_none())
            .filter(|k| !PASS_THROUGH_PREFIXES.iter().any(|p| k.starts_with(p)))
            .cloned()
            .collect();
        Ok(Self {
            bootstrap_servers: list(parsed, BOOTSTRAP_SERVERS_CONFIG)?,
            client_dns_lookup: string(parsed, "client.dns.lookup")?,
            key_converter: class(parsed, KEY_CONVERTER_CLASS_CONFIG)?,
            value_converter: class(parsed, VALUE_CONVERTER_CLASS_CONFIG)?,
            header_converter: class(parsed, HEADER_CONVERTER_CLASS_CONFIG)?,
            task_shutdown_graceful_timeout: long_ms(parsed, "task.shutdown.graceful.timeout.ms")?,
            offset_flush_interval: long_ms(parsed, "offset.flush.interval.ms")?,
            offset_flush_timeout: long_ms(parsed, "offset.flush.timeout.ms")?,
            listeners: list(parsed, "listeners")?,
            rest_advertised_host_name: opt_string(parsed, "rest.advertised.host.name")?,
            rest_advertised_port: typed(
                "rest.advertised.port",
                parsed.get_int("rest.advertised.port"),
            )?,
            rest_advertised_listener: opt_string(parsed, "rest.advertised.listener")?,
            access_control_allow_origin: string(parsed, "access.control.allow.origin")?,
            access_control_allow_methods: string(parsed, "access.control.allow.methods")?,
            admin_listeners: typed("admin.listeners", parsed.get_list("admin.listeners"))?
                .map(<[String]>::to_vec),
            rest_extension_classes: list(parsed, "rest.extension.classes")?,
            response_http_headers_config: string(parsed, "response.http.headers.config")?,
            plugin_path: list(parsed, "plugin.path")?,
            plugin_discovery: enum_value(parsed, "plugin.discovery", PluginDiscovery::parse)?,
            config_providers: list(parsed, "config.providers")?,
            connector_client_config_override_policy: string(
                parsed,
                "connector.client.config.override.policy",
            )?,
            topic_tracking_enable: boolean(parsed, "topic.tracking.enable")?,
            topic_tracking_allow_reset: boolean(parsed, "topic.tracking.allow.reset")?,
            topic_creation_enable: boolean(parsed, "topic.creation.enable")?,
            client_id: string(parsed, "client.id")?,
            metrics_sample_window: long_ms(parsed, "metrics.sample.window.ms")?,
            metrics_num_samples: non_null(
                "metrics.num.samples",
                parsed.get_int("metrics.num.samples"),
            )?,
            metrics_recording_level: string(parsed, "metrics.recording.level")?,
            originals,
            unknown_keys,
        })
    }

    /// The `producer.*` settings, prefix removed.
    pub fn producer_configs(&self) -> BTreeMap<String, String> {
        originals_with_prefix(&self.originals, "producer.")
    }

    /// The `consumer.*` settings, prefix removed.
    pub fn consumer_configs(&self) -> BTreeMap<String, String> {
        originals_with_prefix(&self.originals, "consumer.")
    }

    /// The `admin.*` settings, prefix removed.
    pub fn admin_configs(&self) -> BTreeMap<String, String> {
        originals_with_prefix(&self.originals, "admin.")
    }

    /// The settings of one converter (`key.converter.*`, ...), prefix removed; these are
    /// what the converter's `configure` receives.
    pub fn converter_configs(&self, role: ConverterRole) -> BTreeMap<String, String> {
        originals_with_prefix(&self.originals, &role.prefix())
    }

    /// The class of one converter.
    pub fn converter_class(&self, role: ConverterRole) -> &str {
        match role {
            ConverterRole::Key => &self.key_converter,
            ConverterRole::Value => &self.value_converter,
            ConverterRole::Header => &self.header_converter,
        }
    }
}

/// A standalone worker's configuration (Kafka's `StandaloneConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct StandaloneConfig {
    /// The common settings.
    pub worker: WorkerConfig,
    /// `offset.storage.file.filename`: where source offsets are kept.
    pub offset_storage_file_filename: PathBuf,
}

impl StandaloneConfig {
    /// Parses a standalone worker configuration, reporting every problem at once.
    pub fn parse(props: &BTreeMap<String, String>) -> Result<Self, ConfigErrors> {
        let def = standalone_config_def();
        let parsed = def.parse(props)?;
        Ok(Self {
            worker: WorkerConfig::from_parsed(&parsed, &def)?,
            offset_storage_file_filename: string(&parsed, OFFSET_STORAGE_FILE_FILENAME_CONFIG)?
                .into(),
        })
    }
}

/// One internal topic of a distributed worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalTopic {
    /// `*.storage.topic`.
    pub name: String,
    /// `*.storage.replication.factor`; -1 for the broker's default.
    pub replication_factor: i16,
    /// `*.storage.partitions`; -1 for the broker's default. Always 1 for the config topic.
    pub partitions: i32,
}

impl InternalTopic {
    fn from_parsed(parsed: &ParsedConfig, prefix: &str) -> Result<Self, ConfigErrors> {
        let partitions_key = format!("{prefix}.partitions");
        let partitions = match parsed.values().contains_key(&partitions_key) {
            true => non_null(&partitions_key, parsed.get_int(&partitions_key))?,
            false => 1,
        };
        let replication_key = format!("{prefix}.replication.factor");
        Ok(Self {
            name: string(parsed, &format!("{prefix}.topic"))?,
            replication_factor: non_null(&replication_key, parsed.get_short(&replication_key))?,
            partitions,
        })
    }
}

/// A distributed worker's configuration (Kafka's `DistributedConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct DistributedConfig {
    /// The common settings.
    pub worker: WorkerConfig,
    /// `group.id`: the Connect cluster.
    pub group_id: String,
    /// `session.timeout.ms`.
    pub session_timeout: Duration,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval: Duration,
    /// `rebalance.timeout.ms`.
    pub rebalance_timeout: Duration,
    /// `worker.sync.timeout.ms`.
    pub worker_sync_timeout: Duration,
    /// `worker.unsync.backoff.ms`.
    pub worker_unsync_backoff: Duration,
    /// `config.storage.*`.
    pub config_storage: InternalTopic,
    /// `offset.storage.*`.
    pub offset_storage: InternalTopic,
    /// `status.storage.*`.
    pub status_storage: InternalTopic,
    /// `connect.protocol`.
    pub connect_protocol: ConnectProtocol,
    /// `scheduled.rebalance.max.delay.ms`.
    pub scheduled_rebalance_max_delay: Duration,
    /// `inter.worker.key.generation.algorithm`.
    pub inter_worker_key_generation_algorithm: String,
    /// `inter.worker.key.size` in bits; `None` for the algorithm's default.
    pub inter_worker_key_size: Option<i32>,
    /// `inter.worker.key.ttl.ms`.
    pub inter_worker_key_ttl: Duration,
    /// `inter.worker.signature.algorithm`.
    pub inter_worker_signature_algorithm: String,
    /// `inter.worker.verification.algorithms`.
    pub inter_worker_verification_algorithms: Vec<String>,
    /// `exactly.once.source.support`.
    pub exactly_once_source_support: ExactlyOnceSourceSupport,
}

impl DistributedConfig {
    /// Parses a distributed worker configuration, reporting every problem at once.
    pub fn parse(props: &BTreeMap<String, String>) -> Result<Self, ConfigErrors> {
        let def = distributed_config_def();
        let parsed = def.parse(props)?;
        Ok(Self {
            worker: WorkerConfig::from_parsed(&parsed, &def)?,
            group_id: string(&parsed, GROUP_ID_CONFIG)?,
            session_timeout: int_ms(&parsed, "session.timeout.ms")?,
            heartbeat_interval: int_ms(&parsed, "heartbeat.interval.ms")?,
            rebalance_timeout: int_ms(&parsed, "rebalance.timeout.ms")?,
            worker_sync_timeout: int_ms(&parsed, "worker.sync.timeout.ms")?,
            worker_unsync_backoff: int_ms(&parsed, "worker.unsync.backoff.ms")?,
            config_storage: InternalTopic::from_parsed(&parsed, "config.storage")?,
            offset_storage: InternalTopic::from_parsed(&parsed, "offset.storage")?,
            status_storage: InternalTopic::from_parsed(&parsed, "status.storage")?,
            connect_protocol: enum_value(&parsed, "connect.protocol", ConnectProtocol::parse)?,
            scheduled_rebalance_max_delay: int_ms(&parsed, "scheduled.rebalance.max.delay.ms")?,
            inter_worker_key_generation_algorithm: string(
                &parsed,
                "inter.worker.key.generation.algorithm",
            )?,
            inter_worker_key_size: typed(
                "inter.worker.key.size",
                parsed.get_int("inter.worker.key.size"),
            )?,
            inter_worker_key_ttl: int_ms(&parsed, "inter.worker.key.ttl.ms")?,
            inter_worker_signature_algorithm: string(&parsed, "inter.worker.signature.algorithm")?,
            inter_worker_verification_algorithms: list(
                &parsed,
                "inter.worker.verification.algorithms",
            )?,
            exactly_once_source_support: enum_value(
                &parsed,
                "exactly.once.source.support",
                ExactlyOnceSourceSupport::parse,
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const JSON: &str = "org.apache.kafka.connect.json.JsonConverter";

    fn messages(errors: &ConfigErrors) -> Vec<&str> {
        errors.errors().iter().map(|e| e.message.as_str()).collect()
    }

    #[test]
    fn standalone_defaults_match_kafka() -> Result<(), ConfigErrors> {
        let config = StandaloneConfig::parse(&map(&[
            ("key.converter", JSON),
            ("value.converter", JSON),
            ("offset.storage.file.filename", "/tmp/connect.offsets"),
        ]))?;
        let worker = &config.worker;
        assert_eq!(worker.bootstrap_servers, ["localhost:9092"]);
        assert_eq!(worker.header_converter, HEADER_CONVERTER_CLASS_DEFAULT);
        assert_eq!(worker.offset_flush_interval, Duration::from_secs(60));
        assert_eq!(worker.offset_flush_timeout, Duration::from_secs(5));
        assert_eq!(
            worker.task_shutdown_graceful_timeout,
            Duration::from_secs(5)
        );
        assert_eq!(worker.listeners, ["http://:8083"]);
        assert_eq!(worker.rest_advertised_port, None);
        assert_eq!(worker.admin_listeners, None);
        assert!(worker.plugin_path.is_empty());
        assert_eq!(worker.plugin_discovery, PluginDiscovery::HybridWarn);
        assert_eq!(worker.connector_client_config_override_policy, "All");
        assert!(worker.topic_creation_enable && worker.topic_tracking_enable);
        assert!(worker.topic_tracking_allow_reset);
        assert!(worker.unknown_keys.is_empty());
        assert_eq!(
            config.offset_storage_file_filename,
            PathBuf::from("/tmp/connect.offsets")
        );
        Ok(())
    }

    #[test]
    fn missing_required_keys_are_all_reported() {
        let errors = StandaloneConfig::parse(&BTreeMap::new()).err();
        let messages = errors.as_ref().map(messages).unwrap_or_default();
        assert_eq!(
            messages,
            [
                "Missing required configuration \"key.converter\" which has no default value.",
                "Missing required configuration \"value.converter\" which has no default value.",
                "Missing required configuration \"offset.storage.file.filename\" which has no \
                 default value.",
            ]
        );
    }

    fn distributed_props(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut props = map(&[
            ("bootstrap.servers", "broker1:9092, broker2:9092"),
            ("group.id", "connect-cluster"),
            ("key.converter", JSON),
            ("value.converter", JSON),
            ("offset.storage.topic", "connect-offsets"),
            ("config.storage.topic", "connect-configs"),
            ("status.storage.topic", "connect-status"),
        ]);
        props.extend(map(extra));
        props
    }

    #[test]
    fn distributed_defaults_match_kafka() -> Result<(), ConfigErrors> {
        let config = DistributedConfig::parse(&distributed_props(&[]))?;
        assert_eq!(
            config.worker.bootstrap_servers,
            ["broker1:9092", "broker2:9092"]
        );
        assert_eq!(config.group_id, "connect-cluster");
        assert_eq!(config.session_timeout, Duration::from_secs(10));
        assert_eq!(config.heartbeat_interval, Duration::from_secs(3));
        assert_eq!(config.rebalance_timeout, Duration::from_secs(60));
        assert_eq!(config.worker_sync_timeout, Duration::from_secs(3));
        assert_eq!(config.worker_unsync_backoff, Duration::from_secs(300));
        assert_eq!(
            config.offset_storage,
            InternalTopic {
                name: "connect-offsets".to_owned(),
                replication_factor: 3,
                partitions: 25
            }
        );
        assert_eq!(config.config_storage.partitions, 1);
        assert_eq!(config.status_storage.partitions, 5);
        assert_eq!(config.connect_protocol, ConnectProtocol::Sessioned);
        assert_eq!(
            config.scheduled_rebalance_max_delay,
            Duration::from_secs(300)
        );
        assert_eq!(config.inter_worker_key_ttl, Duration::from_secs(3600));
        assert_eq!(config.inter_worker_verification_algorithms, ["HmacSHA256"]);
        assert_eq!(
            config.exactly_once_source_support,
            ExactlyOnceSourceSupport::Disabled
        );
        Ok(())
    }

    #[test]
    fn distributed_overrides_and_case_insensitive_enums() -> Result<(), ConfigErrors> {
        let config = DistributedConfig::parse(&distributed_props(&[
            ("connect.protocol", "EAGER"),
            ("exactly.once.source.support", "Enabled"),
            ("offset.storage.partitions", "-1"),
            ("status.storage.replication.factor", "-1"),
            ("plugin.discovery", "ONLY_SCAN"),
        ]))?;
        assert_eq!(config.connect_protocol, ConnectProtocol::Eager);
        assert_eq!(
            config.exactly_once_source_support,
            ExactlyOnceSourceSupport::Enabled
        );
        assert_eq!(config.offset_storage.partitions, -1);
        assert_eq!(config.status_storage.replication_factor, -1);
        assert_eq!(config.worker.plugin_discovery, PluginDiscovery::OnlyScan);
        Ok(())
    }

    #[test]
    fn distributed_rejects_bad_values_with_kafka_messages() {
        let errors = DistributedConfig::parse(&distributed_props(&[
            ("offset.storage.partitions", "0"),
            ("config.storage.replication.factor", "0"),
            ("connect.protocol", "fast"),
            ("listeners", ""),
        ]))
        .err();
        let messages = errors.as_ref().map(messages).unwrap_or_default();
        assert_eq!(
            messages,
            [
                "Invalid value [] for configuration listeners: Empty list",
                "Invalid value 0 for configuration offset.storage.partitions: Number of \
                 partitions must be positive, or -1 to use the broker's default",
                "Invalid value 0 for configuration config.storage.replication.factor: \
                 Replication factor must be positive and not larger than the number of brokers \
                 in the Kafka cluster, or -1 to use the broker's default",
                "Invalid value fast for configuration connect.protocol: String must be one of \
                 (case insensitive): eager, compatible, sessioned",
            ]
        );
    }

    #[test]
    fn unknown_keys_are_listed_and_prefixed_settings_extracted() -> Result<(), ConfigErrors> {
        let config = StandaloneConfig::parse(&map(&[
            ("key.converter", JSON),
            ("key.converter.schemas.enable", "false"),
            ("value.converter", JSON),
            ("value.converter.schemas.enable", "true"),
            ("header.converter.x", "1"),
            ("offset.storage.file.filename", "o"),
            ("producer.acks", "all"),
            ("consumer.max.poll.records", "10"),
            ("admin.request.timeout.ms", "5"),
            ("ssl.truststore.location", "/t"),
            ("group.id", "not-standalone"),
            ("typo.key", "x"),
        ]))?;
        let worker = &config.worker;
        assert_eq!(worker.unknown_keys, ["group.id", "typo.key"]);
        assert_eq!(worker.producer_configs(), map(&[("acks", "all")]));
        assert_eq!(
            worker.consumer_configs(),
            map(&[("max.poll.records", "10")])
        );
        assert_eq!(worker.admin_configs(), map(&[("request.timeout.ms", "5")]));
        assert_eq!(
            worker.converter_configs(ConverterRole::Key),
            map(&[("schemas.enable", "false")])
        );
        assert_eq!(
            worker.converter_configs(ConverterRole::Value),
            map(&[("schemas.enable", "true")])
        );
        assert_eq!(
            worker.converter_configs(ConverterRole::Header),
            map(&[("x", "1")])
        );
        assert_eq!(worker.converter_class(ConverterRole::Value), JSON);
        Ok(())
    }

    #[test]
    fn every_key_is_documented() {
        for key in distributed_config_def()
            .keys()
            .chain(standalone_config_def().keys())
        {
            assert!(
                key.documentation.as_deref().is_some_and(|d| !d.is_empty()),
                "{}",
                key.name
            );
        }
    }
}
