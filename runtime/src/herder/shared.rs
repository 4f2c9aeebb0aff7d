//! What both herders share (Kafka's `AbstractHerder`): plugin listing and validation,
//! Kafka's config-error messages, logger levels, and reading, altering and resetting a
//! stopped connector's offsets (source offsets in the worker's offset store, sink
//! offsets in the connector's consumer group).

use std::collections::BTreeMap;
use std::time::Duration;

use connect_api::config::{ConfigInfos, ConfigKeyInfo};
use connect_api::connector::TopicPartition;
use connect_api::record::SourceMap;
use connect_api::ConnectError;
use connectors::{Plugin, PluginConstructor};
use futures::future::BoxFuture;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};

use super::{
    ConnectorConfig, ConnectorOffset, ConnectorOffsets, HerderError, HerderResult, LoggerLevel,
    Message, PluginInfo, PluginType, ServerInfo,
};
use crate::config::connector::{
    validate_plugin_config, SinkConnectorConfig, CONNECTOR_CLASS_CONFIG,
};
use crate::config::plugins::ConnectorPlugins;
use crate::converters::{
    converter_for_class, header_converter_for_class, CONVERTER_CLASSES, HEADER_CONVERTER_CLASSES,
};
use crate::loggers::Loggers;
use crate::worker::clients;
use crate::worker::connector::{sink_group, Instance};
use crate::worker::WorkerContext;

/// The version shown by `GET /` and `GET /connector-plugins`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Kafka's invalid-config message (`AbstractHerder.maybeAddConfigErrors`).
pub fn invalid_config_message(infos: &ConfigInfos) -> String {
    let mut message = format!(
        "Connector configuration is invalid and contains the following {} error(s):",
        infos.error_count
    );
    for info in &infos.configs {
        for error in info.value.iter().flat_map(|v| &v.errors) {
            message.push('\n');
            message.push_str(error);
        }
    }
    message.push_str(
        "\nYou can also find the above list of errors at the endpoint \
         `/connector-plugins/{connectorType}/config/validate`",
    );
    message
}

/// A Java `Map.toString()` rendering, as Kafka's messages quote configs.
fn java_map(config: &ConnectorConfig) -> String {
    let entries: Vec<String> = config.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", entries.join(", "))
}

/// Asks the Kafka cluster for its id (shown by `GET /`), waiting up to 60 s for a broker
/// to answer; `None` when none did.
pub async fn kafka_cluster_id(
    worker: &crate::config::worker::WorkerConfig,
) -> Result<Option<String>, rdkafka::error::KafkaError> {
    let probe: BaseConsumer = clients::create(&clients::admin_configs(worker, &BTreeMap::new()))?;
    Ok(tokio::task::spawn_blocking(move || {
        probe.client().fetch_cluster_id(Duration::from_secs(60))
    })
    .await
    .ok()
    .flatten())
}

/// The [`super::Herder`] methods every herder answers from its [`HerderBase`] (a field
/// named `base`): server info, plugins, config validation and worker logger levels.
/// Expands to method definitions inside an `impl Herder for ...` block.
macro_rules! delegate_to_base {
    () => {
        fn server_info(
            &self,
        ) -> futures::future::BoxFuture<'_, $crate::herder::HerderResult<$crate::herder::ServerInfo>>
        {
            $crate::herder::shared::ready(Ok(self.base.server_info()))
        }

        fn connector_plugins(
            &self,
            connectors_only: bool,
        ) -> futures::future::BoxFuture<
            '_,
            $crate::herder::HerderResult<Vec<$crate::herder::PluginInfo>>,
        > {
            $crate::herder::shared::ready(Ok(self.base.connector_plugins(connectors_only)))
        }

        fn plugin_config(
            &self,
            plugin: String,
        ) -> futures::future::BoxFuture<
            '_,
            $crate::herder::HerderResult<Vec<connect_api::config::ConfigKeyInfo>>,
        > {
            $crate::herder::shared::ready(self.base.plugin_config(&plugin))
        }

        fn validate_connector_config(
            &self,
            config: $crate::herder::ConnectorConfig,
        ) -> futures::future::BoxFuture<
            '_,
            $crate::herder::HerderResult<connect_api::config::ConfigInfos>,
        > {
            $crate::herder::shared::ready(self.base.validate(&config))
        }

        fn logger_levels(
            &self,
        ) -> futures::future::BoxFuture<
            '_,
            $crate::herder::HerderResult<
                std::collections::BTreeMap<String, $crate::herder::LoggerLevel>,
            >,
        > {
            $crate::herder::shared::ready(Ok(self.base.logger_levels()))
        }

        fn logger_level(
            &self,
            logger: String,
        ) -> futures::future::BoxFuture<'_, $crate::herder::HerderResult<$crate::herder::LoggerLevel>>
        {
            $crate::herder::shared::ready(self.base.logger_level(&logger))
        }

        fn set_worker_logger_level(
            &self,
            namespace: String,
            level: String,
        ) -> futures::future::BoxFuture<'_, $crate::herder::HerderResult<Vec<String>>> {
            $crate::herder::shared::ready(Ok(self.base.loggers.set(&namespace, &level)))
        }
    };
}
pub(crate) use delegate_to_base;

/// KIP-1017 health from a probe of the herder's main lock: a herder stuck in a long
/// request (Kafka: stuck in its tick) for 10 s is unhealthy.
pub async fn health_of<T>(probe: impl std::future::Future<Output = T>) -> super::WorkerHealth {
    match tokio::time::timeout(Duration::from_secs(10), probe).await {
        Ok(_) => super::WorkerHealth::healthy(),
        Err(_) => super::WorkerHealth {
            status: super::HealthStatus::Unhealthy,
            message: "Worker was unable to handle this request and may be unable to handle \
                      other requests."
                .to_owned(),
        },
    }
}

/// An already-completed herder call.
pub fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
    Box::pin(futures::future::ready(value))
}

/// The parts of a herder that do not depend on how configs are stored.
pub struct HerderBase {
    /// The worker's shared context (config, offsets, statuses).
    pub worker: WorkerContext,
    /// The connector plugins.
    pub plugins: ConnectorPlugins,
    /// The Kafka cluster's id, shown by `GET /`.
    pub kafka_cluster_id: String,
    /// Logger levels.
    pub loggers: Loggers,
}

impl HerderBase {
    /// The plugin named by `connector.class`, or Kafka's 400.
    pub fn resolve(&self, config: &ConnectorConfig) -> HerderResult<Plugin> {
        let Some(class) = config.get(CONNECTOR_CLASS_CONFIG) else {
            return Err(HerderError::BadRequest(format!(
                "Connector config {} contains no connector type",
                java_map(config)
            )));
        };
        self.plugins
            .resolve(class)
            .copied()
            .map_err(|e| HerderError::BadRequest(e.to_string()))
    }

    /// The plugin of a config that passes validation, or Kafka's 400 listing every error.
    pub fn validated(&self, config: &ConnectorConfig) -> HerderResult<Plugin> {
        let plugin = self.resolve(config)?;
        let infos = validate_plugin_config(&plugin, config);
        if infos.error_count > 0 {
            return Err(HerderError::BadRequest(invalid_config_message(&infos)));
        }
        Ok(plugin)
    }

    /// `GET /`.
    pub fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: VERSION.to_owned(),
            commit: option_env!("SLUICE_COMMIT").unwrap_or("unknown").to_owned(),
            kafka_cluster_id: self.kafka_cluster_id.clone(),
        }
    }

    /// `GET /connector-plugins`.
    pub fn connector_plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        let mut plugins: Vec<PluginInfo> = self
            .plugins
            .plugins()
            .iter()
            .map(|p| PluginInfo {
                class: p.class.to_owned(),
                plugin_type: match p.constructor {
                    PluginConstructor::Source(_) => PluginType::Source,
                    PluginConstructor::Sink(_) => PluginType::Sink,
                },
                version: VERSION.to_owned(),
            })
            .collect();
        if !connectors_only {
            let other = CONVERTER_CLASSES
                .iter()
                .map(|c| (*c, PluginType::Converter))
                .chain(
                    HEADER_CONVERTER_CLASSES
                        .iter()
                        .map(|c| (*c, PluginType::HeaderConverter)),
                )
                .chain(
                    TRANSFORMATION_CLASSES
                        .iter()
                        .map(|c| (*c, PluginType::Transformation)),
                )
                .chain(
                    PREDICATE_CLASSES
                        .iter()
                        .map(|c| (*c, PluginType::Predicate)),
                );
            plugins.extend(other.map(|(class, plugin_type)| PluginInfo {
                class: class.to_owned(),
                plugin_type,
                version: VERSION.to_owned(),
            }));
        }
        plugins
    }

    /// `GET /connector-plugins/{plugin}/config`.
    pub fn plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        plugin_config_def(&self.plugins, plugin)
            .map(|d| d.key_infos())
            .ok_or_else(|| HerderError::NotFound(format!("Unknown plugin {plugin}.")))
    }

    /// `PUT /connector-plugins/{class}/config/validate`.
    pub fn validate(&self, config: &ConnectorConfig) -> HerderResult<ConfigInfos> {
        // Kafka names the result after `connector.class` as sent, not the resolved class.
        self.resolve(config).map(|plugin| {
            let mut infos = validate_plugin_config(&plugin, config);
            if let Some(class) = config.get(CONNECTOR_CLASS_CONFIG) {
                infos.name = class.clone();
            }
            infos
        })
    }

    /// `GET /admin/loggers`.
    pub fn logger_levels(&self) -> BTreeMap<String, LoggerLevel> {
        self.loggers.all()
    }

    /// `GET /admin/loggers/{logger}`.
    pub fn logger_level(&self, logger: &str) -> HerderResult<LoggerLevel> {
        self.loggers
            .get(logger)
            .ok_or_else(|| HerderError::NotFound(format!("Logger {logger} not found.")))
    }

    /// `GET /connectors/{name}/topics` of a connector that `exists`.
    pub fn active_topics(&self, name: &str, exists: bool) -> HerderResult<super::ActiveTopics> {
        if !self.worker.config.topic_tracking_enable {
            return Err(HerderError::topic_tracking_disabled());
        }
        if !exists {
            return Err(HerderError::connector_not_found(name));
        }
        Ok(super::ActiveTopics {
            topics: self.worker.status.topics(name),
        })
    }

    /// `PUT /connectors/{name}/topics/reset` of a connector that `exists`.
    pub fn reset_active_topics(&self, name: &str, exists: bool) -> HerderResult<()> {
        if !self.worker.config.topic_tracking_enable {
            return Err(HerderError::topic_tracking_disabled());
        }
        if !self.worker.config.topic_tracking_allow_reset {
            return Err(HerderError::topic_tracking_reset_disabled());
        }
        if !exists {
            return Err(HerderError::connector_not_found(name));
        }
        self.worker.status.reset_topics(name);
        Ok(())
    }

    /// A consumer of the sink's group that never joins it: used to read and write the
    /// group's committed offsets while the connector is stopped.
    fn group_client(&self, name: &str) -> HerderResult<BaseConsumer> {
        let mut props = clients::admin_configs(&self.worker.config, &BTreeMap::new());
        props.insert("group.id".to_owned(), sink_group(name));
        props.insert("enable.auto.commit".to_owned(), "false".to_owned());
        clients::create(&props)
            .map_err(|e| HerderError::Internal(format!("Failed to create a Kafka client: {e}")))
    }

    /// `GET /connectors/{name}/offsets`: source offsets from the offset store, sink
    /// offsets from the connector's consumer group.
    pub async fn connector_offsets(
        &self,
        name: &str,
        config: &ConnectorConfig,
        plugin: &Plugin,
    ) -> HerderResult<ConnectorOffsets> {
        if let PluginConstructor::Sink(_) = plugin.constructor {
            if let Ok(sink) = SinkConnectorConfig::parse(config) {
                return self.sink_offsets(name, sink.topics).await;
            }
        }
        self.worker
            .offsets
            .refresh()
            .await
            .map_err(|e| HerderError::Internal(e.to_string()))?;
        Ok(ConnectorOffsets {
            offsets: self
                .worker
                .offsets
                .partitions(name)
                .into_iter()
                .map(|(partition, offset)| ConnectorOffset {
                    partition,
                    offset: Some(offset),
                })
                .collect(),
        })
    }

    /// The committed offsets of the sink's consumer group, for the topics it consumes.
    async fn sink_offsets(
        &self,
        name: &str,
        topics: crate::config::connector::SinkTopics,
    ) -> HerderResult<ConnectorOffsets> {
        let consumer = self.group_client(name)?;
        let result = tokio::task::spawn_blocking(move || -> Result<Vec<ConnectorOffset>, String> {
            let metadata = consumer
                .fetch_metadata(None, Duration::from_secs(30))
                .map_err(|e| e.to_string())?;
            let mut list = TopicPartitionList::new();
            for topic in metadata.topics() {
                if topics.matches(topic.name()) {
                    for partition in topic.partitions() {
                        list.add_partition(topic.name(), partition.id());
                    }
                }
            }
            if list.count() == 0 {
                return Ok(Vec::new());
            }
            let committed = consumer
                .committed_offsets(list, Duration::from_secs(30))
                .map_err(|e| e.to_string())?;
            Ok(committed
                .elements()
                .iter()
                .filter_map(|e| match e.offset() {
                    Offset::Offset(o) => Some(ConnectorOffset {
                        partition: serde_json::json!({"kafka_topic": e.topic(), "kafka_partition": e.partition()})
                            .as_object()
                            .cloned()
                            .unwrap_or_default(),
                        offset: serde_json::json!({"kafka_offset": o}).as_object().cloned(),
                    }),
                    _ => None,
                })
                .collect())
        })
        .await
        .map_err(|e| HerderError::Internal(e.to_string()))?
        .map_err(|e| {
            HerderError::Internal(format!(
                "Failed to retrieve consumer group offsets for sink connector {name}: {e}"
            ))
        })?;
        Ok(ConnectorOffsets { offsets: result })
    }

    /// `PATCH /connectors/{name}/offsets` of a stopped connector.
    pub async fn alter_offsets(
        &self,
        name: &str,
        config: &ConnectorConfig,
        plugin: &Plugin,
        offsets: &ConnectorOffsets,
    ) -> HerderResult<Message> {
        let refused = |e: ConnectError| {
            HerderError::BadRequest(format!("Failed to alter offsets for connector {name}: {e}"))
        };
        let handled = match Instance::new(plugin) {
            Instance::Source(connector) => {
                let entries = source_offsets(offsets);
                if entries.iter().any(|(p, _)| p.is_empty()) {
                    return Err(HerderError::BadRequest(
                        "Source partitions may not be null or empty".to_owned(),
                    ));
                }
                let handled = connector.alter_offsets(config, &entries).map_err(refused)?;
                self.worker.offsets.put(name, entries).await.map_err(|e| {
                    HerderError::Internal(format!(
                        "Failed to alter offsets for connector {name}: {e}"
                    ))
                })?;
                handled
            }
            Instance::Sink(connector) => {
                let entries = sink_offsets_of(offsets)?;
                if entries.iter().any(|(_, o)| o.is_none()) {
                    return Err(HerderError::BadRequest(format!(
                        "sluice cannot reset the offsets of single sink partitions yet; reset all \
                         of them with DELETE /connectors/{name}/offsets, or set explicit offsets"
                    )));
                }
                let handled = connector.alter_offsets(config, &entries).map_err(refused)?;
                let consumer = self.group_client(name)?;
                let mut list = TopicPartitionList::new();
                for (tp, offset) in &entries {
                    if let Some(o) = offset {
                        list.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*o))
                            .map_err(|e| HerderError::BadRequest(e.to_string()))?;
                    }
                }
                tokio::task::spawn_blocking(move || consumer.commit(&list, CommitMode::Sync))
                    .await
                    .map_err(|e| HerderError::Internal(e.to_string()))?
                    .map_err(|e| {
                        HerderError::Internal(format!(
                            "Failed to alter consumer group offsets for connector {name}: {e}"
                        ))
                    })?;
                handled
            }
        };
        Ok(Message::new(if handled {
            "The offsets for this connector have been altered successfully"
        } else {
            "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses."
        }))
    }

    /// `DELETE /connectors/{name}/offsets` of a stopped connector.
    pub async fn reset_offsets(
        &self,
        name: &str,
        config: &ConnectorConfig,
        plugin: &Plugin,
    ) -> HerderResult<Message> {
        let refused = |e: ConnectError| {
            HerderError::BadRequest(format!("Failed to reset offsets for connector {name}: {e}"))
        };
        let handled = match Instance::new(plugin) {
            Instance::Source(connector) => {
                self.worker
                    .offsets
                    .refresh()
                    .await
                    .map_err(|e| HerderError::Internal(e.to_string()))?;
                let entries: Vec<(SourceMap, Option<SourceMap>)> = self
                    .worker
                    .offsets
                    .partitions(name)
                    .into_iter()
                    .map(|(p, _)| (p, None))
                    .collect();
                let handled = connector.alter_offsets(config, &entries).map_err(refused)?;
                self.worker.offsets.put(name, entries).await.map_err(|e| {
                    HerderError::Internal(format!(
                        "Failed to reset offsets for connector {name}: {e}"
                    ))
                })?;
                handled
            }
            Instance::Sink(connector) => {
                let handled = connector.alter_offsets(config, &[]).map_err(refused)?;
                let admin: rdkafka::admin::AdminClient<rdkafka::client::DefaultClientContext> =
                    clients::create(&clients::admin_configs(
                        &self.worker.config,
                        &BTreeMap::new(),
                    ))
                    .map_err(|e| HerderError::Internal(e.to_string()))?;
                let group = sink_group(name);
                let results = admin
                    .delete_groups(&[group.as_str()], &rdkafka::admin::AdminOptions::new())
                    .await
                    .map_err(|e| {
                        HerderError::Internal(format!(
                            "Failed to reset offsets for connector {name}: {e}"
                        ))
                    })?;
                for result in results {
                    match result {
                        Ok(_) | Err((_, rdkafka::types::RDKafkaErrorCode::GroupIdNotFound)) => {}
                        Err((_, code)) => {
                            return Err(HerderError::Internal(format!(
                            "Failed to delete consumer group {group} for connector {name}: {code}"
                        )))
                        }
                    }
                }
                handled
            }
        };
        Ok(Message::new(if handled {
            "The offsets for this connector have been reset successfully"
        } else {
            "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses."
        }))
    }
}

/// The transformations listed by `GET /connector-plugins` (the `transforms` module's
/// classes, with Kafka's `$Key`/`$Value` variants).
pub const TRANSFORMATION_CLASSES: &[&str] = &[
    "org.apache.kafka.connect.transforms.Cast$Key",
    "org.apache.kafka.connect.transforms.Cast$Value",
    "org.apache.kafka.connect.transforms.DropHeaders",
    "org.apache.kafka.connect.transforms.ExtractField$Key",
    "org.apache.kafka.connect.transforms.ExtractField$Value",
    "org.apache.kafka.connect.transforms.Filter",
    "org.apache.kafka.connect.transforms.Flatten$Key",
    "org.apache.kafka.connect.transforms.Flatten$Value",
    "org.apache.kafka.connect.transforms.HeaderFrom$Key",
    "org.apache.kafka.connect.transforms.HeaderFrom$Value",
    "org.apache.kafka.connect.transforms.HoistField$Key",
    "org.apache.kafka.connect.transforms.HoistField$Value",
    "org.apache.kafka.connect.transforms.InsertField$Key",
    "org.apache.kafka.connect.transforms.InsertField$Value",
    "org.apache.kafka.connect.transforms.InsertHeader",
    "org.apache.kafka.connect.transforms.MaskField$Key",
    "org.apache.kafka.connect.transforms.MaskField$Value",
    "org.apache.kafka.connect.transforms.RegexRouter",
    "org.apache.kafka.connect.transforms.ReplaceField$Key",
    "org.apache.kafka.connect.transforms.ReplaceField$Value",
    "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
    "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
    "org.apache.kafka.connect.transforms.TimestampConverter$Key",
    "org.apache.kafka.connect.transforms.TimestampConverter$Value",
    "org.apache.kafka.connect.transforms.TimestampRouter",
    "org.apache.kafka.connect.transforms.ValueToKey",
];

/// The predicates listed by `GET /connector-plugins`.
pub const PREDICATE_CLASSES: &[&str] = &[
    "org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
    "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
    "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
];

/// The config definition `GET /connector-plugins/{plugin}/config` shows (Kafka's
/// `AbstractHerder.connectorPluginConfig`): for a connector, the source or sink
/// framework keys followed by the plugin's own (a plugin key replaces a framework key of
/// the same name in place); for a converter, transformation or predicate, its own keys.
pub fn plugin_config_def(
    plugins: &ConnectorPlugins,
    plugin: &str,
) -> Option<connect_api::config::ConfigDef> {
    use crate::config::connector::{sink_connector_config_def, source_connector_config_def};
    use connect_api::record::{SinkRecord, SourceRecord};
    if let Ok(p) = plugins.resolve(plugin) {
        let (base, own) = match Instance::new(p) {
            Instance::Source(c) => (source_connector_config_def(), c.config_def()),
            Instance::Sink(c) => (sink_connector_config_def(), c.config_def()),
        };
        let mut merged = connect_api::config::ConfigDef::new();
        let keys = base
            .keys()
            .map(|k| own.key(&k.name).unwrap_or(k).clone())
            .chain(own.keys().filter(|k| base.key(&k.name).is_none()).cloned());
        for key in keys {
            merged = match merged.clone().try_define(key) {
                Ok(def) => def,
                Err(_) => merged,
            };
        }
        return Some(merged);
    }
    if let Some(c) = converter_for_class(plugin) {
        return Some(c.config_def());
    }
    if let Some(c) = header_converter_for_class(plugin) {
        return Some(c.config_def());
    }
    let key = "plugin";
    if TRANSFORMATION_CLASSES.contains(&plugin) {
        return crate::transforms::new_transformation::<SourceRecord>(key, plugin)
            .ok()
            .map(|t| t.config_def());
    }
    if PREDICATE_CLASSES.contains(&plugin) {
        return crate::transforms::new_predicate::<SinkRecord>(key, plugin)
            .ok()
            .map(|p| p.config_def());
    }
    None
}

/// Parses one source partition/offset pair of a `PATCH` body.
pub fn source_offsets(offsets: &ConnectorOffsets) -> Vec<(SourceMap, Option<SourceMap>)> {
    offsets
        .offsets
        .iter()
        .map(|o| (o.partition.clone(), o.offset.clone()))
        .collect()
}

/// Parses sink partitions/offsets of a `PATCH` body with Kafka's messages
/// (`Worker.parseSinkConnectorOffsets`).
pub fn sink_offsets_of(
    offsets: &ConnectorOffsets,
) -> HerderResult<Vec<(TopicPartition, Option<i64>)>> {
    let bad = |m: &str| HerderError::BadRequest(m.to_owned());
    offsets
        .offsets
        .iter()
        .map(|o| {
            let topic = o
                .partition
                .get("kafka_topic")
                .and_then(|t| t.as_str())
                .ok_or_else(|| {
                    bad("Kafka topic names must be valid strings and may not be null")
                })?;
            let partition = o
                .partition
                .get("kafka_partition")
                .and_then(|p| {
                    p.as_i64()
                        .or_else(|| p.as_str().and_then(|s| s.parse().ok()))
                })
                .and_then(|p| i32::try_from(p).ok())
                .ok_or_else(|| bad("Kafka partitions must be valid numbers and may not be null"))?;
            let offset = match &o.offset {
                None => None,
                Some(map) => Some(
                    map.get("kafka_offset")
                        .and_then(|v| {
                            v.as_i64()
                                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                        })
                        .filter(|v| *v >= 0)
                        .ok_or_else(|| {
                            bad("Kafka offsets must be valid numbers and may not be null")
                        })?,
                ),
            };
            Ok((TopicPartition::new(topic, partition), offset))
        })
        .collect()
}
