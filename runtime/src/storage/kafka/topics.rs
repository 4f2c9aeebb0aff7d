//! Creating and checking the internal topics (Kafka's `TopicAdmin` and
//! `KafkaTopicBasedBackingStore.topicInitializer`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, ResourceSpecifier, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::RDKafkaErrorCode;

use crate::storage::StorageError;
use crate::worker::clients;

/// How long one admin request may take.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(30);

/// One internal topic to create or check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalTopicSpec {
    /// The topic.
    pub name: String,
    /// Partitions when creating it; -1 for the broker's default (`num.partitions`).
    pub partitions: i32,
    /// Replication factor when creating it; -1 for the broker's default.
    pub replication_factor: i16,
    /// What the topic holds, for messages: `connector configurations`, `source connector
    /// offsets` or `connector and task statuses` (Kafka's topic purposes).
    pub purpose: &'static str,
    /// The worker setting naming the topic: `config.storage.topic`,
    /// `offset.storage.topic` or `status.storage.topic`.
    pub config_name: &'static str,
}

impl InternalTopicSpec {
    /// The config topic (`config.storage.*`): always one partition.
    pub fn config(topic: &crate::config::worker::InternalTopic) -> Self {
        Self {
            name: topic.name.clone(),
            partitions: 1,
            replication_factor: topic.replication_factor,
            purpose: "connector configurations",
            config_name: "config.storage.topic",
        }
    }

    /// The offsets topic (`offset.storage.*`).
    pub fn offsets(topic: &crate::config::worker::InternalTopic) -> Self {
        Self {
            name: topic.name.clone(),
            partitions: topic.partitions,
            replication_factor: topic.replication_factor,
            purpose: "source connector offsets",
            config_name: "offset.storage.topic",
        }
    }

    /// The status topic (`status.storage.*`).
    pub fn status(topic: &crate::config::worker::InternalTopic) -> Self {
        Self {
            name: topic.name.clone(),
            partitions: topic.partitions,
            replication_factor: topic.replication_factor,
            purpose: "connector and task statuses",
            config_name: "status.storage.topic",
        }
    }
}

fn kafka_error(topic: &str, action: &'static str, error: impl std::fmt::Display) -> StorageError {
    StorageError::Kafka {
        topic: topic.to_owned(),
        action,
        message: error.to_string(),
    }
}

/// Creates the topic if it is missing, compacted (`cleanup.policy=compact`); checks an
/// existing topic is compacted only, as Kafka's `verifyTopicCleanupPolicyOnlyCompact` does
/// for all three internal topics, and with `require_single_partition` that it has exactly
/// one partition (`KafkaConfigBackingStore.start`). Errors carry Kafka's messages.
///
/// Like Kafka's `TopicAdmin`, a broker that does not support or does not allow creating
/// topics or describing their configurations only gets a warning: the topic is then
/// assumed to exist (or to be auto-created) with the right settings.
pub async fn ensure_internal_topic(
    admin_props: &BTreeMap<String, String>,
    spec: &InternalTopicSpec,
    require_single_partition: bool,
) -> Result<(), StorageError> {
    let topic = spec.name.as_str();
    let admin: AdminClient<DefaultClientContext> =
        clients::create(admin_props).map_err(|e| kafka_error(topic, "create a client for", e))?;
    let admin = Arc::new(admin);
    let options = AdminOptions::new().operation_timeout(Some(ADMIN_TIMEOUT));
    let new_topic = NewTopic::new(
        topic,
        spec.partitions,
        TopicReplication::Fixed(i32::from(spec.replication_factor)),
    )
    .set("cleanup.policy", "compact");
    let created = match admin.create_topics([&new_topic], &options).await {
        Ok(results) => match results.into_iter().next() {
            Some(Ok(_)) => {
                tracing::info!(
                    topic,
                    purpose = spec.purpose,
                    partitions = spec.partitions,
                    "created the internal topic"
                );
                true
            }
            Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => false,
            Some(Err((
                _,
                code @ (RDKafkaErrorCode::UnsupportedVersion
                | RDKafkaErrorCode::ClusterAuthorizationFailed
                | RDKafkaErrorCode::TopicAuthorizationFailed
                | RDKafkaErrorCode::PolicyViolation),
            ))) => {
                // TopicAdmin.createOrFindTopics: fall back to assuming the topic exists.
                tracing::warn!(topic, error = %code, "unable to create the internal topic; assuming it exists or will be auto-created by the broker");
                false
            }
            Some(Err((_, code))) => {
                return Err(kafka_error(topic, "create", code));
            }
            None => false,
        },
        Err(e) => return Err(kafka_error(topic, "create", e)),
    };
    if !created {
        verify_cleanup_policy_only_compact(&admin, spec, &options).await?;
    }
    if require_single_partition && !created {
        let partitions = partition_count(admin.clone(), topic).await?;
        if partitions > 1 {
            return Err(single_partition_error(spec, partitions));
        }
    }
    Ok(())
}

/// `KafkaConfigBackingStore.start`'s message for a config topic with several partitions.
pub(super) fn single_partition_error(spec: &InternalTopicSpec, partitions: usize) -> StorageError {
    StorageError::InternalTopicMisconfigured {
        topic: spec.name.clone(),
        message: format!(
            "Topic '{}' supplied via the '{}' property is required to have a single partition \
             in order to guarantee consistency of connector configurations, but found {} \
             partitions.",
            spec.name, spec.config_name, partitions
        ),
    }
}

/// Kafka's `TopicAdmin.verifyTopicCleanupPolicyOnlyCompact`.
async fn verify_cleanup_policy_only_compact(
    admin: &AdminClient<DefaultClientContext>,
    spec: &InternalTopicSpec,
    options: &AdminOptions,
) -> Result<(), StorageError> {
    let topic = spec.name.as_str();
    let policies: BTreeSet<String> = match admin
        .describe_configs([&ResourceSpecifier::Topic(topic)], options)
        .await
    {
        Ok(results) => match results.into_iter().next() {
            Some(Ok(resource)) => resource
                .entries
                .iter()
                .find(|e| e.name == "cleanup.policy")
                .and_then(|e| e.value.as_deref())
                .map(|v| {
                    v.split(',')
                        .map(|p| p.trim().to_ascii_lowercase())
                        .filter(|p| !p.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            Some(Err(code)) => {
                tracing::debug!(topic, error = %code, "describing the topic's configuration failed");
                BTreeSet::new()
            }
            None => BTreeSet::new(),
        },
        Err(e) => {
            tracing::debug!(topic, error = %e, "describing the topic's configuration failed");
            BTreeSet::new()
        }
    };
    if policies.is_empty() {
        tracing::warn!(
            topic,
            "Unable to use admin client to verify the cleanup policy of '{topic}' topic is \
             'compact', either because the broker is an older version or because the Kafka \
             principal used for Connect internal topics does not have the required permission \
             to describe topic configurations."
        );
        return Ok(());
    }
    if policies.len() == 1 && policies.contains("compact") {
        return Ok(());
    }
    let found = policies.into_iter().collect::<Vec<_>>().join(",");
    Err(StorageError::InternalTopicMisconfigured {
        topic: topic.to_owned(),
        message: format!(
            "Topic '{topic}' supplied via the '{setting}' property is required to have \
             'cleanup.policy=compact' to guarantee consistency and durability of {purpose}, \
             but found the topic currently has 'cleanup.policy={found}'. Continuing would \
             likely result in eventually losing {purpose} and problems restarting this Connect \
             cluster in the future. Change the '{setting}' property in the Connect worker \
             configurations to use a topic with 'cleanup.policy=compact'.",
            setting = spec.config_name,
            purpose = spec.purpose,
        ),
    })
}

/// The topic's partition count from the cluster metadata (blocking call: on the blocking
/// pool).
async fn partition_count(
    admin: Arc<AdminClient<DefaultClientContext>>,
    topic: &str,
) -> Result<usize, StorageError> {
    let name = topic.to_owned();
    let result = tokio::task::spawn_blocking(move || {
        admin
            .inner()
            .fetch_metadata(Some(&name), ADMIN_TIMEOUT)
            .map(|m| {
                m.topics()
                    .iter()
                    .find(|t| t.name() == name)
                    .map_or(0, |t| t.partitions().len())
            })
    })
    .await
    .map_err(|e| kafka_error(topic, "describe", e))?;
    result.map_err(|e| kafka_error(topic, "describe", e))
}
