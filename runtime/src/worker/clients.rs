//! Kafka clients of the worker, configured like Kafka Connect configures them.
//!
//! Settings are layered as in Kafka's `Worker`: the worker's base settings
//! (`bootstrap.servers`, `client.dns.lookup`), the worker's `producer.*` / `consumer.*` /
//! `admin.*` settings, the framework's defaults for the client's role, then the connector's
//! `producer.override.*` / `consumer.override.*` / `admin.override.*` (the default
//! `connector.client.config.override.policy=All` allows every override).
//!
//! The clients are librdkafka's, whose property names are mostly Java's. Java-only
//! properties (`key.serializer`, `buffer.memory`, ...) that librdkafka does not know are
//! dropped with a warning instead of failing the worker, so Kafka worker files work as is.

use std::collections::BTreeMap;

use rdkafka::config::{ClientConfig, FromClientConfig, FromClientConfigAndContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use crate::config::worker::WorkerConfig;

/// The properties Kafka's clients know but librdkafka does not, dropped silently because
/// every Java worker file has some of them (they have no librdkafka meaning).
const JAVA_ONLY: &[&str] = &[
    "key.serializer",
    "value.serializer",
    "key.deserializer",
    "value.deserializer",
    "buffer.memory",
    "max.block.ms",
    "interceptor.classes",
    "partitioner.class",
    "metric.reporters",
    "metrics.num.samples",
    "metrics.sample.window.ms",
    "metrics.recording.level",
    "auto.include.jmx.reporter",
    "exclude.internal.topics",
    "default.api.timeout.ms",
    "client.dns.lookup",
    "retries",
];

/// The worker's base settings for every client: `bootstrap.servers`.
pub fn base_configs(worker: &WorkerConfig) -> BTreeMap<String, String> {
    BTreeMap::from([(
        "bootstrap.servers".to_owned(),
        worker.bootstrap_servers.join(","),
    )])
}

/// Settings for a source task's producer (Kafka's `Worker.baseProducerConfigs`): acks=all
/// and idempotence so that a record is written once and in order, unlimited delivery time
/// (Kafka Connect uses `Integer.MAX_VALUE`), then the worker's `producer.*` settings and
/// the connector's overrides.
pub fn producer_configs(
    worker: &WorkerConfig,
    client_id: &str,
    overrides: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut props = base_configs(worker);
    props.extend(
        [
            ("acks", "all"),
            ("enable.idempotence", "true"),
            ("message.timeout.ms", "0"),
            ("linger.ms", "5"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    props.insert("client.id".to_owned(), client_id.to_owned());
    props.extend(worker.producer_configs());
    props.extend(overrides.clone());
    props
}

/// Settings for a sink task's consumer (Kafka's `Worker.baseConsumerConfigs`): group
/// `connect-<connector>`, no auto-commit (the task commits what it flushed), reading from
/// the earliest offset when the group has none, then the worker's `consumer.*` settings and
/// the connector's overrides.
pub fn consumer_configs(
    worker: &WorkerConfig,
    group_id: &str,
    client_id: &str,
    overrides: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut props = base_configs(worker);
    props.extend(
        [
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("auto.offset.reset", "earliest"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    props.extend(worker.consumer_configs());
    props.extend(overrides.clone());
    // Not overridable, as in Kafka: the group is the connector's.
    props.insert("group.id".to_owned(), group_id.to_owned());
    props.insert("client.id".to_owned(), client_id.to_owned());
    props
}

/// Settings for an admin client or a metadata-only client.
pub fn admin_configs(
    worker: &WorkerConfig,
    overrides: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut props = base_configs(worker);
    props.extend(worker.admin_configs());
    props.extend(overrides.clone());
    props
}

/// The property a librdkafka "No such configuration property" error names.
fn unknown_property(error: &KafkaError) -> Option<String> {
    let KafkaError::ClientConfig(_, message, name, _) = error else {
        return None;
    };
    message
        .contains("No such configuration property")
        .then(|| name.clone())
}

/// Creates a client from Java-style properties, dropping properties librdkafka does not
/// know (with a warning unless they are in [`JAVA_ONLY`]).
pub fn create<T: FromClientConfig>(props: &BTreeMap<String, String>) -> Result<T, KafkaError> {
    create_with(props, T::from_config)
}

/// [`create`] for clients with a custom context.
pub fn create_with_context<C: rdkafka::ClientContext + Clone, T: FromClientConfigAndContext<C>>(
    props: &BTreeMap<String, String>,
    context: C,
) -> Result<T, KafkaError> {
    create_with(props, |config| {
        T::from_config_and_context(config, context.clone())
    })
}

fn create_with<T>(
    props: &BTreeMap<String, String>,
    build: impl Fn(&ClientConfig) -> Result<T, KafkaError>,
) -> Result<T, KafkaError> {
    let mut props: BTreeMap<String, String> = props
        .iter()
        .filter(|(k, _)| !JAVA_ONLY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    loop {
        let mut config = ClientConfig::new();
        for (k, v) in &props {
            config.set(k, v);
        }
        config.set_log_level(rdkafka::config::RDKafkaLogLevel::Warning);
        match build(&config) {
            Ok(client) => return Ok(client),
            Err(e) => match unknown_property(&e) {
                Some(name) if props.remove(&name).is_some() => {
                    tracing::warn!(property = %name, "ignoring a client property librdkafka does not support");
                }
                _ => return Err(e),
            },
        }
    }
}

/// Whether `error` means the broker could not be reached (as opposed to a refusal).
pub fn is_transport_error(error: &KafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::BrokerTransportFailure
                | RDKafkaErrorCode::AllBrokersDown
                | RDKafkaErrorCode::OperationTimedOut
                | RDKafkaErrorCode::MessageTimedOut
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::producer::BaseProducer;

    #[test]
    fn java_only_and_unknown_properties_are_dropped() {
        let props = BTreeMap::from([
            ("bootstrap.servers".to_owned(), "127.0.0.1:1".to_owned()),
            ("key.serializer".to_owned(), "x".to_owned()),
            ("no.such.property.anywhere".to_owned(), "1".to_owned()),
        ]);
        let producer: Result<BaseProducer, _> = create(&props);
        assert!(producer.is_ok(), "{:?}", producer.err());
    }

    #[test]
    fn invalid_values_still_fail_with_librdkafkas_message() {
        let props = BTreeMap::from([
            ("bootstrap.servers".to_owned(), "127.0.0.1:1".to_owned()),
            ("acks".to_owned(), "sometimes".to_owned()),
        ]);
        match create::<BaseProducer>(&props) {
            Err(e) => assert!(e.to_string().contains("acks"), "{e}"),
            Ok(_) => panic!("an invalid acks value was accepted"),
        }
    }
}
