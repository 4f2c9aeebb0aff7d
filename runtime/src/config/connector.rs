//! Connector configuration: the keys every connector has (Kafka's `ConnectorConfig`), the
//! sink additions (`SinkConnectorConfig`) and the source additions
//! (`SourceConnectorConfig`), plus [`validate_connector_config`], the body of
//! `PUT /connector-plugins/{plugin}/config/validate`.
//!
//! Not here yet: the per-alias keys Kafka adds for validation (`transforms.<alias>.*`,
//! `predicates.<alias>.*`, `topic.creation.<group>.*`) and the client override policy
//! checks; they need the transformation registry and the worker.

use std::collections::BTreeMap;
use std::time::Duration;

use connect_api::config::{
    ConfigDef, ConfigError, ConfigErrors, ConfigInfos, ConfigKey, ConfigType, ConfigValue,
    Importance, ParsedConfig, ParsedValue, Validator, Width,
};
use connect_api::connector::Connector;
use connectors::{Plugin, PluginConstructor};
use regex::Regex;

use super::worker::ConverterRole;
use super::{boolean, enum_value, list, millis, non_null, originals_with_prefix, string, typed};

/// The UI group of the keys every connector has.
pub const COMMON_GROUP: &str = "Common";
/// The UI group of `transforms`.
pub const TRANSFORMS_GROUP: &str = "Transforms";
/// The UI group of `predicates`.
pub const PREDICATES_GROUP: &str = "Predicates";
/// The UI group of the `errors.*` keys.
pub const ERROR_GROUP: &str = "Error Handling";
/// The UI group of `topic.creation.groups`.
pub const TOPIC_CREATION_GROUP: &str = "Topic Creation";
/// The UI group of the exactly-once keys.
pub const EXACTLY_ONCE_SUPPORT_GROUP: &str = "Exactly Once Support";
/// The UI group of `offsets.storage.topic`.
pub const OFFSETS_TOPIC_GROUP: &str = "offsets.topic";

/// `name`.
pub const NAME_CONFIG: &str = "name";
/// `connector.class`.
pub const CONNECTOR_CLASS_CONFIG: &str = "connector.class";
/// `tasks.max`.
pub const TASKS_MAX_CONFIG: &str = "tasks.max";
/// `transforms`.
pub const TRANSFORMS_CONFIG: &str = "transforms";
/// `predicates`.
pub const PREDICATES_CONFIG: &str = "predicates";
/// `topics` (sink).
pub const TOPICS_CONFIG: &str = "topics";
/// `topics.regex` (sink).
pub const TOPICS_REGEX_CONFIG: &str = "topics.regex";
/// `errors.deadletterqueue.topic.name` (sink).
pub const DLQ_TOPIC_NAME_CONFIG: &str = "errors.deadletterqueue.topic.name";

/// Kafka's `NonEmptyStringWithoutControlChars`; null passes (a missing name is reported
/// as missing).
fn non_empty_without_control_chars() -> Validator {
    Validator::custom(|_, value| {
        let Some(ParsedValue::String(s)) = value else {
            return Ok(());
        };
        if s.is_empty() {
            return Err("String may not be empty".to_owned());
        }
        let control: Vec<String> = s
            .chars()
            .filter(|c| c.is_control())
            .map(|c| u32::from(c).to_string())
            .collect();
        if control.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "String may not contain control sequences but had the following ASCII chars: {}",
                control.join(", ")
            ))
        }
    })
}

/// A non-null list without repeated aliases (`transforms`, `predicates`,
/// `topic.creation.groups`).
fn unique_aliases() -> Validator {
    Validator::All(vec![
        Validator::NonNull,
        Validator::custom(|_, value| match value {
            Some(ParsedValue::List(items)) => {
                let mut seen = std::collections::BTreeSet::new();
                if items.iter().all(|i| seen.insert(i)) {
                    Ok(())
                } else {
                    Err("Duplicate alias provided.".to_owned())
                }
            }
            _ => Ok(()),
        }),
    ])
}

/// Kafka's `RegexValidator`: null passes; otherwise the pattern must compile.
fn regex_validator() -> Validator {
    Validator::custom(|_, value| match value {
        Some(ParsedValue::String(pattern)) => Regex::new(pattern)
            .map(|_| ())
            .map_err(|e| format!("Invalid regex: {e}")),
        _ => Ok(()),
    })
}

fn case_insensitive(values: &[&str]) -> Validator {
    Validator::CaseInsensitiveValidString(values.iter().map(|v| (*v).to_owned()).collect())
}

fn converter_doc(what: &str) -> String {
    format!(
        "Converter class used to convert between Kafka Connect format and the serialized form \
         that is written to Kafka. This controls the format of the {what} in messages written \
         to or read from Kafka, and since this is independent of connectors it allows any \
         connector to work with any serialization format. Examples of common formats include \
         JSON and Avro."
    )
}

/// The keys every connector has (Kafka's `ConnectorConfig.configDef`).
pub fn connector_config_def() -> ConfigDef {
    use ConfigType::{Boolean, Class, Int, List, Long, String};
    use Importance::{High, Low, Medium};
    ConfigDef::new()
        .define(
            ConfigKey::new(
                NAME_CONFIG,
                String,
                High,
                "Globally unique name to use for this connector.",
            )
            .validator(non_empty_without_control_chars())
            .group(COMMON_GROUP, 1)
            .width(Width::Medium)
            .display_name("Connector name"),
        )
        .define(
            ConfigKey::new(
                CONNECTOR_CLASS_CONFIG,
                String,
                High,
                "Name or alias of the class for this connector. Must be a subclass of \
                 org.apache.kafka.connect.connector.Connector. If the connector is \
                 org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify \
                 this full name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to \
                 make the configuration a bit shorter",
            )
            .group(COMMON_GROUP, 2)
            .width(Width::Long)
            .display_name("Connector class"),
        )
        .define(
            ConfigKey::new(
                TASKS_MAX_CONFIG,
                Int,
                High,
                "Maximum number of tasks to use for this connector.",
            )
            .default_value("1")
            .validator(Validator::at_least(1))
            .group(COMMON_GROUP, 3)
            .width(Width::Short)
            .display_name("Tasks max"),
        )
        .define(
            ConfigKey::new(
                "tasks.max.enforce",
                Boolean,
                Low,
                "(Deprecated) Whether to enforce that the tasks.max property is respected by \
                 the connector. By default, connectors that generate too many tasks will fail, \
                 and existing sets of tasks that exceed the tasks.max property will also be \
                 failed. If this property is set to false, then connectors will be allowed to \
                 generate more than the maximum number of tasks, and existing sets of tasks \
                 that exceed the tasks.max property will be allowed to run. This property is \
                 deprecated and will be removed in an upcoming major release.",
            )
            .default_value("true")
            .group(COMMON_GROUP, 4)
            .width(Width::Short)
            .display_name("Enforce tasks max"),
        )
        .define(
            ConfigKey::new("key.converter", Class, Low, converter_doc("keys"))
                .default_null()
                .group(COMMON_GROUP, 5)
                .width(Width::Short)
                .display_name("Key converter class"),
        )
        .define(
            ConfigKey::new("value.converter", Class, Low, converter_doc("values"))
                .default_null()
                .group(COMMON_GROUP, 6)
                .width(Width::Short)
                .display_name("Value converter class"),
        )
        // Null, not SimpleHeaderConverter: an absent key means "use the worker's".
        .define(
            ConfigKey::new(
                "header.converter",
                Class,
                Low,
                "HeaderConverter class used to convert between Kafka Connect format and the \
                 serialized form that is written to Kafka. This controls the format of the \
                 header values in messages written to or read from Kafka, and since this is \
                 independent of connectors it allows any connector to work with any \
                 serialization format. Examples of common formats include JSON and Avro. By \
                 default, the SimpleHeaderConverter is used to serialize header values to \
                 strings and deserialize them by inferring the schemas.",
            )
            .default_null()
            .group(COMMON_GROUP, 7)
            .width(Width::Short)
            .display_name("Header converter class"),
        )
        .define(
            ConfigKey::new(
                TRANSFORMS_CONFIG,
                List,
                Low,
                "Aliases for the transformations to be applied to records.",
            )
            .default_value("")
            .validator(unique_aliases())
            .group(TRANSFORMS_GROUP, 8)
            .width(Width::Long)
            .display_name("Transforms"),
        )
        .define(
            ConfigKey::new(
                PREDICATES_CONFIG,
                List,
                Low,
                "Aliases for the predicates used by transformations.",
            )
            .default_value("")
            .validator(unique_aliases())
            .group(PREDICATES_GROUP, 9)
            .width(Width::Long)
            .display_name("Predicates"),
        )
        .define(
            ConfigKey::new(
                "config.action.reload",
                String,
                Low,
                "The action that Connect should take on the connector when changes in external \
                 configuration providers result in a change in the connector's configuration \
                 properties. A value of 'none' indicates that Connect will do nothing. A value \
                 of 'restart' indicates that Connect should restart/reload the connector with \
                 the updated configuration properties.The restart may actually be scheduled in \
                 the future if the external configuration provider indicates that a \
                 configuration value will expire in the future.",
            )
            .default_value("restart")
            .validator(Validator::one_of(["none", "restart"]))
            .group(COMMON_GROUP, 10)
            .width(Width::Medium)
            .display_name("Reload Action"),
        )
        .define(
            ConfigKey::new(
                "errors.retry.timeout",
                Long,
                Medium,
                "The maximum duration in milliseconds that a failed operation will be \
                 reattempted. The default is 0, which means no retries will be attempted. Use \
                 -1 for infinite retries.",
            )
            .default_value("0")
            .group(ERROR_GROUP, 1)
            .width(Width::Medium)
            .display_name("Retry Timeout for Errors"),
        )
        .define(
            ConfigKey::new(
                "errors.retry.delay.max.ms",
                Long,
                Medium,
                "The maximum duration in milliseconds between consecutive retry attempts. \
                 Jitter will be added to the delay once this limit is reached to prevent \
                 thundering herd issues.",
            )
            .default_value("60000")
            .group(ERROR_GROUP, 2)
            .width(Width::Medium)
            .display_name("Maximum Delay Between Retries for Errors"),
        )
        .define(
            ConfigKey::new(
                "errors.tolerance",
                String,
                Medium,
                "Behavior for tolerating errors during connector operation. 'none' is the \
                 default value and signals that any error will result in an immediate \
                 connector task failure; 'all' changes the behavior to skip over problematic \
                 records.",
            )
            .default_value("none")
            .validator(Validator::one_of(["none", "all"]))
            .group(ERROR_GROUP, 3)
            .width(Width::Short)
            .display_name("Error Tolerance"),
        )
        .define(
            ConfigKey::new(
                "errors.log.enable",
                Boolean,
                Medium,
                "If true, write each error and the details of the failed operation and \
                 problematic record to the Connect application log. This is 'false' by \
                 default, so that only errors that are not tolerated are reported.",
            )
            .default_value("false")
            .group(ERROR_GROUP, 4)
            .width(Width::Short)
            .display_name("Log Errors"),
        )
        .define(
            ConfigKey::new(
                "errors.log.include.messages",
                Boolean,
                Medium,
                "Whether to include in the log the Connect record that resulted in a failure. \
                 For sink records, the topic, partition, offset, and timestamp will be logged. \
                 For source records, the key and value (and their schemas), all headers, and \
                 the timestamp, Kafka topic, Kafka partition, source partition, and source \
                 offset will be logged. This is 'false' by default, which will prevent record \
                 keys, values, and headers from being written to log files.",
            )
            .default_value("false")
            .group(ERROR_GROUP, 5)
            .width(Width::Short)
            .display_name("Log Error Details"),
        )
}

/// The keys of a sink connector (Kafka's `SinkConnectorConfig.configDef`).
pub fn sink_connector_config_def() -> ConfigDef {
    use ConfigType::{Boolean, List, Short, String};
    use Importance::{High, Medium};
    connector_config_def()
        .define(
            ConfigKey::new(
                TOPICS_CONFIG,
                List,
                High,
                "List of topics to consume, separated by commas",
            )
            .default_value("")
            .group(COMMON_GROUP, 4)
            .width(Width::Long)
            .display_name("Topics"),
        )
        .define(
            ConfigKey::new(
                TOPICS_REGEX_CONFIG,
                String,
                High,
                "Regular expression giving topics to consume. Under the hood, the regex is \
                 compiled to a <code>java.util.regex.Pattern</code>. Only one of topics or \
                 topics.regex should be specified. sluice compiles it with the Rust regex \
                 syntax, which has no look-around or back-references.",
            )
            .default_value("")
            .validator(regex_validator())
            .group(COMMON_GROUP, 4)
            .width(Width::Long)
            .display_name("Topics regex"),
        )
        .define(
            ConfigKey::new(
                DLQ_TOPIC_NAME_CONFIG,
                String,
                Medium,
                "The name of the topic to be used as the dead letter queue (DLQ) for messages \
                 that result in an error when processed by this sink connector, or its \
                 transformations or converters. The topic name is blank by default, which \
                 means that no messages are to be recorded in the DLQ.",
            )
            .default_value("")
            .group(ERROR_GROUP, 6)
            .width(Width::Medium)
            .display_name("Dead Letter Queue Topic Name"),
        )
        .define(
            ConfigKey::new(
                "errors.deadletterqueue.topic.replication.factor",
                Short,
                Medium,
                "Replication factor used to create the dead letter queue topic when it doesn't \
                 already exist.",
            )
            .default_value("3")
            .group(ERROR_GROUP, 7)
            .width(Width::Medium)
            .display_name("Dead Letter Queue Topic Replication Factor"),
        )
        .define(
            ConfigKey::new(
                "errors.deadletterqueue.context.headers.enable",
                Boolean,
                Medium,
                "If true, add headers containing error context to the messages written to the \
                 dead letter queue. To avoid clashing with headers from the original record, \
                 all error context header keys, all error context header keys will start with \
                 <code>__connect.errors.</code>",
            )
            .default_value("false")
            .group(ERROR_GROUP, 8)
            .width(Width::Medium)
            .display_name("Enable Error Context Headers"),
        )
}

/// The keys of a source connector (Kafka's `SourceConnectorConfig.configDef`).
pub fn source_connector_config_def() -> ConfigDef {
    use ConfigType::{List, Long, String};
    use Importance::{Low, Medium};
    connector_config_def()
        .define(
            ConfigKey::new(
                "topic.creation.groups",
                List,
                Low,
                "Groups of configurations for topics created by source connectors",
            )
            .default_value("")
            .validator(unique_aliases())
            .group(TOPIC_CREATION_GROUP, 1)
            .width(Width::Long)
            .display_name("Topic Creation Groups"),
        )
        .define(
            ConfigKey::new(
                "exactly.once.support",
                String,
                Medium,
                "Permitted values are requested, required. If set to \"required\", forces a \
                 preflight check for the connector to ensure that it can provide exactly-once \
                 semantics with the given configuration. Some connectors may be capable of \
                 providing exactly-once semantics but not signal to Connect that they support \
                 this; in that case, documentation for the connector should be consulted \
                 carefully before creating it, and the value for this property should be set \
                 to \"requested\". Additionally, if the value is set to \"required\" but the \
                 worker that performs preflight validation does not have exactly-once support \
                 enabled for source connectors, requests to create or validate the connector \
                 will fail.",
            )
            .default_value("requested")
            .validator(case_insensitive(&["requested", "required"]))
            .group(EXACTLY_ONCE_SUPPORT_GROUP, 1)
            .width(Width::Short)
            .display_name("Exactly once support"),
        )
        .define(
            ConfigKey::new(
                "transaction.boundary",
                String,
                Medium,
                "Permitted values are: poll, interval, connector. If set to 'poll', a new \
                 producer transaction will be started and committed for every batch of records \
                 that each task from this connector provides to Connect. If set to \
                 'connector', relies on connector-defined transaction boundaries; note that not \
                 all connectors are capable of defining their own transaction boundaries, and \
                 in that case, attempts to instantiate a connector with this value will fail. \
                 Finally, if set to 'interval', commits transactions only after a user-defined \
                 time interval has passed.",
            )
            .default_value("poll")
            .validator(case_insensitive(&["poll", "interval", "connector"]))
            .group(EXACTLY_ONCE_SUPPORT_GROUP, 2)
            .width(Width::Short)
            .display_name("Transaction Boundary"),
        )
        .define(
            ConfigKey::new(
                "transaction.boundary.interval.ms",
                Long,
                Low,
                "If 'transaction.boundary' is set to 'interval', determines the interval for \
                 producer transaction commits by connector tasks. If unset, defaults to the \
                 value of the worker-level 'offset.flush.interval.ms' property. It has no \
                 effect if a different transaction.boundary is specified.",
            )
            .default_null()
            .validator(Validator::custom(|_, value| match value {
                Some(ParsedValue::Long(ms)) if *ms < 0 => {
                    Err("Value must be at least 0".to_owned())
                }
                _ => Ok(()),
            }))
            .group(EXACTLY_ONCE_SUPPORT_GROUP, 3)
            .width(Width::Short)
            .display_name("Transaction boundary interval"),
        )
        .define(
            ConfigKey::new(
                "offsets.storage.topic",
                String,
                Low,
                "The name of a separate offsets topic to use for this connector. If empty or \
                 not specified, the worker’s global offsets topic name will be used. If \
                 specified, the offsets topic will be created if it does not already exist on \
                 the Kafka cluster targeted by this connector (which may be different from the \
                 one used for the worker's global offsets topic if the bootstrap.servers \
                 property of the connector's producer has been overridden from the worker's). \
                 Only applicable in distributed mode; in standalone mode, setting this \
                 property will have no effect.",
            )
            .default_null()
            .validator(Validator::NonEmptyString)
            .group(OFFSETS_TOPIC_GROUP, 1)
            .width(Width::Long)
            .display_name("Offsets topic"),
        )
}

config_enum! {
    /// `config.action.reload`.
    ConfigActionReload {
        /// `none`: ignore changed external configuration.
        None => "none",
        /// `restart` (the default): restart the connector with the new values.
        Restart => "restart",
    }
}

config_enum! {
    /// `errors.tolerance`.
    ErrorTolerance {
        /// `none` (the default): any error fails the task.
        None => "none",
        /// `all`: skip problematic records.
        All => "all",
    }
}

config_enum! {
    /// `exactly.once.support` of a source connector.
    ExactlyOnceSupport {
        /// `requested` (the default).
        Requested => "requested",
        /// `required`: validation fails unless the connector declares support.
        Required => "required",
    }
}

config_enum! {
    /// `transaction.boundary` of a source connector.
    TransactionBoundary {
        /// `poll` (the default): one transaction per polled batch.
        Poll => "poll",
        /// `interval`: commit every `transaction.boundary.interval.ms`.
        Interval => "interval",
        /// `connector`: the connector defines the boundaries.
        Connector => "connector",
    }
}

/// Whether a connector imports or exports data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectorType {
    /// A source connector.
    Source,
    /// A sink connector.
    Sink,
}

impl ConnectorType {
    /// The type of a registry plugin.
    pub fn of(plugin: &Plugin) -> Self {
        match plugin.constructor {
            PluginConstructor::Source(_) => Self::Source,
            PluginConstructor::Sink(_) => Self::Sink,
        }
    }

    /// Every key a connector of this type has, before the plugin's own.
    pub fn config_def(self) -> ConfigDef {
        match self {
            Self::Source => source_connector_config_def(),
            Self::Sink => sink_connector_config_def(),
        }
    }
}

/// Which client a `*.override.` prefix configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientType {
    /// `producer.override.*`.
    Producer,
    /// `consumer.override.*`.
    Consumer,
    /// `admin.override.*`.
    Admin,
}

impl ClientType {
    /// The override prefix, e.g. `producer.override.`.
    pub fn override_prefix(self) -> &'static str {
        match self {
            Self::Producer => "producer.override.",
            Self::Consumer => "consumer.override.",
            Self::Admin => "admin.override.",
        }
    }
}

/// The `errors.*` settings every connector has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorHandling {
    /// `errors.retry.timeout`; `None` (any negative value, documented as -1) retries forever.
    pub retry_timeout: Option<Duration>,
    /// `errors.retry.delay.max.ms`.
    pub retry_delay_max: Duration,
    /// `errors.tolerance`.
    pub tolerance: ErrorTolerance,
    /// `errors.log.enable`.
    pub log_enable: bool,
    /// `errors.log.include.messages`.
    pub log_include_messages: bool,
}

fn opt_class(parsed: &ParsedConfig, name: &str) -> Result<Option<String>, ConfigErrors> {
    Ok(typed(name, parsed.get_class(name))?.map(str::to_owned))
}

fn long(parsed: &ParsedConfig, name: &str) -> Result<i64, ConfigErrors> {
    non_null(name, parsed.get_long(name))
}

fn single_error(name: &str, message: String) -> ConfigErrors {
    ConfigErrors(vec![ConfigError {
        name: Some(name.to_owned()),
        message,
    }])
}

/// The settings every connector has (Kafka's `ConnectorConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorConfig {
    /// `name`.
    pub name: String,
    /// `connector.class` as given (a class name or an alias; see
    /// [`ConnectorPlugins::resolve`](super::plugins::ConnectorPlugins::resolve)).
    pub connector_class: String,
    /// `tasks.max` (at least 1).
    pub tasks_max: u32,
    /// `tasks.max.enforce`.
    pub tasks_max_enforce: bool,
    /// `key.converter`; `None` uses the worker's.
    pub key_converter: Option<String>,
    /// `value.converter`; `None` uses the worker's.
    pub value_converter: Option<String>,
    /// `header.converter`; `None` uses the worker's.
    pub header_converter: Option<String>,
    /// `config.action.reload`.
    pub config_action_reload: ConfigActionReload,
    /// `transforms`: transformation aliases, in application order.
    pub transforms: Vec<String>,
    /// `predicates`: predicate aliases.
    pub predicates: Vec<String>,
    /// The `errors.*` settings.
    pub errors: ErrorHandling,
    /// The raw map the configuration was parsed from.
    pub originals: BTreeMap<String, String>,
}

impl ConnectorConfig {
    /// Parses the common keys only (the plugin's and the sink/source keys are ignored).
    pub fn parse(props: &BTreeMap<String, String>) -> Result<Self, ConfigErrors> {
        Self::from_parsed(&connector_config_def().parse(props)?)
    }

    fn from_parsed(parsed: &ParsedConfig) -> Result<Self, ConfigErrors> {
        let originals = parsed.originals().clone();
        let transforms = list(parsed, TRANSFORMS_CONFIG)?;
        let predicates = list(parsed, PREDICATES_CONFIG)?;
        // Kafka's ConnectorConfig.enrich requires a type for every alias.
        let missing_types: Vec<ConfigError> = [
            (TRANSFORMS_CONFIG, &transforms),
            (PREDICATES_CONFIG, &predicates),
        ]
        .into_iter()
        .flat_map(|(prefix, aliases)| {
            aliases
                .iter()
                .map(move |alias| format!("{prefix}.{alias}.type"))
        })
        .filter(|key| originals.get(key).is_none_or(|v| v.trim().is_empty()))
        .map(|key| ConfigError {
            message: format!(
                "Missing required configuration \"{key}\" which has no default value."
            ),
            name: Some(key),
        })
        .collect();
        if !missing_types.is_empty() {
            return Err(ConfigErrors(missing_types));
        }
        // Kafka's EnrichablePlugin.validateProps for transformations.
        let negate_without_predicate: Vec<ConfigError> = transforms
            .iter()
            .map(|alias| format!("{TRANSFORMS_CONFIG}.{alias}."))
            .filter(|prefix| {
                originals.contains_key(&format!("{prefix}negate"))
                    && !originals.contains_key(&format!("{prefix}predicate"))
            })
            .map(|prefix| ConfigError {
                message: format!(
                    "Config '{prefix}negate' was provided but there is no config \
                     '{prefix}predicate' defining a predicate to be negated."
                ),
                name: Some(format!("{prefix}negate")),
            })
            .collect();
        if !negate_without_predicate.is_empty() {
            return Err(ConfigErrors(negate_without_predicate));
        }
        let tasks_max = non_null(TASKS_MAX_CONFIG, parsed.get_int(TASKS_MAX_CONFIG))?;
        let retry_timeout = long(parsed, "errors.retry.timeout")?;
        Ok(Self {
            name: string(parsed, NAME_CONFIG)?,
            connector_class: string(parsed, CONNECTOR_CLASS_CONFIG)?,
            // The validator guarantees at least 1.
            tasks_max: u32::try_from(tasks_max).unwrap_or(1),
            tasks_max_enforce: boolean(parsed, "tasks.max.enforce")?,
            key_converter: opt_class(parsed, "key.converter")?,
            value_converter: opt_class(parsed, "value.converter")?,
            header_converter: opt_class(parsed, "header.converter")?,
            config_action_reload: enum_value(
                parsed,
                "config.action.reload",
                ConfigActionReload::parse,
            )?,
            transforms,
            predicates,
            errors: ErrorHandling {
                retry_timeout: (retry_timeout >= 0).then(|| millis(retry_timeout)),
                retry_delay_max: millis(long(parsed, "errors.retry.delay.max.ms")?),
                tolerance: enum_value(parsed, "errors.tolerance", ErrorTolerance::parse)?,
                log_enable: boolean(parsed, "errors.log.enable")?,
                log_include_messages: boolean(parsed, "errors.log.include.messages")?,
            },
            originals,
        })
    }

    /// The configuration of transformation `alias` (`transforms.<alias>.*`, prefix
    /// removed), including `type`, `predicate` and `negate`.
    pub fn transform_configs(&self, alias: &str) -> BTreeMap<String, String> {
        originals_with_prefix(&self.originals, &format!("{TRANSFORMS_CONFIG}.{alias}."))
    }

    /// The configuration of predicate `alias` (`predicates.<alias>.*`, prefix removed).
    pub fn predicate_configs(&self, alias: &str) -> BTreeMap<String, String> {
        originals_with_prefix(&self.originals, &format!("{PREDICATES_CONFIG}.{alias}."))
    }

    /// The connector's client overrides (`producer.override.*`, ...), prefix removed.
    pub fn client_overrides(&self, client: ClientType) -> BTreeMap<String, String> {
        originals_with_prefix(&self.originals, client.override_prefix())
    }

    /// The connector's settings for one of its own converters (`key.converter.*`, ...).
    pub fn converter_configs(&self, role: ConverterRole) -> BTreeMap<String, String> {
        originals_with_prefix(&self.originals, &role.prefix())
    }
}

/// What a sink consumes.
#[derive(Debug, Clone)]
pub enum SinkTopics {
    /// `topics`: these topics (blank entries and repeats removed).
    List(Vec<String>),
    /// `topics.regex`: every topic whose whole name matches.
    Regex(Regex),
}

impl SinkTopics {
    /// Whether the sink consumes `topic`.
    pub fn matches(&self, topic: &str) -> bool {
        match self {
            Self::List(topics) => topics.iter().any(|t| t == topic),
            Self::Regex(regex) => regex.is_match(topic),
        }
    }
}

impl PartialEq for SinkTopics {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::List(a), Self::List(b)) => a == b,
            (Self::Regex(a), Self::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

/// Java's `Pattern.matcher(s).matches()`: the whole string must match.
fn full_match_regex(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&format!("^(?:{pattern})$"))
}

/// A sink's dead letter queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterQueue {
    /// `errors.deadletterqueue.topic.name`.
    pub topic: String,
    /// `errors.deadletterqueue.topic.replication.factor`.
    pub replication_factor: i16,
    /// `errors.deadletterqueue.context.headers.enable`.
    pub context_headers_enable: bool,
}

/// A sink connector's settings (Kafka's `SinkConnectorConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct SinkConnectorConfig {
    /// The settings every connector has.
    pub connector: ConnectorConfig,
    /// `topics` or `topics.regex`.
    pub topics: SinkTopics,
    /// The dead letter queue; `None` when `errors.deadletterqueue.topic.name` is blank.
    pub dead_letter_queue: Option<DeadLetterQueue>,
}

fn is_blank(value: Option<&String>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

/// Kafka's `SinkConnectorConfig.parseTopicsList`: blank entries and repeats removed.
fn parse_topics_list(raw: &str) -> Vec<String> {
    let mut topics: Vec<String> = Vec::new();
    for topic in raw.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if !topics.iter().any(|t| t == topic) {
            topics.push(topic.to_owned());
        }
    }
    topics
}

/// Kafka's `SinkConnectorConfig.validate`: exactly one of `topics` / `topics.regex`, and
/// the DLQ topic is not consumed. Returns `(key, message)` pairs.
fn sink_topic_errors(props: &BTreeMap<String, String>) -> Vec<(&'static str, String)> {
    let topics = props.get(TOPICS_CONFIG);
    let topics_regex = props.get(TOPICS_REGEX_CONFIG);
    let dlq_topic = props.get(DLQ_TOPIC_NAME_CONFIG).map_or("", |t| t.trim());
    let has_topics = !is_blank(topics);
    let has_regex = !is_blank(topics_regex);
    let mut errors = Vec::new();
    if has_topics && has_regex {
        let message = format!(
            "{TOPICS_CONFIG} and {TOPICS_REGEX_CONFIG} are mutually exclusive options, but both \
             are set."
        );
        errors.push((TOPICS_CONFIG, message.clone()));
        errors.push((TOPICS_REGEX_CONFIG, message));
    }
    if !has_topics && !has_regex {
        let message = format!("Must configure one of {TOPICS_CONFIG} or {TOPICS_REGEX_CONFIG}");
        errors.push((TOPICS_CONFIG, message.clone()));
        errors.push((TOPICS_REGEX_CONFIG, message));
    }
    if dlq_topic.is_empty() {
        return errors;
    }
    if let Some(raw) = topics.filter(|_| has_topics) {
        let list = parse_topics_list(raw);
        if list.iter().any(|t| t == dlq_topic) {
            errors.push((
                TOPICS_CONFIG,
                format!(
                    "The DLQ topic '{dlq_topic}' may not be included in the list of topics \
                     ('{TOPICS_CONFIG}=[{}]') consumed by the connector",
                    list.join(", ")
                ),
            ));
        }
    }
    if let Some(raw) = topics_regex.filter(|_| has_regex) {
        // An invalid pattern is reported by the key's validator.
        if full_match_regex(raw).is_ok_and(|r| r.is_match(dlq_topic)) {
            errors.push((
                TOPICS_REGEX_CONFIG,
                format!(
                    "The DLQ topic '{dlq_topic}' may not be included in the regex matching the \
                     topics ('{TOPICS_REGEX_CONFIG}={raw}') consumed by the connector"
                ),
            ));
        }
    }
    errors
}

impl SinkConnectorConfig {
    /// Parses a sink connector configuration, reporting every problem at once.
    pub fn parse(props: &BTreeMap<String, String>) -> Result<Self, ConfigErrors> {
        let parsed = sink_connector_config_def().parse(props)?;
        let topic_errors = sink_topic_errors(props);
        if !topic_errors.is_empty() {
            return Err(ConfigErrors(
                topic_errors
                    .into_iter()
                    .map(|(name, message)| ConfigError {
                        name: Some(name.to_owned()),
                        message,
                    })
                    .collect(),
            ));
        }
        let connector = ConnectorConfig::from_parsed(&parsed)?;
        let regex = string(&parsed, TOPICS_REGEX_CONFIG)?;
        let topics =
            if regex.is_empty() {
                SinkTopics::List(parse_topics_list(&list(&parsed, TOPICS_CONFIG)?.join(",")))
            } else {
                SinkTopics::Regex(full_match_regex(&regex).map_err(|e| {
                    single_error(TOPICS_REGEX_CONFIG, format!("Invalid regex: {e}"))
                })?)
            };
        let dlq_topic = string(&parsed, DLQ_TOPIC_NAME_CONFIG)?;
        let dead_letter_queue = if dlq_topic.is_empty() {
            None
        } else {
            let rf_key = "errors.deadletterqueue.topic.replication.factor";
            Some(DeadLetterQueue {
                topic: dlq_topic,
                replication_factor: non_null(rf_key, parsed.get_short(rf_key))?,
                context_headers_enable: boolean(
                    &parsed,
                    "errors.deadletterqueue.context.headers.enable",
                )?,
            })
        };
        Ok(Self {
            connector,
            topics,
            dead_letter_queue,
        })
    }
}

/// A source connector's settings (Kafka's `SourceConnectorConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConnectorConfig {
    /// The settings every connector has.
    pub connector: ConnectorConfig,
    /// `topic.creation.groups`.
    pub topic_creation_groups: Vec<String>,
    /// `exactly.once.support`.
    pub exactly_once_support: ExactlyOnceSupport,
    /// `transaction.boundary`.
    pub transaction_boundary: TransactionBoundary,
    /// `transaction.boundary.interval.ms`; `None` uses the worker's
    /// `offset.flush.interval.ms`.
    pub transaction_boundary_interval: Option<Duration>,
    /// `offsets.storage.topic`; `None` (or blank) uses the worker's offsets topic.
    pub offsets_storage_topic: Option<String>,
}

impl SourceConnectorConfig {
    /// Parses a source connector configuration, reporting every problem at once.
    pub fn parse(props: &BTreeMap<String, String>) -> Result<Self, ConfigErrors> {
        let parsed = source_connector_config_def().parse(props)?;
        let interval_key = "transaction.boundary.interval.ms";
        Ok(Self {
            connector: ConnectorConfig::from_parsed(&parsed)?,
            topic_creation_groups: list(&parsed, "topic.creation.groups")?,
            exactly_once_support: enum_value(
                &parsed,
                "exactly.once.support",
                ExactlyOnceSupport::parse,
            )?,
            transaction_boundary: enum_value(
                &parsed,
                "transaction.boundary",
                TransactionBoundary::parse,
            )?,
            transaction_boundary_interval: typed(interval_key, parsed.get_long(interval_key))?
                .map(millis),
            offsets_storage_topic: typed(
                "offsets.storage.topic",
                parsed.get_string("offsets.storage.topic"),
            )?
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned),
        })
    }

    /// The settings of topic creation group `group` (`topic.creation.<group>.*`, prefix
    /// removed); `default` is the implicit group every source connector has.
    pub fn topic_creation_configs(&self, group: &str) -> BTreeMap<String, String> {
        originals_with_prefix(
            &self.connector.originals,
            &format!("topic.creation.{group}."),
        )
    }
}

/// Adds `message` to the value of `name`, creating the value if the key was not validated
/// (Kafka's `SinkConnectorConfig.addErrorMessage`).
fn add_error(values: &mut Vec<ConfigValue>, name: &str, message: String) {
    if let Some(value) = values.iter_mut().find(|v| v.name == name) {
        value.errors.push(message);
        return;
    }
    values.push(ConfigValue {
        name: name.to_owned(),
        value: None,
        recommended_values: Vec::new(),
        errors: vec![message],
        visible: true,
    });
}

/// Validates a connector configuration for `PUT /connector-plugins/{p}/config/validate`,
/// like Kafka's `AbstractHerder.validateConnectorConfig`: the common keys of
/// `connector_type` (group `Common`, `Error Handling`, ...) are validated with the sink's
/// `topics`/`topics.regex`/DLQ rules, the plugin's keys with `connector.validate`, and the
/// results are merged into one [`ConfigInfos`] named `class`. A plugin key with the name of
/// a common key replaces it in place; plugin groups follow the common groups.
pub fn validate_connector_config(
    class: &str,
    connector_type: ConnectorType,
    connector: &dyn Connector,
    props: &BTreeMap<String, String>,
) -> ConfigInfos {
    let common_def = connector_type.config_def();
    let mut values = common_def.validate(props);
    if connector_type == ConnectorType::Sink {
        for (name, message) in sink_topic_errors(props) {
            add_error(&mut values, name, message);
        }
    }
    let plugin_def = connector.config_def();
    let plugin_values = connector.validate(props);

    let mut merged_def = ConfigDef::new();
    let plugin_key = |name: &str| plugin_def.key(name).cloned();
    let keys = common_def
        .keys()
        .map(|k| plugin_key(&k.name).unwrap_or_else(|| k.clone()))
        .chain(
            plugin_def
                .keys()
                .filter(|k| common_def.key(&k.name).is_none())
                .cloned(),
        );
    for key in keys {
        // Both definitions were valid, so this only skips a key that cannot be re-defined.
        merged_def = match merged_def.clone().try_define(key) {
            Ok(def) => def,
            Err(_) => merged_def,
        };
    }
    // Later values win, as in Kafka's generateResult.
    for value in plugin_values {
        match values.iter_mut().find(|v| v.name == value.name) {
            Some(existing) => *existing = value,
            None => values.push(value),
        }
    }
    let mut groups = common_def.groups().to_vec();
    for group in plugin_def.groups() {
        if !groups.contains(group) {
            groups.push(group.clone());
        }
    }
    let infos = ConfigInfos::from_validation(class, &merged_def, &values);
    ConfigInfos::new(class, groups, infos.configs)
}

/// [`validate_connector_config`] for a registry plugin: builds an unstarted connector of
/// `plugin` and validates `props` with it.
pub fn validate_plugin_config(plugin: &Plugin, props: &BTreeMap<String, String>) -> ConfigInfos {
    match plugin.constructor {
        PluginConstructor::Source(build) => {
            let connector = build();
            validate_connector_config(plugin.class, ConnectorType::Source, &*connector, props)
        }
        PluginConstructor::Sink(build) => {
            let connector = build();
            validate_connector_config(plugin.class, ConnectorType::Sink, &*connector, props)
        }
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

    fn base(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut props = map(&[
            ("name", "local-file-sink"),
            ("connector.class", "FileStreamSink"),
        ]);
        props.extend(map(extra));
        props
    }

    fn messages(result: Result<impl std::fmt::Debug, ConfigErrors>) -> Vec<String> {
        match result {
            Ok(ok) => panic!("expected errors, got {ok:?}"),
            Err(errors) => errors.errors().iter().map(|e| e.message.clone()).collect(),
        }
    }

    #[test]
    fn common_defaults_match_kafka() -> Result<(), ConfigErrors> {
        let config = ConnectorConfig::parse(&base(&[]))?;
        assert_eq!(config.name, "local-file-sink");
        assert_eq!(config.connector_class, "FileStreamSink");
        assert_eq!(config.tasks_max, 1);
        assert!(config.tasks_max_enforce);
        assert_eq!(config.key_converter, None);
        assert_eq!(config.header_converter, None);
        assert_eq!(config.config_action_reload, ConfigActionReload::Restart);
        assert!(config.transforms.is_empty() && config.predicates.is_empty());
        assert_eq!(
            config.errors,
            ErrorHandling {
                retry_timeout: Some(Duration::ZERO),
                retry_delay_max: Duration::from_secs(60),
                tolerance: ErrorTolerance::None,
                log_enable: false,
                log_include_messages: false,
            }
        );
        Ok(())
    }

    #[test]
    fn common_overrides_and_prefixed_settings() -> Result<(), ConfigErrors> {
        let config = ConnectorConfig::parse(&base(&[
            ("tasks.max", "4"),
            ("errors.retry.timeout", "-1"),
            ("errors.tolerance", "all"),
            ("config.action.reload", "none"),
            (
                "value.converter",
                "org.apache.kafka.connect.json.JsonConverter",
            ),
            ("value.converter.schemas.enable", "false"),
            ("transforms", "route, mask"),
            (
                "transforms.route.type",
                "org.apache.kafka.connect.transforms.RegexRouter",
            ),
            ("transforms.route.regex", "(.*)"),
            ("transforms.route.predicate", "isFoo"),
            ("transforms.mask.type", "MaskField$Value"),
            ("predicates", "isFoo"),
            ("predicates.isFoo.type", "TopicNameMatches"),
            ("predicates.isFoo.pattern", "foo"),
            ("producer.override.acks", "all"),
        ]))?;
        assert_eq!(config.tasks_max, 4);
        assert_eq!(config.errors.retry_timeout, None);
        assert_eq!(config.errors.tolerance, ErrorTolerance::All);
        assert_eq!(config.config_action_reload, ConfigActionReload::None);
        assert_eq!(config.transforms, ["route", "mask"]);
        assert_eq!(
            config.transform_configs("route"),
            map(&[
                ("predicate", "isFoo"),
                ("regex", "(.*)"),
                ("type", "org.apache.kafka.connect.transforms.RegexRouter"),
            ])
        );
        assert_eq!(
            config.predicate_configs("isFoo"),
            map(&[("pattern", "foo"), ("type", "TopicNameMatches")])
        );
        assert_eq!(
            config.client_overrides(ClientType::Producer),
            map(&[("acks", "all")])
        );
        assert!(config.client_overrides(ClientType::Consumer).is_empty());
        assert_eq!(
            config.converter_configs(ConverterRole::Value),
            map(&[("schemas.enable", "false")])
        );
        Ok(())
    }

    #[test]
    fn common_errors_use_kafka_messages() {
        assert_eq!(
            messages(ConnectorConfig::parse(&map(&[
                ("tasks.max", "0"),
                ("name", "")
            ]))),
            [
                "Invalid value  for configuration name: String may not be empty",
                "Missing required configuration \"connector.class\" which has no default value.",
                "Invalid value 0 for configuration tasks.max: Value must be at least 1",
            ]
        );
        assert_eq!(
            messages(ConnectorConfig::parse(&base(&[
                ("name", "a\tb"),
                ("transforms", "x,x"),
                ("errors.tolerance", "some"),
            ]))),
            [
                "Invalid value a\tb for configuration name: String may not contain control \
                 sequences but had the following ASCII chars: 9",
                "Invalid value [x, x] for configuration transforms: Duplicate alias provided.",
                "Invalid value some for configuration errors.tolerance: String must be one of: \
                 none, all",
            ]
        );
        assert_eq!(
            messages(ConnectorConfig::parse(&base(&[
                ("transforms", "x"),
                ("predicates", "p")
            ]))),
            [
                "Missing required configuration \"transforms.x.type\" which has no default value.",
                "Missing required configuration \"predicates.p.type\" which has no default value.",
            ]
        );
        assert_eq!(
            messages(ConnectorConfig::parse(&base(&[
                ("transforms", "x"),
                ("transforms.x.type", "Filter"),
                ("transforms.x.negate", "true"),
            ]))),
            [
                "Config 'transforms.x.negate' was provided but there is no config \
              'transforms.x.predicate' defining a predicate to be negated."
            ]
        );
    }

    #[test]
    fn sink_topics_list_and_regex() -> Result<(), ConfigErrors> {
        let config = SinkConnectorConfig::parse(&base(&[("topics", "a, b,,a")]))?;
        assert_eq!(
            config.topics,
            SinkTopics::List(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(config.dead_letter_queue, None);

        let config = SinkConnectorConfig::parse(&base(&[
            ("topics.regex", "orders-.*|audit"),
            ("errors.deadletterqueue.topic.name", "dlq"),
            ("errors.deadletterqueue.context.headers.enable", "true"),
        ]))?;
        // Java's matches(): the whole topic name must match.
        assert!(config.topics.matches("orders-eu") && config.topics.matches("audit"));
        assert!(!config.topics.matches("audit-log") && !config.topics.matches("x-orders-1"));
        assert_eq!(
            config.dead_letter_queue,
            Some(DeadLetterQueue {
                topic: "dlq".to_owned(),
                replication_factor: 3,
                context_headers_enable: true,
            })
        );
        Ok(())
    }

    #[test]
    fn sink_topic_rules_use_kafka_messages() {
        let neither = "Must configure one of topics or topics.regex";
        assert_eq!(
            messages(SinkConnectorConfig::parse(&base(&[("topics", " ")]))),
            [neither, neither]
        );
        let both = "topics and topics.regex are mutually exclusive options, but both are set.";
        assert_eq!(
            messages(SinkConnectorConfig::parse(&base(&[
                ("topics", "a"),
                ("topics.regex", "b")
            ]))),
            [both, both]
        );
        assert_eq!(
            messages(SinkConnectorConfig::parse(&base(&[
                ("topics", "a,dlq"),
                ("errors.deadletterqueue.topic.name", " dlq "),
            ]))),
            ["The DLQ topic 'dlq' may not be included in the list of topics ('topics=[a, dlq]') \
              consumed by the connector"]
        );
        assert_eq!(
            messages(SinkConnectorConfig::parse(&base(&[
                ("topics.regex", "d.*"),
                ("errors.deadletterqueue.topic.name", "dlq"),
            ]))),
            [
                "The DLQ topic 'dlq' may not be included in the regex matching the topics \
              ('topics.regex=d.*') consumed by the connector"
            ]
        );
        let invalid = messages(SinkConnectorConfig::parse(&base(&[("topics.regex", "(a")])));
        assert_eq!(invalid.len(), 1);
        assert!(
            invalid[0]
                .starts_with("Invalid value (a for configuration topics.regex: Invalid regex:"),
            "{invalid:?}"
        );
    }

    #[test]
    fn source_defaults_and_values() -> Result<(), ConfigErrors> {
        let config = SourceConnectorConfig::parse(&base(&[]))?;
        assert!(config.topic_creation_groups.is_empty());
        assert_eq!(config.exactly_once_support, ExactlyOnceSupport::Requested);
        assert_eq!(config.transaction_boundary, TransactionBoundary::Poll);
        assert_eq!(config.transaction_boundary_interval, None);
        assert_eq!(config.offsets_storage_topic, None);

        let config = SourceConnectorConfig::parse(&base(&[
            ("topic.creation.groups", "compacted"),
            ("topic.creation.default.partitions", "3"),
            ("topic.creation.compacted.cleanup.policy", "compact"),
            ("exactly.once.support", "REQUIRED"),
            ("transaction.boundary", "interval"),
            ("transaction.boundary.interval.ms", "500"),
            ("offsets.storage.topic", "my-offsets"),
        ]))?;
        assert_eq!(config.topic_creation_groups, ["compacted"]);
        assert_eq!(
            config.topic_creation_configs("default"),
            map(&[("partitions", "3")])
        );
        assert_eq!(
            config.topic_creation_configs("compacted"),
            map(&[("cleanup.policy", "compact")])
        );
        assert_eq!(config.exactly_once_support, ExactlyOnceSupport::Required);
        assert_eq!(config.transaction_boundary, TransactionBoundary::Interval);
        assert_eq!(
            config.transaction_boundary_interval,
            Some(Duration::from_millis(500))
        );
        assert_eq!(config.offsets_storage_topic.as_deref(), Some("my-offsets"));
        assert_eq!(
            messages(SourceConnectorConfig::parse(&base(&[
                ("transaction.boundary.interval.ms", "-1"),
                ("offsets.storage.topic", ""),
            ]))),
            [
                "Invalid value -1 for configuration transaction.boundary.interval.ms: Value must \
                 be at least 0",
                "Invalid value  for configuration offsets.storage.topic: String must be \
                 non-empty",
            ]
        );

        assert_eq!(
            messages(SourceConnectorConfig::parse(&base(&[
                ("transaction.boundary", "batch"),
                ("topic.creation.groups", "a,a"),
            ]))),
            [
                "Invalid value [a, a] for configuration topic.creation.groups: Duplicate alias \
                 provided.",
                "Invalid value batch for configuration transaction.boundary: String must be one \
                 of (case insensitive): poll, interval, connector",
            ]
        );
        Ok(())
    }

    fn plugin(class: &str) -> Plugin {
        match connectors::plugins().into_iter().find(|p| p.class == class) {
            Some(p) => p,
            None => panic!("no plugin {class}"),
        }
    }

    #[test]
    fn validate_merges_common_and_plugin_keys() {
        let class = "org.apache.kafka.connect.file.FileStreamSinkConnector";
        let infos = validate_plugin_config(&plugin(class), &base(&[("tasks.max", "0")]));
        assert_eq!(infos.name, class);
        assert_eq!(
            infos.groups,
            ["Common", "Transforms", "Predicates", "Error Handling"]
        );
        let names: Vec<_> = infos
            .configs
            .iter()
            .filter_map(|c| c.definition.as_ref().map(|d| d.name.as_str()))
            .collect();
        assert_eq!(names.first(), Some(&"name"));
        assert_eq!(names.last(), Some(&"file"));
        assert!(
            names.contains(&"topics.regex") && names.contains(&"errors.deadletterqueue.topic.name")
        );
        let errors = |name: &str| -> Vec<String> {
            infos
                .configs
                .iter()
                .filter_map(|c| c.value.as_ref())
                .filter(|v| v.name == name)
                .flat_map(|v| v.errors.clone())
                .collect()
        };
        assert_eq!(
            errors("tasks.max"),
            ["Invalid value 0 for configuration tasks.max: Value must be at least 1"]
        );
        // The plugin reports the topics rule too; its value replaces the common one.
        assert_eq!(
            errors("topics"),
            ["Must configure one of topics or topics.regex"]
        );
        assert_eq!(
            errors("topics.regex"),
            ["Must configure one of topics or topics.regex"]
        );
        assert_eq!(infos.error_count, 3);
        let common = infos
            .configs
            .iter()
            .find(|c| c.definition.as_ref().is_some_and(|d| d.name == "name"));
        assert_eq!(
            common
                .and_then(|c| c.definition.as_ref())
                .and_then(|d| d.group.as_deref()),
            Some("Common")
        );
    }

    #[test]
    fn validate_source_reports_plugin_errors_and_dlq_rules_only_for_sinks() {
        let class = "org.apache.kafka.connect.file.FileStreamSourceConnector";
        let infos = validate_plugin_config(
            &plugin(class),
            &base(&[
                ("errors.deadletterqueue.topic.name", "t"),
                ("transaction.boundary", "poll"),
            ]),
        );
        assert_eq!(infos.error_count, 1, "{infos:?}");
        let topic = infos
            .configs
            .iter()
            .filter_map(|c| c.value.as_ref())
            .find(|v| v.name == "topic");
        assert_eq!(
            topic.map(|v| v.errors.clone()),
            Some(vec![
                "Missing required configuration \"topic\" which has no default value.".to_owned()
            ])
        );
        assert!(infos.groups.contains(&"Exactly Once Support".to_owned()));
        assert!(!infos
            .configs
            .iter()
            .any(|c| c.definition.as_ref().is_some_and(|d| d.name == "topics")));
    }

    #[test]
    fn every_key_is_documented_and_grouped() {
        for key in sink_connector_config_def()
            .keys()
            .chain(source_connector_config_def().keys())
        {
            assert!(
                key.documentation.as_deref().is_some_and(|d| !d.is_empty()),
                "{}",
                key.name
            );
            assert!(key.group.is_some(), "{}", key.name);
        }
    }
}
